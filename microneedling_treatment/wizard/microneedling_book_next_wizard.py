from datetime import timedelta

from odoo import api, fields, models


class MicroneedlingBookNextWizard(models.TransientModel):
    _name = "microneedling.book.next.wizard"
    _description = "Book the Next Microneedling Session"

    series_id = fields.Many2one(
        comodel_name="microneedling.series", required=True, ondelete="cascade"
    )
    slot_ids = fields.One2many(
        comodel_name="microneedling.book.next.slot", inverse_name="wizard_id", string="Free Slots"
    )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        self.env["microneedling.book.next.slot"].create(
            [
                {"wizard_id": wizard.id, "start": start, "stop": start + timedelta(hours=1)}
                for wizard in wizards
                if not wizard.slot_ids
                for start in wizard.series_id._free_slots()
            ]
        )
        return wizards


class MicroneedlingBookNextSlot(models.TransientModel):
    _name = "microneedling.book.next.slot"
    _description = "Free Slot for the Next Microneedling Session"
    _order = "start"

    wizard_id = fields.Many2one(
        comodel_name="microneedling.book.next.wizard", required=True, ondelete="cascade"
    )
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True)

    def action_book(self):
        """Book the chosen slot: every server-side check applies."""
        self.ensure_one()
        series = self.wizard_id.series_id
        session = self.env["microneedling.session"].create(
            {"series_id": series.id, "start": self.start, "stop": self.stop}
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "microneedling.session",
            "res_id": session.id,
            "view_mode": "form",
        }
