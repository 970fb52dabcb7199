"""Thin views: resolve the record through the access layer (selectors),
call a service, render. Strangers get 404, read-only users 403 on writes."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from curriculum.models import CompetenceAim
from curriculum.selectors import aim_year_level, search_aims
from students import access
from students.access import Action
from students.models import Pupil, School, User
from students.params import clean_text, parse_int

from . import checks, concurrency, confirm, history, published, rebase, selectors, services
from .autosave import autosave_refused as _autosave_refused
from .autosave import autosaved as _autosaved
from .forms import (
    AdvanceNoticeCommentForm,
    AdvanceNoticeForm,
    AimSearchForm,
    AppealForm,
    AssessmentForm,
    CaseConsentForm,
    CompareForm,
    ConsentWithdrawForm,
    CriteriaTemplateForm,
    GoalForm,
    GoalLogForm,
    IopForm,
    IupForm,
    IupGoalForm,
    IupSettingsForm,
    NotifiedForm,
    SectionForm,
    SubjectFormSet,
    TeachingLogForm,
    VedtakForm,
    VedtakSubjectFormSet,
    VikarGrantForm,
    VurderingForm,
    subject_rows,
)
from .models import (
    AccessLogEntry,
    AdvanceNotice,
    CaseConsent,
    CriteriaTemplate,
    Enkeltvedtak,
    Goal,
    Iop,
    IopSubject,
    IopVersion,
    Iup,
    IupSettings,
    SakkyndigVurdering,
)
from .viewkit import add_service_errors

Kind = AccessLogEntry.Kind
Purpose = AccessLogEntry.Purpose


def _conflict(form: BaseForm, exc: services.EditConflict) -> list[concurrency.Clash]:
    """Keep the editor's text, move the form to the current version (taking
    what only others changed) and return the clashes for ``iop/_conflict.html``."""
    labels = {"subjects": str(_("Subjects and hours"))}
    return concurrency.rebase(form, exc, labels)


def _choose(form: BaseForm, fields: list[str]) -> bool:
    """Apply the keep/take/merge choices posted with FORM (before it is
    validated); True when the post resolved a conflict."""
    data, chose = concurrency.apply_choices(
        form.data,  # type: ignore[arg-type]
        prefix=form.prefix or "",
        fields=fields,
        current=getattr(form, "instance", None),
    )
    form.data = data
    return chose


def _actor(request: HttpRequest) -> User:
    """The logged-in user (every view here is behind login_required)."""
    return cast(User, request.user)


# --- sakkyndig vurdering ------------------------------------------------------------


def _a_year_after(day: datetime.date) -> datetime.date:
    """The same date a year later; from 29 February, 28 February (the last day of that month)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vurdering_create(request: HttpRequest, pupil_id: str) -> HttpResponse:
    pupil = access.get_pupil(request.user, pupil_id, Action.ASSESS, chain=True)
    today = timezone.localdate()
    form = VurderingForm(
        request.POST or None,
        initial={"assessed_on": today, "valid_from": today, "valid_to": _a_year_after(today)},
    )
    formset = SubjectFormSet(request.POST or None, prefix="fag")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            sv = services.vurdering_create(
                actor=_actor(request),
                pupil=pupil,
                data=form.cleaned_data,
                subjects=subject_rows(formset),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The expert assessment is saved as a draft."))
            return redirect("iop:vurdering_detail", sv.pk)
    context = {"pupil": pupil, "form": form, "formset": formset, "title": _("New expert assessment")}
    return render(request, "iop/vurdering_form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vurdering_edit(request: HttpRequest, pk: str) -> HttpResponse:
    sv = selectors.vurdering_for(request.user, pk, Action.ASSESS)
    if not sv.is_draft:
        messages.error(request, _("A completed expert assessment can not be changed."))
        return redirect("iop:vurdering_detail", sv.pk)
    initial = [{name: getattr(s, name) for name in ("subject", *services.SV_SUBJECT_FIELDS)} for s in sv.subjects.all()]
    form = VurderingForm(request.POST or None, instance=sv)
    formset = SubjectFormSet(request.POST or None, prefix="fag", initial=initial)
    theirs: list[concurrency.Clash] = []
    conflicted = False
    if request.method == "POST":
        _choose(form, list(services.SV_FIELDS))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.vurdering_update(
                actor=_actor(request),
                vurdering=sv,
                version=form.cleaned_data["version"],
                data=form.cleaned_data,
                subjects=subject_rows(formset),
            )
        except services.EditConflict as exc:
            conflicted, theirs = True, _conflict(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if request.htmx:  # type: ignore[attr-defined]
                return _autosaved(request, form, saved)
            messages.success(request, _("Saved."))
            return redirect("iop:vurdering_detail", sv.pk)
    if request.method == "POST" and request.htmx:  # type: ignore[attr-defined]
        return _autosave_refused(request, form, theirs)
    if request.method != "POST":
        services.log_read(
            actor=_actor(request),
            pupil=sv.pupil,
            kind=Kind.VURDERING,
            object_id=sv.pk,
            purpose=Purpose.EDIT,
        )
    context = {
        "pupil": sv.pupil,
        "sv": sv,
        "form": form,
        "formset": formset,
        "theirs": theirs,
        "title": _("Edit expert assessment"),
    }
    return render(request, "iop/vurdering_form.html", context, status=409 if conflicted else 200)


@never_cache
@login_required
@require_GET
def vurdering_detail(request: HttpRequest, pk: str) -> HttpResponse:
    sv = selectors.vurdering_for(request.user, pk)
    pupil = sv.pupil
    services.log_read(actor=_actor(request), pupil=pupil, kind=Kind.VURDERING, object_id=sv.pk)
    can_manage = Action.MANAGE in pupil.allowed and not sv.is_draft  # type: ignore[attr-defined]
    if can_manage:  # a decision made or begun from it is linked, not offered again (as on the pupil page)
        selectors.with_decisions(sv)
    context = {
        "pupil": pupil,
        "sv": sv,
        "internal": selectors.works_with(pupil),
        "can_assess": Action.ASSESS in pupil.allowed and sv.is_draft,  # type: ignore[attr-defined]
        "can_manage": can_manage,
        "can_consent": Action.MANAGE in pupil.allowed,  # type: ignore[attr-defined]
    }
    return render(request, "iop/vurdering_detail.html", context)


@login_required
@require_POST
def vurdering_delete(request: HttpRequest, pk: str) -> HttpResponse:
    """Delete a draft expert assessment, after a confirmation page (or a page saying why it is kept)."""
    sv = selectors.vurdering_for(request.user, pk, Action.ASSESS)
    return _delete_draft(
        request,
        document=sv,
        kept=services.vurdering_kept(sv),
        question=_("Delete the draft expert assessment?"),
        consequence=_("Everything written in the draft is deleted. A record of who deleted it and when is kept."),
        delete=lambda: services.vurdering_delete(actor=_actor(request), vurdering=sv),
        done=_("The draft expert assessment is deleted."),
        back=reverse("iop:vurdering_detail", args=[sv.pk]),
    )


def _delete_draft(
    request: HttpRequest,
    *,
    document: Any,
    kept: str,
    question: str,
    consequence: str,
    delete: Callable[[], None],
    done: str,
    back: str,
) -> HttpResponse:
    """Delete the draft DOCUMENT of a pupil: first the confirmation page with
    QUESTION and CONSEQUENCE (or, when KEPT says why it may not be deleted,
    a page saying so), then DELETE, and the pupil's page with DONE. A
    refusal found on the way returns to BACK with its message."""
    if kept or not _confirmed(request):
        return confirm.confirm_page(
            request,
            document=document,
            question=question,
            consequence=consequence,
            button=_("Yes, delete the draft"),
            deletes=True,
            back=back,
            refused=kept,
        )
    try:
        delete()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, done)
    return redirect("pupil_detail", document.pupil_id)


@login_required
@require_POST
def vurdering_complete(request: HttpRequest, pk: str) -> HttpResponse:
    sv = selectors.vurdering_for(request.user, pk, Action.ASSESS)
    if not _confirmed(request) and sv.is_draft:
        return confirm.confirm_page(
            request,
            document=sv,
            question=_("Complete the expert assessment?"),
            consequence=_(
                "A completed expert assessment can no longer be changed. The school can then make a decision."
            ),
            button=_("Yes, complete the assessment"),
            back=reverse("iop:vurdering_detail", args=[sv.pk]),
            problems=services.vurdering_complete_problems(sv, timezone.localdate()),
        )
    _transition(
        request,
        lambda: services.vurdering_complete(actor=_actor(request), vurdering=sv, version=_version(request)),
        conflict=_("Someone else changed the assessment. Check it and try again."),
        done=_("The expert assessment is completed. The school can now make a decision."),
        refused=_("The expert assessment can not be completed yet:"),
    )
    return redirect("iop:vurdering_detail", sv.pk)


def _transition(
    request: HttpRequest, change: Callable[[], object], *, conflict: str, done: str, refused: str = ""
) -> bool:
    """Run a status change (complete, make, publish, archive) and tell the
    user how it went: somebody else's change since the version seen, the
    domain rules that refused it, or done. True when it was done."""
    try:
        change()
    except services.EditConflict:
        messages.error(request, conflict)
    except ValidationError as exc:
        if refused:
            messages.error(request, refused)
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
        return True
    return False


def _confirmed(request: HttpRequest) -> bool:
    """Whether the POST is the "yes" of the confirmation page."""
    return request.POST.get("confirm") == "1"


def _changes_url(name: str, plan: Iop | Iup, query: str = "") -> str:
    """For a published PLAN: the page of its changes since the guardians'
    version (NAME, a compare view); "" for a first publication."""
    return reverse(name, args=[plan.pk]) + query if plan.status == plan.Status.PUBLISHED else ""


def _version(request: HttpRequest) -> int:
    return confirm.posted_version(request)


# --- enkeltvedtak -------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vedtak_create(request: HttpRequest, pk: str) -> HttpResponse:
    sv = selectors.vurdering_for(request.user, pk, Action.MANAGE)
    if sv.is_draft:
        messages.error(request, _("The expert assessment is not completed yet."))
        return redirect("iop:vurdering_detail", sv.pk)
    if request.method == "GET":
        services.log_read(
            actor=_actor(request), pupil=sv.pupil, kind=Kind.VURDERING, object_id=sv.pk, purpose=Purpose.EDIT
        )
    initial = [
        {"subject": s.subject, "hours": s.hours}
        | {name: getattr(s, name) for name in ("organisation", "staff_competence") if getattr(s, name)}
        for s in sv.subjects.all()
    ]
    start: dict[str, Any] = {"valid_from": sv.valid_from, "valid_to": sv.valid_to}
    if not sv.finds_need:  # the decision on an assessment that finds no need is a refusal
        start["outcome"] = Enkeltvedtak.Outcome.REFUSED
    form = VedtakForm(request.POST or None, initial=start)
    formset = VedtakSubjectFormSet(request.POST or None, prefix="fag", initial=initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            vedtak = services.vedtak_create(
                actor=_actor(request),
                pupil=sv.pupil,
                vurdering=sv,
                data=form.cleaned_data,
                subjects=subject_rows(formset),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The decision is saved as a draft."))
            return redirect("iop:vedtak_detail", vedtak.pk)
    context = {"pupil": sv.pupil, "sv": sv, "form": form, "formset": formset, "title": _("New decision")}
    return render(request, "iop/vedtak_form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vedtak_edit(request: HttpRequest, pk: str) -> HttpResponse:
    vedtak = selectors.vedtak_for(request.user, pk, Action.MANAGE)
    if vedtak.is_made:
        messages.error(request, _("A decision that has been made can not be changed. Make a new decision instead."))
        return redirect("iop:vedtak_detail", vedtak.pk)
    if request.method == "GET":
        services.log_read(
            actor=_actor(request), pupil=vedtak.pupil, kind=Kind.VEDTAK, object_id=vedtak.pk, purpose=Purpose.EDIT
        )
    initial = [
        {name: getattr(s, name) for name in ("subject", *services.VEDTAK_SUBJECT_FIELDS)} for s in vedtak.subjects.all()
    ]
    form = VedtakForm(request.POST or None, instance=vedtak)
    formset = VedtakSubjectFormSet(request.POST or None, prefix="fag", initial=initial)
    theirs: list[concurrency.Clash] = []
    conflicted = False
    if request.method == "POST":
        _choose(form, list(services.VEDTAK_FIELDS))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.vedtak_update(
                actor=_actor(request),
                vedtak=vedtak,
                version=form.cleaned_data["version"],
                data=form.cleaned_data,
                subjects=subject_rows(formset),
            )
        except services.EditConflict as exc:
            conflicted, theirs = True, _conflict(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if request.htmx:  # type: ignore[attr-defined]
                return _autosaved(request, form, saved)
            messages.success(request, _("Saved."))
            return redirect("iop:vedtak_detail", vedtak.pk)
    if request.method == "POST" and request.htmx:  # type: ignore[attr-defined]
        return _autosave_refused(request, form, theirs)
    context = {
        "pupil": vedtak.pupil,
        "sv": vedtak.vurdering,
        "vedtak": vedtak,
        "form": form,
        "formset": formset,
        "theirs": theirs,
        "title": _("Edit decision"),
    }
    return render(request, "iop/vedtak_form.html", context, status=409 if conflicted else 200)


@never_cache
@login_required
@require_GET
def vedtak_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _vedtak_page(request, selectors.vedtak_for(request.user, pk))


def _vedtak_page(request: HttpRequest, vedtak: Enkeltvedtak, notified_form: Any = None) -> HttpResponse:
    """The decision's page, its read logged; NOTIFIED_FORM: the notification date as typed, with its errors."""
    pupil = vedtak.pupil
    services.log_read(actor=_actor(request), pupil=pupil, kind=Kind.VEDTAK, object_id=vedtak.pk)
    internal = selectors.works_with(pupil) or not selectors.guardian_only(pupil)
    allowed = pupil.allowed  # type: ignore[attr-defined]
    context = {
        "pupil": pupil,
        "vedtak": vedtak,
        "internal": internal,
        "flags": checks.vedtak_flags(vedtak) if internal else [],
        "can_manage": Action.MANAGE in allowed and not vedtak.is_made,
        "can_create_iop": Action.EDIT in allowed and vedtak.is_made and not vedtak.is_refusal,
        "iops": list(vedtak.iops.all()) if internal else [],
        "sv_visible": selectors.may_read_vurdering(pupil),
        "can_history": selectors.works_with(pupil),
        "can_notify": Action.MANAGE in allowed and vedtak.is_made,
        "notified_form": notified_form
        or NotifiedForm(initial={"notified_on": vedtak.notified_on, "version": vedtak.version}),
        "appeals": list(vedtak.appeals.all()) if selectors.works_with(pupil) else [],
        "can_appeal": Action.MANAGE in allowed and vedtak.is_made,
        "notices": sorted(vedtak.advance_notices.all(), key=lambda n: (n.sent_on, n.created_at), reverse=True),
        "replaces": selectors.replaced_vedtak(vedtak),
    }
    # Staff who manage are told to send a new notice; a guardian, that the draft changed since it was sent.
    context["changed_since_notice"] = services.changed_since_notice(vedtak, context["notices"])  # type: ignore[arg-type]
    return render(request, "iop/vedtak_detail.html", context)


@never_cache
@login_required
@require_GET
def vedtak_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    """The decision letter as PDF (a guardian: made decisions only)."""
    from .reports import documents

    return documents.respond(request, "vedtak", pk)


@login_required
@require_POST
def vedtak_notified(request: HttpRequest, pk: str) -> HttpResponse:
    """Record the day the parties were notified; the appeal deadline follows."""
    vedtak = selectors.vedtak_for(request.user, pk, Action.MANAGE)
    form = NotifiedForm(request.POST)
    if form.is_valid():
        try:
            services.vedtak_record_notified(
                actor=_actor(request),
                vedtak=vedtak,
                version=form.cleaned_data["version"],
                notified_on=form.cleaned_data["notified_on"],
            )
        except services.EditConflict:
            messages.error(request, _("Someone else changed the decision. Check it and try again."))
            return redirect("iop:vedtak_detail", vedtak.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The date of notification is recorded."))
            return redirect("iop:vedtak_detail", vedtak.pk)
    # The date as typed stays in the field, with the reason beside it.
    return _vedtak_page(request, vedtak, notified_form=form)


def _appeal_page(
    request: HttpRequest, form: AppealForm, vedtak: Enkeltvedtak, title: str, appeal: Any = None
) -> HttpResponse:
    context = {"pupil": vedtak.pupil, "vedtak": vedtak, "appeal": appeal, "form": form, "title": title}
    return render(request, "iop/appeal_form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def appeal_create(request: HttpRequest, pk: str) -> HttpResponse:
    """Register an appeal against a made decision in the appeal register."""
    vedtak = selectors.vedtak_for(request.user, pk, Action.MANAGE)
    if not vedtak.is_made:
        messages.error(request, _("Only a decision that has been made can be appealed."))
        return redirect("iop:vedtak_detail", vedtak.pk)
    if request.method == "GET":
        services.log_read(
            actor=_actor(request), pupil=vedtak.pupil, kind=Kind.VEDTAK, object_id=vedtak.pk, purpose=Purpose.EDIT
        )
    form = AppealForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_create(actor=_actor(request), vedtak=vedtak, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The appeal is registered."))
            return redirect("iop:vedtak_detail", vedtak.pk)
    return _appeal_page(request, form, vedtak, _("Register an appeal"))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def appeal_edit(request: HttpRequest, pk: str) -> HttpResponse:
    """The next steps of an appeal: the school owner's review, sent to Statsforvalteren, the outcome."""
    appeal = selectors.appeal_for(request.user, pk)
    vedtak = appeal.vedtak
    form = AppealForm(request.POST or None, instance=appeal)
    if request.method == "GET":
        services.log_read(
            actor=_actor(request), pupil=vedtak.pupil, kind=Kind.VEDTAK, object_id=vedtak.pk, purpose=Purpose.EDIT
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_update(
                actor=_actor(request),
                appeal=appeal,
                version=form.cleaned_data.get("version") or 0,
                data=form.cleaned_data,
            )
        except services.EditConflict:
            form.add_error(None, _("Someone else changed the appeal. Reload the page and try again."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("iop:vedtak_detail", vedtak.pk)
    return _appeal_page(request, form, vedtak, _("Appeal"), appeal)


@login_required
@require_POST
def vedtak_delete(request: HttpRequest, pk: str) -> HttpResponse:
    """Delete a draft decision, after a confirmation page (or a page saying why it is kept)."""
    vedtak = selectors.vedtak_for(request.user, pk, Action.MANAGE)
    return _delete_draft(
        request,
        document=vedtak,
        kept=services.vedtak_kept(vedtak),
        question=_("Delete the draft decision?"),
        consequence=_(
            "Everything written in the draft is deleted. A record of who deleted it and when is kept. "
            "The expert assessment stays, ready for a decision."
        ),
        delete=lambda: services.vedtak_delete(actor=_actor(request), vedtak=vedtak),
        done=_("The draft decision is deleted."),
        back=reverse("iop:vedtak_detail", args=[vedtak.pk]),
    )


@login_required
@require_POST
def vedtak_make(request: HttpRequest, pk: str) -> HttpResponse:
    vedtak = selectors.vedtak_for(request.user, pk, Action.MANAGE)
    if not _confirmed(request) and not vedtak.is_made:
        consequence = _(
            "A decision that has been made can no longer be changed; a change needs a new decision. "
            "The guardians can appeal it."
        )
        consequence = " ".join([consequence, *services.vedtak_make_warnings(vedtak)])
        return confirm.confirm_page(
            request,
            document=vedtak,
            question=_("Make the decision?"),
            consequence=consequence,
            button=_("Yes, make the decision"),
            back=reverse("iop:vedtak_detail", args=[vedtak.pk]),
            problems=services.vedtak_make_problems(vedtak, timezone.localdate()),
        )
    _transition(
        request,
        lambda: services.vedtak_make(actor=_actor(request), vedtak=vedtak, version=_version(request)),
        conflict=_("Someone else changed the decision. Check it and try again."),
        done=(
            _("The decision is made. It is a refusal, so no IOP is written on it.")
            if vedtak.is_refusal
            else _("The decision is made. The pupil's IOP can now be written.")
        ),
        refused=_("The decision can not be made yet:"),
    )
    return redirect("iop:vedtak_detail", vedtak.pk)


# --- IOP ----------------------------------------------------------------------------------


@login_required
@require_POST
def iop_create(request: HttpRequest, pk: str) -> HttpResponse:
    vedtak = selectors.vedtak_for(request.user, pk, Action.EDIT)
    try:
        iop = services.iop_create(actor=_actor(request), vedtak=vedtak)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("iop:vedtak_detail", vedtak.pk)
    messages.success(request, _("The IOP is created with the subjects and hours of the decision."))
    return redirect("iop:iop_detail", iop.pk)


def _goal_form(goal: Goal, data: Any = None, year_level: int | None = None) -> GoalForm | IupGoalForm:
    if goal.iop_id:
        subject = goal.section.subject if goal.section_id else ""  # type: ignore[union-attr]
        goal.aim_search_form = AimSearchForm(  # type: ignore[attr-defined]
            initial={"fag": subject, "trinn": year_level}, goal_id=goal.pk
        )
    form_class = IupGoalForm if goal.iup_id else GoalForm
    return form_class(data, instance=goal, prefix=str(goal.pk))


def _goal_year_level(goal: Goal) -> int | None:
    """The year level the aim picker of GOAL's form starts at: the one the
    pupil works towards in the plan's school year (one query)."""
    plan = goal.plan
    return aim_year_level(selectors.pupil_year_level(plan.pupil, plan.school_year))


def _section_form(section: IopSubject, data: Any = None) -> SectionForm:
    return SectionForm(data, instance=section, prefix=str(section.pk))


@never_cache
@login_required
@require_GET
def iop_detail(request: HttpRequest, pk: str) -> HttpResponse:
    read_mode = request.GET.get("visning") == "les"
    page = selectors.iop_page(request.user, pk, read_mode=read_mode)
    # Opening the plan is a read, even where the page offers its forms: the
    # guardians' log says "Open for editing" only where an edit form is fetched
    # (goal_editor, the edit pages); what was changed is in the history.
    services.log_read(
        actor=_actor(request),
        pupil=page.pupil,
        kind=Kind.IOP,
        object_id=page.iop.pk,
        purpose=Purpose.READ,
    )
    if page.can_edit:
        page.extra["iop_form"] = IopForm(instance=page.iop)
        # Goals show as reading text; each brings in its form when the teacher
        # starts editing it (goal_editor), so the page does not grow with forms.
        for view in page.sections:
            if view.section is not None:
                view.section.form = _section_form(view.section)  # type: ignore[attr-defined]
    loggable = _loggable_sections(request.user, page.pupil, [v.section for v in page.sections if v.section is not None])
    if page.can_log and loggable:
        page.extra["teaching_form"] = TeachingLogForm(
            prefix="undervisning",
            sections=loggable,
            initial={"period_end": timezone.localdate(), "period_start": timezone.localdate()},
        )
    editor = Action.EDIT in page.pupil.allowed and page.iop.is_editable  # type: ignore[attr-defined]
    return render(
        request,
        "iop/iop_detail.html",
        {"page": page, "pupil": page.pupil, "iop": page.iop, "read_mode": read_mode, "editor": editor},
    )


def _saved_or_form(
    request: HttpRequest,
    *,
    form: BaseForm,
    save: Any,
    fields: list[str],
    partial: str,
    context: dict[str, Any],
    target: str,
    done_url: str,
    whole_form: bool = False,
    checklist_changed: Callable[[Any], bool] | None = None,
    closed: Callable[[Any], HttpResponse] | None = None,
) -> HttpResponse:
    """Save a versioned form through SAVE(version=, data=). htmx: a small
    "saved" fragment (new version out of band, and the plan's checklist
    recomputed unless CHECKLIST_CHANGED(saved) says the save can not have
    changed it) or the form again with the conflict/errors; without htmx:
    redirect, or the form on its own page. CLOSED: the form is being closed,
    and htmx answers CLOSED(saved) after a save, or the form again with
    ``close_refused`` (it stays open) when the save did not go through."""
    context.setdefault("plan", context.get("iup") or context.get("iop"))
    theirs: list[concurrency.Clash] = []
    conflicted = False
    saved = None
    resolved = _choose(form, fields)
    if form.is_valid():
        try:
            saved = save(version=form.cleaned_data["version"], data=form.cleaned_data)
        except services.EditConflict as exc:
            conflicted, theirs = True, _conflict(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if saved is not None:
        if not request.htmx:  # type: ignore[attr-defined]
            messages.success(request, _("Saved."))
            return redirect(done_url)
        if closed is not None:
            return closed(saved)
        if resolved or whole_form:
            # The conflict is settled (or the server changed the form's values): the whole form again.
            fresh = form.__class__(instance=saved, prefix=form.prefix)  # type: ignore[call-arg]
            context = {
                **context,
                "form": fresh,
                "theirs": [],
                "autosave": True,
                "saved_at": timezone.localtime(),
                "settled": True,  # the browser drops its drafts of the form: the choice is made
            }
            return reswap(retarget(render(request, partial, context), target), "innerHTML")
        if checklist_changed is not None and not checklist_changed(saved):
            return _autosaved(request, form, saved, context)
        return _autosaved(request, form, saved, {**context, **_checklist(saved, context.get("plan"))})
    context = {
        **context,
        "form": form,
        "theirs": theirs,
        "autosave": not conflicted,
        "close_refused": closed is not None,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return reswap(retarget(render(request, partial, context), target), "innerHTML")
    context["partial"] = partial
    return render(request, "iop/edit_page.html", context, status=409 if conflicted else 200)


def _checklist(saved: models.Model, plan: Any) -> dict[str, Any]:
    """The "before you can publish" checklist of PLAN, recomputed after a
    save on its page (sent out of band into ``#plan-checklist``)."""
    plan = saved if isinstance(saved, Iop | Iup) else plan
    if isinstance(plan, Iop):
        plan = Iop.objects.select_related("vedtak", "school_year").get(pk=plan.pk)
        flags = checks.iop_flags(plan, rebase.newer_vedtak(plan))
        return {"checklist": "iop/_flags.html", "flags": checks.on_iop_page(flags)}
    if isinstance(plan, Iup) and plan.is_editable:
        plan = Iup.objects.select_related("school_year", "pupil__school").get(pk=plan.pk)
        return {"checklist": "iop/_iup_problems.html", "problems": checks.iup_problems(plan)}
    return {}


@login_required
@require_POST
def iop_update(request: HttpRequest, pk: str) -> HttpResponse:
    iop = selectors.iop_for(request.user, pk, Action.EDIT)
    form = IopForm(request.POST, instance=iop)

    def save(*, version: int, data: dict[str, Any]) -> Iop:
        return services.iop_update(actor=_actor(request), iop=iop, version=version, data=data)

    return _saved_or_form(
        request,
        form=form,
        save=save,
        fields=list(services.IOP_FIELDS),
        partial="iop/_iop_form.html",
        context={"iop": iop, "pupil": iop.pupil},
        target="#iop-form-wrapper",
        done_url=reverse("iop:iop_detail", args=[iop.pk]),
    )


@login_required
@require_POST
def section_update(request: HttpRequest, pk: str) -> HttpResponse:
    section = selectors.section_for(request.user, pk, Action.EDIT)
    form = _section_form(section, request.POST)

    def save(*, version: int, data: dict[str, Any]) -> IopSubject:
        return services.section_update(actor=_actor(request), section=section, version=version, data=data)

    return _saved_or_form(
        request,
        form=form,
        save=save,
        fields=list(services.SECTION_FIELDS),
        partial="iop/_section_form.html",
        context={"section": section, "iop": section.iop, "pupil": section.iop.pupil},
        target=f"#section-form-{section.pk}",
        done_url=reverse("iop:iop_detail", args=[section.iop_id]) + f"#section-{section.pk}",
    )


@login_required
@require_POST
def goal_update(request: HttpRequest, pk: str) -> HttpResponse:
    """Save a goal's form (404 for a goal the user does not see, 403 for one
    the user may not edit); see :func:`_goal_saved`. ``close=1`` (the
    "Close" button of an IOP goal's editor) saves what the form holds when it
    differs from the goal, then answers (htmx) with the goal's reading text
    into ``#goal-<pk>``, the focus on its edit button; the editor stays open
    with the errors or the conflict when the save does not go through."""
    goal = selectors.goal_for(request.user, pk, Action.EDIT)
    plan = goal.plan

    def closed(saved: Goal) -> HttpResponse:
        if not request.htmx or _from_goal_page(request):  # type: ignore[attr-defined]
            # Closed on the editor's page of its own: back to the plan, at the goal.
            return _to_plan(request, plan.get_absolute_url() + f"#goal-{goal.pk}")
        # The goal's reading text is shown again: a read, not an opening for editing.
        services.log_read(actor=_actor(request), pupil=plan.pupil, kind=Kind.GOAL, object_id=goal.pk)
        shown = selectors.goal_reading(plan, saved.pk)  # type: ignore[arg-type]
        response = reswap(
            retarget(render(request, "iop/_goal_closed.html", {"goal": shown}), f"#goal-{goal.pk}"), "innerHTML"
        )
        # The text written in the editor just closed may clear "a goal has no text yet".
        response.content += render_to_string("iop/_checklist_oob.html", _checklist(saved, plan), request).encode()
        return response

    closing = bool(goal.iop_id) and request.POST.get("close") == "1"
    return _goal_saved(request, goal, then=closed if closing else None)


def _goal_saved(
    request: HttpRequest,
    goal: Goal,
    *,
    then: Callable[[Goal], HttpResponse] | None = None,
    move: bool | None = None,
) -> HttpResponse:
    """Save the goal's form posted in REQUEST (see :func:`_saved_or_form`).
    THEN: what to answer once what the form holds is saved (or holds nothing
    new); the form stays open with the errors or the conflict when the save
    does not go through. MOVE (up: True, down: False): the goal is moved in
    the same save, and only when it goes through."""
    form = _goal_form(goal, request.POST)
    plan = goal.plan

    def save(*, version: int, data: dict[str, Any]) -> Goal:
        saved = services.goal_update(actor=_actor(request), goal=goal, version=version, data=data)
        if move is not None:
            services.goal_move(actor=_actor(request), goal=saved, up=move)
        saved.flags = checks.goal_flags(saved)  # type: ignore[attr-defined]
        return saved

    iup_goal = bool(goal.iup_id)
    # An IOP's checklist reads its goals only for "a written goal in every
    # subject": a save that keeps the goal's subject and written-ness can not
    # change it, and the autosave answer leaves it be.
    counted = (goal.section_id, checks.has_real_text(goal))

    def checklist_changed(saved: Goal) -> bool:
        return iup_goal or (saved.section_id, checks.has_real_text(saved)) != counted

    fields = list(services.IUP_GOAL_FIELDS if iup_goal else services.GOAL_FIELDS)
    if then is not None:
        probe = _goal_form(goal, request.POST)  # the form as it would be saved, conflict choices applied
        _choose(probe, fields)
        if probe.is_valid() and not set(probe.changed_data) - {"version", concurrency.LOADED}:
            if move is not None:
                services.goal_move(actor=_actor(request), goal=goal, up=move)
            return then(goal)  # nothing to save: the goal holds what the form holds
    context: dict[str, Any] = {"goal": goal, goal.plan_field: plan, "pupil": plan.pupil, "moving": move is not None}
    if not iup_goal:
        # The move buttons of the form shown again (errors, conflict) as when it
        # was opened; read only when the form is shown again (not after a save).
        place = functools.cache(lambda: selectors.goal_place(goal))
        context["first"], context["last"] = (lambda: place()[0]), (lambda: place()[1])
    return _saved_or_form(
        request,
        form=form,
        save=save,
        fields=fields,
        partial="iop/_iup_goal_form.html" if iup_goal else "iop/_goal_form.html",
        context=context,
        target=f"#goal-{goal.pk}",
        done_url=plan.get_absolute_url() + f"#goal-{goal.pk}",
        checklist_changed=checklist_changed,
        closed=then,
    )


@login_required
@require_POST
def goal_criteria_fill(request: HttpRequest, pk: str) -> HttpResponse:
    """Fill the goal's empty criteria of one axis (``axis``: quality,
    independence or all) from the school's criteria templates, saving what
    the form holds with them; written criteria are kept."""
    goal = selectors.goal_for(request.user, pk, Action.EDIT)
    if not goal.iop_id:
        raise Http404
    axis = request.POST.get("axis", "")
    if axis not in (*CriteriaTemplate.AXES, "all"):
        axis = "all"
    texts = services.criteria_template_for(goal.plan.pupil.school).texts()
    form = _goal_form(goal, request.POST, year_level=_goal_year_level(goal))
    first, last = selectors.goal_place(goal)

    def save(*, version: int, data: dict[str, Any]) -> Goal:
        filled = services.criteria_filled(data, texts, axis)
        saved = services.goal_update(actor=_actor(request), goal=goal, version=version, data=filled)
        saved.flags = checks.goal_flags(saved)  # type: ignore[attr-defined]
        return saved

    return _saved_or_form(
        request,
        form=form,
        save=save,
        fields=list(services.GOAL_FIELDS),
        partial="iop/_goal_form.html",
        context={"goal": goal, "iop": goal.plan, "pupil": goal.plan.pupil, "first": first, "last": last},
        target=f"#goal-{goal.pk}",
        done_url=goal.plan.get_absolute_url() + f"#goal-{goal.pk}",
        whole_form=True,
    )


def _goals_fragment(
    request: HttpRequest,
    plan: Iop | Iup,
    section: IopSubject | None,
    focus: Any = None,
    notice: list[str] | None = None,
    keep_open: Any = None,
    moved: bool | None = None,
    checklist: bool = False,
) -> HttpResponse:
    """The goals of SECTION (or of the IUP) again, with NOTICE (messages for
    the person, e.g. why a goal was not deleted) shown above them. FOCUS: the
    pk of a goal to open for editing with the focus in its text; KEEP_OPEN:
    one to open without moving the focus (IOP goals are otherwise shown as
    reading text). MOVED (True up, False down): KEEP_OPEN was just moved, and
    the focus goes to its move button in its new place (the other one when
    that is now disabled). CHECKLIST: a goal was added or deleted, and the
    plan's checklist ("a goal has no text yet") is sent again out of band
    into ``#plan-checklist``."""
    response = _goals_of(request, plan, section, focus, notice, keep_open, moved)
    if checklist:
        oob = _checklist(plan, plan)
        if oob:
            response.content += render_to_string("iop/_checklist_oob.html", oob, request).encode()
    return response


def _goals_of(
    request: HttpRequest,
    plan: Iop | Iup,
    section: IopSubject | None,
    focus: Any,
    notice: list[str] | None,
    keep_open: Any,
    moved: bool | None,
) -> HttpResponse:
    """The goals fragment of :func:`_goals_fragment` (without the checklist)."""
    view = selectors.section_goals(plan, section)
    year = None
    if isinstance(plan, Iop) and (focus or keep_open):
        year = aim_year_level(selectors.pupil_year_level(plan.pupil, plan.school_year))
    for goal in view.goals:
        # An IOP's goals read as text, with only the goal just added or moved
        # open for editing; an IUP's (short) goal forms are all open.
        if isinstance(plan, Iup) or goal.pk in (focus, keep_open):
            goal.form = _goal_form(goal, year_level=year)  # type: ignore[attr-defined]
        if goal.pk == focus:
            goal.form.fields["text"].widget.attrs["autofocus"] = True  # type: ignore[attr-defined]
        if moved is not None and goal.pk == keep_open:
            first, last = goal is view.goals[0], goal is view.goals[-1]
            goal.move_focus = "up" if (moved and not first) or (not moved and last) else "down"  # type: ignore[attr-defined]
    if isinstance(plan, Iup):
        context = {"goals": view.goals, "iup": plan, "can_edit": True, "focus": focus, "notice": notice}
        return render(request, "iop/_iup_goals.html", context)
    context = {"view": view, "iop": plan, "can_edit": True, "focus": focus, "notice": notice}
    return render(request, "iop/_goals.html", context)


def _section_of(iop: Iop, raw: str) -> IopSubject | None:
    if not raw:
        return None
    try:
        return IopSubject.objects.get(iop=iop, pk=raw)
    except (IopSubject.DoesNotExist, ValueError, ValidationError):
        raise PermissionDenied from None


@login_required
@require_POST
def goal_create(request: HttpRequest, pk: str) -> HttpResponse:
    iop = selectors.iop_for(request.user, pk, Action.EDIT)
    section = _section_of(iop, request.POST.get("section", ""))
    try:
        goal = services.goal_create(actor=_actor(request), iop=iop, section=section)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("iop:iop_detail", iop.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return _goals_fragment(request, iop, section, focus=goal.pk, checklist=True)
    return redirect(reverse("iop:iop_detail", args=[iop.pk]) + f"#goal-{goal.pk}")


# --- competence aims (the goal picker) and the læringsbank --------------------------

#: How many aims one search shows.
AIM_RESULTS = 25
#: The text of curriculum/_attribution.html, kept in this app's catalog so the pages here show it translated.
ATTRIBUTION = gettext_noop("Contains data under NLOD, made available at data.udir.no")


def _iop_goal(request: HttpRequest, pk: str) -> Goal:
    """An IOP goal the user may edit, with its aims and aim flags loaded."""
    goal = selectors.goal_for(request.user, pk, Action.EDIT)
    if not goal.iop_id:
        raise Http404
    selectors.goal_with_aims(goal)
    goal.aim_flags = checks.aim_flags(  # type: ignore[attr-defined]
        goal,
        selectors._section_deviations(goal.plan, goal.section),  # type: ignore[arg-type]
    )
    return goal


def _log_goal_read(request: HttpRequest, goal: Goal) -> None:
    """Pages and fragments that show an IOP goal's text for editing."""
    services.log_read(
        actor=_actor(request), pupil=goal.plan.pupil, kind=Kind.GOAL, object_id=goal.pk, purpose=Purpose.EDIT
    )


def _aim_context(goal: Goal, **extra: Any) -> dict[str, Any]:
    plan = goal.plan
    return {"goal": goal, "iop": plan, "plan": plan, "pupil": plan.pupil, **extra}


@never_cache
@login_required
@require_GET
def goal_editor(request: HttpRequest, pk: str) -> HttpResponse:
    """The edit form of one IOP goal, with its competence aims and the aim
    search. The IOP page shows its goals as reading text and brings this in
    (htmx, into ``#goal-<pk>``) when the teacher starts editing a goal; the
    focus goes to the goal's text unless ``utkast=1`` (opened by the page
    itself to offer back text not yet saved). Without htmx: a page of its own.

    404 for a goal the user does not see and for an IUP goal, 403 for one the
    user may not edit or on a plan that is no longer edited."""
    goal = _iop_goal(request, pk)
    plan = goal.plan
    if not plan.is_editable:
        raise PermissionDenied
    _log_goal_read(request, goal)
    goal.flags = checks.goal_flags(goal)  # type: ignore[attr-defined]
    form = _goal_form(goal, year_level=_goal_year_level(goal))
    if request.GET.get("utkast") != "1":
        form.fields["text"].widget.attrs["autofocus"] = True
    first, last = selectors.goal_place(goal)
    context = _aim_context(goal, form=form, autosave=True, first=first, last=last)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "iop/_goal_form.html", context)
    # On a page of its own the form stands in the goal's place too, where the
    # answers of its saves (a conflict, the closed goal) are put.
    # Its buttons say so (``standalone``): moving, closing and deleting go to the plan.
    context.update(partial="iop/_goal_form.html", title=_("Edit the goal"), place=f"goal-{goal.pk}", standalone=True)
    return render(request, "iop/edit_page.html", context)


@never_cache
@login_required
@require_GET
def goal_aims(request: HttpRequest, pk: str) -> HttpResponse:
    """The goal picker: search competence aims by words or code, subject and year level."""
    goal = _iop_goal(request, pk)
    _log_goal_read(request, goal)
    if request.GET:
        form = AimSearchForm(request.GET, goal_id=goal.pk)
    else:
        # The picker starts at the section's subject and the year level the pupil works towards, with results.
        year = aim_year_level(selectors.pupil_year_level(goal.plan.pupil, goal.plan.school_year))
        initial = {"q": "", "fag": goal.section.subject if goal.section else "", "trinn": year}
        form = AimSearchForm({k: "" if v is None else v for k, v in initial.items()}, goal_id=goal.pk)
    results: list[CompetenceAim] = []
    searched = form.is_valid()
    if searched:
        data = form.cleaned_data
        results = list(search_aims(data["q"], subject=data["fag"] or None, year_level=data["trinn"], limit=AIM_RESULTS))
    attached = {aim.pk for aim in goal.competence_aims.all()}
    context = _aim_context(goal, search_form=form, results=results, searched=searched, attached=attached)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "iop/_aim_results.html", context)
    context.update(partial="iop/_aim_picker_page.html", title=_("Competence aims for the goal"))
    return render(request, "iop/edit_page.html", context)


@login_required
@require_POST
def goal_aims_update(request: HttpRequest, pk: str) -> HttpResponse:
    """Attach (``add``) or detach (``remove``) a competence aim."""
    goal = selectors.goal_for(request.user, pk, Action.EDIT)
    if not goal.iop_id:
        raise Http404

    def aim(name: str) -> CompetenceAim | None:
        raw = request.POST.get(name, "")
        if not raw:
            return None
        number = parse_int(raw)
        found = CompetenceAim.objects.filter(pk=number).first() if number else None
        if found is None:
            raise Http404
        return found

    try:
        services.goal_aims_update(actor=_actor(request), goal=goal, add=aim("add"), remove=aim("remove"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "iop/_goal_aims_list.html", _aim_context(_iop_goal(request, pk)))
    return redirect(goal.plan.get_absolute_url() + f"#goal-{goal.pk}")


@never_cache
@login_required
@require_GET
def goal_bank(request: HttpRequest, pk: str) -> HttpResponse:
    """Læringsbank: goals and criteria written before for the goal's aims (same skoleeier), most used first."""
    goal = _iop_goal(request, pk)
    _log_goal_read(request, goal)
    context = _aim_context(goal, suggestions=selectors.bank_suggestions(goal))
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "iop/_bank.html", context)
    context.update(partial="iop/_bank.html", title=_("Suggestions from the learning bank"))
    return render(request, "iop/edit_page.html", context)


@login_required
@require_POST
def goal_bank_use(request: HttpRequest, pk: str) -> HttpResponse:
    """Copy one læringsbank suggestion into the goal, for editing."""
    goal = _iop_goal(request, pk)
    entry = selectors.bank_entry_for_goal(goal, request.POST.get("source", ""))
    saved = services.goal_use_bank_entry(actor=_actor(request), goal=goal, entry=entry)
    if request.htmx:  # type: ignore[attr-defined]
        saved = _iop_goal(request, pk)
        saved.flags = checks.goal_flags(saved)  # type: ignore[attr-defined]
        context = _aim_context(saved, form=_goal_form(saved, year_level=_goal_year_level(saved)), autosave=True)
        return render(request, "iop/_goal_form.html", context)
    messages.success(request, _("The suggestion is copied into the goal. Edit it to fit the pupil."))
    return redirect(saved.plan.get_absolute_url() + f"#goal-{saved.pk}")


def _small_int(raw: str) -> int:
    """RAW as a non-negative integer of at most nine ASCII digits, else 0."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def goal_share(request: HttpRequest, pk: str) -> HttpResponse:
    """Del i læringsbanken: GET shows exactly the de-identified text that
    would be shared (or why it can not be); POST with the goal's version
    shares it."""
    goal = selectors.goal_for(request.user, pk, Action.EDIT)
    if not goal.iop_id:
        raise Http404
    blocked: list[str] = []
    try:
        services.require_shareable(_actor(request), goal)
    except ValidationError as exc:
        blocked = exc.messages
    if request.method == "POST" and not blocked:
        try:
            services.goal_share(actor=_actor(request), goal=goal, version=_small_int(request.POST.get("version", "")))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("iop:goal_share", goal.pk)
        messages.success(request, _("The goal is shared in the learning bank, without names."))
        return redirect(goal.plan.get_absolute_url() + f"#goal-{goal.pk}")
    if request.method == "POST":
        for message in blocked:
            messages.error(request, message)
        return redirect("iop:goal_share", goal.pk)
    _log_goal_read(request, goal)
    preview, refused = None, []
    if not blocked:
        try:
            preview = selectors.share_preview(goal)
        except ValidationError as exc:
            refused = exc.messages
    context = _aim_context(goal, preview=preview, refused=refused, blocked=blocked)
    context.update(partial="iop/_bank_share.html", title=_("Share in the learning bank"))
    return render(request, "iop/edit_page.html", context)


@never_cache
@login_required
@require_GET
def bank_list(request: HttpRequest) -> HttpResponse:
    """The læringsbank of the user's skoleeiere: shared, de-identified goals;
    coordinators remove entries from here."""
    if not access.may_write(request.user):
        raise PermissionDenied
    page = Paginator(selectors.bank_entries_for(request.user), selectors.BANK_PAGE).get_page(
        _small_int(request.GET.get("side", "")) or 1
    )
    managed = selectors.bank_managed_skoleeiere(request.user)
    schools = list(access.managed_schools(request.user).order_by("name"))
    return render(request, "iop/bank_list.html", {"page": page, "managed": managed, "template_schools": schools})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def bank_entry_remove(request: HttpRequest, pk: str) -> HttpResponse:
    """Remove a læringsbank entry (coordinators of its skoleeier): GET asks, POST removes."""
    entry = selectors.bank_entry_for(request.user, pk, manage=True)
    if request.method == "POST":
        services.bank_entry_remove(actor=_actor(request), entry=entry)
        messages.success(request, _("The entry is removed from the learning bank."))
        return redirect("iop:bank_list")
    return render(request, "iop/bank_remove.html", {"entry": entry})


@login_required
@require_POST
def goal_move(request: HttpRequest, pk: str) -> HttpResponse:
    """Move a goal up or down (``direction``) in its list. From an IOP goal's
    open editor (its form's fields are posted with the button) what the form
    holds is saved first, and the goal moves only when that save goes
    through: otherwise the editor stays open with the text and the errors."""
    goal = selectors.goal_for(request.user, pk, Action.EDIT)
    up = request.POST.get("direction") == "up"
    in_list = request.htmx and not _from_goal_page(request)  # type: ignore[attr-defined]
    if goal.iop_id and f"{goal.pk}-version" in request.POST:

        def moved(saved: Goal) -> HttpResponse:
            if not in_list:
                return _to_plan(request, goal.plan.get_absolute_url() + f"#goal-{goal.pk}")
            return _goals_fragment(request, goal.plan, goal.section, keep_open=goal.pk, moved=up)

        return _goal_saved(request, goal, then=moved, move=up)
    try:
        services.goal_move(actor=_actor(request), goal=goal, up=up)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    if in_list:
        return _goals_fragment(request, goal.plan, goal.section, keep_open=goal.pk, moved=up)
    return _to_plan(request, goal.plan.get_absolute_url() + f"#goal-{goal.pk}")


def _from_goal_page(request: HttpRequest) -> bool:
    """Whether REQUEST was sent by a goal's editor on a page of its own
    (:func:`goal_editor` without htmx; its form posts ``standalone=1``),
    where there is no list of goals to redraw: the answer goes to the plan."""
    return request.POST.get("standalone") == "1"


def _to_plan(request: HttpRequest, url: str) -> HttpResponse:
    """Go to URL: a redirect, or for htmx a redirect of the whole page."""
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


@login_required
@require_POST
def goal_delete(request: HttpRequest, pk: str) -> HttpResponse:
    goal = selectors.goal_for(request.user, pk, Action.EDIT)
    in_list = request.htmx and not _from_goal_page(request)  # type: ignore[attr-defined]
    try:
        services.goal_delete(actor=_actor(request), goal=goal)
    except ValidationError as exc:
        if in_list:
            return _goals_fragment(request, goal.plan, goal.section, notice=exc.messages)
        for message in exc.messages:
            messages.error(request, message)
    else:
        if not in_list:
            messages.success(request, _("The goal is deleted."))
    if in_list:
        return _goals_fragment(request, goal.plan, goal.section, checklist=True)
    return _to_plan(request, goal.plan.get_absolute_url())


@login_required
@require_POST
def iop_publish(request: HttpRequest, pk: str) -> HttpResponse:
    iop = selectors.iop_for(request.user, pk, Action.EDIT)
    seen = request.POST.get("seen", "")
    if not _confirmed(request) or not seen:  # the question carries the content it asks about
        flags = checks.iop_flags(iop, rebase.newer_vedtak(iop))
        return confirm.confirm_page(
            request,
            document=iop,
            question=_("Publish the IOP to the guardians?"),
            consequence=_("The guardians can read the published version at once. It is kept as a numbered version."),
            button=_("Yes, publish"),
            back=reverse("iop:iop_detail", args=[iop.pk]),
            problems=[flag.message for flag in flags if flag.blocks_publishing],
            warnings=[flag.message for flag in flags if flag.advisory],
            refused=str(services.NOTHING_TO_PUBLISH) if services.unchanged_since_published(iop) else "",
            carry={"seen": services.content_stamp(iop)},
            changes=_changes_url("iop:iop_compare", iop, "?upublisert=1"),
        )
    if services.unchanged_since_published(iop):  # a colleague published it meanwhile
        messages.info(request, str(services.NOTHING_TO_PUBLISH))
        return redirect("iop:iop_detail", iop.pk)
    _transition(
        request,
        lambda: services.iop_publish(actor=_actor(request), iop=iop, version=_version(request), seen=seen),
        conflict=_("Someone else changed the plan just now. Check it and publish again."),
        done=_("The IOP is published. Guardians can now read it."),
        refused=_("The plan can not be published yet:"),
    )
    return redirect("iop:iop_detail", iop.pk)


@login_required
@require_POST
def iop_move_to_vedtak(request: HttpRequest, pk: str) -> HttpResponse:
    """Move the IOP onto the pupil's newer vedtak ("Flytt IOP til nytt
    vedtak"), after a confirmation page listing what the new vedtak changes.
    The vedtak shown on that page travels with the "yes"; when another has
    been made since, nothing moves and the page says so."""
    iop = selectors.iop_for(request.user, pk, Action.EDIT)
    newer = rebase.newer_vedtak(iop)
    back = reverse("iop:iop_detail", args=[iop.pk])
    if not _confirmed(request):
        problems = [] if newer is not None else [_("The plan already rests on the newest decision.")]
        if not iop.is_editable:
            problems.append(_("An archived IOP can not be changed."))
        listed = [change.message for change in rebase.changes(iop.vedtak, newer)] if newer is not None else []
        return confirm.confirm_page(
            request,
            document=iop,
            question=_("Move the IOP to the new decision?"),
            consequence=" ".join(
                [
                    _(
                        "The plan will rest on the decision made %(date)s. Goals, logs and history are kept; "
                        "subjects no longer in the decision are kept and marked."
                    )
                    % {
                        "date": formats.date_format(newer.made_on, "SHORT_DATE_FORMAT")
                        if newer and newer.made_on
                        else "–"
                    },
                    *listed,
                ]
            ),
            button=_("Yes, move the IOP"),
            back=back,
            problems=problems,
            carry={"vedtak": newer.pk if newer is not None else ""},
        )
    if newer is None or request.POST.get("vedtak", "") != str(newer.pk):
        messages.error(request, _("The decisions changed just now. Check the plan and move it again."))
        return redirect(back)
    _transition(
        request,
        lambda: services.iop_move_to_vedtak(actor=_actor(request), iop=iop, version=_version(request), vedtak=newer),
        conflict=_("Someone else changed the plan just now. Check it and try again."),
        done=_("The IOP now rests on the new decision. Check the plan and publish it again."),
        refused=_("The plan could not be moved:"),
    )
    return redirect(back)


@login_required
@require_POST
def iop_archive(request: HttpRequest, pk: str) -> HttpResponse:
    iop = selectors.iop_for(request.user, pk, Action.EDIT)
    if not _confirmed(request):
        return confirm.confirm_page(
            request,
            document=iop,
            question=_("Archive the IOP?"),
            consequence=_("An archived IOP can no longer be changed."),
            button=_("Yes, archive"),
            back=reverse("iop:iop_detail", args=[iop.pk]),
        )
    _transition(
        request,
        lambda: services.iop_archive(actor=_actor(request), iop=iop, version=_version(request)),
        conflict=_("Someone else changed the plan just now. Check it and try again."),
        done=_("The IOP is archived."),
    )
    return redirect("iop:iop_detail", iop.pk)


# --- logging -------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def goal_detail(request: HttpRequest, pk: str) -> HttpResponse:
    goal = selectors.goal_page(request.user, pk)
    plan = goal.plan
    pupil = plan.pupil
    services.log_read(actor=_actor(request), pupil=pupil, kind=Kind.GOAL, object_id=goal.pk)
    can_log = Action.LOG in pupil.allowed and plan.is_editable  # type: ignore[attr-defined]
    # A faglærer logs in the subjects they teach the pupil; others' goals they read.
    other_subject = can_log and not access.may_log_in(request.user, pupil, goal.subject_name)
    form = GoalLogForm(initial={"date": timezone.localdate()}) if can_log and not other_subject else None
    context = {
        "goal": goal,
        "plan": plan,
        "pupil": pupil,
        "form": form,
        "other_subject": other_subject,
        "internal": not selectors.guardian_only(pupil),
        "guardians_read": plan.status != plan.Status.DRAFT,  # a published plan's log is theirs at once
    }
    return render(request, "iop/goal_detail.html", {**context, **_log_entries(goal, request.GET.get("alle") == "1")})


def _loggable_sections(user: Any, pupil: Pupil, sections: list[IopSubject]) -> list[IopSubject]:
    """The SECTIONS whose subject USER may log teaching in for PUPIL (a
    faglærer: the subjects they teach the pupil; see access.log_subjects)."""
    subjects = access.log_subjects(user, pupil)
    return [s for s in sections if access.logs_in(subjects, s.subject)]


#: How many log entries (the latest) a goal's page lists before "show all".
GOAL_PAGE_ENTRIES = 20


def _log_entries(goal: Goal, show_all: bool) -> dict[str, Any]:
    """The log entries of GOAL's page, newest first: the latest
    GOAL_PAGE_ENTRIES, or all with SHOW_ALL (``?alle=1``, which htmx brings
    into the page), and how many in all."""
    entries = list(reversed(goal.log_list))  # type: ignore[attr-defined]
    return {
        "entries": entries if show_all else entries[:GOAL_PAGE_ENTRIES],
        "entry_count": len(entries),
        "entries_expanded": show_all and len(entries) > GOAL_PAGE_ENTRIES,  # the focus goes to the whole list
    }


@login_required
@require_POST
def goal_log_create(request: HttpRequest, pk: str) -> HttpResponse:
    goal = selectors.goal_for(request.user, pk, Action.LOG)
    form = GoalLogForm(request.POST)
    if form.is_valid():
        try:
            services.goal_log_create(actor=_actor(request), goal=goal, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The log entry is saved."))
            return redirect("iop:goal_detail", goal.pk)
    page = selectors.goal_page(request.user, pk)
    context = {"goal": page, "plan": page.plan, "pupil": page.plan.pupil, "form": form, "internal": True}
    return render(request, "iop/goal_detail.html", {**context, **_log_entries(page, False)})


@never_cache
@login_required
@require_GET
def teaching_log_list(request: HttpRequest, pk: str) -> HttpResponse:
    iop = selectors.iop_for(request.user, pk, Action.LOG)
    services.log_read(actor=_actor(request), pupil=iop.pupil, kind=Kind.IOP, object_id=iop.pk)
    context = {
        "iop": iop,
        "pupil": iop.pupil,
        "sections": selectors.teaching_logs(iop),
        "editable": iop.is_editable,
        "me": request.user.pk,
    }
    return render(request, "iop/teaching_logs.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def teaching_log_update(request: HttpRequest, pk: str) -> HttpResponse:
    entry = selectors.teaching_log_for(request.user, pk, Action.LOG, own=True)
    iop = entry.section.iop
    every = list(IopSubject.objects.filter(iop=iop).order_by("order", "subject"))
    allowed = {s.pk for s in _loggable_sections(request.user, iop.pupil, every)} | {entry.section_id}
    sections = [s for s in every if s.pk in allowed]  # its own subject stays a choice
    back = reverse("iop:teaching_log_list", args=[iop.pk])
    if request.method == "POST":
        form = TeachingLogForm(request.POST, instance=entry, sections=sections)
        if form.is_valid():
            try:
                services.teaching_log_update(actor=_actor(request), entry=entry, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The teaching log is corrected."))
                return redirect(back)
    else:
        services.log_read(actor=_actor(request), pupil=iop.pupil, kind=Kind.IOP, object_id=iop.pk, purpose=Purpose.EDIT)
        form = TeachingLogForm(instance=entry, sections=sections)
    context = {"form": form, "entry": entry, "iop": iop, "pupil": iop.pupil, "back": back}
    return render(request, "iop/teaching_log_form.html", context)


@login_required
@require_POST
def teaching_log_delete(request: HttpRequest, pk: str) -> HttpResponse:
    entry = selectors.teaching_log_for(request.user, pk, Action.LOG, own=True)
    iop = entry.section.iop
    back = reverse("iop:teaching_log_list", args=[iop.pk])
    if not _confirmed(request):
        return confirm.confirm_page(
            request,
            document=iop,
            question=_("Delete this teaching log?"),
            consequence=_(
                "%(hours)s årstimer (60 min) in %(subject)s from %(start)s to %(end)s no longer count as given."
            )
            % {
                "hours": formats.number_format(entry.hours, decimal_pos=1),
                "subject": entry.section.subject,
                "start": formats.date_format(entry.period_start, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(entry.period_end, "SHORT_DATE_FORMAT"),
            },
            button=_("Yes, delete"),
            deletes=True,
            back=back,
        )
    try:
        services.teaching_log_delete(actor=_actor(request), entry=entry)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The teaching log is deleted."))
    return redirect(back)


@login_required
@require_POST
def teaching_log_create(request: HttpRequest, pk: str) -> HttpResponse:
    iop = selectors.iop_for(request.user, pk, Action.LOG)
    sections = _loggable_sections(request.user, iop.pupil, list(IopSubject.objects.filter(iop=iop)))
    form = TeachingLogForm(request.POST, prefix="undervisning", sections=sections)
    if form.is_valid():
        try:
            services.teaching_log_create(
                actor=_actor(request),
                section=form.cleaned_data["section"],
                data=form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The teaching given is logged."))
            return redirect(reverse("iop:iop_detail", args=[iop.pk]) + "#teaching")
    return render(
        request,
        "iop/edit_page.html",
        {
            "form": form,
            "iop": iop,
            "pupil": iop.pupil,
            "plan": iop,
            "partial": "iop/_teaching_form.html",
            "title": _("Log teaching given"),
        },
    )


# --- history, versions, access log -----------------------------------------------------------


HISTORY_KINDS = {
    "vurdering": (SakkyndigVurdering, selectors.vurdering_for, history.vurdering_sources, Kind.VURDERING),
    "vedtak": (Enkeltvedtak, selectors.vedtak_for, history.vedtak_sources, Kind.VEDTAK),
    "iop": (Iop, selectors.iop_for, history.iop_sources, Kind.IOP),
    "iup": (Iup, selectors.iup_for, history.iup_sources, Kind.IUP),
}

#: The query parameter of the history page: the key (:meth:`iop.history.Key.token`) of the
#: last entry of the page before, newer than every entry shown.
HISTORY_AFTER_PARAM = "for"


@never_cache
@login_required
@require_GET
def document_history(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    """One page of a document's history, newest first (:func:`iop.history.changes_page`);
    ``?for=<key>`` the page older than the key (a key that cannot be read:
    the newest page). Every page is a read of the pupil's plans in the access log."""
    if kind not in HISTORY_KINDS:
        return render(request, "404.html", status=404)
    _model, resolve, sources, log_kind = HISTORY_KINDS[kind]
    document = resolve(request.user, pk)
    pupil = document.pupil  # type: ignore[attr-defined]
    if not selectors.works_with(pupil):
        raise PermissionDenied
    services.log_read(
        actor=_actor(request),
        pupil=pupil,
        kind=log_kind,
        object_id=document.pk,
        purpose=Purpose.HISTORY,
    )
    found = sources(document.pk)
    after = history.Key.parse(request.GET.get(HISTORY_AFTER_PARAM), len(found))  # garbage: the newest page
    page = history.changes_page(found, after)
    return render(
        request,
        "iop/history.html",
        {
            "document": document,
            "pupil": pupil,
            "kind": kind,
            "changes": page.changes,
            "paged": after is not None,
            "older": urlencode({HISTORY_AFTER_PARAM: page.older.token()}) if page.older else "",
        },
    )


#: The query parameter of the compare pages that compares the live plan with its last published version.
UNPUBLISHED_PARAM = "upublisert"


def _mentions_curriculum(*snapshots: dict[str, Any]) -> bool:
    return any(
        goal.get("competence_aims")
        for snap in snapshots
        for goals in [snap.get("general_goals", []), *(s.get("goals", []) for s in snap.get("sections", []))]
        for goal in goals
    )


@never_cache
@login_required
@require_GET
def iop_compare(request: HttpRequest, pk: str) -> HttpResponse:
    """Two published versions side by side, or (``?upublisert=1``) the live
    plan against its last published version: what the guardians do not see yet."""
    iop = selectors.iop_for(request.user, pk)
    if not selectors.works_with(iop.pupil):
        raise PermissionDenied
    versions = {v.number: v for v in iop.versions.select_related("published_by")}
    numbers = sorted(versions)
    lines: list[tuple[str, str]] = []
    chosen: tuple[IopVersion, IopVersion | None] | None = None
    curriculum_shown = False
    live = request.GET.get(UNPUBLISHED_PARAM) == "1" and bool(numbers)
    default = {"a": numbers[-2], "b": numbers[-1]} if len(numbers) > 1 else {}
    form = CompareForm(None if live else (request.GET or default or None), numbers=numbers)
    if live:
        a = versions[numbers[-1]]
        current = services.snapshot(iop)
        lines = history.diff(a.snapshot, current)
        chosen = (a, None)
        curriculum_shown = _mentions_curriculum(a.snapshot, current)
    elif form.is_bound and form.is_valid():
        a, b = versions[form.cleaned_data["a"]], versions[form.cleaned_data["b"]]
        lines = history.diff(a.snapshot, b.snapshot)
        chosen = (a, b)
        curriculum_shown = _mentions_curriculum(a.snapshot, b.snapshot)
    if chosen:
        services.log_read(
            actor=_actor(request),
            pupil=iop.pupil,
            kind=Kind.IOP,
            object_id=iop.pk,
            purpose=Purpose.COMPARE,
        )
    return render(
        request,
        "iop/compare.html",
        {
            "iop": iop,
            "pupil": iop.pupil,
            "form": form,
            "lines": history.fold_unchanged(lines),
            "changed": any(op != " " for op, _line in lines),
            "curriculum_shown": curriculum_shown,
            "chosen": chosen,
            "versions": [versions[n] for n in numbers],
            "live": live,
        },
    )


@never_cache
@login_required
@require_GET
def iup_compare(request: HttpRequest, pk: str) -> HttpResponse:
    """The live IUP against its last published version: what the guardians do not see yet."""
    iup = selectors.iup_for(request.user, pk)
    if not selectors.works_with(iup.pupil):
        raise PermissionDenied
    version = published.latest_iup_version(iup)
    lines: list[tuple[str, str]] = []
    if version is not None:
        lines = history.diff_lines(
            published.iup_lines(version.snapshot), published.iup_lines(published.load_iup_snapshot(iup))
        )
    services.log_read(actor=_actor(request), pupil=iup.pupil, kind=Kind.IUP, object_id=iup.pk, purpose=Purpose.COMPARE)
    return render(
        request,
        "iop/compare.html",
        {
            "iop": iup,
            "pupil": iup.pupil,
            "lines": history.fold_unchanged(lines),
            "changed": any(op != " " for op, _line in lines),
            "chosen": (version, None) if version else None,
            "versions": [version] if version else [],
            "live": True,
        },
    )


@never_cache
@login_required
@require_GET
def access_log(request: HttpRequest, pupil_id: str) -> HttpResponse:
    pupil = access.get_pupil(request.user, pupil_id)
    allowed = pupil.allowed  # type: ignore[attr-defined]
    managing = Action.MANAGE in allowed or Action.ARCHIVE in allowed  # an archived pupil's coordinator too
    if not (selectors.guardian_only(pupil) or managing):
        raise PermissionDenied
    page = selectors.access_log(
        pupil, _actor(request), guardian_names=managing, page=parse_int(request.GET.get("side", "")) or 1
    )
    context = {
        "pupil": pupil,
        "entries": page.object_list,
        "page": page,
        "may_export": managing,
        "chain": access.offers_chain(pupil),  # a Swedish pupil's plans are the IUP and åtgärdsprogram, no IOP
    }
    return render(request, "iop/access_log.html", context)


# --- vikar access and the coordinator's overview ------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vikar_access(request: HttpRequest, pupil_id: str) -> HttpResponse:
    pupil = access.get_pupil(request.user, pupil_id, Action.MANAGE)
    candidates = services.vikar_candidates(pupil)
    form = VikarGrantForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.vikar_grant(
                actor=_actor(request),
                pupil=pupil,
                user=form.cleaned_data["user"],
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s can read the pupil's plans until %(date)s.")
                % {
                    "name": form.cleaned_data["user"].full_name,
                    "date": formats.date_format(form.cleaned_data["until"], "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("iop:vikar_access", pupil.pk)
    grants = list(
        access.PupilUserObjectPermission.objects.filter(content_object=pupil, user__in=candidates)
        .select_related("user", "granted_by")
        .order_by("expires_at")
    )
    return render(
        request, "iop/vikar_access.html", {"pupil": pupil, "form": form, "grants": grants, "now": timezone.now()}
    )


@login_required
@require_POST
def vikar_revoke(request: HttpRequest, pupil_id: str) -> HttpResponse:
    pupil = access.get_pupil(request.user, pupil_id, Action.MANAGE)
    user_id = parse_int(request.POST.get("user"))
    user = services.vikar_candidates(pupil).filter(pk=user_id).first() if user_id else None
    if user is not None:
        services.vikar_revoke(actor=_actor(request), pupil=pupil, user=user)
        messages.success(request, _("The access is removed."))
    return redirect("iop:vikar_access", pupil.pk)


@never_cache
@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    prof = access.profile(request.user)
    if not prof.is_coordinator:
        raise PermissionDenied
    if not prof.chain_schools(*access.COORDINATOR_ROLES):
        raise Http404  # individually adapted teaching is Norwegian law; the user's schools are not Norwegian
    page = selectors.overview(request.user, request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(request, "iop/overview.html", {"rows": page.object_list, "page": page, "query": query.urlencode()})


# --- IUP ----------------------------------------------------------------------------------


@login_required
@require_POST
def iup_create(request: HttpRequest, pupil_id: str) -> HttpResponse:
    pupil = access.get_pupil(request.user, pupil_id, Action.EDIT)
    try:
        iup = services.iup_create(actor=_actor(request), pupil=pupil)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("pupil_detail", pupil.pk)
    messages.success(request, _("The IUP is created as a draft. Guardians see it when it is published."))
    return redirect("iop:iup_detail", iup.pk)


def _assessment_form(assessment: Any, data: Any = None) -> AssessmentForm:
    return AssessmentForm(data, instance=assessment, prefix=str(assessment.pk))


@never_cache
@login_required
@require_GET
def iup_detail(request: HttpRequest, pk: str) -> HttpResponse:
    read_mode = request.GET.get("visning") == "les"
    page = selectors.iup_page(request.user, pk, read_mode=read_mode)
    services.log_read(
        actor=_actor(request),
        pupil=page.pupil,
        kind=Kind.IUP,
        object_id=page.iup.pk,
        purpose=Purpose.READ,  # a look at the plan, as on the IOP page (iop_detail)
    )
    if page.can_edit:
        page.extra["iup_form"] = IupForm(instance=page.iup)
        for goal in page.goals:
            goal.form = _goal_form(goal)  # type: ignore[attr-defined]
    for assessment in page.assessments:
        if page.may_assess(assessment):
            assessment.form = _assessment_form(assessment)  # type: ignore[attr-defined]
    allowed = page.pupil.allowed  # type: ignore[attr-defined]
    context = {
        "page": page,
        "pupil": page.pupil,
        "iup": page.iup,
        "read_mode": read_mode,
        "editor": Action.EDIT in allowed and page.iup.is_editable,
        "works": selectors.works_with(page.pupil),
        "Part": IupSettings.Part,
    }
    return render(request, "iop/iup_detail.html", context)


@login_required
@require_POST
def iup_update(request: HttpRequest, pk: str) -> HttpResponse:
    iup = selectors.iup_for(request.user, pk, Action.EDIT)
    form = IupForm(request.POST, instance=iup)

    def save(*, version: int, data: dict[str, Any]) -> Iup:
        return services.iup_update(actor=_actor(request), iup=iup, version=version, data=data)

    return _saved_or_form(
        request,
        form=form,
        save=save,
        fields=[name for name in services.IUP_FIELDS if name in form.fields],
        partial="iop/_iup_form.html",
        context={"iup": iup, "pupil": iup.pupil},
        target="#iup-form-wrapper",
        done_url=reverse("iop:iup_detail", args=[iup.pk]),
    )


@login_required
@require_POST
def assessment_update(request: HttpRequest, pk: str) -> HttpResponse:
    assessment = selectors.assessment_for(request.user, pk, Action.LOG)
    iup = assessment.iup
    if not services.may_assess_subject(_actor(request), iup.pupil, assessment.subject):
        raise PermissionDenied
    form = _assessment_form(assessment, request.POST)

    def save(*, version: int, data: dict[str, Any]) -> Any:
        return services.assessment_update(actor=_actor(request), assessment=assessment, version=version, data=data)

    return _saved_or_form(
        request,
        form=form,
        save=save,
        fields=[
            name for name in (*services.ASSESSMENT_FIELDS, *services.SELF_ASSESSMENT_FIELDS) if name in form.fields
        ],
        partial="iop/_assessment_form.html",
        context={"assessment": assessment, "iup": iup, "pupil": iup.pupil},
        target=f"#assessment-{assessment.pk}",
        done_url=reverse("iop:iup_detail", args=[iup.pk]) + f"#assessment-{assessment.pk}",
    )


@login_required
@require_POST
def iup_goal_create(request: HttpRequest, pk: str) -> HttpResponse:
    iup = selectors.iup_for(request.user, pk, Action.EDIT)
    try:
        subject = clean_text(request.POST.get("subject", ""))
        if subject is None:
            raise ValidationError(_("The subject contains a character that is not allowed."))
        goal = services.goal_create(actor=_actor(request), iup=iup, subject=subject)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("iop:iup_detail", iup.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return _goals_fragment(request, iup, None, focus=goal.pk, checklist=True)
    return redirect(reverse("iop:iup_detail", args=[iup.pk]) + f"#goal-{goal.pk}")


@login_required
@require_POST
def iup_publish(request: HttpRequest, pk: str) -> HttpResponse:
    iup = selectors.iup_for(request.user, pk, Action.EDIT)
    seen = request.POST.get("seen", "")
    if not _confirmed(request) or not seen:  # the question carries the content it asks about
        return confirm.confirm_page(
            request,
            document=iup,
            question=_("Publish the IUP to the guardians?"),
            consequence=_("The guardians can read the published plan at once."),
            button=_("Yes, publish"),
            back=reverse("iop:iup_detail", args=[iup.pk]),
            problems=checks.iup_problems(iup) if iup.is_editable else [],
            refused=str(services.NOTHING_TO_PUBLISH) if services.unchanged_since_published(iup) else "",
            carry={"seen": services.content_stamp(iup)},
            changes=_changes_url("iop:iup_compare", iup),
        )
    if services.unchanged_since_published(iup):  # a colleague published it meanwhile
        messages.info(request, str(services.NOTHING_TO_PUBLISH))
        return redirect("iop:iup_detail", iup.pk)
    _transition(
        request,
        lambda: services.iup_publish(actor=_actor(request), iup=iup, version=_version(request), seen=seen),
        conflict=_("Someone else changed the plan just now. Check it and publish again."),
        done=_("The IUP is published. Guardians can now read it."),
        refused=_("The plan can not be published yet:"),
    )
    return redirect("iop:iup_detail", iup.pk)


@login_required
@require_POST
def iup_archive(request: HttpRequest, pk: str) -> HttpResponse:
    iup = selectors.iup_for(request.user, pk, Action.EDIT)
    if not _confirmed(request):
        return confirm.confirm_page(
            request,
            document=iup,
            question=_("Archive the IUP?"),
            consequence=_("An archived IUP can no longer be changed."),
            button=_("Yes, archive"),
            back=reverse("iop:iup_detail", args=[iup.pk]),
        )
    _transition(
        request,
        lambda: services.iup_archive(actor=_actor(request), iup=iup, version=_version(request)),
        conflict=_("Someone else changed the plan just now. Check it and try again."),
        done=_("The IUP is archived."),
    )
    return redirect("iop:iup_detail", iup.pk)


IUP_LIST_PAGE_SIZE = 100


@never_cache
@login_required
@require_GET
def iup_list(request: HttpRequest) -> HttpResponse:
    """This school year's IUPs of the pupils the user works with."""
    if not access.profile(request.user).is_staff_member:
        raise PermissionDenied
    missing_only = request.GET.get("mangler") == "1"
    paginator = Paginator(selectors.iup_list(request.user, missing_only=missing_only), IUP_LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("side"))
    return render(request, "iop/iup_list.html", {"page": page, "missing_only": missing_only})


@never_cache
@login_required
@require_GET
def iup_settings(request: HttpRequest) -> HttpResponse:
    """The IUP form of each school the user manages (rektor, coordinator)."""
    if not access.profile(request.user).is_coordinator:
        raise PermissionDenied
    forms = selectors.iup_form_settings(request.user)
    deciding = access.iup_form_school_ids(request.user)
    for form in forms:
        form.may_change = form.school_id in deciding  # type: ignore[attr-defined]
    return render(request, "iop/iup_settings.html", {"forms": forms})


def _managed_school(request: HttpRequest, school_id: int) -> School:
    """The school SCHOOL_ID if the user manages it (coordinator, rector);
    403 for a school the user only sees, 404 for any other."""
    school = access.managed_schools(request.user).select_related("skoleeier").filter(pk=school_id).first()
    if school is None:
        if access.visible_schools(request.user).filter(pk=school_id).exists():
            raise PermissionDenied
        raise Http404
    return school


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def iup_settings_edit(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's IUP form, for the one who decides it (403 for a
    coordinator of a Swedish school: there the rektor decides it)."""
    school = _managed_school(request, school_id)
    if school.pk not in access.iup_form_school_ids(request.user):
        raise PermissionDenied
    instance = services.iup_settings_for(school)
    form = IupSettingsForm(request.POST or None, instance=instance)
    theirs: list[concurrency.Clash] = []
    status = 200
    if request.method == "POST":
        _choose(form, list(services.IUP_SETTINGS_FIELDS))
    if request.method == "POST" and form.is_valid():
        try:
            services.iup_settings_update(
                actor=_actor(request), school=school, version=form.cleaned_data["version"], data=form.cleaned_data
            )
        except services.EditConflict as exc:
            status, theirs = 409, _conflict(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The IUP form of %(school)s is saved.") % {"school": school.name})
            return redirect("iop:iup_settings")
    return render(
        request, "iop/iup_settings_form.html", {"school": school, "form": form, "theirs": theirs}, status=status
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def criteria_template_edit(request: HttpRequest, school_id: int) -> HttpResponse:
    """The criteria templates of a school the user manages (coordinator, rector):
    GET the form (the built-in texts as placeholders), POST saves it."""
    school = _managed_school(request, school_id)
    instance = services.criteria_template_for(school)
    form = CriteriaTemplateForm(request.POST or None, instance=instance)
    theirs: list[concurrency.Clash] = []
    status = 200
    if request.method == "POST":
        _choose(form, list(services.CRITERIA_TEMPLATE_FIELDS))
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_template_update(
                actor=_actor(request), school=school, version=form.cleaned_data["version"] or 0, data=form.cleaned_data
            )
        except services.EditConflict as exc:
            status, theirs = 409, _conflict(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The criteria templates of %(school)s are saved.") % {"school": school.name})
            return redirect("iop:criteria_template_edit", school.pk)
    return render(
        request, "iop/criteria_template_form.html", {"school": school, "form": form, "theirs": theirs}, status=status
    )


@never_cache
@login_required
@require_GET
def iup_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    """The IUP as PDF (WeasyPrint, through the reports' static-only renderer), in the school's language."""
    from .reports import documents

    return documents.respond(request, "iup", pk)


# --- consent ------------------------------------------------------------------------------


def _consent_page(
    request: HttpRequest, pupil: Any, form: CaseConsentForm, withdraw_form: ConsentWithdrawForm | None = None
) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "pupil": pupil,
        "form": form,
        "withdraw_form": withdraw_form or ConsentWithdrawForm(initial={"withdrawn_on": today}),
        "consents": list(
            CaseConsent.objects.filter(pupil=pupil).select_related("guardian").order_by("kind", "date", "recorded_at")
        ),
        "sv_problem": services.consent_problem(pupil, CaseConsent.Kind.SV, today),
        "vedtak_problem": services.consent_problem(pupil, CaseConsent.Kind.VEDTAK, today),
    }
    status = 400 if form.errors or (withdraw_form is not None and withdraw_form.errors) else 200
    return render(request, "iop/consents.html", context, status=status)


def _guardians(pupil: Any) -> models.QuerySet[User]:
    return selectors.consenting_guardians(pupil)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """The consents to the pupil's case (the assessment, the decision): see and record them."""
    pupil = access.get_pupil(request.user, pupil_id, Action.MANAGE, chain=True)
    if request.method == "GET":
        services.log_read(actor=_actor(request), pupil=pupil, kind=Kind.PUPIL, object_id=pupil.pk)
    form = CaseConsentForm(request.POST or None, guardians=_guardians(pupil), initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_consent_record(actor=_actor(request), pupil=pupil, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("iop:consents", pupil.pk)
    return _consent_page(request, pupil, form)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: str) -> HttpResponse:
    """Withdraw a consent: the case stops and PPT's access ends at once."""
    found = CaseConsent.objects.filter(pk=pk).values_list("pupil_id", flat=True).first()
    if found is None:
        raise Http404
    pupil = access.get_pupil(request.user, found, Action.MANAGE, chain=True)
    consent = CaseConsent.objects.select_related("pupil").get(pk=pk)
    form = ConsentWithdrawForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if not _confirmed(request):  # asked first: the case stops at once
                services.case_consent_withdrawal_check(consent, data["withdrawn_on"])
                return confirm.confirm_page(
                    request,
                    document=consent,
                    question=_("Withdraw the consent?"),
                    consequence=_(
                        "The case stops and PPT no longer has access, at once. "
                        "To go on later, a new consent is recorded."
                    ),
                    button=_("Yes, withdraw the consent"),
                    back=reverse("iop:consents", args=[pupil.pk]),
                    carry={
                        "withdrawn_on": data["withdrawn_on"].isoformat(),
                        "method": data["method"],
                        "note": data["note"],
                    },
                    deletes=True,
                )
            services.case_consent_withdraw(
                actor=_actor(request),
                consent=consent,
                withdrawn_on=data["withdrawn_on"],
                method=data["method"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consent is withdrawn. The case is stopped and PPT no longer has access."))
            return redirect("iop:consents", pupil.pk)
    blank = CaseConsentForm(guardians=_guardians(pupil), initial={"date": timezone.localdate()})
    return _consent_page(request, pupil, blank, withdraw_form=form)


# --- forhåndsvarsel -----------------------------------------------------------------------


def _notice_page(
    request: HttpRequest, form: Any, vedtak: Enkeltvedtak, title: str, intro: str, button: str = ""
) -> HttpResponse:
    """The form of an advance notice or of a comment on one; BUTTON names its submit button (default "Save")."""
    context = {
        "pupil": vedtak.pupil,
        "vedtak": vedtak,
        "form": form,
        "title": title,
        "intro": intro,
        "button": button or _("Save"),
    }
    return render(request, "iop/notice_form.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def advance_notice_send(request: HttpRequest, pk: str) -> HttpResponse:
    """Share the draft decision and the expert assessment with the parties for comment."""
    vedtak = selectors.vedtak_for(request.user, pk, Action.MANAGE)
    if vedtak.is_made:
        messages.error(request, _("The decision is made already; an advance notice comes before it."))
        return redirect("iop:vedtak_detail", vedtak.pk)
    if request.method == "GET":
        services.log_read(
            actor=_actor(request), pupil=vedtak.pupil, kind=Kind.VEDTAK, object_id=vedtak.pk, purpose=Purpose.EDIT
        )
    initial = {"comment_deadline": timezone.localdate() + datetime.timedelta(weeks=2)}
    form = AdvanceNoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.advance_notice_send(
                actor=_actor(request),
                vedtak=vedtak,
                comment_deadline=form.cleaned_data["comment_deadline"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The advance notice is sent. The guardians can now read the draft."))
            return redirect("iop:vedtak_detail", vedtak.pk)
    intro = _(
        "The guardians (and the pupil from 15) get the draft decision and the expert assessment to comment on "
        "before the decision is made (forvaltningsloven § 16). They can read both when they log in."
    )
    return _notice_page(request, form, vedtak, _("Send an advance notice"), intro, button=_("Send an advance notice"))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def advance_notice_comment(request: HttpRequest, pk: str) -> HttpResponse:
    """Record a comment a party gave on an advance notice."""
    notice_pupil = AdvanceNotice.objects.filter(pk=pk).values_list("vedtak_id", flat=True).first()
    if notice_pupil is None:
        raise Http404
    vedtak = selectors.vedtak_for(request.user, notice_pupil, Action.MANAGE)
    notice = AdvanceNotice.objects.get(pk=pk)
    notice.vedtak = vedtak
    if request.method == "GET":
        services.log_read(
            actor=_actor(request), pupil=vedtak.pupil, kind=Kind.VEDTAK, object_id=vedtak.pk, purpose=Purpose.EDIT
        )
    form = AdvanceNoticeCommentForm(
        request.POST or None, guardians=_all_guardians(vedtak.pupil), initial={"received_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.advance_notice_comment(actor=_actor(request), notice=notice, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The comment is recorded."))
            return redirect("iop:vedtak_detail", vedtak.pk)
    intro = _(
        "A comment the pupil or a guardian gave on the advance notice of %(date)s, as the school received it."
    ) % {"date": formats.date_format(notice.sent_on, "SHORT_DATE_FORMAT")}
    return _notice_page(request, form, vedtak, _("Record a comment"), intro)


def _all_guardians(pupil: Any) -> models.QuerySet[User]:
    return User.objects.filter(guardian_links__pupil=pupil, guardian_links__ended_at__isnull=True).order_by(
        "full_name", "pk"
    )
