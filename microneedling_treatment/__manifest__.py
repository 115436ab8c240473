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
        "views/res_partner_views.xml",
        "views/microneedling_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "microneedling_treatment/static/tests/tours/**/*",
        ],
    },
}
