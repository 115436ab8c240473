"""Two real transactions at once: the booking rules hold when each would pass alone.

These tests cannot live in the test's own transaction (nothing it writes is seen
by other cursors): each commits its data through its own cursors, as two RPC
requests in two workers would, and deletes it afterwards.
"""

import contextlib
import threading
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, get_db_name, tagged

# How long the first transaction holds its commit back, waiting for the second.
BARRIER_TIMEOUT = 3


@tagged("post_install", "-at_install", "microneedling")
class TestConcurrentBookings(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        self.now = fields.Datetime.now().replace(microsecond=0)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.admin_id = env.ref("base.user_admin").id
            self.partner_id = env["res.partner"].create({"name": "Connie Concurrent"}).id
            env["microneedling.intake"]._create_submitted(
                env["res.partner"].browse(self.partner_id), {}, self.now - timedelta(days=1)
            )
            self.series_id = (
                env["microneedling.series"]
                .create({"partner_id": self.partner_id, "user_id": self.admin_id})
                .id
            )
        self.addCleanup(self._delete_client, self.partner_id, self.series_id)

    def _delete_client(self, partner_id, series_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["microneedling.session"].search([("partner_id", "=", partner_id)]).unlink()
            env["microneedling.series"].browse(series_id).unlink()
            cr.execute("DELETE FROM microneedling_intake WHERE partner_id = %s", [partner_id])
            env["res.partner"].browse(partner_id).unlink()

    def _run_concurrently(self, *operations):
        """Run each operation(env) in its own thread and transaction, as the admin user
        through Odoo's own retry on serialization failures; the first to finish waits
        (a bounded time) for the other before committing, so that both read the
        database before either commits. Returns each one's outcome."""
        barrier = threading.Barrier(len(operations), timeout=BARRIER_TIMEOUT)
        outcomes = [None] * len(operations)

        def worker(index, operation):
            attempts = []
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.admin_id, {})

                def attempt():
                    attempts.append(1)
                    operation(env)
                    if len(attempts) == 1:
                        # A broken barrier: the other one is blocked on our lock, so
                        # this one commits first.
                        with contextlib.suppress(threading.BrokenBarrierError):
                            barrier.wait()

                try:
                    retrying(attempt, env)
                    outcomes[index] = ("committed", len(attempts))
                except ValidationError as error:
                    # As an RPC request does: a refusal rolls the whole transaction back.
                    cr.rollback()
                    outcomes[index] = ("refused", str(error))

        threads = [
            threading.Thread(target=worker, args=(index, operation))
            for index, operation in enumerate(operations)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a transaction hangs")
        return outcomes

    def _booked_starts(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return sorted(
                env["microneedling.session"]
                .search([("partner_id", "=", self.partner_id), ("state", "=", "booked")])
                .mapped("start")
            )

    def _book(self, start, series_id=None):
        def operation(env):
            env["microneedling.session"].create(
                {"series_id": series_id or self.series_id, "start": start}
            )

        return operation

    def test_two_bookings_too_close_only_one_commits(self):
        day = self.now + timedelta(days=2)
        outcomes = self._run_concurrently(self._book(day), self._book(day + timedelta(days=7)))
        starts = self._booked_starts()
        self.assertEqual(len(starts), 1, f"both bookings committed: {outcomes}")
        self.assertEqual(sorted(outcome[0] for outcome in outcomes), ["committed", "refused"])
        refusal = next(outcome[1] for outcome in outcomes if outcome[0] == "refused")
        self.assertIn("at least 28 days apart", refusal)

    def test_two_moves_of_one_clients_sessions_only_one_commits(self):
        first, second = self.now + timedelta(days=2), self.now + timedelta(days=62)
        for start in (first, second):
            self._run_concurrently(self._book(start))
        self.assertEqual(self._booked_starts(), [first, second])

        def move(old, new):
            def operation(env):
                session = env["microneedling.session"].search(
                    [("partner_id", "=", self.partner_id), ("start", "=", old)]
                )
                session.write({"start": new})

            return operation

        # Each move alone keeps 30 days or more between the two; both together, 5.
        outcomes = self._run_concurrently(
            move(first, first + timedelta(days=30)), move(second, first + timedelta(days=35))
        )
        starts = self._booked_starts()
        self.assertGreaterEqual(
            starts[1] - starts[0], timedelta(days=28), f"both moves committed: {outcomes}"
        )
        self.assertEqual(sorted(outcome[0] for outcome in outcomes), ["committed", "refused"])

    def test_two_clients_in_one_practitioners_hour_only_one_commits(self):
        """Two receptionists give the practitioner's same hour to two clients: each
        booking alone is free, both together double-book the practitioner."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            other = env["res.partner"].create({"name": "Dora Duplicate"})
            env["microneedling.intake"]._create_submitted(other, {}, self.now - timedelta(days=1))
            other_series = env["microneedling.series"].create(
                {"partner_id": other.id, "user_id": self.admin_id}
            )
            other_id, other_series_id = other.id, other_series.id
        self.addCleanup(self._delete_client, other_id, other_series_id)
        hour = self.now + timedelta(days=3)
        outcomes = self._run_concurrently(
            self._book(hour), self._book(hour, series_id=other_series_id)
        )
        self.assertEqual(sorted(outcome[0] for outcome in outcomes), ["committed", "refused"])
        refusal = next(outcome[1] for outcome in outcomes if outcome[0] == "refused")
        self.assertIn("is busy from", refusal)
