from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import screen_client


@tagged("post_install", "-at_install", "microneedling")
class TestFindingTours(HttpCase):
    """Reception finds its way: a readable calendar, Book Next by preference."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receptionist = new_test_user(
            cls.env,
            login="tour_finder",
            groups="microneedling_treatment.group_receptionist",
            tz="UTC",  # the tours read hours in the browser's (UTC) time
        )
        cls.practitioner = new_test_user(
            cls.env,
            login="tour_finder_practitioner",
            name="Finder Practitioner",
            groups="microneedling_treatment.group_practitioner",
            tz="UTC",
        )
        cls.now = fields.Datetime.now()
        cls.partner = cls.env["res.partner"].create({"name": "Fiona Finder"})
        screen_client(cls.env(user=cls.practitioner), cls.partner, when=cls.now - timedelta(days=1))
        cls.series = cls.env["microneedling.series"].create(
            {"partner_id": cls.partner.id, "user_id": cls.practitioner.id}
        )

    def test_calendar_reads_client_first_and_colours_by_choice(self):
        start = (self.now + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        session = self.env["microneedling.session"].create(
            {"series_id": self.series.id, "start": start}
        )
        self.assertEqual(session.progress_label, "1/6")
        self.start_tour(
            "/odoo/microneedling-sessions",
            "microneedling_calendar_readable_tour",
            login="tour_finder",
        )

    def test_book_next_by_preferred_day_and_time(self):
        first = self.env["microneedling.session"].create(
            {"series_id": self.series.id, "start": self.now - timedelta(hours=2)}
        )
        first.with_user(self.practitioner).action_done()
        self.start_tour(
            f"/odoo/microneedling-series/{self.series.id}",
            "microneedling_book_next_preference_tour",
            login="tour_finder",
        )
        booked = self.series.session_ids - first
        self.assertEqual(len(booked), 1)
        self.assertEqual(booked.state, "booked")
        self.assertEqual(booked.start.isoweekday(), 4, "a Thursday")
        self.assertGreaterEqual(booked.start.hour, 12, "an afternoon")

    def test_clients_by_clearance_and_series_by_status(self):
        blocked = self.env["res.partner"].create({"name": "Bea Blocked"})
        screen_client(
            self.env(user=self.practitioner),
            blocked,
            {"pregnancy_nursing": True},
            when=self.now - timedelta(days=1),
        )
        self.env["res.partner"].create({"name": "Carl Contact"})
        start = (self.now + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        self.env["microneedling.session"].create({"series_id": self.series.id, "start": start})
        self.start_tour(
            "/odoo/microneedling-clients", "microneedling_finding_lists_tour", login="tour_finder"
        )
