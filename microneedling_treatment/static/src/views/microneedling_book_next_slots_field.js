import { useEffect } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { X2ManyField, x2ManyField } from "@web/views/fields/x2many/x2many_field";

/**
 * Book Next's offered slots, in time order also after a change of preference: the
 * form's onchange keeps the slots offered before where they were and appends the
 * new ones, and a list only applies its `default_order` when it loads.
 */
export class MicroneedlingBookNextSlotsField extends X2ManyField {
    setup() {
        super.setup();
        useEffect(
            () => {
                const list = this.list;
                const starts = list.records.map((record) => record.data.start);
                if (starts.some((start, index) => index && start < starts[index - 1])) {
                    list.model.mutex.exec(() => list._sort());
                }
            },
            () => [this.list.currentIds.join()]
        );
    }
}

registry.category("fields").add("microneedling_book_next_slots", {
    ...x2ManyField,
    component: MicroneedlingBookNextSlotsField,
});
