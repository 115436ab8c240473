#!/usr/bin/env bash
# `make lint`: ruff and pylint-odoo (OCA 18.0 mandatory rules) from the project's environment.
source "$(dirname "$0")/common.sh"
ensure_odoo_src
# The venv builds psycopg2 and python-ldap: their Debian headers come first.
ensure_system_packages
ensure_venv
cd "$REPO_DIR"
say "ruff"
"$VENV_DIR/bin/ruff" check --no-fix .
"$VENV_DIR/bin/ruff" format --check .
say "pylint-odoo"
"$VENV_DIR/bin/pylint" --rcfile=.pylintrc-mandatory "$ADDON" tests bench tools
say "oca-checks-odoo-module, oca-checks-po (OCA's XML, manifest and .po checks)"
# file-not-used resolves the i18n symlink out of the addon and crashes: the
# .po files are checked by oca-checks-po below instead.
"$VENV_DIR/bin/oca-checks-odoo-module" --no-verbose --disable=file-not-used "$ADDON/__manifest__.py"
shopt -s nullglob
po_files=(i18n/*.po i18n/*.pot)
if [ ${#po_files[@]} -gt 0 ]; then # po-pretty-format empties translations equal to their source ("Microneedling"):
    # the suite requires every entry translated, so that check stays off.
    "$VENV_DIR/bin/oca-checks-po" --no-verbose --disable=po-pretty-format "${po_files[@]}"; fi
say "lint clean"
