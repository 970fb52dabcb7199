"""Thin views of the Swedish support chain: resolve the record through the
selectors (strangers and Norwegian pupils: 404; read-only users: 403 on
writes), call a service, render. Every read of a pupil's support records is
written to the access log."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iop.models import AccessLogEntry
from iop.reports import documents
from iop.services import log_read
from iop.viewkit import add_service_errors
from students import access
from students.access import Action
from students.models import User

from . import selectors, services
from .forms import (
    AnpassningForm,
    ConcludeForm,
    DecideForm,
    MeasureFormSet,
    NewMeasureFormSet,
    NotifiedForm,
    OverklagandeForm,
    ProgrammeForm,
    UppfoljningForm,
    UtredningForm,
    UtvarderingForm,
    measure_rows,
)
from .models import APPEAL_DAYS, Atgardsprogram, ExtraAnpassning, ExtraAnpassningUppfoljning, Utredning

Kind = AccessLogEntry.Kind
Purpose = AccessLogEntry.Purpose


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_page(request: HttpRequest, pupil: Any, title: str, form: BaseForm, back: str, **extra: Any) -> HttpResponse:
    context = {"pupil": pupil, "title": title, "form": form, "back": back, **extra}
    return render(request, "atgardsprogram/form.html", context)


# --- the pupil's support page ---------------------------------------------------------


@never_cache
@login_required
@require_GET
def support_page(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """Extra adaptations, investigations and decisions of one pupil (guardians: decided decisions)."""
    pupil = selectors.get_pupil(request.user, pupil_id)
    support = selectors.support(request.user, pupil, details=True)
    if support.staff or support.programmes:
        log_read(actor=_actor(request), pupil=pupil, kind=Kind.ATGARDSPROGRAM, object_id=pupil.pk)
    return render(request, "atgardsprogram/support.html", {"pupil": pupil, "support": support})


# --- extra anpassningar ------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def anpassning_create(request: HttpRequest, pupil_id: str) -> HttpResponse:
    pupil = selectors.get_pupil(request.user, pupil_id, Action.EDIT)
    # Whoever documents it is most often the one responsible: their name to start with.
    form = AnpassningForm(request.POST or None, initial={"responsible": _actor(request).full_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.anpassning_create(actor=_actor(request), pupil=pupil, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The extra adaptation is documented."))
            return redirect("atgardsprogram:support", pupil.pk)
    return _form_page(request, pupil, _("New extra adaptation"), form, "atgardsprogram:support")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def anpassning_edit(request: HttpRequest, pk: str) -> HttpResponse:
    obj = selectors.anpassning_for(request.user, pk)
    pupil = obj.pupil
    if request.method == "GET":
        log_read(actor=_actor(request), pupil=pupil, kind=Kind.ANPASSNING, object_id=obj.pk)
    editable = Action.EDIT in pupil.allowed and obj.status == ExtraAnpassning.Status.ACTIVE  # type: ignore[attr-defined]
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form = AnpassningForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.anpassning_update(actor=_actor(request), anpassning=obj, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("atgardsprogram:support", pupil.pk)
    context = {
        "anpassning": obj,
        "editable": editable,
        "follow_up_form": UppfoljningForm(initial={"date": timezone.localdate()})
        if editable and not obj.is_planned
        else None,
    }
    return _form_page(request, pupil, _("Extra adaptation"), form, "atgardsprogram:support", **context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def anpassning_follow_up(request: HttpRequest, pk: str) -> HttpResponse:
    obj = selectors.anpassning_for(request.user, pk, Action.EDIT)
    pupil = obj.pupil
    if request.method == "GET":
        log_read(actor=_actor(request), pupil=pupil, kind=Kind.ANPASSNING, object_id=obj.pk, purpose=Purpose.EDIT)
    form = UppfoljningForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.anpassning_follow_up(
                actor=_actor(request),
                anpassning=obj,
                date=data["date"],
                effect=data["effect"],
                outcome=data["outcome"],
                next_follow_up=data.get("next_follow_up"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The follow-up is saved."))
            if data["outcome"] == ExtraAnpassningUppfoljning.Outcome.NOT_ENOUGH:  # 3 kap. 7 §: investigate now
                messages.info(request, _("The extra adaptations are not enough: start the investigation."))
                return redirect("atgardsprogram:utredning_create", pupil.pk)
            return redirect("atgardsprogram:support", pupil.pk)
    return _form_page(
        request, pupil, _("Follow up the extra adaptation"), form, "atgardsprogram:support", anpassning=obj
    )


# --- utredning ---------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def utredning_create(request: HttpRequest, pupil_id: str) -> HttpResponse:
    pupil = selectors.get_pupil(request.user, pupil_id, Action.EDIT)
    tried = ExtraAnpassning.objects.filter(pupil=pupil)
    if request.method == "GET":  # the form lists the pupil's extra adaptations
        log_read(actor=_actor(request), pupil=pupil, kind=Kind.ANPASSNING, object_id=pupil.pk, purpose=Purpose.EDIT)
    # Offered ticked: those tried, not those still to start (they may be chosen all the same).
    form = UtredningForm(
        request.POST or None,
        anpassningar=tried,
        initial={
            "anpassningar": [a for a in tried if not a.is_planned],
            "started_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obj = services.utredning_create(
                actor=_actor(request), pupil=pupil, data=data, anpassningar=data.get("anpassningar") or []
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The investigation is started."))
            return redirect("atgardsprogram:utredning", obj.pk)
    return _form_page(request, pupil, _("New investigation of särskilt stöd"), form, "atgardsprogram:support")


def _utredning_form(obj: Utredning, data: Any = None) -> UtredningForm:
    pupil = obj.pupil
    form = UtredningForm(data, instance=obj, anpassningar=ExtraAnpassning.objects.filter(pupil=pupil))
    # Elevhälsan's texts (health and social matters) are for those who write the pupil's plans.
    if Action.EDIT not in pupil.allowed:  # type: ignore[attr-defined]
        for name in Utredning.ELEVHALSA_FIELDS:
            del form.fields[name]
    return form


def _utredning_page(
    request: HttpRequest, obj: Utredning, form: UtredningForm | None = None, conclude_form: ConcludeForm | None = None
) -> HttpResponse:
    """The investigation's page: its form (FORM when sent) and, while it is
    open, the form concluding it (CONCLUDE_FORM when sent and refused)."""
    pupil = obj.pupil
    editable = Action.EDIT in pupil.allowed and not obj.is_concluded  # type: ignore[attr-defined]
    if form is None:
        form = _utredning_form(obj)
    if not editable:
        conclude_form = None
    elif conclude_form is None:
        conclude_form = ConcludeForm(utredning=obj, initial={"concluded_on": timezone.localdate()})
    elif not form.is_bound:
        # What keeps it open (no pedagogical assessment) is told beside the field to write it in, too.
        for name, messages_ in services.conclusion_errors(obj, None).items():
            if name in form.fields:
                form.errors[name] = form.error_class(messages_)
    context = {
        "pupil": pupil,
        "utredning": obj,
        "form": form,
        "editable": editable,
        "conclude_form": conclude_form,
        "can_draft": Action.EDIT in pupil.allowed and obj.is_concluded,  # type: ignore[attr-defined]
        "kinds": Atgardsprogram.Kind,
        "elevhalsa": Action.EDIT in pupil.allowed,  # type: ignore[attr-defined]
    }
    return render(request, "atgardsprogram/utredning.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def utredning_detail(request: HttpRequest, pk: str) -> HttpResponse:
    obj = selectors.utredning_for(request.user, pk)
    pupil = obj.pupil
    if request.method == "GET":
        log_read(actor=_actor(request), pupil=pupil, kind=Kind.UTREDNING, object_id=obj.pk)
    editable = Action.EDIT in pupil.allowed and not obj.is_concluded  # type: ignore[attr-defined]
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form = _utredning_form(obj, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.utredning_update(
                actor=_actor(request), utredning=obj, data=data, anpassningar=data.get("anpassningar") or []
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("atgardsprogram:utredning", obj.pk)
    return _utredning_page(request, obj, form=form)


@never_cache
@login_required
@require_POST
def utredning_conclude(request: HttpRequest, pk: str) -> HttpResponse:
    """Conclude the investigation; when refused, its page again with every
    reason beside its field and the answers given kept."""
    obj = selectors.utredning_for(request.user, pk, Action.EDIT)
    if obj.is_concluded:  # sent twice
        messages.error(request, _("The investigation is already concluded."))
        return redirect("atgardsprogram:utredning", obj.pk)
    form = ConcludeForm(request.POST, utredning=obj)
    if form.is_valid():
        try:
            services.utredning_conclude(
                actor=_actor(request),
                utredning=obj,
                needs_support=form.cleaned_data["needs_support"],
                concluded_on=form.cleaned_data["concluded_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The investigation is concluded. The rektor decides next."))
            return redirect("atgardsprogram:utredning", obj.pk)
    obj.refresh_from_db(fields=["needs_support", "concluded_on"])  # as stored, whatever the refused call set
    return _utredning_page(request, obj, conclude_form=form)


# --- the decision ------------------------------------------------------------------------


def _programme_form_page(
    request: HttpRequest,
    pupil: Any,
    kind: str,
    form: BaseForm,
    formset: Any,
    title: str,
    programme: Any = None,
    based_on: Atgardsprogram | None = None,
) -> HttpResponse:
    context = {
        "pupil": pupil,
        "form": form,
        "formset": formset if kind == Atgardsprogram.Kind.UPPRATTA else None,
        "title": title,
        "programme": programme,
        "based_on": based_on,
    }
    return render(request, "atgardsprogram/programme_form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest, pk: str) -> HttpResponse:
    """Draft the decision after a concluded investigation (``?slag=inte_upprata`` for a decision not to)."""
    utredning = selectors.utredning_for(request.user, pk, Action.EDIT)
    pupil = utredning.pupil
    if request.method == "GET":
        log_read(actor=_actor(request), pupil=pupil, kind=Kind.UTREDNING, object_id=utredning.pk, purpose=Purpose.EDIT)
    default = (
        Atgardsprogram.Kind.UPPRATTA if utredning.needs_support is not False else Atgardsprogram.Kind.INTE_UPPRATTA
    )
    kind = request.GET.get("slag") or default
    if kind not in Atgardsprogram.Kind.values:
        kind = default
    # A new programme replaces the one in force: the draft starts from it.
    based_on = None
    if kind == Atgardsprogram.Kind.UPPRATTA:
        based_on = services.in_force(pupil).prefetch_related("atgarder").order_by("-decided_on", "-created_at").first()
    initial, rows = services.carried_over(based_on) if based_on else ({}, [])
    form = ProgrammeForm(request.POST or None, kind=kind, initial=initial)
    formset = NewMeasureFormSet(request.POST or None, prefix="atgard", initial=rows)
    valid = request.method == "POST" and form.is_valid()
    if valid and kind == Atgardsprogram.Kind.UPPRATTA:
        valid = formset.is_valid()
    if valid:
        try:
            programme = services.atgardsprogram_create(
                actor=_actor(request),
                utredning=utredning,
                kind=kind,
                data=form.cleaned_data,
                measures=measure_rows(formset) if kind == Atgardsprogram.Kind.UPPRATTA else (),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The decision is saved as a draft. The rektor decides."))
            return redirect("atgardsprogram:programme", programme.pk)
    title = str(Atgardsprogram.Kind(kind).label)
    return _programme_form_page(request, pupil, kind, form, formset, title, based_on=based_on)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: str) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk, Action.EDIT)
    pupil = programme.pupil
    if not programme.is_draft:
        messages.error(request, _("A decision that has been made can not be changed. Make a new decision instead."))
        return redirect("atgardsprogram:programme", programme.pk)
    if request.method == "GET":
        log_read(
            actor=_actor(request), pupil=pupil, kind=Kind.ATGARDSPROGRAM, object_id=programme.pk, purpose=Purpose.EDIT
        )
    initial = [{name: getattr(m, name) for name in services.MEASURE_FIELDS} for m in programme.atgarder.all()]
    form = ProgrammeForm(request.POST or None, instance=programme, kind=programme.kind)
    formset = MeasureFormSet(request.POST or None, prefix="atgard", initial=initial)
    valid = request.method == "POST" and form.is_valid()
    if valid and programme.is_programme:
        valid = formset.is_valid()
    if valid:
        try:
            services.atgardsprogram_update(
                actor=_actor(request),
                programme=programme,
                data=form.cleaned_data,
                measures=measure_rows(formset) if programme.is_programme else None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("atgardsprogram:programme", programme.pk)
    return _programme_form_page(request, pupil, programme.kind, form, formset, _("Edit the draft"), programme)


def _participation_warnings(programme: Atgardsprogram) -> list[str]:
    """Who of the pupil and the guardians the draft does not say were given
    the chance to take part (skollagen 3 kap. 9 §): a warning, not a bar."""
    warnings = []
    if programme.pupil_took_part is False:
        warnings.append(_("The draft says the pupil was not given the chance to take part."))
    elif programme.pupil_took_part is None:
        warnings.append(_("The draft does not say whether the pupil was given the chance to take part."))
    if programme.guardians_took_part is False:
        warnings.append(_("The draft says the guardians were not given the chance to take part."))
    elif programme.guardians_took_part is None:
        warnings.append(_("The draft does not say whether the guardians were given the chance to take part."))
    return warnings


@never_cache
@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The decision page (a guardian: decided decisions only)."""
    programme = selectors.programme_for(request.user, pk)
    pupil = programme.pupil
    log_read(actor=_actor(request), pupil=pupil, kind=Kind.ATGARDSPROGRAM, object_id=programme.pk)
    allowed = pupil.allowed  # type: ignore[attr-defined]
    staff = selectors.works_with(pupil)
    is_rektor = selectors.is_rektor(request.user, pupil)
    can_decide = is_rektor and programme.is_draft
    context = {
        "pupil": pupil,
        "programme": programme,
        "staff": staff,
        "is_rektor": is_rektor,
        "participation": _participation_warnings(programme) if can_decide and programme.is_programme else [],
        "can_edit": Action.EDIT in allowed and programme.is_draft,
        "can_decide": can_decide,
        "decide_form": DecideForm(initial={"decided_on": timezone.localdate()}),
        "can_notify": Action.MANAGE in allowed and programme.is_decided and programme.notified_on is None,
        "notified_form": NotifiedForm(initial={"notified_on": timezone.localdate()}),
        "missing": list(services.missing(programme).values()) if staff and programme.is_draft else [],
        # The programmes in force that deciding this draft ends.
        "replaces": list(services.in_force(pupil).exclude(pk=programme.pk).order_by("decided_on"))
        if staff and programme.is_draft and programme.is_programme
        else [],
        "can_evaluate": Action.EDIT in allowed
        and programme.is_programme
        and programme.status == Atgardsprogram.Status.DECIDED,
        "can_appeal": Action.MANAGE in allowed and programme.is_decided,
        "appeals": list(programme.overklaganden.all()) if staff else [],
        "evaluations": list(programme.utvarderingar.all()),
        "appeal_days": APPEAL_DAYS,
    }
    return render(request, "atgardsprogram/programme.html", context)


@login_required
@require_POST
def programme_decide(request: HttpRequest, pk: str) -> HttpResponse:
    """The rektor's decision (anyone else: 403, the access layer's answer)."""
    programme = selectors.programme_for(request.user, pk, Action.VIEW)
    if not selectors.works_with(programme.pupil):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("atgardsprogram:programme", programme.pk)
    try:
        services.atgardsprogram_decide(
            actor=_actor(request), programme=programme, decided_on=form.cleaned_data["decided_on"]
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The decision is made."))
    return redirect("atgardsprogram:programme", programme.pk)


@login_required
@require_POST
def programme_notified(request: HttpRequest, pk: str) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk, Action.MANAGE)
    form = NotifiedForm(request.POST)
    if form.is_valid():
        try:
            services.atgardsprogram_notified(
                actor=_actor(request), programme=programme, notified_on=form.cleaned_data["notified_on"]
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("The day the pupil and the guardians were told is recorded."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("atgardsprogram:programme", programme.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def programme_evaluate(request: HttpRequest, pk: str) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk, Action.EDIT)
    pupil = programme.pupil
    if request.method == "GET":
        log_read(
            actor=_actor(request), pupil=pupil, kind=Kind.ATGARDSPROGRAM, object_id=programme.pk, purpose=Purpose.EDIT
        )
    may_end = access.is_rektor_of(request.user, pupil)  # type: ignore[arg-type]
    form = UtvarderingForm(request.POST or None, initial={"date": timezone.localdate()}, may_end=may_end)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _entry, draft = services.atgardsprogram_evaluate(
                actor=_actor(request),
                programme=programme,
                date=data["date"],
                text=data["text"],
                outcome=data["outcome"],
                next_evaluation=data.get("next_evaluation"),
                next_follow_up=data.get("next_follow_up"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if draft is not None:
                messages.success(request, _("The evaluation is saved. A new draft is made from the programme."))
                return redirect("atgardsprogram:programme_edit", draft.pk)
            messages.success(request, _("The evaluation is saved."))
            return redirect("atgardsprogram:programme", programme.pk)
    return _form_page(
        request, pupil, _("Evaluate the support programme"), form, "atgardsprogram:support", programme=programme
    )


@never_cache
@login_required
@require_GET
def programme_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    """The decided decision as PDF, with the appeal information."""
    programme = selectors.programme_for(request.user, pk)
    if programme.is_draft:
        messages.error(request, _("The decision has not been made yet."))
        return redirect("atgardsprogram:programme", programme.pk)
    return documents.respond(request, "atgardsprogram", programme.pk)


# --- appeals --------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def overklagande_create(request: HttpRequest, pk: str) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk, Action.MANAGE)
    pupil = programme.pupil
    form = OverklagandeForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.overklagande_create(actor=_actor(request), programme=programme, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The appeal is registered."))
            return redirect("atgardsprogram:programme", programme.pk)
    return _form_page(request, pupil, _("Register an appeal"), form, "atgardsprogram:support", programme=programme)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def overklagande_edit(request: HttpRequest, pk: str) -> HttpResponse:
    """The appeal: those who keep the register edit it, the other staff who
    work with the pupil read it."""
    appeal = selectors.overklagande_for(request.user, pk, Action.VIEW)
    programme = appeal.programme
    pupil = programme.pupil
    editable = Action.MANAGE in pupil.allowed  # type: ignore[attr-defined]
    if request.method == "POST" and not editable:
        raise PermissionDenied
    if request.method == "GET":
        log_read(actor=_actor(request), pupil=pupil, kind=Kind.ATGARDSPROGRAM, object_id=programme.pk)
    form = OverklagandeForm(request.POST or None, instance=appeal)
    if request.method == "POST" and form.is_valid():
        try:
            services.overklagande_update(actor=_actor(request), appeal=appeal, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("atgardsprogram:programme", programme.pk)
    return _form_page(
        request, pupil, _("Appeal"), form, "atgardsprogram:support", programme=programme, editable=editable
    )
