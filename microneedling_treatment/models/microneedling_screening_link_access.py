from odoo import fields, models


class MicroneedlingScreeningLinkAccess(models.Model):
    """Who opened or used a screening link, when and from where."""

    _name = "microneedling.screening.link.access"
    _description = "Microneedling Screening Link Access"
    _order = "date desc, id desc"

    link_id = fields.Many2one(
        comodel_name="microneedling.screening.link",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    intake_id = fields.Many2one(
        related="link_id.intake_id", string="Screening", store=True, index="btree_not_null"
    )
    partner_id = fields.Many2one(related="link_id.partner_id", string="Client", store=True)
    company_id = fields.Many2one(related="link_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    event = fields.Selection(
        selection=[
            ("opened", "Opened"),
            ("submitted", "Submitted"),
            ("confirmed", "Confirmed Unchanged"),
            ("refused", "Answers Refused"),
        ],
        required=True,
        readonly=True,
    )
    ip = fields.Char(string="IP Address", readonly=True)
    user_agent = fields.Char(string="Browser", readonly=True)
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Signed-in User",
        readonly=True,
        ondelete="set null",
        help="Empty when the page was opened without signing in, as clients do.",
    )
