import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const tours = registry.category("web_tour.tours");

tours.add("microneedling_report_manager_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Microneedling application",
            trigger: '.o_app[data-menu-xmlid="microneedling_treatment.menu_root"]',
            run: "click",
        },
        {
            content: "Open the Reporting menu",
            trigger: '.o_main_navbar [data-menu-xmlid="microneedling_treatment.menu_reporting"]',
            run: "click",
        },
        {
            content: "Open the series analysis",
            trigger: '.o-dropdown-item[data-menu-xmlid="microneedling_treatment.menu_series_report"]',
            run: "click",
        },
        {
            content: "The pivot shows the completion and drop-out rates",
            trigger:
                '.o_pivot_view .o_pivot_measure_row:contains("Completion Rate (%)") ~ .o_pivot_measure_row:contains("Drop-out Rate (%)")',
        },
        {
            content: "Practitioners are the rows",
            trigger: ".o_pivot_view .o_pivot_header_cell_opened, .o_pivot_view tbody .o_pivot_header_cell_closed",
        },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Dashboards application",
            trigger:
                '.o_app[data-menu-xmlid="spreadsheet_dashboard.spreadsheet_dashboard_menu_root"]',
            run: "click",
        },
        {
            content: "Open the microneedling dashboard",
            trigger: '.o_search_panel_category_value[data-name="Microneedling Series"]',
            run: "click",
        },
        {
            content: "Its KPI tiles are drawn",
            trigger:
                ".o_spreadsheet_dashboard_action .o_search_panel_category_value.active[data-name='Microneedling Series']",
        },
        {
            // Figures below the fold are drawn when scrolled to: the first chart is enough.
            content: "Six KPI tiles and the outcome chart",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer:has(.o-scorecard)",
            run() {
                const scorecards = document.querySelectorAll(".o_renderer .o-scorecard");
                const charts = document.querySelectorAll(".o_renderer .o-chart-container");
                if (scorecards.length !== 6 || !charts.length) {
                    throw new Error(
                        `expected 6 KPI tiles and a chart, got ${scorecards.length} and ${charts.length}`
                    );
                }
            },
        },
    ],
});

tours.add("microneedling_report_receptionist_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Microneedling application",
            trigger: '.o_app[data-menu-xmlid="microneedling_treatment.menu_root"]',
            run: "click",
        },
        {
            content: "The menu bar has Series but no Reporting",
            trigger:
                '.o_main_navbar .o_menu_sections:has([data-menu-xmlid="microneedling_treatment.menu_series"]):not(:has([data-menu-xmlid="microneedling_treatment.menu_reporting"]))',
        },
    ],
});
