#!/usr/bin/env bash
# Installs everything and serves the demo on http://127.0.0.1:8000
# (SQLite under var/, no Redis needed, demo data and logins printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export IOP_ENV=demo
# Links in the demo's emails (printed here) lead to the address it is served on.
export SITE_URL=${SITE_URL:-http://${PORT:-127.0.0.1:8000}}
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo
echo
echo "Open http://${PORT:-127.0.0.1:8000} and log in with one of the addresses above."
exec .venv/bin/python manage.py runserver "${PORT:-127.0.0.1:8000}"
