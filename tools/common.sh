#!/usr/bin/env bash
# Shared set-up for `make run`, `make test` and `make lint`.
#
# Every step is idempotent: it checks first, acts only when something is
# missing, and stops with one clear message when it cannot do its job.
# Settings (all optional, environment variables):
#   ODOO_SRC    Odoo 18.0 source tree   (default: /opt/odoo-18.0)
#   VENV_DIR    virtual environment     (default: ~/.cache/microneedling_treatment/venv)
#   PGHOST/PGPORT/PGUSER  the usual libpq variables, when not the local socket
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON=microneedling_treatment
ODOO_SRC_DEFAULT=/opt/odoo-18.0
ODOO_ARCHIVE_URL=https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz
# A local git mirror of a repository whose commit ODOO_GIT_COMMIT is the unmodified
# Odoo 18.0 community tree (as in shared/docs/odoo18-platform.md); the first place
# tried after ODOO_SRC and the default path, before the network.
ODOO_GIT_DIRS="${ODOO_GIT_DIR:-} /work/.mirror/Disassembling-Odoo+core/repo"
ODOO_GIT_COMMIT="${ODOO_GIT_COMMIT:-504b0670bafd791af4b63a1356724898a6511336}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/$ADDON"
VENV_DIR="${VENV_DIR:-$CACHE_DIR/venv}"
# Debian's interpreter first: one stable python, whatever PATH (pyenv shims) says.
PY="${PYTHON:-$(command -v /usr/bin/python3.11 || command -v python3.11 || echo python3.11)}"

say() { printf '\033[1m[%s]\033[0m %s\n' "$ADDON" "$*" >&2; }
die() { printf '\033[1;31m[%s] ERROR:\033[0m %s\n' "$ADDON" "$*" >&2; exit 1; }

is_odoo18() { [ -f "$1/odoo/release.py" ] && grep -q "version_info = (18, 0" "$1/odoo/release.py"; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "'$*' needs root: run it as root (or install sudo), then re-run."
    fi
}

apt_install() {
    say "installing Debian packages: $*"
    if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
        || die "could not install Debian packages: $*"
}

# --- Odoo 18.0 source tree ---------------------------------------------------
# Unpack the pinned commit of a local git mirror at the default path.
odoo_from_git_mirror() {
    local dir tmp
    for dir in $ODOO_GIT_DIRS; do
        git --git-dir="$dir" cat-file -e "$ODOO_GIT_COMMIT^{commit}" 2>/dev/null || continue
        say "unpacking Odoo 18.0 ($ODOO_GIT_COMMIT) from the git mirror $dir into $ODOO_SRC_DEFAULT"
        tmp="$(mktemp -d)"
        if git --git-dir="$dir" archive "$ODOO_GIT_COMMIT" | tar -x -C "$tmp" && is_odoo18 "$tmp" \
            && as_root mkdir -p "$ODOO_SRC_DEFAULT" && as_root cp -a "$tmp/." "$ODOO_SRC_DEFAULT/"; then
            rm -rf "$tmp"
            return 0
        fi
        rm -rf "$tmp"
    done
    return 1
}

ensure_odoo_src() {
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo18 "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree (no odoo/release.py with version 18.0)."
    elif is_odoo18 "$ODOO_SRC_DEFAULT"; then
        ODOO_SRC="$ODOO_SRC_DEFAULT"
    elif odoo_from_git_mirror; then
        ODOO_SRC="$ODOO_SRC_DEFAULT"
    else
        say "no Odoo 18.0 tree at $ODOO_SRC_DEFAULT: downloading Odoo's official 18.0 source archive"
        local tmp; tmp="$(mktemp -d)"
        if curl -fsSL --max-time 600 -o "$tmp/odoo.tar.gz" "$ODOO_ARCHIVE_URL" \
            && mkdir -p "$tmp/src" && tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/src" --strip-components=1 \
            && is_odoo18 "$tmp/src" && as_root mkdir -p "$ODOO_SRC_DEFAULT" \
            && as_root cp -a "$tmp/src/." "$ODOO_SRC_DEFAULT/"; then
            ODOO_SRC="$ODOO_SRC_DEFAULT"
        else
            rm -rf "$tmp"
            die "Odoo 18.0 not found. Point ODOO_SRC at an Odoo 18.0 source tree
       (e.g. 'git clone -b 18.0 --depth 1 https://github.com/odoo/odoo', then
       'export ODOO_SRC=/path/to/odoo' or 'make test ODOO_SRC=/path/to/odoo'),
       or unpack one at $ODOO_SRC_DEFAULT."
        fi
        rm -rf "$tmp"
    fi
    export ODOO_SRC
}

# --- Debian packages -----------------------------------------------------------
ensure_system_packages() {
    local missing=()
    command -v pg_config >/dev/null || missing+=(libpq-dev)
    [ -f /usr/include/ldap.h ] || missing+=(libldap2-dev)
    [ -f /usr/include/sasl/sasl.h ] || missing+=(libsasl2-dev)
    command -v chromium >/dev/null || missing+=(chromium)
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    command -v pdftotext >/dev/null || missing+=(poppler-utils)
    [ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
    ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

# --- Python virtual environment -------------------------------------------------
# Odoo's pins, adjusted where a pin cannot be installed on Python 3.11.
odoo_requirements() {
    sed -e "s/^cbor2==5\.4\.2 ; python_version < '3\.12'/cbor2==5.6.5 ; python_version < '3.12'/" \
        "$ODOO_SRC/requirements.txt"
}

ensure_venv() {
    command -v "$PY" >/dev/null || die "$PY not found: Odoo 18 here runs on Python 3.11; set PYTHON=/path/to/python3.11."
    local want
    want="$( { odoo_requirements; cat "$REPO_DIR/requirements-dev.txt"; "$PY" --version; } | sha256sum | cut -c1-16)"
    if [ -x "$VENV_DIR/bin/python" ] && [ "$(cat "$VENV_DIR/.requirements-hash" 2>/dev/null)" = "$want" ]; then
        return
    fi
    say "building the Python environment in $VENV_DIR (once per change of requirements)"
    rm -rf "$VENV_DIR"
    mkdir -p "$(dirname "$VENV_DIR")"
    "$PY" -m venv "$VENV_DIR"
    local pip="$VENV_DIR/bin/pip"
    "$pip" install -q --upgrade pip wheel "setuptools<70" || die "pip could not prepare the environment."
    # Some of Odoo's pinned sdists still import pkg_resources at build time.
    odoo_requirements > "$VENV_DIR/odoo-requirements.txt"
    "$pip" install -q --no-build-isolation -r "$VENV_DIR/odoo-requirements.txt" \
        || die "installing Odoo's requirements failed (see pip's output above)."
    "$pip" install -q -r "$REPO_DIR/requirements-dev.txt" \
        || die "installing the project's development requirements failed."
    # Odoo itself stays where it is: the environment only points at it.
    "$VENV_DIR/bin/python" - "$ODOO_SRC" <<'PYEOF'
import site, sys
with open(site.getsitepackages()[0] + "/odoo-src.pth", "w") as f:
    f.write(sys.argv[1] + "\n")
PYEOF
    # `odoo-bin --workers N` starts a gevent process that loads gevent's plugins
    # through pkg_resources: this must resolve, or that process crash-loops
    # (see the zope pins in requirements-dev.txt).
    "$VENV_DIR/bin/python" -W ignore -c "import pkg_resources; pkg_resources.require('gevent')" \
        || die "pkg_resources cannot resolve gevent's requirements: production mode (--workers) would crash-loop."
    echo "$want" > "$VENV_DIR/.requirements-hash"
}

# --- PostgreSQL -------------------------------------------------------------------
ensure_postgres() {
    if ! pg_isready -q 2>/dev/null; then
        if command -v pg_lsclusters >/dev/null && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
            say "starting the local PostgreSQL cluster"
            pg_lsclusters -h | while read -r ver name _; do
                as_root pg_ctlcluster "$ver" "$name" start || true
            done
        fi
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
        pg_isready -q || die "PostgreSQL is not running and could not be started: start it, or set PGHOST/PGPORT to a running server."
    fi
    local role="${PGUSER:-$(id -un)}"
    if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
        say "creating the PostgreSQL role '$role'"
        as_root su postgres -c "createuser --superuser '$role'" \
            || die "could not create the PostgreSQL role '$role': create it with CREATEDB rights."
    fi
}

ensure_all() {
    ensure_odoo_src
    ensure_system_packages
    ensure_venv
    ensure_postgres
    ensure_i18n_link
    export PATH="$VENV_DIR/bin:$PATH"
}

ensure_i18n_link() {
    [ -L "$REPO_DIR/$ADDON/i18n" ] || die "$ADDON/i18n must be the symlink to ../i18n (git checkout with symlinks enabled)."
}

odoo_bin() { "$VENV_DIR/bin/python" "$ODOO_SRC/odoo-bin" "$@"; }
addons_path() { echo "$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$REPO_DIR"; }

# Languages the product ships: one .po per language in i18n/.
shipped_languages() {
    local langs=(en_US) f
    for f in "$REPO_DIR"/i18n/*.po; do
        [ -e "$f" ] || continue
        f="$(basename "$f" .po)"
        case "$f" in
            es) langs+=(es_ES) ;; fr) langs+=(fr_FR) ;; de) langs+=(de_DE) ;;
            it) langs+=(it_IT) ;; *_*) langs+=("$f") ;; *) langs+=("${f}_${f^^}") ;;
        esac
    done
    (IFS=,; echo "${langs[*]}")
}

# --- Benchmarks -------------------------------------------------------------------
# Install or update the addon, without demo data, on a benchmark database.
prepare_bench_db() {
    local db="$1"; shift
    say "installing or updating $ADDON on the benchmark database '$db'"
    odoo_bin -d "$db" --addons-path="$(addons_path)" --data-dir="$CACHE_DIR/data" \
        -i "$ADDON" -u "$ADDON" --without-demo=all --stop-after-init --no-http --log-level=warn "$@" \
        || die "preparing $db failed."
}

say_machine() {
    say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $("$VENV_DIR/bin/python" --version), PostgreSQL $(psql -d postgres -Atc 'show server_version')"
}

# Run a bench script with the settings it needs to open the database itself.
exec_bench() {
    cd "$REPO_DIR"
    BENCH_ADDONS_PATH="$(addons_path)" BENCH_DATA_DIR="$CACHE_DIR/data" \
        exec "$VENV_DIR/bin/python" "$@"
}
