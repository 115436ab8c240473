#!/usr/bin/env bash
# The history import benchmark on its own database (created once):
#   bash bench/run_import.sh [ROWS ...] [--csv|--xlsx]   (default: 20000 rows, both formats)
source "$(dirname "$0")/../tools/common.sh"
ensure_all
DB="${BENCH_DB:-mn_imp_bench}"
say "installing or updating $ADDON on the benchmark database '$DB'"
odoo_bin -d "$DB" --addons-path="$(addons_path)" --data-dir="$CACHE_DIR/data" \
    -i "$ADDON" -u "$ADDON" --without-demo=all --load-language="$(shipped_languages)" \
    --stop-after-init --no-http --log-level=warn || die "preparing $DB failed."
say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $("$VENV_DIR/bin/python" --version)"
cd "$REPO_DIR"
BENCH_ADDONS_PATH="$(addons_path)" BENCH_DATA_DIR="$CACHE_DIR/data" \
    exec "$VENV_DIR/bin/python" bench/bench_import.py "$DB" "$@"
