"""Benchmark: the series analysis report at the size of a chain of clinics.

Run with `bash bench/run_report.sh [SERIES]` (default 100,000 series, 6 sessions each).
It fills its own database (default mn_rep_bench) with fast SQL inserts once, then, as
a manager seeing every company, times:
- the pivot's default read_group (practitioner x cohort month, completion and
  drop-out rates, courses only),
- the dashboard's queries (its two KPI pivots and its two charts),
- the overdue list (first page) and the weekly summary figures.
Each query runs 5 times after a warm-up; the median is reported.
"""

import statistics
import sys
from datetime import date
from time import perf_counter

from benchlib import configure

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

COMPANIES = 4
PRACTITIONERS_PER_COMPANY = 10
SESSIONS_PER_SERIES = 6
RUNS = 5


def populate(env, series_count):
    cr = env.cr
    companies = env["res.company"].create(
        [{"name": f"Bench Spa {i}"} for i in range(COMPANIES - 1)]
    ) | env.ref("base.main_company")
    manager_group = env.ref("microneedling_treatment.group_manager")
    practitioner_group = env.ref("microneedling_treatment.group_practitioner")
    practitioners = env["res.users"]
    for company in companies:
        practitioners |= (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "name": f"Practitioner {company.id}-{i}",
                        "login": f"bench_practitioner_{company.id}_{i}",
                        "company_id": company.id,
                        "company_ids": [(6, 0, companies.ids)],
                        "groups_id": [(6, 0, [practitioner_group.id])],
                    }
                    for i in range(PRACTITIONERS_PER_COMPANY)
                ]
            )
        )
    env["res.users"].with_context(no_reset_password=True).create(
        {
            "name": "Bench Manager",
            "login": "bench_manager",
            "company_id": companies[0].id,
            "company_ids": [(6, 0, companies.ids)],
            "groups_id": [(6, 0, [manager_group.id])],
        }
    )
    env.flush_all()
    cr.execute("SELECT setseed(0.42)")
    # One client per series; tune-ups (10%) belong to the client of a completed course.
    cr.execute(
        """
        INSERT INTO res_partner (name, active, type, is_company, create_date, write_date)
        SELECT 'Bench client ' || n, true, 'contact', false, now(), now()
          FROM generate_series(1, %s) n
        RETURNING id
        """,
        [series_count],
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        """
        CREATE TEMP TABLE bench_series AS
        SELECT n,
               p.partner_id,
               (%(companies)s)[1 + mod(n, %(company_count)s)] AS company_id,
               (%(practitioners)s)[1 + mod(n, %(practitioner_count)s)] AS user_id,
               CASE WHEN random() < 0.1 THEN 'tune_up' ELSE 'course' END AS kind,
               random() AS fate,
               (now() AT TIME ZONE 'UTC') - make_interval(days => (random() * 1100)::int)
                   + make_interval(hours => 9 + (random() * 8)::int) AS first_start,
               28 + (random() * 30)::int AS gap_days
          FROM generate_series(1, %(count)s) n
          JOIN unnest(%(partners)s) WITH ORDINALITY AS p(partner_id, ord) ON p.ord = n
        """,
        {
            "companies": companies.ids,
            "company_count": len(companies),
            "practitioners": practitioners.ids,
            "practitioner_count": len(practitioners),
            "count": series_count,
            "partners": partner_ids,
        },
    )
    cr.execute(
        """
        INSERT INTO microneedling_series (name, partner_id, user_id, company_id, kind,
               planned_session_count, create_date, write_date)
        SELECT 'MN/BENCH/' || n, partner_id, user_id, company_id, kind,
               CASE WHEN kind = 'tune_up' THEN 1 ELSE 3 + mod(n, 4) END, now(), now()
          FROM bench_series ORDER BY n
        RETURNING id
        """
    )
    cr.execute(
        """
        ALTER TABLE bench_series ADD COLUMN series_id integer;
        UPDATE bench_series b SET series_id = s.id
          FROM microneedling_series s WHERE s.name = 'MN/BENCH/' || b.n;
        """
    )
    # Sessions: the planned ones, 4-8 weeks apart, done while in the past, and for
    # a third of the series the client stops after a random session (those sessions
    # are cancelled, and half of those series are cancelled); the rows beyond the
    # plan are cancelled or no-show bookings.
    cr.execute(
        """
        INSERT INTO microneedling_session (series_id, partner_id, company_id, user_id,
               start, stop, state, create_date, write_date, sequence_number)
        SELECT b.series_id, b.partner_id, b.company_id, b.user_id, t.start,
               t.start + interval '1 hour',
               CASE
                   WHEN k > s.planned_session_count THEN
                       CASE WHEN mod(k, 2) = 0 THEN 'cancelled' ELSE 'no_show' END
                   WHEN b.fate < 0.33 AND k > 1 + mod((b.fate * 10)::int, s.planned_session_count)
                       THEN 'cancelled'
                   WHEN t.start <= now() AT TIME ZONE 'UTC' THEN 'done'
                   ELSE 'booked'
               END,
               -- half of the visits are rebooked before the client leaves
               CASE WHEN k > 1 AND random() < 0.5
                   THEN t.start - make_interval(days => b.gap_days) + interval '2 hours'
                   ELSE t.start - make_interval(days => (random() * 20)::int)
               END,
               now(), k
          FROM bench_series b
          JOIN microneedling_series s ON s.id = b.series_id
          CROSS JOIN generate_series(1, %s) k
          CROSS JOIN LATERAL (
              SELECT b.first_start + make_interval(days => (k - 1) * b.gap_days) AS start
          ) t
        """,
        [SESSIONS_PER_SERIES],
    )
    # The stored fields the ORM would compute (microneedling.series._compute_*).
    cr.execute(
        """
        UPDATE microneedling_series s
           SET session_done_count = agg.done,
               session_count = agg.active,
               last_done_date = agg.last_done,
               next_session_date = agg.next_booked,
               overdue_date = agg.last_done + make_interval(days => c.microneedling_overdue_days),
               window_open_date = agg.last_done
                   + make_interval(days => c.microneedling_min_interval_days),
               progress = 100.0 * LEAST(agg.done, s.planned_session_count)
                   / s.planned_session_count,
               cancel_date = CASE WHEN b.fate < 0.16 AND agg.done < s.planned_session_count
                                  THEN agg.last_done + interval '60 days' END
          FROM (
              SELECT series_id,
                     COUNT(*) FILTER (WHERE state = 'done') AS done,
                     COUNT(*) FILTER (WHERE state != 'cancelled') AS active,
                     MAX(start) FILTER (WHERE state = 'done') AS last_done,
                     MIN(start) FILTER (WHERE state = 'booked') AS next_booked
                FROM microneedling_session GROUP BY series_id
          ) agg, res_company c, bench_series b
         WHERE agg.series_id = s.id AND c.id = s.company_id AND b.series_id = s.id;
        UPDATE microneedling_series
           SET state = CASE
                   WHEN cancel_date IS NOT NULL THEN 'cancelled'
                   WHEN session_done_count >= planned_session_count THEN 'done'
                   WHEN session_count > 0 THEN 'in_progress'
                   ELSE 'new'
               END
         WHERE name LIKE 'MN/BENCH/%';
        ANALYZE res_partner; ANALYZE microneedling_series; ANALYZE microneedling_session;
        """
    )


def timed(label, func):
    func()  # warm-up: caches, query plans
    times = []
    for _i in range(RUNS):
        start = perf_counter()
        result = func()
        times.append(perf_counter() - start)
    sys.stdout.write(
        f"{label:<58} {statistics.median(times) * 1000:8.0f} ms  (max {max(times) * 1000:.0f})"
        + "\n"
    )
    return result


def bench(env):
    manager = env["res.users"].search([("login", "=", "bench_manager")])
    Report = env["microneedling.series.report"].with_user(manager)
    Report = Report.with_context(allowed_company_ids=manager.company_ids.ids)
    courses = [("kind", "=", "course")]
    # The action's and the dashboard's default: started courses.
    started = courses + [("done_count", ">", 0)]

    def fresh(func):
        def run():
            Report.invalidate_model()
            return func()

        return run

    rows = timed(
        "pivot default read_group (practitioner x cohort month)",
        fresh(
            lambda: Report.read_group(
                started,
                ["completion_rate:avg", "dropout_rate:avg"],
                ["user_id", "cohort_date:month"],
                lazy=False,
            )
        ),
    )
    timed(
        "pivot totals (no group)",
        fresh(lambda: Report.read_group(started, ["completion_rate:avg", "dropout_rate:avg"], [])),
    )
    timed(
        "dashboard KPI: active courses",
        fresh(
            lambda: Report.read_group(
                courses + [("outcome", "in", ("on_track", "overdue"))], ["__count"], []
            )
        ),
    )
    timed(
        "dashboard KPI: courses, completed, dropped, overdue, cadence, rebooking",
        fresh(
            lambda: Report.read_group(
                started,
                [
                    "completed:sum",
                    "dropped_out:sum",
                    "overdue:sum",
                    "interval_count:sum",
                    "on_cadence_count:sum",
                    "done_count:sum",
                    "rebooked_count:sum",
                ],
                [],
            )
        ),
    )
    timed(
        "dashboard chart: outcomes by cohort month",
        fresh(
            lambda: Report.read_group(
                started, ["__count"], ["cohort_date:month", "outcome"], lazy=False
            )
        ),
    )
    timed(
        "dashboard chart: completion rate by practitioner",
        fresh(lambda: Report.read_group(started, ["completion_rate:avg"], ["user_id"])),
    )
    timed(
        "overdue list, first 80 rows",
        fresh(lambda: Report.search_read([("outcome", "=", "overdue")], ["series_id"], limit=80)),
    )
    today = date.today()
    timed(
        "weekly summary figures (one manager)",
        fresh(lambda: Report._weekly_summary_values(today)),
    )
    env.cr.execute(
        "SELECT COUNT(*) FROM microneedling_series WHERE name LIKE 'MN/BENCH/%'"
        " UNION ALL SELECT COUNT(*) FROM microneedling_session"
    )
    series_count, session_count = (row[0] for row in env.cr.fetchall())
    sys.stdout.write(
        f"data: {series_count} series, {session_count} sessions, {len(rows)} pivot cells" + "\n"
    )


def main():
    db = sys.argv[1]
    series_count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    configure(db)
    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT COUNT(*) FROM microneedling_series WHERE name LIKE 'MN/BENCH/%'")
        if not cr.fetchone()[0]:
            start = perf_counter()
            populate(env, series_count)
            # The benchmark data stays in its own database for the next runs.
            cr.commit()  # pylint: disable=invalid-commit
            sys.stdout.write(
                f"populated {series_count} series in {perf_counter() - start:.0f} s" + "\n"
            )
    with registry.cursor() as cr:
        bench(api.Environment(cr, SUPERUSER_ID, {}))
        cr.rollback()


if __name__ == "__main__":
    main()
