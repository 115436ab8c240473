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
say "installing or updating $ADDON on the load-test database '$DB'"
odoo_bin -d "$DB" --addons-path="$(addons_path)" --data-dir="$CACHE_DIR/data" \
    -i "$ADDON" -u "$ADDON" --without-demo=all --stop-after-init --no-http --log-level=warn \
    || die "preparing $DB failed."
say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $("$VENV_DIR/bin/python" --version)"
cd "$REPO_DIR"
LOAD_ADDONS_PATH="$(addons_path)" LOAD_DATA_DIR="$CACHE_DIR/data" LOAD_LOG_DIR="$CACHE_DIR/logs" \
    exec "$VENV_DIR/bin/python" bench/load_test.py "$DB" "$@"
