# Production image: gunicorn + Celery share it (see docker-compose.yml).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 IOP_ENV=production STATIC_ROOT=/app/staticfiles
# gunicorn's own lines (start-up, workers, access log) in the app's log format and time zone,
# whatever command starts it (docker-compose.yml's too).
ENV GUNICORN_CMD_ARGS="--logger-class iop.logging.GunicornLogger"
# postgresql-client-16 (from the PostgreSQL project's apt repository) gives manage.py backup and restore
# a pg_dump/pg_restore as new as the server in docker-compose.yml (postgres:16).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      fonts-dejavu fonts-liberation2 gettext curl postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-16 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY iop iop
COPY students students
COPY curriculum curriculum
COPY followup followup
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /src/node_modules/@digdir/designsystemet-css/dist/src/index.css static/vendor/designsystemet.css
COPY --from=assets /src/node_modules/@digdir/designsystemet-theme/brand/digdir.css static/vendor/digdir.css
COPY --from=assets /src/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
# Build-time only values: collectstatic and compilemessages need settings to load.
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    sh -c "python manage.py compilemessages -v0 --ignore=node_modules && python manage.py collectstatic --noinput -v0"
RUN useradd --system --uid 1000 iop && mkdir -p /app/var/media && chown -R iop /app/var && chmod 0750 /app/var/media
USER iop
EXPOSE 8000
# No gunicorn access log: the app logs every request itself, with its id, without
# the query string and with the calendar feed's secret masked (iop/logging.py).
CMD ["gunicorn", "iop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket"]
