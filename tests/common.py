from contextlib import contextmanager
from datetime import datetime, timedelta

from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

# Every test runs at this frozen instant (UTC) unless it moves time itself.
NOW = datetime(2026, 11, 20, 9, 0)


def screen_client(env, partner, answers=None, when=None):
    """Submit a screening: answers maps a code to True or to a last-occurrence datetime."""
    return env["microneedling.intake"]._create_submitted(
        partner, answers or {}, when or NOW - timedelta(days=1)
    )


@tagged("post_install", "-at_install", "microneedling")
class MicroneedlingCase(TransactionCase):
    """Shared fixtures: one user per microneedling role, and helpers to screen and book."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.user_receptionist = new_test_user(
            cls.env,
            login="mn_receptionist",
            groups="microneedling_treatment.group_receptionist",
            name="Rita Receptionist",
            tz="UTC",
        )
        cls.user_practitioner = new_test_user(
            cls.env,
            login="mn_practitioner",
            groups="microneedling_treatment.group_practitioner",
            name="Paula Practitioner",
            tz="UTC",
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="mn_manager",
            groups="microneedling_treatment.group_manager",
            name="Manuel Manager",
            tz="UTC",
        )
        cls.user_employee = new_test_user(
            cls.env, login="mn_employee", groups="base.group_user", name="Erin Employee"
        )
        cls.Contraindication = cls.env["microneedling.contraindication"]
        cls.client = cls.env["res.partner"].create({"name": "Clara Client", "lang": "en_US"})

    @contextmanager
    def assertRaisesRegex(self, expected_exception, expected_regex, msg=None):
        """assertRaises (which rolls back to a savepoint, as a refused RPC call would
        roll back its transaction), then the message must match."""
        with self.assertRaises(expected_exception, msg=msg) as context:
            yield context
        self.assertRegex(str(context.exception), expected_regex)

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    @classmethod
    def item(cls, code):
        return cls.env.ref(f"microneedling_treatment.contraindication_{code}")

    @classmethod
    def screen(cls, partner, answers=None, when=None, user=None):
        return screen_client(cls.env(user=user or cls.user_practitioner), partner, answers, when)

    @classmethod
    def make_series(cls, partner=None, **vals):
        return (
            cls.env["microneedling.series"]
            .with_user(cls.user_receptionist)
            .create(
                {
                    "partner_id": (partner or cls.client).id,
                    "user_id": cls.user_practitioner.id,
                    **vals,
                }
            )
        )

    @classmethod
    def book(cls, series, start, user=None, **vals):
        return (
            cls.env["microneedling.session"]
            .with_user(user or cls.user_receptionist)
            .create({"series_id": series.id, "start": start, **vals})
        )

    @classmethod
    def free_hour(cls, start, user=None):
        """`start`, or the hour before it, and so on, where `user` (the practitioner by
        default) has no session: a practitioner is in one session at a time."""
        user = user or cls.user_practitioner
        Session = cls.env["microneedling.session"]
        while Session.search_count(
            [
                ("user_id", "=", user.id),
                ("state", "in", ("booked", "done")),
                ("start", "<", start + timedelta(hours=1)),
                ("stop", ">", start),
            ]
        ):
            start -= timedelta(hours=1)
        return start

    @classmethod
    def complete_course(cls, partner, sessions=3):
        """A course of `sessions` done sessions, 4 weeks apart, ending before NOW."""
        series = cls.make_series(partner, planned_session_count=sessions)
        for index in range(sessions):
            start = NOW - timedelta(weeks=4 * (sessions - index) + 1)
            cls.screen(partner, when=start - timedelta(days=1))
            # Past sessions are recorded as done by a practitioner, not booked.
            cls.book(series, start, user=cls.user_practitioner, state="done")
        return series
