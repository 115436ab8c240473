# Quick start: `make run` serves the demo; `make test` runs the whole suite.
# Both set up whatever is missing (Odoo 18.0, Python environment, PostgreSQL,
# Chromium); see tools/common.sh for the settings (ODOO_SRC, VENV_DIR, ...).
.PHONY: run test lint setup i18n bench bench-booking loadtest screenshots clean

# `make run WORKERS=4` serves in production mode (4 HTTP workers, a cron worker
# and the websocket process on port 8072; MAX_CRON_THREADS, GEVENT_PORT, HTTP_PORT
# and RUN_DB override the defaults): see tools/run.sh.
run:
	@bash tools/run.sh

test:
	@bash tools/test.sh

lint:
	@bash tools/lint.sh

setup:
	@bash -c 'source tools/common.sh && ensure_all && say "set-up complete"'

clean:
	@bash -c 'source tools/common.sh && dropdb --if-exists mn_test && dropdb --if-exists mn_demo && dropdb --if-exists mn_load && dropdb --if-exists mn_load_run && rm -rf "$$CACHE_DIR/data" "$$CACHE_DIR/logs"'

i18n:
	@bash tools/i18n.sh

bench:
	@bash bench/run.sh

bench-booking:
	@bash bench/booking.sh

# Concurrent bookings against `odoo-bin --workers N` on 127.0.0.1, then the rule,
# lost-update and orphan checks; e.g. make loadtest LOAD_DB=mn_load ARGS="--duration 30".
loadtest:
	@bash bench/loadtest.sh $(ARGS)

# Needs `make run` serving the demo in another terminal.
screenshots:
	@bash -c 'source tools/common.sh && ensure_odoo_src && ensure_venv && SCREENSHOT_DATA_DIR="$$CACHE_DIR/data" "$$VENV_DIR/bin/python" tools/screenshots.py'
