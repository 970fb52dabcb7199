"""Thin views: resolve through the access layer, call a service or selector,
render. Bad input re-renders the form with a message; nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iop import concurrency
from iop import selectors as iop_selectors
from iop import services as iop_services
from iop.autosave import autosave_refused, autosaved
from iop.confirm import confirm_page
from iop.models import AccessLogEntry, SakkyndigVurdering
from iop.reports import documents
from students import access
from students.access import Action
from students.models import Group, Pupil, School, User
from students.params import clean_text, parse_int
from students.urlcache import reverse_one

from . import ical, reminders, report_text, selectors, services, tilsyn, wheel
from . import pipeline as pipeline_selectors
from .deadlines import effective_duties
from .forms import (
    ConcernCloseForm,
    ConcernForm,
    ConsentForm,
    DashboardFilterForm,
    DeadlineCompleteForm,
    DecisionForm,
    DutyForm,
    EvaluationForm,
    GuardianPreferenceForm,
    InterimReplyForm,
    KartleggingForm,
    MeetingForm,
    PipelineFilterForm,
    PlanForm,
    PreferenceForm,
    ReferralCreateForm,
    ReferralForm,
    TalkForm,
    TiltakForm,
)
from .models import Deadline, Duty, InterimReply, Preference, Referral, Talk, Tiltak
from .rows import RowWords, deadline_row, namesakes

PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "POST"])


def _apply_errors(form: BaseForm, exc: ValidationError) -> None:
    """Put a service's validation errors on the form (fields it lacks → top)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _save(form: BaseForm, action: Callable[[], Any]) -> Any | None:
    """Run a service; on a validation error keep the form (and the input)."""
    try:
        return action()
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _log_read(request: HttpRequest, pupil: Pupil, kind: str, object_id: Any, purpose: str = "read") -> None:
    """Record the read of a pupil's follow-up record in the access log."""
    iop_services.log_read(actor=_user(request), pupil=pupil, kind=kind, object_id=object_id, purpose=purpose)


def _school(user: Any, school_id: int) -> School:
    school = access.managed_schools(user).filter(pk=school_id).first()
    if school is None:
        raise Http404
    return school


# --- dashboard, notifications, preferences, calendar ----------------------------------------


@never_cache
@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.profile(request.user).is_staff_member:
        raise PermissionDenied
    form, f = _dashboard_filter(request.user, request.GET)
    page = Paginator(selectors.dashboard_rows(request.user, f), PAGE_SIZE).get_page(request.GET.get("side"))
    today = timezone.localdate()
    token, words = get_token(request), RowWords.current()
    here = reverse("followup:dashboard")  # a deadline about the whole school links nowhere, not to this page
    shared = namesakes(page.object_list)
    html_rows = [
        deadline_row(
            d, selectors.deadline_link(d, here=here), today=today, csrf_token=token, words=words, namesakes=shared
        )
        for d in page.object_list
    ]
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        "form": form,
        "page": page,
        "rows": html_rows,
        "counts": selectors.dashboard_counts(request.user, f),
        "status_query": _without(request.GET, "status", "side"),
        "figures": None if request.htmx else selectors.school_figures(request.user, request.GET.get("skoler")),  # type: ignore[attr-defined]
        "figures_query": _without(request.GET, "skoler"),
        "talk_target_shown": access.profile(request.user).works_with_chain,  # a Norwegian target
        "today": today,
        "query": query.urlencode(),
        "complete_form": DeadlineCompleteForm(),
        "counts_oob": request.htmx,  # type: ignore[attr-defined]  # a new filter gives new counts
        "status": ngettext("%(count)s deadline matches.", "%(count)s deadlines match.", page.paginator.count)
        % {"count": page.paginator.count},
    }
    template = "followup/_dashboard_rows.html" if request.htmx else "followup/dashboard.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@never_cache
@login_required
@require_GET
def pipeline(request: HttpRequest) -> HttpResponse:
    """Every pupil in the chain the user works with: step, days in it, who it
    waits for, overdue marked (:mod:`followup.pipeline`); a fixed number of queries."""
    prof = access.profile(request.user)
    if not prof.is_staff_member:
        raise PermissionDenied
    if not prof.works_with_chain:
        raise Http404  # the chain is Norwegian law; the user's schools are not Norwegian
    today = timezone.localdate()
    schools, groups, _managed = selectors.school_and_group_choices(request.user)
    form = PipelineFilterForm(request.GET or None, schools=schools, groups=groups)
    school = group = None
    if form.is_bound and form.is_valid():
        school, group = form.cleaned_data.get("school"), form.cleaned_data.get("group")
    pupils = pipeline_selectors.pipeline_pupils(request.user, today, school=school, group=group)
    page = Paginator(pupils, pipeline_selectors.PAGE_SIZE).get_page(request.GET.get("side"))
    rows = pipeline_selectors.pipeline_rows(list(page.object_list), selectors.deadline_scope(request.user), today)
    iop_services.log_reads(
        actor=_user(request), reads=[(row.pupil, AccessLogEntry.Kind.PUPIL, row.pupil.pk) for row in rows]
    )
    query = request.GET.copy()
    query.pop("side", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    return render(request, "followup/pipeline.html", context)


def _dashboard_filter(user: Any, params: QueryDict) -> tuple[DashboardFilterForm, selectors.DashboardFilter]:
    """The deadline page's filter form bound to PARAMS (its query string) and
    the filter it gives: the default one when PARAMS are empty or invalid."""
    choices = selectors.dashboard_choices(user)
    form = DashboardFilterForm(
        params or None,
        schools=choices.schools,
        groups=choices.groups,
        people=choices.people,
        duties=choices.duties,
    )
    f = selectors.DashboardFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        f = selectors.DashboardFilter(
            status=data.get("status") or "attention",
            school=data.get("school"),
            group=data.get("group"),
            responsible=data.get("responsible"),
            duty=data.get("duty") or "",
            mine=bool(data.get("mine")),
        )
    return form, f


def _dashboard_counts(request: HttpRequest) -> dict[str, Any]:
    """The deadline page's counts (and the query their links keep) for the
    page an htmx request came from (``HX-Current-URL``), so that an answer
    can send them out of band; empty when that page is not the deadline page."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if current.path != reverse("followup:dashboard"):
        return {}
    params = QueryDict(current.query)
    _form, f = _dashboard_filter(request.user, params)
    return {
        "counts": selectors.dashboard_counts(request.user, f),
        "status_query": _without(params, "status", "side"),
    }


def _back(request: HttpRequest) -> str:
    """Where a form sent without htmx goes back to: its ``next`` or the page
    it was sent from (a path on this site only), else the deadline page."""
    target = clean_text(request.POST.get("next", "")) or ""
    if not target:
        referer = urlsplit(request.headers.get("Referer", ""))
        if referer.netloc == request.get_host() and referer.path:
            target = referer.path + (f"?{referer.query}" if referer.query else "")
    # A path on this site only: redirect() would read anything else as a URL name.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("followup:dashboard")
    return target


def _without(query: Any, *names: str) -> str:
    """QUERY (a QueryDict) urlencoded without NAMES, ending in "&" when not empty."""
    rest = query.copy()
    for name in names:
        rest.pop(name, None)
    encoded = rest.urlencode()
    return f"{encoded}&" if encoded else ""


def _deadline_row(request: HttpRequest, deadline: Deadline, **extra: Any) -> HttpResponse:
    """The htmx answer to a change of DEADLINE's state: its row again, as it
    now is (EXTRA: the form's errors, the status line), and the deadline
    page's counts out of band when the change was sent from that page."""
    deadline.refresh_from_db()
    context = {
        "d": deadline,
        "link": selectors.deadline_link(deadline, here=reverse("followup:dashboard")),
        "today": timezone.localdate(),
        **extra,
        **_dashboard_counts(request),
    }
    return render(request, "followup/_deadline_done.html", context)


@never_cache
@login_required
@require_POST
def deadline_complete(request: HttpRequest, deadline_id: str) -> HttpResponse:
    """Mark a deadline the user sees as done, with a note of what was done
    (404 for one the user does not see). htmx: the deadline's row again (with
    the form's errors), and when sent from the deadline page its counts out of
    band for the filter that page shows; without htmx: a message and back to
    the page the form was sent from (``next`` or the referring page)."""
    deadline = selectors.deadline_scope(request.user).filter(pk=selectors._pk(deadline_id)).first()
    if deadline is None:
        raise Http404
    form = DeadlineCompleteForm(request.POST)
    done = None
    if form.is_valid():
        done = _save(
            form,
            lambda: services.deadline_complete(actor=_user(request), deadline=deadline, note=form.cleaned_data["note"]),
        )
    if request.htmx:  # type: ignore[attr-defined]
        return _deadline_row(
            request,
            deadline,
            complete_form=form,
            status=_("The deadline is marked as done.") if done is not None else "",
        )
    if done is not None:
        messages.success(request, _("The deadline is marked as done."))
    else:
        messages.error(
            request,
            " ".join(str(e) for e in form.errors.get("note", form.non_field_errors()))
            or _("Could not mark the deadline as done."),
        )
    return redirect(_back(request))


@never_cache
@login_required
@require_POST
def deadline_reopen(request: HttpRequest, deadline_id: str) -> HttpResponse:
    """Open again a deadline the user marked done by hand
    (:func:`followup.services.deadline_reopen`; 404 for one the user does not
    see). htmx: the deadline's row again, open, with the deadline page's
    counts out of band; without htmx: a message and back to the page the form
    was sent from."""
    deadline = selectors.deadline_scope(request.user).filter(pk=selectors._pk(deadline_id)).first()
    if deadline is None:
        raise Http404
    refused = ""
    try:
        services.deadline_reopen(actor=_user(request), deadline=deadline)
    except ValidationError as exc:
        refused = " ".join(exc.messages)
    if request.htmx:  # type: ignore[attr-defined]
        return _deadline_row(
            request, deadline, reopen_error=refused, status="" if refused else _("The deadline is open again.")
        )
    if refused:
        messages.error(request, refused)
    else:
        messages.success(request, _("The deadline is open again."))
    return redirect(_back(request))


@never_cache
@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, a page at a time (``?side=N``;
    a bad N gives the first or the last page): two queries for the list
    whatever its length (:func:`followup.selectors.notifications_page`)."""
    page = selectors.notifications_page(request.user, request.GET.get("side"))
    return render(
        request,
        "followup/notifications.html",
        {"page": page, "rows": [(n, reverse_one("followup:notification_open", n.pk)) for n in page.object_list]},
    )


@never_cache
@login_required
@require_GET
def notification_open(request: HttpRequest, pk: str) -> HttpResponse:
    """Open one of the user's notifications: it is marked read and the user is
    taken to the page it is about (404 for anyone else's)."""
    notification = selectors.notification_for(request.user, pk)
    services.notification_mark_read(actor=_user(request), notification=notification)
    return redirect(selectors.notification_link(notification))


@never_cache
@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    prof = access.profile(request.user)
    if not (prof.is_staff_member or prof.is_guardian):
        raise PermissionDenied
    services.notifications_mark_read(actor=_user(request))
    return redirect("followup:notifications")


@never_cache
@login_required
@GET_POST
def preferences(request: HttpRequest) -> HttpResponse:
    prof = access.profile(request.user)
    if not prof.is_staff_member:
        if prof.is_guardian:
            return _guardian_preferences(request)
        raise PermissionDenied
    pref = services.preference_for(_user(request))
    form = PreferenceForm(
        request.POST or None, initial={"daily_digest": pref.daily_digest, "language": _user(request).language}
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda: services.preference_save(
                actor=_user(request),
                daily_digest=form.cleaned_data["daily_digest"],
                language=form.cleaned_data["language"],
            ),
        )
        if saved is not None:
            _settings_saved(request)
            return redirect("followup:preferences")
    feed = request.build_absolute_uri(reverse("followup:ical", args=[pref.ical_token]))
    return render(request, "followup/preferences.html", {"form": form, "feed": feed})


def _settings_saved(request: HttpRequest) -> None:
    """Say so in the language the next page speaks (the one just chosen)."""
    language = _user(request).language or access.profile(request.user).language or settings.LANGUAGE_CODE
    with translation.override(language):
        messages.success(request, _("Your settings are saved."))


def _guardian_preferences(request: HttpRequest) -> HttpResponse:
    """A guardian's settings: e-mail when a plan is published, and the language of e-mails."""
    pref = services.preference_for(_user(request))
    form = GuardianPreferenceForm(
        request.POST or None, initial={"plan_emails": pref.plan_emails, "language": _user(request).language}
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda: services.preference_save(
                actor=_user(request),
                daily_digest=pref.daily_digest,
                language=form.cleaned_data["language"],
                plan_emails=form.cleaned_data["plan_emails"],
            ),
        )
        if saved is not None:
            _settings_saved(request)
            return redirect("followup:preferences")
    return render(request, "followup/preferences.html", {"form": form, "feed": None})


@never_cache
@login_required
@require_POST
def ical_renew(request: HttpRequest) -> HttpResponse:
    if not access.profile(request.user).is_staff_member:
        raise PermissionDenied
    services.ical_token_renew(actor=_user(request))
    messages.success(request, _("The calendar address is renewed. The old address no longer works."))
    return redirect("followup:preferences")


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's deadlines as an iCalendar feed. The secret token is the
    login; an unknown token answers 404 like any missing page."""
    if clean_text(token) is None:
        raise Http404
    pref = Preference.objects.filter(ical_token=token, user__is_active=True).select_related("user").first()
    if pref is None or not access.profile(pref.user).is_staff_member:
        raise Http404
    with translation.override(reminders.language_of(pref.user)):
        body = ical.feed(pref.user, request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = documents.disposition("frister.ics", attachment=False)
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- the pupil's follow-up -----------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def pupil(request: HttpRequest, pupil_id: str) -> HttpResponse:
    page = selectors.pupil_followup(request.user, pupil_id)
    _log_read(request, page.pupil, AccessLogEntry.Kind.PLAN, page.pupil.pk)
    return render(request, "followup/pupil.html", {"page": page, "pupil": page.pupil})


def _pupil_form_view(
    request: HttpRequest,
    pupil_id: str,
    action: Action,
    make_form: Callable[[Any, Any], BaseForm],
    save: Callable[[Any, BaseForm], Any],
    template: str,
    title: str,
    success: str,
    redirect_to: Callable[[Any, Any], str] | None = None,
    *,
    chain: bool = False,
) -> HttpResponse:
    pupil_obj = access.get_pupil(request.user, pupil_id, action, chain=chain)
    form = make_form(pupil_obj, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = _save(form, lambda: save(pupil_obj, form))
        if result is not None:
            messages.success(request, success)
            target = redirect_to(pupil_obj, result) if redirect_to else reverse("followup:pupil", args=[pupil_obj.pk])
            return redirect(target)
    return render(request, template, {"form": form, "pupil": pupil_obj, "title": title})


@never_cache
@login_required
@GET_POST
def concern_create(request: HttpRequest, pupil_id: str) -> HttpResponse:
    return _pupil_form_view(
        request,
        pupil_id,
        Action.LOG,
        lambda p, data: ConcernForm(data),
        lambda p, form: services.concern_file(actor=_user(request), pupil=p, **form.cleaned_data),
        "followup/form.html",
        _("File a concern"),
        _("The concern is filed. The school's coordinator has been notified."),
    )


@never_cache
@login_required
@require_GET
def concern_detail(request: HttpRequest, concern_id: str) -> HttpResponse:
    obj = selectors.concern(request.user, concern_id)
    _log_read(request, obj.pupil, AccessLogEntry.Kind.CONCERN, obj.pk)
    can_manage = access.can(request.user, Action.MANAGE, obj.pupil)
    return render(
        request,
        "followup/concern_detail.html",
        {"concern": obj, "pupil": obj.pupil, "can_manage": can_manage, "close_form": ConcernCloseForm()},
    )


@never_cache
@login_required
@require_POST
def concern_receive(request: HttpRequest, concern_id: str) -> HttpResponse:
    obj = selectors.concern(request.user, concern_id, Action.MANAGE)
    services.concern_receive(actor=_user(request), concern=obj)
    messages.success(request, _("The concern is marked as received."))
    return redirect("followup:concern_detail", obj.pk)


@never_cache
@login_required
@require_POST
def concern_close(request: HttpRequest, concern_id: str) -> HttpResponse:
    obj = selectors.concern(request.user, concern_id, Action.MANAGE)
    form = ConcernCloseForm(request.POST)
    if form.is_valid() and _save(
        form, lambda: services.concern_close(actor=_user(request), concern=obj, note=form.cleaned_data["note"])
    ):
        messages.success(request, _("The concern is closed."))
        return redirect("followup:concern_detail", obj.pk)
    return render(
        request,
        "followup/concern_detail.html",
        {"concern": obj, "pupil": obj.pupil, "can_manage": True, "close_form": form},
        status=400,
    )


#: The query parameter of the kartlegging form naming the concern it follows (preselected).
CONCERN_PARAM = "bekymring"


def _concern_initial(request: HttpRequest, pupil: Pupil) -> dict[str, Any]:
    """``{"concern": <id>}`` when the query names a concern of PUPIL that the
    user may see (the access layer); else nothing: an unknown, foreign or
    hidden concern is ignored, never shown."""
    raw = request.GET.get(CONCERN_PARAM)
    if not raw:
        return {}
    try:
        found = selectors.concern(request.user, raw)
    except (Http404, PermissionDenied):
        return {}
    return {"concern": found.pk} if found.pupil_id == pupil.pk else {}


@never_cache
@login_required
@GET_POST
def kartlegging_create(request: HttpRequest, pupil_id: str) -> HttpResponse:
    def make(p: Pupil, data: Any) -> BaseForm:
        initial: dict[str, Any] = {"date": timezone.localdate()}
        if data is None:
            initial.update(_concern_initial(request, p))
        return KartleggingForm(data, pupil=p, initial=initial)

    return _pupil_form_view(
        request,
        pupil_id,
        Action.LOG,
        make,
        lambda p, form: services.kartlegging_create(actor=_user(request), pupil=p, **form.cleaned_data),
        "followup/form.html",
        _("Record a kartlegging"),
        _("The kartlegging is saved."),
    )


@never_cache
@login_required
@GET_POST
def plan_edit(request: HttpRequest, pupil_id: str) -> HttpResponse:
    def make(p: Any, data: Any) -> BaseForm:
        plan = services.active_plan(p)
        if data is None:
            _log_read(request, p, AccessLogEntry.Kind.PLAN, p.pk, AccessLogEntry.Purpose.EDIT)
        return PlanForm(data, initial={"main_challenges": plan.main_challenges if plan else ""})

    return _pupil_form_view(
        request,
        pupil_id,
        Action.EDIT,
        make,
        lambda p, form: services.plan_save(actor=_user(request), pupil=p, **form.cleaned_data),
        "followup/form.html",
        _("Follow-up plan"),
        _("The follow-up plan is saved."),
    )


@never_cache
@login_required
@GET_POST
def tiltak_create(request: HttpRequest, pupil_id: str) -> HttpResponse:
    meeting = None
    if request.GET.get("mote"):
        meeting = selectors.meeting(request.user, request.GET["mote"])

    def make(p: Any, data: Any) -> BaseForm:
        today = timezone.localdate()
        return TiltakForm(
            data,
            staff=selectors.staff_of_school(p.school_id),
            initial={"start": today, "responsible": request.user.pk},
        )

    return _pupil_form_view(
        request,
        pupil_id,
        Action.EDIT,
        make,
        lambda p, form: services.tiltak_create(actor=_user(request), pupil=p, meeting=meeting, **form.cleaned_data),
        "followup/form.html",
        _("New tiltak"),
        _("The tiltak is saved. Its evaluation date is in the deadlines."),
        redirect_to=lambda p, t: reverse("followup:tiltak_detail", args=[t.pk]),
    )


@never_cache
@login_required
@require_GET
def tiltak_detail(request: HttpRequest, tiltak_id: str) -> HttpResponse:
    obj = selectors.tiltak(request.user, tiltak_id)
    _log_read(request, obj.pupil, AccessLogEntry.Kind.TILTAK, obj.pk)
    return render(
        request,
        "followup/tiltak_detail.html",
        {"tiltak": obj, "pupil": obj.pupil, "can_edit": access.can(request.user, Action.EDIT, obj.pupil)},
    )


@never_cache
@login_required
@GET_POST
def tiltak_evaluate(request: HttpRequest, tiltak_id: str) -> HttpResponse:
    obj = selectors.tiltak(request.user, tiltak_id, Action.EDIT)
    if obj.status != Tiltak.Status.ACTIVE:
        messages.error(request, _("This tiltak has ended."))
        return redirect("followup:tiltak_detail", obj.pk)
    if request.method == "GET":
        _log_read(request, obj.pupil, AccessLogEntry.Kind.TILTAK, obj.pk, AccessLogEntry.Purpose.EDIT)
    form = EvaluationForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        done = _save(form, lambda: services.tiltak_evaluate(actor=_user(request), tiltak=obj, **form.cleaned_data))
        if done is not None:
            messages.success(request, _("The evaluation is saved."))
            return redirect("followup:tiltak_detail", obj.pk)
    return render(
        request,
        "followup/form.html",
        {"form": form, "pupil": obj.pupil, "title": _("Evaluate the tiltak"), "tiltak": obj},
    )


# --- referral ----------------------------------------------------------------------------------------


@never_cache
@login_required
@GET_POST
def referral_create(request: HttpRequest, pupil_id: str) -> HttpResponse:
    return _pupil_form_view(
        request,
        pupil_id,
        Action.EDIT,
        lambda p, data: ReferralCreateForm(data),
        lambda p, form: services.referral_create(actor=_user(request), pupil=p, **form.cleaned_data),
        "followup/form.html",
        _("Referral to PPT"),
        _("The referral is started. Check the pedagogisk rapport and record the consent."),
        redirect_to=lambda p, r: reverse("followup:referral_detail", args=[r.pk]),
        chain=True,  # a referral to PPT is the Norwegian chain's first step
    )


def _assessment_of(request: HttpRequest, referral: Any) -> dict[str, Any] | None:
    """For PPT on a sent referral: the way on to writing the sakkyndig
    vurdering (the one begun since the referral, if any)."""
    if not referral.is_sent or not access.can(request.user, Action.ASSESS, referral.pupil):
        return None
    begun = (
        SakkyndigVurdering.objects.filter(pupil=referral.pupil, created_at__gte=referral.sent_at)
        .order_by("-created_at")
        .first()
    )
    return {"vurdering": begun}


def _referral_page(request: HttpRequest, obj: Any, **extra: Any) -> HttpResponse:
    staff = access.can(request.user, Action.LOG, obj.pupil)
    context = {
        "referral": obj,
        "pupil": obj.pupil,
        "can_edit": staff and access.can(request.user, Action.EDIT, obj.pupil) and not obj.is_sent,
        "can_send": staff and access.can(request.user, Action.MANAGE, obj.pupil) and not obj.is_sent,
        "kept": services.referral_kept(obj),  # why it may not be deleted ("" when it may)
        "staff": staff,
        "assessment": _assessment_of(request, obj),
        "consent_form": ConsentForm(
            initial={"date": timezone.localdate()},
            guardians=iop_selectors.consenting_guardians(obj.pupil),
            assessment=staff and access.can(request.user, Action.MANAGE, obj.pupil),
            pupil=obj.pupil,
        ),
        **extra,
    }
    return render(request, "followup/referral_detail.html", context, status=400 if extra else 200)


@never_cache
@login_required
@require_GET
def referral_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    obj = selectors.referral(request.user, referral_id)
    _log_read(request, obj.pupil, AccessLogEntry.Kind.REFERRAL, obj.pk)
    return _referral_page(request, obj)


@never_cache
@login_required
@GET_POST
def referral_edit(request: HttpRequest, referral_id: str) -> HttpResponse:
    """The question and the pedagogisk rapport. Saves itself while the author
    types (htmx, "Saved hh:mm"); saves merge field by field with other
    teachers' (iop.concurrency), a clash on the same field shows both texts."""
    obj = selectors.referral(request.user, referral_id, Action.EDIT)
    htmx = request.method == "POST" and bool(request.htmx)  # type: ignore[attr-defined]
    if obj.is_sent:
        if htmx:
            return _autosave_message(_("Not saved: the referral is sent and can no longer be changed."))
        messages.error(request, _("A sent referral cannot be changed."))
        return redirect("followup:referral_detail", obj.pk)
    if request.method == "GET":
        _log_read(request, obj.pupil, AccessLogEntry.Kind.REFERRAL, obj.pk, AccessLogEntry.Purpose.EDIT)
    form = ReferralForm(request.POST or None, instance=obj)
    theirs: list[concurrency.Clash] = []
    conflicted = False
    if request.method == "POST":
        data, _chose = concurrency.apply_choices(
            form.data,  # type: ignore[arg-type]
            prefix="",
            fields=Referral.TEXT_FIELDS,
            current=obj,
        )
        form.data = data
        if form.is_valid():
            try:
                saved = services.referral_update(
                    actor=_user(request), referral=obj, version=form.cleaned_data["version"], data=form.cleaned_data
                )
            except concurrency.EditConflict as exc:
                conflicted, theirs = True, concurrency.rebase(form, exc)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if htmx:
                    return autosaved(request, form, saved)
                messages.success(request, _("The referral is saved."))
                unfinished = [t for t in report_text.unfinished(saved.report) if t]
                if unfinished:
                    messages.warning(
                        request,
                        _("Saved, but the section %(sections)s is still empty or holds only the hint.")
                        % {"sections": ", ".join(f"«{t}»" for t in unfinished)},
                    )
                return redirect("followup:referral_detail", obj.pk)
        if htmx:
            return autosave_refused(request, form, theirs)
    context = {
        "form": form,
        "pupil": obj.pupil,
        "title": _("Edit the referral"),
        "theirs": theirs,
        "autosave": not theirs,
    }
    return render(request, "followup/form.html", context, status=409 if conflicted else 200)


def _autosave_message(message: str) -> HttpResponse:
    """A refused htmx save's message for the form's status area."""
    return HttpResponse(format_html('<span class="draft-error" role="alert">{}</span>', message))


@never_cache
@login_required
@require_POST
def consent_create(request: HttpRequest, referral_id: str) -> HttpResponse:
    obj = selectors.referral(request.user, referral_id, Action.EDIT)
    form = ConsentForm(
        request.POST,
        guardians=iop_selectors.consenting_guardians(obj.pupil),
        assessment=access.can(request.user, Action.MANAGE, obj.pupil),
        pupil=obj.pupil,
    )
    if form.is_valid() and _save(
        form, lambda: services.consent_record(actor=_user(request), referral=obj, **form.cleaned_data)
    ):
        messages.success(request, _("The consent is recorded."))
        return redirect("followup:referral_detail", obj.pk)
    return _referral_page(request, obj, consent_form=form)


@never_cache
@login_required
@require_POST
def referral_delete(request: HttpRequest, referral_id: str) -> HttpResponse:
    """Delete a draft referral begun by mistake: first a confirmation page
    without JavaScript (``confirm=1`` deletes), or a page saying why it is
    kept (sent, or consent recorded); then the pupil's follow-up page."""
    obj = selectors.referral(request.user, referral_id, Action.EDIT)
    back = reverse("followup:referral_detail", args=[obj.pk])
    kept = services.referral_kept(obj)
    if kept or request.POST.get("confirm") != "1":
        return confirm_page(
            request,
            document=_("Referral to PPT"),
            pupil=obj.pupil,
            question=_("Delete the draft referral?"),
            consequence=_("The question and the pedagogisk rapport written so far are deleted."),
            button=_("Yes, delete the draft"),
            back=back,
            refused=kept,
            deletes=True,
        )
    try:
        services.referral_delete(actor=_user(request), referral=obj)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("The draft referral is deleted."))
    return redirect("followup:pupil", obj.pupil.pk)


@never_cache
@login_required
@require_POST
def referral_send(request: HttpRequest, referral_id: str) -> HttpResponse:
    obj = selectors.referral(request.user, referral_id, Action.MANAGE)
    try:
        services.referral_send(actor=_user(request), referral=obj)
    except ValidationError as exc:
        return _referral_page(request, obj, send_errors=exc.messages)
    messages.success(request, _("The referral is sent. PPT now has access to the pupil."))
    return redirect("followup:referral_detail", obj.pk)


# --- talks ----------------------------------------------------------------------------------------------


@never_cache
@login_required
@GET_POST
def talk_create(request: HttpRequest, pupil_id: str) -> HttpResponse:
    kind = request.GET.get("kind", "")
    initial = {"date": timezone.localdate(), "staff": [request.user.pk]}
    if kind in Talk.Kind.values:
        initial["kind"] = kind
    return _pupil_form_view(
        request,
        pupil_id,
        Action.EDIT,
        lambda p, data: TalkForm(data, staff=selectors.staff_of_school(p.school_id), initial=initial),
        lambda p, form: services.talk_save(actor=_user(request), pupil=p, **form.cleaned_data),
        "followup/form.html",
        _("Talk"),
        _("The talk is saved."),
    )


@never_cache
@login_required
@GET_POST
def talk_edit(request: HttpRequest, talk_id: str) -> HttpResponse:
    obj = selectors.talk(request.user, talk_id, Action.LOG if request.method == "GET" else Action.EDIT)
    can_edit = access.can(request.user, Action.EDIT, obj.pupil)
    if request.method == "GET":
        _log_read(request, obj.pupil, AccessLogEntry.Kind.TALK, obj.pk)
    form = TalkForm(request.POST or None, instance=obj, staff=selectors.staff_of_school(obj.pupil.school_id))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if _save(form, lambda: services.talk_save(actor=_user(request), pupil=obj.pupil, talk=obj, **data)):
            messages.success(request, _("The talk is saved."))
            return redirect("followup:pupil", obj.pupil.pk)
    return render(
        request,
        "followup/form.html",
        {"form": form, "pupil": obj.pupil, "title": obj.get_kind_display(), "read_only": not can_edit},
    )


@never_cache
@login_required
@require_GET
def talk_overview(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.groups_for_meetings(request.user).filter(pk=group_id).first()
    if group is None:
        raise Http404
    rows = selectors.talk_overview(request.user, group)
    return render(request, "followup/talk_overview.html", {"group": group, "rows": rows})


# --- follow-up meetings ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    if not access.profile(request.user).is_staff_member:
        raise PermissionDenied
    groups = list(selectors.groups_for_meetings(request.user))
    qs = selectors.meetings(request.user)
    chosen = parse_int(request.GET.get("group"))
    group_id = str(chosen) if chosen is not None and chosen in {g.pk for g in groups} else ""
    if chosen is not None and group_id:
        qs = qs.filter(group_id=chosen)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "followup/meeting_list.html", {"page": page, "groups": groups, "group_id": group_id})


def _meeting_form(request: HttpRequest, group: Group | None, **kwargs: Any) -> MeetingForm:
    groups = selectors.groups_for_meetings(request.user)
    data = request.POST if request.method == "POST" else None
    group_pk = (data.get("group") if data else None) or (group.pk if group else None)
    group_number = parse_int(group_pk)
    chosen = groups.filter(pk=group_number).first() if group_number else None
    staff = selectors.staff_of_school(chosen.school_year.school_id) if chosen else selectors.staff_of_school(-1)
    pupils = selectors.group_pupils(request.user, chosen) if chosen else Pupil.objects.none()
    return MeetingForm(data, groups=groups, staff=staff, pupils=pupils, **kwargs)


@never_cache
@login_required
@GET_POST
def meeting_create(request: HttpRequest) -> HttpResponse:
    groups = selectors.groups_for_meetings(request.user)
    if not groups.exists():
        raise PermissionDenied
    group_id = parse_int(request.GET.get("group"))
    group = groups.filter(pk=group_id).first() if group_id else None
    form = _meeting_form(
        request,
        group,
        initial={"group": group.pk if group else None, "date": timezone.localdate(), "participants": [request.user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("group")
        saved = _save(form, lambda: services.meeting_save(actor=_user(request), group=chosen, **data))
        if saved is not None:
            messages.success(request, _("The meeting is saved."))
            return redirect("followup:meeting_detail", saved.pk)
    return render(request, "followup/form.html", {"form": form, "title": _("New follow-up meeting")})


@never_cache
@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    obj = selectors.meeting(request.user, meeting_id)
    discussed = selectors.meeting_discussed(request.user, obj)
    iop_services.log_reads(
        actor=_user(request), reads=[(row.pupil, AccessLogEntry.Kind.MEETING, obj.pk) for row in discussed]
    )
    return render(
        request,
        "followup/meeting_detail.html",
        {
            "meeting": obj,
            "discussed": discussed,
            "decision_form": DecisionForm(),
            "talk_groups": [obj.group],
        },
    )


@never_cache
@login_required
@require_POST
def meeting_decision(request: HttpRequest, meeting_id: str, pupil_id: str) -> HttpResponse:
    obj = selectors.meeting(request.user, meeting_id)
    pupil_obj = access.get_pupil(request.user, pupil_id, Action.LOG)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_decision_save(
                actor=_user(request),
                meeting=obj,
                pupil=pupil_obj,
                decision=form.cleaned_data["decision"],
            )
            messages.success(request, _("The decision is saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Write the decision before saving."))
    return redirect("followup:meeting_detail", obj.pk)


# --- årshjul --------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def aarshjul(request: HttpRequest) -> HttpResponse:
    schools = list(access.managed_schools(request.user))
    if not schools:
        raise PermissionDenied
    chosen = request.GET.get("skole", "")
    school = next((s for s in schools if str(s.pk) == chosen), schools[0])
    context = {
        "schools": schools,
        "school": school,
        "wheel": wheel.build(school, timezone.localdate()),
        "school_chain": school.pk in access.profile(request.user).chain_schools(),
    }
    return render(request, "followup/aarshjul.html", context)


@never_cache
@login_required
@require_GET
def aarshjul_pdf(request: HttpRequest, school_id: int) -> HttpResponse:
    """The årshjul of SCHOOL_ID's current school year as a PDF: the wheel
    beside the list by date (404 unless the user manages the school or when
    it has no school year)."""
    from iop.reports import rendering

    school = _school(request.user, school_id)
    built = wheel.build(school, timezone.localdate())
    if built.year is None:
        raise Http404
    rendered = rendering.render_pdf("followup/pdf/aarshjul.html", {"wheel": built}, language=school.language or "nb")
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    filename = f"årshjul-{school.name}-{built.year.name.replace('/', '-')}.pdf"
    response["Content-Disposition"] = documents.disposition(filename, attachment=False)
    return response


@never_cache
@login_required
@GET_POST
def duty_edit(request: HttpRequest, school_id: int, key: str) -> HttpResponse:
    school = _school(request.user, school_id)
    current = next((e for e in effective_duties(school, include_inactive=True) if e.duty.key == key), None)
    if current is None:
        raise Http404
    form = DutyForm(
        request.POST or None,
        instance=Duty(**{f: getattr(current.duty, f) for f in DUTY_COPY}),
        chain=school.pk in access.profile(request.user).chain_schools(),
        inherited=current.duty if current.origin == "aarshjul" else current.inherited,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form, lambda: services.duty_save(actor=_user(request), school=school, key=key, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(
                request, _("The duty is saved for %(school)s. Deadlines are updated.") % {"school": school.name}
            )
            return redirect(reverse("followup:aarshjul") + f"?skole={school.pk}")
    return render(request, "followup/form.html", {"form": form, "title": current.duty.shown_title, "school": school})


DUTY_COPY = services.DUTY_FIELDS


@never_cache
@login_required
@GET_POST
def duty_create(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request.user, school_id)
    form = DutyForm(
        request.POST or None,
        initial={"reminder_days": "7,1", "weekend_to_monday": True, "active": True},
        chain=school.pk in access.profile(request.user).chain_schools(),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.duty_save(actor=_user(request), school=school, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("The duty is added for %(school)s.") % {"school": school.name})
            return redirect(reverse("followup:aarshjul") + f"?skole={school.pk}")
    return render(request, "followup/form.html", {"form": form, "title": _("New duty"), "school": school})


@never_cache
@login_required
@require_POST
def duty_reset(request: HttpRequest, school_id: int, key: str) -> HttpResponse:
    school = _school(request.user, school_id)
    services.duty_reset(actor=_user(request), school=school, key=key)
    messages.success(request, _("The duty follows the årshjul again."))
    return redirect(reverse("followup:aarshjul") + f"?skole={school.pk}")


@never_cache
@login_required
@require_POST
def deadlines_regenerate(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request.user, school_id)
    services.deadlines_regenerate(actor=_user(request), school=school)
    messages.success(request, _("The deadlines of %(school)s are updated.") % {"school": school.name})
    return redirect(reverse("followup:aarshjul") + f"?skole={school.pk}")


@never_cache
@login_required
@require_GET
def referral_pdf(request: HttpRequest, referral_id: str) -> HttpResponse:
    """The referral with its pedagogisk rapport as PDF (:mod:`followup.pdfs`);
    made on a worker when it is too large to make while the person waits."""
    return documents.respond(request, "referral", referral_id)


# --- foreløpig svar (forvaltningsloven § 11 a) ------------------------------------------------


def _waiting_case(request: HttpRequest, kind: str, pk: str) -> tuple[Any, Pupil]:
    """The referral or vurdering waiting for an answer, with its pupil (404 unless the user
    sees the pupil, 403 unless the user manages it)."""
    model: Any = {"referral": Referral, "vurdering": SakkyndigVurdering}.get(kind)
    if model is None:
        raise Http404
    case = model.objects.filter(pk=pk).select_related("pupil__school").first()
    if case is None:
        raise Http404
    pupil = access.get_pupil(request.user, case.pupil_id, Action.MANAGE, chain=True)
    return case, pupil


@never_cache
@login_required
@GET_POST
def interim_reply(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    """Record the interim reply to a case waiting more than a month; then the letter."""
    case, pupil = _waiting_case(request, kind, pk)
    if request.method == "GET":
        iop_services.log_read(actor=_user(request), pupil=pupil, kind=AccessLogEntry.Kind.PUPIL, object_id=pupil.pk)
    form = InterimReplyForm(request.POST or None, initial={"sent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        reply = _save(
            form,
            lambda: services.interim_reply_record(
                actor=_user(request),
                pupil=pupil,
                referral=case if kind == "referral" else None,
                vurdering=case if kind == "vurdering" else None,
                **form.cleaned_data,
            ),
        )
        if reply is not None:
            messages.success(request, _("The interim reply is recorded. Print the letter and send it."))
            return redirect("followup:interim_letter", reply.pk)
    replies = InterimReply.objects.filter(**{kind: case}).order_by("-sent_on")
    context = {"pupil": pupil, "case": case, "kind": kind, "form": form, "replies": list(replies)}
    return render(request, "followup/interim_reply.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_GET
def interim_letter(request: HttpRequest, pk: str) -> HttpResponse:
    """The interim reply as a printable letter to the pupil and the guardians."""
    reply = InterimReply.objects.filter(pk=pk).select_related("pupil__school", "referral", "vurdering").first()
    if reply is None:
        raise Http404
    pupil = access.get_pupil(request.user, reply.pupil_id, Action.MANAGE, chain=True)
    iop_services.log_read(actor=_user(request), pupil=pupil, kind=AccessLogEntry.Kind.PUPIL, object_id=pupil.pk)
    return render(request, "followup/interim_letter.html", {"reply": reply, "pupil": pupil})


# --- tilsyn check ---------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def tilsyn_pupil(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """Every legal requirement of the pupil's case, OK or what is missing
    (:mod:`followup.tilsyn`): the coordinator and the rektor of the pupil's school."""
    pupil_obj = access.get_pupil(request.user, pupil_id, chain=True)
    allowed = pupil_obj.allowed  # type: ignore[attr-defined]
    if Action.MANAGE not in allowed and not (pupil_obj.archived_at is not None and Action.ARCHIVE in allowed):
        raise PermissionDenied  # the coordinator of an archived pupil still reads it
    today = timezone.localdate()
    checked = tilsyn.check_pupils(Pupil.objects.filter(pk=pupil_obj.pk).select_related("school"), today)[0]
    _log_read(request, pupil_obj, AccessLogEntry.Kind.PUPIL, pupil_obj.pk)
    context = {"pupil": checked.pupil, "checked": checked, "today": today}
    return render(request, "followup/tilsyn_pupil.html", context)


@never_cache
@login_required
@require_GET
def tilsyn_index(request: HttpRequest) -> HttpResponse:
    """The menu's way to the tilsyn check: the check of the first (by name) of
    the schools with the chain the user manages, whose page links to the
    others; 404 for anyone who manages none."""
    school = access.managed_schools(request.user, chain=True).order_by("name", "pk").first()
    if school is None:
        raise Http404
    return redirect("followup:tilsyn_school", school.pk)


@never_cache
@login_required
@require_GET
def tilsyn_school(request: HttpRequest, school_id: int) -> HttpResponse:
    """Every requirement across the school's current pupils: how many it
    applies to and the pupils it is missing for, each linked to the pupil's
    check. Coordinator and rektor of the school; other schools answer 404."""
    schools = list(access.managed_schools(request.user, chain=True))
    school = next((s for s in schools if s.pk == school_id), None)
    if school is None:
        raise Http404
    today = timezone.localdate()
    pupils = access.current(access.pupils_for(request.user, Action.MANAGE).filter(school=school))
    counted, checked = tilsyn.check_school(pupils, today)
    rows = tilsyn.school_rows(checked)
    listed = {p.pk: p for row in rows for p in row.missing}
    iop_services.log_reads(actor=_user(request), reads=[(p, AccessLogEntry.Kind.PUPIL, p.pk) for p in listed.values()])
    context = {"school": school, "schools": schools, "rows": rows, "pupils": counted, "today": today}
    return render(request, "followup/tilsyn_school.html", context)
