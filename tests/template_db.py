"""One migrated template database, cloned for every test worker.

Migrating the schema costs far more than copying it: PostgreSQL's
``CREATE DATABASE … TEMPLATE`` copies a migrated database in well under a
second. The first worker of a run migrates a template named after the
migration files (any change to one makes a new template); the others wait for
it on an advisory lock and clone it. ``--reuse-db`` keeps a worker's clone as
long as it was made from the current template. Other database engines use
pytest-django's own set-up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connections

ALIAS = "default"


def _schema_key() -> str:
    """A digest of every migration file of every installed app, and Django's version."""
    digest = hashlib.sha256(django.get_version().encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            digest.update(f"{config.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _admin_cursor():  # type: ignore[no-untyped-def]
    import psycopg

    params = connections[ALIAS].get_connection_params()
    params["dbname"] = "postgres"
    return psycopg.connect(**params, autocommit=True)


def _exists(admin, name: str) -> bool:  # type: ignore[no-untyped-def]
    return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _comment(admin, name: str) -> str | None:  # type: ignore[no-untyped-def]
    row = admin.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    ).fetchone()
    return row[0] if row else None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _make_template(admin, template: str, base: str, key: str) -> None:  # type: ignore[no-untyped-def]
    """Migrate TEMPLATE (under the caller's lock) unless it is complete, and drop stale ones."""
    if _comment(admin, template) == key:
        return
    admin.execute(f"DROP DATABASE IF EXISTS {_quote(template)} WITH (FORCE)")
    for (stale,) in admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s", [f"{base}\\_tpl\\_%", template]
    ).fetchall():
        admin.execute(f"DROP DATABASE IF EXISTS {_quote(stale)} WITH (FORCE)")
    connection = connections[ALIAS]
    saved_test = dict(connection.settings_dict.get("TEST") or {})
    saved_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"] = {**saved_test, "NAME": template}
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    finally:
        connection.close()
        connection.settings_dict["TEST"] = saved_test
        connection.settings_dict["NAME"] = saved_name
        settings.DATABASES[ALIAS]["NAME"] = saved_name
    # Marked complete only now: a worker that died while migrating leaves
    # an unmarked template that the next run makes again.
    admin.execute(f"COMMENT ON DATABASE {_quote(template)} IS {_literal(key)}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker,  # type: ignore[no-untyped-def]
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    connection = connections[ALIAS]
    if connection.vendor != "postgresql":
        from django.test.utils import setup_databases, teardown_databases

        keep = django_db_keepdb and not django_db_createdb
        with django_db_blocker.unblock():
            config = setup_databases(verbosity=0, interactive=False, keepdb=keep)
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(config, verbosity=0)
        return
    with django_db_blocker.unblock():
        name = connection.creation._get_test_db_name()
        base = (connection.settings_dict.get("TEST") or {}).get("NAME") or f"test_{connection.settings_dict['NAME']}"
        base = base.split("_gw")[0]
        key = _schema_key()
        template = f"{base}_tpl_{key}"
        with _admin_cursor() as admin:
            reuse = django_db_keepdb and not django_db_createdb and _comment(admin, name) == key
            if not reuse:
                admin.execute("SELECT pg_advisory_lock(hashtext(%s))", [base])
                try:
                    _make_template(admin, template, base, key)
                finally:
                    admin.execute("SELECT pg_advisory_unlock(hashtext(%s))", [base])
                admin.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template)}")
                admin.execute(f"COMMENT ON DATABASE {_quote(name)} IS {_literal(key)}")
        connection.close()
        connection.settings_dict["NAME"] = name
        settings.DATABASES[ALIAS]["NAME"] = name
        connection.ensure_connection()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            for each in connections.all():
                each.close()
            with _admin_cursor() as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
