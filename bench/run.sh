#!/usr/bin/env bash
# `make bench`: the aftercare benchmark on its own database (created once).
source "$(dirname "$0")/../tools/common.sh"
ensure_all
DB="${BENCH_DB:-mn_bench}"
prepare_bench_db "$DB" --load-language="$(shipped_languages)"
say_machine
exec_bench bench/bench_aftercare.py "$DB" "$@"
