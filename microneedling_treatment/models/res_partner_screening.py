from odoo import _, fields, models
from odoo.exceptions import UserError


# Kept apart from the addon's main extension while the online screening lands: the
# two can be merged once it has.
class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def action_send_microneedling_screening_link(self):
        """Reception sends the screening link for the client's next booked visit here."""
        self.ensure_one()
        session = self.env["microneedling.session"].search(
            [
                ("partner_id", "=", self.id),
                ("company_id", "=", self.env.company.id),
                ("state", "=", "booked"),
                ("start", ">", fields.Datetime.now()),
            ],
            order="start",
            limit=1,
        )
        if not session:
            raise UserError(
                _(
                    "%(client)s has no coming booked visit: book the session first, the "
                    "screening link is for a visit.",
                    client=self.display_name,
                )
            )
        return session.action_send_screening_link()
