import { registry } from "@web/core/registry";
import { CalendarController } from "@web/views/calendar/calendar_controller";
import { calendarView } from "@web/views/calendar/calendar_view";

/**
 * The generic calendar's quick-create form dialog does not reload the calendar
 * once saved (the Calendar app's attendee view adds that itself), so a session
 * booked from a slot would only show after a refresh.
 */
export class MicroneedlingSessionCalendarController extends CalendarController {
    getQuickCreateFormViewProps(record) {
        return {
            ...super.getQuickCreateFormViewProps(record),
            onRecordSaved: () => this.model.load(),
        };
    }
}

registry.category("views").add("microneedling_session_calendar", {
    ...calendarView,
    Controller: MicroneedlingSessionCalendarController,
});
