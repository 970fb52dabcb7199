"""Single sign-on through a real OpenID Connect provider (panva's
oidc-provider from npm, tests/oidc/provider.mjs) on 127.0.0.1: nothing of the
protocol is mocked. One provider process serves the whole test session.

Two issuers are configured on it: "staff" (matched by ``sub`` against the
external identities) and "guardians" (the ``pid`` claim, matched by its keyed
hash against the guardian links).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from iop.sso_config import allauth_providers, form_action_origins, parse_issuers
from students.models import ExternalIdentity, GuardianLink, User
from students.sso import national_id_hash
from tests.conftest import World
from tests.e2e.conftest import assert_accessible

PROVIDER_JS = Path(__file__).resolve().parents[1] / "oidc" / "provider.mjs"
CLIENT_SECRET = "iop-test-secret"
PID = "01017012345"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def oidc_issuer(live_server: Any) -> Iterator[str]:
    """Starts the provider for the session; its issuer address."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found; scripts/setup.sh installs it.")
    port = free_port()
    uris = [f"{live_server.url}/konto/sso/{i}/tilbake/" for i in ("staff", "guardians")]
    uris.append(f"{live_server.url}/konto/logg-inn/")
    process = subprocess.Popen(  # noqa: S603
        [node, str(PROVIDER_JS), str(port), *uris],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ready "), f"the OpenID provider did not start: {line!r}"
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(settings: Any, oidc_issuer: str, transactional_world: World) -> World:
    """The two issuers configured on the provider; the teacher has an
    identity at "staff", guardian A's link holds the hash of PID."""
    raw = json.dumps(
        [
            {"id": "staff", "name": "Feide", "server_url": oidc_issuer, "client_id": "iop", "secret": CLIENT_SECRET},
            {
                "id": "guardians",
                "name": "ID-porten",
                "server_url": oidc_issuer,
                "client_id": "iop",
                "secret": CLIENT_SECRET,
                "users": "guardians",
            },
        ]
    )
    issuers = parse_issuers(raw)
    settings.OIDC_PROVIDERS = issuers
    settings.SOCIALACCOUNT_PROVIDERS = allauth_providers(issuers)
    policy = json.loads(json.dumps(settings.CONTENT_SECURITY_POLICY))
    policy["DIRECTIVES"]["form-action"] = ["'self'", *form_action_origins(issuers)]
    settings.CONTENT_SECURITY_POLICY = policy
    w = transactional_world
    teacher = w.user("teacher")
    for subject in ("tone@skole.example", "wrong-audience-tone", "expired-tone"):
        ExternalIdentity.objects.create(user=teacher, issuer="staff", subject=subject)
    GuardianLink.objects.filter(user=w.user("guardian_a")).update(national_id_hash=national_id_hash(PID))
    return w


def sign_in(page: Any, base: str, button: str, login: str) -> Any:
    """From the login page through the provider's own login form; the response of the last page."""
    page.goto(f"{base}/konto/logg-inn/")
    page.get_by_role("button", name=button).click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    with page.expect_navigation(url=lambda url: url.startswith(base)) as nav:
        page.locator("button[type=submit]").click()
    return nav.value


@pytest.mark.django_db(transaction=True)
def test_a_teacher_signs_in_sees_their_pupils_and_signs_out_of_both(live_server: Any, sso: World, page: Any) -> None:
    base = live_server.url
    page.goto(f"{base}/konto/logg-inn/")
    assert_accessible(page)
    sign_in(page, base, "Logg inn med Feide", "tone@skole.example")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Velkommen")
    page.goto(f"{base}/elever/")
    table = page.get_by_role("table").inner_text()
    assert "Aasen, Anna" in table
    assert "Berg" not in table
    assert ExternalIdentity.objects.get(subject="tone@skole.example").last_login is not None

    # Sign-out ends the session here and at the provider (RP-initiated logout).
    page.get_by_role("button", name="Logg ut").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{base}/konto/logg-inn/")
    response = page.goto(f"{base}/elever/")
    assert "/konto/logg-inn/" in page.url, response
    page.goto(f"{base}/konto/logg-inn/")
    page.get_by_role("button", name="Logg inn med Feide").click()
    page.locator("input[name=login]").wait_for()  # asked to sign in again


@pytest.mark.django_db(transaction=True)
def test_a_guardian_signs_in_by_national_id_and_sees_only_their_child(live_server: Any, sso: World, page: Any) -> None:
    base = live_server.url
    users = User.objects.count()
    sign_in(page, base, "Logg inn med ID-porten", f"pid-{PID}")
    children = page.get_by_role("region", name="Mine barn")
    assert "Anna Aasen" in children.inner_text()
    assert "Bjørn" not in page.content()
    response = page.goto(f"{base}/elever/{sso.pupil_b.pk}/")
    assert response is not None and response.status == 404
    assert User.objects.count() == users
    # The number is nowhere in clear: not on a user, not in the session.
    from django.contrib.sessions.models import Session

    assert not any(PID in str(s.get_decoded()) for s in Session.objects.all())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("button", "login"),
    [
        ("Logg inn med Feide", "nobody@skole.example"),  # unknown subject
        ("Logg inn med ID-porten", "pid-02028054321"),  # a national id on no guardian link
        ("Logg inn med Feide", "wrong-audience-tone"),  # an ID token for another client
        ("Logg inn med Feide", "expired-tone"),  # an ID token past its lifetime
    ],
)
def test_a_refused_sign_in_gets_the_clear_page_and_no_account(
    live_server: Any, sso: World, page: Any, button: str, login: str
) -> None:
    base = live_server.url
    users = User.objects.count()
    response = sign_in(page, base, button, login)
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Du har ikke tilgang her"
    assert "Spør skolen din" in page.content()
    assert_accessible(page)
    assert User.objects.count() == users
    page.goto(f"{base}/elever/")
    assert "/konto/logg-inn/" in page.url


@pytest.mark.django_db(transaction=True)
def test_someone_refused_can_sign_out_of_the_issuer_and_try_another_account(
    live_server: Any, sso: World, page: Any
) -> None:
    """An unknown account is refused; the page offers to end the sign-on at
    the issuer, after which signing in asks for an account again (instead of
    the issuer's session sending the same account back to the refusal)."""
    base = live_server.url
    response = sign_in(page, base, "Logg inn med Feide", "nobody@skole.example")
    assert response.status == 403
    page.get_by_role("button", name="Logg ut av Feide").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{base}/konto/logg-inn/")
    sign_in(page, base, "Logg inn med Feide", "tone@skole.example")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Velkommen")
