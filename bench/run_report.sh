#!/usr/bin/env bash
# The series analysis benchmark on its own database (filled once): `bash bench/run_report.sh [SERIES]`.
source "$(dirname "$0")/../tools/common.sh"
ensure_all
DB="${BENCH_DB:-mn_rep_bench}"
prepare_bench_db "$DB"
say_machine
exec_bench bench/bench_report.py "$DB" "$@"
