import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("microneedling_book_next_tour", {
    steps: () => [
        {
            content: "Ask for free slots in the next-session window",
            trigger: 'button[name="action_book_next_session"]',
            run: "click",
        },
        {
            content: "Book the first free slot",
            trigger: '.modal .o_data_row:first button[name="action_book"]',
            run: "click",
        },
        {
            content: "The session is booked",
            trigger: '.o_form_view .o_statusbar_status .o_arrow_button_current:contains("Booked")',
        },
    ],
});

tours.add("microneedling_blocked_client_tour", {
    steps: () => [
        {
            content: "Try to book a client the protocol blocks",
            trigger: 'button[name="action_book_next_session"]',
            run: "click",
        },
        {
            content: "The refusal gives the reason",
            trigger: '.modal:contains("rules out treatment"):not(:contains("Pregnancy"))',
        },
    ],
});

tours.add("microneedling_crm_start_series_tour", {
    steps: () => [
        {
            content: "Start the treatment series from the consultation",
            trigger: 'button[name="action_start_microneedling_series"]',
            run: "click",
        },
        {
            content: "The salesperson is not a practitioner: choose who runs the series",
            trigger: '.modal .o_field_widget[name="user_id"] input',
            run: "edit Tour Practitioner",
        },
        {
            content: "Pick the practitioner from the list",
            trigger: '.o-autocomplete--dropdown-item:contains("Tour Practitioner")',
            run: "click",
        },
        {
            content: "Start the series",
            trigger: '.modal button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "The new series opens",
            trigger: '.o_breadcrumb .active:contains("MN/")',
        },
    ],
});

tours.add("microneedling_practitioner_day_tour", {
    url: "/odoo/microneedling-my-day",
    steps: () => [
        {
            content: "Re-screen: the client confirms nothing changed",
            trigger: '.o_data_row:contains("Tour Client") button[name="action_confirm_screening_unchanged"]',
            run: "click",
        },
        {
            content: "Mark the session done",
            trigger: '.o_data_row:contains("Tour Client") button[name="action_done"]',
            run: "click",
        },
        {
            content: "The session is done",
            trigger: '.o_data_row:contains("Tour Client") .badge:contains("Done")',
        },
        {
            content: "Open it",
            trigger: '.o_data_row:contains("Tour Client") td[name="partner_id"]',
            run: "click",
        },
        {
            content: "Open its aftercare",
            trigger: '.o_notebook a.nav-link:contains("Aftercare")',
            run: "click",
        },
        {
            content: "The aftercare timeline has begun",
            trigger: '.o_field_widget[name="aftercare_schedule_ids"] .o_data_row:contains("Aftercare instructions")',
        },
    ],
});

tours.add("microneedling_manager_override_tour", {
    steps: () => [
        {
            content: "Override the client's block",
            trigger: 'button[name="action_open_override_wizard"]',
            run: "click",
        },
        {
            content: "Give the mandatory reason",
            trigger: '.modal div[name="reason"] textarea',
            run: "edit Dermatologist approved in writing",
        },
        {
            content: "Confirm the override",
            trigger: '.modal button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "Book the session",
            trigger: '.o_form_view:not(:has(.modal)) button[name="action_book"]',
            run: "click",
        },
        {
            content: "Booked despite the block, and marked as overridden",
            trigger: '.o_form_view:has(.ribbon:contains("Overridden")) .o_statusbar_status .o_arrow_button_current:contains("Booked")',
        },
    ],
});
