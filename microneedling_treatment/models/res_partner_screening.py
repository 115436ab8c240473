from odoo import _, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

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
