"""Benchmark: run the due aftercare steps of N done sessions in one cron run.

Run with `make bench` (or `bash bench/run.sh [N ...]`). Each size runs on a
throwaway copy of the bench database, as production does: the data is committed,
then a cron worker's own code runs the scheduled action (`ir.cron._process_job`),
which calls it batch after batch and commits after each. `--one-transaction` runs
the same batches without those commits (everything rolled back at the end), the
way this bench first measured it.
Prints, per size: wall time of the run, SQL queries per session, peak memory,
how many batches ran, and (in one transaction) how many ORM environments the
transaction holds at the end.
"""

import os
import resource
import subprocess
import sys
from datetime import datetime, timedelta

from benchlib import configure
from freezegun import freeze_time

import odoo
from odoo import Command, api
from odoo.modules.registry import Registry

NOW = datetime(2026, 11, 20, 9, 0)


def perf_counter():
    # freezegun patches every reference to time.perf_counter; os.times() it leaves alone.
    return os.times().elapsed


LANGS = ["en_US", "es_ES", "fr_FR", "de_DE", "it_IT", "pt_BR"]


def prepare(env, count):
    """count clients, each with a screening, a series and a session done at NOW."""
    partners = env["res.partner"].create(
        [
            {
                "name": f"Bench client {i}",
                "email": f"bench{i}@example.com",
                "lang": LANGS[i % len(LANGS)],
                "tz": "Europe/Paris",
            }
            for i in range(count)
        ]
    )
    catalog = env["microneedling.contraindication"].search([])
    intakes = env["microneedling.intake"].create(
        [
            {
                "partner_id": partner.id,
                "screening_date": NOW - timedelta(days=2),
                "consent_given": True,
                "consent_date": NOW - timedelta(days=2),
                "answer_ids": [
                    Command.create({"contraindication_id": c.id, "answer": "no"}) for c in catalog
                ],
            }
            for partner in partners
        ]
    )
    intakes.action_submit()
    practitioner = env.ref("base.user_admin")
    series = env["microneedling.series"].create(
        [{"partner_id": partner.id, "user_id": practitioner.id} for partner in partners]
    )
    sessions = env["microneedling.session"].create(
        [{"series_id": s.id, "start": NOW - timedelta(hours=1)} for s in series]
    )
    sessions.write({"state": "done", "date_done": NOW})
    return sessions


def due_count(env):
    Schedule = env["microneedling.aftercare.schedule"]
    return Schedule.search_count(Schedule._due_domain())


def run_as_cron_worker(registry, database):
    """Run the aftercare job as a cron worker does, until no due line is left.

    `_process_job` runs the scheduled action up to ten times on its own cursor,
    committing after each call, while the action reports lines remaining; a job
    left partially done is acquired again, as the next worker loop would.
    Return the number of calls (batches).
    """
    IrCron = registry["ir.cron"]
    db = odoo.sql_db.db_connect(database)
    with db.cursor() as cron_cr:
        env = api.Environment(cron_cr, odoo.SUPERUSER_ID, {})
        cron = env.ref("microneedling_treatment.ir_cron_aftercare_process")
        # The job is due now by the database's clock (the Python clock is frozen).
        cron_cr.execute(
            "UPDATE ir_cron SET nextcall = now() at time zone 'UTC' WHERE id = %s", [cron.id]
        )
        cron_cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_progress")
        (last_progress,) = cron_cr.fetchone()
        cron_cr.commit()  # pylint: disable=invalid-commit
        due = due_count(env)
        while due:
            job = IrCron._acquire_one_job(cron_cr, cron.id)
            if not job:
                raise RuntimeError("the aftercare job is not ready")
            IrCron._process_job(db, cron_cr, job)  # commits
            env.invalidate_all()
            due, before = due_count(env), due
            if due >= before:
                raise RuntimeError(f"the cron made no progress ({due} due lines left)")
        cron_cr.execute(
            "SELECT COUNT(*) FROM ir_cron_progress WHERE cron_id = %s AND id > %s AND done > 0",
            [cron.id, last_progress],
        )
        (batches,) = cron_cr.fetchone()
    return batches


def schedule_module():
    # Importable once the registry has set the addons path up.
    from odoo.addons.microneedling_treatment.models import microneedling_aftercare_schedule

    return microneedling_aftercare_schedule


def run_in_one_transaction(env):
    """The same batches, in the bench's transaction, without commits."""
    Schedule = env["microneedling.aftercare.schedule"]
    sheets, batches = {}, 0
    while lines := Schedule._claim_due(schedule_module().BATCH_SIZE):
        lines._process_isolated(sheets)
        batches += 1
    env.flush_all()
    return batches


def run_size(database, count, one_transaction):
    """Prepare `count` done sessions on a copy of `database`, run the cron, report."""
    copy = f"{database}_run"
    subprocess.run(["dropdb", "--if-exists", copy], check=True)
    subprocess.run(["createdb", "-T", database, copy], check=True)
    registry = Registry(copy)
    try:
        with registry.cursor() as cr, freeze_time(NOW):
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            for lang in LANGS[1:]:
                env["res.lang"]._activate_lang(lang)
            session_ids = prepare(env, count).ids
            # The data is committed on the throwaway copy, as the cron finds it in production.
            cr.commit()  # pylint: disable=invalid-commit
        with registry.cursor() as cr, freeze_time(NOW + timedelta(days=1, minutes=1)):
            # A day on: the done, +12 h, +24 h messages and the day-1 check-in call are due.
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            due = due_count(env)
            env.invalidate_all()
            envs = "n/a"
            # Each size renders its sheets: none kept from the size before (same database name).
            schedule_module()._sheet_pdfs.clear()
            queries_before = odoo.sql_db.sql_counter
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = perf_counter()
            if one_transaction:
                batches = run_in_one_transaction(env)
                envs = len(cr.transaction.envs.data)
            else:
                cr.rollback()  # the bench's cursor sees what the cron worker commits
                batches = run_as_cron_worker(registry, copy)
            wall = perf_counter() - started
            queries = odoo.sql_db.sql_counter - queries_before
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            Schedule = env["microneedling.aftercare.schedule"]
            done = Schedule.search_count(
                [("session_id", "in", session_ids), ("state", "=", "done")]
            )
            failed = Schedule.search_count([("state", "=", "failed")])
            cr.rollback()
    finally:
        Registry.delete(copy)
        odoo.sql_db.close_db(copy)
        subprocess.run(["dropdb", "--if-exists", copy], check=True)
    mode = "one transaction" if one_transaction else "commit per batch"
    sys.stdout.write(
        f"[{mode}] sessions={count} due_steps={due} done_steps={done} failed_steps={failed} "
        f"batches={batches} wall={wall:.1f}s per_session={1000 * wall / count:.1f}ms "
        f"queries={queries} queries_per_session={queries / count:.1f} envs_at_end={envs} "
        f"peak_rss={rss_after / 1024:.0f}MiB (+{(rss_after - rss_before) / 1024:.0f}MiB "
        f"during the run)\n"
    )
    sys.stdout.flush()


def main(database, sizes, one_transaction):
    configure(database)
    for count in sizes:
        run_size(database, count, one_transaction)


if __name__ == "__main__":
    args = sys.argv[2:]
    one_transaction = "--one-transaction" in args
    sizes = [int(n) for n in args if n != "--one-transaction"] or [1000, 5000]
    main(sys.argv[1], sizes, one_transaction)
