from odoo import _, api, models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

AFTERCARE_CRON = "microneedling_treatment.ir_cron_aftercare_process"


class IrCron(models.Model):
    _inherit = "ir.cron"

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if "active" in vals and not vals["active"]:
            self._check_not_aftercare()
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_except_aftercare(self):
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._check_not_aftercare()

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    def _check_not_aftercare(self):
        """Archiving a technical record must not silently stop every client's aftercare:
        pausing it is a company setting, with its warning."""
        cron = self.env.ref(AFTERCARE_CRON, raise_if_not_found=False)
        if cron and cron in self:
            raise UserError(
                _(
                    "The aftercare scheduler cannot be archived or deleted: it sends every "
                    "client's aftercare. To stop the messages deliberately, tick 'Pause "
                    "Aftercare Messages' in Settings > Microneedling; to stop one step, "
                    "archive it in Configuration > Aftercare Timeline."
                )
            )
