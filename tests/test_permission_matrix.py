"""Every URL pattern of the project, every persona: the expected status.

Adding a URL without rows in ``tests/<app>/matrix.py`` makes this fail.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS, World
from tests.matrix import Row, all_rows, expect

ROWS = all_rows()


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    """Names of every URL pattern, recursively, as ``namespace:name``."""
    resolver = resolver or get_resolver()
    names: list[str] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            names.extend(url_names(pattern, f"{namespace}{ns}:" if ns else namespace))
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>")
    return names


def is_admin(name: str) -> bool:
    return name.startswith("admin:")


def test_it_has_rows_for_every_url_pattern() -> None:
    missing = sorted({name for name in url_names() if not is_admin(name) and name not in ROWS})
    assert not missing, f"URL patterns without permission-matrix rows: {missing}"


def test_it_has_no_rows_for_urls_that_do_not_exist() -> None:
    stale = sorted(set(ROWS) - set(url_names()))
    assert not stale, f"Matrix rows for URL names that do not exist: {stale}"


@pytest.mark.parametrize(
    ("name", "index"), [(name, i) for name, rows in sorted(ROWS.items()) for i in range(len(rows))]
)
def test_it_answers_each_persona_as_expected(world: World, name: str, index: int) -> None:
    row: Row = ROWS[name][index]
    assert set(row.expect) == set(PERSONAS), f"{name} row {index} lacks personas {set(PERSONAS) - set(row.expect)}"
    url = row.url(world)
    got: dict[str, int] = {}
    for persona in PERSONAS:
        client = world.client(persona)
        data = row.data(world) if row.data else {}
        with transaction.atomic():
            response = getattr(client, row.method)(url, data)
            transaction.set_rollback(True)
        got[persona] = response.status_code
    mismatches = {p: (row.expect[p], got[p]) for p in PERSONAS if row.expect[p] != got[p]}
    assert not mismatches, f"{row.method.upper()} {url} ({row.label or name}): persona → (expected, got) {mismatches}"


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    return urls


def test_it_keeps_the_admin_for_operators_only(world: World) -> None:
    """The admin (every pattern in the ``admin`` namespace) answers only superusers."""
    table = expect(302, operator=200)
    clients = {persona: world.client(persona) for persona in PERSONAS}
    for url in admin_urls():
        for persona, client in clients.items():
            status = client.get(url).status_code
            assert status == table[persona], f"{url} as {persona}: expected {table[persona]}, got {status}"


def test_it_refuses_every_write_by_a_guardian(world: World) -> None:
    """Every POST by a parent to a non-account URL is refused (403/404/405)."""
    account = {"login", "logout", "password_change", "password_reset", "password_reset_confirm"}
    clients = {persona: world.client(persona) for persona in ("guardian_a", "guardian_b")}
    for name, rows in ROWS.items():
        if name in account:
            continue
        for row in rows:
            for persona in ("guardian_a", "guardian_b"):
                with transaction.atomic():
                    response = clients[persona].post(row.url(world), row.data(world) if row.data else {})
                    transaction.set_rollback(True)
                assert response.status_code in (403, 404, 405), f"POST {row.url(world)} as {persona}"
