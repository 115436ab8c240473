from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# Set only by the client's own submission through a screening link (a trusted server path).
CLIENT_FIELDS = {
    "client_declared",
    "client_signed_name",
    "client_signature",
    "client_medications",
}


class MicroneedlingIntake(models.Model):
    """The client-declared screening: filled in by the client through a screening link."""

    _inherit = "microneedling.intake"

    client_declared = fields.Boolean(
        string="Declared by the Client",
        readonly=True,
        copy=False,
        tracking=True,
        help="The client filled in and submitted this screening through their personal "
        "link before the visit: the practitioner reviews it with them at the visit.",
    )
    client_signed_name = fields.Char(
        string="Signed Name", readonly=True, copy=False, help="The full name the client typed."
    )
    client_signature = fields.Binary(readonly=True, copy=False, attachment=True)
    client_medications = fields.Text(
        string="Medications (Client's Words)",
        readonly=True,
        copy=False,
        help="Medications the client listed on the online screening.",
    )
    client_access_ids = fields.One2many(
        comodel_name="microneedling.screening.link.access",
        inverse_name="intake_id",
        string="Online Accesses",
        readonly=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_client_values({key for vals in vals_list for key in vals})
        return super().create(vals_list)

    def write(self, vals):
        self._check_client_values(set(vals))
        return super().write(vals)

    def _check_client_values(self, keys):
        if CLIENT_FIELDS & keys and not self._is_trusted():
            raise AccessError(
                _(
                    "What the client declared online is set by the client's own submission "
                    "only: record your own screening instead."
                )
            )
