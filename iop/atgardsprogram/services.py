"""Every write of the Swedish support chain: keyword-only, with the acting
user, checked through the access layer, inside a transaction.

Who may do what (skollagen 3 kap.):

* the staff who write the pupil's plans (mentor, the school's coordinator and
  rektor, a shared writer: ``Action.EDIT``) document extra anpassningar and
  their follow-up, the utredning, draft decisions and evaluate programmes;
* only the **rektor** of the pupil's school decides (3 kap. 9 §); the special
  forms of support (another group, one-to-one teaching, a reduced timetable)
  are the rektor's own decision, never delegated (3 kap. 11–12 §§);
* the appeal register is kept by those who manage the school (``Action.MANAGE``).

A decided programme is frozen: a change is a new decision (an evaluation
with the outcome "change" makes the new draft from it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from iop import concurrency, signals
from students import access
from students.access import Action
from students.models import Pupil, User

from .models import (
    Atgardsprogram,
    AtgardsprogramAtgard,
    AtgardsprogramUtvardering,
    ExtraAnpassning,
    ExtraAnpassningUppfoljning,
    Overklagande,
    Utredning,
)

ANPASSNING_FIELDS = ("subject", "description", "responsible", "start_date", "follow_up_on")
UTREDNING_FIELDS = ("started_on", "reason", "pedagogisk_bedomning", *Utredning.ELEVHALSA_FIELDS)
OVERKLAGANDE_FIELDS = ("received_on", "received_from", "forwarded_on", "outcome", "decided_on")
MEASURE_FIELDS = ("what", "responsible", "subject")

M = TypeVar("M", bound=models.Model)


def is_swedish(pupil: Pupil) -> bool:
    """Whether PUPIL's school is Swedish (its owner's country)."""
    return bool(pupil.school.skoleeier.country == "SE")


def _require(actor: User, action: Action, pupil: Pupil) -> None:
    if not access.can(actor, action, pupil):
        raise PermissionDenied
    if not is_swedish(pupil):
        raise PermissionDenied


def _set(obj: Any, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    """Set FIELDS of OBJ from DATA (texts without surrounding blanks)."""
    for name in fields:
        if name in data:
            value = data[name]
            setattr(obj, name, value.strip() if isinstance(value, str) else value)


# --- extra anpassningar ---------------------------------------------------------------


def _changed(model: type[M], obj: M, data: Mapping[str, Any], fields: Iterable[str]) -> M:
    """OBJ with its row's stored values, read locked, and the FIELDS its user
    changed in DATA set (:func:`iop.concurrency.loaded_changes`: what others
    saved since the form was loaded stands; ``StaleFields`` when both changed
    the same field). OBJ may hold a form's values: they are replaced."""
    current = model._default_manager.select_for_update().get(pk=obj.pk)
    names = concurrency.loaded_changes(current, data, fields)
    for stored in model._meta.concrete_fields:
        setattr(obj, stored.attname, getattr(current, stored.attname))
    _set(obj, data, names)
    return obj


def _announce(pupil: Pupil, actor: User) -> None:
    """Tell the rest of the project (:data:`iop.signals.support_record_changed`)
    once the transaction has committed: a dated record of PUPIL changed."""
    transaction.on_commit(
        lambda: signals.support_record_changed.send(sender=Pupil, pupil_id=pupil.pk, actor=actor), robust=True
    )


@transaction.atomic
def anpassning_create(*, actor: User, pupil: Pupil, data: Mapping[str, Any]) -> ExtraAnpassning:
    """Document an extra adaptation for PUPIL."""
    _require(actor, Action.EDIT, pupil)
    obj = ExtraAnpassning(pupil=pupil, created_by=actor)
    _set(obj, data, ANPASSNING_FIELDS)
    obj.full_clean()
    obj.save()
    _announce(pupil, actor)
    return obj


@transaction.atomic
def anpassning_update(*, actor: User, anpassning: ExtraAnpassning, data: Mapping[str, Any]) -> ExtraAnpassning:
    _require(actor, Action.EDIT, anpassning.pupil)
    anpassning = _changed(ExtraAnpassning, anpassning, data, ANPASSNING_FIELDS)
    if anpassning.status == ExtraAnpassning.Status.ENDED:
        raise ValidationError(_("An ended adaptation can not be changed. Document a new one instead."))
    anpassning.full_clean()
    anpassning.save()
    _announce(anpassning.pupil, actor)
    return anpassning


@transaction.atomic
def anpassning_follow_up(
    *,
    actor: User,
    anpassning: ExtraAnpassning,
    date: datetime.date,
    effect: str,
    outcome: str,
    next_follow_up: datetime.date | None = None,
) -> ExtraAnpassningUppfoljning:
    """Follow up an extra adaptation: its effect, and what happens next.
    "End" ends it; the others keep it in use until NEXT_FOLLOW_UP (needed
    then); "not enough" is the school's signal to start an utredning
    (3 kap. 7 §), which the staff then open from the support page."""
    _require(actor, Action.EDIT, anpassning.pupil)
    if anpassning.status == ExtraAnpassning.Status.ENDED:
        raise ValidationError(_("The adaptation has ended."))
    entry = ExtraAnpassningUppfoljning(
        anpassning=anpassning, by=actor, date=date, effect=effect.strip(), outcome=outcome
    )
    entry.full_clean()
    if date < anpassning.start_date:
        raise ValidationError({"date": _("The follow-up can not be before the adaptation started.")})
    if outcome == ExtraAnpassningUppfoljning.Outcome.END:
        anpassning.status = ExtraAnpassning.Status.ENDED
    else:
        if next_follow_up is None or next_follow_up <= date:
            raise ValidationError({"next_follow_up": _("Choose the next follow-up date, after this follow-up.")})
        anpassning.follow_up_on = next_follow_up
    entry.save()
    anpassning.save(update_fields=["status", "follow_up_on"])
    _announce(anpassning.pupil, actor)
    return entry


# --- utredning ----------------------------------------------------------------------


def _anpassningar_of(pupil: Pupil, anpassningar: Iterable[ExtraAnpassning]) -> list[ExtraAnpassning]:
    chosen = list(anpassningar)
    if any(a.pupil_id != pupil.pk for a in chosen):
        raise ValidationError({"anpassningar": _("Choose the pupil's own extra adaptations.")})
    return chosen


def started_on_error(started_on: datetime.date | None) -> str | None:
    """Why STARTED_ON can not be the day an investigation began, or None: it
    is registered once begun, not on a day after today."""
    if started_on and started_on > timezone.localdate():
        return _("An investigation is registered once it has begun: not in the future.")
    return None


def _started_not_ahead(utredning: Utredning) -> None:
    """ValidationError on ``started_on`` for a day after today (:func:`started_on_error`)."""
    if message := started_on_error(utredning.started_on):
        raise ValidationError({"started_on": message})


@transaction.atomic
def utredning_create(
    *, actor: User, pupil: Pupil, data: Mapping[str, Any], anpassningar: Iterable[ExtraAnpassning] = ()
) -> Utredning:
    """Start an investigation of PUPIL's need for särskilt stöd (3 kap.
    7–8 §§). It is a deadline of the rektor's, who sees to it that the need is
    investigated promptly, until it is concluded; the rektor is told
    (:data:`iop.signals.utredning_started`, after the commit)."""
    _require(actor, Action.EDIT, pupil)
    chosen = _anpassningar_of(pupil, anpassningar)
    obj = Utredning(pupil=pupil, started_by=actor)
    _set(obj, data, UTREDNING_FIELDS)
    _started_not_ahead(obj)
    obj.full_clean()
    obj.save()
    obj.anpassningar.set(chosen)
    _announce(pupil, actor)
    transaction.on_commit(
        lambda: signals.utredning_started.send(sender=Utredning, utredning=obj, actor=actor), robust=True
    )
    return obj


@transaction.atomic
def utredning_update(
    *,
    actor: User,
    utredning: Utredning,
    data: Mapping[str, Any],
    anpassningar: Iterable[ExtraAnpassning] | None = None,
) -> Utredning:
    _require(actor, Action.EDIT, utredning.pupil)
    utredning = _changed(Utredning, utredning, data, UTREDNING_FIELDS)
    if utredning.is_concluded:
        raise ValidationError(_("A concluded investigation can not be changed. Start a new one instead."))
    _started_not_ahead(utredning)
    utredning.full_clean()
    utredning.save()
    if anpassningar is not None:
        utredning.anpassningar.set(_anpassningar_of(utredning.pupil, anpassningar))
    return utredning


def conclusion_errors(utredning: Utredning, concluded_on: datetime.date | None) -> dict[str, list[str]]:
    """Every reason UTREDNING can not be concluded on CONCLUDED_ON (None: no
    valid date given, so only the rest is checked), by field: the day lies in
    the future or before the investigation began; no pedagogical assessment."""
    errors: dict[str, list[str]] = {}
    if concluded_on and concluded_on > timezone.localdate():
        errors["concluded_on"] = [_("An investigation can not be concluded in the future.")]
    elif concluded_on and utredning.started_on and concluded_on < utredning.started_on:
        errors["concluded_on"] = [
            _("The investigation began %(date)s: it can not be concluded before that.")
            % {"date": formats.date_format(utredning.started_on)}
        ]
    if not utredning.pedagogisk_bedomning.strip():
        errors["pedagogisk_bedomning"] = [_("Write the pedagogical assessment before concluding.")]
    return errors


@transaction.atomic
def utredning_conclude(
    *, actor: User, utredning: Utredning, needs_support: bool, concluded_on: datetime.date
) -> Utredning:
    """Conclude the investigation: does the pupil need särskilt stöd? The
    rektor then decides on an åtgärdsprogram (or not to draw one up).

    Raises ValidationError when it is concluded already, has no pedagogical
    assessment, or CONCLUDED_ON lies in the future (the rektor's decision can
    not be dated before it, 3 kap. 9 §) or before the investigation began;
    the reasons of :func:`conclusion_errors` come all at once, by field."""
    _require(actor, Action.EDIT, utredning.pupil)
    if utredning.is_concluded:
        raise ValidationError(_("The investigation is already concluded."))
    if errors := conclusion_errors(utredning, concluded_on):
        raise ValidationError(errors)
    utredning.needs_support = needs_support
    utredning.concluded_on = concluded_on
    utredning.full_clean()
    utredning.save()
    _announce(utredning.pupil, actor)  # the rektor's deadline for it is done; a draft decision is due
    transaction.on_commit(
        lambda: signals.utredning_concluded.send(sender=Utredning, utredning=utredning, actor=actor), robust=True
    )
    return utredning


# --- the decision ----------------------------------------------------------------------


def _measures(programme: Atgardsprogram, rows: Sequence[Mapping[str, Any]]) -> None:
    programme.atgarder.all().delete()
    measures = []
    for position, row in enumerate(r for r in rows if str(r.get("what", "")).strip()):
        measure = AtgardsprogramAtgard(programme=programme, position=position)
        _set(measure, row, MEASURE_FIELDS)
        measure.full_clean(exclude=["programme"])
        measures.append(measure)
    AtgardsprogramAtgard.objects.bulk_create(measures)


@transaction.atomic
def atgardsprogram_create(
    *,
    actor: User,
    utredning: Utredning,
    kind: str,
    data: Mapping[str, Any],
    measures: Sequence[Mapping[str, Any]] = (),
    previous: Atgardsprogram | None = None,
) -> Atgardsprogram:
    """Draft the rektor's decision after a concluded investigation. Once
    committed, :data:`iop.signals.atgardsprogram_drafted` is sent (the
    rektor has a decision to make) and the pupil's deadlines are brought up
    to date. Raises ``ValidationError`` before the investigation is concluded."""
    pupil = utredning.pupil
    _require(actor, Action.EDIT, pupil)
    if not utredning.is_concluded:
        raise ValidationError(_("Conclude the investigation before drafting the decision."))
    programme = Atgardsprogram(pupil=pupil, utredning=utredning, kind=kind, created_by=actor, previous=previous)
    _set(programme, data, Atgardsprogram.CONTENT_FIELDS)
    programme.full_clean()
    programme.save()
    _measures(programme, measures if kind == Atgardsprogram.Kind.UPPRATTA else ())
    _announce(pupil, actor)  # the draft waits for the rektor's decision: a deadline
    transaction.on_commit(
        lambda: signals.atgardsprogram_drafted.send(sender=Atgardsprogram, programme=programme, actor=actor),
        robust=True,
    )
    return programme


def _require_draft(programme: Atgardsprogram) -> None:
    if not programme.is_draft:
        raise ValidationError(_("A decision that has been made can not be changed. Make a new decision instead."))


@transaction.atomic
def atgardsprogram_update(
    *,
    actor: User,
    programme: Atgardsprogram,
    data: Mapping[str, Any],
    measures: Sequence[Mapping[str, Any]] | None = None,
) -> Atgardsprogram:
    _require(actor, Action.EDIT, programme.pupil)
    programme = _changed(Atgardsprogram, programme, data, Atgardsprogram.CONTENT_FIELDS)
    _require_draft(programme)
    programme.full_clean()
    programme.save()
    if measures is not None and programme.is_programme:
        _measures(programme, measures)
    return programme


def in_force(pupil: Any) -> QuerySet[Atgardsprogram]:
    """PUPIL's support programmes in force: decided (or evaluated and being
    changed), not ended. Deciding a new programme ends them (skollagen 3 kap.
    9 §: a change of the programme is a new decision)."""
    return Atgardsprogram.objects.filter(
        pupil=pupil,
        kind=Atgardsprogram.Kind.UPPRATTA,
        status__in=(Atgardsprogram.Status.DECIDED, Atgardsprogram.Status.EVALUATED),
    )


def carried_over(programme: Atgardsprogram) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What a new draft takes from PROGRAMME: its content and its measures
    (as rows of ``MEASURE_FIELDS``), without what the new decision settles
    anew: the follow-up and evaluation dates, whether the pupil and the
    guardians were given the chance to take part, and their views."""
    data = {name: getattr(programme, name) for name in Atgardsprogram.CONTENT_FIELDS}
    data.update(
        follow_up_on=None,
        evaluate_on=None,
        pupil_took_part=None,
        guardians_took_part=None,
        pupil_comment="",
        guardians_comment="",
    )
    measures = [{name: getattr(m, name) for name in MEASURE_FIELDS} for m in programme.atgarder.all()]
    return data, measures


def missing(programme: Atgardsprogram) -> dict[str, str]:
    """What a decision of PROGRAMME's kind must hold and does not (3 kap. 9 §):
    {field name: message}. A follow-up or evaluation date already past would
    make a programme that is never followed up: it is missing too."""
    errors: dict[str, str] = {}
    if programme.is_programme:
        if not programme.needs.strip():
            errors["needs"] = _("Describe the pupil's needs.")
        if not programme.atgarder.all():  # the page's prefetched measures, when loaded
            errors["atgarder"] = _("Add at least one measure, with who is responsible for it.")
        if programme.evaluate_on is None:
            errors["evaluate_on"] = _("Choose when the programme is evaluated.")
        if programme.follow_up_on is None:
            errors["follow_up_on"] = _("Choose when the programme is followed up.")
        today = timezone.localdate()  # a decision is made today or was made on a day already past
        if programme.follow_up_on is not None and programme.follow_up_on < today:
            errors["follow_up_on"] = _("The follow-up date has passed: choose a later one.")
        if programme.evaluate_on is not None and programme.evaluate_on < today:
            errors["evaluate_on"] = _("The evaluation date has passed: choose a later one.")
    elif not programme.reason.strip():
        errors["reason"] = _("Give the reasons for not drawing up a support programme.")
    if programme.pupil_took_part is None:
        errors["pupil_took_part"] = _("Record whether the pupil was given the chance to take part.")
    if programme.guardians_took_part is None:
        errors["guardians_took_part"] = _("Record whether the guardians were given the chance to take part.")
    return errors


@transaction.atomic
def atgardsprogram_decide(
    *, actor: User, programme: Atgardsprogram, decided_on: datetime.date | None = None
) -> Atgardsprogram:
    """The rektor decides. Only the rektor of the pupil's school may (3 kap.
    9 §), and the special forms of support are the rektor's personal decision
    (3 kap. 11–12 §§): never a coordinator's or a delegate's. The content is
    frozen from now on; a programme that replaces another ends it."""
    pupil = programme.pupil
    _require(actor, Action.VIEW, pupil)
    if not access.is_rektor_of(actor, pupil):
        if programme.special_forms:
            raise PermissionDenied(
                _("Only the rektor may decide on teaching in another group, one-to-one or a reduced timetable.")
            )
        raise PermissionDenied(_("Only the rektor decides on a support programme."))
    current = Atgardsprogram.objects.select_for_update().get(pk=programme.pk)
    _require_draft(current)
    errors = missing(programme)
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    programme.status = Atgardsprogram.Status.DECIDED
    programme.decided_by = actor
    programme.decided_on = decided_on or today
    if programme.decided_on > today:
        raise ValidationError({"decided_on": _("A decision can not be dated in the future.")})
    concluded_on = programme.utredning.concluded_on
    if concluded_on and programme.decided_on < concluded_on:
        raise ValidationError(
            {
                "decided_on": _("The decision can not be dated before the investigation was concluded (%(date)s).")
                % {"date": formats.date_format(concluded_on)}
            }
        )
    programme.decided_follow_up_on, programme.decided_evaluate_on = programme.follow_up_on, programme.evaluate_on
    replaced = in_force(pupil).exclude(pk=programme.pk) if programme.is_programme else None
    if programme.previous_id is None and replaced is not None:
        programme.previous = replaced.order_by("-decided_on", "-created_at").first()
    programme.full_clean()
    programme.save()
    if programme.previous_id:
        Atgardsprogram.objects.filter(pk=programme.previous_id).exclude(status=Atgardsprogram.Status.DRAFT).update(
            status=Atgardsprogram.Status.ENDED
        )
    if replaced is not None:  # one programme is in force: a new one ends those before it
        replaced.update(status=Atgardsprogram.Status.ENDED)
    _announce(programme.pupil, actor)
    transaction.on_commit(
        lambda: signals.atgardsprogram_decided.send(sender=Atgardsprogram, programme=programme, actor=actor),
        robust=True,
    )
    return programme


@transaction.atomic
def atgardsprogram_notified(*, actor: User, programme: Atgardsprogram, notified_on: datetime.date) -> Atgardsprogram:
    """Record the day the pupil and guardians were told; the appeal time runs from then."""
    _require(actor, Action.MANAGE, programme.pupil)
    if programme.is_draft:
        raise ValidationError(_("The decision has not been made yet."))
    current = Atgardsprogram.objects.select_for_update().get(pk=programme.pk)
    if current.notified_on is not None:
        # The appeal time runs from this day: it is recorded once, never silently moved.
        raise ValidationError({"notified_on": _("The day of notification is already recorded and can not be changed.")})
    if programme.decided_on and notified_on < programme.decided_on:
        raise ValidationError({"notified_on": _("The notification can not be before the decision.")})
    if notified_on > timezone.localdate():
        raise ValidationError({"notified_on": _("The notification can not be dated in the future.")})
    programme.notified_on = notified_on
    programme.save(update_fields=["notified_on"])
    return programme


@transaction.atomic
def atgardsprogram_evaluate(
    *,
    actor: User,
    programme: Atgardsprogram,
    date: datetime.date,
    text: str,
    outcome: str,
    next_evaluation: datetime.date | None = None,
    next_follow_up: datetime.date | None = None,
) -> tuple[AtgardsprogramUtvardering, Atgardsprogram | None]:
    """Evaluate a decided programme (skollagen 3 kap. 9 §: it is followed up
    and evaluated). "Continue" keeps it, evaluated next on NEXT_EVALUATION
    (required, after DATE) and followed up on NEXT_FOLLOW_UP (optional, between
    the two), which become its deadlines; "end" ends it; "change" marks it as
    being changed and returns a new draft made from it (same needs and
    measures), for the rektor to decide. Only the rektor ends a programme,
    as only the rektor decides one (3 kap. 9 §). ValidationError (by
    field) for dates out of order and for "end" chosen by anyone else."""
    _require(actor, Action.EDIT, programme.pupil)
    if outcome == AtgardsprogramUtvardering.Outcome.END and not access.is_rektor_of(actor, programme.pupil):
        raise ValidationError({"outcome": _("Only the rektor ends a support programme (skollagen 3 kap. 9 §).")})
    current = Atgardsprogram.objects.select_for_update().get(pk=programme.pk)
    if not current.is_programme or current.status != Atgardsprogram.Status.DECIDED:
        raise ValidationError(_("Only a support programme in force is evaluated."))
    if current.decided_on and date < current.decided_on:
        raise ValidationError({"date": _("The evaluation can not be before the decision.")})
    Outcome = AtgardsprogramUtvardering.Outcome
    if outcome == Outcome.CONTINUE:
        if next_evaluation is None or next_evaluation <= date:
            raise ValidationError(
                {
                    "next_evaluation": _(
                        "The programme continues: choose when it is evaluated next, after this evaluation."
                    )
                }
            )
        if next_follow_up is not None and not date < next_follow_up <= next_evaluation:
            raise ValidationError(
                {"next_follow_up": _("The next follow-up is after this evaluation and not after the next one.")}
            )
    entry = AtgardsprogramUtvardering(programme=programme, by=actor, date=date, text=text.strip(), outcome=outcome)
    entry.full_clean()
    entry.save()
    draft = None
    changed = ["status"]
    if outcome == Outcome.CONTINUE:
        programme.evaluate_on = next_evaluation
        programme.follow_up_on = next_follow_up or programme.follow_up_on
        changed += ["evaluate_on", "follow_up_on"]
    elif outcome == Outcome.END:
        programme.status = Atgardsprogram.Status.ENDED
    elif outcome == Outcome.CHANGE:
        programme.status = Atgardsprogram.Status.EVALUATED
        data, measures = carried_over(programme)
        draft = Atgardsprogram(
            pupil=programme.pupil,
            utredning=programme.utredning,
            kind=programme.kind,
            created_by=actor,
            previous=programme,
        )
        _set(draft, data, Atgardsprogram.CONTENT_FIELDS)
        draft.save()
        AtgardsprogramAtgard.objects.bulk_create(
            AtgardsprogramAtgard(programme=draft, position=position, **row) for position, row in enumerate(measures)
        )
    programme.save(update_fields=changed)
    _announce(programme.pupil, actor)
    return entry, draft


# --- appeals ---------------------------------------------------------------------------


#: The outcomes of an appeal that need not have gone to Skolväsendets
#: överklagandenämnd: not decided yet, or the rektor changed the decision as
#: asked (an omprövning). The board decides the others.
BEFORE_THE_BOARD = (Overklagande.Outcome.PENDING, Overklagande.Outcome.CHANGED_BY_SCHOOL)


def _check_appeal(appeal: Overklagande) -> None:
    appeal.full_clean()
    today = timezone.localdate()
    errors: dict[str, str] = {}
    decided_on = appeal.programme.decided_on
    if decided_on and appeal.received_on < decided_on:
        errors["received_on"] = _("An appeal can not be received before the decision was made.")
    elif appeal.received_on > today:
        errors["received_on"] = _("An appeal can not be received in the future.")
    if appeal.forwarded_on and appeal.forwarded_on > today:
        errors["forwarded_on"] = _("The appeal can not be forwarded in the future.")
    elif appeal.forwarded_on is None and appeal.outcome not in BEFORE_THE_BOARD:
        # Only the board decides these outcomes: the appeal was forwarded to it first.
        errors["forwarded_on"] = _(
            "The Board of Appeal decided this outcome: give the day the appeal was forwarded to it."
        )
    if appeal.outcome == Overklagande.Outcome.PENDING:
        if appeal.decided_on is not None:
            errors["decided_on"] = _("An appeal that is not decided yet has no outcome date: clear the date.")
    elif appeal.decided_on is None:
        errors["decided_on"] = _("Give the date of the outcome.")
    elif appeal.decided_on > today:
        errors["decided_on"] = _("The outcome can not be dated in the future.")
    elif appeal.decided_on < appeal.received_on:
        errors["decided_on"] = _("The outcome can not be dated before the appeal was received.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def overklagande_create(*, actor: User, programme: Atgardsprogram, data: Mapping[str, Any]) -> Overklagande:
    """Register an appeal received against a decision (sent via the school to
    Skolväsendets överklagandenämnd, 28 kap. 16 §)."""
    _require(actor, Action.MANAGE, programme.pupil)
    if programme.is_draft:
        raise ValidationError(_("The decision has not been made yet."))
    appeal = Overklagande(programme=programme, registered_by=actor)
    _set(appeal, data, OVERKLAGANDE_FIELDS)
    _check_appeal(appeal)
    appeal.save()
    return appeal


@transaction.atomic
def overklagande_update(*, actor: User, appeal: Overklagande, data: Mapping[str, Any]) -> Overklagande:
    _require(actor, Action.MANAGE, appeal.programme.pupil)
    appeal = _changed(Overklagande, appeal, data, OVERKLAGANDE_FIELDS)
    _check_appeal(appeal)
    appeal.save()
    return appeal
