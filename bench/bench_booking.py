"""Benchmark: what booking a session costs, side by side with a plain calendar event.

Run with `make bench-booking` (or `bash bench/booking.sh [ROUNDS]`). Three operations,
measured the same way in one run: a fresh cursor per operation, as a receptionist
(no superuser shortcut), flush included, then rolled back; rounds alternate the
order of the operations, and the figures are medians.

- plain event: `calendar.event.create` with one attendee (the client);
- booking: `microneedling.session.create` into an open course of a screened client,
  every protocol check included (screening, windows, spacing, capacity, event);
- booking, long history: the same for a client with a completed 6-session course
  and 30 earlier screenings.
"""

import statistics
import sys
import time
from datetime import timedelta

from benchlib import configure

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry


def prepare(registry):
    """Committed fixtures, created once per run and deleted at the end."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        receptionist = env["res.users"].create(
            {
                "name": "Bench Receptionist",
                "login": "bench_booking_receptionist",
                "email": "bench.receptionist@example.com",
                "groups_id": [(6, 0, [env.ref("microneedling_treatment.group_receptionist").id])],
            }
        )
        practitioner = env["res.users"].create(
            {
                "name": "Bench Practitioner",
                "login": "bench_booking_practitioner",
                "email": "bench.practitioner@example.com",
                "groups_id": [(6, 0, [env.ref("microneedling_treatment.group_practitioner").id])],
            }
        )
        Intake = env["microneedling.intake"]
        Series = env["microneedling.series"]
        Session = env["microneedling.session"]
        fresh, veteran = env["res.partner"].create(
            [{"name": "Bench Fresh"}, {"name": "Bench Veteran"}]
        )
        # The same current answer for both (waxing 41 days ago): only the history differs.
        Intake._create_submitted(
            fresh, {"waxing": now - timedelta(days=41)}, now - timedelta(days=1)
        )
        # The veteran: a completed course of 6 sessions 4 weeks apart, 30 screenings since.
        Intake._create_submitted(veteran, {}, now - timedelta(days=200))
        course = Series.create(
            {"partner_id": veteran.id, "user_id": practitioner.id, "planned_session_count": 6}
        )
        for index in range(6):
            Session.create(
                {
                    "series_id": course.id,
                    "start": now - timedelta(weeks=4 * (6 - index) + 2),
                    "state": "done",
                }
            )
        for days in range(30, 0, -1):
            Intake._create_submitted(
                veteran, {"waxing": now - timedelta(days=40 + days)}, now - timedelta(days=days)
            )
        series = Series.create(
            [{"partner_id": partner.id, "user_id": practitioner.id} for partner in (fresh, veteran)]
        )
        return {
            "uid": receptionist.id,
            "start": now + timedelta(days=3),
            "partner_ids": (fresh | veteran).ids,
            "user_ids": (receptionist | practitioner).ids,
            "series": dict(zip(("fresh", "veteran"), series.ids, strict=True)),
            "client": fresh.id,
            "practitioner": practitioner.id,
        }


def cleanup(registry, fixtures):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        partners = env["res.partner"].browse(fixtures["partner_ids"])
        sessions = env["microneedling.session"].search([("partner_id", "in", partners.ids)])
        events = sessions.event_id
        cr.execute("DELETE FROM microneedling_session WHERE id IN %s", [tuple(sessions.ids)])
        events.unlink()
        cr.execute("DELETE FROM microneedling_series WHERE partner_id IN %s", [tuple(partners.ids)])
        cr.execute("DELETE FROM microneedling_intake WHERE partner_id IN %s", [tuple(partners.ids)])
        partners.unlink()
        env["res.users"].browse(fixtures["user_ids"]).unlink()


def operations(fixtures):
    start, stop = fixtures["start"], fixtures["start"] + timedelta(hours=1)

    def plain(env):
        env["calendar.event"].create(
            {
                "name": "Plain appointment",
                "start": start,
                "stop": stop,
                "user_id": fixtures["practitioner"],
                "partner_ids": [(6, 0, [fixtures["client"]])],
            }
        )

    def booking(kind):
        def book(env):
            env["microneedling.session"].create(
                {"series_id": fixtures["series"][kind], "start": start}
            )

        return book

    return {
        "plain event": plain,
        "booking": booking("fresh"),
        "booking, long history": booking("veteran"),
    }


def measure(registry, uid, operation):
    """(seconds, queries) of one operation in a fresh cursor, flushed, rolled back."""
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        before = cr.sql_log_count
        started = time.perf_counter()
        operation(env)
        env.flush_all()
        elapsed = time.perf_counter() - started
        queries = cr.sql_log_count - before
        cr.rollback()
    return elapsed, queries


def main():
    db = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    configure()
    registry = Registry(db)
    fixtures = prepare(registry)
    try:
        ops = operations(fixtures)
        names = list(ops)
        for name in names:  # warm-up: registry caches, prepared plans
            for _round in range(3):
                measure(registry, fixtures["uid"], ops[name])
        results = {name: [] for name in names}
        for index in range(rounds):
            order = names if index % 2 == 0 else list(reversed(names))
            for name in order:
                results[name].append(measure(registry, fixtures["uid"], ops[name]))
    finally:
        cleanup(registry, fixtures)
    base_time = statistics.median(t for t, _q in results["plain event"])
    lines = [
        f"{rounds} rounds, medians (fresh cursor per operation, flush included, rolled back)",
        f"{'operation':<24} {'time':>9} {'x plain':>8} {'queries':>8}",
    ]
    for name in names:
        seconds = statistics.median(t for t, _q in results[name])
        queries = statistics.median(q for _t, q in results[name])
        lines.append(
            f"{name:<24} {seconds * 1000:7.1f} ms {seconds / base_time:7.2f}x {queries:8.0f}"
        )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
