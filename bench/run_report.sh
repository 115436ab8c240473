#!/usr/bin/env bash
# The series analysis benchmark on its own database (filled once): `bash bench/run_report.sh [SERIES]`.
source "$(dirname "$0")/../tools/common.sh"
ensure_all
DB="${BENCH_DB:-mn_rep_bench}"
if ! psql -d "$DB" -Atc "select 1 from ir_module_module where name='$ADDON' and state='installed'" 2>/dev/null | grep -q 1; then
    say "installing $ADDON on the benchmark database '$DB'"
    odoo_bin -d "$DB" --addons-path="$(addons_path)" --data-dir="$CACHE_DIR/data" \
        -i "$ADDON" --without-demo=all --stop-after-init --no-http --log-level=warn \
        || die "preparing $DB failed."
else
    say "updating $ADDON on the benchmark database '$DB'"
    odoo_bin -d "$DB" --addons-path="$(addons_path)" --data-dir="$CACHE_DIR/data" \
        -u "$ADDON" --stop-after-init --no-http --log-level=warn || die "updating $DB failed."
fi
say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), PostgreSQL $(psql -d "$DB" -Atc 'show server_version')"
cd "$REPO_DIR"
BENCH_ADDONS_PATH="$(addons_path)" BENCH_DATA_DIR="$CACHE_DIR/data" \
    exec "$VENV_DIR/bin/python" bench/bench_report.py "$DB" "$@"
