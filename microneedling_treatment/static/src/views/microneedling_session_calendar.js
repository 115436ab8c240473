import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { CalendarController } from "@web/views/calendar/calendar_controller";
import { CalendarCommonRenderer } from "@web/views/calendar/calendar_common/calendar_common_renderer";
import { CalendarRenderer } from "@web/views/calendar/calendar_renderer";
import { calendarView } from "@web/views/calendar/calendar_view";

/**
 * The generic calendar's quick-create form dialog does not reload the calendar
 * once saved (the Calendar app's attendee view adds that itself), so a session
 * booked from a slot would only show after a refresh. Its title says what is booked.
 */
export class MicroneedlingSessionCalendarController extends CalendarController {
    getQuickCreateFormViewProps(record) {
        return {
            ...super.getQuickCreateFormViewProps(record),
            title: _t("New Session"),
            onRecordSaved: () => this.model.load(),
        };
    }
}

/** Each session box also says the client's clearance, not only its colour. */
export class MicroneedlingSessionCalendarCommonRenderer extends CalendarCommonRenderer {
    static eventTemplate = "microneedling_treatment.SessionCalendarEvent";
}

export class MicroneedlingSessionCalendarRenderer extends CalendarRenderer {
    static components = {
        ...CalendarRenderer.components,
        day: MicroneedlingSessionCalendarCommonRenderer,
        week: MicroneedlingSessionCalendarCommonRenderer,
        month: MicroneedlingSessionCalendarCommonRenderer,
    };
}

registry.category("views").add("microneedling_session_calendar", {
    ...calendarView,
    Controller: MicroneedlingSessionCalendarController,
    Renderer: MicroneedlingSessionCalendarRenderer,
});
