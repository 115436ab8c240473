#!/usr/bin/env bash
# `make bench-booking`: a session booking against a plain calendar event, side by side.
source "$(dirname "$0")/../tools/common.sh"
ensure_all
DB="${BENCH_DB:-mn_bench}"
prepare_bench_db "$DB"
say_machine
exec_bench bench/bench_booking.py "$DB" "$@"
