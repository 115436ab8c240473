import ast
from collections import Counter
from datetime import datetime, time, timedelta

import pytz
from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tests import Form

from .common import NOW, MicroneedlingCase

CLEARANCE_FILTERS = {
    "cleared": "filter_clearance_cleared",
    "review": "filter_clearance_review",
    "blocked": "filter_clearance_blocked",
    "no_screening": "filter_clearance_no_screening",
}


@freeze_time(NOW)
class TestClientsMenu(MicroneedlingCase):
    """Microneedling > Clients: treatment clients, found by their clearance."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.cleared = Partner.create({"name": "Cleo Cleared"})
        cls.screen(cls.cleared)
        cls.review = Partner.create({"name": "Rowan Review"})
        cls.screen(cls.review, {"herpes_prone": True})
        cls.absolute = Partner.create({"name": "Abby Absolute"})
        cls.screen(cls.absolute, {"pregnancy_nursing": True})
        # Blocked by a time window that ends in two days: cleared after that.
        cls.item("retinol_exfoliants").window_hours = 72
        cls.window = Partner.create({"name": "Wanda Window"})
        cls.screen(cls.window, {"retinol_exfoliants": NOW - timedelta(days=1)})
        # A series, no screening yet.
        cls.unscreened = Partner.create({"name": "Nico Noscreen"})
        cls.make_series(cls.unscreened)
        # Only a draft screening: a treatment client, still without a screening.
        cls.drafted = Partner.create({"name": "Dora Draft"})
        cls.env["microneedling.intake"].with_user(cls.user_practitioner).create(
            {"partner_id": cls.drafted.id}
        )
        cls.contact = Partner.create({"name": "Carl Contact"})
        cls.ours = (
            cls.cleared
            | cls.review
            | cls.absolute
            | cls.window
            | cls.unscreened
            | cls.drafted
            | cls.contact
        )

    def _action_domain(self, filter_names, user=None):
        """What the Clients action lists with these filters of its search view on
        (a tuple of names: filters of one group, which the web client joins with "or"),
        restricted to this test's partners (the database has demo contacts too)."""
        user = user or self.user_receptionist
        action = self.env.ref("microneedling_treatment.res_partner_action_microneedling_client")
        Partner = self.env["res.partner"].with_user(user)
        arch = Partner.get_views([(action.search_view_id.id, "search")])["views"]["search"]["arch"]
        filters = {node.get("name"): node for node in etree.fromstring(arch).iter("filter")}
        domain = list(ast.literal_eval(action.domain))
        for names in filter_names:
            names = names if isinstance(names, tuple) else (names,)
            domain += expression.OR(
                [ast.literal_eval(filters[name].get("domain")) for name in names]
            )
        return Partner.search(domain + [("id", "in", self.ours.ids)])

    def test_clients_menu_lists_treatment_clients_by_default(self):
        action = self.env.ref("microneedling_treatment.res_partner_action_microneedling_client")
        self.assertEqual(
            ast.literal_eval(action.context).get("search_default_filter_treatment_client"), 1
        )
        staff = self.user_practitioner.partner_id
        self.ours |= staff
        listed = self._action_domain(["filter_treatment_client"])
        self.assertEqual(listed, self.ours - self.contact - staff)
        # Without the filter, any person can still be found (to start a series).
        self.assertIn(self.contact, self._action_domain([]))
        # Who is a treatment client is for the desk, as the clearance is.
        with self.assertRaisesRegex(AccessError, "Only the microneedling desk"):
            self.env["res.partner"].with_user(self.user_employee).search(
                [("microneedling_is_client", "=", True)]
            )

    def test_treatment_client_is_per_company(self):
        other = self.env["res.company"].create({"name": "Second Spa"})
        elsewhere = self.env["res.partner"].create({"name": "Elsa Elsewhere"})
        self.env["microneedling.series"].create(
            {"partner_id": elsewhere.id, "company_id": other.id}
        )
        self.ours |= elsewhere
        self.assertNotIn(elsewhere, self._action_domain(["filter_treatment_client"]))
        reception = self.env(user=self.user_receptionist)
        self.assertFalse(elsewhere.with_env(reception).microneedling_is_client)
        self.assertTrue(self.unscreened.with_env(reception).microneedling_is_client)
        not_clients = reception["res.partner"].search(
            [("microneedling_is_client", "=", False), ("id", "in", self.ours.ids)]
        )
        self.assertEqual(not_clients, self.contact | elsewhere)
        self.user_receptionist.company_ids |= other
        self.assertTrue(
            elsewhere.with_env(reception)
            .with_context(allowed_company_ids=[other.id])
            .microneedling_is_client
        )

    def test_clearance_filters_match_the_cards(self):
        expected = {
            "cleared": self.cleared,
            "review": self.review,
            "blocked": self.absolute | self.window,
            "no_screening": self.unscreened | self.drafted,
        }
        for state, filter_name in CLEARANCE_FILTERS.items():
            with self.subTest(state=state):
                found = self._action_domain(["filter_treatment_client", filter_name])
                self.assertEqual(found, expected[state])
                # The card shows the same clearance the filter found.
                cards = found.with_user(self.user_receptionist)
                self.assertEqual(set(cards.mapped("microneedling_clearance_state")), {state})
        # Two clearance filters on: either (one group of filters is an "or").
        found = self._action_domain(
            ["filter_treatment_client", ("filter_clearance_cleared", "filter_clearance_review")]
        )
        self.assertEqual(found, self.cleared | self.review)

    def test_clearance_search_follows_time(self):
        """A time-bound block ends by itself: the filter sees it end, as the card does."""
        Partner = self.env["res.partner"].with_user(self.user_receptionist)
        domain = [("id", "in", self.ours.ids)]
        blocked = Partner.search(domain + [("microneedling_clearance_state", "=", "blocked")])
        self.assertIn(self.window, blocked)
        with freeze_time(NOW + timedelta(days=3)):
            self.window.invalidate_recordset()
            self.assertEqual(
                self.window.with_user(self.user_receptionist).microneedling_clearance_state,
                "cleared",
            )
            cleared = Partner.search(domain + [("microneedling_clearance_state", "=", "cleared")])
            self.assertEqual(cleared, self.cleared | self.window)

    def test_clearance_search_operators_agree_with_compute(self):
        Partner = self.env["res.partner"].with_user(self.user_receptionist)
        domain = [("id", "in", self.ours.ids)]
        states = {p: p.microneedling_clearance_state for p in self.ours.with_user(Partner.env.user)}
        for operator, value in [
            ("=", "blocked"),
            ("!=", "blocked"),
            ("in", ["review", "no_screening"]),
            ("not in", ["cleared", "no_screening"]),
            ("!=", "no_screening"),
        ]:
            with self.subTest(operator=operator, value=value):
                clearance = [("microneedling_clearance_state", operator, value)]
                found = Partner.search(domain + clearance)
                values = value if isinstance(value, list) else [value]
                expected = [
                    p.id
                    for p, state in states.items()
                    if (state in values) == (operator in ("=", "in"))
                ]
                self.assertEqual(sorted(found.ids), sorted(expected))
        with self.assertRaisesRegex(UserError, "Filter clients by clearance with"):
            Partner.search([("microneedling_clearance_state", "ilike", "clear")])
        # Nobody outside the desk finds who is blocked.
        with self.assertRaisesRegex(AccessError, "Only the microneedling desk"):
            self.env["res.partner"].with_user(self.user_employee).search(
                [("microneedling_clearance_state", "=", "blocked")]
            )

    def test_clearance_search_is_per_company(self):
        """A screening taken at another spa does not clear the client here (as the card)."""
        other = self.env["res.company"].create({"name": "Second Spa"})
        Partner = self.env["res.partner"].with_user(self.user_receptionist)
        self.user_receptionist.company_ids |= other
        found = Partner.with_context(allowed_company_ids=[other.id]).search(
            [("id", "in", self.ours.ids), ("microneedling_clearance_state", "=", "no_screening")]
        )
        self.assertEqual(found, self.ours)

    def test_cards_show_clearance_not_health(self):
        action = self.env.ref("microneedling_treatment.res_partner_action_microneedling_client")
        views = {view.view_mode: view.view_id for view in action.view_ids}
        Partner = self.env["res.partner"].with_user(self.user_receptionist)
        result = Partner.get_views([(views["kanban"].id, "kanban"), (views["list"].id, "list")])
        for view_type in ("kanban", "list"):
            with self.subTest(view=view_type):
                arch = etree.fromstring(result["views"][view_type]["arch"])
                names = {node.get("name") for node in arch.iter("field")}
                self.assertIn("microneedling_clearance_label", names)
                self.assertIn("microneedling_clearance_state", names)
                self.assertFalse(
                    {name for name in names if "intake" in name or "answer" in name},
                    "no screening detail on the client's card",
                )
        record = Partner.browse(self.window.id).web_read(
            {"microneedling_clearance_label": {}, "microneedling_clearance_state": {}}
        )[0]
        self.assertEqual(record["microneedling_clearance_state"], "blocked")
        self.assertEqual(record["microneedling_clearance_label"], "Blocked until 11/22/2026 09:00")
        # Users outside the desk do not get the clearance (nor its filters).
        employee_arch = (
            self.env["res.partner"]
            .with_user(self.user_employee)
            .get_views([(views["kanban"].id, "kanban")])["views"]["kanban"]["arch"]
        )
        self.assertNotIn("microneedling_clearance", employee_arch)


@freeze_time(NOW)
class TestSeriesKanban(MicroneedlingCase):
    def test_series_kanban_by_status_with_progress_and_next_session(self):
        action = self.env.ref("microneedling_treatment.microneedling_series_action")
        self.assertIn("kanban", action.view_mode.split(","))
        self.screen(self.client)
        series = self.make_series()
        done = self.book(series, NOW - timedelta(hours=2))
        done.with_user(self.user_practitioner).action_done()
        self.book(series, NOW + timedelta(days=30))
        Series = self.env["microneedling.series"].with_user(self.user_receptionist)
        arch = etree.fromstring(Series.get_views([(False, "kanban")])["views"]["kanban"]["arch"])
        self.assertEqual(arch.get("default_group_by"), "state")
        self.assertEqual(arch.get("records_draggable"), "0", "the status follows the sessions")
        names = {node.get("name") for node in arch.iter("field")}
        self.assertLessEqual(
            {
                "partner_id",
                "user_id",
                "session_done_count",
                "planned_session_count",
                "progress",
                "next_session_date",
            },
            names,
        )
        # Every status is a column, in the workflow's order, even an empty one.
        groups = Series.web_read_group([("id", "=", series.id)], ["state"], ["state"], lazy=True)[
            "groups"
        ]
        self.assertEqual(
            [group["state"] for group in groups], ["new", "in_progress", "done", "cancelled"]
        )
        self.assertEqual([group["state_count"] for group in groups], [0, 1, 0, 0])
        card = Series.browse(series.id).web_read(
            {
                "session_done_count": {},
                "planned_session_count": {},
                "progress": {},
                "next_session_date": {},
            }
        )[0]
        self.assertEqual((card["session_done_count"], card["planned_session_count"]), (1, 6))
        self.assertAlmostEqual(card["progress"], 100 / 6)
        self.assertEqual(card["next_session_date"], NOW + timedelta(days=30))


@freeze_time(NOW)
class TestBookNextChoice(MicroneedlingCase):
    """Book Next offers a choice of days and times, as the client prefers them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paris = pytz.timezone("Europe/Paris")
        cls.user_practitioner.tz = "Europe/Paris"
        cls.screen(cls.client)
        cls.series = cls.make_series()
        first = cls.book(cls.series, NOW - timedelta(hours=2))
        first.with_user(cls.user_practitioner).action_done()
        cls.Wizard = cls.env["microneedling.book.next.wizard"].with_user(cls.user_receptionist)

    def local(self, starts):
        return [pytz.utc.localize(start).astimezone(self.paris) for start in starts]

    def test_slots_spread_over_the_window(self):
        slots = self.Wizard._free_slots(self.series)
        candidates = self.Wizard._candidate_slots(self.series)
        local = self.local(slots)
        self.assertEqual(len(slots), 10)
        self.assertEqual(slots, sorted(slots))
        per_day = Counter(start.date() for start in local)
        self.assertEqual(len(per_day), 5, "two a day, over five days")
        self.assertEqual(set(per_day.values()), {2})
        for day in per_day:
            self.assertEqual(
                {start.hour < 12 for start in local if start.date() == day},
                {True, False},
                f"a morning and an afternoon on {day}",
            )
        self.assertEqual(slots[0], candidates[0], "the first free hour is offered")
        self.assertEqual(
            local[-1].date(), self.local(candidates)[-1].date(), "so is the window's last day"
        )

    def test_a_busy_morning_leaves_spaced_afternoon_slots(self):
        first_day = self.local(self.Wizard._candidate_slots(self.series))[0].date()
        morning = self.paris.localize(datetime.combine(first_day, time(9, 0)))
        start = morning.astimezone(pytz.utc).replace(tzinfo=None)
        self.env["calendar.event"].create(
            {
                "name": "Training",
                "start": start,
                "stop": start + timedelta(hours=3),
                "partner_ids": [(4, self.user_practitioner.partner_id.id)],
            }
        )
        local = self.local(self.Wizard._free_slots(self.series))
        self.assertEqual([s.hour for s in local if s.date() == first_day], [12, 14])

    def test_preferred_weekday_and_daypart(self):
        cases = [
            ("1", False, lambda s: s.weekday() == 1, 3),
            (False, "morning", lambda s: s.hour < 12, 2),
            (False, "afternoon", lambda s: s.hour >= 12, 2),
            ("3", "afternoon", lambda s: s.weekday() == 3 and s.hour >= 12, 3),
        ]
        for weekday, daypart, wanted, per_day in cases:
            with self.subTest(weekday=weekday, daypart=daypart):
                slots = self.Wizard._free_slots(self.series, weekday=weekday, daypart=daypart)
                local = self.local(slots)
                self.assertTrue(local)
                self.assertTrue(all(wanted(start) for start in local), local)
                counts = Counter(start.date() for start in local)
                self.assertLessEqual(max(counts.values()), per_day)
                if daypart == "morning":
                    self.assertEqual(len(slots), 10)
                    self.assertEqual(len(counts), 5)

    def test_preferences_recompute_the_offer_and_book(self):
        self.user_receptionist.tz = "Europe/Paris"
        action = self.series.with_user(self.user_receptionist).action_book_next_session()
        wizard = self.Wizard.browse(action["res_id"])
        before = wizard.offered_slot_ids
        with Form(wizard) as form:
            form.preferred_weekday = "3"
            form.preferred_daypart = "afternoon"
            offered = form.offered_slot_ids
            self.assertTrue(len(offered))
            self.assertNotEqual(offered.ids, before.ids)
        thursdays = wizard.offered_slot_ids
        self.assertEqual(set(thursdays.ids), set(offered.ids), "the offer seen is booked from")
        self.assertTrue(
            all(s.weekday() == 3 and s.hour >= 12 for s in self.local(thursdays.mapped("start")))
        )
        slot = thursdays[-1]
        self.assertRegex(slot.label, r"^Thu \d\d/\d\d/\d{4} \d\d:\d\d - \d\d:\d\d$")
        local = self.local([slot.start])[0]
        self.assertIn(f"{local:%m/%d/%Y %H:%M} - {local + timedelta(hours=1):%H:%M}", slot.label)
        result = slot.action_book()
        session = self.env["microneedling.session"].browse(result["res_id"])
        self.assertEqual(session.start, slot.start)
        self.assertEqual(session.series_id, self.series)

    def test_slot_times_in_the_users_time_zone_without_seconds(self):
        start = datetime(2026, 12, 22, 8, 0)  # 09:00 in Paris
        action = self.series.with_user(self.user_receptionist).action_book_next_session()
        slot = self.env["microneedling.book.next.slot"].create(
            {"wizard_id": action["res_id"], "start": start, "stop": start + timedelta(hours=1)}
        )
        self.user_receptionist.tz = "Europe/Paris"
        slot = slot.with_user(self.user_receptionist)
        self.assertEqual(slot.label, "Tue 12/22/2026 09:00 - 10:00")
        self.user_receptionist.tz = "America/New_York"
        slot.invalidate_recordset(["label"])
        self.assertEqual(
            slot.with_user(self.user_receptionist).label, "Tue 12/22/2026 03:00 - 04:00"
        )


@freeze_time(NOW)
class TestCalendarReadable(MicroneedlingCase):
    def test_calendar_fetches_client_and_short_number(self):
        self.screen(self.client)
        series = self.make_series()
        first = self.book(series, NOW + timedelta(days=1))
        second = self.book(series, NOW + timedelta(days=30))
        view = self.env.ref("microneedling_treatment.microneedling_session_view_calendar")
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        arch = etree.fromstring(
            Session.get_views([(view.id, "calendar")])["views"]["calendar"]["arch"]
        )
        self.assertEqual(arch.get("js_class"), "microneedling_session_calendar")
        self.assertEqual(arch.get("mode"), "week")
        # The event template's fields: the client, "2/6", the clearance; the
        # practitioner (filters, and the other colouring).
        names = {node.get("name") for node in arch.iter("field")}
        self.assertLessEqual({"partner_id", "progress_label", "clearance_label", "user_id"}, names)
        rows = Session.search_read(
            [("id", "in", (first | second).ids)],
            ["partner_id", "progress_label", "clearance_label", "user_id"],
            order="start",
        )
        self.assertEqual(
            [(row["partner_id"][1], row["progress_label"], row["clearance_label"]) for row in rows],
            [("Clara Client", "1/6", "Cleared"), ("Clara Client", "2/6", "Cleared")],
        )
        self.assertEqual(rows[0]["user_id"][0], self.user_practitioner.id)
        first.action_cancel()
        self.assertEqual((first.progress_label, second.progress_label), ("-/6", "1/6"))
