from odoo import api, fields, models

from ..tools import quiet_hours

# Company settings shown as a time of day (hours as a float, 21.5 for 21:30).
TIME_OF_DAY_SETTINGS = frozenset({"microneedling_quiet_start", "microneedling_quiet_end"})


class MicroneedlingProtocolLog(models.Model):
    """Who changed which of a company's microneedling settings, when, from what to what.

    The contraindications and the aftercare steps track their changes in their
    chatter (mail.thread). The company's settings cannot: res.company is no
    mail.thread in Community, and making it one would give every company record a
    chatter and followers for the sake of a few fields, readable by anyone who can
    read the company (every user). A small log of its own, written by
    res.company.write whichever way the settings are saved (the Settings form, an
    import, code), is readable by microneedling managers only and written by no one
    but the ORM (sudo): nobody can edit or delete the history.
    """

    _name = "microneedling.protocol.log"
    _description = "Microneedling Protocol Setting Change"
    _order = "date desc, id desc"
    _rec_name = "setting"

    date = fields.Datetime(
        string="Changed On", required=True, readonly=True, default=fields.Datetime.now, index=True
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Changed By",
        required=True,
        readonly=True,
        ondelete="restrict",
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    setting = fields.Selection(
        selection="_selection_setting",
        required=True,
        readonly=True,
        help="The company setting that changed.",
    )
    old_value = fields.Text(readonly=True)
    new_value = fields.Text(readonly=True)

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    @api.model
    def _selection_setting(self):
        # Labels in the reader's language, from the fields themselves.
        company_fields = self.env["res.company"]._fields
        return [
            (name, field._description_string(self.env))
            for name, field in company_fields.items()
            if name.startswith("microneedling_")
        ]

    @api.model
    def _display_value(self, company, name):
        """A setting's current value as the Settings form shows it, as text."""
        field = company._fields[name]
        value = company[name]
        if name in TIME_OF_DAY_SETTINGS:
            return quiet_hours.format_hours(value)
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        if field.type == "many2one":
            return value.display_name or ""
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value or "")
        if value is False or value is None:
            return ""
        return str(value)

    @api.model
    def _snapshot(self, companies, names):
        """{company id: {setting: (value, displayed value)}} of these companies'
        settings. The value decides whether a setting changed (two users may share a
        name); the displayed value is what the log says."""
        return {
            company.id: {
                name: (self._compared_value(company, name), self._display_value(company, name))
                for name in names
            }
            for company in companies.sudo()
        }

    @api.model
    def _compared_value(self, company, name):
        value = company[name]
        if company._fields[name].type == "many2one":
            return value.id
        if name in TIME_OF_DAY_SETTINGS:
            return round((value or 0.0) * 60)  # to the minute, as shown
        return value

    @api.model
    def _log_changes(self, companies, names, before):
        """Log each setting of `names` whose value differs from `before`."""
        after = self._snapshot(companies, names)
        vals_list = [
            {
                "company_id": company_id,
                "setting": name,
                "old_value": before[company_id][name][1],
                "new_value": shown,
                "user_id": self.env.uid,
            }
            for company_id, values in after.items()
            for name, (value, shown) in values.items()
            if value != before[company_id][name][0]
        ]
        if vals_list:
            self.sudo().create(vals_list)
