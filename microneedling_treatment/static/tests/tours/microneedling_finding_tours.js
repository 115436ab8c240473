import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

function findEvent(text) {
    return [...document.querySelectorAll(".o_calendar_renderer .o_event")].find((e) =>
        e.textContent.includes(text)
    );
}

function colorOf(element, prefix) {
    const match = [...element.classList].find((name) => name.startsWith(prefix));
    return match && match.slice(prefix.length);
}

tours.add("microneedling_calendar_readable_tour", {
    url: "/odoo/microneedling-sessions",
    steps: () => [
        {
            content: "Find the booked session (up to three weeks ahead)",
            trigger: ".o_calendar_renderer .fc-timegrid-slot",
            async run() {
                for (let week = 0; week < 3 && !findEvent("Fiona Finder"); week++) {
                    document.querySelector(".o_calendar_button_next").click();
                    await new Promise((resolve) => setTimeout(resolve, 1000));
                }
            },
        },
        {
            content: "The box reads client first, then time, number and clearance; no cut-off title",
            trigger: '.o_calendar_renderer .o_event:contains("Fiona Finder")',
            run({ anchor }) {
                const client = anchor.querySelector(".o_mn_client");
                const details = anchor.querySelector(".o_mn_event_details");
                if (!client || client.textContent.trim() !== "Fiona Finder") {
                    throw new Error(`the first line is not the client: ${client?.textContent}`);
                }
                if (client.scrollWidth > client.clientWidth + 1) {
                    throw new Error("the client's name is cut off at the week view's width");
                }
                const text = details.textContent.replace(/\s+/g, " ").trim();
                if (!/^\d\d:\d\d · 1\/6 · Cleared$/.test(text)) {
                    throw new Error(`unexpected details line: ${text}`);
                }
                if (anchor.textContent.includes("session")) {
                    throw new Error("the box still says 'session ...'");
                }
                if (colorOf(anchor, "o_calendar_color_") !== "10") {
                    throw new Error("a cleared client's session is not green");
                }
            },
        },
        {
            content: "Colour the sessions by practitioner",
            trigger: ".o_mn_calendar_color_by .o_mn_color_by_practitioner",
            run: "click",
        },
        {
            content: "The session takes its practitioner's colour, as in the filter panel",
            trigger: ".o_mn_color_by_practitioner.btn-primary",
            run() {
                const event = findEvent("Fiona Finder");
                const color = colorOf(event, "o_calendar_color_");
                const filter = [
                    ...document.querySelectorAll(
                        '.o_calendar_filter[data-name="user_id"] .o_calendar_filter_item'
                    ),
                ].find((item) => item.textContent.includes("Finder Practitioner"));
                if (!filter) {
                    throw new Error("no practitioner filter");
                }
                if (color === "10" || color !== colorOf(filter, "o_cw_filter_color_")) {
                    throw new Error(
                        `event colour ${color}, practitioner filter ${filter.className}`
                    );
                }
            },
        },
        {
            content: "Back to the clearance",
            trigger: ".o_mn_calendar_color_by .o_mn_color_by_clearance",
            run: "click",
        },
        {
            content: "The session is green again",
            trigger: ".o_mn_color_by_clearance.btn-primary",
            run() {
                if (colorOf(findEvent("Fiona Finder"), "o_calendar_color_") !== "10") {
                    throw new Error("the clearance colours did not come back");
                }
            },
        },
    ],
});

tours.add("microneedling_book_next_preference_tour", {
    steps: () => [
        {
            content: "Ask for free slots in the next-session window",
            trigger: 'button[name="action_book_next_session"]',
            run: "click",
        },
        {
            content: "Slots over several days are offered",
            trigger: '.modal .o_field_widget[name="offered_slot_ids"] .o_data_row',
        },
        {
            content: "The client prefers Thursdays",
            trigger: '.modal .o_field_widget[name="preferred_weekday"] select',
            run: 'select "3"',
        },
        {
            content: "Afternoons",
            trigger: '.modal .o_field_widget[name="preferred_daypart"] select',
            run: 'select "afternoon"',
        },
        {
            content: "Only Thursday afternoons are offered, without seconds",
            trigger:
                '.modal .o_field_widget[name="offered_slot_ids"]:has(.o_data_row):not(:has(.o_data_row:not(:contains("Thu"))))',
            async run({ anchor }) {
                const slotTimes = () =>
                    [...anchor.querySelectorAll(".o_data_row")].map((row) => {
                        const [, month, day, year, hour] = row.textContent.match(
                            /(\d\d)\/(\d\d)\/(\d{4}) (\d\d):/
                        );
                        return `${year}${month}${day}${hour}`;
                    });
                const isSorted = () => slotTimes().join() === [...slotTimes()].sort().join();
                // The list sorts itself just after the onchange's render.
                for (let wait = 0; wait < 20 && !isSorted(); wait++) {
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                if (!isSorted()) {
                    throw new Error(`slots not in time order: ${slotTimes()}`);
                }
                const rows = [...anchor.querySelectorAll(".o_data_row")];
                for (const row of rows) {
                    const match = row.textContent.match(/(\d\d):(\d\d) - \d\d:\d\d/);
                    if (!match || Number(match[1]) < 12 || /\d\d:\d\d:\d\d/.test(row.textContent)) {
                        throw new Error(`not a Thursday afternoon slot: ${row.textContent}`);
                    }
                }
            },
        },
        {
            content: "Book the first one",
            trigger: '.modal .o_data_row:first button[name="action_book"]',
            run: "click",
        },
        {
            content: "The session is booked",
            trigger: '.o_form_view .o_statusbar_status .o_arrow_button_current:contains("Booked")',
        },
    ],
});

tours.add("microneedling_finding_lists_tour", {
    url: "/odoo/microneedling-clients",
    steps: () => [
        {
            content: "Clients opens on treatment clients",
            trigger: '.o_searchview_facet:contains("Treatment Clients")',
        },
        {
            content: "With their clearance on the cards",
            trigger:
                '.o_kanban_record:contains("Fiona Finder") .o_mn_client_clearance:contains("Cleared")',
        },
        {
            content: "A contact without series or screening is not listed",
            trigger: '.o_kanban_view:has(.o_kanban_record:contains("Bea Blocked")):not(:has(.o_kanban_record:contains("Carl Contact")))',
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Only blocked clients",
            trigger: '.o_filter_menu .o_menu_item:contains("Blocked")',
            run: "click",
        },
        {
            content: "The blocked client stays, the cleared one goes",
            trigger:
                '.o_kanban_view:has(.o_kanban_record:contains("Bea Blocked") .o_mn_client_clearance:contains("Blocked")):not(:has(.o_kanban_record:contains("Fiona Finder")))',
        },
        {
            content: "Series",
            trigger: '.o_main_navbar a[data-menu-xmlid="microneedling_treatment.menu_series"]',
            run: "click",
        },
        {
            content: "Switch to the kanban",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "By status: the series in progress shows 0/6 done and its next session",
            trigger:
                '.o_kanban_group:contains("In Progress") .o_kanban_record:contains("Fiona Finder"):has(.o_mn_series_count:contains("0/6")):has(.o_mn_series_next .fa-calendar-check-o)',
        },
        {
            content: "Empty statuses are columns too",
            trigger: '.o_kanban_group .o_column_title:contains("Completed")',
        },
    ],
});
