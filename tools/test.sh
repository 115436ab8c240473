#!/usr/bin/env bash
# `make test`: fresh database, addon install (its log is checked), whole suite.
source "$(dirname "$0")/common.sh"
ensure_all

DB="${TEST_DB:-mn_test}"
LOG_DIR="$CACHE_DIR/logs"
mkdir -p "$LOG_DIR"
INSTALL_LOG="$LOG_DIR/install-$DB.log"

say "building a fresh test database '$DB'"
dropdb --if-exists "$DB"
rm -rf "$CACHE_DIR/data/filestore/$DB"

# Odoo appends to its log file: start it afresh, or an earlier run's lines count.
rm -f "$INSTALL_LOG"
say "installing $ADDON (log: $INSTALL_LOG)"
start=$(date +%s)
if ! odoo_bin -d "$DB" --addons-path="$(addons_path)" --data-dir="$CACHE_DIR/data" \
        -i "$ADDON" --load-language="$(shipped_languages)" \
        --stop-after-init --no-http --log-level=info --logfile="$INSTALL_LOG"; then
    tail -n 40 "$INSTALL_LOG" >&2
    die "installing $ADDON failed (full log: $INSTALL_LOG)."
fi
say "installed in $(( $(date +%s) - start )) s"
# The install is a test: any ERROR, and any WARNING about the addon, fails it.
bad="$(grep -E ' (ERROR|CRITICAL) ' "$INSTALL_LOG" || true)
$(grep -E ' WARNING ' "$INSTALL_LOG" | grep -i 'microneedling' || true)"
if [ -n "${bad//[$'\n' ]/}" ]; then
    printf '%s\n' "$bad" >&2
    die "the install log has ERROR or WARNING lines from $ADDON (above; full log: $INSTALL_LOG)."
fi

say "running the test suite with pytest-odoo (browser tests in headless Chromium)"
cd "$REPO_DIR"
exec "$VENV_DIR/bin/python" -m pytest tests \
    --odoo-database="$DB" \
    --odoo-addons-path="$(addons_path)" \
    --odoo-extra="data-dir=$CACHE_DIR/data" \
    --odoo-log-level=warn \
    --odoo-http \
    "$@"
