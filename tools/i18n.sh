#!/usr/bin/env bash
# `make i18n`: regenerate i18n/microneedling_treatment.pot from the installed
# test database and merge it into every shipped .po (msgmerge keeps translations).
source "$(dirname "$0")/common.sh"
ensure_all
DB="${TEST_DB:-mn_test}"
pot="$REPO_DIR/i18n/$ADDON.pot"
odoo_bin -d "$DB" --addons-path="$(addons_path)" --data-dir="$CACHE_DIR/data" \
    --i18n-export="$pot" --modules="$ADDON" --log-level=warn --stop-after-init
command -v msgmerge >/dev/null || apt_install gettext
for po in "$REPO_DIR"/i18n/*.po; do
    [ -e "$po" ] || continue
    msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$pot"
done
say "updated $pot and the .po files: translate the new entries, then 'make test'"
