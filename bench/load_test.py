"""Load test: concurrent bookings of shared clients against `odoo-bin --workers N`.

Run with `make loadtest` (or `bash bench/loadtest.sh [options]`, see --help).
The wrapper installs or updates the addon on the load-test database (default
`mn_load`); this script then works on a throwaway copy of it (`<db>_run`, left
behind for inspection and dropped by the next run):

1. prepares a shared set of clients, each with a submitted screening (most are
   cleared; some are pregnant (absolute), some await a practitioner's review, some
   are inside a time window), an open course and, by default, an open tune-up
   series after a course completed last year (the spacing rule holds per client,
   across both), and receptionist and practitioner users with passwords;
2. starts `odoo-bin --workers N` on 127.0.0.1 only, on free ports, and waits for it
   (and for its websocket process to answer);
3. runs concurrent JSON-RPC users (threads, each with its own web session) for a
   fixed time and a bounded number of requests: they book sessions, move them
   (session start, or the calendar event's start/stop) and cancel them, all on the
   SHARED clients, so that requests conflict. Refusals (ValidationError,
   UserError, ...) are expected and counted apart from errors (anything else);
4. stops the server (always, even on errors), then checks the database with the
   SQL below: the protocol's rules, lost updates and orphan calendar events.

Exit status 1 when a rule is violated, a request failed with an error (not a
refusal), the server logged an error or a traceback, the websocket process did not
answer or restarted, or a check missed the violation planted to test it.
"""

import argparse
import ctypes
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2
import requests
import websocket
from benchlib import configure

import odoo
from odoo import Command, api, fields
from odoo.modules.registry import Registry

ADDON = "microneedling_treatment"
# Exceptions a user may legitimately get back: the server refused, and rolled back.
REFUSALS = {
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.UserError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.MissingError",
}
# Operation weights of a virtual user.
OPERATIONS = {"book": 40, "move": 20, "move_event": 20, "cancel": 20}
# Screening profiles, cycled over the clients: (label, answers, cleared review codes).
# Window answers are hours before the preparation time.
PROFILES = [
    ("cleared", {}, ()),
    ("cleared", {}, ()),
    ("cleared review", {"herpes_prone": True}, ("herpes_prone",)),
    ("pregnant (absolute)", {"pregnancy_nursing": True}, ()),
    ("cleared", {}, ()),
    ("review pending", {"weak_immune": True}, ()),
    ("time windows", {"retinol_exfoliants": 24, "recent_procedure": 72}, ()),
]
SERIES_PLANS = (3, 4)  # planned sessions of a client's open course and tune-up series
HORIZON_DAYS = 150  # bookings start between tomorrow and this many days on
DATETIME = "%Y-%m-%d %H:%M:%S"


# ----------------------------------------------------------------------------
# The rules, checked on the database after the run (plain SQL, no ORM cache)
# ----------------------------------------------------------------------------

# Two booked/done sessions of one client (across ALL their series) closer than the
# company's minimum interval. Client and company come from the series.
SQL_SPACING = """
    SELECT a.id, b.id, sa.partner_id, a.start, b.start, a.series_id = b.series_id
      FROM microneedling_session a
      JOIN microneedling_series sa ON sa.id = a.series_id
      JOIN microneedling_session b ON b.id > a.id
      JOIN microneedling_series sb ON sb.id = b.series_id
           AND sb.partner_id = sa.partner_id AND sb.company_id = sa.company_id
      JOIN res_company co ON co.id = sa.company_id
     WHERE a.state IN ('booked', 'done') AND b.state IN ('booked', 'done')
       AND abs(extract(epoch FROM a.start - b.start))
           < co.microneedling_min_interval_days * 86400
     ORDER BY sa.partner_id, a.start
"""

# A booked/done session (without a manager override) that the client's current
# screening blocks at its start: no screening, an absolute contraindication, an
# uncleared review item, an undated or still-running time window. Only sessions of
# the run (from yesterday on): a course done last year is not judged by today's
# screening.
SQL_CONTRAINDICATION = """
    WITH current_screening AS (
        SELECT DISTINCT ON (partner_id, company_id) id, partner_id, company_id
          FROM microneedling_intake
         WHERE state = 'submitted'
         ORDER BY partner_id, company_id, submitted_date DESC NULLS LAST, id DESC
    )
    SELECT s.id, sr.partner_id, s.start, coalesce(c.code, 'no screening'), c.kind
      FROM microneedling_session s
      JOIN microneedling_series sr ON sr.id = s.series_id
      LEFT JOIN current_screening cur
             ON cur.partner_id = sr.partner_id AND cur.company_id = sr.company_id
      LEFT JOIN microneedling_intake_answer a ON a.intake_id = cur.id AND a.present
      LEFT JOIN microneedling_contraindication c ON c.id = a.contraindication_id
     WHERE s.state IN ('booked', 'done') AND s.override_reason IS NULL
       AND s.start > (now() AT TIME ZONE 'UTC') - interval '1 day'
       AND (cur.id IS NULL
            OR c.kind = 'absolute'
            OR (c.kind = 'review' AND NOT coalesce(a.cleared, false))
            OR (c.kind = 'window' AND (a.last_occurrence IS NULL
                OR s.start < a.last_occurrence + c.window_hours * interval '1 hour')))
     ORDER BY s.id
"""

# A done session needs answers confirmed at most N days before it (no override).
SQL_CONFIRMATION = """
    WITH current_screening AS (
        SELECT DISTINCT ON (partner_id, company_id) id, partner_id, company_id,
               confirmed_date
          FROM microneedling_intake
         WHERE state = 'submitted'
         ORDER BY partner_id, company_id, submitted_date DESC NULLS LAST, id DESC
    )
    SELECT s.id, sr.partner_id, s.start, cur.confirmed_date
      FROM microneedling_session s
      JOIN microneedling_series sr ON sr.id = s.series_id
      JOIN res_company co ON co.id = sr.company_id
      JOIN current_screening cur
        ON cur.partner_id = sr.partner_id AND cur.company_id = sr.company_id
     WHERE s.state = 'done' AND s.override_reason IS NULL
       AND s.start > (now() AT TIME ZONE 'UTC') - interval '1 day'
       AND (cur.confirmed_date IS NULL
            OR cur.confirmed_date
               < s.start - co.microneedling_confirmation_days * interval '1 day')
"""

# More sessions (not cancelled) in a series than it plans.
SQL_CAPACITY = """
    SELECT sr.id, sr.partner_id, sr.planned_session_count, count(s.id)
      FROM microneedling_series sr
      JOIN microneedling_session s ON s.series_id = sr.id AND s.state != 'cancelled'
     GROUP BY sr.id
    HAVING count(s.id) > sr.planned_session_count
"""

# A session holding a calendar slot (booked/done/no-show) without its live event.
SQL_SESSION_WITHOUT_EVENT = """
    SELECT s.id, s.state, s.event_id
      FROM microneedling_session s
      LEFT JOIN calendar_event e ON e.id = s.event_id
     WHERE s.state IN ('booked', 'done', 'no_show')
       AND (e.id IS NULL OR NOT e.active OR e.microneedling_session_id IS DISTINCT FROM s.id)
"""

# An event of a session that is cancelled, missing, or linked to another event.
SQL_EVENT_WITHOUT_SESSION = """
    SELECT e.id, e.microneedling_session_id, s.state, s.event_id
      FROM calendar_event e
      LEFT JOIN microneedling_session s ON s.id = e.microneedling_session_id
     WHERE (e.microneedling_session_id IS NOT NULL OR e.res_model = 'microneedling.session')
       AND (s.id IS NULL OR s.state NOT IN ('booked', 'done', 'no_show')
            OR s.event_id IS DISTINCT FROM e.id)
"""

# A session and its event disagreeing on the time.
SQL_EVENT_TIMES = """
    SELECT s.id, s.start, s.stop, e.id, e.start, e.stop
      FROM microneedling_session s
      JOIN calendar_event e ON e.id = s.event_id
     WHERE s.state IN ('booked', 'done', 'no_show')
       AND (e.start IS DISTINCT FROM s.start OR e.stop IS DISTINCT FROM s.stop)
"""

SQL_SESSION_STATES = """
    SELECT state, count(*) FROM microneedling_session GROUP BY state ORDER BY state
"""

SQL_FINAL_SESSIONS = """
    SELECT id, start, state FROM microneedling_session WHERE id = ANY(%s)
"""


def check_rules(cr):
    """{rule: [offending row, ...]} for every rule the database breaks."""
    checks = {
        "spacing": SQL_SPACING,
        "contraindication": SQL_CONTRAINDICATION,
        "confirmation": SQL_CONFIRMATION,
        "capacity": SQL_CAPACITY,
        "session_without_event": SQL_SESSION_WITHOUT_EVENT,
        "event_without_session": SQL_EVENT_WITHOUT_SESSION,
        "event_times": SQL_EVENT_TIMES,
    }
    result = {}
    for rule, query in checks.items():
        cr.execute(query)
        result[rule] = cr.fetchall()
    return result


@dataclass
class Write:
    """One write of one session field as a client saw it (ack None: outcome unknown)."""

    value: str
    sent: float
    ack: float | None


def check_lost_updates(cr, journal):
    """Sessions whose final start or state is not what a last write left.

    Per session and field (start, state), the writes the clients saw succeed form a
    register: the final value must come from a write no other acknowledged write
    started after (a later-started write would have overwritten it). A write whose
    outcome is unknown (an error) may or may not have applied, and is allowed too.
    """
    if not journal:
        return []
    cr.execute(SQL_FINAL_SESSIONS, [list(journal)])
    final = {row[0]: {"start": row[1].strftime(DATETIME), "state": row[2]} for row in cr}
    lost = []
    for session_id, fields_ in journal.items():
        for name, writes in fields_.items():
            value = final.get(session_id, {}).get(name)
            last_sent = max((w.sent for w in writes if w.ack is not None), default=0.0)
            allowed = {w.value for w in writes if w.ack is None or w.ack >= last_sent}
            if value not in allowed:
                lost.append((session_id, name, value, tuple(sorted(allowed))))
    return lost


SQL_PLANT_SESSION = """
    INSERT INTO microneedling_session (series_id, partner_id, company_id, start, stop, state)
    SELECT id, partner_id, company_id, %(start)s, %(start)s + interval '1 hour', %(state)s
      FROM microneedling_series WHERE id = %(series)s
"""
SQL_PLANT_NO_SCREENING = """
    UPDATE microneedling_intake SET state = 'cancelled' WHERE partner_id = %s
"""
SQL_PLANT_EVENTS = """
    SELECT id, event_id FROM microneedling_session
     WHERE state = 'booked' AND event_id IS NOT NULL ORDER BY id LIMIT 2
"""
SQL_PLANT_CANCEL = "UPDATE microneedling_session SET state = 'cancelled' WHERE id = %s"
SQL_PLANT_EVENT_TIME = "UPDATE calendar_event SET start = start + interval '1 hour' WHERE id = %s"
SQL_PLANT_START = "UPDATE microneedling_session SET start = '2001-01-01 00:00:00' WHERE id = %s"


def plant_violations(cr, data, journal):
    """Break every rule once, through SQL: the caller checks, then rolls back."""
    by_profile = defaultdict(list)
    for partner_id, label in data["profile_of"].items():
        by_profile[label].append(partner_id)
    series_of, now = data["series_of"], data["now"]
    cleared = by_profile["cleared"]

    def plant(partner_id, days, state="booked", series_index=0):
        series = series_of[partner_id][series_index]
        start = now + timedelta(days=days)
        cr.execute(SQL_PLANT_SESSION, {"start": start, "state": state, "series": series})

    # Blocked clients booked anyway (absolute, uncleared review, inside the window).
    plant(by_profile["pregnant (absolute)"][0], 60)
    plant(by_profile["review pending"][0], 60)
    plant(by_profile["time windows"][0], 1)
    # One client, two series, one day apart (no events: two orphan sessions too).
    plant(cleared[0], 400)
    plant(cleared[0], 401, series_index=len(series_of[cleared[0]]) - 1)
    # A series over its plan; a done session with stale answers; no screening.
    for _index in range(SERIES_PLANS[0] + 1):
        plant(cleared[1], 500, state="planned")
    plant(cleared[2], 600, state="done")
    cr.execute(SQL_PLANT_NO_SCREENING, [cleared[3]])
    plant(cleared[3], 700)
    # An event left behind by a cancelled session; an event at another time.
    cr.execute(SQL_PLANT_EVENTS)
    rows = cr.fetchall()
    if len(rows) == 2:
        cr.execute(SQL_PLANT_CANCEL, [rows[0][0]])
        cr.execute(SQL_PLANT_EVENT_TIME, [rows[1][1]])
    # A start nobody wrote.
    if journal:
        cr.execute(SQL_PLANT_START, [min(journal)])


def self_test_checks(cr, data, journal, found):
    """Rules whose check does NOT see its planted violation (empty: all checks can fail)."""
    plant_violations(cr, data, journal)
    planted = check_rules(cr)
    planted["lost_update"] = check_lost_updates(cr, journal)
    cr.connection.rollback()
    return sorted(rule for rule, rows in planted.items() if not set(rows) - set(found[rule]))


# ----------------------------------------------------------------------------
# Preparation (in-process ORM, committed on the throwaway copy)
# ----------------------------------------------------------------------------


def prepare(env, client_count, series_count, seed):
    """Users, clients with their screenings and series; returns what the run needs."""
    rng = random.Random(seed)
    now = fields.Datetime.now()
    password = f"load-{rng.getrandbits(64):016x}"
    groups = {
        "reception": env.ref(f"{ADDON}.group_receptionist"),
        "practitioner": env.ref(f"{ADDON}.group_practitioner"),
    }
    users = env["res.users"].create(
        [
            {
                "name": f"Load {role} {index}",
                "login": f"load_{role}_{index}",
                # Posting (clearances, tracking) needs an author address; inbox
                # notifications keep the run from queueing e-mails.
                "email": f"load_{role}_{index}@example.com",
                "password": password,
                "tz": "UTC",
                "notification_type": "inbox",
                "groups_id": [Command.set(groups[role].ids)],
            }
            for role in groups
            for index in range(1, 4)
        ]
    )
    practitioners = users.filtered(lambda u: "practitioner" in u.login)
    partners = env["res.partner"].create(
        [{"name": f"Load client {index:02d}", "tz": "UTC"} for index in range(client_count)]
    )
    Intake = env["microneedling.intake"]
    Series = env["microneedling.series"]
    profile_of = {}
    tune_ups = Series
    for index, partner in enumerate(partners):
        label, answers, cleared = PROFILES[index % len(PROFILES)]
        if series_count > 1:
            # A course completed last year (on a clean screening of then), so that the
            # client can also have an open tune-up series next to their open course:
            # the spacing rule must hold across both.
            Intake._create_submitted(partner, {}, now - timedelta(days=400))
            done = Series.create(
                {
                    "partner_id": partner.id,
                    "planned_session_count": 3,
                    "user_id": practitioners[index % len(practitioners)].id,
                }
            )
            env["microneedling.session"].create(
                [
                    {
                        "series_id": done.id,
                        "start": now - timedelta(days=days),
                        "state": "done",
                        "date_done": now - timedelta(days=days),
                    }
                    for days in (390, 360, 330)
                ]
            )
            tune_ups |= Series.create(
                {
                    "partner_id": partner.id,
                    "kind": "tune_up",
                    "planned_session_count": SERIES_PLANS[1],
                    "user_id": practitioners[index % len(practitioners)].id,
                }
            )
        values = {
            code: (now - timedelta(hours=value)) if value is not True else True
            for code, value in answers.items()
        }
        intake = Intake._create_submitted(partner, values, now - timedelta(days=1))
        to_clear = intake.answer_ids.filtered(
            lambda a, codes=cleared: a.contraindication_id.code in codes
        )
        if to_clear:
            to_clear.with_user(practitioners[0])._clear("Load test: prevention plan in place.")
        profile_of[partner.id] = label
    # One open course per client (the protocol's rule), and the tune-up series.
    series = (
        Series.create(
            [
                {
                    "partner_id": partner.id,
                    "kind": "course",
                    "planned_session_count": SERIES_PLANS[0],
                    "user_id": practitioners[index % len(practitioners)].id,
                }
                for index, partner in enumerate(partners)
            ]
        )
        | tune_ups
    )
    series_of = defaultdict(list)
    for record in series:
        series_of[record.partner_id.id].append(record.id)
    return {
        "now": now,
        "logins": users.mapped("login"),
        "password": password,
        "series_of": dict(series_of),
        "profile_of": profile_of,
    }


def prepare_copy(database, copy, options):
    """Fresh copy of the installed database, with the load-test data committed."""
    subprocess.run(["dropdb", "--if-exists", copy], check=True)
    subprocess.run(["createdb", "-T", database, copy], check=True)
    # The attachments (menu icons, assets) live in the filestore, next to the database.
    filestore = Path(odoo.tools.config.filestore(database))
    copy_filestore = Path(odoo.tools.config.filestore(copy))
    shutil.rmtree(copy_filestore, ignore_errors=True)
    if filestore.is_dir():
        shutil.copytree(filestore, copy_filestore)
    registry = Registry(copy)
    try:
        with registry.cursor() as cr:
            context = {"tracking_disable": True, "mail_create_nosubscribe": True}
            env = api.Environment(cr, odoo.SUPERUSER_ID, context)
            data = prepare(env, options.clients, options.series, options.seed)
            # The server started next must find the data: commit the throwaway copy.
            cr.commit()  # pylint: disable=invalid-commit
    finally:
        Registry.delete(copy)
        odoo.sql_db.close_db(copy)
    return data


# ----------------------------------------------------------------------------
# The server
# ----------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent():
    """In the server's process: get SIGTERM if the load test itself dies."""
    os.setsid()
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_server(copy, options, log_path):
    port, gevent_port = free_port(), free_port()
    odoo_bin = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    command = [
        sys.executable,
        str(odoo_bin),
        f"--database={copy}",
        f"--db-filter=^{copy}$",
        f"--addons-path={os.environ['LOAD_ADDONS_PATH']}",
        f"--data-dir={os.environ['LOAD_DATA_DIR']}",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        f"--gevent-port={gevent_port}",
        f"--workers={options.workers}",
        f"--max-cron-threads={options.cron_threads}",
        "--log-handler=werkzeug:WARNING",
        "--without-demo=all",
    ]
    log = open(log_path, "w", encoding="utf-8")  # closed by stop_server()
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
    )
    process.log = log
    return process, port, gevent_port


def wait_ready(process, port, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            response = requests.get(f"http://127.0.0.1:{port}/web/login", timeout=5)
        except requests.RequestException:
            response = None  # not listening yet
        if response is not None and response.status_code == 200:
            return
        time.sleep(1)
    raise RuntimeError(f"the server did not answer within {timeout} s")


def websocket_status(gevent_port):
    """HTTP status of a websocket handshake with the gevent process (101 when it works)."""
    url = f"ws://127.0.0.1:{gevent_port}/websocket"
    try:
        connection = websocket.create_connection(
            url, origin=f"http://127.0.0.1:{gevent_port}", timeout=10
        )
    except (OSError, websocket.WebSocketException) as exc:
        return f"failed: {exc}"
    status = connection.getstatus()
    connection.close()
    return status


def stop_server(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    process.log.close()


LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) ", re.MULTILINE)
# PostgreSQL refusing one of two concurrent transactions: Odoo logs the query at
# ERROR level, then retries the whole request (counted apart, not as errors).
CONCURRENCY_FAILURES = (
    "could not serialize access",
    "deadlock detected",
    "could not obtain lock",
)


def read_server_log(log_path):
    """Counts of what the server logged: errors, tracebacks, retries, restarts."""
    text = Path(log_path).read_text(encoding="utf-8", errors="replace")
    starts = [match.start() for match in LOG_RECORD.finditer(text)] + [len(text)]
    errors = concurrency = 0
    for begin, end in zip(starts, starts[1:], strict=False):
        record = text[begin:end]
        if LOG_RECORD.match(record).group(1) not in ("ERROR", "CRITICAL"):
            continue
        if "bad query" in record and any(word in record for word in CONCURRENCY_FAILURES):
            concurrency += 1
        else:
            errors += 1
    return {
        "error_records": errors,
        "tracebacks": text.count("Traceback (most recent call last)"),
        "concurrency_failures": concurrency,
        "concurrency_retries": text.count("tries left, try again"),
        "retries_exhausted": text.count("maximum number of tries reached"),
        "websocket_process_starts": text.count("Evented Service (longpolling) running"),
    }


# ----------------------------------------------------------------------------
# The virtual users
# ----------------------------------------------------------------------------


@dataclass
class Stats:
    requests: Counter = field(default_factory=Counter)
    ok: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    refusal_reasons: Counter = field(default_factory=Counter)
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    error_samples: list = field(default_factory=list)


def refusal_reason(message):
    """A coarse reason for a refusal message, for the report only."""
    text = message.lower()
    for reason, words in (
        ("spacing", ("days apart",)),
        ("capacity", ("would have",)),
        ("absolute", ("absolute", "rules out")),
        ("review", ("review",)),
        ("window", ("earliest", "time-bound")),
        ("no screening", ("no submitted screening",)),
        ("stale (deleted meanwhile)", ("does not exist or has been deleted",)),
    ):
        if any(word in text for word in words):
            return reason
    return "other: " + message.splitlines()[0][:80]


class LoadRun:
    """Shared state of one run: budget, statistics and the write journal."""

    def __init__(self, options, data, port):
        self.options = options
        self.data = data
        self.url = f"http://127.0.0.1:{port}"
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.tickets = options.max_requests
        self.stats = Stats()
        # {session id: {"start"|"state": [Write, ...]}}
        self.journal = defaultdict(lambda: defaultdict(list))

    def take_ticket(self):
        with self.lock:
            if self.stop.is_set() or self.tickets <= 0:
                return False
            self.tickets -= 1
            return True

    def record(self, kind, outcome, latency, detail=None):
        with self.lock:
            stats = self.stats
            stats.requests[kind] += 1
            stats.latencies[kind].append(latency)
            if outcome == "ok":
                stats.ok[kind] += 1
            elif outcome == "refused":
                stats.refused[kind] += 1
                stats.refusal_reasons[refusal_reason(detail)] += 1
            else:
                stats.errors[kind] += 1
                if len(stats.error_samples) < 10:
                    stats.error_samples.append(f"{kind}: {detail}")

    def journal_write(self, session_id, name, value, sent, ack):
        with self.lock:
            self.journal[session_id][name].append(Write(value, sent, ack))


class VirtualUser(threading.Thread):
    """One web session (login) doing random operations on the shared clients."""

    def __init__(self, run, login, seed):
        super().__init__(daemon=True, name=f"vu-{login}-{seed}")
        self.run_ = run
        self.login = login
        self.rng = random.Random(seed)
        self.http = requests.Session()

    def post(self, kind, path, params):
        """JSON-RPC call: (outcome, result, sent, ack); outcome ok/refused/error."""
        payload = {"jsonrpc": "2.0", "method": "call", "params": params}
        sent = time.perf_counter()
        try:
            response = self.http.post(self.run_.url + path, json=payload, timeout=60)
            ack = time.perf_counter()
            body = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            self.run_.record(kind, "error", time.perf_counter() - sent, repr(exc))
            return "error", None, sent, None
        if body is None:
            self.run_.record(kind, "error", ack - sent, f"HTTP {response.status_code}")
            return "error", None, sent, None
        error = body.get("error")
        if not error:
            self.run_.record(kind, "ok", ack - sent)
            return "ok", body.get("result"), sent, ack
        data = error.get("data") or {}
        name, message = data.get("name", "?"), data.get("message", error.get("message", ""))
        if name in REFUSALS:
            self.run_.record(kind, "refused", ack - sent, message)
            return "refused", None, sent, ack
        self.run_.record(kind, "error", ack - sent, f"{name}: {message[:300]}")
        return "error", None, sent, None

    def call(self, kind, model, method, args, kwargs=None):
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        return self.post(kind, f"/web/dataset/call_kw/{model}/{method}", params)

    def run(self):
        run = self.run_
        if not run.take_ticket():
            return
        outcome, result, _sent, _ack = self.post(
            "login",
            "/web/session/authenticate",
            {"db": run.options.copy, "login": self.login, "password": run.data["password"]},
        )
        if outcome != "ok" or not (result or {}).get("uid"):
            return
        operations, weights = zip(*OPERATIONS.items(), strict=True)
        while run.take_ticket():
            operation = self.rng.choices(operations, weights)[0]
            partner_id = self.rng.choice(list(run.data["series_of"]))
            if operation == "book":
                self.book(partner_id)
            else:
                self.change(operation, partner_id)

    def random_start(self):
        now = self.run_.data["now"]
        day = now.date() + timedelta(days=self.rng.randint(1, HORIZON_DAYS))
        return datetime.combine(day, datetime.min.time()) + timedelta(hours=self.rng.randint(8, 17))

    def book(self, partner_id):
        series_id = self.rng.choice(self.run_.data["series_of"][partner_id])
        start = self.random_start().strftime(DATETIME)
        outcome, session_id, sent, ack = self.call(
            "book", "microneedling.session", "create", [{"series_id": series_id, "start": start}]
        )
        if outcome == "ok":
            self.run_.journal_write(session_id, "start", start, sent, ack)
            self.run_.journal_write(session_id, "state", "booked", sent, ack)

    def change(self, operation, partner_id):
        """Read the client's booked sessions (as the calendar does), then change one."""
        outcome, sessions, _sent, _ack = self.call(
            "read",
            "microneedling.session",
            "search_read",
            [[("partner_id", "=", partner_id), ("state", "=", "booked")]],
            {"fields": ["start", "event_id"], "limit": 20},
        )
        if outcome != "ok" or not sessions or not self.run_.take_ticket():
            return
        session = self.rng.choice(sessions)
        if operation == "cancel":
            outcome, _result, sent, ack = self.call(
                "cancel", "microneedling.session", "action_cancel", [[session["id"]]]
            )
            name, value = "state", "cancelled"
        else:
            start = self.random_start()
            value, name = start.strftime(DATETIME), "start"
            if operation == "move_event" and session["event_id"]:
                stop = (start + timedelta(hours=1)).strftime(DATETIME)
                outcome, _result, sent, ack = self.call(
                    "move_event",
                    "calendar.event",
                    "write",
                    [[session["event_id"][0]], {"start": value, "stop": stop}],
                )
            else:
                outcome, _result, sent, ack = self.call(
                    "move", "microneedling.session", "write", [[session["id"]], {"start": value}]
                )
        if outcome != "refused":
            # An error's outcome is unknown (ack None): the write may have applied.
            self.run_.journal_write(session["id"], name, value, sent, ack)


# ----------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def journal_contention(journal):
    """(session fields written 2+ times, of which written by overlapping requests)."""
    multiple = overlapping = 0
    for fields_ in journal.values():
        for writes in fields_.values():
            if len(writes) < 2:
                continue
            multiple += 1
            spans = sorted((w.sent, w.ack if w.ack is not None else float("inf")) for w in writes)
            if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)):
                overlapping += 1
    return multiple, overlapping


def summarize(options, data, run, elapsed, server, violations):
    stats = run.stats
    multiple, overlapping = journal_contention(run.journal)
    all_latencies = [value for values in stats.latencies.values() for value in values]
    total = sum(stats.requests.values())
    kinds = {
        kind: {
            "requests": stats.requests[kind],
            "ok": stats.ok[kind],
            "refused": stats.refused[kind],
            "errors": stats.errors[kind],
            "p50_ms": round(1000 * percentile(stats.latencies[kind], 0.5), 1),
            "p95_ms": round(1000 * percentile(stats.latencies[kind], 0.95), 1),
        }
        for kind in ("login", "read", "book", "move", "move_event", "cancel")
    }
    spacing = violations.get("spacing", [])
    return {
        "database": options.copy,
        "clients": len(data["series_of"]),
        "series_per_client": options.series,
        "client_profiles": dict(Counter(data["profile_of"].values())),
        "virtual_users": options.users,
        "logins": len(data["logins"]),
        "workers": options.workers,
        "cron_threads": options.cron_threads,
        "duration_s": round(elapsed, 1),
        "requests": total,
        "ok": sum(stats.ok.values()),
        "refused": sum(stats.refused.values()),
        "errors": sum(stats.errors.values()),
        "throughput_rps": round(total / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(1000 * percentile(all_latencies, 0.5), 1),
        "p95_ms": round(1000 * percentile(all_latencies, 0.95), 1),
        "by_kind": kinds,
        "refusal_reasons": dict(stats.refusal_reasons.most_common()),
        "error_samples": stats.error_samples,
        "server": server,
        "sessions_written": len(run.journal),
        "fields_written_twice": multiple,
        "fields_written_concurrently": overlapping,
        "violations": {rule: len(rows) for rule, rows in violations.items()},
        "spacing_same_series": sum(1 for row in spacing if row[5]),
        "spacing_across_series": sum(1 for row in spacing if not row[5]),
        "violation_samples": {
            rule: [[str(value) for value in row] for row in rows[:5]]
            for rule, rows in violations.items()
            if rows
        },
    }


def write_report(report, out):
    write = out.write
    write(
        f"\nLoad test on {report['database']}: {report['clients']} shared clients "
        f"{report['client_profiles']} with {report['series_per_client']} series each, "
        f"{report['virtual_users']} concurrent JSON-RPC users "
        f"({report['logins']} logins), odoo-bin --workers {report['workers']} "
        f"--max-cron-threads {report['cron_threads']}\n"
    )
    write(
        f"duration {report['duration_s']} s, {report['requests']} requests "
        f"({report['throughput_rps']} req/s): ok {report['ok']}, refused {report['refused']}, "
        f"errors {report['errors']}; latency p50 {report['p50_ms']} ms, "
        f"p95 {report['p95_ms']} ms\n"
    )
    write(f"{'kind':<11}{'requests':>9}{'ok':>7}{'refused':>9}{'errors':>8}{'p50 ms':>9}")
    write(f"{'p95 ms':>9}\n")
    for kind, row in report["by_kind"].items():
        write(
            f"{kind:<11}{row['requests']:>9}{row['ok']:>7}{row['refused']:>9}"
            f"{row['errors']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}\n"
        )
    write(f"refusals by reason: {report['refusal_reasons']}\n")
    for sample in report["error_samples"]:
        write(f"  error: {sample}\n")
    write(f"server: {report['server']}\n")
    write(
        f"sessions written: {report['sessions_written']} (session fields written 2+ times: "
        f"{report['fields_written_twice']}, by overlapping requests: "
        f"{report['fields_written_concurrently']}), final states: {report['session_states']}\n"
    )
    write(
        f"violations: {report['violations']} (spacing: {report['spacing_same_series']} in "
        f"one series, {report['spacing_across_series']} across a client's series)\n"
    )
    for rule, rows in report["violation_samples"].items():
        for row in rows:
            write(f"  {rule}: {', '.join(row)}\n")
    write(
        "checker self-test (one planted violation per rule, rolled back): "
        + (f"NOT DETECTED by {report['blind_checks']}" if report["blind_checks"] else "all caught")
        + "\n"
    )
    violations = sum(report["violations"].values())
    failed = violations + report["errors"] + report["server_errors"] + len(report["blind_checks"])
    write(
        f"RESULT: {'FAIL' if failed else 'PASS'} (violations {violations}, request errors "
        f"{report['errors']}, server errors {report['server_errors']})\n"
    )


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("database", help="database with the addon installed (copied)")
    parser.add_argument("--clients", type=int, default=20, help="shared clients (20)")
    parser.add_argument(
        "--series",
        type=int,
        default=2,
        choices=(1, 2),
        help="open series per client: 1 course, or 2: a course and a tune-up (2)",
    )
    parser.add_argument("--users", type=int, default=12, help="concurrent JSON-RPC users (12)")
    parser.add_argument("--workers", type=int, default=4, help="odoo-bin --workers (4)")
    parser.add_argument("--cron-threads", type=int, default=0, help="--max-cron-threads (0)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--max-requests", type=int, default=20000, help="request budget")
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument("--json", help="also write the report to this JSON file")
    options = parser.parse_args(argv)
    if options.workers < 1 or options.users < 1 or options.clients < 1:
        parser.error("--workers, --users and --clients must be at least 1")
    options.copy = f"{options.database}_run"
    return options


def run_load(options, data, port):
    run = LoadRun(options, data, port)
    logins = data["logins"]
    users = [
        VirtualUser(run, logins[index % len(logins)], options.seed + index)
        for index in range(options.users)
    ]
    started = time.perf_counter()
    for user in users:
        user.start()
    deadline = started + options.duration
    while time.perf_counter() < deadline and any(user.is_alive() for user in users):
        time.sleep(0.2)
    run.stop.set()
    for user in users:
        user.join(timeout=90)  # a request in flight ends within its 60 s timeout
    return run, time.perf_counter() - started


def main(argv):
    options = parse_args(argv)
    configure(options.copy, prefix="LOAD")
    # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C: the server is stopped below.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    out = sys.stdout
    out.write(f"preparing {options.copy} from {options.database} ...\n")
    data = prepare_copy(options.database, options.copy, options)
    log_path = Path(os.environ.get("LOAD_LOG_DIR", "/tmp")) / f"loadtest-{options.copy}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    process, port, gevent_port = start_server(options.copy, options, log_path)
    try:
        wait_ready(process, port)
        time.sleep(2)  # the websocket process starts after the HTTP workers
        ws_status = websocket_status(gevent_port)
        out.write(
            f"server up on 127.0.0.1:{port} (websocket 127.0.0.1:{gevent_port}: {ws_status}), "
            f"log {log_path}; {options.users} users for {options.duration:.0f} s ...\n"
        )
        run, elapsed = run_load(options, data, port)
    finally:
        stop_server(process)
    server = dict(read_server_log(log_path), websocket=ws_status)
    with psycopg2.connect(dbname=options.copy) as connection, connection.cursor() as cr:
        violations = check_rules(cr)
        violations["lost_update"] = check_lost_updates(cr, run.journal)
        cr.execute(SQL_SESSION_STATES)
        states = dict(cr.fetchall())
        blind = self_test_checks(cr, data, run.journal, violations)
    connection.close()
    report = summarize(options, data, run, elapsed, server, violations)
    report["session_states"] = states
    report["blind_checks"] = blind
    report["server_errors"] = (
        server["tracebacks"]
        + server["error_records"]
        + (0 if ws_status == 101 else 1)
        + max(0, server["websocket_process_starts"] - 1)
    )
    write_report(report, out)
    if options.json:
        Path(options.json).write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    failed = (
        sum(report["violations"].values()) + report["errors"] + report["server_errors"] + len(blind)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
