"""Thin views: resolve through the access layer, call a selector, render."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import access, audit, selectors, services, transfer
from .dates import short
from .forms import PupilFilterForm, PupilMoveForm
from .models import User
from .sections import home_sections, pupil_sections

PAGE_SIZE = 50
logger = logging.getLogger(__name__)


@never_cache
@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {"home": selectors.home(request.user), "sections": home_sections(request)}  # type: ignore[arg-type]
    return render(request, "students/home.html", context)


@never_cache
@login_required
@require_GET
def pupil_list(request: HttpRequest) -> HttpResponse:
    form = PupilFilterForm(request.GET or None, groups=selectors.groups_for_filter(request.user))
    query, group_id, archived = "", None, False
    if form.is_valid():
        query = form.cleaned_data["q"]
        group = form.cleaned_data["group"]
        group_id = group.pk if group else None
        archived = form.cleaned_data["arkiv"]
    pupils = selectors.pupil_list(request.user, query=query, group_id=group_id, archived=archived)
    profile = access.profile(request.user)  # type: ignore[arg-type]
    has_words = bool(selectors.NAME_WORDS.search(query))
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("side"))
    context = {
        "form": form,
        "page": page,
        "query": query,
        # A search of only signs ("!!!", "-") names no one: it is not used, and the list says so.
        "query_ignored": bool(query.strip()) and not has_words,
        "searched": has_words or group_id is not None,
        "archived": archived,
        "sees_archived": profile.is_coordinator,
        # A guardian without a staff role sees only their own children: named so, without a group filter.
        "children_only": profile.is_guardian and not profile.is_staff_member,
    }
    template = "students/_pupil_results.html" if request.htmx else "students/pupil_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@never_cache
@login_required
@require_GET
def pupil_detail(request: HttpRequest, pupil_id: str) -> HttpResponse:
    page = selectors.pupil_page(request.user, pupil_id)
    audit.log_read(actor=request.user, pupil=page.pupil, kind="pupil", object_id=page.pupil.pk)  # type: ignore[arg-type]
    context = {
        "page": page,
        "pupil": page.pupil,
        "sections": pupil_sections(request, page.pupil),
        "may_archive": access.Action.ARCHIVE in page.pupil.allowed,  # type: ignore[attr-defined]
    }
    return render(request, "students/pupil_detail.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def pupil_move(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """Register a pupil's move to another class or school (coordinator,
    rektor or operator): the form, then a confirmation page without
    JavaScript (``confirm=1``), then the move (:func:`students.transfer.pupil_transfer`).
    The former school's staff lose access at once, so the coordinator is
    taken to the pupil list afterwards when the pupil left the school."""
    pupil = access.get_pupil_to_move(request.user, pupil_id)
    actor: User = request.user  # type: ignore[assignment]
    groups = transfer.target_groups(actor, pupil)
    form = PupilMoveForm(request.POST or None, groups=groups, initial={"date": timezone.localdate()})
    context: dict[str, object] = {"pupil": pupil, "form": form, "confirming": False}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirm") != "1":
            context.update(confirming=True, to_group=data["to_group"], date=data["date"], note=data["note"])
            return render(request, "students/pupil_move.html", context)
        try:
            moved = transfer.pupil_transfer(
                actor=actor, pupil=pupil, to_group=data["to_group"], date=data["date"], note=data["note"]
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("%(pupil)s is moved to %(group)s at %(school)s from %(date)s.")
                % {
                    "pupil": pupil.full_name,
                    "group": moved.to_group.name,
                    "school": moved.to_school.name,
                    "date": short(moved.date),
                },
            )
            access.forget(actor)
            if access.pupils_for(actor).filter(pk=pupil.pk).exists():
                return redirect("pupil_detail", pupil.pk)
            return redirect("pupil_list")
    return render(request, "students/pupil_move.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def pupil_archive(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """Archive a pupil who has left, after a confirmation page without
    JavaScript (``confirm=1``): the pupil leaves every list at once
    (``restore=1``: take the pupil out of the archive again, at once).
    GET shows the confirmation page (the pupil's page once archived)."""
    pupil = access.get_pupil(request.user, pupil_id, access.Action.ARCHIVE)
    restore = request.POST.get("restore") == "1"
    if request.method == "GET" and pupil.archived_at is not None:
        return redirect("pupil_detail", pupil.pk)
    if not restore and pupil.archived_at is None and request.POST.get("confirm") != "1":  # GET too: the question
        return render(request, "students/pupil_archive_confirm.html", {"pupil": pupil})  # the name only: no read logged
    try:
        if restore:
            services.pupil_restore(actor=request.user, pupil=pupil)  # type: ignore[arg-type]
        else:
            services.pupil_archive(actor=request.user, pupil=pupil)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if restore:
            messages.success(request, _("The pupil is no longer archived and shows in the lists again."))
        else:
            messages.success(
                request, _("The pupil is archived: hidden from the lists, the records kept and readable to you.")
            )
    return redirect("pupil_detail", pupil.pk)


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return "unreachable"
    return "ok"


def _broker_state() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    from kombu import Connection

    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=1, transport_options=options) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
    except Exception:  # any transport's error: the state is reported, the reason logged
        logger.warning("Health check: the broker does not answer", exc_info=True)
        return "unreachable"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """``/helse/`` for load balancers and compose: ``{"database": "ok"|"unreachable",
    "broker": "ok"|"unreachable"|"not configured"}``, status 200 while the database
    answers a real query and 503 when it does not. The broker's state is reported
    but does not fail the check: pages keep working without it (tasks wait)."""
    state = {"database": _database_state(), "broker": _broker_state()}
    return JsonResponse(state, status=200 if state["database"] == "ok" else 503)


CSRF_TOKEN_HEADER = "X-CSRF-Token"  # noqa: S105 (a header name, not a secret)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a refused security token answers 403.

    htmx requests get a short plain-text message and, in the ``X-CSRF-Token``
    header, a token valid for the browser's current cookie (it changes when
    the user logs in again, e.g. in another tab), so the page can take it and
    send the save again; nothing is swapped into the page. Other requests get
    a translated page asking the user to go back and reload. REASON (Django's
    English reason) is logged by Django already and not shown."""
    if getattr(request, "htmx", False):
        response = HttpResponse(
            _("The page's security token has expired. Trying again; if this stays, reload the page."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
        response[CSRF_TOKEN_HEADER] = get_token(request)
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "csrf_failure.html", status=403)
