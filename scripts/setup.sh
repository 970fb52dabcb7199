#!/usr/bin/env bash
# Installs everything the project needs on a Debian machine: system packages
# (when missing), the Python virtualenv, front-end assets from npm, compiled
# translations. Safe to run again; it skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root (or sudo) to run: $*" >&2; exit 1; fi
}

# --- System packages -----------------------------------------------------------
APT_PACKAGES=(
  python3 python3-venv python3-dev build-essential
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  fonts-dejavu fonts-liberation2 poppler-utils gettext
  chromium nodejs npm postgresql redis-server
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  case "$pkg" in
    python3|python3-venv|python3-dev|build-essential)
      # Any working Python >= 3.11 with venv will do (it need not be Debian's).
      python3 -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null && continue ;;
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
    postgresql) { command -v pg_ctlcluster >/dev/null || command -v postgres >/dev/null; } && continue ;;
    redis-server) command -v redis-server >/dev/null && continue ;;
  esac
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "Installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- Python ------------------------------------------------------------------
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  log "Creating the virtualenv in .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  log "Installing Python dependencies"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  rm -f .venv/.installed-* && touch "$stamp"
fi

# --- Front-end assets (npm registry; never committed) -------------------------
npm_stamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$npm_stamp" ]; then
  log "Installing front-end assets from npm"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$npm_stamp"
fi
mkdir -p static/vendor
cp node_modules/@digdir/designsystemet-css/dist/src/index.css static/vendor/designsystemet.css
cp node_modules/@digdir/designsystemet-theme/brand/digdir.css static/vendor/digdir.css
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

# --- Translations ----------------------------------------------------------------
IOP_ENV=${IOP_ENV:-demo} .venv/bin/python manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules
log "Set-up done"
