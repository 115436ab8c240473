import { drag, queryFirst, queryRect } from "@odoo/hoot-dom";
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

function timeRow(time) {
    return queryFirst(`.fc-timegrid-slot[data-time="${time}"]:eq(1)`);
}

function columnOf(element) {
    const center = element.getBoundingClientRect().left + element.getBoundingClientRect().width / 2;
    return [...document.querySelectorAll(".fc-col-header-cell.fc-day")].find((cell) => {
        const rect = cell.getBoundingClientRect();
        return rect.left <= center && center <= rect.right;
    });
}

function findEvent(text) {
    return [...document.querySelectorAll(".o_calendar_renderer .o_event")].find((e) =>
        e.textContent.includes(text)
    );
}

tours.add("microneedling_calendar_drag_refused_tour", {
    url: "/odoo/microneedling-sessions",
    steps: () => [
        {
            content: "Find the booked session (up to three weeks ahead)",
            trigger: ".o_calendar_renderer .fc-timegrid-slot",
            async run() {
                for (let week = 0; week < 3 && !findEvent("Retinol Rita"); week++) {
                    document.querySelector(".o_calendar_button_next").click();
                    await new Promise((resolve) => setTimeout(resolve, 1000));
                }
            },
        },
        {
            content: "Drag it one day earlier, into the retinol window",
            trigger: '.o_calendar_renderer .o_event:contains("Retinol Rita")',
            async run({ anchor }) {
                anchor.scrollIntoView({ behavior: "instant", block: "center" });
                const original = columnOf(anchor);
                document.body.dataset.mnOriginal = original.dataset.date;
                const target = original.previousElementSibling;
                const time = `${anchor.textContent.match(/\d\d:\d\d/)[0]}:00`;
                const row = queryRect(timeRow(time));
                const column = target.getBoundingClientRect();
                const { drop, moveTo } = await drag(anchor, { position: { y: 1 }, relative: true });
                await nextFrame();
                await moveTo(timeRow(time), {
                    position: { y: row.y + 1, x: column.x + column.width / 2 },
                });
                await nextFrame();
                await drop();
                await nextFrame();
            },
        },
        {
            content: "The server refuses and says why",
            trigger: '.modal:contains("time-bound contraindication"):not(:contains("exfoliant"))',
        },
        {
            content: "Close the dialog",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The session is drawn where the database holds it",
            trigger: 'body:not(:has(.modal)) .o_calendar_renderer .o_event:contains("Retinol Rita")',
            run({ anchor }) {
                if (columnOf(anchor).dataset.date !== document.body.dataset.mnOriginal) {
                    throw new Error("the refused move is still drawn");
                }
            },
        },
    ],
});

/** Select next Wednesday 10:00-11:00, then fill the booking dialog. */
function quickCreateSteps(client) {
    return [
        {
            content: "Go to next week",
            trigger: ".o_calendar_renderer .fc-timegrid-slot",
            run: "click .o_calendar_button_next",
        },
        {
            content: "Select 10:00 to 11:00 on Wednesday",
            trigger: ".o_calendar_renderer .fc-col-header-cell.fc-day-wed",
            async run({ anchor }) {
                const column = anchor.getBoundingClientRect();
                const x = column.x + column.width / 2;
                timeRow("10:00:00").scrollIntoView({ behavior: "instant", block: "center" });
                const from = queryRect(timeRow("10:00:00"));
                const to = queryRect(timeRow("10:30:00"));
                const { drop, moveTo } = await drag(timeRow("10:00:00"), {
                    position: { x, y: from.y + 2 },
                });
                await nextFrame();
                await moveTo(timeRow("10:30:00"), { position: { x, y: to.y + 2 } });
                await nextFrame();
                await drop();
                await nextFrame();
            },
        },
        {
            content: "Choose the client",
            trigger: '.modal .o_field_widget[name="booking_partner_id"] input',
            run: `edit ${client}`,
        },
        {
            content: "Pick the client from the list",
            trigger: `.o-autocomplete--dropdown-item:contains("${client}")`,
            run: "click",
        },
        {
            content: "Choose the practitioner",
            trigger: '.modal .o_field_widget[name="user_id"] input',
            run: "edit Tour Practitioner",
        },
        {
            content: "Pick the practitioner from the list",
            trigger: '.o-autocomplete--dropdown-item:contains("Tour Practitioner")',
            run: "click",
        },
        {
            content: "Book",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
    ];
}

tours.add("microneedling_calendar_quick_create_tour", {
    url: "/odoo/microneedling-sessions",
    steps: () => [
        ...quickCreateSteps("Quick Quinn"),
        {
            content: "The session shows in the calendar, with its number and the clearance",
            trigger: 'body:not(:has(.modal)) .o_calendar_renderer .o_event:contains("Quick Quinn"):contains("1/6"):has(.o_mn_clearance:contains("Cleared"))',
        },
    ],
});

tours.add("microneedling_calendar_quick_create_blocked_tour", {
    url: "/odoo/microneedling-sessions",
    steps: () => [
        ...quickCreateSteps("Pregnant Petra"),
        {
            content: "The server refuses, with the reason but not the answer",
            trigger: '.modal:contains("Pregnant Petra cannot have"):contains("rules out treatment"):not(:contains("Pregnancy"))',
        },
        {
            content: "Close the refusal",
            trigger: '.modal:contains("rules out treatment") .modal-footer .btn-primary',
            run: "click",
        },
        {
            content: "Discard the booking",
            trigger: ".modal .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Nothing was booked",
            trigger: 'body:not(:has(.modal)) .o_calendar_renderer:not(:has(.o_event:contains("Pregnant Petra")))',
        },
    ],
});

/** Select next Wednesday 10:00-11:00 and choose the client in the booking dialog. */
function pickSlotAndClient(client) {
    return quickCreateSteps(client).slice(0, 4);
}

tours.add("microneedling_calendar_quick_create_desk_tour", {
    url: "/odoo/microneedling-sessions",
    steps: () => [
        ...pickSlotAndClient("Desk Dora"),
        {
            content: "The dialog says what is booked: a new session, when, for whom, with whom",
            trigger: '.modal .modal-title:contains("New Session")',
        },
        {
            content: "The time picked, without seconds",
            trigger: '.modal .o_field_widget[name="start"] input',
            run({ anchor }) {
                if (!/\b10:00$/.test(anchor.value)) {
                    throw new Error(`the dialog shows "${anchor.value}", not the slot's 10:00`);
                }
            },
        },
        {
            content: "The client's series brings its practitioner",
            trigger: '.modal .o_field_widget[name="user_id"] input:value("Tour Practitioner")',
        },
        {
            content: "Book",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The session is in the calendar",
            trigger: 'body:not(:has(.modal)) .o_calendar_renderer .o_event:contains("Desk Dora")',
        },
    ],
});

tours.add("microneedling_calendar_double_booking_tour", {
    url: "/odoo/microneedling-sessions",
    steps: () => [
        ...quickCreateSteps("Second Sol"),
        {
            content: "The server refuses and names the appointment the practitioner is in",
            trigger: '.modal:contains("Tour Practitioner is busy"):contains("First Fay - session 1/6")',
        },
        {
            content: "Close the refusal",
            trigger: '.modal:contains("is busy") .modal-footer .btn-primary',
            run: "click",
        },
        {
            content: "Discard the booking",
            trigger: ".modal .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Only the first client's session is in the calendar",
            trigger: 'body:not(:has(.modal)) .o_calendar_renderer:not(:has(.o_event:contains("Second Sol")))',
        },
    ],
});
