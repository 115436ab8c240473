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
