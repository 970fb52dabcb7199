"""Single sign-on without a browser: the issuers' configuration, matching a
person, password login switched off, an issuer that does not answer, the
national identity number in the admin. (tests/e2e/test_sso.py signs in
through a real OpenID provider.)"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from iop.sso_config import allauth_providers, form_action_origins, parse_issuers
from students.models import ExternalIdentity, GuardianLink
from students.sso import match_user, national_id_hash
from tests import factories as f
from tests.conftest import World
from tests.factories import PASSWORD

FEIDE = {"id": "feide", "name": "Feide", "server_url": "https://auth.dataporten.no", "client_id": "c", "secret": "s"}
IDPORTEN = {
    **FEIDE,
    "id": "idporten",
    "name": "ID-porten",
    "server_url": "https://idporten.no",
    "users": "guardians",
    "origins": ["https://login.idporten.no"],
}


def test_it_reads_the_issuers_and_gives_allauth_and_the_csp_what_they_need() -> None:
    issuers = parse_issuers(json.dumps([FEIDE, IDPORTEN]))
    assert [(i.id, i.users, i.claim) for i in issuers] == [("feide", "staff", "sub"), ("idporten", "guardians", "pid")]
    apps = allauth_providers(issuers)["openid_connect"]["APPS"]
    assert [a["provider_id"] for a in apps] == ["feide", "idporten"]
    assert apps[1]["settings"]["oauth_pkce_enabled"] is True
    assert form_action_origins(issuers) == [
        "https://auth.dataporten.no",
        "https://idporten.no",
        "https://login.idporten.no",
    ]
    assert parse_issuers("") == []


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("{not json", "JSON list"),
        (json.dumps(FEIDE), "JSON list of objects"),
        (json.dumps([{**FEIDE, "secret": ""}]), "'secret'"),
        (json.dumps([FEIDE, FEIDE]), "used twice"),
        (json.dumps([{**FEIDE, "users": "pupils"}]), "users must be"),
        (json.dumps([{**FEIDE, "id": "Feide Norge"}]), "may hold only"),
        (json.dumps([{**FEIDE, "server_url": "auth.dataporten.no"}]), "http(s)"),
    ],
)
def test_a_bad_issuer_configuration_stops_the_start_naming_the_fault(raw: str, says: str) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        parse_issuers(raw)
    assert says in str(caught.value)


def test_the_national_id_hash_is_keyed_and_ignores_spacing() -> None:
    digest = national_id_hash("010170 12345")
    assert digest == national_id_hash("01017012345") == national_id_hash("010170-12345")
    assert len(digest) == 64 and "01017012345" not in digest
    assert national_id_hash("  ") == ""


def test_it_matches_by_identifier_never_by_name_and_not_deactivated_users(world: World) -> None:
    staff, guardians = parse_issuers(json.dumps([FEIDE, IDPORTEN]))
    teacher = world.user("teacher")
    assert teacher is not None
    ExternalIdentity.objects.create(user=teacher, issuer="feide", subject="tone@skole.no")
    assert match_user(staff, {"sub": "tone@skole.no"}) == teacher
    assert match_user(staff, {"sub": "other", "name": teacher.full_name, "email": teacher.email}) is None
    assert match_user(staff, {}) is None
    # The same subject at another issuer is another person.
    assert match_user(guardians, {"sub": "tone@skole.no"}) is None

    link = GuardianLink.objects.get(user=world.user("guardian_a"))
    link.national_id_hash = national_id_hash("01017012345")
    link.save()
    assert match_user(guardians, {"pid": "01017012345"}) == link.user
    # A number on two different users' links identifies nobody.
    other = f.guardian_of(f.UserFactory(), world.pupil_b)
    other.national_id_hash = national_id_hash("01017012345")
    other.save()
    assert match_user(guardians, {"pid": "01017012345"}) is None

    teacher.is_active = False
    teacher.save()
    assert match_user(staff, {"sub": "tone@skole.no"}) is None


def test_with_password_login_off_only_superusers_use_a_password(world: World, settings: Any) -> None:
    settings.PASSWORD_LOGIN = False
    response = Client().post(reverse("login"), {"username": "teacher@test.example", "password": PASSWORD})
    assert response.status_code == 200
    assert "Innlogging med passord er for driftsansvarlige" in response.content.decode()
    response = Client().post(reverse("login"), {"username": "operator@test.example", "password": PASSWORD})
    assert response.status_code == 302
    # A reset link only for the operator, the page the same for both.
    for email in ("teacher@test.example", "operator@test.example"):
        assert Client().post(reverse("password_reset"), {"email": email}).status_code == 302
    assert [m.to for m in mail.outbox] == [["operator@test.example"]]


def test_an_issuer_that_does_not_answer_gets_the_clear_page_not_an_error(db: None, settings: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    issuers = parse_issuers(json.dumps([{**FEIDE, "server_url": f"http://127.0.0.1:{port}"}]))
    settings.OIDC_PROVIDERS = issuers
    settings.SOCIALACCOUNT_PROVIDERS = allauth_providers(issuers)
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert "Logg inn med Feide" in page
    response = client.post(reverse("openid_connect_login", args=["feide"]))
    assert response.status_code == 403
    assert "Du har ikke tilgang her" in response.content.decode()
    # The way back without state or code: the same page.
    response = client.get(reverse("openid_connect_callback", args=["feide"]))
    assert response.status_code == 403


def test_the_admin_keeps_only_the_hash_of_the_national_id(world: World) -> None:
    client = Client()
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    link = GuardianLink.objects.get(user=world.user("guardian_a"))
    url = reverse("admin:students_guardianlink_change", args=[link.pk])
    data = {
        "user": link.user_id,
        "pupil": link.pupil_id,
        "relation": link.relation,
        "parental_responsibility": "on",
        "national_id": "010170 12345",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    link.refresh_from_db()
    assert link.national_id_hash == national_id_hash("01017012345")
    response = client.post(url, {**data, "national_id": "123"})
    assert "Et fødselsnummer har 11 sifre" in response.content.decode()
    # Left empty: the stored hash stays.
    client.post(url, {**data, "national_id": ""})
    link.refresh_from_db()
    assert link.national_id_hash == national_id_hash("01017012345")
