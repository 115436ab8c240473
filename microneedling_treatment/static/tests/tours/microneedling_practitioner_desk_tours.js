import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("microneedling_side_effect_follow_up_tour", {
    steps: () => [
        {
            content: "Mark the day-7 side-effect follow-up done",
            trigger: '.o-mail-Activity:contains("Side-effect") .o-mail-Activity-markDone',
            run: "click",
        },
        {
            content: "The side-effect form shows what the session already records",
            trigger: '.modal div[name="side_effect_ids"] input:checked',
        },
        {
            content: "Tick the side effect the client reports",
            trigger: '.modal div[name="side_effect_ids"] label:contains("Milia")',
            run: "click",
        },
        {
            content: "Note what the client says",
            trigger: '.modal div[name="note"] textarea',
            run: "edit Tiny white bumps on the chin",
        },
        {
            content: "Save and mark the follow-up done",
            trigger: '.modal button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "The chatter says the follow-up was done",
            trigger: '.o-mail-Message:contains("Side-effect Follow-up")',
        },
        {
            content: "The follow-up is no longer planned",
            trigger: 'body:not(:has(.modal)):not(:has(.o-mail-Activity:contains("Side-effect")))',
        },
        {
            content: "The session's clinical record shows the side effect",
            trigger: '.o_notebook a.nav-link:contains("Clinical Record")',
            run: "click",
        },
        {
            content: "Milia is on the session",
            trigger: '.o_field_widget[name="side_effect_ids"] .o_tag:contains("Milia")',
        },
    ],
});

registry.category("web_tour.tours").add("microneedling_submitted_screening_tour", {
    steps: () => [
        {
            content: "A submitted screening shows its consent as text, not as a checkbox to tick",
            trigger:
                '.o_form_view .o_field_widget[name="consent_given"] input:disabled',
        },
        {
            content: "The medications are text, not a box to type in",
            trigger: '.o_notebook:has(a.nav-link.active:contains("Medications")):not(:has(div[name="medications"] textarea))',
        },
        {
            content: "Open the answers",
            trigger: '.o_notebook a.nav-link:contains("Answers")',
            run: "click",
        },
        {
            content: "No answer can be edited or added",
            trigger:
                '.o_field_widget[name="answer_ids"]:not(:has(.o_field_x2many_list_row_add)) .o_list_renderer:not(.o_list_renderer_editable, :has(.o_selected_row))',
        },
        {
            content: "Click an answer: nothing opens for editing",
            trigger: '.o_field_widget[name="answer_ids"] .o_data_row:contains("Weak immune") td[name="answer"]',
            run: "click",
        },
        {
            content: "The row stays read-only",
            trigger: '.o_field_widget[name="answer_ids"]:not(:has(.o_selected_row))',
        },
        {
            content: "A review answer can still be cleared",
            trigger:
                '.o_field_widget[name="answer_ids"] .o_data_row:contains("Weak immune") button[name="action_open_clearance_wizard"]',
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: '.modal div[name="reason"] textarea',
            run: "edit GP letter: immune system fine",
        },
        {
            content: "Clear",
            trigger: '.modal button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "The Clear button is gone: the answer is cleared",
            trigger:
                'body:not(:has(.modal)) .o_field_widget[name="answer_ids"] .o_data_row:contains("Weak immune"):not(:has(button[name="action_open_clearance_wizard"]))',
        },
    ],
});
