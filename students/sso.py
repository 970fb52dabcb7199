"""Single sign-on with OpenID Connect: who the person an issuer vouches for is.

django-allauth's generic OpenID Connect provider speaks the protocol (the
discovery document, state, PKCE, the code exchange, the ID token's issuer,
audience and expiry); this module decides what follows:

* staff: the issuer's id and the value of its ``claim`` (``sub``, Feide's
  eduPersonPrincipalName) must name an :class:`ExternalIdentity`;
* guardians: the national identity number in the issuer's ``claim``
  (ID-porten's ``pid``) must, as its keyed hash, be on guardian links of
  exactly one user;
* anyone else, a deactivated user, or a token that fails a check, gets the
  page "you have no access here — ask your school" (403), and no account
  is made.

Sign-out ends the session here and, where the issuer has an
``end_session_endpoint``, sends the browser there (RP-initiated logout).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import logging
from typing import Any, Protocol
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from requests import RequestException

from .models import ExternalIdentity, GuardianLink, User

logger = logging.getLogger(__name__)


class Issuer(Protocol):
    """An issuer of ``settings.OIDC_PROVIDERS`` (``iop.sso_config.Issuer``)."""

    @property
    def id(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def claim(self) -> str: ...
    @property
    def for_guardians(self) -> bool: ...


SESSION_KEY = "sso"
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def issuers() -> list[Issuer]:
    """The configured issuers (``settings.OIDC_PROVIDERS``), in order."""
    return list(settings.OIDC_PROVIDERS)


def issuer(issuer_id: str) -> Issuer | None:
    """The configured issuer with this id, or None."""
    return next((i for i in issuers() if i.id == issuer_id), None)


def national_id_hash(number: str) -> str:
    """HMAC-SHA256 of a national identity number under
    ``settings.NATIONAL_ID_HASH_KEY`` (spaces and hyphens removed first): 64
    hex digits; "" for an empty number."""
    number = "".join(number.split()).replace("-", "")
    if not number:
        return ""
    return hmac.new(settings.NATIONAL_ID_HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


def match_user(issuer: Issuer, claims: dict[str, Any]) -> User | None:
    """The active user CLAIMS (the ID token's claims merged with the user
    info) identify at ISSUER, or None: no or an empty identifying claim, no
    identity, a national identity number on guardian links of more than one
    user, or a deactivated user. Never matches by name or e-mail."""
    value = claims.get(issuer.claim)
    if not isinstance(value, str) or not value.strip():
        return None
    if issuer.for_guardians:
        digest = national_id_hash(value)
        user_ids = set(GuardianLink.objects.filter(national_id_hash=digest).values_list("user_id", flat=True))
        if len(user_ids) != 1:
            return None
        user = User.objects.filter(pk=user_ids.pop()).first()
    else:
        identity = ExternalIdentity.objects.select_related("user").filter(issuer=issuer.id, subject=value).first()
        user = identity.user if identity else None
        if identity is not None:
            identity.last_login = timezone.now()
            identity.save(update_fields=["last_login"])
    if user is None or not user.is_active:
        return None
    return user


def _fernet() -> Fernet:
    key = hashlib.sha256(("sso-session:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def refused(request: HttpRequest, *, failed: bool = False, sign_out_of: str = "") -> HttpResponse:
    """The page for a person the sign-on does not let in (403): unknown
    here, or (FAILED) the issuer's answer did not pass the checks. With
    SIGN_OUT_OF (the issuer's name) the page offers to end the sign-on
    session there too, so that someone who used the wrong account can sign
    in with another (the session holds what :func:`logout` needs)."""
    context = {"failed": failed, "sign_out_of": sign_out_of}
    return render(request, "registration/sso_refused.html", context, status=403)


def _remember_issuer_session(request: HttpRequest, found: Issuer | None) -> None:
    """Keep in the session what ending the sign-on at FOUND needs (its
    end-session address and the ID token, encrypted: it may carry the
    national identity number)."""
    id_token = getattr(request, "sso_id_token", "")
    request.session[SESSION_KEY] = {
        "issuer": found.id if found else "",
        "end_session": getattr(request, "sso_end_session", ""),
        "id_token": _fernet().encrypt(id_token.encode()).decode() if id_token else "",
    }


class IssuerAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter that keeps, for sign-out, the raw ID
    token and the issuer's end-session address on the request."""

    def complete_login(self, request: HttpRequest, app: SocialApp, token: Any, **kwargs: Any) -> SocialLogin:
        response = kwargs.get("response") or {}
        request.sso_id_token = response.get("id_token", "")  # type: ignore[attr-defined]
        request.sso_end_session = self.openid_config.get("end_session_endpoint", "")  # type: ignore[attr-defined]
        return super().complete_login(request, app, token, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Signs in the user the issuer's identity matches (see ``match_user``)
    and stops allauth's own flow there; refuses everyone else."""

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        found = issuer(sociallogin.account.provider)
        extra = sociallogin.account.extra_data or {}
        claims = {**(extra.get("userinfo") or {}), **(extra.get("id_token") or {})}
        user = match_user(found, claims) if found else None
        if user is None:
            logger.info("single sign-on refused: no user for this identity at %s", sociallogin.account.provider)
            _remember_issuer_session(request, found)
            name = getattr(found, "name", "") if getattr(request, "sso_end_session", "") else ""
            raise ImmediateHttpResponse(refused(request, sign_out_of=name))
        auth.login(request, user, backend=LOGIN_BACKEND)
        _remember_issuer_session(request, found)
        next_url = sociallogin.state.get("next") or ""
        raise ImmediateHttpResponse(redirect(_safe_next(request, next_url)))

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        logger.info("single sign-on failed at %s: %s %r", getattr(provider, "id", "?"), error, exception)
        raise ImmediateHttpResponse(refused(request, failed=True))

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up: accounts come from the operators (and the roster)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


def _safe_next(request: HttpRequest, next_url: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    """The login page: a button per configured issuer, and the password form
    (which, with ``PASSWORD_LOGIN=false``, lets in only superusers)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_issuers"] = issuers()
        context["password_login"] = settings.PASSWORD_LOGIN
        return context


@require_POST
def sso_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Start signing in at the issuer PROVIDER_ID (POST from the login page;
    302 to the issuer). Signed in already: 302 home. Unknown issuer: 404."""
    if issuer(provider_id) is None:
        raise Http404
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    view = OAuth2LoginView.adapter_view(IssuerAdapter(request, provider_id))
    try:
        response: HttpResponse = view(request)
    except RequestException as exc:  # the issuer's discovery document could not be had
        logger.warning("single sign-on: issuer %s does not answer: %s", provider_id, exc)
        return refused(request, failed=True)
    return response


@require_safe
def sso_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Where the issuer sends the browser back (GET with code and state):
    302 to the page asked for when the person is known, else the refusal
    page (403). Unknown issuer: 404."""
    if issuer(provider_id) is None:
        raise Http404
    view = OAuth2CallbackView.adapter_view(IssuerAdapter(request, provider_id))
    try:
        response: HttpResponse = view(request)
    except RequestException as exc:
        logger.warning("single sign-on: issuer %s does not answer: %s", provider_id, exc)
        return refused(request, failed=True)
    return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the session (POST) and go to the login page, or, after single
    sign-on through an issuer with an end-session endpoint, to that endpoint
    (with the ID token as hint and the login page to come back to)."""
    sso = request.session.get(SESSION_KEY) or {}
    auth.logout(request)
    login_url = reverse(settings.LOGOUT_REDIRECT_URL)
    found = issuer(sso.get("issuer", ""))
    if not found or not sso.get("end_session"):
        return redirect(login_url)
    params = {"post_logout_redirect_uri": request.build_absolute_uri(login_url), "client_id": found.client_id}
    if sso.get("id_token"):
        with contextlib.suppress(InvalidToken):
            params["id_token_hint"] = _fernet().decrypt(sso["id_token"].encode()).decode()
    return redirect(f"{sso['end_session']}?{urlencode(params)}")
