from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from . import access

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Writes anyone with an account may make: their own session and password.
ACCOUNT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "password_change",
        "password_reset",
        "password_reset_confirm",
        "set_language",
        "openid_connect_login",
    }
)
# ... and their own notifications: marking them read, choosing e-mail (view names).
OWN_SETTINGS_VIEWS = frozenset({"followup:notifications_read", "followup:preferences"})
# ... and the operators' pages, for operators (:mod:`students.operator_views`).
OPERATOR_URL_NAMES = frozenset(
    {
        "roster_imports",
        "roster_import_apply",
        "roster_import_discard",
        "school_years",
        "school_year_edit",
        "followup:aarshjul_choices",
    }
)


class ReadOnlyUsersMiddleware:
    """Defence in depth: users who write nothing (guardians, accounts without
    a school role) have every non-account write refused before any view
    runs: 404 when the address names a record, whatever record it is (the
    answer for a record that is not theirs or does not exist, so it tells
    nothing of either), else 403.
    Their own account (ACCOUNT_URL_NAMES), their own notification settings
    (OWN_SETTINGS_VIEWS) and an operator's pages (OPERATOR_URL_NAMES) are
    excepted. Views still ask the access layer for each object."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> None:
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and ("admin" in match.namespaces or match.url_name in ACCOUNT_URL_NAMES):
            return None
        if match is not None and match.view_name in OWN_SETTINGS_VIEWS:
            return None
        if match is not None and match.view_name in OPERATOR_URL_NAMES and access.is_operator(request.user):
            return None
        if not access.may_write(request.user):
            if match is not None and match.kwargs:
                raise Http404  # a record: answered as one that is not theirs
            raise PermissionDenied
        return None


#: The query parameter that picks the language of the pages before login (``?lang=sv``).
LANGUAGE_PARAM = "lang"


class SchoolLanguageMiddleware:
    """The interface speaks the user's own language (``User.language``, chosen
    on their settings page: bokmål, nynorsk, Swedish or English), else the
    language of the user's school: Norwegian bokmål by default, nynorsk or
    Swedish where the school uses it (guardians: their children's school).

    Before login (the login page, password reset, error pages) the pages
    speak the language last used in this browser: the language cookie
    (``settings.LANGUAGE_COOKIE_NAME``), set when a logged-in page is served
    and when a visitor picks a language on the login page (``?lang=sv``).
    Without it, a browser that asks for Swedish or nynorsk first
    (``Accept-Language``: BROWSER_LANGUAGES) gets it; else bokmål, the
    language of most schools here (an English browser included: the
    visitor picks English on the page)."""

    #: The languages a first visit takes from the browser's own settings.
    BROWSER_LANGUAGES = frozenset({"sv", "nn"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = frozenset(code for code, _name in settings.LANGUAGES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = settings.LANGUAGE_CODE
        remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.user.is_authenticated:
            language = request.user.language or access.profile(request.user).language or language
        elif request.GET.get(LANGUAGE_PARAM) in self.codes:
            language = request.GET[LANGUAGE_PARAM]
        elif remembered in self.codes:
            language = remembered  # type: ignore[assignment]
        elif (browser := translation.get_language_from_request(request)) in self.BROWSER_LANGUAGES:
            language = browser
        # override() restores the previous language afterwards, so nothing
        # that runs after the request (tasks run in-process, tests) inherits it.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if not request.user.is_authenticated:  # a cache must not give one visitor's language to another
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
        anonymous_default = not request.user.is_authenticated and language == settings.LANGUAGE_CODE
        if remembered != language and (remembered or not anonymous_default):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


class MethodNotAllowedPageMiddleware:
    """A page address opened that only takes a form's POST (a bookmarked or
    typed ``…/endre/``) answers 405 with a page that says so in the user's
    language, instead of Django's empty body; the ``Allow`` header is kept.
    htmx requests and other methods keep the bare answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.method != "GET" or response.content:
            return response
        if request.headers.get("HX-Request") == "true":
            return response
        page = render(request, "405.html", status=405)
        if "Allow" in response.headers:
            page.headers["Allow"] = response.headers["Allow"]
        return page


LOGIN_REQUIRED_HEADER = "X-Login-Required"


class HtmxLoginRequiredMiddleware:
    """An htmx request of a user whose session has ended answers 401 with the
    login address in the ``X-Login-Required`` header (``next`` = the page the
    user is on) instead of the redirect to the login page.

    The browser follows a redirect before htmx sees it, so without this the
    whole login page would be swapped into a status area of the page. The
    redirect is made inside ``login_required`` (the view), so the response is
    intercepted here. Requests without htmx keep the redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if not htmx or request.user.is_authenticated or response.status_code not in (301, 302, 303, 307, 308):
            return response
        login_path = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.headers.get("Location", "")).path != login_path:
            return response
        page = htmx.current_url_abs_path or request.get_full_path()
        reply = HttpResponse(
            _("Your session has ended. Log in again; what you typed is kept in this browser."),
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        reply[LOGIN_REQUIRED_HEADER] = f"{login_path}?{urlencode({'next': page})}"
        reply["Cache-Control"] = "no-store"
        return reply


class SessionRefreshMiddleware:
    """Starts a signed-in user's idle window again only when it needs it.

    Saving the session on every request writes a row for every page, image
    request and autosave. Here the session is marked changed (and so saved
    with a new expiry, ``SESSION_COOKIE_AGE`` seconds from now) only when
    more than ``SESSION_REFRESH_AFTER`` seconds have passed since it was last
    renewed: a user is logged out after between ``SESSION_COOKIE_AGE -
    SESSION_REFRESH_AFTER`` and ``SESSION_COOKIE_AGE`` seconds without a
    request. Requests without a session (no cookie) are left alone.
    """

    KEY = "_renewed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None or session.is_empty():
            return response
        now = int(time.time())
        renewed = session.get(self.KEY)
        if not isinstance(renewed, int) or now - renewed >= settings.SESSION_REFRESH_AFTER:
            session[self.KEY] = now
        return response


def stamp_session_at_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """A login saves the session anyway: it counts as its renewal (connected to
    ``user_logged_in`` in ``StudentsConfig.ready``)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionRefreshMiddleware.KEY] = int(time.time())
