import base64
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError

from odoo.addons.mail.tools.discuss import Store

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


@freeze_time(NOW)
class TestChatterCarriesNoHealthData(MicroneedlingCase):
    """What a practitioner learns about a client never reaches reception through a chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screen(cls.client)
        cls.series = cls.make_series()
        cls.session = cls.book(cls.series, NOW - timedelta(hours=1))
        cls.session.with_user(cls.user_practitioner).action_done()
        cls.side_effects = cls.env.ref("microneedling_treatment.mail_activity_type_side_effects")

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    def chatter_as(self, user, record):
        """The chatter of `record` as `user`'s web client loads it: every message it
        may read (search_read), then the /mail/thread/messages payload."""
        Message = self.env["mail.message"].with_user(user)
        domain = [
            ("model", "=", record._name),
            ("res_id", "=", record.id),
            ("message_type", "!=", "user_notification"),
        ]
        bodies = [str(m["body"]) for m in Message.search_read(domain, ["body"])]
        messages = Message._message_fetch(domain, limit=100)["messages"]
        payload = Store(messages, for_current_user=True).get_result()
        return "\n".join(bodies) + "\n" + repr(payload)

    def assertDeskCannotRead(self, text, records=None):
        for record in records or (self.session, self.series, self.client):
            with self.subTest(record=record, text=text):
                self.assertNotIn(text, self.chatter_as(self.user_receptionist, record))
        hits = (
            self.env["mail.message"]
            .with_user(self.user_receptionist)
            .search_count([("body", "ilike", text)])
        )
        self.assertEqual(hits, 0, f"reception finds {text!r} by searching messages")

    def follow_up(self):
        """The day-7 side-effect follow-up, planned by the aftercare like in production."""
        with freeze_time(NOW + timedelta(days=7)):
            self.env["microneedling.aftercare.schedule"]._cron_process_due()
        activity = self.session.activity_ids.filtered(
            lambda a: a.activity_type_id == self.side_effects
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_practitioner)
        return activity

    def attachment(self, name, res_model="mail.compose.message", res_id=0, env=None):
        """A file as the practitioner's composer uploads it (or in `env`)."""
        return (env or self.env(user=self.user_practitioner))["ir.attachment"].create(
            {
                "name": name,
                "datas": base64.b64encode(b"photo of the left cheek"),
                "res_model": res_model,
                "res_id": res_id,
            }
        )

    # ------------------------------------------------------------
    # activity feedback
    # ------------------------------------------------------------

    def test_follow_up_feedback_goes_to_the_clinical_record(self):
        activity = self.follow_up()
        activity.with_user(self.user_practitioner).action_feedback(
            feedback="mild milia on left cheek"
        )
        self.assertFalse(activity.exists())
        notes = str(self.session.with_user(self.user_practitioner).clinical_notes)
        self.assertIn("mild milia on left cheek", notes)
        self.assertIn("Side-effect Follow-up", notes)
        self.assertDeskCannotRead("milia on left cheek")
        # Reception still sees that the follow-up was done, and by whom.
        done = (
            self.env["mail.message"]
            .with_user(self.user_receptionist)
            .search(
                [
                    ("model", "=", self.session._name),
                    ("res_id", "=", self.session.id),
                    ("mail_activity_type_id", "=", self.side_effects.id),
                ]
            )
        )
        self.assertEqual(len(done), 1)
        self.assertEqual(done.author_id, self.user_practitioner.partner_id)
        self.assertIn("Side-effect Follow-up", str(done.body))
        # The practitioner reads it in the clinical record, not in the chatter either.
        self.assertNotIn(
            "milia on left cheek", self.chatter_as(self.user_practitioner, self.session)
        )

    def test_follow_up_note_and_attachment_stay_clinical(self):
        activity = self.follow_up()
        activity.note = "<p>check the left cheek for milia</p>"
        photo = self.attachment("cheek.jpg", "mail.activity", activity.id, self.env)
        extra = self.attachment("cheek-closeup.jpg")
        activity.with_user(self.user_practitioner).action_feedback(
            feedback="resolved", attachment_ids=extra.ids
        )
        notes = str(self.session.with_user(self.user_practitioner).clinical_notes)
        self.assertIn("check the left cheek for milia", notes)
        self.assertIn("resolved", notes)
        self.assertDeskCannotRead("left cheek for milia")
        desk = self.chatter_as(self.user_receptionist, self.session)
        for photo_file in photo | extra:
            self.assertNotIn(photo_file.name, desk)
            with self.assertRaises(AccessError):
                photo_file.with_user(self.user_receptionist).read(["datas"])
            self.assertEqual(
                self.env["ir.attachment"]
                .with_user(self.user_receptionist)
                .search_count([("id", "=", photo_file.id)]),
                0,
            )
        clinician = self.chatter_as(self.user_practitioner, self.session)
        self.assertIn("cheek.jpg", clinician)
        self.assertIn("cheek-closeup.jpg", clinician)
        self.assertTrue(photo.with_user(self.user_practitioner).read(["datas"]))

    def test_receptionist_completing_a_session_follow_up_feeds_the_record(self):
        """Reception may take the client's call: what they note goes to the clinicians.
        The side-effect follow-up itself is a practitioner's (its form records them)."""
        with self.assertRaisesRegex(AccessError, "Only a practitioner records"):
            self.follow_up().with_user(self.user_receptionist).action_feedback(
                feedback="no side effects"
            )
        activity = self.session.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.user_practitioner.id
        )
        activity.with_user(self.user_receptionist).action_feedback(
            feedback="client reports swelling"
        )
        notes = str(self.session.with_user(self.user_practitioner).clinical_notes)
        self.assertIn("client reports swelling", notes)
        self.assertIn(self.user_receptionist.name, notes)
        self.assertNotIn(
            "client reports swelling", self.chatter_as(self.user_receptionist, self.session)
        )

    def test_practitioner_feedback_on_series_is_practitioner_only(self):
        book_next = self.env.ref("microneedling_treatment.mail_activity_type_book_next")
        activity = self.series.activity_schedule(
            activity_type_id=book_next.id, user_id=self.user_practitioner.id
        )
        activity.with_user(self.user_practitioner).action_feedback(
            feedback="postponed: cold sore on the upper lip"
        )
        self.assertDeskCannotRead("cold sore")
        self.assertIn(
            "cold sore on the upper lip", self.chatter_as(self.user_practitioner, self.series)
        )
        self.assertIn("cold sore on the upper lip", self.chatter_as(self.user_manager, self.series))
        self.assertIn("Book Next Session", self.chatter_as(self.user_receptionist, self.series))

    def test_reception_feedback_on_series_stays_shared(self):
        book_next = self.env.ref("microneedling_treatment.mail_activity_type_book_next")
        activity = self.series.activity_schedule(
            activity_type_id=book_next.id, user_id=self.user_receptionist.id
        )
        activity.with_user(self.user_receptionist).action_feedback(
            feedback="booked by phone for Tuesday"
        )
        for user in (self.user_receptionist, self.user_practitioner):
            self.assertIn("booked by phone for Tuesday", self.chatter_as(user, self.series))

    # ------------------------------------------------------------
    # log notes and messages
    # ------------------------------------------------------------

    def test_practitioner_notes_are_practitioner_only(self):
        # Posting on a contact takes the right to edit contacts.
        self.user_practitioner.groups_id += self.env.ref("base.group_partner_manager")
        self.client.email = "clara@client.example"
        desk_partner = self.user_receptionist.partner_id
        self.series.message_subscribe(partner_ids=desk_partner.ids)
        clinician_partner = self.user_manager.partner_id
        self.session.message_subscribe(partner_ids=(desk_partner | clinician_partner).ids)
        texts = {
            self.session: "acne flare on the chin",
            self.series: "herpes outbreak last week",
            self.client: "rosacea, avoid retinol",
        }
        photo = self.attachment("chin.jpg")
        posted = self.env["mail.message"]
        for record, text in texts.items():
            posted += record.with_user(self.user_practitioner).message_post(
                body=text,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                partner_ids=desk_partner.ids,
                attachment_ids=photo.ids if record == self.session else [],
            )
        # A message to the client too: the client gets it, reception does not.
        posted += self.session.with_user(self.user_practitioner).message_post(
            body="Your milia will clear in a week.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.client.ids,
        )
        for text in [*texts.values(), "milia will clear"]:
            self.assertDeskCannotRead(text)
        for record, text in texts.items():
            self.assertIn(text, self.chatter_as(self.user_practitioner, record))
            self.assertIn(text, self.chatter_as(self.user_manager, record))
        with self.assertRaises(AccessError):
            posted[0].with_user(self.user_receptionist).read(["body"])
        with self.assertRaises(AccessError):
            photo.with_user(self.user_receptionist).read(["datas"])
        self.assertIn("chin.jpg", self.chatter_as(self.user_practitioner, self.session))
        # Nobody notifies reception of them, by inbox or by email.
        notified = self.env["mail.notification"].search(
            [("mail_message_id", "in", posted.ids), ("res_partner_id", "=", desk_partner.id)]
        )
        self.assertFalse(notified)
        # Practitioners following the session still are.
        self.assertTrue(
            self.env["mail.notification"].search(
                [
                    ("mail_message_id", "=", posted[-1].id),
                    ("res_partner_id", "=", clinician_partner.id),
                ]
            )
        )
        to_client = self.env["mail.notification"].search(
            [("mail_message_id", "=", posted[-1].id), ("res_partner_id", "=", self.client.id)]
        )
        self.assertEqual(to_client.notification_type, "email")

    def test_files_added_to_a_practitioner_note_stay_with_it(self):
        session = self.session.with_user(self.user_practitioner)
        note = session.message_post(
            body="scarring risk", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        photo = self.attachment("scar.jpg")
        session._message_update_content(note, "scarring risk, see photo", photo.ids)
        self.assertEqual((photo.res_model, photo.res_id), ("mail.message", note.id))
        with self.assertRaises(AccessError):
            photo.with_user(self.user_receptionist).read(["datas"])
        self.assertIn("scar.jpg", self.chatter_as(self.user_practitioner, self.session))

    def test_reception_notes_stay_shared(self):
        self.session.with_user(self.user_receptionist).message_post(
            body="client asked for a morning slot",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        for user in (self.user_receptionist, self.user_practitioner):
            self.assertIn("morning slot", self.chatter_as(user, self.session))

    # ------------------------------------------------------------
    # tracking
    # ------------------------------------------------------------

    def test_override_reason_tracking_is_practitioner_only(self):
        session = self.book(self.series, NOW + timedelta(days=30), state="planned")
        # Tracking is written just before the commit, and not for records created in it.
        self.env.cr.precommit.run()
        session.with_user(self.user_manager)._override("Obstetrician's written approval")
        self.env.cr.precommit.run()
        self.assertIn("Obstetrician", self.chatter_as(self.user_practitioner, session))
        self.assertNotIn("Obstetrician", self.chatter_as(self.user_receptionist, session))
        with self.assertRaises(AccessError):
            self.env["mail.tracking.value"].with_user(self.user_receptionist).search_count([])
        with self.assertRaises(AccessError):
            self.env["mail.message"].with_user(self.user_receptionist).search_count(
                [("tracking_value_ids.new_value_char", "ilike", "Obstetrician")]
            )
