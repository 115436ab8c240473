from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import html

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import NOW, MicroneedlingCase, screen_client

DAY = timedelta(days=1)
FIELDS = [
    "series_id",
    "user_id",
    "company_id",
    "kind",
    "outcome",
    "cohort_date",
    "dropout_date",
    "planned_count",
    "done_count",
    "interval_count",
    "on_cadence_count",
    "late_count",
    "course_days",
    "completed",
    "dropped_out",
    "overdue",
    "completion_rate",
    "dropout_rate",
    "rebooked_count",
    "tune_up_base",
    "tune_up_count",
    "side_effect_count",
]


class ReportHelpers(MicroneedlingCase):
    """Helpers to build series in any company, at any date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.here = cls.env.company

    @classmethod
    def env_for(cls, user, company):
        return cls.env(user=user, context={"allowed_company_ids": [company.id, cls.here.id]})

    @classmethod
    def series(cls, name, practitioner, planned, kind="course", partner=None, company=None):
        company = company or cls.here
        partner = partner or cls.env["res.partner"].create({"name": name, "lang": "en_US"})
        return (
            cls.env_for(cls.user_receptionist, company)["microneedling.series"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "user_id": practitioner.id,
                    "company_id": company.id,
                    "kind": kind,
                    "planned_session_count": planned,
                }
            )
        )

    @classmethod
    def done(cls, series, start):
        """A session that took place at start, recorded that day."""
        user = series.user_id
        env = cls.env_for(user, series.company_id)
        screen_client(env, series.partner_id, when=start - DAY)
        session = env["microneedling.session"].create(
            {"series_id": series.id, "start": start, "state": "done"}
        )
        cls.created(session, start + timedelta(hours=1))
        return session

    @classmethod
    def book_at(cls, series, start):
        screen_client(
            cls.env_for(series.user_id, series.company_id),
            series.partner_id,
            when=fields.Datetime.now() - timedelta(hours=1),
        )
        env = cls.env_for(cls.user_receptionist, series.company_id)
        session = env["microneedling.session"].create({"series_id": series.id, "start": start})
        cls.created(session, NOW)
        return session

    @classmethod
    def created(cls, session, when):
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE microneedling_session SET create_date = %s WHERE id = %s", [when, session.id]
        )
        session.invalidate_recordset(["create_date"])


class ReportCase(ReportHelpers):
    """Series in every situation the report distinguishes, in two companies.

    Company dates are UTC; NOW is 2026-11-20 09:00; overdue after 42 days, 28 days of
    drop-out grace. Concrete classes freeze the time (freezegun binds the frozen
    setUpClass to the decorated class itself). Every session's create_date is set
    explicitly (the database's clock is not frozen): rebooking depends on it only.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Second Spa"})
        cls.user_other = new_test_user(
            cls.env,
            login="mn_practitioner_2",
            groups="microneedling_treatment.group_practitioner",
            name="Pia Practitioner",
            tz="UTC",
            company_ids=[cls.here.id, cls.other.id],
        )
        for user in (cls.user_receptionist, cls.user_practitioner, cls.user_manager):
            user.company_ids = [(4, cls.other.id)]
        cls.sessions = cls.env["microneedling.session"]
        p1, p2 = cls.user_practitioner, cls.user_other

        # A: completed course, 2 intervals (28 days: on cadence, 50 days: late), then a
        # tune-up 60 days later; the 2nd and 3rd visits were booked on the visit before.
        cls.a_d1 = datetime(2026, 6, 1, 9, 0)
        a_d2, a_d3 = cls.a_d1 + 28 * DAY, cls.a_d1 + 78 * DAY
        cls.course_a = cls.series("Anna", p1, 3)
        a1, a2, a3 = (cls.done(cls.course_a, d) for d in (cls.a_d1, a_d2, a_d3))
        cls.created(a2, cls.a_d1 + timedelta(hours=3))
        cls.created(a3, a_d2 + timedelta(hours=14))  # 23:00, still the visit day (UTC)
        cls.tune_up_a = cls.series("Anna", p1, 1, kind="tune_up", partner=cls.course_a.partner_id)
        cls.done(cls.tune_up_a, a_d3 + 60 * DAY)
        a2.with_user(p1).side_effect_ids = cls.env["microneedling.side.effect"].search([], limit=2)

        # B: completed in March with both intervals on cadence (35 and exactly 42 days);
        # six months have passed without a tune-up.
        cls.b_d1 = datetime(2026, 1, 5, 9, 0)
        cls.course_b = cls.series("Bea", p1, 3)
        for d in (cls.b_d1, cls.b_d1 + 35 * DAY, cls.b_d1 + 77 * DAY):
            cls.done(cls.course_b, d)

        # C: on track; its next visit was booked the day of the first.
        cls.course_c = cls.series("Cleo", p1, 6)
        c1 = cls.done(cls.course_c, NOW - 20 * DAY)
        cls.created(cls.book_at(cls.course_c, NOW + 10 * DAY), c1.start + timedelta(hours=6))

        # D: overdue since 12 November, within the grace; its rebooking was cancelled.
        cls.course_d = cls.series("Dora", p1, 6)
        d1 = cls.done(cls.course_d, NOW - 50 * DAY)
        rebooked = cls.book_at(cls.course_d, NOW + 5 * DAY)
        cls.created(rebooked, d1.start + timedelta(hours=2))
        rebooked.with_user(cls.user_receptionist).action_cancel()

        # E: dropped out by time: overdue on 23 September, grace over on 21 October.
        cls.course_e = cls.series("Elsa", p2, 6)
        cls.done(cls.course_e, NOW - 100 * DAY)

        # F: dropped out by cancellation after one done session.
        cls.course_f = cls.series("Fay", p1, 6)
        cls.done(cls.course_f, NOW - 20 * DAY)
        cls.course_f.with_user(cls.user_receptionist).action_cancel()

        # G: cancelled before its first session.
        cls.course_g = cls.series("Gina", p1, 6)
        cls.book_at(cls.course_g, NOW + 3 * DAY)
        cls.course_g.with_user(cls.user_receptionist).action_cancel()

        # H: on track at the second spa, not rebooked on the visit day.
        cls.course_h = cls.series("Hana", p2, 6, company=cls.other)
        h1 = cls.done(cls.course_h, NOW - 20 * DAY)
        cls.created(cls.book_at(cls.course_h, NOW + 10 * DAY), h1.start + 2 * DAY)

        cls.ours = (
            cls.course_a
            | cls.tune_up_a
            | cls.course_b
            | cls.course_c
            | cls.course_d
            | cls.course_e
            | cls.course_f
            | cls.course_g
            | cls.course_h
        )

    def rows(self, user=None, companies=None, domain=None):
        companies = companies or (self.here | self.other)
        Report = self.env["microneedling.series.report"].with_user(user or self.user_manager)
        Report = Report.with_context(allowed_company_ids=companies.ids)
        # Measures depend on the clock and on settings: never read them from the cache.
        Report.invalidate_model()
        records = Report.search([("series_id", "in", self.ours.ids)] + (domain or []))
        return {row["series_id"][0]: row for row in records.read(FIELDS)}


@freeze_time(NOW)
class TestSeriesReport(ReportCase):
    def assertRow(self, series, **expected):
        row = self.rows()[series.id]
        self.assertEqual({key: row[key] for key in expected}, expected, series.partner_id.name)

    def test_completed_course_with_late_interval_and_tune_up(self):
        self.assertEqual(self.course_a.state, "done")
        self.assertRow(
            self.course_a,
            outcome="completed",
            cohort_date=self.a_d1.date(),
            planned_count=3,
            done_count=3,
            interval_count=2,
            on_cadence_count=1,
            late_count=1,
            course_days=78,
            completed=1,
            dropped_out=0,
            overdue=0,
            completion_rate=100.0,
            dropout_rate=0.0,
            rebooked_count=2,
            tune_up_base=1,
            tune_up_count=1,
            side_effect_count=2,
        )
        self.assertRow(
            self.tune_up_a, kind="tune_up", outcome="completed", done_count=1, tune_up_base=0
        )

    def test_completed_course_on_cadence_without_tune_up(self):
        # 42 days is still on cadence (the overdue date itself is not late).
        self.assertRow(
            self.course_b,
            outcome="completed",
            cohort_date=self.b_d1.date(),
            interval_count=2,
            on_cadence_count=2,
            late_count=0,
            course_days=77,
            rebooked_count=0,
            tune_up_base=1,
            tune_up_count=0,
        )

    def test_recent_completion_is_not_yet_due_a_tune_up(self):
        with freeze_time(self.b_d1 + 77 * DAY + 100 * DAY):
            row = self.rows()[self.course_b.id]
        self.assertEqual((row["tune_up_base"], row["tune_up_count"]), (0, 0))

    def test_in_progress_situations(self):
        self.assertRow(
            self.course_c,
            outcome="on_track",
            cohort_date=(NOW - 20 * DAY).date(),
            overdue=0,
            dropped_out=0,
            rebooked_count=1,
            course_days=0,
        )
        # The visit was rebooked the same day, but the booking was cancelled later.
        self.assertTrue(self.course_d.is_overdue)
        self.assertRow(self.course_d, outcome="overdue", overdue=1, dropped_out=0, rebooked_count=0)
        self.assertRow(
            self.course_e,
            outcome="dropped_out",
            overdue=0,
            dropped_out=1,
            dropout_rate=100.0,
            dropout_date=NOW - 100 * DAY + 42 * DAY + 28 * DAY,
        )
        self.assertRow(
            self.course_f, outcome="dropped_out", dropped_out=1, dropout_date=NOW, done_count=1
        )
        self.assertRow(
            self.course_g, outcome="cancelled", dropped_out=0, completed=0, cohort_date=False
        )

    def test_grace_is_a_company_setting(self):
        self.here.microneedling_dropout_grace_days = 60
        self.assertRow(self.course_e, outcome="overdue", overdue=1, dropped_out=0)
        self.here.microneedling_dropout_grace_days = 28
        with freeze_time(NOW - 100 * DAY + 70 * DAY - timedelta(minutes=1)):
            self.assertEqual(self.rows()[self.course_e.id]["outcome"], "overdue")
        with freeze_time(NOW - 100 * DAY + 70 * DAY + timedelta(minutes=1)):
            self.assertEqual(self.rows()[self.course_e.id]["outcome"], "dropped_out")

    def test_overdue_matches_series_is_overdue(self):
        rows = self.rows()
        for series in self.ours:
            row = rows[series.id]
            # A series dropped out by time is still open, hence overdue on the series.
            expected = row["overdue"] == 1 or (
                row["outcome"] == "dropped_out" and series.state == "in_progress"
            )
            self.assertEqual(expected, series.is_overdue, series.partner_id.name)

    def test_pivot_by_practitioner_and_cohort_month(self):
        Report = (
            self.env["microneedling.series.report"]
            .with_user(self.user_manager)
            .with_context(allowed_company_ids=(self.here | self.other).ids)
        )
        groups = Report.read_group(
            [("series_id", "in", self.ours.ids), ("kind", "=", "course")],
            [
                "completion_rate:avg",
                "dropout_rate:avg",
                "interval_count:sum",
                "on_cadence_count:sum",
                "rebooked_count:sum",
                "done_count:sum",
            ],
            ["user_id", "cohort_date:month"],
            lazy=False,
        )
        got = {
            (g["user_id"][0], g["cohort_date:month"]): (
                g["__count"],
                round(g["completion_rate"], 2),
                round(g["dropout_rate"], 2),
            )
            for g in groups
        }
        p1, p2 = self.user_practitioner.id, self.user_other.id
        self.assertEqual(
            got,
            {
                (p1, "January 2026"): (1, 100.0, 0.0),
                (p1, "June 2026"): (1, 100.0, 0.0),
                # C on track, D overdue, F dropped out: a third dropped out.
                (p1, "October 2026"): (3, 0.0, 33.33),
                (p1, False): (1, 0.0, 0.0),
                (p2, "August 2026"): (1, 0.0, 100.0),
                (p2, "October 2026"): (1, 0.0, 0.0),
            },
        )
        # Session-weighted rates are ratios of sums: P1 had 4 intervals, 3 on cadence,
        # and 3 of 9 visits rebooked.
        totals = Report.read_group(
            [("series_id", "in", self.ours.ids), ("kind", "=", "course")],
            ["interval_count:sum", "on_cadence_count:sum", "rebooked_count:sum", "done_count:sum"],
            ["user_id"],
        )
        p1_total = next(g for g in totals if g["user_id"][0] == p1)
        self.assertEqual(
            (
                p1_total["on_cadence_count"],
                p1_total["interval_count"],
                p1_total["rebooked_count"],
                p1_total["done_count"],
            ),
            (3, 4, 3, 9),
        )

    def test_per_company(self):
        only_here = self.rows(companies=self.here)
        self.assertNotIn(self.course_h.id, only_here)
        self.assertIn(self.course_e.id, only_here)
        only_other = self.rows(companies=self.other)
        self.assertEqual(set(only_other), {self.course_h.id})
        self.assertEqual(only_other[self.course_h.id]["outcome"], "on_track")
        self.assertEqual(only_other[self.course_h.id]["rebooked_count"], 0)

    def test_skin_goal_grouping(self):
        goal = self.env["microneedling.skin.goal"].search([], limit=1)
        (self.course_a | self.course_e).skin_goal_ids = goal
        groups = (
            self.env["microneedling.series.report"]
            .with_user(self.user_manager)
            .read_group(
                [("series_id", "in", self.ours.ids)], ["dropout_rate:avg"], ["skin_goal_ids"]
            )
        )
        by_goal = {g["skin_goal_ids"] and g["skin_goal_ids"][0]: g for g in groups}
        self.assertEqual(by_goal[goal.id]["skin_goal_ids_count"], 2)
        self.assertEqual(by_goal[goal.id]["dropout_rate"], 50.0)


@freeze_time(NOW)
class TestSeriesReportAccess(ReportCase):
    def test_practitioners_see_their_own_series(self):
        self.assertEqual(
            set(self.rows(user=self.user_practitioner)),
            set((self.ours - self.course_e - self.course_h).ids),
        )
        self.assertEqual(set(self.rows(user=self.user_other)), {self.course_e.id, self.course_h.id})
        self.assertEqual(set(self.rows(user=self.user_manager)), set(self.ours.ids))

    def test_receptionists_see_no_report(self):
        Report = self.env["microneedling.series.report"].with_user(self.user_receptionist)
        with self.assertRaisesRegex(AccessError, "not allowed to access"):
            Report.search([])
        Report = self.env["microneedling.series.report"].with_user(self.user_employee)
        with self.assertRaisesRegex(AccessError, "not allowed to access"):
            Report.read_group([], ["done_count:sum"], ["user_id"])
        menu = self.env.ref("microneedling_treatment.menu_reporting")
        visible = self.env["ir.ui.menu"].with_user(self.user_receptionist)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        visible = self.env["ir.ui.menu"].with_user(self.user_manager)._visible_menu_ids()
        self.assertIn(menu.id, visible)

    def test_side_effects_are_clinical_only(self):
        field = self.env["microneedling.series.report"]._fields["side_effect_count"]
        self.assertEqual(field.groups, "microneedling_treatment.group_practitioner")
        self.assertEqual(
            self.rows(user=self.user_practitioner)[self.course_a.id]["side_effect_count"], 2
        )

    def test_no_health_data_in_the_report(self):
        health = {
            "microneedling.intake",
            "microneedling.intake.answer",
            "microneedling.contraindication",
        }
        Report = self.env["microneedling.series.report"]
        linked = {f.comodel_name for f in Report._fields.values() if f.relational}
        self.assertFalse(linked & health)
        self.assertFalse({"answer", "intake_id", "answer_ids"} & set(Report._fields))


@freeze_time(NOW)
class TestWeeklySummary(ReportHelpers):
    """The Monday summary of the week 9-15 November 2026, in a company of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        third = cls.env["res.company"].create({"name": "Third Spa"})
        for user in (cls.user_receptionist, cls.user_practitioner):
            user.company_ids = [(4, third.id)]
        cls.managers = {
            lang: new_test_user(
                cls.env,
                login=f"mn_manager_{lang}",
                groups="microneedling_treatment.group_manager",
                name=f"Manager {lang}",
                email=f"manager.{lang}@example.com",
                lang=lang,
                tz="UTC",
                company_id=third.id,
                company_ids=[third.id],
            )
            for lang in ("en_US", "fr_FR")
        }
        p = cls.user_practitioner
        with freeze_time(datetime(2026, 11, 12, 10, 0)):
            # K: overdue since Thursday 12 November (last session 1 October).
            cls.kim = cls.series("Kim", p, 6, company=third)
            cls.done(cls.kim, datetime(2026, 10, 1, 9, 0))
            # L: started the previous week, next visit booked two days later.
            lou = cls.series("Lou", p, 6, company=third)
            cls.done(lou, datetime(2026, 11, 3, 9, 0))
            cls.created(cls.book_at(lou, datetime(2026, 12, 2, 9, 0)), datetime(2026, 11, 5, 9, 0))
            # M: cancelled this week after a done session: dropped out.
            mia = cls.series("Mia", p, 6, company=third)
            cls.done(mia, datetime(2026, 10, 20, 9, 0))
            mia.with_user(cls.user_receptionist).with_context(
                allowed_company_ids=[third.id]
            ).action_cancel()
            # N: completed this week, not rebooked.
            nora = cls.series("Nora", p, 3, company=third)
            for start in (
                datetime(2026, 9, 1, 9),
                datetime(2026, 10, 1, 9),
                datetime(2026, 11, 11, 9),
            ):
                cls.done(nora, start)
            # I: started this week and rebooked before leaving.
            ivy = cls.series("Ivy", p, 6, company=third)
            cls.done(ivy, datetime(2026, 11, 10, 10, 0))
            cls.created(
                cls.book_at(ivy, datetime(2026, 12, 9, 10, 0)), datetime(2026, 11, 10, 15, 0)
            )
        template = cls.env.ref("microneedling_treatment.mail_template_weekly_summary")
        # The lead ships the French catalog; the test gives the template its own.
        template.with_context(lang="fr_FR").write(
            {
                "subject": "Votre semaine de microneedling : "
                "{{ ctx.get('summary', {}).get('week_from', '') }}",
                "body_html": template.body_html.replace(
                    "Here is your microneedling week", "Voici votre semaine de microneedling"
                ).replace("Series that became overdue this week", "Séries passées en retard"),
            }
        )

    def send(self):
        Mail = self.env["mail.mail"]
        before = Mail.search([])
        with freeze_time(datetime(2026, 11, 16, 6, 0)):  # Monday morning
            self.env["microneedling.series.report"]._cron_send_weekly_summary()
        mails = Mail.search([]) - before
        return {
            lang: mails.filtered(lambda m, u=user: u.partner_id in m.recipient_ids)
            for lang, user in self.managers.items()
        }

    @staticmethod
    def table(body):
        tree = html.fromstring(body)
        return [
            [cell.text_content().strip() for cell in row.xpath("./td|./th")]
            for row in tree.xpath("//table//tr")
        ]

    def test_summary_in_each_managers_language(self):
        mails = self.send()
        self.assertEqual(len(mails["en_US"]), 1)
        self.assertEqual(len(mails["fr_FR"]), 1)
        english, french = mails["en_US"].body_html, mails["fr_FR"].body_html
        up, down = "\u25b2", "\u25bc"
        self.assertEqual(
            self.table(english),
            [
                ["Figure", "This week", "Previous week", ""],
                ["Sessions done", "2", "1", up],
                ["Courses started", "1", "1", "="],
                ["Courses completed", "1", "0", up],
                ["Courses dropped out", "1", "0", up],
                ["Series that became overdue", "1", "0", up],
                ["Rebooking rate", "50.0 %", "0.0 %", up],
            ],
        )
        self.assertNotIn(down, english)
        self.assertIn("from 11/09/2026 to 11/15/2026", english)
        self.assertIn(
            f"{self.kim.name}: Kim, Paula Practitioner, overdue since 11/12/2026", english
        )
        self.assertIn(
            "Active courses now: <strong>3</strong>; overdue now: <strong>1</strong>", english
        )
        self.assertIn("Your microneedling week: 11/09/2026", mails["en_US"].subject)
        # A worse figure is red, a better one green.
        self.assertIn("color: #dc3545", english)
        self.assertIn("color: #00a04a", english)
        # French: its own text, numbers and dates in the French format.
        self.assertIn("Voici votre semaine de microneedling", french)
        self.assertIn("Séries passées en retard", french)
        self.assertIn("Votre semaine de microneedling : 09/11/2026", mails["fr_FR"].subject)
        rows = self.table(french)
        self.assertEqual(rows[6][1:], ["50,0 %", "0,0 %", up])
        self.assertEqual([row[1] for row in rows[1:6]], ["2", "1", "1", "1", "1"])
        self.assertIn("overdue since 12/11/2026", french)
        self.assertNotIn("Voici", english)

    def test_summary_covers_the_managers_companies_only(self):
        mails = self.send()
        own = self.env["mail.mail"].search(
            [("recipient_ids", "in", self.user_manager.partner_id.ids)]
        )
        self.assertEqual(len(mails["en_US"]), 1)
        # The main company's manager does not see the Third Spa's overdue series.
        self.assertTrue(own)
        self.assertNotIn(self.kim.name, own[-1:].body_html)
