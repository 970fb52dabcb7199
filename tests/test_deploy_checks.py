"""The operator's configuration is checked before going live: ``SITE_URL``
(links in e-mails), the e-mail backend and the broker (iop/deploy_checks.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import override_settings


def ids(deploy: bool = True) -> set[str]:
    return {m.id for m in checks.run_checks(include_deployment_checks=deploy) if m.id and m.id.startswith("iop.")}


BROKER = "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("", {"iop.E001"}),
        ("http://127.0.0.1:8000", {"iop.E002"}),
        ("https://localhost", {"iop.E002"}),
        ("http://iop.example-kommune.no", {"iop.E002"}),
        ("https://iop.example-kommune.no", set()),
    ],
)
def test_production_needs_a_reachable_https_site_url(site_url: str, expected: set[str]) -> None:
    with override_settings(PRODUCTION=True, SITE_URL=site_url, CELERY_BROKER_URL=BROKER):
        assert ids() == expected


def test_outside_production_the_site_url_is_not_required() -> None:
    with override_settings(PRODUCTION=False, SITE_URL="", CELERY_BROKER_URL=""):
        assert ids() == set()


def test_production_without_a_broker_warns() -> None:
    with override_settings(PRODUCTION=True, SITE_URL="https://iop.example-kommune.no", CELERY_BROKER_URL=""):
        messages = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "iop.W001"]
    assert len(messages) == 1 and messages[0].level == checks.WARNING


def test_a_mistyped_email_backend_fails_at_every_start() -> None:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smpt.EmailBackend"):
        assert ids(deploy=False) == {"iop.E003"}
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend"):
        assert ids(deploy=False) == set()


def test_message_ids_name_the_site_not_the_container() -> None:
    from django.core.mail import EmailMessage
    from django.core.mail.utils import DNS_NAME

    from iop.apps import use_site_domain_for_message_ids

    before = DNS_NAME.get_fqdn()
    try:
        with override_settings(SITE_URL="https://iop.example-kommune.no"):
            use_site_domain_for_message_ids()
        message = EmailMessage("Emne", "Tekst", to=["a@example.org"]).message()
        assert message["Message-ID"].endswith("@iop.example-kommune.no>")
    finally:
        DNS_NAME._fqdn = before


def test_a_plain_http_trial_is_allowed_with_a_warning() -> None:
    with override_settings(
        PRODUCTION=True,
        ALLOW_PLAIN_HTTP=True,
        SITE_URL="http://iop-proeve.example-kommune.no",
        CELERY_BROKER_URL=BROKER,
    ):
        assert ids() == {"iop.W002"}
    with override_settings(
        PRODUCTION=True, ALLOW_PLAIN_HTTP=True, SITE_URL="http://localhost", CELERY_BROKER_URL=BROKER
    ):
        assert ids() == {"iop.W002", "iop.E002"}


def test_the_plain_http_switch_turns_off_redirect_hsts_and_secure_cookies() -> None:
    from tests.test_settings import GOOD_KEY, load_values

    names = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"]
    env = {
        "IOP_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "DATABASE_URL": "postgres://u@h/db",
        "ALLOWED_HOSTS": "x.example",
    }
    assert load_values(env, names) == [True, 31536000, True, True]
    assert load_values({**env, "ALLOW_PLAIN_HTTP": "true"}, names) == [False, 0, False, False]


def test_it_warns_when_nobody_but_operators_could_log_in(settings: Any) -> None:
    settings.PASSWORD_LOGIN = False
    settings.OIDC_PROVIDERS = []
    assert "iop.W003" in {m.id for m in checks.run_checks()}
    settings.PASSWORD_LOGIN = True
    assert "iop.W003" not in {m.id for m in checks.run_checks()}
