#!/usr/bin/env bash
# `make run`: the demo database with the addon, served at http://localhost:8069.
source "$(dirname "$0")/common.sh"
ensure_all

DB="${RUN_DB:-mn_demo}"
PORT="${HTTP_PORT:-8069}"
args=(-d "$DB" --db-filter="^$DB\$" --addons-path="$(addons_path)"
      --data-dir="$CACHE_DIR/data" --http-port="$PORT")

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
say "serving Odoo at http://localhost:$PORT  login: admin  password: admin  (Ctrl-C stops it)"
exec "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" "${args[@]}" "$@"
