import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("microneedling_menu_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Microneedling application",
            trigger: '.o_app[data-menu-xmlid="microneedling_treatment.menu_root"]',
            run: "click",
        },
        {
            content: "The Microneedling menu bar is shown",
            trigger: '.o_main_navbar .o_menu_brand:contains("Microneedling")',
        },
        {
            content: "Its first entry opened: the sessions calendar",
            trigger: '.o_breadcrumb .active:contains("Sessions")',
        },
        {
            content: "The calendar is shown",
            trigger: ".o_calendar_renderer",
        },
    ],
});
