"""System checks for an operator's configuration (``manage.py check``, and
``check --deploy`` before going live).

* ``iop.E001`` – ``SITE_URL`` is missing in production (links in e-mails
  would point nowhere);
* ``iop.E002`` – ``SITE_URL`` points at this machine or is not https in
  production;
* ``iop.E003`` – ``EMAIL_BACKEND`` names no importable class (runs at every
  start: a typo would otherwise surface only when the first e-mail is sent);
* ``iop.W001`` – production without ``CELERY_BROKER_URL``: tasks (reminders,
  PDF batches) would run inside the web process;
* ``iop.W002`` – ``ALLOW_PLAIN_HTTP`` is on: a trial without TLS (an http
  ``SITE_URL`` is then accepted, a local one still is not);
* ``iop.W003`` – ``PASSWORD_LOGIN`` is off but no ``OIDC_PROVIDERS``: only
  superusers could log in at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 – names compared, nothing bound


@register(Tags.security, deploy=True)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    url = settings.SITE_URL
    if not url:
        return [
            Error(
                "SITE_URL is not set.",
                hint="Set SITE_URL to the address users open, e.g. https://iop.example-kommune.no; "
                "links in reminder e-mails are built from it.",
                id="iop.E001",
            )
        ]
    parts = urlsplit(url)
    schemes = {"https", "http"} if getattr(settings, "ALLOW_PLAIN_HTTP", False) else {"https"}
    if parts.scheme not in schemes or not parts.hostname or parts.hostname in LOCAL_HOSTS:
        return [
            Error(
                f"SITE_URL is {url!r}: it must be an {' or '.join(sorted(schemes, reverse=True))} address "
                "users can reach (not this machine).",
                hint="e.g. SITE_URL=https://iop.example-kommune.no",
                id="iop.E002",
            )
        ]
    return []


@register()
def check_email_backend(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        import_string(settings.EMAIL_BACKEND)
    except ImportError as exc:
        return [
            Error(
                f"EMAIL_BACKEND {settings.EMAIL_BACKEND!r} cannot be imported: {exc}",
                hint="e.g. django.core.mail.backends.smtp.EmailBackend",
                id="iop.E003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_plain_http(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if getattr(settings, "PRODUCTION", False) and getattr(settings, "ALLOW_PLAIN_HTTP", False):
        return [
            Warning(
                "ALLOW_PLAIN_HTTP is on: passwords and pupils' data travel unencrypted.",
                hint="For a trial with made-up data only; put a TLS-terminating proxy in front and remove it.",
                id="iop.W002",
            )
        ]
    return []


@register(deploy=True)
def check_broker(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if getattr(settings, "PRODUCTION", False) and not settings.CELERY_BROKER_URL:
        return [
            Warning(
                "CELERY_BROKER_URL is not set: background tasks run inside the web process.",
                hint="Run Redis and a Celery worker and beat, and set CELERY_BROKER_URL=redis://host:6379/0.",
                id="iop.W001",
            )
        ]
    return []


@register()
def check_some_login(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if not getattr(settings, "PASSWORD_LOGIN", True) and not getattr(settings, "OIDC_PROVIDERS", []):
        return [
            Warning(
                "PASSWORD_LOGIN is off and no OIDC_PROVIDERS are configured: only superusers can log in.",
                hint="Configure the school owner's identity providers (see the README), or turn PASSWORD_LOGIN on.",
                id="iop.W003",
            )
        ]
    return []
