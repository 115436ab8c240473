"""Take the README screenshots from the running demo (`make run`), in headless Chromium.

Usage: python tools/screenshots.py [BASE_URL] [OUTPUT_DIR]
Logs in as the demo receptionist, then captures the sessions calendar, a series,
and the refusal shown when booking a blocked client; then as the administrator (a
microneedling manager), the series analysis pivot and the Microneedling dashboard.
Last, the client's screening page on a phone: a link can only be had server side
(its token is never stored), so one is sent for a demo client's coming visit
through `odoo-bin shell` on the demo database (SCREENSHOT_DB, default mn_demo) and
opened as a public visitor.
"""

import base64
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8069"
DB = os.environ.get("SCREENSHOT_DB", "mn_demo")
# Run in `odoo-bin shell` on the demo database: send a screening link for a demo
# client's coming visit (the demo's settings keep the feature off: it is turned on)
# and print the link, which exists only in memory.
MINT_LINK = """
env.company.microneedling_online_screening = True
session = env["microneedling.session"].search(
    [("state", "=", "booked"), ("start", ">", odoo.fields.Datetime.now()),
     ("partner_id.email", "=like", "%@example.com")], order="start", limit=1)
session.action_send_screening_link()
link = env["microneedling.screening.link"]._for_sessions(session)
print("SCREENING_URL=" + link._get_screening_url())
env.cr.commit()
"""
OUT = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")


class Browser:
    """The few Chrome DevTools Protocol calls the screenshots need."""

    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.profile = tempfile.mkdtemp()
        self.process = subprocess.Popen(
            [
                shutil.which("chromium") or "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1440,900",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2) as answer:
                    page = next(t for t in json.load(answer) if t["type"] == "page")
                break
            except OSError:
                time.sleep(0.2)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.ids = 0

    def call(self, method, **params):
        self.ids += 1
        self.ws.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.ids:
                return message.get("result", {})

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True)
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.js(f"!!document.querySelector({json.dumps(selector)})"):
                time.sleep(1)  # let the view settle
                return
            time.sleep(0.3)
        raise TimeoutError(f"{selector} did not appear")

    def goto(self, url, selector):
        self.call("Page.navigate", url=url)
        self.wait_for(selector)

    def login(self, login, password):
        self.goto(f"{BASE}/web/session/logout", "input[name=login]")
        self.js(
            f"document.querySelector('input[name=login]').value = {json.dumps(login)};"
            f"document.querySelector('input[name=password]').value = {json.dumps(password)};"
            "document.querySelector('form').submit();"
        )
        time.sleep(2)

    def click(self, selector):
        self.js(f"document.querySelector({json.dumps(selector)}).click()")

    def open_row(self, text):
        """Open the list row that mentions text."""
        self.js(
            "[...document.querySelectorAll('.o_data_row')]"
            f".find(r => r.textContent.includes({json.dumps(text)}))"
            ".querySelector('td.o_data_cell').click()"
        )

    def phone(self):
        """A 390 x 844 touch screen, as a phone shows the page."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=390,
            height=844,
            deviceScaleFactor=2,
            mobile=True,
        )
        self.call("Emulation.setTouchEmulationEnabled", enabled=True)

    def shot(self, name):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path = OUT / f"{name}.png"
        path.write_bytes(base64.b64decode(data))
        sys.stdout.write(f"wrote {path}\n")

    def close(self):
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    try:
        browser.call("Page.enable")
        browser.login("receptionist", "receptionist")
        browser.goto(f"{BASE}/odoo/microneedling-sessions", ".o_calendar_renderer .fc-event")
        browser.shot("calendar")
        browser.goto(f"{BASE}/odoo/microneedling-series", ".o_data_row")
        browser.open_row("Olivia Bennett")
        browser.wait_for(".o_form_view .o_statusbar_status")
        browser.shot("series")
        browser.goto(f"{BASE}/odoo/microneedling-series", ".o_data_row")
        browser.open_row("Emma Wilson")
        browser.wait_for('button[name="action_book_next_session"]')
        browser.click('button[name="action_book_next_session"]')
        browser.wait_for(".modal .modal-body")
        browser.shot("refusal")
        browser.goto(f"{BASE}/odoo/microneedling-clients", ".o_kanban_record")
        browser.shot("clients")
        browser.goto(f"{BASE}/odoo/microneedling-series?view_type=kanban", ".o_kanban_record")
        browser.shot("series_kanban")
        browser.login("admin", "admin")
        browser.goto(
            f"{BASE}/odoo/action-microneedling_treatment.microneedling_series_report_action",
            ".o_pivot table .o_pivot_cell_value",
        )
        browser.shot("report_pivot")
        browser.goto(f"{BASE}/odoo/dashboards", ".o_search_panel_category_value")
        browser.click('.o_search_panel_category_value[data-name="Microneedling Series"]')
        browser.wait_for(".o_renderer .o-scorecard")
        time.sleep(2)  # the charts animate
        browser.shot("dashboard")
    finally:
        browser.close()
    screening_url = mint_screening_link()
    phone = Browser()
    try:
        phone.call("Page.enable")
        phone.phone()
        phone.goto(screening_url, "form")
        phone.shot("screening_phone")
    finally:
        phone.close()


def mint_screening_link():
    """The URL of a screening link sent for a demo visit (see MINT_LINK)."""
    odoo_src = os.environ["ODOO_SRC"]
    repo = pathlib.Path(__file__).resolve().parent.parent
    addons = f"{odoo_src}/addons,{odoo_src}/odoo/addons,{repo}"
    data_dir = os.environ.get("SCREENSHOT_DATA_DIR", "")
    command = [sys.executable, f"{odoo_src}/odoo-bin", "shell", "-d", DB, "--no-http"]
    command += [f"--addons-path={addons}", "--log-level=warn"]
    if data_dir:
        command.append(f"--data-dir={data_dir}")
    output = subprocess.run(
        command, input=MINT_LINK, capture_output=True, text=True, check=True
    ).stdout
    url = next(line for line in output.splitlines() if line.startswith("SCREENING_URL="))
    # The link names the server's own base URL; the screenshot uses the one given here.
    return BASE + url[url.index("/microneedling/screening/") :]


if __name__ == "__main__":
    main()
