#!/usr/bin/env bash
# `make loadtest`: concurrent bookings against `odoo-bin --workers N` on 127.0.0.1,
# then the rule, lost-update and orphan-event checks (see bench/load_test.py).
# The database (LOAD_DB, default mn_load) gets the addon installed or updated; the
# run works on a copy of it, <LOAD_DB>_run. Options: bash bench/loadtest.sh --help.
source "$(dirname "$0")/../tools/common.sh"
ensure_all
DB="${LOAD_DB:-mn_load}"
for arg in "$@"; do
    case "$arg" in -h|--help) exec "$VENV_DIR/bin/python" "$REPO_DIR/bench/load_test.py" --help ;; esac
done
prepare_bench_db "$DB"
say_machine
cd "$REPO_DIR"
LOAD_ADDONS_PATH="$(addons_path)" LOAD_DATA_DIR="$CACHE_DIR/data" LOAD_LOG_DIR="$CACHE_DIR/logs" \
    exec "$VENV_DIR/bin/python" bench/load_test.py "$DB" "$@"
