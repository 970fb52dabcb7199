"""The OpenID Connect issuers people may sign in with, read from the
environment (``OIDC_PROVIDERS``, a JSON list) by ``iop/settings.py``;
``students/sso.py`` signs people in through them.

Imports nothing of the project's apps: the settings module uses it.
Every issuer is an object like::

    {"id": "feide", "name": "Feide", "server_url": "https://auth.dataporten.no",
     "client_id": "…", "secret": "…", "users": "staff",
     "claim": "https://n.feide.no/claims/eduPersonPrincipalName", "scope": ["openid", "userid-feide"]}

``users`` is ``staff`` (matched by the claim's value against the external
identities, issuer + value) or ``guardians`` (the claim holds the national
identity number the issuer vouches for, matched by its keyed hash against the
guardian links). ``claim`` defaults to ``sub`` for staff and ``pid`` (as
ID-porten names it) for guardians. Optional: ``scope`` (a list),
``token_auth_method`` (``client_secret_post`` / ``client_secret_basic``),
``origins`` (more addresses the browser is sent to for sign-in and sign-out,
such as ``https://login.idporten.no``: the Content-Security-Policy's
``form-action`` must allow them).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

USERS = ("staff", "guardians")
DEFAULT_CLAIM = {"staff": "sub", "guardians": "pid"}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


@dataclass(frozen=True)
class Issuer:
    """One configured OpenID Connect issuer (see the module's docstring)."""

    id: str
    name: str
    server_url: str
    client_id: str
    secret: str
    users: str = "staff"
    claim: str = "sub"
    scope: tuple[str, ...] = ("openid", "profile")
    token_auth_method: str = ""
    origins: tuple[str, ...] = field(default=())

    @property
    def for_guardians(self) -> bool:
        return self.users == "guardians"


def _origin(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(f"OIDC_PROVIDERS: {name} must be an http(s) address, not {url!r}.")
    return f"{parts.scheme}://{parts.netloc}"


def parse_issuers(raw: str) -> list[Issuer]:
    """The issuers in RAW (the ``OIDC_PROVIDERS`` JSON text; empty: none).

    Raises ``ImproperlyConfigured`` naming the first bad entry: not a JSON
    list of objects, a missing or empty id/name/server_url/client_id/secret,
    an id used twice or not made of a-z, 0-9, "-" and "_", an unknown
    ``users`` value, a ``server_url`` or origin that is not http(s).
    """
    if not raw.strip():
        return []
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"OIDC_PROVIDERS must be a JSON list: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of objects.")
    issuers: list[Issuer] = []
    for index, item in enumerate(data):
        label = f"entry {index + 1}"
        for key in ("id", "name", "server_url", "client_id", "secret"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise ImproperlyConfigured(f"OIDC_PROVIDERS {label}: {key!r} must be a non-empty text.")
        issuer_id = item["id"].strip()
        if not ID_PATTERN.match(issuer_id):
            raise ImproperlyConfigured(f"OIDC_PROVIDERS {label}: id {issuer_id!r} may hold only a-z, 0-9, - and _.")
        if any(other.id == issuer_id for other in issuers):
            raise ImproperlyConfigured(f"OIDC_PROVIDERS {label}: id {issuer_id!r} is used twice.")
        users = item.get("users", "staff")
        if users not in USERS:
            raise ImproperlyConfigured(f"OIDC_PROVIDERS {label}: users must be one of {', '.join(USERS)}.")
        _origin(item["server_url"], f"{label} server_url")
        scope = item.get("scope", ["openid", "profile"])
        origins = item.get("origins", [])
        if not isinstance(scope, list) or not isinstance(origins, list):
            raise ImproperlyConfigured(f"OIDC_PROVIDERS {label}: scope and origins must be lists.")
        issuers.append(
            Issuer(
                id=issuer_id,
                name=item["name"].strip(),
                server_url=item["server_url"].strip().rstrip("/"),
                client_id=item["client_id"],
                secret=item["secret"],
                users=users,
                claim=str(item.get("claim") or DEFAULT_CLAIM[users]),
                scope=tuple(str(s) for s in scope),
                token_auth_method=str(item.get("token_auth_method", "")),
                origins=tuple(_origin(str(o), f"{label} origin") for o in origins),
            )
        )
    return issuers


def allauth_providers(issuers: list[Issuer]) -> dict[str, Any]:
    """``SOCIALACCOUNT_PROVIDERS`` for django-allauth's generic OpenID
    Connect provider: one app per issuer, PKCE on, the user info fetched."""
    apps = []
    for issuer in issuers:
        app_settings: dict[str, Any] = {
            "server_url": issuer.server_url,
            "fetch_userinfo": True,
            "oauth_pkce_enabled": True,
            "scope": list(issuer.scope),
        }
        if issuer.token_auth_method:
            app_settings["token_auth_method"] = issuer.token_auth_method
        apps.append(
            {
                "provider_id": issuer.id,
                "name": issuer.name,
                "client_id": issuer.client_id,
                "secret": issuer.secret,
                "settings": app_settings,
            }
        )
    return {"openid_connect": {"APPS": apps, "SCOPE": ["openid", "profile"], "OAUTH_PKCE_ENABLED": True}}


def form_action_origins(issuers: list[Issuer]) -> list[str]:
    """The origins the browser is redirected to after posting a sign-in or
    sign-out form: each issuer's own and its extra ``origins``."""
    found: list[str] = []
    for issuer in issuers:
        for origin in (_origin(issuer.server_url, "server_url"), *issuer.origins):
            if origin not in found:
                found.append(origin)
    return found
