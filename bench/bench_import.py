"""Benchmark: import N rows of client history (N/4 clients) from a .csv and a .xlsx.

Run with `bash bench/run_import.sh [ROWS ...]` (default 20000). Each size runs on a
throwaway copy of the bench database. The file holds ROWS past appointments of
ROWS/4 clients (4 sessions 5 weeks apart; one client in ten has the last one under a
second service); half the clients give a mobile. Prints, per format: the preview
(read + check, nothing written); preview + import (above 2,000 rows the import runs
as its cron does, one batch of 1,000 clients per step, committed after each); and a
second preview + import of the same file (everything already there, nothing written):
wall time, SQL queries, queries per row, peak memory.
"""

import base64
import csv
import io
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta

import openpyxl
from benchlib import configure

import odoo
from odoo import api
from odoo.modules.registry import Registry

FIRST = datetime(2023, 1, 9, 9, 0)
STAFF = ["Paula Practitioner", "Sam Staff", "Nora Needle"]


def make_rows(count):
    rows = []
    for index in range(count):
        client, visit = divmod(index, 4)
        start = FIRST + timedelta(days=client % 300, hours=client % 8) + timedelta(weeks=5 * visit)
        second = client % 10 == 0 and visit == 3
        rows.append(
            [
                f"Client{client}",
                f"Bénédicte-{client}",
                f"client{client}@example.com",
                f"+33 6 {client // 10000:02d} {client // 100 % 100:02d} {client % 100:02d} 00"
                if client % 2
                else "",
                "French" if client % 3 else "English",
                start.strftime("%d/%m/%Y %H:%M"),
                "Microneedling + PRP" if second else "Microneedling",
                STAFF[client % len(STAFF)],
            ]
        )
    return rows


HEADER = ["First Name", "Last Name", "Email", "Mobile", "Language", "Date", "Service", "Staff"]


def as_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def as_xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        values = list(row)
        values[5] = datetime.strptime(row[5], "%d/%m/%Y %H:%M")
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure(cr, label, count, action):
    queries_before = cr.sql_log_count
    started = time.perf_counter()
    wizard = action()
    wall = time.perf_counter() - started
    queries = cr.sql_log_count - queries_before
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(
        f"  {label:<18} wall={wall:6.1f}s queries={queries:6d} "
        f"queries_per_row={queries / count:5.2f} new_clients={wizard.new_client_count} "
        f"matched={wizard.matched_client_count} new_sessions={wizard.new_session_count} "
        f"known_sessions={wizard.known_session_count} errors={wizard.error_count} "
        f"peak_rss={rss:.0f}MiB\n"
    )
    sys.stdout.flush()


def run(database, count, fmt):
    copy = f"{database}_run"
    subprocess.run(["dropdb", "--if-exists", copy], check=True)
    subprocess.run(["createdb", "-T", database, copy], check=True)
    registry = Registry(copy)
    rows = make_rows(count)
    data, filename = (
        (as_csv(rows), "history.csv")
        if fmt == "csv"
        else (
            as_xlsx(rows),
            "history.xlsx",
        )
    )
    sys.stdout.write(f"[{fmt}] rows={count} clients={count // 4} file={len(data) // 1024} KiB\n")
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["res.lang"]._activate_lang("fr_FR")
            env.company.partner_id.tz = "Europe/Paris"
            manager = env["res.users"].create(
                {
                    "name": STAFF[0],
                    "login": "bench_manager",
                    "groups_id": [(4, env.ref("microneedling_treatment.group_manager").id)],
                }
            )
            for name in STAFF[1:]:
                env["res.users"].create(
                    {
                        "name": name,
                        "login": name.lower().replace(" ", "_"),
                        "groups_id": [
                            (4, env.ref("microneedling_treatment.group_practitioner").id)
                        ],
                    }
                )
            cr.commit()  # pylint: disable=invalid-commit
            env = env(user=manager)

            def wizard():
                record = env["microneedling.import.wizard"].create(
                    {
                        "import_type": "history",
                        "file": base64.b64encode(data),
                        "filename": filename,
                        "date_order": "dmy",
                    }
                )
                record.action_read_file()
                return record

            def preview():
                record = wizard()
                record.action_preview()
                return record

            def do_import():
                record = wizard()
                record.action_preview()
                record.action_import()
                # Above BACKGROUND_ROWS the import runs as the cron does: one batch of
                # clients per step, committed after each.
                while record.state == "running":
                    record.env["microneedling.import.wizard"]._cron_run_imports()
                    cr.commit()  # pylint: disable=invalid-commit
                env.flush_all()
                return record

            measure(cr, "preview", count, preview)
            measure(cr, "preview + import", count, do_import)
            cr.commit()  # pylint: disable=invalid-commit
            measure(cr, "second import", count, do_import)
            cr.commit()  # pylint: disable=invalid-commit
    finally:
        Registry.delete(copy)
        odoo.sql_db.close_db(copy)
        subprocess.run(["dropdb", "--if-exists", copy], check=True)


def main(database, sizes, formats):
    configure(database)
    for count in sizes:
        for fmt in formats:
            run(database, count, fmt)


if __name__ == "__main__":
    args = sys.argv[2:]
    formats = [a[2:] for a in args if a in ("--csv", "--xlsx")] or ["csv", "xlsx"]
    sizes = [int(a) for a in args if a.isdigit()] or [20000]
    main(sys.argv[1], sizes, formats)
