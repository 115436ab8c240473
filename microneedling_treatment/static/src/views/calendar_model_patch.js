import { patch } from "@web/core/utils/patch";
import { CalendarModel } from "@web/views/calendar/calendar_model";

/**
 * A move or resize the server refuses (a session's contraindication window, say)
 * must not stay drawn where it was dropped: reload what the database holds, then
 * let the error dialog show the reasons. Applies to every calendar, so the
 * Calendar app's events linked to sessions snap back too.
 */
patch(CalendarModel.prototype, {
    async updateRecord(record, options = {}) {
        try {
            return await super.updateRecord(record, options);
        } catch (error) {
            await this.load();
            throw error;
        }
    },
});
