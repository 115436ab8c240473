from datetime import datetime, timedelta

import pytz
from freezegun import freeze_time

from odoo.exceptions import ValidationError

from odoo.addons.microneedling_treatment.tools import quiet_hours

from .common import NOW
from .test_aftercare import AftercareCase
from .test_protocol_audit import migration

# NOW is 09:00 UTC on Friday 20 November 2026: 04:00 in New York (EST, UTC-5), 10:00 in
# Berlin (CET, UTC+1). With the default quiet hours (21:00-08:00, the client's time):
NEW_YORK_MORNING = datetime(2026, 11, 20, 13, 0)  # 08:00 EST
BERLIN_MORNING = datetime(2026, 11, 21, 7, 0)  # 08:00 CET, the next day


class TestQuietHoursArithmetic(AftercareCase):
    """The pure rule: the first moment at or after a time outside the quiet hours."""

    def after(self, when, zone, start=21 * 60, end=8 * 60):
        return quiet_hours.after_quiet_hours(when, pytz.timezone(zone), start, end)

    def test_around_midnight_in_two_time_zones(self):
        berlin, new_york = "Europe/Berlin", "America/New_York"
        new_york_morning = datetime(2026, 11, 21, 13, 0)  # 08:00 EST
        cases = [
            # (UTC time, zone, expected UTC send time); the comment is the local time.
            (datetime(2026, 11, 20, 19, 59), berlin, datetime(2026, 11, 20, 19, 59)),  # 20:59
            (datetime(2026, 11, 20, 20, 0), berlin, BERLIN_MORNING),  # 21:00
            (datetime(2026, 11, 20, 22, 59), berlin, BERLIN_MORNING),  # 23:59
            (datetime(2026, 11, 20, 23, 1), berlin, BERLIN_MORNING),  # 00:01
            (datetime(2026, 11, 21, 6, 59), berlin, BERLIN_MORNING),  # 07:59
            (datetime(2026, 11, 21, 7, 0), berlin, BERLIN_MORNING),  # 08:00
            (datetime(2026, 11, 21, 1, 59), new_york, datetime(2026, 11, 21, 1, 59)),  # 20:59
            (datetime(2026, 11, 21, 2, 0), new_york, new_york_morning),  # 21:00
            (datetime(2026, 11, 21, 4, 59), new_york, new_york_morning),  # 23:59
            (datetime(2026, 11, 21, 5, 1), new_york, new_york_morning),  # 00:01
            (datetime(2026, 11, 21, 12, 59), new_york, new_york_morning),  # 07:59
            (new_york_morning, new_york, new_york_morning),  # 08:00
        ]
        for when, zone, expected in cases:
            self.assertEqual(self.after(when, zone), expected, f"{when} in {zone}")

    def test_daylight_saving_time_ends_during_the_night(self):
        """New York falls back on 1 November 2026: the morning is 08:00 EST, not EDT."""
        # 23:30 EDT on 31 October.
        when = datetime(2026, 11, 1, 3, 30)
        self.assertEqual(self.after(when, "America/New_York"), datetime(2026, 11, 1, 13, 0))
        # Berlin springs forward on 29 March 2026: 08:00 CEST is 06:00 UTC.
        when = datetime(2026, 3, 28, 22, 0)  # 23:00 CET
        self.assertEqual(self.after(when, "Europe/Berlin"), datetime(2026, 3, 29, 6, 0))

    def test_daytime_quiet_hours_and_none(self):
        lunch = (12 * 60, 13 * 60 + 30)
        self.assertEqual(
            self.after(datetime(2026, 11, 20, 12, 10), "UTC", *lunch),
            datetime(2026, 11, 20, 13, 30),
        )
        self.assertEqual(
            self.after(datetime(2026, 11, 20, 23, 0), "UTC", *lunch),
            datetime(2026, 11, 20, 23, 0),
        )
        # The same start and end: no quiet hours.
        self.assertEqual(
            self.after(datetime(2026, 11, 20, 23, 0), "UTC", 0, 0), datetime(2026, 11, 20, 23, 0)
        )


@freeze_time(NOW)
class TestQuietHoursAftercare(AftercareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.new_yorker = cls.env["res.partner"].create(
            {"name": "Nina New York", "email": "nina@example.com", "tz": "America/New_York"}
        )
        cls.berliner = cls.env["res.partner"].create(
            {"name": "Bruno Berlin", "email": "bruno@example.com", "tz": "Europe/Berlin"}
        )

    def test_planned_send_time_is_the_clients_morning(self):
        """Done at the same instant: 04:00 in New York, 10:00 in Berlin."""
        new_york = self.done_session(self.new_yorker)
        berlin = self.done_session(self.berliner)
        immediate, twelve = "aftercare_step_immediate", "aftercare_step_12h"
        self.assertEqual(self.lines(new_york, immediate).scheduled_date, NOW)
        self.assertEqual(self.lines(new_york, immediate).send_date, NEW_YORK_MORNING)
        self.assertEqual(self.lines(berlin, immediate).send_date, NOW)
        # +12 h, 21:00 UTC: 16:00 in New York, 22:00 in Berlin.
        self.assertEqual(self.lines(new_york, twelve).send_date, NOW + timedelta(hours=12))
        self.assertEqual(self.lines(berlin, twelve).send_date, BERLIN_MORNING)
        self.run_cron()
        self.assertEqual(len(self.client_messages(berlin)), 1)
        self.assertFalse(self.client_messages(new_york))
        with freeze_time(NEW_YORK_MORNING - timedelta(minutes=1)):
            self.run_cron()
        self.assertFalse(self.client_messages(new_york))
        with freeze_time(NEW_YORK_MORNING):
            self.run_cron()
        self.assertEqual(len(self.client_messages(new_york)), 1)
        self.assertEqual(self.lines(new_york, immediate).state, "done")
        with freeze_time(NOW + timedelta(hours=12)):
            self.run_cron()
        self.assertEqual(len(self.client_messages(new_york)), 2)
        self.assertEqual(len(self.client_messages(berlin)), 1)
        self.assertEqual(self.lines(berlin, twelve).state, "pending")

    def test_freeze_around_midnight_in_berlin(self):
        """Done at 23:30 in Berlin: nothing goes out before 08:00 there."""
        done_at = datetime(2026, 11, 20, 22, 30)
        with freeze_time(done_at):
            session = self.done_session(self.berliner, start=done_at - timedelta(hours=1))
        line = self.lines(session, "aftercare_step_immediate")
        self.assertEqual(line.send_date, BERLIN_MORNING)
        # 23:31, 00:00, 00:01 and 07:59 in Berlin.
        for minute in (
            datetime(2026, 11, 20, 22, 31),
            datetime(2026, 11, 20, 23, 0),
            datetime(2026, 11, 20, 23, 1),
            datetime(2026, 11, 21, 6, 59),
        ):
            with freeze_time(minute):
                self.run_cron()
            self.assertEqual(line.state, "pending", minute)
        self.assertFalse(self.client_messages(session))
        with freeze_time(BERLIN_MORNING):
            self.run_cron()
        self.assertEqual(line.state, "done")
        self.assertEqual(len(self.client_messages(session)), 1)

    def test_staff_activities_are_planned_at_night_as_due(self):
        done_at = datetime(2026, 11, 20, 22, 30)  # 23:30 in Berlin
        with freeze_time(done_at):
            session = self.done_session(self.berliner, start=done_at - timedelta(hours=1))
        checkin = self.lines(session, "aftercare_step_checkin")
        self.assertEqual(checkin.state, "planned")
        self.assertEqual(checkin.scheduled_date, done_at + timedelta(days=1))
        self.assertEqual(checkin.send_date, checkin.scheduled_date)
        self.assertEqual(checkin.activity_id.date_deadline, checkin.scheduled_date.date())

    def test_sms_waits_with_its_email(self):
        self.env.company.microneedling_sms_enabled = True
        self.new_yorker.mobile = "+1 212 555 0100"
        session = self.done_session(self.new_yorker)
        Sms = self.env["sms.sms"].sudo()
        self.run_cron()
        self.assertFalse(Sms.search([("partner_id", "=", self.new_yorker.id)]))
        with freeze_time(NEW_YORK_MORNING):
            self.run_cron()
        self.assertEqual(len(Sms.search([("partner_id", "=", self.new_yorker.id)])), 1)
        self.assertEqual(len(self.client_messages(session)), 1)

    def test_checked_again_when_sent(self):
        """A pause lifted at night: the messages it held wait for the morning."""
        self.env.company.microneedling_aftercare_paused = True
        session = self.done_session(self.berliner)
        line = self.lines(session, "aftercare_step_immediate")
        self.assertEqual(line.send_date, NOW)
        night = datetime(2026, 11, 20, 21, 30)  # 22:30 in Berlin
        with freeze_time(night):
            self.env.company.microneedling_aftercare_paused = False
            self.run_cron()
        self.assertEqual(line.state, "pending")
        self.assertEqual(line.send_date, BERLIN_MORNING)
        self.assertFalse(self.client_messages(session))
        with freeze_time(BERLIN_MORNING):
            self.run_cron()
        self.assertEqual(line.state, "done")

    def test_client_time_zone_then_company_then_utc(self):
        nameless = self.env["res.partner"].create({"name": "Zoe Zoneless", "email": "z@ex.com"})
        self.assertFalse(nameless.tz)
        self.env.company.partner_id.tz = False
        session = self.done_session(nameless)
        twelve = self.lines(session, "aftercare_step_12h")  # 21:00 UTC
        self.assertEqual(twelve.send_date, datetime(2026, 11, 21, 8, 0))
        # The company's time zone moves the waiting messages of clients without one.
        self.env.company.partner_id.tz = "America/New_York"
        self.assertEqual(twelve.send_date, NOW + timedelta(hours=12))  # 16:00 EST
        # The client's own zone comes first, and moves their waiting messages.
        nameless.tz = "Europe/Berlin"
        self.assertEqual(twelve.send_date, BERLIN_MORNING)
        done = self.lines(session, "aftercare_step_immediate")
        self.run_cron()
        self.assertEqual(done.state, "done")
        nameless.tz = "America/New_York"
        self.assertEqual(done.send_date, NOW, "what was sent keeps its time")
        self.assertEqual(twelve.send_date, NOW + timedelta(hours=12))

    def test_settings_change_the_hours_and_move_waiting_messages(self):
        session = self.done_session(self.berliner)
        twelve = self.lines(session, "aftercare_step_12h")  # 22:00 in Berlin
        self.assertEqual(twelve.send_date, BERLIN_MORNING)
        settings = self.env["res.config.settings"].create(
            {"microneedling_quiet_start": 22.5, "microneedling_quiet_end": 7.25}
        )
        settings.execute()
        company = self.env.company
        self.assertEqual(
            (company.microneedling_quiet_start, company.microneedling_quiet_end), (22.5, 7.25)
        )
        self.assertEqual(twelve.send_date, twelve.scheduled_date)
        # No quiet hours at all: the same start and end.
        company.write({"microneedling_quiet_start": 7.0, "microneedling_quiet_end": 7.0})
        night = self.lines(self.done_session(self.new_yorker), "aftercare_step_immediate")
        self.assertEqual(night.send_date, NOW)  # 04:00 in New York

    def test_hours_must_be_a_time_of_day(self):
        company = self.env.company
        for value in (-1.0, 24.0, 30.0):
            with self.assertRaisesRegex(
                ValidationError, r"Quiet Hours (From|Until) is .* Enter a time from 00:00 to 23:59"
            ):
                company.write({"microneedling_quiet_start": value})
        self.assertEqual(company.microneedling_quiet_start, 21.0)

    def test_settings_form_shows_the_quiet_hours(self):
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        self.assertIn('name="microneedling_quiet_start" widget="float_time"', arch)
        self.assertIn('name="microneedling_quiet_end" widget="float_time"', arch)

    def test_upgrade_plans_the_waiting_messages_around_the_night(self):
        """18.0.1.1.0 had no send time: what ran keeps its due time, what waits moves."""
        session = self.done_session(self.berliner)
        self.run_cron()
        sent = self.lines(session, "aftercare_step_immediate")
        waiting = self.lines(session, "aftercare_step_12h")  # 22:00 in Berlin
        self.assertEqual(sent.state, "done")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE microneedling_aftercare_schedule SET send_date = NULL, "
            "scheduled_date = scheduled_date - interval '12 hours' WHERE id = %s",
            [sent.id],
        )
        self.env.cr.execute(
            "UPDATE microneedling_aftercare_schedule SET send_date = NULL WHERE session_id = %s",
            [session.id],
        )
        # An upgrade starts from the database, with nothing in the cache.
        self.env.invalidate_all()
        migration("18.0.1.2.0", "pre").migrate(self.env.cr, "18.0.1.1.0")
        migration("18.0.1.2.0", "post").migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(sent.send_date, NOW - timedelta(hours=12), "21:00 in Berlin, sent")
        self.assertEqual(waiting.send_date, BERLIN_MORNING)
        self.assertFalse(session.aftercare_schedule_ids.filtered(lambda line: not line.send_date))
