"""Bad input: every field a user or an integration writes refuses malformed values.

Each model has a table of (field, bad value, pattern of the expected message); every
row is sent through create() and write() as the role that may write the model. The
refusal must be a clean ValidationError (or AccessError, where access is the answer)
whose text names the field by its label, and nothing may be saved: the record count
and the written record's value stay as they were.
"""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user

from .common import NOW, MicroneedlingCase

NAN = float("nan")

NOT_DATETIME = "is not a date and time"
OUT_OF_YEARS = "outside the years 1900-2200"
NOT_WHOLE = "is not a whole number"
NOT_NUMBER = "is not a number"
OUT_OF_RANGE = "is out of range"
NOT_CHOICE = "is not one of its choices"
NOT_TEXT = "is not text"
NOT_YES_NO = "is not true or false"
NOT_REFERENCE = "is not a reference to"
NO_SUCH = r"there is no .+ record with id 999999999"
NOT_LIST = "is not a list of"
REQUIRED = "is required"

# Unparseable, impossible and out-of-range dates: no date-time field takes any of them.
BAD_DATETIMES = [
    ("", f"{NOT_DATETIME}|{REQUIRED}"),
    (20261231, NOT_DATETIME),
    ("31/12/2026", NOT_DATETIME),
    ("2026-02-30", NOT_DATETIME),
    ("2026-12-31T14:30:00", NOT_DATETIME),
    ("2026-12-31 25:00:00", NOT_DATETIME),
    (True, NOT_DATETIME),
    ("0001-01-01", OUT_OF_YEARS),
    ("9999-12-31 00:00:00", OUT_OF_YEARS),
]
# Wrong references: text, a list, a record that does not exist, a dict.
BAD_MANY2ONES = [
    ("abc", NOT_REFERENCE),
    ([1, 2], NOT_REFERENCE),
    ({"id": 1}, NOT_REFERENCE),
    (999999999, NO_SUCH),
]
BAD_INTEGERS = [
    (2**31, OUT_OF_RANGE),
    (-(2**31) - 1, OUT_OF_RANGE),
    (NAN, NOT_WHOLE),
    (1e308, OUT_OF_RANGE),
    (2.5, NOT_WHOLE),
    ({"id": 3}, NOT_WHOLE),
    ("7", NOT_WHOLE),
    (True, NOT_WHOLE),
]


def rows(field, bad_values):
    return [(field, value, pattern) for value, pattern in bad_values]


class BadInputCase(MicroneedlingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_admin = new_test_user(
            cls.env,
            login="mn_admin",
            groups="base.group_system,base.group_partner_manager,"
            "microneedling_treatment.group_manager",
            name="Ada Admin",
        )

    def assert_refused(self, user, record, create_vals, table):
        """Send every row of the table through create and write as `user`."""
        Model = self.env[record._name].with_user(user)
        counter = self.env[record._name].sudo().with_context(active_test=False)
        for fname, value, pattern, *expected in table:
            exception = expected[0] if expected else ValidationError
            field = record._fields.get(fname)
            label = field.string if field else fname
            with self.subTest(model=record._name, field=fname, value=value, operation="create"):
                before = counter.search_count([])
                with self.assertRaises(exception) as caught:
                    Model.create(dict(create_vals, **{fname: value}))
                self.assert_message(caught.exception, label, pattern, exception)
                self.env.invalidate_all()
                self.assertEqual(counter.search_count([]), before, "a refused create saved")
            with self.subTest(model=record._name, field=fname, value=value, operation="write"):
                old = record.sudo()[fname] if field else None
                with self.assertRaises(exception) as caught:
                    record.with_user(user).write({fname: value})
                self.assert_message(caught.exception, label, pattern, exception)
                self.env.invalidate_all()
                if field:  # an unknown field has no value to keep
                    self.assertEqual(record.sudo()[fname], old, "a refused write saved")

    def assert_message(self, error, label, pattern, exception):
        message = str(error)
        self.assertRegex(message, pattern)
        if exception is ValidationError:
            self.assertIn(label, message, "the message does not name the field")
        self.assertNotIn("Traceback", message)


class TestBadInputBooking(BadInputCase):
    """Reception's models: series and sessions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.series = cls.make_series(planned_session_count=6)
        cls.session = cls.book(cls.series, False, state="planned")

    def test_series(self):
        # Another client (one open course each), without sessions: its client may
        # still change.
        other = self.env["res.partner"].create({"name": "Bella Bad-Input"})
        series = self.make_series(other)
        table = [
            *rows("partner_id", BAD_MANY2ONES),
            ("partner_id", False, REQUIRED),
            *rows("user_id", BAD_MANY2ONES),
            *rows("lead_id", BAD_MANY2ONES),
            ("company_id", "abc", NOT_REFERENCE),
            ("kind", "weekly", NOT_CHOICE),
            ("kind", 1, NOT_CHOICE),
            *rows("planned_session_count", BAD_INTEGERS),
            ("skin_goal_ids", "abc", NOT_LIST),
            ("skin_goal_ids", [(4, 999999999)], NO_SUCH),
            ("skin_goal_ids", [(9, 1)], NOT_LIST),
            ("skin_goal_ids", [1, (4, 1)], NOT_LIST),
            ("notes", ["<p>x</p>"], NOT_TEXT),
        ]
        create_vals = {"partner_id": other.id, "user_id": self.user_practitioner.id}
        self.assert_refused(self.user_receptionist, series, create_vals, table)

    def test_session(self):
        table = [
            *rows("start", BAD_DATETIMES),
            *rows("stop", BAD_DATETIMES),
            *rows("series_id", BAD_MANY2ONES),
            ("series_id", False, REQUIRED),
            *rows("user_id", BAD_MANY2ONES),
            ("state", "tomorrow", NOT_CHOICE),
            ("state", False, REQUIRED),
            # Reception may not touch the clinical record, whatever the value.
            ("needle_depth", NAN, "needle_depth", AccessError),
        ]
        create_vals = {"series_id": self.series.id, "state": "planned"}
        self.assert_refused(self.user_receptionist, self.session, create_vals, table)

    def test_session_clinical_record(self):
        table = [
            ("needle_depth", NAN, "is not a finite number"),
            ("needle_depth", float("inf"), "is not a finite number"),
            ("needle_depth", 1e308, OUT_OF_RANGE),
            ("needle_depth", "1.5", NOT_NUMBER),
            *rows("date_done", BAD_DATETIMES),
            ("device", 42, NOT_TEXT),
            ("treated_areas", "Fore\x00head", "NUL"),
            ("side_effect_ids", [(6, 0, [999999999])], NO_SUCH),
            ("side_effect_ids", {"id": 1}, NOT_LIST),
        ]
        create_vals = {"series_id": self.series.id, "state": "planned"}
        self.assert_refused(self.user_practitioner, self.session, create_vals, table)


class TestBadInputScreening(BadInputCase):
    """The practitioner's models: screenings and their answers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Intake = cls.env["microneedling.intake"].with_user(cls.user_practitioner)
        cls.intake = Intake.create({"partner_id": cls.client.id, "screening_date": NOW})
        cls.answer = cls.intake.answer_ids[0]
        # Not yet in the catalog when the screening was made: no answer line for it.
        cls.new_item = cls.Contraindication.create(
            {"name": "New item", "code": "new_item", "question": "New?", "kind": "review"}
        )

    def test_intake(self):
        table = [
            *rows("screening_date", BAD_DATETIMES),
            ("screening_date", False, REQUIRED),
            *rows("consent_date", BAD_DATETIMES),
            *rows("partner_id", BAD_MANY2ONES),
            ("company_id", [1, 2], NOT_REFERENCE),
            ("consent_given", "no", NOT_YES_NO),
            ("consent_given", 2, NOT_YES_NO),
            ("notes", 12, NOT_TEXT),
            ("answer_ids", [(1, 999999999, {"present": True})], NO_SUCH),
            ("answer_ids", "all", NOT_LIST),
            ("no_such_field", 1, "has no field"),
        ]
        create_vals = {"partner_id": self.client.id}
        self.assert_refused(self.user_practitioner, self.intake, create_vals, table)

    def test_intake_answer(self):
        table = [
            *rows("last_occurrence", BAD_DATETIMES),
            *rows("contraindication_id", BAD_MANY2ONES),
            ("contraindication_id", False, REQUIRED),
            *rows("intake_id", BAD_MANY2ONES),
            ("present", "yes", NOT_YES_NO),
            ("notes", {"text": "x"}, NOT_TEXT),
        ]
        create_vals = {"intake_id": self.intake.id, "contraindication_id": self.new_item.id}
        self.assert_refused(self.user_practitioner, self.answer, create_vals, table)

    def test_nested_answer_values_are_checked_too(self):
        """Answers created through the screening's one2many go through the same checks."""
        Intake = self.env["microneedling.intake"].with_user(self.user_practitioner)
        before = Intake.sudo().search_count([])
        with self.assertRaisesRegex(ValidationError, "Last Occurrence.*31/12/2026"):
            Intake.create(
                {
                    "partner_id": self.client.id,
                    "answer_ids": [
                        (0, 0, {"contraindication_id": self.new_item.id}),
                        (
                            0,
                            0,
                            {
                                "contraindication_id": self.item("retinol_exfoliants").id,
                                "present": True,
                                "last_occurrence": "31/12/2026",
                            },
                        ),
                    ],
                }
            )
        self.assertEqual(Intake.sudo().search_count([]), before)


class TestBadInputCatalog(BadInputCase):
    """The manager's catalog: contraindications, aftercare steps, side effects, goals."""

    def test_contraindication(self):
        item = self.Contraindication.create(
            {"name": "Sunburn", "code": "sunburn", "question": "Sunburn?", "kind": "window"}
            | {"window_hours": 48}
        )
        table = [
            *rows("window_hours", BAD_INTEGERS),
            ("window_hours", -1, r"from 1 to 8760 hours"),
            ("window_hours", 0, r"from 1 to 8760 hours"),
            ("window_hours", 10**6, r"from 1 to 8760 hours"),
            ("kind", "sometimes", NOT_CHOICE),
            ("kind", False, REQUIRED),
            ("name", 42, NOT_TEXT),
            ("name", False, REQUIRED),
            ("code", ["x"], NOT_TEXT),
            ("question", "Sun\x00burn?", "NUL"),
            ("sequence", 2**31, OUT_OF_RANGE),
            ("active", "no", NOT_YES_NO),
        ]
        create_vals = {
            "name": "Peel",
            "code": "peel",
            "question": "Peel?",
            "kind": "window",
            "window_hours": 24,
        }
        self.assert_refused(self.user_manager, item, create_vals, table)

    def test_contraindication_window_bound_for_every_kind(self):
        """A negative or absurd window is refused even where the kind ignores it."""
        item = self.item("keloid").with_user(self.user_manager)
        with self.assertRaisesRegex(ValidationError, r"Window \(Hours\).*from 0 to 8760"):
            item.write({"window_hours": -5})
        with self.assertRaisesRegex(ValidationError, r"Window \(Hours\).*from 0 to 8760"):
            item.write({"window_hours": 9000})
        self.assertEqual(self.item("keloid").window_hours, 0)

    def test_aftercare_step(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        create_vals = {
            "name": "Check-in",
            "kind": "activity",
            "activity_type_id": todo.id,
            "anchor": "done",
            "offset": 1,
            "offset_unit": "days",
        }
        step = self.env["microneedling.aftercare.step"].create(create_vals)
        table = [
            *rows("offset", BAD_INTEGERS),
            ("offset", 10**9, r"at most 365 days"),
            ("offset", 366, r"at most 365 days"),
            ("offset", -1, r"cannot run before the session is done"),
            ("offset_unit", "weeks", NOT_CHOICE),
            ("anchor", "someday", NOT_CHOICE),
            *rows("mail_template_id", BAD_MANY2ONES),
            *rows("activity_type_id", BAD_MANY2ONES),
            ("sequence", {"a": 1}, NOT_WHOLE),
            ("name", 5, NOT_TEXT),
        ]
        self.assert_refused(self.user_manager, step, create_vals, table)

    def test_aftercare_step_bounds_follow_the_unit(self):
        step = self.env.ref("microneedling_treatment.aftercare_step_12h").with_user(
            self.user_manager
        )
        with self.assertRaisesRegex(ValidationError, r"Offset.*at most 8760 hours"):
            step.write({"offset": 8761})
        with self.assertRaisesRegex(ValidationError, r"Offset.*at most 365 days"):
            step.write({"offset_unit": "days"})  # 12 days: fine; 8760 days: not
            step.write({"offset": 8760})
        # Before a window anchor is fine: the reminder before the series is overdue.
        step.write({"anchor": "window_close", "offset": -4, "offset_unit": "days"})
        self.assertEqual(step.offset, -4)
        with self.assertRaisesRegex(ValidationError, "cannot run before the session is done"):
            step.write({"anchor": "done"})

    def test_side_effect_and_skin_goal(self):
        effect = self.env.ref("microneedling_treatment.side_effect_infection")
        table = [
            ("name", 42, NOT_TEXT),
            ("name", False, REQUIRED),
            ("name", "Red\x00ness", "NUL"),
            *rows("sequence", BAD_INTEGERS),
            ("active", "yes", NOT_YES_NO),
        ]
        self.assert_refused(self.user_manager, effect, {"name": "Itching"}, table)
        goal = self.env["microneedling.skin.goal"].search([], limit=1)
        table = [
            ("name", ["Acne"], NOT_TEXT),
            *rows("color", BAD_INTEGERS),
            ("color", -1, r"from 0 to 11"),
            ("color", 12, r"from 0 to 11"),
        ]
        self.assert_refused(self.user_manager, goal, {"name": "Glow"}, table)

    def test_a_batch_is_refused_whole(self):
        """One bad record in a batch: every problem is listed, and no record is created."""
        Effect = self.env["microneedling.side.effect"].with_user(self.user_manager)
        before = Effect.search_count([])
        with self.assertRaisesRegex(ValidationError, r"(?s)Name .*: 42 .*Sequence .*: 2147483648"):
            Effect.create([{"name": "Itching"}, {"name": 42}, {"name": "Crust", "sequence": 2**31}])
        self.assertEqual(Effect.search_count([]), before)

    def test_catalog_stays_the_managers(self):
        """Access comes before the value: reception is refused as such, not on the value."""
        Step = self.env["microneedling.aftercare.step"].with_user(self.user_receptionist)
        with self.assertRaises(AccessError):
            Step.create({"name": "x", "offset": 10**9})
        with self.assertRaises(AccessError):
            self.item("keloid").with_user(self.user_practitioner).write({"window_hours": "abc"})


class TestBadInputSettings(BadInputCase):
    """The company's protocol settings, on the company and through the Settings form."""

    COMPANY_TABLE = [
        *rows("microneedling_min_interval_days", BAD_INTEGERS),
        ("microneedling_min_interval_days", 0, r"from 28 to 365"),
        ("microneedling_min_interval_days", -1, r"from 28 to 365"),
        ("microneedling_min_interval_days", 14, r"from 28 to 365"),
        ("microneedling_min_interval_days", 366, r"from 28 to 365"),
        ("microneedling_overdue_days", 20, r"after the 28 Minimum Days.*more than 28"),
        ("microneedling_overdue_days", 28, r"after the 28 Minimum Days.*more than 28"),
        ("microneedling_overdue_days", 400, r"at most 365"),
        ("microneedling_overdue_days", NAN, NOT_WHOLE),
        ("microneedling_confirmation_days", 0, r"from 1 to 365"),
        ("microneedling_confirmation_days", 10**9, r"from 1 to 365"),
        ("microneedling_confirmation_days", "7", NOT_WHOLE),
        ("microneedling_sms_enabled", "false", NOT_YES_NO),
        *rows("microneedling_reception_user_id", BAD_MANY2ONES),
        ("microneedling_manager_user_id", "admin", NOT_REFERENCE),
    ]

    def test_company(self):
        company = self.env["res.company"].create({"name": "Second Clinic"})
        self.assert_refused(self.user_admin, company, {"name": "Third Clinic"}, self.COMPANY_TABLE)

    def test_company_checks_only_its_microneedling_fields(self):
        """Other modules' company fields keep their own rules: Odoo reads "7" as 7 here."""
        company = self.env["res.company"].create({"name": "Second Clinic"})
        company.with_user(self.user_admin).write({"sequence": "7"})
        self.assertEqual(company.sequence, 7)

    def test_settings_form(self):
        company = self.user_admin.company_id
        Settings = self.env["res.config.settings"].with_user(self.user_admin)
        for fname, value, pattern in self.COMPANY_TABLE:
            with self.subTest(field=fname, value=value):
                old = company[fname]
                with self.assertRaises(ValidationError) as caught:
                    Settings.create({fname: value}).execute()
                label = company._fields[fname].string
                self.assert_message(caught.exception, label, pattern, ValidationError)
                self.env.invalidate_all()
                self.assertEqual(company[fname], old, "a refused setting was saved")

    def test_settings_form_accepts_a_consistent_change(self):
        """Both bounds move together: the overdue period is checked against the new minimum."""
        company = self.user_admin.company_id
        settings = (
            self.env["res.config.settings"]
            .with_user(self.user_admin)
            .create({"microneedling_min_interval_days": 50, "microneedling_overdue_days": 70})
        )
        settings.execute()
        self.assertEqual(company.microneedling_min_interval_days, 50)
        self.assertEqual(company.microneedling_overdue_days, 70)
