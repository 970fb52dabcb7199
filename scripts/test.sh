#!/usr/bin/env bash
# Installs everything and runs the whole test suite against the real
# PostgreSQL and Redis (started here when they are not answering), with
# Debian's Chromium for the browser tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Services ----------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "Starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "Starting Redis"
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi
# Trust auth for the local test role (as on CI); a password-protected server
# can be used with DATABASE_URL instead.
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/iop}
db_name=${DATABASE_URL##*/}
if ! psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '${db_name}'" 2>/dev/null | grep -q 1; then
  psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"${db_name}\"" || true
fi
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export DJANGO_SETTINGS_MODULE=iop.settings_test

# --- Static checks -----------------------------------------------------------
log "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
log "mypy"
.venv/bin/mypy iop students curriculum followup
log "Django checks"
.venv/bin/python manage.py check
.venv/bin/python manage.py makemigrations --check --dry-run
env -u DJANGO_ALLOW_ASYNC_UNSAFE IOP_ENV=production SECRET_KEY="$(head -c 64 /dev/urandom | base64 | tr -d '\n/+=')" ALLOWED_HOSTS=iop.example.org SITE_URL=https://iop.example.org CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
  DJANGO_SETTINGS_MODULE=iop.settings .venv/bin/python manage.py check --deploy --fail-level WARNING

# --- Tests -------------------------------------------------------------------
log "pytest"
set +e
# The longest tests are collected first (tests/conftest.py) and handed out
# one at a time, so each worker takes the next one as it becomes free.
.venv/bin/pytest -n 3 --dist load --maxschedchunk 1 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then echo "No tests were collected." >&2; exit 1; fi
exit "$status"
