import threading
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.microneedling_treatment.models import microneedling_aftercare_schedule

from .common import NOW, screen_client
from .test_aftercare import AftercareCase

SCHEDULE_LOGGER = "odoo.addons.microneedling_treatment.models.microneedling_aftercare_schedule"
CRON_XMLID = "microneedling_treatment.ir_cron_aftercare_process"
# A day on: per session the done, +12 h and +24 h messages and the day-1 check-in are due.
DAY_ONE = NOW + timedelta(days=1, minutes=1)
# Tables the committed-data tests write to: they must be left as they were found.
TOUCHED_TABLES = (
    "res_partner",
    "microneedling_intake",
    "microneedling_intake_answer",
    "microneedling_series",
    "microneedling_session",
    "microneedling_aftercare_schedule",
    "calendar_event",
    "calendar_attendee",
    "mail_message",
    "mail_mail",
    "mail_notification",
    "mail_followers",
    "mail_activity",
    "ir_attachment",
    "ir_cron_trigger",
    "ir_cron_progress",
    "sms_sms",
    "bus_bus",
)
# Rows only these tests can have created since they started (no ORM owner to unlink them).
SWEPT_TABLES = ("ir_cron_trigger", "ir_cron_progress", "bus_bus", "ir_attachment")


@contextmanager
def counting_pdf_renders(env):
    """Yield the list of the ids of the records each PDF render is for (the renders run)."""
    Report = type(env["ir.actions.report"])
    render_pdf, rendered = Report._render_qweb_pdf, []

    def counted_render_pdf(report, report_ref, res_ids=None, data=None):
        rendered.append(res_ids)
        return render_pdf(report, report_ref, res_ids=res_ids, data=data)

    # The PDFs are cached by process: start from an empty cache.
    microneedling_aftercare_schedule._sheet_pdfs.clear()
    with patch.object(Report, "_render_qweb_pdf", counted_render_pdf):
        yield rendered


@tagged("post_install", "-at_install", "microneedling")
class TestAftercareCronConcurrency(TransactionCase):
    """Two real transactions run the aftercare cron at once, on committed data.

    The data of a TransactionCase is invisible to other cursors: these tests
    commit their own clients and sessions in a cursor of their own, and delete
    them (and check the tables are back as they were) whatever the outcome.
    """

    def committed_sessions(self, count):
        """`count` clients, each with a session done at NOW, committed; removed at cleanup."""
        with self.registry.cursor() as cr:
            counts = self.table_counts(cr)
            cr.execute(
                "SELECT "
                + ", ".join(f"(SELECT COALESCE(MAX(id), 0) FROM {table})" for table in SWEPT_TABLES)
            )
            last_ids = dict(zip(SWEPT_TABLES, cr.fetchone(), strict=True))
        ids = {}
        self.addCleanup(self.remove_committed, ids, counts, last_ids)
        with self.registry.cursor() as cr, freeze_time(NOW):
            env = api.Environment(cr, SUPERUSER_ID, {})
            partners = env["res.partner"].create(
                [
                    {"name": f"Concurrent client {i}", "email": f"concurrent{i}@example.com"}
                    for i in range(count)
                ]
            )
            ids["partners"] = partners.ids
            intakes = env["microneedling.intake"]
            for partner in partners:
                intakes |= screen_client(env, partner)
            ids["intakes"] = intakes.ids
            series = env["microneedling.series"].create(
                [{"partner_id": p.id, "user_id": env.ref("base.user_admin").id} for p in partners]
            )
            ids["series"] = series.ids
            sessions = env["microneedling.session"].create(
                # One hour each: the practitioner is in one session at a time.
                [
                    {"series_id": s.id, "start": NOW - timedelta(hours=1 + index)}
                    for index, s in enumerate(series)
                ]
            )
            sessions.action_done()
            ids["sessions"] = sessions.ids
        return ids["sessions"]

    @staticmethod
    def table_counts(cr):
        cr.execute(
            "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in TOUCHED_TABLES)
        )
        return dict(zip(TOUCHED_TABLES, cr.fetchone(), strict=True))

    def remove_committed(self, ids, counts, last_ids):
        with self.registry.cursor() as cr:
            # _force_unlink: the records of a done session are guarded against deletion,
            # as they are against everything but uninstalling the module.
            env = api.Environment(cr, SUPERUSER_ID, {"_force_unlink": True})
            env["microneedling.series"].browse(ids.get("series", [])).unlink()
            env["microneedling.intake"].browse(ids.get("intakes", [])).unlink()
            env["res.partner"].browse(ids.get("partners", [])).unlink()
            env.flush_all()
            for table, last_id in last_ids.items():
                cr.execute(f"DELETE FROM {table} WHERE id > %s", [last_id])  # noqa: S608
            after = self.table_counts(cr)
        self.assertEqual(after, counts, "the test left rows behind in the database")

    def run_concurrently(self, *workers):
        """Run each worker(env, events) in its own thread, cursor and transaction.

        A worker returns what it saw before committing; a lock wait longer than
        3 s fails its transaction, so a worker that waits for another shows up as
        an error instead of hanging the suite.
        """
        results, errors = {}, {}
        events = {name: threading.Event() for name in ("a_ran", "b_ran")}

        def target(name, worker):
            try:
                with self.registry.cursor() as cr:
                    cr.execute("SET LOCAL lock_timeout = '3s'")
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    results[name] = worker(env, events)
            except Exception as error:  # noqa: BLE001 - reported by the test below
                errors[name] = error
            finally:
                for event in events.values():
                    event.set()  # never leave the other worker waiting

        threads = [
            threading.Thread(target=target, args=(name, worker), name=f"aftercare-{name}")
            for name, worker in zip("ab", workers, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse([t.name for t in threads if t.is_alive()], "a worker never finished")
        self.assertFalse(errors, "a worker failed (a lock wait shows up as a lock timeout)")
        return results

    @staticmethod
    def processed_here(env, line_ids):
        """The lines this (uncommitted) transaction ran: nobody else committed any yet."""
        env.flush_all()
        env.cr.execute(
            "SELECT id FROM microneedling_aftercare_schedule WHERE id IN %s AND state != 'pending'",
            [tuple(line_ids)],
        )
        return {row[0] for row in env.cr.fetchall()}

    def due_line_ids(self, session_ids):
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT id FROM microneedling_aftercare_schedule
                    WHERE session_id IN %s AND state = 'pending' AND send_date <= %s
                 ORDER BY send_date, id""",
                [tuple(session_ids), DAY_ONE],
            )
            return [row[0] for row in cr.fetchall()]

    def assert_ran_once(self, session_ids, line_ids):
        """Committed: every line done, and each session messaged once per step."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lines = env["microneedling.aftercare.schedule"].browse(line_ids)
            self.assertEqual(set(lines.mapped("state")), {"done"})
            for session in env["microneedling.session"].browse(session_ids):
                messages = session.message_ids.filtered(
                    lambda m, s=session: m.message_type == "auto_comment"
                    and s.partner_id in m.partner_ids
                )
                self.assertEqual(len(messages), 3, "done, +12 h and +24 h: each once")
                self.assertEqual(len(set(messages.mapped("subject"))), 3)
                # Planned when the session was done, not by the cron: once.
                self.assertEqual(len(session.activity_ids), 2, "the day-1 and day-7 calls")

    def test_manual_run_while_the_cron_holds_lines(self):
        """The cron's batch is still open: a manual run takes the other lines, at once."""
        session_ids = self.committed_sessions(2)
        line_ids = self.due_line_ids(session_ids)
        # The client messages due by then; staff activities were planned at once.
        self.assertEqual(len(line_ids), 6)

        def cron(env, events):
            env["microneedling.aftercare.schedule"]._cron_process_due(batch_size=4)
            mine = self.processed_here(env, line_ids)
            events["a_ran"].set()
            # Keep this transaction (and its row locks) open until the other has run.
            events["b_ran"].wait(timeout=60)
            return mine

        def manual(env, events):
            events["a_ran"].wait(timeout=60)
            env["microneedling.aftercare.schedule"]._cron_process_due(batch_size=5)
            mine = self.processed_here(env, line_ids)
            events["b_ran"].set()
            return mine

        with freeze_time(DAY_ONE):
            results = self.run_concurrently(cron, manual)
        self.assertEqual(results["a"], set(line_ids[:4]), "the cron's batch: the 4 first lines")
        self.assertEqual(results["b"], set(line_ids[4:]), "the manual run: the 2 others")
        self.assert_ran_once(session_ids, line_ids)

    def test_two_workers_claim_at_the_same_instant(self):
        session_ids = self.committed_sessions(2)
        line_ids = self.due_line_ids(session_ids)
        start = threading.Barrier(2, timeout=60)
        end = threading.Barrier(2, timeout=60)

        def worker(env, events):
            start.wait()
            env["microneedling.aftercare.schedule"]._cron_process_due(batch_size=3)
            mine = self.processed_here(env, line_ids)
            end.wait()  # both have run their batch before either commits
            return mine

        with freeze_time(DAY_ONE):
            results = self.run_concurrently(worker, worker)
        self.assertEqual(len(results["a"]), 3)
        self.assertEqual(len(results["b"]), 3)
        self.assertFalse(results["a"] & results["b"], "a line ran in both transactions")
        self.assertEqual(results["a"] | results["b"], set(line_ids))
        self.assert_ran_once(session_ids, line_ids)


@freeze_time(NOW)
class TestAftercareCronFailures(AftercareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.immediate = cls.env.ref("microneedling_treatment.aftercare_step_immediate")
        cls.template = cls.immediate.mail_template_id
        cls.clients = cls.env["res.partner"].create(
            [
                {"name": f"Client {ref or 'without reference'}", "email": f"c{i}@example.com"}
                | ({"ref": ref} if ref else {})
                for i, ref in enumerate(("A-1", "B-2", None))
            ]
        )

    def break_template(self):
        # Renders for a client with a reference, raises for a client without one.
        self.template.body_html = '<p>Ref: <t t-out="object.partner_id.ref.lower()"/></p>'

    def test_broken_template_fails_its_line_only(self):
        sessions = [self.done_session(client) for client in self.clients]
        self.break_template()
        broken = self.lines(sessions[2], "aftercare_step_immediate")
        with self.assertLogs(SCHEDULE_LOGGER, "WARNING") as logs:
            self.run_cron()
        self.assertIn(f"Aftercare line {broken.id} ", "\n".join(logs.output))
        self.assertEqual(broken.state, "failed")
        self.assertIn("Failed to render", broken.error_message)
        self.assertFalse(self.client_messages(sessions[2]))
        for session in sessions[:2]:
            self.assertEqual(self.lines(session, "aftercare_step_immediate").state, "done")
            message = self.client_messages(session)
            self.assertEqual(len(message), 1)
            self.assertIn(session.partner_id.ref.lower(), message.body)
            mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
            self.assertEqual(mail.state, "outgoing")
        # A rerun later: the sent messages are not sent again, the failed line stays failed,
        # and the next step runs for everybody (the 12 h one, due at night, the next morning).
        with freeze_time(NOW + timedelta(hours=23)):
            self.run_cron()
        for session in sessions:
            self.assertEqual(self.lines(session, "aftercare_step_12h").state, "done")
        for session in sessions[:2]:
            self.assertEqual(len(self.client_messages(session)), 2)
        self.assertEqual(len(self.client_messages(sessions[2])), 1)
        self.assertEqual(broken.state, "failed")

    def test_managers_read_the_error_and_retry(self):
        session = self.done_session(self.clients[2])
        self.break_template()
        self.run_cron()
        line = self.lines(session, "aftercare_step_immediate")
        as_manager = line.with_user(self.user_manager)
        self.assertIn("Failed to render", as_manager.read(["error_message"])[0]["error_message"])
        with self.assertRaises(AccessError):
            line.with_user(self.user_receptionist).read(["error_message"])
        self.assertEqual(line.with_user(self.user_receptionist).state, "failed")
        with self.assertRaises(AccessError):
            line.with_user(self.user_practitioner).action_retry()
        # The manager fixes the template, then retries: the step runs, once.
        self.template.body_html = "<p>Your aftercare guide</p>"
        as_manager.action_retry()
        self.assertEqual(line.state, "pending")
        self.assertFalse(as_manager.error_message)
        with freeze_time(NOW + timedelta(minutes=5)):
            self.run_cron()
            self.run_cron()
        self.assertEqual(line.state, "done")
        self.assertEqual(len(self.client_messages(session)), 1)

    def test_retry_refuses_lines_that_did_not_fail(self):
        session = self.done_session(self.clients[0])
        self.run_cron()
        done = self.lines(session, "aftercare_step_immediate")
        with self.assertRaisesRegex(UserError, "did not fail"):
            done.with_user(self.user_manager).action_retry()
        self.assertEqual(done.state, "done")

    def test_retry_after_undo_withdraws(self):
        session = self.done_session(self.clients[2])
        self.break_template()
        self.run_cron()
        line = self.lines(session, "aftercare_step_immediate")
        session.with_user(self.user_practitioner).action_reset_to_booked()
        self.assertEqual(line.state, "failed", "a failed step is history, like a done one")
        line.with_user(self.user_manager).action_retry()
        self.assertEqual(line.state, "cancelled")


@freeze_time(NOW)
class TestAftercareCronProgress(AftercareCase):
    def setUp(self):
        super().setUp()
        self.cron = self.env.ref(CRON_XMLID)
        self.cron.code = "model._cron_process_due(batch_size=2)"
        self.sessions = [
            self.done_session(
                self.env["res.partner"].create({"name": f"Batch client {i}", "email": "b@x.org"})
            )
            for i in range(5)
        ]
        self.immediate = self.Schedule.browse(
            [self.lines(s, "aftercare_step_immediate").id for s in self.sessions]
        ).sorted()

    def progress(self):
        """(done, remaining) of each cron call, oldest first."""
        records = self.env["ir.cron.progress"].search([("cron_id", "=", self.cron.id)], order="id")
        return [(p.done, p.remaining) for p in records]

    def triggers(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])

    def test_run_manually_runs_one_batch_and_reports_the_rest(self):
        self.env["ir.cron.progress"].search([("cron_id", "=", self.cron.id)]).unlink()
        self.triggers().unlink()
        self.cron.method_direct_trigger()
        self.assertEqual(self.progress(), [(2, 3)])
        self.assertEqual(self.immediate.mapped("state"), ["done"] * 2 + ["pending"] * 3)
        # "Run Manually" runs one call: the cron is triggered for the rest.
        self.assertEqual(self.triggers().call_at, NOW)

    def test_the_cron_framework_commits_and_calls_again(self):
        """Run the job as a cron worker does: ir.cron commits between calls, until done."""
        self.env["ir.cron.progress"].search([("cron_id", "=", self.cron.id)]).unlink()
        self.env.flush_all()
        self.registry.enter_test_mode(self.cr)
        try:
            with counting_pdf_renders(self.env) as rendered:
                self.registry["ir.cron"]._process_job(
                    self.registry.db_name,
                    self.registry.cursor(),
                    {
                        **self.cron.read(load=None)[0],
                        "done": 0,
                        "remaining": 0,
                        "timed_out_counter": 0,
                    },
                )
        finally:
            self.registry.leave_test_mode()
        self.env.invalidate_all()
        self.assertEqual(self.progress(), [(2, 3), (2, 1), (1, 0)])
        self.assertEqual(set(self.immediate.mapped("state")), {"done"})
        for session in self.sessions:
            self.assertEqual(len(self.client_messages(session)), 1)
        self.assertEqual(self.cron.failure_count, 0)
        self.assertEqual(len(rendered), 1, "one sheet for the three calls (transactions)")

    def test_cron_code_of_earlier_installs_still_runs(self):
        # noupdate data: a database installed before the progress API keeps this code.
        self.cron.code = "model._cron_process_due(auto_commit=True)"
        self.cron.method_direct_trigger()
        self.assertEqual(set(self.immediate.mapped("state")), {"done"})

    def test_called_outside_the_cron_leaves_the_rest_to_it(self):
        self.triggers().unlink()
        claimed = self.Schedule._cron_process_due(batch_size=2)
        self.assertEqual(claimed, self.immediate[:2])
        self.assertEqual(self.immediate.mapped("state"), ["done"] * 2 + ["pending"] * 3)
        self.assertEqual(self.triggers().call_at, NOW, "the cron runs the rest at once")
        self.Schedule._cron_process_due(batch_size=2)
        self.triggers().unlink()
        self.Schedule._cron_process_due(batch_size=2)
        self.assertEqual(set(self.immediate.mapped("state")), {"done"})
        self.assertFalse(self.triggers(), "nothing left: no trigger")


@freeze_time(NOW)
class TestAftercareSheetCache(AftercareCase):
    def client_sheet(self, session):
        message = self.client_messages(session)
        self.assertEqual(len(message.attachment_ids), 1)
        return message.attachment_ids

    def test_one_render_per_distinct_sheet(self):
        first, second = (
            self.env["res.partner"].create({"name": f"Sheet client {i}", "email": "s@x.org"})
            for i in range(2)
        )
        with counting_pdf_renders(self.env) as rendered:
            sessions = self.done_session(first)
            self.run_cron()
            sessions |= self.done_session(second)
            self.run_cron()  # another call, as another cron batch would be: no new render
            self.assertEqual(len(rendered), 1)
            # The letterhead changes: the sheet is new, it is rendered again.
            self.env.company.report_header = "Skin first"
            third = self.done_session(self.env["res.partner"].create({"name": "Sheet client 2"}))
            self.run_cron()
            self.assertEqual(len(rendered), 2)
        for session in sessions | third:
            self.assertTrue(self.client_sheet(session).name.endswith(".pdf"))

    def test_each_company_its_own_letterhead(self):
        other = self.env["res.company"].create({"name": "Second Spa", "phone": "+33 4 00 00 00 00"})
        for user in (self.user_practitioner, self.user_receptionist):
            user.company_ids |= other
        here_client, other_client = (
            self.env["res.partner"].create({"name": f"Spa client {i}", "email": "t@x.org"})
            for i in range(2)
        )
        here = self.done_session(here_client)
        screen_client(
            self.env(user=self.user_practitioner, context={"allowed_company_ids": [other.id]}),
            other_client,
        )
        series = (
            self.env["microneedling.series"]
            .with_user(self.user_receptionist)
            .with_company(other)
            .create({"partner_id": other_client.id, "user_id": self.user_practitioner.id})
        )
        there = (
            self.env["microneedling.session"]
            .with_user(self.user_receptionist)
            .with_company(other)
            .create({"series_id": series.id, "start": self.free_hour(NOW - timedelta(hours=1))})
        )
        there.with_user(self.user_practitioner).with_company(other).action_done()
        self.assertEqual(there.company_id, other)
        with counting_pdf_renders(self.env) as rendered:
            self.run_cron()
        # One batch, one language, two companies: two sheets, each from its company's session.
        self.assertEqual(sorted(rendered), sorted([here.ids, there.ids]))
        self.assertTrue(self.client_sheet(there))
