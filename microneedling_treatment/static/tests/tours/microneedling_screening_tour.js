import { registry } from "@web/core/registry";

const WAXING = '.o_mn_screening_item:contains("waxed")';

registry.category("web_tour.tours").add("microneedling_screening_public_tour", {
    steps: () => [
        {
            content: "The clinic's page greets the client with the appointment",
            trigger: '.o_mn_screening_clinic:contains("Calyx Test Clinic")',
        },
        {
            content: "The visit's time is shown",
            trigger: ".o_mn_screening_visit",
        },
        {
            content: "Answer no to every question",
            trigger: ".o_mn_screening_form",
            run() {
                for (const label of document.querySelectorAll('label[for^="mn_no_"]')) {
                    label.click();
                }
            },
        },
        {
            content: "Waxed three weeks ago: yes",
            trigger: `${WAXING} label:contains("Yes")`,
            run: "click",
        },
        {
            content: "When (a phone's date picker sets the value)",
            trigger: `${WAXING} input[type="date"]`,
            run() {
                this.anchor.value = "2020-01-15";
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Medications",
            trigger: 'textarea[name="medications"]',
            run: "edit Vitamin D",
        },
        {
            content: "Consent",
            trigger: 'input[name="consent"]',
            run: "click",
        },
        {
            content: "Full name",
            trigger: 'input[name="full_name"]',
            run: "edit Clara Client",
        },
        {
            content: "Sign with a finger",
            trigger: ".o_mn_signature_pad",
            run() {
                const pad = this.anchor;
                const rect = pad.getBoundingClientRect();
                const fire = (type, x, y) =>
                    pad.dispatchEvent(
                        new PointerEvent(type, {
                            clientX: rect.left + x,
                            clientY: rect.top + y,
                            bubbles: true,
                        })
                    );
                fire("pointerdown", 10, 20);
                fire("pointermove", 60, 60);
                fire("pointermove", 120, 30);
                fire("pointerup", 120, 30);
            },
        },
        {
            content: "Send the answers",
            trigger: ".o_mn_screening_submit",
            run: "click",
        },
        {
            content: "Thank you page",
            trigger: '.o_mn_screening_thanks:contains("Thank you, Clara.")',
        },
    ],
});
