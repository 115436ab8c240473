from freezegun import freeze_time

from odoo.exceptions import AccessError

from .common import NOW, MicroneedlingCase

CLINICAL_FIELDS = {
    "treated_areas": ("ilike", "cheek"),
    "device": ("ilike", "pen"),
    "needle_depth": ("=", 1.5),
    "products_applied": ("ilike", "serum"),
    "skin_response": ("ilike", "erythema"),
    "clinical_notes": ("ilike", "milia"),
    "override_reason": ("!=", False),
}


@freeze_time(NOW)
class TestSideEffectsStayClinical(MicroneedlingCase):
    """Reception can't learn a client's side effects by searching, grouping or counting."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.milia = cls.env.ref("microneedling_treatment.side_effect_milia")
        cls.series = cls.make_series()
        cls.session = cls.book(cls.series, False, state="planned")
        cls.other = cls.book(cls.series, False, state="planned")
        cls.session.with_user(cls.user_practitioner).side_effect_ids = cls.milia

    def domains(self):
        return [
            [("side_effect_ids", "=", self.milia.id)],
            [("side_effect_ids", "in", self.milia.ids)],
            [("side_effect_ids", "!=", False)],
            [("side_effect_ids", "=", False)],
            [("side_effect_ids.name", "ilike", "milia")],
            [("side_effect_ids", "any", [("name", "ilike", "milia")])],
            [("side_effect_ids", "not any", [("name", "ilike", "milia")])],
            ["!", ("side_effect_ids", "=", self.milia.id)],
        ]

    def test_receptionist_cannot_filter_on_side_effects(self):
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        for domain in self.domains():
            with self.subTest(domain=domain):
                with self.assertRaises(AccessError):
                    Session.search(domain)
                with self.assertRaises(AccessError):
                    Session.search_count(domain)
                with self.assertRaises(AccessError):
                    Session.web_search_read(domain, {"display_name": {}})
                with self.assertRaises(AccessError):
                    Session.name_search("", domain)
                with self.assertRaises(AccessError):
                    Session._read_group(domain, [], ["__count"])

    def test_receptionist_cannot_reach_side_effects_from_other_models(self):
        """Through the series, the client or the calendar: the session's own check holds."""
        env = self.env(user=self.user_receptionist)
        attempts = [
            ("microneedling.series", [("session_ids.side_effect_ids", "=", self.milia.id)]),
            (
                "microneedling.series",
                [("session_ids", "any", [("side_effect_ids", "!=", False)])],
            ),
            (
                "res.partner",
                [("microneedling_series_ids.session_ids.side_effect_ids.name", "ilike", "milia")],
            ),
            ("calendar.event", [("microneedling_session_id.side_effect_ids", "!=", False)]),
            (
                "microneedling.aftercare.schedule",
                [("session_id.side_effect_ids", "=", self.milia.id)],
            ),
        ]
        for model, domain in attempts:
            with self.subTest(model=model, domain=domain):
                with self.assertRaises(AccessError):
                    env[model].search_count(domain)

    def test_receptionist_cannot_group_by_side_effects(self):
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        with self.assertRaises(AccessError):
            Session._read_group([], ["side_effect_ids"], ["__count"])
        with self.assertRaises(AccessError):
            Session.read_group([], ["__count"], ["side_effect_ids"])
        with self.assertRaises(AccessError):
            Session.web_read_group([], ["__count"], ["side_effect_ids"])
        with self.assertRaises(AccessError):
            Session.web_read_group([], ["__count"], ["state", "side_effect_ids"], lazy=False)
        self.assertNotIn("side_effect_ids", Session.fields_get())

    def test_receptionist_still_searches_and_groups_the_rest(self):
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        domain = [("series_id", "=", self.series.id)]
        self.assertEqual(Session.search_count(domain), 2)
        groups = Session._read_group(domain, ["state"], ["__count"])
        self.assertEqual(groups, [("planned", 2)])

    def test_practitioner_filters_and_groups_on_side_effects(self):
        Session = self.env["microneedling.session"].with_user(self.user_practitioner)
        domain = [("series_id", "=", self.series.id)]
        self.assertEqual(
            Session.search(domain + [("side_effect_ids.name", "ilike", "milia")]), self.session
        )
        self.assertEqual(Session.search_count(domain + [("side_effect_ids", "=", False)]), 1)
        groups = dict(Session._read_group(domain, ["side_effect_ids"], ["__count"]))
        self.assertEqual(groups[self.milia], 1)

    def test_other_clinical_fields_stay_unsearchable(self):
        Session = self.env["microneedling.session"].with_user(self.user_receptionist)
        for fname, (operator, value) in CLINICAL_FIELDS.items():
            with self.subTest(field=fname):
                with self.assertRaises(AccessError):
                    Session.search_count([(fname, operator, value)])
                with self.assertRaises(AccessError):
                    Session._read_group([], [fname], ["__count"])
                with self.assertRaises(AccessError):
                    Session.search([], order=fname)
                with self.assertRaises(AccessError):
                    self.series.with_user(self.user_receptionist).search_count(
                        [(f"session_ids.{fname}", operator, value)]
                    )
