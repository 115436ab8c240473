# Copyright 2026 Calyx Spa Systems
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Microneedling Treatment",
    "summary": "Microneedling series, intake screening, contraindications "
    "and aftercare for spas and med-spas",
    "version": "18.0.1.0.0",
    "category": "Services/Microneedling",
    "website": "https://github.com/calyx-spa/microneedling_treatment",
    "author": "Calyx Spa Systems",
    "maintainers": ["calyx-spa"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": True,
    "installable": True,
    "depends": [
        "base_automation",
        "calendar",
        "contacts",
        "crm",
        "mail",
        "sms",
    ],
    "data": [
        "security/microneedling_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/microneedling_contraindication_data.xml",
        "data/microneedling_skin_goal_data.xml",
        "data/microneedling_side_effect_data.xml",
        "data/mail_activity_type_data.xml",
        "data/mail_template_data.xml",
        "data/microneedling_aftercare_step_data.xml",
        "data/ir_cron_data.xml",
        "data/base_automation_data.xml",
        "report/microneedling_aftercare_reports.xml",
        "report/microneedling_aftercare_templates.xml",
        "views/microneedling_aftercare_step_views.xml",
        "views/microneedling_contraindication_views.xml",
        "views/microneedling_intake_views.xml",
        "views/microneedling_session_views.xml",
        "views/microneedling_series_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "views/microneedling_menus.xml",
    ],
    "demo": [
        "demo/microneedling_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "microneedling_treatment/static/src/**/*",
        ],
        "web.assets_tests": [
            "microneedling_treatment/static/tests/tours/**/*",
        ],
    },
}
