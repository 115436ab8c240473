#!/usr/bin/env bash
# `make run`: the demo database with the addon, served at http://localhost:8069.
# `make run WORKERS=4`: the same in production mode (Odoo's multi-process server):
# WORKERS HTTP worker processes, MAX_CRON_THREADS cron workers (default 1) and the
# gevent process that serves the websocket (/websocket) on GEVENT_PORT (default 8072).
# Browsers reach that port through a reverse proxy routing /websocket to it, as in
# any Odoo deployment; without one, pages work but live updates (chat, notifications)
# do not arrive.
source "$(dirname "$0")/common.sh"
ensure_all

DB="${RUN_DB:-mn_demo}"
PORT="${HTTP_PORT:-8069}"
args=(-d "$DB" --db-filter="^$DB\$" --addons-path="$(addons_path)"
      --data-dir="$CACHE_DIR/data" --http-port="$PORT")
WORKERS="${WORKERS:-0}"
[[ "$WORKERS" =~ ^[0-9]+$ ]] || die "WORKERS=$WORKERS: give a number of HTTP worker processes (0: one threaded process)."

if ! psql -d postgres -Atc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    say "creating the demo database '$DB' (demo data and the shipped languages)"
    odoo_bin "${args[@]}" -i "$ADDON" --load-language="$(shipped_languages)" \
        --stop-after-init --no-http --log-level=warn \
        || die "creating the demo database failed (see the log above)."
    odoo_bin shell "${args[@]}" --no-http --log-level=warn <<'PYEOF' >/dev/null
env.ref("base.user_admin").write({"password": "admin"})
env.cr.commit()
PYEOF
else
    say "reusing the demo database '$DB' (drop it with 'dropdb $DB' to start over)"
fi
serve=()
if [ "$WORKERS" -gt 0 ]; then
    serve=(--workers="$WORKERS" --max-cron-threads="${MAX_CRON_THREADS:-1}" --gevent-port="${GEVENT_PORT:-8072}")
    say "production mode: $WORKERS HTTP workers, ${MAX_CRON_THREADS:-1} cron worker(s), websocket on port ${GEVENT_PORT:-8072}"
fi
say "serving Odoo at http://localhost:$PORT  login: admin  password: admin  (Ctrl-C stops it)"
exec "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" "${args[@]}" "${serve[@]}" "$@"
