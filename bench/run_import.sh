#!/usr/bin/env bash
# The history import benchmark on its own database (created once):
#   bash bench/run_import.sh [ROWS ...] [--csv|--xlsx]   (default: 20000 rows, both formats)
source "$(dirname "$0")/../tools/common.sh"
ensure_all
DB="${BENCH_DB:-mn_imp_bench}"
prepare_bench_db "$DB" --load-language="$(shipped_languages)"
say_machine
exec_bench bench/bench_import.py "$DB" "$@"
