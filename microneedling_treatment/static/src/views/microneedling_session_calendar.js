import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { CalendarController } from "@web/views/calendar/calendar_controller";
import { CalendarCommonRenderer } from "@web/views/calendar/calendar_common/calendar_common_renderer";
import { CalendarModel } from "@web/views/calendar/calendar_model";
import { CalendarRenderer } from "@web/views/calendar/calendar_renderer";
import { calendarView } from "@web/views/calendar/calendar_view";

/** The receptionist's last choice of colours, per browser. */
const COLOR_BY_KEY = "microneedling_session_calendar.color_by";
/** Colour field of each choice: the arch's `color` (the clearance), or the practitioner. */
const PRACTITIONER_COLOR_FIELD = "user_id";

/**
 * The core calendar colours its events by one field. Reception switches between the
 * client's clearance (the arch's `color`, the default) and the practitioner: the
 * practitioners' filters then show the same colours, as a legend. An action can
 * choose with the context key `microneedling_calendar_color_by` ("clearance" or
 * "practitioner"); otherwise the browser remembers the last choice.
 */
export class MicroneedlingSessionCalendarModel extends CalendarModel {
    setup(params, services) {
        super.setup(params, services);
        this.meta.clearanceColorField = this.meta.fieldMapping.color;
        this.colorByChosen = false;
    }

    async load(params = {}) {
        if (!this.colorByChosen) {
            this.colorByChosen = true;
            const fromContext = params.context?.microneedling_calendar_color_by;
            this.applyColorBy(fromContext || browser.localStorage.getItem(COLOR_BY_KEY));
        }
        return super.load(params);
    }

    get colorBy() {
        return this.meta.fieldMapping.color === PRACTITIONER_COLOR_FIELD
            ? "practitioner"
            : "clearance";
    }

    applyColorBy(colorBy) {
        const color =
            colorBy === "practitioner" ? PRACTITIONER_COLOR_FIELD : this.meta.clearanceColorField;
        // A new mapping: the arch's own object is shared with the view's props.
        this.meta.fieldMapping = { ...this.meta.fieldMapping, color };
    }

    async setColorBy(colorBy) {
        browser.localStorage.setItem(COLOR_BY_KEY, colorBy);
        this.applyColorBy(colorBy);
        await this.load();
    }
}

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

/**
 * Each box reads client first ("Clara Client", then "10:00 · 2/6 · Cleared"): the
 * name stays whole at the week view's width, the clearance is said, not only
 * coloured; "session 2/6" and the rest are in the popover.
 */
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
    Model: MicroneedlingSessionCalendarModel,
    Renderer: MicroneedlingSessionCalendarRenderer,
    buttonTemplate: "microneedling_treatment.SessionCalendarButtons",
});
