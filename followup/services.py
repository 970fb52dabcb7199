"""Every write of the follow-up: ``<thing>_<verb>(*, actor, ...)``.

Each service checks the actor through the access layer, validates with
``full_clean()`` inside a transaction, keeps the pupil's deadlines up to date
in the same transaction and enqueues emails after the commit.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from iop import concurrency
from iop import services as iop_services
from iop.models import CONSENT_AGE, CaseConsent, SakkyndigVurdering
from iop.services import consenting_guardian_problem
from students import access
from students import services as student_services
from students.access import Action
from students.models import Group, Pupil, School, SchoolYear, StaffMembership, TeachingAssignment, User

from . import deadlines as engine
from . import reminders, report_text, tasks
from .models import (
    Concern,
    Consent,
    Deadline,
    Duty,
    InterimReply,
    Kartlegging,
    Meeting,
    MeetingPupil,
    Notification,
    Oppfolgingsplan,
    Preference,
    Referral,
    Talk,
    Tiltak,
    TiltakEvaluation,
    parse_reminder_days,
)


def _day(value: datetime.date) -> str:
    """VALUE as a short date in the active language: "22.09.2026" (nb),
    "2026-09-22" (sv); a moment (``datetime``) as the day it was in the
    project's time zone, not in UTC."""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return date_format(value, "SHORT_DATE_FORMAT")


def _require(actor: User, action: Action, pupil: Pupil) -> None:
    if not access.can(actor, action, pupil):
        raise PermissionDenied


def _refresh_pupil(pupil: Pupil, day: datetime.date | None = None) -> None:
    year = engine.current_school_year(pupil.school_id, day)
    if year is not None:
        engine.deadlines_generate(school_year=year, pupil_ids={pupil.pk})


# --- concern ------------------------------------------------------------------------


@transaction.atomic
def concern_file(
    *,
    actor: User,
    pupil: Pupil,
    description: str,
    high_absence: bool = False,
    insufficient_benefit: bool = False,
    poor_wellbeing: bool = False,
    other: bool = False,
) -> Concern:
    """A teacher of the pupil files a concern; the school's coordinators and
    leadership get it at once (in-app, and by email after the commit)."""
    _require(actor, Action.LOG, pupil)
    concern = Concern(
        pupil=pupil,
        filed_by=actor,
        description=description,
        high_absence=high_absence,
        insufficient_benefit=insufficient_benefit,
        poor_wellbeing=poor_wellbeing,
        other=other,
    )
    concern.full_clean()
    concern.save()
    leaders = User.objects.filter(
        is_active=True,
        memberships__school_id=pupil.school_id,
        memberships__active=True,
        memberships__role__in=access.COORDINATOR_ROLES,
    ).distinct()
    reminders.notify_now(
        recipients=[u for u in leaders if u.pk != actor.pk], kind=Notification.Kind.CONCERN, concern=concern
    )
    _refresh_pupil(pupil)  # the kartlegging is due
    return concern


@transaction.atomic
def concern_receive(*, actor: User, concern: Concern) -> Concern:
    _require(actor, Action.MANAGE, concern.pupil)
    if concern.status == Concern.Status.NEW:
        concern.status = Concern.Status.RECEIVED
        concern.received_by = actor
        concern.received_at = timezone.now()
        concern.save(update_fields=["status", "received_by", "received_at"])
    return concern


@transaction.atomic
def concern_close(*, actor: User, concern: Concern, note: str) -> Concern:
    _require(actor, Action.MANAGE, concern.pupil)
    if not note.strip():
        raise ValidationError({"note": _("Write why the concern is closed.")})
    concern.status = Concern.Status.CLOSED
    concern.closed_note = note
    if concern.received_at is None:
        concern.received_by, concern.received_at = actor, timezone.now()
    concern.save()
    _refresh_pupil(concern.pupil)
    return concern


# --- kartlegging, plan, tiltak ------------------------------------------------------------


@transaction.atomic
def kartlegging_create(*, actor: User, pupil: Pupil, concern: Concern | None = None, **fields: Any) -> Kartlegging:
    _require(actor, Action.LOG, pupil)
    if concern is not None and concern.pupil_id != pupil.pk:
        raise ValidationError(_("The concern belongs to another pupil."))
    k = Kartlegging(pupil=pupil, concern=concern, created_by=actor, **fields)
    if k.date and k.date > timezone.localdate():
        raise ValidationError({"date": _("A kartlegging is registered when it has been done: not in the future.")})
    k.full_clean()
    k.save()
    if concern is not None:
        if concern.status == Concern.Status.NEW and access.can(actor, Action.MANAGE, pupil):
            concern_receive(actor=actor, concern=concern)  # leadership that assesses it has received it
        _refresh_pupil(pupil)  # the concern's kartlegging is done
    return k


def active_plan(pupil: Pupil) -> Oppfolgingsplan | None:
    return Oppfolgingsplan.objects.filter(pupil=pupil, status=Oppfolgingsplan.Status.ACTIVE).first()


def _lock_pupil(pupil: Pupil) -> None:
    """Lock the pupil's row until the transaction ends, so that two requests
    that would each start the pupil's one active plan run one after the
    other: the second finds the first one's plan (no IntegrityError)."""
    list(Pupil.objects.select_for_update().filter(pk=pupil.pk).values_list("pk", flat=True))


@transaction.atomic
def plan_save(*, actor: User, pupil: Pupil, main_challenges: str) -> Oppfolgingsplan:
    _require(actor, Action.EDIT, pupil)
    _lock_pupil(pupil)
    plan = active_plan(pupil) or Oppfolgingsplan(pupil=pupil, created_by=actor)
    plan.main_challenges = main_challenges
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def tiltak_create(*, actor: User, pupil: Pupil, meeting: Meeting | None = None, **fields: Any) -> Tiltak:
    """A new tiltak in the pupil's active plan (started from its challenge
    when the pupil has none yet)."""
    _require(actor, Action.EDIT, pupil)
    _lock_pupil(pupil)
    plan = active_plan(pupil)
    if plan is None:
        plan = Oppfolgingsplan(pupil=pupil, created_by=actor, main_challenges=fields.get("challenge", ""))
        plan.full_clean()
        plan.save()
    tiltak = Tiltak(plan=plan, pupil=pupil, meeting=meeting, created_by=actor, **fields)
    tiltak.full_clean()
    tiltak.save()
    _refresh_pupil(pupil)
    return tiltak


@transaction.atomic
def tiltak_evaluate(
    *,
    actor: User,
    tiltak: Tiltak,
    date: datetime.date,
    outcome: str,
    effect: str,
    adjustment: str = "",
    next_evaluation_date: datetime.date | None = None,
) -> TiltakEvaluation:
    """Evaluate a tiltak: ended, continued or adjusted. Fulfils the evaluation
    deadline; a continued/adjusted tiltak gets its next evaluation date.

    Raises ValidationError for an ended tiltak, and for a DATE in the future
    or before the tiltak began (an evaluation records what was found; a
    mistyped year must not close the deadline of one not yet made)."""
    _require(actor, Action.EDIT, tiltak.pupil)
    if tiltak.status != Tiltak.Status.ACTIVE:
        raise ValidationError(_("This tiltak has ended."))
    if date > timezone.localdate():
        raise ValidationError({"date": _("An evaluation can not be dated in the future.")})
    if date < tiltak.start:
        raise ValidationError(
            {
                "date": _("The tiltak began %(start)s: an evaluation can not be dated before that.")
                % {"start": date_format(tiltak.start, "SHORT_DATE_FORMAT")}
            }
        )
    if outcome == TiltakEvaluation.Outcome.ENDED:
        next_evaluation_date = None
    evaluation = TiltakEvaluation(
        tiltak=tiltak,
        pupil_id=tiltak.pupil_id,
        date=date,
        outcome=outcome,
        effect=effect,
        adjustment=adjustment,
        next_evaluation_date=next_evaluation_date,
        evaluated_by=actor,
    )
    evaluation.full_clean()
    evaluation.save()
    now = timezone.now()
    for d in Deadline.objects.filter(
        record_kind="tiltak", record_id__startswith=f"{tiltak.pk}:", state=Deadline.State.OPEN
    ):
        d.state, d.done_at, d.done_by, d.done_automatically, d.next_reminder_at = (
            Deadline.State.DONE,
            now,
            actor,
            True,
            None,
        )
        d.save(update_fields=["state", "done_at", "done_by", "done_automatically", "next_reminder_at"])
        reminders.cancel_for_deadline(d)
    if outcome == TiltakEvaluation.Outcome.ENDED:
        tiltak.status = Tiltak.Status.ENDED
        tiltak.end = max(date, tiltak.start)
    else:
        assert next_evaluation_date is not None
        tiltak.evaluation_date = next_evaluation_date
        tiltak.end = max(tiltak.end, next_evaluation_date)
    tiltak.full_clean()
    tiltak.save()
    _refresh_pupil(tiltak.pupil)
    return evaluation


# --- referral to PPT ---------------------------------------------------------------------


def _section(title: str, lines: list[str], *, empty: str | None = None) -> str:
    """A section of the report (:mod:`followup.report_text`): its heading,
    then LINES, or EMPTY when there are none (default: "Nothing documented.")."""
    body = "\n".join(lines) if lines else (_("Nothing documented.") if empty is None else empty)
    return f"{report_text.heading(title)}\n{body}\n"


def pedagogical_report_draft(pupil: Pupil) -> str:
    """The pedagogisk rapport, pre-filled from what is documented: concerns,
    kartlegging, the follow-up plan, every tiltak and its evaluations, in
    sections (``## Title`` lines, :mod:`followup.report_text`); the section on
    what the pupil masters is left empty for the teacher."""
    parts: list[str] = []
    concerns = list(Concern.objects.filter(pupil=pupil).order_by("filed_at"))
    parts.append(
        _section(
            _("Background: concerns"),
            [f"- {_day(c.filed_at)} ({', '.join(c.categories())}): {c.description}" for c in concerns],
        )
    )
    kart = list(Kartlegging.objects.filter(pupil=pupil).order_by("date"))
    parts.append(
        _section(
            _("Kartlegging"),
            [
                f"- {_day(k.date)} {k.get_kind_display()}"
                + (f", {k.method}" if k.method else "")
                + f" ({k.conducted_by}): {k.result}"
                for k in kart
            ],
        )
    )
    plans = list(Oppfolgingsplan.objects.filter(pupil=pupil).order_by("created_at"))
    parts.append(_section(_("The pupil's main challenges"), [p.main_challenges for p in plans]))
    lines: list[str] = []
    for t in Tiltak.objects.filter(pupil=pupil).prefetch_related("evaluations").order_by("start"):
        lines.append(
            f"- {t.description} ({t.get_organisation_display()}; {t.get_collaboration_display()}"
            + (f": {t.partners}" if t.partners else "")
            + f"; {_day(t.start)}–{_day(t.end)})"
        )
        lines.append("  " + _("Challenge: %(text)s") % {"text": t.challenge})
        lines.append("  " + _("Responsible: %(text)s") % {"text": t.responsibilities})
        for e in t.evaluations.all():
            lines.append(f"  {_('Evaluation')} {_day(e.date)} – {e.get_outcome_display()}: {e.effect}")
            if e.adjustment:
                lines.append("  " + _("Adjusted: %(text)s") % {"text": e.adjustment})
    parts.append(_section(_("Tiltak tried and their effect"), lines))
    # Left for the teacher to write: the edit page shows what belongs here
    # beside the text, and an empty section stops the sending.
    parts.append(_section(_("What the pupil masters"), [], empty=""))
    return "\n".join(parts)


@transaction.atomic
def referral_create(*, actor: User, pupil: Pupil, question: str) -> Referral:
    _require(actor, Action.EDIT, pupil)
    # The report goes from the school to PPT: it is written in the school's language, whatever the writer reads.
    with translation.override(pupil.school.language or translation.get_language()):
        report = pedagogical_report_draft(pupil)
    referral = Referral(pupil=pupil, question=question, report=report, created_by=actor)
    referral._history_user = actor  # type: ignore[attr-defined]
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def referral_update(*, actor: User, referral: Referral, version: int, data: Mapping[str, Any]) -> Referral:
    """Save the question and the pedagogisk rapport of a draft referral.

    VERSION is the version the editor started from, DATA the form's values
    ({"question": str, "report": str}; fields left out are not touched).
    Only the fields the editor changed are written, so two teachers editing
    different fields both keep their text, and the editor's own earlier saves
    never conflict (:mod:`iop.concurrency`). Raises ``EditConflict`` (writing
    nothing) when somebody else changed the same field since VERSION,
    ``ValidationError`` when the referral is sent already or a text is too
    long, ``PermissionDenied`` when ACTOR may not edit the pupil."""
    _require(actor, Action.EDIT, referral.pupil)
    current = concurrency.locked(Referral, referral.pk)
    if current.is_sent:
        raise ValidationError(_("A sent referral cannot be changed."))
    concurrency.merge(current, version=version, actor=actor, data=data, fields=Referral.TEXT_FIELDS)
    current.version += 1
    current._history_user = actor  # type: ignore[attr-defined]
    current.full_clean()
    current.save()
    return current


def consent_giver_error(pupil: Pupil, on: datetime.date, given_by: str) -> str | None:
    """Why GIVEN_BY (a ``Consent.GivenBy`` value) may not consent for PUPIL
    on ON, or None: from the age of 15 (:data:`iop.models.CONSENT_AGE`) the
    pupil consents, before it a guardian (opplæringslova chapter 11)."""
    own = pupil.age_on(on) >= CONSENT_AGE
    if own and given_by != Consent.GivenBy.PUPIL:
        return str(_("The pupil is 15 or older and consents for themselves."))
    if not own and given_by != Consent.GivenBy.GUARDIAN:
        return str(_("For a pupil under 15 the guardians consent."))
    return None


@transaction.atomic
def consent_record(
    *,
    actor: User,
    referral: Referral,
    date: datetime.date,
    method: str,
    given_by: str = Consent.GivenBy.GUARDIAN,
    guardian: User | None = None,
    note: str = "",
    also_assessment: bool = False,
) -> Consent:
    """Record the guardians' consent to the referral (the pupil's own from the
    age of 15, :data:`iop.models.CONSENT_AGE`; opplæringslova chapter 11).
    A guardian's consent names GUARDIAN, one of the pupil's guardians with
    parental responsibility (:func:`iop.services.consenting_guardian_problem`,
    the rule of the consents to the assessment and the decision); the name
    kept is the guardian's, or the pupil's when the pupil consents. With
    ALSO_ASSESSMENT the same consent is recorded as the consent to the
    expert assessment (:func:`iop.services.case_consent_record`, kind
    ``sv``: ``PermissionDenied`` unless ACTOR manages the pupil), so that a
    form that says both is recorded once."""
    _require(actor, Action.EDIT, referral.pupil)
    if referral.is_sent:
        raise ValidationError(_("The referral is sent already."))
    pupil = referral.pupil
    own = pupil.age_on(date) >= CONSENT_AGE
    if wrong := consent_giver_error(pupil, date, given_by):
        raise ValidationError({"given_by": wrong})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The consent cannot be dated in the future.")})
    if own:
        if guardian is not None:
            raise ValidationError({"guardian": _("Name a guardian only when a guardian consents.")})
        name = pupil.full_name
    else:
        problem = consenting_guardian_problem(pupil, guardian.pk if guardian is not None else None)
        if problem:
            raise ValidationError({"guardian": problem})
        assert guardian is not None
        name = guardian.full_name or guardian.email
    consent = Consent(
        referral=referral,
        pupil_id=referral.pupil_id,
        given_by=given_by,
        guardian=guardian,
        name=name,
        date=date,
        method=method,
        note=note,
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    if also_assessment:
        iop_services.case_consent_record(
            actor=actor,
            pupil=pupil,
            data={
                "kind": CaseConsent.Kind.SV,
                "given_by": given_by,
                "guardian": guardian,
                "name": name,
                "date": date,
                "method": method,
                "note": note or _("Recorded with the consent to the referral."),
            },
        )
    return consent


def referral_kept(referral: Referral) -> str:
    """Why REFERRAL may not be deleted (:func:`referral_delete`), for the
    person; "" when it may. At most one query (its consents)."""
    if referral.is_sent:
        return _("A sent referral is kept: PPT has it, and it is part of the pupil's case.")
    if referral.consents.exists():
        return _("Consent is recorded on this referral: the draft is kept with it.")
    return ""


@transaction.atomic
def referral_delete(*, actor: User, referral: Referral) -> None:
    """Delete a draft referral begun by mistake (anyone who may write one:
    ``edit``). Its history keeps who deleted it and when. A sent referral,
    and a draft with a consent recorded (a record of what the guardians or
    the pupil agreed to, opplæringslova § 11-6), are kept: ``ValidationError``
    saying why. ``PermissionDenied`` for anyone who may not edit the pupil."""
    current = Referral.objects.select_for_update().select_related("pupil").get(pk=referral.pk)
    _require(actor, Action.EDIT, current.pupil)
    kept = referral_kept(current)
    if kept:
        raise ValidationError(kept)
    current._history_user = actor  # type: ignore[attr-defined]
    current.delete()


@transaction.atomic
def referral_send(*, actor: User, referral: Referral) -> Referral:
    """Send the referral: needs recorded consent (the pupil's own from
    :data:`iop.models.CONSENT_AGE`, else a guardian's naming one of the
    pupil's guardians with parental responsibility), the question and every
    section of the pedagogisk rapport written (``ValidationError`` listing
    every reason at once: consent missing, texts missing, the sections still
    empty or holding a hint); grants the PPT advisors
    serving the school access to the pupil and notifies them."""
    referral = Referral.objects.select_for_update().select_related("pupil").get(pk=referral.pk)
    _require(actor, Action.MANAGE, referral.pupil)
    if referral.is_sent:
        return referral
    reasons = []
    active = list(referral.consents.filter(withdrawn_at__isnull=True))
    if not active:
        reasons.append(_("A referral cannot be sent without recorded consent."))
    elif referral.pupil.age_on(timezone.localdate()) >= CONSENT_AGE:
        if not any(c.given_by == Consent.GivenBy.PUPIL for c in active):
            reasons.append(_("The pupil is 15 or older and consents for themselves."))
    elif not any(
        c.given_by == Consent.GivenBy.GUARDIAN and consenting_guardian_problem(referral.pupil, c.guardian_id) is None
        for c in active
    ):
        reasons.append(
            _(
                "The recorded consent does not name one of the pupil's guardians with parental responsibility: "
                "record the consent again and choose the guardian."
            )
        )
    if not referral.report.strip() or not referral.question.strip():
        reasons.append(_("Write the question to PPT and the pedagogisk rapport before sending."))
    unfinished = [t for t in report_text.unfinished(referral.report) if t]
    if unfinished:
        reasons.append(
            _("The pedagogisk rapport is not finished: write the section %(sections)s before sending.")
            % {"sections": ", ".join(f"«{t}»" for t in unfinished)}
        )
    if reasons:
        raise ValidationError(reasons)
    referral.status = Referral.Status.SENT
    referral.sent_at = timezone.now()
    referral.sent_by = actor
    referral._history_user = actor  # type: ignore[attr-defined]
    referral.full_clean()
    referral.save(update_fields=["status", "sent_at", "sent_by"])
    access.grant_ppt_access(pupil=referral.pupil, granted_by=actor, reason=_("Referral to PPT"))
    advisors = User.objects.filter(
        is_active=True,
        memberships__school_id=referral.pupil.school_id,
        memberships__role=StaffMembership.Role.PPT,
        memberships__active=True,
    ).distinct()
    reminders.notify_now(recipients=advisors, kind=Notification.Kind.REFERRAL, referral=referral)
    _refresh_pupil(referral.pupil)  # PPT's waiting time starts
    return referral


# --- talks ----------------------------------------------------------------------------------


def school_year_on(school_id: int, day: datetime.date) -> SchoolYear:
    year = SchoolYear.objects.filter(school_id=school_id, start__lte=day, end__gte=day).first()
    if year is None:
        raise ValidationError({"date": _("No school year of the school covers this date.")})
    return year


@transaction.atomic
def talk_save(
    *, actor: User, pupil: Pupil, talk: Talk | None = None, staff: Iterable[User] = (), **fields: Any
) -> Talk:
    """Plan or record a talk. A held talk fulfils its årshjul duty."""
    _require(actor, Action.EDIT, pupil)
    if talk is not None and talk.pupil_id != pupil.pk:
        raise PermissionDenied
    talk = talk or Talk(pupil=pupil, created_by=actor)
    for name, value in fields.items():
        setattr(talk, name, value)
    talk.school_year = school_year_on(pupil.school_id, talk.date)
    if talk.status == Talk.Status.HELD and talk.date > timezone.localdate():
        raise ValidationError({"date": _("A talk that is held cannot be dated in the future.")})
    talk.full_clean()
    talk.save()
    talk.staff.set(list(staff))
    engine.deadlines_generate(school_year=talk.school_year, pupil_ids={pupil.pk})
    return talk


def talk_target(year_level: int | None, *, chain: bool = True) -> int | None:
    """The talks a pupil at YEAR_LEVEL should have held this school year
    (``settings.FOLLOWUP_TALK_TARGETS``), or None; a Norwegian target, so
    None at a Swedish school (not CHAIN), whose law asks a talk each term."""
    from django.conf import settings

    if not chain:
        return None
    for low, high, count in settings.FOLLOWUP_TALK_TARGETS:
        if year_level is not None and low <= year_level <= high:
            return int(count)
    return None


# --- meetings ---------------------------------------------------------------------------------


def may_manage_group(actor: User, group: Group) -> bool:
    """Coordinators of the school and the group's teachers hold its meetings."""
    school_id = group.school_year.school_id
    if access.managed_schools(actor).filter(pk=school_id).exists():
        return True
    return (
        TeachingAssignment.objects.filter(
            user=actor, group=group, user__memberships__school_id=school_id, user__memberships__active=True
        ).exists()
        and actor.is_active
    )


@transaction.atomic
def meeting_save(
    *,
    actor: User,
    group: Group,
    meeting: Meeting | None = None,
    participants: Iterable[User] = (),
    pupils: Iterable[Pupil] = (),
    **fields: Any,
) -> Meeting:
    if not may_manage_group(actor, group):
        raise PermissionDenied
    meeting = meeting or Meeting(group=group, created_by=actor)
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    meeting.participants.set(list(participants))
    allowed = set(group.enrolments.values_list("pupil_id", flat=True))
    for pupil in pupils:
        if pupil.pk in allowed:
            MeetingPupil.objects.get_or_create(meeting=meeting, pupil=pupil)
    engine.fulfil_from_records_for_group(group)
    return meeting


@transaction.atomic
def meeting_decision_save(*, actor: User, meeting: Meeting, pupil: Pupil, decision: str) -> MeetingPupil:
    if not may_manage_group(actor, meeting.group) or not access.can(actor, Action.LOG, pupil):
        raise PermissionDenied
    if not meeting.group.enrolments.filter(pupil=pupil).exists():
        raise ValidationError(_("The pupil is not in this group."))
    row, _created = MeetingPupil.objects.get_or_create(meeting=meeting, pupil=pupil)
    row.decision = decision
    row.full_clean()
    row.save()
    return row


# --- årshjul -------------------------------------------------------------------------------------


def _require_school(actor: User, school: School) -> None:
    if not access.managed_schools(actor).filter(pk=school.pk).exists():
        raise PermissionDenied


DUTY_FIELDS = (
    "title",
    "description",
    "responsible_role",
    "applies_to",
    "anchor",
    "month",
    "day",
    "offset_days",
    "record_event",
    "weekend_to_monday",
    "reminder_days",
    "fulfilment",
    "talk_kind",
    "min_year_level",
    "max_year_level",
    "active",
    "order",
)


@transaction.atomic
def duty_save(*, actor: User, school: School, key: str | None = None, **fields: Any) -> Duty:
    """Change a duty for one school (an override of the årshjul's duty with
    the same key) or add the school's own; the school's deadlines follow.
    A change that leaves the årshjul's duty as it is makes no override (and
    removes the school's override that is the same as the årshjul's duty
    again): the årshjul's duty is returned."""
    _require_school(actor, school)
    own = Duty.objects.filter(school=school, key=key).first() if key else None
    inherited = _inherited(school, key) if key else None
    if own is None:
        own = Duty(school=school, key=key or _new_key(school, fields.get("title", "")))
        if inherited is not None:
            for name in DUTY_FIELDS:
                setattr(own, name, getattr(inherited, name))
    for name, value in fields.items():
        if name in DUTY_FIELDS:
            setattr(own, name, value)
    own.full_clean()
    if inherited is not None and all(getattr(own, name) == getattr(inherited, name) for name in DUTY_FIELDS):
        if own.pk is not None:
            own.delete()
            _regenerate(school)
        return inherited
    own.save()
    _regenerate(school)
    return own


def _inherited(school: School, key: str) -> Duty | None:
    """The årshjul's duty KEY that a school duty KEY overrides (None for the school's own)."""
    wheel = engine.aarshjul_for(school)
    return wheel.duties.filter(key=key).first() if wheel else None


def _new_key(school: School, title: str) -> str:
    from django.utils.text import slugify

    base = slugify(title)[:40] or "plikt"
    key = base
    while Duty.objects.filter(school=school, key=key).exists():
        key = f"{base}-{secrets.token_hex(2)}"
    return key


@transaction.atomic
def duty_reset(*, actor: User, school: School, key: str) -> None:
    """Back to the årshjul's version (or remove a school's own duty)."""
    _require_school(actor, school)
    Duty.objects.filter(school=school, key=key).delete()
    _regenerate(school)


def _regenerate(school: School) -> None:
    for year in SchoolYear.objects.filter(school=school, end__gte=timezone.localdate()):
        tasks.enqueue_generate(year.pk)


@transaction.atomic
def deadlines_regenerate(*, actor: User, school: School) -> int:
    _require_school(actor, school)
    years = list(SchoolYear.objects.filter(school=school, end__gte=timezone.localdate()))
    for year in years:
        engine.deadlines_generate(school_year=year)
    return len(years)


def _deadline_to_change(actor: User, deadline: Deadline) -> Deadline:
    """DEADLINE read again and locked (in the caller's transaction) for ACTOR
    to mark done or open again: its responsible person, or a coordinator of
    its school, who sees its pupil. PermissionDenied for anyone else."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    managed = access.managed_schools(actor).filter(pk=deadline.school_id).exists()
    if deadline.responsible_id != actor.pk and not managed:
        raise PermissionDenied
    if deadline.pupil_id and not access.pupils_for(actor, Action.VIEW).filter(pk=deadline.pupil_id).exists():
        raise PermissionDenied
    return deadline


@transaction.atomic
def deadline_complete(*, actor: User, deadline: Deadline, note: str) -> Deadline:
    """Mark a deadline done by hand, with a note (where no record fits)."""
    deadline = _deadline_to_change(actor, deadline)
    if deadline.state != Deadline.State.OPEN:
        raise ValidationError(_("This deadline is not open."))
    if not note.strip():
        raise ValidationError({"note": _("Write a short note on what was done.")})
    deadline.state = Deadline.State.DONE
    deadline.done_at = timezone.now()
    deadline.done_by = actor
    deadline.done_note = note
    deadline.next_reminder_at = None
    deadline.full_clean()
    deadline.save()
    reminders.cancel_for_deadline(deadline)
    return deadline


@transaction.atomic
def deadline_reopen(*, actor: User, deadline: Deadline) -> Deadline:
    """Open again a deadline marked done by hand (a mistaken "Done"): its
    note of what was done goes, and its reminders are planned again from now.
    The same people as :func:`deadline_complete` may; PermissionDenied for
    others. ValidationError for a deadline that is open, or that its record
    fulfilled (done automatically: the record is what to change)."""
    deadline = _deadline_to_change(actor, deadline)
    if deadline.state != Deadline.State.DONE:
        raise ValidationError(_("This deadline is already open."))
    if deadline.done_automatically:
        raise ValidationError(_("This deadline was done by its record: change the record to open it again."))
    deadline.state = Deadline.State.OPEN
    deadline.done_at = None
    deadline.done_by = None
    deadline.done_note = ""
    deadline.next_reminder_at = engine.initial_reminder(
        deadline.due, parse_reminder_days(deadline.reminder_days), timezone.now()
    )
    deadline.full_clean()
    deadline.save()
    return deadline


# --- preferences ----------------------------------------------------------------------------------


def preference_for(user: User) -> Preference:
    pref, _created = Preference.objects.get_or_create(user=user)
    return pref


@transaction.atomic
def preference_save(*, actor: User, daily_digest: bool, language: str, plan_emails: bool | None = None) -> Preference:
    """Save ACTOR's own settings; PLAN_EMAILS (a guardian's "e-mail me when
    a plan is published") is left as it is when None. LANGUAGE is the user's
    own language (``students.User.language``, ``""``: the school's): of the
    pages from the next one on, of e-mails and of the calendar."""
    pref = preference_for(actor)
    pref.daily_digest = daily_digest
    if language != actor.language:
        student_services.user_language_set(actor=actor, language=language)
    if plan_emails is not None:
        pref.plan_emails = plan_emails
    pref.full_clean()
    pref.save()
    return pref


@transaction.atomic
def ical_token_renew(*, actor: User) -> Preference:
    pref = preference_for(actor)
    pref.ical_token = secrets.token_urlsafe()
    pref.save(update_fields=["ical_token"])
    return pref


@transaction.atomic
def notifications_mark_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, actor: User, notification: Notification) -> None:
    """Mark ACTOR's NOTIFICATION read, once (reading it again keeps the first time)."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


# --- foreløpig svar (forvaltningsloven § 11 a) ------------------------------------------------


@transaction.atomic
def interim_reply_record(
    *,
    actor: User,
    pupil: Pupil,
    referral: Referral | None = None,
    vurdering: SakkyndigVurdering | None = None,
    reason: str,
    expected_by: datetime.date,
    sent_on: datetime.date,
) -> InterimReply:
    """Record that an interim reply (foreløpig svar, forvaltningsloven § 11 a)
    was sent on SENT_ON for a REFERRAL waiting for its sakkyndig vurdering or a
    VURDERING waiting for its enkeltvedtak (exactly one): why (REASON) and
    when an answer can be expected (EXPECTED_BY). Closes the pupil's
    "foreløpig svar" deadline. ValidationError for a date in the future or an
    expected date before it; PermissionDenied unless ACTOR manages the pupil."""
    _require(actor, Action.MANAGE, pupil)
    case = referral or vurdering
    if case is None or (referral is not None and vurdering is not None) or case.pupil_id != pupil.pk:
        raise PermissionDenied
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("The interim reply cannot be dated in the future.")})
    if expected_by < sent_on:
        raise ValidationError({"expected_by": _("The expected answer date is on or after the day the reply is sent.")})
    reply = InterimReply(
        pupil=pupil,
        referral=referral,
        vurdering=vurdering,
        reason=reason,
        expected_by=expected_by,
        sent_on=sent_on,
        recorded_by=actor,
    )
    reply.full_clean()
    reply.save()
    _refresh_pupil(pupil)
    return reply
