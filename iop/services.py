"""Every write of the chain: ``<thing>_<verb>(*, actor, ...)``.

Each service checks the actor's right through :mod:`students.access`, runs
inside a transaction, validates with ``full_clean()`` and leaves the change in
the document's history (django-simple-history, with the actor as the user).

Edits of documents several people work on (SV, vedtak, IOP, its sections and
goals, IUP, assessments) take the ``version`` the editor started from and are
merged field by field through :mod:`iop.concurrency`: only the fields the
user changed are written, and :class:`EditConflict` (nothing written) is
raised only when somebody else changed the same field. Status changes
(complete, make, publish, archive) are refused only when somebody else saved
the document since the version the user saw.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from curriculum.models import CompetenceAim
from students import access
from students.access import Action
from students.dates import short
from students.models import (
    Enrolment,
    GuardianLink,
    Pupil,
    School,
    SchoolYear,
    Skoleeier,
    StaffMembership,
    TeachingAssignment,
    User,
)

from . import checks, concurrency, published, rebase, signals
from .concurrency import EditConflict
from .models import (
    CONSENT_AGE,
    WRITTEN_IUP_PARTS,
    AccessLogEntry,
    AdvanceNotice,
    AdvanceNoticeComment,
    Appeal,
    BankEntry,
    CaseConsent,
    CriteriaTemplate,
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Goal,
    GoalLog,
    Iop,
    IopSubject,
    IopVersion,
    Iup,
    IupAssessment,
    IupSettings,
    IupVersion,
    SakkyndigVurdering,
    SakkyndigVurderingSubject,
    TeachingLog,
    end_of_day,
)

M = TypeVar("M", bound=models.Model)


def _require(actor: User, action: Action, pupil: Pupil) -> None:
    if not access.can(actor, action, pupil):
        raise PermissionDenied


def _require_log_in(actor: User, pupil: Pupil, subject: str) -> None:
    """Refuse (``PermissionDenied``) logging in SUBJECT for PUPIL by one who
    may not: a faglærer logs in the subjects they teach the pupil only."""
    if not access.may_log_in(actor, pupil, subject):
        raise PermissionDenied


def _lock_pupil(pupil_id: Any) -> None:
    """Lock the pupil's row until the transaction ends, so that creates of a
    record of which a pupil has at most one (a live IOP or IUP per year) run
    one after the other: the second sees what the first made (a double
    submit makes no second record and no IntegrityError)."""
    list(Pupil.objects.select_for_update().filter(pk=pupil_id).values_list("pk", flat=True))


def _save(obj: M, actor: User) -> M:
    obj._history_user = actor  # type: ignore[attr-defined]
    obj.full_clean(exclude=concurrency.unchanged_relations(obj))
    obj.save()
    return obj


def _delete(obj: models.Model, actor: User) -> None:
    obj._history_user = actor  # type: ignore[attr-defined]
    obj.delete()


def _announce(signal: Any, sender: type[models.Model], **kwargs: Any) -> None:
    """Send SIGNAL (see :mod:`iop.signals`) once the current transaction has
    committed; a rolled-back change announces nothing."""
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs), robust=True)


def _locked(model: type[M], pk: Any, version: int, actor: User) -> M:
    """The row, locked for this transaction, for a status change by ACTOR
    seen at VERSION; EditConflict when somebody else saved it since."""
    current = concurrency.locked(model, pk)
    concurrency.require_unchanged_by_others(current, version=version, actor=actor)
    return current


def _merged(model: type[M], pk: Any, *, version: int, actor: User, data: Mapping[str, Any], fields: Iterable[str]) -> M:
    """The locked row with DATA merged in field by field (see :func:`iop.concurrency.merge`)."""
    current = concurrency.locked(model, pk)
    concurrency.merge(current, version=version, actor=actor, data=data, fields=fields)
    return current


def _apply(obj: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


def _bump(obj: models.Model) -> None:
    obj.version += 1  # type: ignore[attr-defined]
    if hasattr(obj, "updated_at"):
        obj.updated_at = timezone.now()  # type: ignore[attr-defined]


# --- sakkyndig vurdering ------------------------------------------------------

SV_FIELDS = (
    "assessed_on",
    "valid_from",
    "valid_to",
    "conclusion",
    "benefit_from_ordinary",
    "why_insufficient",
    "realistic_goals",
    "recommended_measures",
    "staff_competence",
    "recommended_organisation",
    "pupil_view",
    "internal_note",
)
SV_SUBJECT_FIELDS = ("hours", "note", "organisation", "staff_competence")
VEDTAK_FIELDS = (
    "outcome",
    "legal_basis",
    "facts",
    "main_considerations",
    "pupil_view",
    "pupil_not_heard_reason",
    "content",
    "organisation_note",
    "valid_from",
    "valid_to",
    "deviation_reason",
    "appeal_info",
    "internal_note",
)
VEDTAK_SUBJECT_FIELDS = ("hours", "curriculum_deviations", "grade_exemption", "organisation", "staff_competence")


def _replace_subjects(
    *,
    actor: User,
    manager: Any,
    model: type[models.Model],
    parent_field: str,
    parent: models.Model,
    rows: list[dict[str, Any]],
    fields: tuple[str, ...],
) -> None:
    """Make PARENT's subject rows equal ROWS (keyed by subject name), one
    save or delete per row so that history sees each change."""
    existing = {row.subject.strip().lower(): row for row in manager.all()}
    wanted: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = row["subject"].strip()
        if not name:
            continue
        key = name.lower()
        if key in wanted:
            raise ValidationError(_("The subject %(subject)s is listed twice.") % {"subject": name})
        wanted[key] = {**row, "subject": name}
    for key, obj in existing.items():
        if key not in wanted:
            _delete(obj, actor)
    for key, row in wanted.items():
        obj = existing.get(key) or model(**{parent_field: parent, "subject": row["subject"]})
        _apply(obj, row, ("subject", *fields))
        _save(obj, actor)


def _subject_lines(rows: Iterable[Any], fields: tuple[str, ...]) -> str:
    """Subject rows as comparable text, one line per subject (sorted)."""

    def get(row: Any, name: str) -> Any:
        return row.get(name) if isinstance(row, Mapping) else getattr(row, name)

    lines = []
    for row in rows:
        name = str(get(row, "subject") or "").strip()
        if name:
            values = ", ".join(concurrency.as_post(get(row, f)) or "–" for f in fields)
            lines.append(f"{name}: {values}")
    return "\n".join(sorted(lines, key=str.lower))


def _merge_with_subjects(
    parent: SakkyndigVurdering | Enkeltvedtak,
    *,
    version: int,
    actor: User,
    data: Mapping[str, Any],
    fields: tuple[str, ...],
    rows: list[dict[str, Any]],
    subject_fields: tuple[str, ...],
) -> None:
    """Merge DATA into the locked PARENT (see :func:`iop.concurrency.merge`);
    its subject rows count as one more field, "subjects": when somebody else
    saved the document since VERSION and the posted rows differ from the
    stored ones, that is a clash too. Raises EditConflict with all clashes."""
    conflict: EditConflict | None = None
    try:
        concurrency.merge(parent, version=version, actor=actor, data=data, fields=fields)
    except EditConflict as exc:
        conflict = exc
    mine = _subject_lines(rows, subject_fields)
    theirs = _subject_lines(parent.subjects.all(), subject_fields)
    if mine != theirs:
        try:
            concurrency.require_unchanged_by_others(parent, version=version, actor=actor)
        except EditConflict as exc:
            conflict = conflict or exc
            conflict.clashes.append(concurrency.Clash(name="subjects", mine=mine, theirs=theirs, text=False))
    if conflict is not None:
        raise conflict


def _require_assessed(sv: SakkyndigVurdering) -> None:
    """An assessment is dated the day it was made: not in the future."""
    if sv.assessed_on and sv.assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("The assessment can not be dated in the future.")})


@transaction.atomic
def vurdering_create(
    *, actor: User, pupil: Pupil, data: Mapping[str, Any], subjects: list[dict[str, Any]]
) -> SakkyndigVurdering:
    _require(actor, Action.ASSESS, pupil)
    sv = SakkyndigVurdering(pupil=pupil, author=actor)
    _apply(sv, data, SV_FIELDS)
    _require_assessed(sv)
    _save(sv, actor)
    _replace_subjects(
        actor=actor,
        manager=sv.subjects,
        model=SakkyndigVurderingSubject,
        parent_field="vurdering",
        parent=sv,
        rows=subjects,
        fields=SV_SUBJECT_FIELDS,
    )
    return sv


@transaction.atomic
def vurdering_update(
    *,
    actor: User,
    vurdering: SakkyndigVurdering,
    version: int,
    data: Mapping[str, Any],
    subjects: list[dict[str, Any]],
) -> SakkyndigVurdering:
    _require(actor, Action.ASSESS, vurdering.pupil)
    sv = concurrency.locked(SakkyndigVurdering, vurdering.pk)
    if not sv.is_draft:
        raise ValidationError(_("A completed expert assessment can not be changed."))
    _merge_with_subjects(
        sv, version=version, actor=actor, data=data, fields=SV_FIELDS, rows=subjects, subject_fields=SV_SUBJECT_FIELDS
    )
    _require_assessed(sv)
    _bump(sv)
    _save(sv, actor)
    _replace_subjects(
        actor=actor,
        manager=sv.subjects,
        model=SakkyndigVurderingSubject,
        parent_field="vurdering",
        parent=sv,
        rows=subjects,
        fields=SV_SUBJECT_FIELDS,
    )
    return sv


def vurdering_complete_problems(sv: SakkyndigVurdering, day: datetime.date) -> list[str]:
    """Why SV (a draft) may not be completed on DAY, as messages for the
    person (empty: it may): a case stopped when the consent was withdrawn
    (then only that), the consent to the assessment, the statutory elements
    (opplæringslova § 11-8), the pupil's own view (Grunnloven § 104; the
    text says why when the pupil could not give it), and the subjects and
    hours its conclusion calls for. Two to four queries."""
    if sv.stopped_on:
        return [_("The case was stopped when the consent was withdrawn; the assessment is not completed.")]
    problems: list[str] = []
    consent = consent_problem(sv.pupil, CaseConsent.Kind.SV, day)
    if consent:
        # PPT completes the assessment; the school records the consent (PPT can not).
        problems.append(f"{consent} {_('The pupil’s school records it: its coordinator or rektor.')}")
    missing = [
        str(getattr(SakkyndigVurdering._meta.get_field(name), "verbose_name", name))
        for name in sv.required_elements
        if not getattr(sv, name).strip()
    ]
    if missing:
        problems.append(
            _("Fill in the statutory elements before completing: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    if not sv.pupil_view.strip():
        problems.append(
            _(
                "Write the pupil's own view and how it was weighed before completing, "
                "or why the pupil could not give it."
            )
        )
    subjects = list(sv.subjects.all())
    if not sv.finds_need:
        if subjects:
            problems.append(
                _(
                    "An assessment that finds no need for individually adapted teaching recommends no hours: "
                    "remove the subjects, or change the conclusion."
                )
            )
    elif not subjects:
        problems.append(_("Recommend hours in at least one subject before completing."))
    without_hours = [s.subject for s in subjects if not s.hours]
    if without_hours:
        problems.append(
            _(
                "Recommend the hours per school year in every subject before completing (opplæringslova § 11-8): "
                "%(subjects)s."
            )
            % {"subjects": ", ".join(without_hours)}
        )
    return [str(problem) for problem in problems]


@transaction.atomic
def vurdering_delete(*, actor: User, vurdering: SakkyndigVurdering) -> None:
    """Delete a draft expert assessment begun by mistake (PPT: ``assess``).
    Its history keeps who deleted it and when. A completed assessment is a
    document of the case (opplæringslova § 11-8) and is never deleted:
    ``ValidationError``. ``PermissionDenied`` for anyone who may not assess."""
    _require(actor, Action.ASSESS, vurdering.pupil)
    sv = concurrency.locked(SakkyndigVurdering, vurdering.pk)
    kept = vurdering_kept(sv)
    if kept:
        raise ValidationError(kept)
    _delete(sv, actor)


def vurdering_kept(sv: SakkyndigVurdering) -> str:
    """Why SV may not be deleted (:func:`vurdering_delete`), for the person;
    "" when it may (a draft). No query."""
    return "" if sv.is_draft else _("A completed expert assessment can not be deleted.")


@transaction.atomic
def vurdering_complete(*, actor: User, vurdering: SakkyndigVurdering, version: int) -> SakkyndigVurdering:
    """Complete the expert assessment. Refused (ValidationError listing every
    reason, :func:`vurdering_complete_problems`) while anything it must say
    is missing or the consent to it is not in place."""
    _require(actor, Action.ASSESS, vurdering.pupil)
    sv = _locked(SakkyndigVurdering, vurdering.pk, version, actor)
    if not sv.is_draft:
        return sv
    problems = vurdering_complete_problems(sv, timezone.localdate())
    if problems:
        raise ValidationError(problems)
    sv.status = SakkyndigVurdering.Status.COMPLETED
    sv.completed_at = timezone.now()
    _bump(sv)
    _save(sv, actor)
    _announce(signals.vurdering_completed, SakkyndigVurdering, vurdering=sv, actor=actor)
    return sv


# --- consent ------------------------------------------------------------------


def consent_problem(pupil: Pupil, kind: str, day: datetime.date) -> str | None:
    """Why the case may not go on without more consent, or None.

    KIND is a :class:`CaseConsent.Kind`; DAY the day of the step (completing
    the assessment, making the decision). Counts consents given on or before
    DAY and not withdrawn. A pupil aged :data:`CONSENT_AGE` or more on DAY
    consents on their own; for a younger pupil one guardian's consent is
    enough, except for the decision when ``settings.IOP_VEDTAK_CONSENT`` is
    ``"all"``: then every guardian with parental responsibility who is
    linked to the pupil must have consented (opplæringslova chapter 11).
    One or two queries; :func:`consent_problem_among` is the same rule on
    rows already loaded."""
    active = CaseConsent.objects.filter(pupil=pupil, kind=kind, withdrawn_on__isnull=True)
    return consent_problem_among(pupil, kind, day, active)


def consent_problem_among(
    pupil: Pupil,
    kind: str,
    day: datetime.date,
    consents: Iterable[CaseConsent],
    links: Iterable[GuardianLink] | None = None,
) -> str | None:
    """:func:`consent_problem` on loaded rows: CONSENTS are the pupil's case
    consents (any kind; those of KIND given on or before DAY and not
    withdrawn by DAY count), LINKS the pupil's guardian links with their
    users (read with one query when needed and not given). Returns the
    message, or None when the consent is in place."""
    active = [
        c for c in consents if c.kind == kind and c.date <= day and (c.withdrawn_on is None or c.withdrawn_on > day)
    ]
    step = CaseConsent.Kind(kind).label
    if pupil.age_on(day) >= CONSENT_AGE:
        if any(c.given_by == CaseConsent.GivenBy.PUPIL for c in active):
            return None
        return _("The pupil is %(age)s or older and consents on their own: record the pupil's consent to %(step)s.") % {
            "age": CONSENT_AGE,
            "step": step,
        }
    by_guardians = [c for c in active if c.given_by == CaseConsent.GivenBy.GUARDIAN]
    if kind == CaseConsent.Kind.VEDTAK and getattr(settings, "IOP_VEDTAK_CONSENT", "one") == "all":
        if links is None:
            links = GuardianLink.objects.filter(pupil=pupil).select_related("user")
        given = {c.guardian_id for c in by_guardians}
        missing = [
            link.user.full_name or link.user.email
            for link in links
            if link.parental_responsibility and link.user_id not in given
        ]
        if missing:
            return _("Every guardian with parental responsibility must consent to %(step)s; missing: %(names)s.") % {
                "step": step,
                "names": ", ".join(missing),
            }
    if by_guardians:
        return None
    return _("Record the guardians' consent to %(step)s first.") % {"step": step}


def consenting_guardian_problem(pupil: Pupil, guardian_id: int | None) -> str | None:
    """Why GUARDIAN_ID may not consent on behalf of PUPIL, or None: a
    guardian's consent names one of the pupil's current guardians with
    parental responsibility (opplæringslova chapter 11). One query."""
    if guardian_id is None or not (
        GuardianLink.objects.filter(pupil=pupil, user_id=guardian_id, parental_responsibility=True).exists()
    ):
        return _("Choose a guardian of the pupil with parental responsibility.")
    return None


def _own_name(typed: str, own: str, message: str) -> str:
    """The name to record for a party who is a known person (the pupil, a
    chosen guardian): OWN when nothing is typed; ValidationError on ``name``
    with MESSAGE (``%(name)s``: OWN) when another name is typed, so that a
    record never names someone else than the party it stands for."""
    if not typed.strip():
        return own
    if not _same_name(typed, own):
        raise ValidationError({"name": message % {"name": own}})
    return typed


def _same_name(a: str, b: str) -> bool:
    """Whether two typed names are the same, whatever their case and spacing."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


CONSENT_FIELDS = ("kind", "given_by", "guardian", "name", "date", "method", "note")


@transaction.atomic
def case_consent_record(*, actor: User, pupil: Pupil, data: Mapping[str, Any]) -> CaseConsent:
    """Record a consent to the assessment or the decision (DATA: the
    :data:`CONSENT_FIELDS`). A pupil aged :data:`CONSENT_AGE` or more on the
    day consents on their own; a younger pupil's guardians consent on the
    pupil's behalf, and a named guardian must have parental responsibility.
    ValidationError for a date in the future or the wrong party;
    PermissionDenied unless ACTOR manages the pupil."""
    _require(actor, Action.MANAGE, pupil)
    consent = CaseConsent(pupil=pupil, recorded_by=actor)
    _apply(consent, data, CONSENT_FIELDS)
    if consent.date and consent.date > timezone.localdate():
        raise ValidationError({"date": _("The consent cannot be dated in the future.")})
    if consent.date:
        own = pupil.age_on(consent.date) >= CONSENT_AGE
        if own and consent.given_by != CaseConsent.GivenBy.PUPIL:
            raise ValidationError(
                {"given_by": _("The pupil is %(age)s or older and consents on their own.") % {"age": CONSENT_AGE}}
            )
        if not own and consent.given_by == CaseConsent.GivenBy.PUPIL:
            raise ValidationError(
                {"given_by": _("For a pupil under %(age)s the guardians consent.") % {"age": CONSENT_AGE}}
            )
    if consent.guardian_id is not None:
        if consent.given_by != CaseConsent.GivenBy.GUARDIAN:
            raise ValidationError({"guardian": _("Name a guardian only when a guardian consents.")})
        problem = consenting_guardian_problem(pupil, consent.guardian_id)
        if problem:
            raise ValidationError({"guardian": problem})
        # The guardian named is who consented: the name written with it is theirs, never another person's.
        consent.name = _own_name(
            consent.name,
            consent.guardian.full_name or consent.guardian.email,  # type: ignore[union-attr]
            _("The guardian chosen is %(name)s: write that name, or choose no guardian."),
        )
    elif consent.given_by == CaseConsent.GivenBy.PUPIL:  # the pupil consents: the pupil's own name
        consent.name = _own_name(
            consent.name, pupil.full_name, _("The pupil is %(name)s: write that name, or leave the field empty.")
        )
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def case_consent_withdrawal_check(consent: CaseConsent, withdrawn_on: datetime.date) -> None:
    """Whether CONSENT may be withdrawn on WITHDRAWN_ON (asked before the
    confirmation page as well): ValidationError on ``withdrawn_on`` for a
    date in the future or before the consent was given. No query."""
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("The withdrawal cannot be dated in the future.")})
    if withdrawn_on < consent.date:
        raise ValidationError({"withdrawn_on": _("A consent is withdrawn on or after the day it was given.")})


def case_consent_withdraw(
    *, actor: User, consent: CaseConsent, withdrawn_on: datetime.date, method: str, note: str = ""
) -> CaseConsent:
    """Withdraw CONSENT on WITHDRAWN_ON (how: METHOD, a
    :class:`CaseConsent.Method`). The case stops at once: the pupil's draft
    assessments are marked stopped, PPT's access to the pupil ends
    (:func:`students.access.revoke_ppt_access`), and
    :data:`iop.signals.case_consent_withdrawn` is sent after the commit (the
    follow-up side stops the referral). Withdrawing twice changes nothing.
    ValidationError for a date in the future or before the consent was given."""
    pupil = consent.pupil
    _require(actor, Action.MANAGE, pupil)
    current = CaseConsent.objects.select_for_update().get(pk=consent.pk)
    if current.withdrawn_on is not None:
        return current
    case_consent_withdrawal_check(current, withdrawn_on)
    current.withdrawn_on = withdrawn_on
    current.withdrawal_method = method
    current.withdrawal_note = note
    current.full_clean()
    current.save(update_fields=["withdrawn_on", "withdrawal_method", "withdrawal_note"])
    for sv in SakkyndigVurdering.objects.filter(pupil=pupil, status=SakkyndigVurdering.Status.DRAFT, stopped_on=None):
        sv.stopped_on = withdrawn_on
        _save(sv, actor)
    access.revoke_ppt_access(pupil=pupil)
    _announce(signals.case_consent_withdrawn, CaseConsent, consent=current, actor=actor)
    return current


# --- forhåndsvarsel (forvaltningsloven § 16) ------------------------------------


def advance_notice_problem(vedtak: Enkeltvedtak, day: datetime.date) -> str | None:
    """Why VEDTAK may not be made on DAY because of its latest advance
    notice, or None: the parties may comment until the deadline (inclusive),
    so the decision waits until the day after it, unless every party has
    answered already: each guardian with parental responsibility linked to
    the pupil, and the pupil when :data:`CONSENT_AGE` or older on DAY
    (forvaltningsloven § 16). No notice: None. A few queries;
    :func:`advance_notice_problem_among` is the same rule on loaded rows."""
    notice = vedtak.advance_notices.order_by("-sent_on", "-created_at").first()
    if notice is None or day > notice.comment_deadline:
        return None
    links = GuardianLink.objects.filter(pupil_id=vedtak.pupil_id).select_related("user")
    return advance_notice_problem_among(vedtak, day, notice, links)


def advance_notice_problem_among(
    vedtak: Enkeltvedtak, day: datetime.date, notice: AdvanceNotice | None, links: Iterable[GuardianLink]
) -> str | None:
    """:func:`advance_notice_problem` on loaded rows: NOTICE is the latest
    advance notice of VEDTAK (its ``comments`` loaded), LINKS the pupil's
    guardian links with their users. No queries."""
    if notice is None or day > notice.comment_deadline:
        return None
    comments = list(notice.comments.all())
    answered = {c.guardian_id for c in comments if c.party == AdvanceNoticeComment.Party.GUARDIAN}
    responsible = [link for link in links if link.parental_responsibility]
    missing = [link.user.full_name or link.user.email for link in responsible if link.user_id not in answered]
    pupil = vedtak.pupil
    if pupil.age_on(day) >= CONSENT_AGE and not any(c.party == AdvanceNoticeComment.Party.PUPIL for c in comments):
        missing.append(pupil.full_name)
    if responsible and not missing:
        return None
    return _(
        "The parties may comment on the draft until %(date)s (forvaltningsloven § 16). The decision can be made "
        "after that, or once every party has answered."
    ) % {"date": date_format(notice.comment_deadline, "SHORT_DATE_FORMAT")} + (
        " " + _("No answer yet from: %(names)s.") % {"names": ", ".join(missing)} if missing else ""
    )


#: The latest deadline for comments on an advance notice, in days from the
#: day it is sent: the decision waits for it (forvaltningsloven § 16 asks for
#: a reasonable time; weeks, not months, in a case about a pupil's teaching).
COMMENT_DEADLINE_MAX_DAYS = 92


@transaction.atomic
def advance_notice_send(
    *, actor: User, vedtak: Enkeltvedtak, comment_deadline: datetime.date, message: str = ""
) -> AdvanceNotice:
    """Share the draft VEDTAK and its expert assessment with the parties
    today, with COMMENT_DEADLINE (a date after today) for their comments
    (forvaltningsloven § 16). The guardians may read the draft from now on
    and are told (:data:`iop.signals.advance_notice_sent`, after the
    commit). ValidationError when the decision is made already or the
    deadline is not after today, or more than :data:`COMMENT_DEADLINE_MAX_DAYS`
    days away; PermissionDenied unless ACTOR manages the pupil."""
    _require(actor, Action.MANAGE, vedtak.pupil)
    current = concurrency.locked(Enkeltvedtak, vedtak.pk)
    if current.is_made:
        raise ValidationError(_("The decision is made already; an advance notice comes before it."))
    today = timezone.localdate()
    if comment_deadline <= today:
        raise ValidationError({"comment_deadline": _("The deadline for comments must be after today.")})
    if comment_deadline > today + datetime.timedelta(days=COMMENT_DEADLINE_MAX_DAYS):
        # A mistyped year would hold the decision back for as long: the case waits for the deadline.
        raise ValidationError(
            {
                "comment_deadline": _("The deadline for comments is at most %(days)s days from today.")
                % {"days": COMMENT_DEADLINE_MAX_DAYS}
            }
        )
    notice = AdvanceNotice(
        vedtak=current,
        sent_on=today,
        comment_deadline=comment_deadline,
        message=message,
        sent_by=actor,
        draft_stamp=vedtak_stamp(current),
    )
    notice.full_clean()
    notice.save()
    _announce(signals.advance_notice_sent, AdvanceNotice, notice=notice, actor=actor)
    return notice


def vedtak_stamp(vedtak: Enkeltvedtak) -> str:
    """A digest of what the draft VEDTAK decides and says (its fields and its
    subject lines): 64 hexadecimal characters, the same while the parties
    would read the same draft. Kept with an advance notice, so that the
    vedtak page can tell that the draft changed after the parties were
    asked for comments (forvaltningsloven § 16). One query unless the
    subjects are prefetched."""
    lines = sorted(
        [
            [line.subject, *(str(getattr(line, name)) for name in VEDTAK_SUBJECT_FIELDS)]
            for line in vedtak.subjects.all()
        ]
    )
    content = {name: str(getattr(vedtak, name)) for name in VEDTAK_FIELDS} | {"subjects": lines}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def changed_since_notice(vedtak: Enkeltvedtak, notices: list[AdvanceNotice]) -> AdvanceNotice | None:
    """The latest of NOTICES (VEDTAK's advance notices, loaded) when the
    draft has changed since it was sent, else None (also for a made
    decision, and for a notice sent before drafts were stamped). No queries
    when the subjects are prefetched."""
    if vedtak.is_made or not notices:
        return None
    latest = max(notices, key=lambda n: (n.sent_on, n.created_at))
    if not latest.draft_stamp or latest.draft_stamp == vedtak_stamp(vedtak):
        return None
    return latest


NOTICE_COMMENT_FIELDS = ("party", "guardian", "name", "received_on", "text")


@transaction.atomic
def advance_notice_comment(*, actor: User, notice: AdvanceNotice, data: Mapping[str, Any]) -> AdvanceNoticeComment:
    """Record a comment a party gave on NOTICE (DATA: the
    :data:`NOTICE_COMMENT_FIELDS`). Guardians never write it themselves.
    ValidationError for a date before the notice or in the future, or a
    guardian who is not the pupil's; PermissionDenied unless ACTOR manages the pupil."""
    pupil = notice.vedtak.pupil
    _require(actor, Action.MANAGE, pupil)
    comment = AdvanceNoticeComment(notice=notice, recorded_by=actor)
    _apply(comment, data, NOTICE_COMMENT_FIELDS)
    if comment.received_on and comment.received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A comment cannot be received in the future.")})
    if comment.received_on and comment.received_on < notice.sent_on:
        raise ValidationError({"received_on": _("A comment is received on or after the day the notice was sent.")})
    if comment.party == AdvanceNoticeComment.Party.GUARDIAN and comment.guardian_id is None:
        # The name typed of one of the pupil's guardians is that guardian's answer (fvl § 16); another
        # name (a guardian without a login) is recorded as given, and answers for nobody in particular.
        named = [
            link.user
            for link in GuardianLink.objects.filter(pupil=pupil).select_related("user")
            if _same_name(link.user.full_name, comment.name)
        ]
        if len(named) == 1:
            comment.guardian = named[0]
    if comment.guardian_id is not None:
        if comment.party != AdvanceNoticeComment.Party.GUARDIAN:
            raise ValidationError({"guardian": _("Name a guardian only for a guardian's comment.")})
        if not GuardianLink.objects.filter(pupil=pupil, user_id=comment.guardian_id).exists():
            raise ValidationError({"guardian": _("Choose one of the pupil's guardians.")})
        comment.name = _own_name(
            comment.name,
            comment.guardian.full_name or comment.guardian.email,  # type: ignore[union-attr]
            _("The guardian chosen is %(name)s: write that name, or choose no guardian."),
        )
    elif comment.party == AdvanceNoticeComment.Party.PUPIL:  # the pupil's own answer (a party from 15)
        comment.name = _own_name(
            comment.name, pupil.full_name, _("The pupil is %(name)s: write that name, or leave the field empty.")
        )
    comment.full_clean()
    comment.save()
    return comment


# --- enkeltvedtak -------------------------------------------------------------


def _stage(year_level: int) -> int:
    """0 primary (1–7), 1 lower secondary (8–10), 2 upper secondary (Vg1–Vg3)."""
    return 0 if year_level <= 7 else 1 if year_level <= 10 else 2


def _stage_error(vedtak: Enkeltvedtak) -> str | None:
    """A vedtak never runs from one school stage into the next."""
    enrolment = (
        Enrolment.objects.filter(
            pupil_id=vedtak.pupil_id,
            group__school_year__start__lte=vedtak.valid_from,
            group__school_year__end__gte=vedtak.valid_from,
        )
        .select_related("group__school_year")
        .order_by("group__kind")
        .first()
    )
    if enrolment is None:
        return None
    level = enrolment.group.year_level
    if level in (7, 10, 13) and vedtak.valid_to > enrolment.group.school_year.end:
        return _(
            "The decision runs past the end of the school year in which the pupil finishes a school stage "
            "(%(end)s). Make a new decision for the next stage."
        ) % {"end": date_format(enrolment.group.school_year.end, "SHORT_DATE_FORMAT")}
    return None


@transaction.atomic
def vedtak_create(
    *,
    actor: User,
    pupil: Pupil,
    vurdering: SakkyndigVurdering,
    data: Mapping[str, Any],
    subjects: list[dict[str, Any]],
) -> Enkeltvedtak:
    _require(actor, Action.MANAGE, pupil)
    if vurdering.pupil_id != pupil.pk:
        raise PermissionDenied
    if vurdering.is_draft:
        raise ValidationError(_("The expert assessment is not completed yet."))
    vedtak = Enkeltvedtak(pupil=pupil, vurdering=vurdering, created_by=actor)
    _apply(vedtak, data, VEDTAK_FIELDS)
    _save(vedtak, actor)
    _replace_subjects(
        actor=actor,
        manager=vedtak.subjects,
        model=EnkeltvedtakSubject,
        parent_field="vedtak",
        parent=vedtak,
        rows=subjects,
        fields=VEDTAK_SUBJECT_FIELDS,
    )
    return vedtak


@transaction.atomic
def vedtak_update(
    *, actor: User, vedtak: Enkeltvedtak, version: int, data: Mapping[str, Any], subjects: list[dict[str, Any]]
) -> Enkeltvedtak:
    _require(actor, Action.MANAGE, vedtak.pupil)
    current = concurrency.locked(Enkeltvedtak, vedtak.pk)
    if current.is_made:
        raise ValidationError(_("A decision that has been made can not be changed. Make a new decision instead."))
    _merge_with_subjects(
        current,
        version=version,
        actor=actor,
        data=data,
        fields=VEDTAK_FIELDS,
        rows=subjects,
        subject_fields=VEDTAK_SUBJECT_FIELDS,
    )
    _bump(current)
    _save(current, actor)
    _replace_subjects(
        actor=actor,
        manager=current.subjects,
        model=EnkeltvedtakSubject,
        parent_field="vedtak",
        parent=current,
        rows=subjects,
        fields=VEDTAK_SUBJECT_FIELDS,
    )
    return current


def vedtak_make_warnings(vedtak: Enkeltvedtak) -> list[str]:
    """What the person is told before making VEDTAK that does not stop it
    (messages; empty: nothing): no advance notice sent. Forvaltningsloven
    § 16 asks for one, but its third paragraph has exceptions. One query."""
    if vedtak.advance_notices.exists():
        return []
    return [
        _(
            "No advance notice (forhåndsvarsel) has been sent: the parties are to be told and given the "
            "chance to comment before the decision is made (forvaltningsloven § 16), unless an exception "
            "in § 16 third paragraph applies."
        )
    ]


def vedtak_make_problems(vedtak: Enkeltvedtak, day: datetime.date) -> list[str]:
    """Why VEDTAK (a draft) may not be made on DAY, as messages for the
    person (empty: it may): the clear-line checks, subjects (none on a
    refusal, at least one otherwise), the stage of its expert assessment,
    consent to the teaching (opplæringslova § 11-6; a refusal starts
    nothing, so it needs none) and the advance notice's comment deadline
    (forvaltningsloven § 16). About ten queries."""
    problems = [flag.message for flag in checks.vedtak_flags(vedtak) if not flag.advisory]
    has_subjects = vedtak.subjects.exists()
    if vedtak.is_refusal and has_subjects:
        problems.append(_("A refusal names no subjects: remove them, or choose another outcome."))
    elif not vedtak.is_refusal and not has_subjects:
        problems.append(_("The decision names no subjects."))
    stage = _stage_error(vedtak)
    if stage:
        problems.append(stage)
    consent = None if vedtak.is_refusal else consent_problem(vedtak.pupil, CaseConsent.Kind.VEDTAK, day)
    if consent:
        problems.append(consent)
    waiting = advance_notice_problem(vedtak, day)
    if waiting:
        problems.append(waiting)
    return problems


@transaction.atomic
def vedtak_delete(*, actor: User, vedtak: Enkeltvedtak) -> None:
    """Delete a draft decision begun by mistake (the coordinator or rektor:
    ``manage``). Its history keeps who deleted it and when; the expert
    assessment it was drafted from stays, ready for a decision. A decision
    made is never deleted (forvaltningsloven: it is the pupil's decision and
    may be appealed), nor a draft already shared with the pupil and the
    guardians for comment (forhåndsvarsel, forvaltningsloven § 16): both
    ``ValidationError``. ``PermissionDenied`` for anyone who may not manage."""
    _require(actor, Action.MANAGE, vedtak.pupil)
    current = concurrency.locked(Enkeltvedtak, vedtak.pk)
    kept = vedtak_kept(current)
    if kept:
        raise ValidationError(kept)
    _delete(current, actor)


def vedtak_kept(vedtak: Enkeltvedtak) -> str:
    """Why VEDTAK may not be deleted (:func:`vedtak_delete`), for the person;
    "" when it may. At most one query (its advance notices)."""
    if vedtak.is_made:
        return _("A decision that has been made can not be deleted.")
    if vedtak.advance_notices.exists():
        return _("The draft has been shared with the parties for comment: it is kept with their comments.")
    return ""


@transaction.atomic
def vedtak_make(
    *, actor: User, vedtak: Enkeltvedtak, version: int, made_on: datetime.date | None = None
) -> Enkeltvedtak:
    """Make (fatte) the decision. Refused (ValidationError listing every
    reason, :func:`vedtak_make_problems`) while a clear-line check on it
    fails, without the consent it needs (a refusal needs none), or before
    the comment deadline of its advance notice."""
    _require(actor, Action.MANAGE, vedtak.pupil)
    current = _locked(Enkeltvedtak, vedtak.pk, version, actor)
    if current.is_made:
        return current
    current.pupil = vedtak.pupil
    problems = vedtak_make_problems(current, made_on or timezone.localdate())
    if problems:
        raise ValidationError(problems)
    current.status = Enkeltvedtak.Status.MADE
    current.made_by = actor
    current.made_on = made_on or timezone.localdate()
    _bump(current)
    _save(current, actor)
    _announce(signals.vedtak_made, Enkeltvedtak, vedtak=current, actor=actor)
    return current


@transaction.atomic
def vedtak_record_notified(
    *, actor: User, vedtak: Enkeltvedtak, version: int, notified_on: datetime.date
) -> Enkeltvedtak:
    """Record the day the parties were notified of a made VEDTAK
    (forvaltningsloven § 27); the appeal deadline is three weeks later (§ 29).
    A wrong date may be corrected (the history keeps both). ValidationError
    when the vedtak is a draft, or the date is before it was made or in the
    future; EditConflict when somebody else saved it since VERSION."""
    _require(actor, Action.MANAGE, vedtak.pupil)
    current = _locked(Enkeltvedtak, vedtak.pk, version, actor)
    if not current.is_made:
        raise ValidationError(_("The parties are notified of a decision once it has been made."))
    if notified_on > timezone.localdate():
        raise ValidationError({"notified_on": _("The date of notification can not be in the future.")})
    if current.made_on and notified_on < current.made_on:
        raise ValidationError(
            {
                "notified_on": _("The parties can not be notified before the decision was made (%(date)s).")
                % {"date": date_format(current.made_on, "SHORT_DATE_FORMAT")}
            }
        )
    current.notified_on = notified_on
    _bump(current)
    _save(current, actor)
    return current


APPEAL_FIELDS = (
    "received_on",
    "appellant",
    "summary",
    "owner_reviewed_on",
    "owner_outcome",
    "sent_on",
    "final_outcome",
    "final_outcome_on",
    "note",
)


def _check_appeal(appeal: Appeal) -> None:
    if appeal.received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The day the appeal was received can not be in the future.")})
    made_on = appeal.vedtak.made_on
    if made_on and appeal.received_on < made_on:
        raise ValidationError(
            {
                "received_on": _("An appeal is received on or after the day the decision was made (%(date)s).")
                % {"date": short(made_on)}
            }
        )
    if appeal.owner_outcome and not appeal.owner_reviewed_on:
        raise ValidationError({"owner_reviewed_on": _("Give the date of the school owner's review.")})
    # Each later step is recorded when it has happened (a future date would close the
    # school owner's deadline for a review not yet made), and in the order of the case.
    today = timezone.localdate()
    steps = (
        (
            "owner_reviewed_on",
            "received_on",
            _("The school owner's review can not be dated in the future."),
            _("The school owner reviews the appeal on or after the day it was received."),
        ),
        (
            "sent_on",
            "owner_reviewed_on",
            _("The day the appeal was sent on can not be in the future."),
            _("The appeal is sent to Statsforvalteren on or after the school owner's review."),
        ),
        (
            "final_outcome_on",
            "sent_on",
            _("The final outcome can not be dated in the future."),
            _("The final outcome comes on or after the day the appeal was sent on."),
        ),
    )
    errors: dict[str, str] = {}
    for name, before, future, order in steps:
        day, earlier = getattr(appeal, name), getattr(appeal, before)
        if day and day > today:
            errors[name] = future
        elif day and earlier and day < earlier:
            errors[name] = order
    if errors:
        raise ValidationError(errors)
    if appeal.sent_on and appeal.owner_outcome in Appeal.SETTLED_BY_OWNER:
        raise ValidationError({"sent_on": _("An appeal the school owner has settled is not sent on.")})


@transaction.atomic
def appeal_create(*, actor: User, vedtak: Enkeltvedtak, data: Mapping[str, Any]) -> Appeal:
    """Register an appeal against a made VEDTAK in the appeal register
    (forvaltningsloven §§ 28–33). ValidationError on a draft or bad dates.
    :data:`iop.signals.appeal_recorded` is sent after the commit (the school
    owner's review becomes a deadline there)."""
    _require(actor, Action.MANAGE, vedtak.pupil)
    if not vedtak.is_made:
        raise ValidationError(_("Only a decision that has been made can be appealed."))
    appeal = Appeal(vedtak=vedtak, created_by=actor)
    _apply(appeal, data, APPEAL_FIELDS)
    _check_appeal(appeal)
    _save(appeal, actor)
    _announce(signals.appeal_recorded, Appeal, appeal=appeal, actor=actor, created=True)
    return appeal


@transaction.atomic
def appeal_update(*, actor: User, appeal: Appeal, version: int, data: Mapping[str, Any]) -> Appeal:
    """Record the next steps of APPEAL (review, sent on, outcome).
    EditConflict when somebody else saved it since VERSION;
    :data:`iop.signals.appeal_recorded` is sent after the commit."""
    _require(actor, Action.MANAGE, appeal.vedtak.pupil)
    current = _locked(Appeal, appeal.pk, version, actor)
    _apply(current, data, APPEAL_FIELDS)
    _check_appeal(current)
    _bump(current)
    _save(current, actor)
    _announce(signals.appeal_recorded, Appeal, appeal=current, actor=actor, created=False)
    return current


# --- IOP --------------------------------------------------------------------------


def _school_year_for(vedtak: Enkeltvedtak) -> SchoolYear:
    today = timezone.localdate()
    day = today if vedtak.valid_from <= today <= vedtak.valid_to else vedtak.valid_from
    year = SchoolYear.objects.filter(school_id=vedtak.pupil.school_id, start__lte=day, end__gte=day).first()
    if year is None:
        raise ValidationError(_("No school year of the pupil's school covers the decision's period."))
    return year


@transaction.atomic
def iop_create(*, actor: User, vedtak: Enkeltvedtak) -> Iop:
    """A new IOP from a made vedtak, with a section per subject of the vedtak.

    Idempotent: when the pupil's live IOP for the year was made from this
    vedtak already (a double submit), that IOP is returned unchanged.
    ValidationError when the vedtak is not made, no school year covers it,
    or the pupil's live IOP for the year comes from another vedtak."""
    _require(actor, Action.EDIT, vedtak.pupil)
    if not vedtak.is_made:
        raise ValidationError(_("An IOP is built on a decision that has been made."))
    if vedtak.is_refusal:
        raise ValidationError(_("The decision is a refusal: no IOP is made on it."))
    year = _school_year_for(vedtak)
    _lock_pupil(vedtak.pupil_id)
    live = Iop.objects.filter(pupil_id=vedtak.pupil_id, school_year=year).exclude(status=Iop.Status.ARCHIVED).first()
    if live is not None:
        if live.vedtak_id == vedtak.pk:
            return live
        if rebase.is_newer(vedtak, live):
            raise ValidationError(
                _(
                    "The pupil already has an IOP for this school year, on an earlier decision. "
                    "Open it and move it to this decision: its goals and logs are kept."
                )
            )
        raise ValidationError(_("The pupil already has an IOP for this school year."))
    iop = Iop(
        pupil_id=vedtak.pupil_id,
        vedtak=vedtak,
        school_year=year,
        period_start=max(year.start, vedtak.valid_from),
        period_end=min(year.end, vedtak.valid_to),
        created_by=actor,
    )
    _save(iop, actor)
    for order, line in enumerate(vedtak.subjects.all()):
        section = IopSubject(
            iop=iop,
            subject=line.subject,
            hours=line.hours,
            organisation=rebase.organisation_text(line),
            order=order,
        )
        _save(section, actor)
    return iop


IOP_FIELDS = ("period_start", "period_end", *Iop.TEXT_FIELDS)
SECTION_FIELDS = ("hours", *IopSubject.STAFF_HOURS_FIELDS, "content", "working_methods", "organisation")
GOAL_FIELDS = ("text", "competence_aim", *Goal.CRITERIA_FIELDS)


def _require_editable(iop: Iop) -> None:
    if not iop.is_editable:
        raise ValidationError(_("An archived IOP can not be changed."))


@transaction.atomic
def iop_update(*, actor: User, iop: Iop, version: int, data: Mapping[str, Any]) -> Iop:
    _require(actor, Action.EDIT, iop.pupil)
    current = concurrency.locked(Iop, iop.pk)
    _require_editable(current)
    before = (current.period_start, current.period_end)
    concurrency.merge(current, version=version, actor=actor, data=data, fields=IOP_FIELDS)
    if (current.period_start, current.period_end) != before:
        year = current.school_year
        _require_within(current.period_start, current.period_end, year.start, year.end)
    _bump(current)
    return _save(current, actor)


def snapshot(iop: Iop) -> dict[str, Any]:
    """The content of an IOP as plain data (for published versions; shape in
    :mod:`iop.published`). Three queries."""
    sections = list(iop.sections.order_by("order", "subject"))
    goals = list(iop.goals.prefetch_related("competence_aims").order_by("order", "created_at"))
    return published.iop_snapshot(iop, sections, goals)


def live_content(plan: Iop | Iup) -> dict[str, Any]:
    """PLAN's (an IOP or IUP) content as a publication would keep it (shape
    in :mod:`iop.published`). A few queries, however large the plan."""
    return snapshot(plan) if isinstance(plan, Iop) else published.load_iup_snapshot(plan)


def unchanged_since_published(plan: Iop | Iup, content: dict[str, Any] | None = None) -> bool:
    """Whether PLAN (an IOP or IUP) is published and its content (CONTENT when
    read already: :func:`live_content`) is what its last published version
    holds: publishing it again would show the guardians nothing new. A few
    queries, however large the plan."""
    if plan.status != plan.Status.PUBLISHED:
        return False
    last = plan.versions.order_by("-number").first()
    if last is None:
        return False
    return bool(last.snapshot == (content if content is not None else live_content(plan)))


#: Why publishing an unchanged plan is refused.
def content_stamp(plan: Iop | Iup) -> str:
    """A digest of PLAN's live content (an IOP or IUP) as a publication would
    keep it: 64 hexadecimal characters, the same as long as nothing the
    guardians would read has changed (goals, sections, texts, period). The
    publishing question carries it, so that "yes" publishes only the content
    the user was asked about (:func:`iop_publish`, :func:`iup_publish`).
    A few queries, however large the plan."""
    return _stamp(live_content(plan))


def _stamp(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _require_seen(plan: Iop | Iup, seen: str | None, content: dict[str, Any]) -> None:
    """EditConflict when SEEN (a :func:`content_stamp` the user was shown) is
    given and PLAN's CONTENT has changed since (a colleague's goal edit, say)."""
    if seen is not None and _stamp(content) != seen:
        raise EditConflict(current=plan)


NOTHING_TO_PUBLISH = gettext_lazy("Nothing has changed since the last publication: the guardians already read this.")


def _announce_published(plan: Iop | Iup, actor: User, number: int) -> None:
    """Send :data:`iop.signals.plan_published` once the transaction has committed.
    A listener that fails is logged (``robust``): the plan is published all the same."""
    transaction.on_commit(
        lambda: signals.plan_published.send(sender=type(plan), plan=plan, actor=actor, number=number), robust=True
    )


@transaction.atomic
def iop_publish(*, actor: User, iop: Iop, version: int, seen: str | None = None) -> Iop:
    """Publish (or re-publish) the IOP: guardians see it from now on and its
    content is kept as a numbered version (what the guardians read until the
    next publication); :data:`iop.signals.plan_published` is sent after the
    commit. Refused while it grants more or other than the vedtak.
    EditConflict when the plan changed since VERSION, or when SEEN (the
    :func:`content_stamp` of the publishing question) no longer matches its
    content: a goal a colleague changed since is not published unseen
    (opplæringslova § 11-10: the plan the guardians are given)."""
    _require(actor, Action.EDIT, iop.pupil)
    current = _locked(Iop, iop.pk, version, actor)
    _require_editable(current)
    content = snapshot(current)  # read once: what is checked is what is kept
    _require_seen(current, seen, content)
    newer = rebase.newer_vedtak(current)
    problems = [flag.message for flag in checks.iop_flags(current, newer) if flag.blocks_publishing]
    if problems:
        raise ValidationError(problems)
    if unchanged_since_published(current, content):
        raise ValidationError(str(NOTHING_TO_PUBLISH))
    last = current.versions.order_by("-number").first()
    current.status = Iop.Status.PUBLISHED
    current.published_at = timezone.now()
    _bump(current)
    _save(current, actor)
    number = (last.number if last is not None else 0) + 1
    IopVersion.objects.create(iop=current, number=number, published_by=actor, snapshot=content)
    _announce_published(current, actor, number)
    return current


@transaction.atomic
def iop_move_to_vedtak(*, actor: User, iop: Iop, version: int, vedtak: Enkeltvedtak) -> Iop:
    """Move the IOP onto VEDTAK, a newer vedtak of the pupil (:mod:`iop.rebase`),
    keeping its goals, logs, sections and history.

    * The plan rests on VEDTAK from now on; its period keeps its start (the
      old vedtak covered the part before VEDTAK, so teaching given then is
      still logged and counted) and ends on the earlier of the year's end and
      ``vedtak.valid_to``.
    * Every subject of VEDTAK has a section: hours follow the decision
      (årstimer); "how the teaching is carried out" follows it where the
      teacher kept the text the plan was made with; a subject new in VEDTAK
      gets a new, empty section.
    * A section whose subject VEDTAK no longer names is kept with its goals
      and logs and marked ``dropped_on`` (the new period's first day).
    * The change is recorded in the history of the plan and its sections
      (actor as the user). The IOP stays draft or published; publishing it
      again is what shows the guardians the new content.

    EditConflict when somebody else saved the IOP since VERSION;
    ValidationError when VEDTAK is not newer than the IOP's vedtak (moved
    already, or another was made since), is a refusal, or leaves no days of the plan's
    period; PermissionDenied without the right to edit the pupil's plans.
    """
    _require(actor, Action.EDIT, iop.pupil)
    current = _locked(Iop, iop.pk, version, actor)
    _require_editable(current)
    newest = rebase.newer_vedtak(current)
    if newest is None or newest.pk != vedtak.pk:
        raise ValidationError(_("The plan can only be moved to the newest decision made after its own."))
    if newest.is_refusal:
        raise ValidationError(
            _(
                "The new decision is a refusal: it gives no individually adapted teaching, so no IOP rests on it. "
                "Archive the plan when the teaching under the old decision has ended; its goals, logs and history "
                "are kept."
            )
        )
    year = current.school_year
    # The start is kept: the old vedtak covered the part before the new one.
    start = current.period_start
    end = min(year.end, newest.valid_to)
    if start > end:
        raise ValidationError(_("The new decision covers no part of the plan's period."))
    old_lines = rebase.subjects_of(current.vedtak.subjects.all())
    new_lines = rebase.subjects_of(newest.subjects.all())
    current.vedtak = newest
    current.period_start, current.period_end = start, end
    _bump(current)
    _save(current, actor)
    sections = {rebase.key(s.subject): s for s in IopSubject.objects.select_for_update().filter(iop=current)}
    order = max((s.order for s in sections.values()), default=-1) + 1
    for name, line in new_lines.items():
        section = sections.get(name)
        if section is None:
            section = IopSubject(
                iop=current, subject=line.subject, hours=line.hours, organisation=rebase.organisation_text(line)
            )
            section.order, order = order, order + 1
            _save(section, actor)
            continue
        before = (section.hours, section.organisation, section.dropped_on)
        section.hours = line.hours
        was = old_lines.get(name)
        if was is not None and section.organisation.strip() == rebase.organisation_text(was):
            section.organisation = rebase.organisation_text(line)
        section.dropped_on = None
        if (section.hours, section.organisation, section.dropped_on) != before:
            _bump(section)
            _save(section, actor)
    for name, section in sections.items():
        if name not in new_lines and section.dropped_on is None:
            section.dropped_on = max(start, newest.valid_from)
            _bump(section)
            _save(section, actor)
    return current


@transaction.atomic
def plans_follow_pupil(*, actor: User | None, pupil_id: Any, from_school_id: int, day: datetime.date) -> int:
    """After a pupil moved to another school (``students.transfer``): the
    pupil's IOPs and IUPs of the former school's school year covering DAY
    move to the pupil's new school's school year covering DAY, with their
    goals, logs, versions and reports (all hang on the plan). Recorded in the
    plans' history with ACTOR. A plan stays where it is when the new school
    has no school year covering DAY, or already has a live plan of the same
    kind for the pupil in it. Returns how many plans moved. Idempotent."""
    pupil = Pupil.objects.get(pk=pupil_id)
    if pupil.school_id == from_school_id:
        return 0
    target = SchoolYear.objects.filter(school_id=pupil.school_id, start__lte=day, end__gte=day).first()
    if target is None:
        return 0
    _lock_pupil(pupil.pk)
    moved = 0
    for model in (Iop, Iup):
        plans = model.objects.filter(  # type: ignore[attr-defined]
            pupil_id=pupil.pk,
            school_year__school_id=from_school_id,
            school_year__start__lte=day,
            school_year__end__gte=day,
        ).order_by("status", "pk")
        for plan in plans:
            live_there = model.objects.filter(pupil_id=pupil.pk, school_year=target).exclude(  # type: ignore[attr-defined]
                status=model.Status.ARCHIVED
            )
            if plan.status != model.Status.ARCHIVED and live_there.exists():
                continue
            plan.school_year = target
            _bump(plan)
            plan._history_user = actor  # type: ignore[union-attr]
            plan.save()
            moved += 1
    return moved


@transaction.atomic
def iop_archive(*, actor: User, iop: Iop, version: int) -> Iop:
    _require(actor, Action.EDIT, iop.pupil)
    current = _locked(Iop, iop.pk, version, actor)
    current.status = Iop.Status.ARCHIVED
    _bump(current)
    return _save(current, actor)


@transaction.atomic
def section_update(*, actor: User, section: IopSubject, version: int, data: Mapping[str, Any]) -> IopSubject:
    _require(actor, Action.EDIT, section.iop.pupil)
    _require_editable(section.iop)
    current = _merged(IopSubject, section.pk, version=version, actor=actor, data=data, fields=SECTION_FIELDS)
    _bump(current)
    return _save(current, actor)


def _require_plan_editable(plan: Iop | Iup) -> None:
    if not plan.is_editable:
        raise ValidationError(_("An archived plan can not be changed."))


@transaction.atomic
def goal_create(
    *,
    actor: User,
    iop: Iop | None = None,
    iup: Iup | None = None,
    section: IopSubject | None = None,
    subject: str = "",
    text: str = "",
) -> Goal:
    """A new goal in an IOP (in SECTION, or social/general) or in an IUP
    (in SUBJECT, or a social goal). An IOP goal without TEXT starts empty (the
    form shows a placeholder; :func:`iop.checks.iop_flags` keeps a plan with an
    empty goal from being published); an IUP goal gets "New goal"."""
    plan: Iop | Iup | None = iop or iup
    if plan is None or (iop is not None and iup is not None):
        raise ValueError("A goal belongs to exactly one plan.")
    _require(actor, Action.EDIT, plan.pupil)
    _require_plan_editable(plan)
    if section is not None and (iop is None or section.iop_id != iop.pk):
        raise PermissionDenied
    last = plan.goals.aggregate(n=Max("order"))["n"]
    default_text = "" if iop is not None else _("New goal")
    goal = Goal(
        iop=iop,
        iup=iup,
        section=section,
        subject=subject.strip()[:100] if iup is not None else "",
        text=text.strip() or default_text,
        order=0 if last is None else last + 1,
    )
    return _save(goal, actor)


IUP_GOAL_FIELDS = ("text", "subject")


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, version: int, data: Mapping[str, Any]) -> Goal:
    _require(actor, Action.EDIT, goal.plan.pupil)
    _require_plan_editable(goal.plan)
    fields = IUP_GOAL_FIELDS if goal.iup_id else GOAL_FIELDS
    current = _merged(Goal, goal.pk, version=version, actor=actor, data=data, fields=fields)
    _bump(current)
    return _save(current, actor)


#: How many competence aims one goal may carry.
MAX_AIMS_PER_GOAL = 20


@transaction.atomic
def goal_aims_update(
    *, actor: User, goal: Goal, add: CompetenceAim | None = None, remove: CompetenceAim | None = None
) -> None:
    """Attach the competence aim ADD to an IOP goal and/or detach REMOVE. The
    goal's text version is left alone, so an open edit of the text stays valid;
    the goal's history records the aims attached (simple-history m2m_fields)."""
    _require(actor, Action.EDIT, goal.plan.pupil)
    _require_plan_editable(goal.plan)
    if not goal.iop_id:
        raise PermissionDenied
    Goal.objects.select_for_update().filter(pk=goal.pk).first()
    goal._history_user = actor  # type: ignore[attr-defined]  # the goal's history records the change
    if remove is not None:
        goal.competence_aims.remove(remove)
    if add is not None:
        if goal.competence_aims.count() >= MAX_AIMS_PER_GOAL:
            raise ValidationError(_("A goal can have at most %(n)s competence aims.") % {"n": MAX_AIMS_PER_GOAL})
        goal.competence_aims.add(add)


@transaction.atomic
def goal_use_suggestion(*, actor: User, goal: Goal, text: str, criteria: Mapping[str, str]) -> Goal:
    """Copy a læringsbank suggestion (TEXT and CRITERIA) into an IOP goal for editing."""
    _require(actor, Action.EDIT, goal.plan.pupil)
    _require_plan_editable(goal.plan)
    if not goal.iop_id:
        raise PermissionDenied
    current = Goal.objects.select_for_update().get(pk=goal.pk)
    current.text = text
    for name in Goal.CRITERIA_FIELDS:
        setattr(current, name, criteria.get(name, ""))
    _bump(current)
    return _save(current, actor)


@transaction.atomic
def goal_use_bank_entry(*, actor: User, goal: Goal, entry: BankEntry) -> Goal:
    """Copy the læringsbank ENTRY's text and criteria into the IOP GOAL for
    editing, and count the use (entries most copied come first)."""
    saved = goal_use_suggestion(actor=actor, goal=goal, text=entry.text, criteria=entry.criteria)
    BankEntry.objects.filter(pk=entry.pk).update(uses=models.F("uses") + 1)
    return saved


def require_shareable(actor: User, goal: Goal) -> None:
    """Raise unless ACTOR may share GOAL in the læringsbank: the actor edits
    the pupil's plans (PermissionDenied), the goal is in a published IOP and
    has a competence aim (ValidationError saying which)."""
    _require(actor, Action.EDIT, goal.plan.pupil)
    if not goal.iop_id:
        raise PermissionDenied
    if goal.plan.status != Iop.Status.PUBLISHED:
        raise ValidationError(_("Only goals of a published IOP can be shared in the learning bank."))
    if not goal.competence_aims.exists():
        raise ValidationError(_("Attach a competence aim to the goal before you share it."))


@transaction.atomic
def goal_share(*, actor: User, goal: Goal, version: int) -> BankEntry:
    """Put a de-identified copy of GOAL (text and criteria, through
    ``selectors.share_preview``) in its skoleeier's læringsbank.

    VERSION is the goal's version shown with the preview the teacher
    confirmed: a goal changed since gives a ValidationError, so exactly the
    text seen is shared. Sharing the same text of the same goal again returns
    the first entry. Errors: PermissionDenied (not the pupil's plan editor,
    an IUP goal), ValidationError (draft or archived IOP, no competence aim,
    a changed goal), :class:`iop.bank.Refused` (the text still looks personal)."""
    from . import selectors

    current = Goal.objects.select_for_update().get(pk=goal.pk)
    require_shareable(actor, goal)
    if current.version != version:
        raise ValidationError(_("The goal has changed since you saw the preview. Check the text again."))
    current.iop = goal.iop
    preview = selectors.share_preview(current)
    existing = BankEntry.objects.filter(source_goal=current, text=preview.text, criteria=preview.criteria).first()
    if existing is not None:
        return existing
    entry = BankEntry(
        skoleeier_id=goal.plan.pupil.school.skoleeier_id,
        text=preview.text,
        criteria=preview.criteria,
        shared_by=actor,
        source_goal=current,
    )
    entry.full_clean()
    entry.save()
    entry.competence_aims.set(current.competence_aims.all())
    return entry


@transaction.atomic
def bank_entry_remove(*, actor: User, entry: BankEntry) -> None:
    """Remove ENTRY from the læringsbank (a coordinator of a school of its
    skoleeier; PermissionDenied otherwise). Goals copied from it keep their text."""
    if not access.managed_schools(actor).filter(skoleeier_id=entry.skoleeier_id).exists():
        raise PermissionDenied
    BankEntry.objects.filter(pk=entry.pk).delete()


@transaction.atomic
def goal_move(*, actor: User, goal: Goal, up: bool) -> None:
    """Swap the goal with its neighbour within the same list (order only;
    the text's version is left alone so nobody's open edit goes stale)."""
    _require(actor, Action.EDIT, goal.plan.pupil)
    _require_plan_editable(goal.plan)
    siblings = list(
        Goal.objects.select_for_update()
        .filter(**{goal.plan_field: goal.plan}, section_id=goal.section_id)
        .order_by("order", "created_at")
    )
    index = next(i for i, g in enumerate(siblings) if g.pk == goal.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for order, sibling in enumerate(siblings):
        if sibling.order != order:
            sibling.order = order
            sibling._history_user = actor  # type: ignore[attr-defined]
            sibling.save(update_fields=["order"])


@transaction.atomic
def goal_delete(*, actor: User, goal: Goal) -> None:
    _require(actor, Action.EDIT, goal.plan.pupil)
    _require_plan_editable(goal.plan)
    if goal.logs.exists():
        raise ValidationError(_("A goal with log entries can not be deleted."))
    _delete(goal, actor)


# --- logging over the year ------------------------------------------------------

LOG_FIELDS = ("date", "quality", "independence", "feed_forward", "self_assessment", "note", "note_internal")


@transaction.atomic
def goal_log_create(*, actor: User, goal: Goal, data: Mapping[str, Any]) -> GoalLog:
    """Log progress on GOAL (a date not in the future, inside an IOP's period;
    levels and/or text). Raises ``PermissionDenied`` for a faglærer on a
    goal of a subject they do not teach the pupil (:func:`access.may_log_in`),
    ``ValidationError`` for an empty entry or a date outside the period."""
    _require_log_in(actor, goal.plan.pupil, goal.subject_name)
    _require_plan_editable(goal.plan)
    entry = GoalLog(goal=goal, author=actor)
    _apply(entry, data, LOG_FIELDS)
    if not any(
        [
            entry.quality,
            entry.independence,
            entry.feed_forward.strip(),
            entry.self_assessment.strip(),
            entry.note.strip(),
        ]
    ):
        raise ValidationError(_("Write something or choose a level before saving."))
    if entry.date > timezone.localdate():
        raise ValidationError({"date": _("The date can not be in the future.")})
    plan = goal.plan
    if isinstance(plan, Iop) and entry.date < plan.period_start:
        first = date_format(plan.period_start, "SHORT_DATE_FORMAT")
        raise ValidationError({"date": _("The plan's period starts on %(first)s.") % {"first": first}})
    return _save(entry, actor)


@transaction.atomic
def teaching_log_create(*, actor: User, section: IopSubject, data: Mapping[str, Any]) -> TeachingLog:
    """Log hours of teaching given in SECTION's subject (årstimer of 60
    minutes) over a period inside the IOP's period and not after today.
    Raises ``ValidationError`` on ``period_start`` / ``period_end``."""
    _require_log_in(actor, section.iop.pupil, section.subject)
    _require_editable(section.iop)
    entry = TeachingLog(section=section, author=actor)
    _apply(entry, data, ("period_start", "period_end", "hours", "note"))
    _require_within(entry.period_start, entry.period_end, section.iop.period_start, section.iop.period_end)
    _require_given(entry)
    _require_possible(entry)
    return _save(entry, actor)


def _require_given(entry: TeachingLog) -> None:
    """Refuse hours logged for days still to come: only teaching given counts."""
    if entry.period_end is not None and entry.period_end > timezone.localdate():
        raise ValidationError(
            {"period_end": _("Hours can only be logged for teaching given: choose a date no later than today.")}
        )


#: The most hours of teaching a day holds (årstimer of 60 minutes): hours
#: logged beyond this for each day of the period are a typing mistake.
TEACHING_HOURS_PER_DAY_MAX = 10


def _require_possible(entry: TeachingLog) -> None:
    """Refuse more hours than the period holds: at most
    :data:`TEACHING_HOURS_PER_DAY_MAX` for each of its days (both ends counted)."""
    start, end = entry.period_start, entry.period_end
    if start is None or end is None or entry.hours is None or end < start:
        return
    days = (end - start).days + 1
    most = days * TEACHING_HOURS_PER_DAY_MAX
    if entry.hours > most:
        raise ValidationError(
            {
                "hours": ngettext(
                    "At most %(most)s hours for a period of %(days)s day (%(per_day)s a day): check the hours.",
                    "At most %(most)s hours for a period of %(days)s days (%(per_day)s a day): check the hours.",
                    days,
                )
                % {"most": most, "days": days, "per_day": TEACHING_HOURS_PER_DAY_MAX}
            }
        )


def _require_author(actor: User, entry: TeachingLog) -> None:
    """Only the one who logged the teaching changes or deletes it (others read it)."""
    _require(actor, Action.LOG, entry.section.iop.pupil)
    if entry.author_id != actor.pk:
        raise PermissionDenied


@transaction.atomic
def teaching_log_update(*, actor: User, entry: TeachingLog, data: Mapping[str, Any]) -> TeachingLog:
    """Correct ACTOR's own teaching log (subject, period, hours in årstimer of
    60 minutes, note). The period stays inside the IOP's period (as when
    logged). Raises ``PermissionDenied`` for another's log, ``ValidationError``
    for an archived IOP or a period outside the plan's."""
    _require_author(actor, entry)
    _require_editable(entry.section.iop)
    section = data.get("section") or entry.section
    if section.iop_id != entry.section.iop_id:
        raise ValidationError({"section": _("Choose a subject of this IOP.")})
    if section.pk != entry.section_id:
        _require_log_in(actor, entry.section.iop.pupil, section.subject)
    entry.section = section
    _apply(entry, data, ("period_start", "period_end", "hours", "note"))
    iop = entry.section.iop
    _require_within(entry.period_start, entry.period_end, iop.period_start, iop.period_end)
    _require_given(entry)
    _require_possible(entry)
    return _save(entry, actor)


@transaction.atomic
def teaching_log_delete(*, actor: User, entry: TeachingLog) -> None:
    """Delete ACTOR's own teaching log (its history keeps what it said).
    Raises ``PermissionDenied`` for another's log, ``ValidationError`` for an archived IOP."""
    _require_author(actor, entry)
    _require_editable(entry.section.iop)
    _delete(entry, actor)


def _require_within(
    start: datetime.date | None, end: datetime.date | None, first: datetime.date, last: datetime.date
) -> None:
    """Refuse a period (START..END, either may be missing) reaching outside FIRST..LAST.

    Used where the rule is plain: an IOP covers (part of) its school year (one
    plan per pupil and school year, opplæringslova § 11-10), and hours of
    teaching are logged against the plan only within the plan's period.
    Raises ``ValidationError`` on ``period_start`` / ``period_end``.
    """
    params = {"first": date_format(first, "SHORT_DATE_FORMAT"), "last": date_format(last, "SHORT_DATE_FORMAT")}
    message = _("Choose a date from %(first)s to %(last)s.")
    errors = {}
    if start is not None and not first <= start <= last:
        errors["period_start"] = ValidationError(message, code="outside_period", params=params)
    if end is not None and not first <= end <= last:
        errors["period_end"] = ValidationError(message, code="outside_period", params=params)
    if errors:
        raise ValidationError(errors)


# --- access log and grants ---------------------------------------------------------


# Which of a reader's roles at the pupil's school the log names, first found first.
_ROLE_ORDER = (
    StaffMembership.Role.KOORDINATOR,
    StaffMembership.Role.REKTOR,
    StaffMembership.Role.KONTAKTLAERER,
    StaffMembership.Role.FAGLAERER,
    StaffMembership.Role.PPT,
    StaffMembership.Role.VIKAR,
)


def reader_role(actor: User, pupil: Pupil) -> str:
    """The role ACTOR reads PUPIL's data in: a :class:`StaffMembership.Role`
    value at the pupil's school, ``"guardian"`` for a guardian who is not staff
    there, else ``""``. No query when the actor's access profile is already
    read (it is, once a view has resolved the pupil through ``access``)."""
    prof = access.profile(actor)
    for role in _ROLE_ORDER:
        if pupil.school_id in prof.roles.get(role, frozenset()):
            return role
    return AccessLogEntry.GUARDIAN if prof.is_guardian else ""


def log_read(
    *,
    actor: User,
    pupil: Pupil,
    kind: str,
    object_id: Any,
    purpose: str = AccessLogEntry.Purpose.READ,
) -> AccessLogEntry:
    """Record that ACTOR read PUPIL's confidential data: KIND (an
    :class:`AccessLogEntry.Kind` value) with id OBJECT_ID (a UUID), for PURPOSE
    (an :class:`AccessLogEntry.Purpose` value), now. One INSERT; entries are
    never changed; deleted only by the retention job (append-only, see
    :class:`AccessLogEntry` and :mod:`iop.retention`).

    Every read path of a pupil's confidential data calls this (or
    :func:`log_reads`) after resolving the record through the access layer:
    the data controller must be able to show who has read personal data
    (GDPR art. 5(2) and art. 32).
    """
    return AccessLogEntry.objects.create(
        pupil=pupil,
        user=actor,
        role=reader_role(actor, pupil),
        kind=kind,
        object_id=object_id,
        purpose=purpose,
    )


def log_reads(
    *, actor: User, reads: Iterable[tuple[Pupil, str, Any]], purpose: str = AccessLogEntry.Purpose.READ
) -> list[AccessLogEntry]:
    """Record many reads at once (a ZIP file, a page about several pupils):
    READS are ``(pupil, kind, object_id)``; one INSERT for all of them (none
    when READS is empty). Otherwise as :func:`log_read`."""
    now = timezone.now()
    entries = [
        AccessLogEntry(
            pupil=pupil,
            user=actor,
            role=reader_role(actor, pupil),
            kind=kind,
            object_id=object_id,
            purpose=purpose,
            at=now,
        )
        for pupil, kind, object_id in reads
    ]
    return AccessLogEntry.objects.bulk_create(entries) if entries else []


def vikar_candidates(pupil: Pupil) -> models.QuerySet[User]:
    """Substitutes of the pupil's school (who may be given read access)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__school_id=pupil.school_id,
            memberships__role=StaffMembership.Role.VIKAR,
            memberships__active=True,
        )
        .order_by("full_name", "pk")
        .distinct()
    )


MAX_GRANT_DAYS = 366


@transaction.atomic
def vikar_grant(*, actor: User, pupil: Pupil, user: User, until: datetime.date, reason: str = "") -> Any:
    """Give a substitute read access to the pupil's plans until the end of UNTIL."""
    _require(actor, Action.MANAGE, pupil)
    if not vikar_candidates(pupil).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("Choose a substitute at the pupil's school.")})
    today = timezone.localdate()
    if until < today:
        raise ValidationError({"until": _("The date has passed. Choose today or a later date.")})
    if until > today + datetime.timedelta(days=MAX_GRANT_DAYS):
        raise ValidationError({"until": _("Access can be given for at most one year at a time.")})
    return access.grant_pupil_access(
        pupil=pupil, user=user, granted_by=actor, expires_at=end_of_day(until), reason=reason.strip()
    )


@transaction.atomic
def vikar_revoke(*, actor: User, pupil: Pupil, user: User) -> int:
    _require(actor, Action.MANAGE, pupil)
    return access.revoke_pupil_access(pupil=pupil, user=user)


# --- IUP --------------------------------------------------------------------------------

IUP_FIELDS = ("talk_date", "school_contribution", "pupil_contribution", "guardian_contribution", "agreements")
ASSESSMENT_FIELDS = ("level", "text")
SELF_ASSESSMENT_FIELDS = ("self_level", "self_text")
IUP_SETTINGS_FIELDS = (
    "use_goals",
    "use_assessments",
    "use_self_assessment",
    "use_planning",
    "use_agreements",
    "scale",
    "subjects",
    "written_year_levels",
)


def iup_settings_for(school: School) -> IupSettings:
    """The school's IUP form: its saved settings or the defaults of its country."""
    try:
        return IupSettings.objects.get(school=school)
    except IupSettings.DoesNotExist:
        return IupSettings.defaults_for(school)


@transaction.atomic
def iup_settings_update(*, actor: User, school: School, version: int, data: Mapping[str, Any]) -> IupSettings:
    """The rektor chooses the IUP form of the school (at a Norwegian school
    the coordinator may too: :func:`students.access.iup_form_schools`). A
    Swedish school's form with written IUPs keeps the parts a written IUP
    always holds (:data:`iop.models.WRITTEN_IUP_PARTS`)."""
    if not access.iup_form_schools(actor).filter(pk=school.pk).exists():
        raise PermissionDenied
    settings_row = IupSettings.objects.select_for_update().filter(school=school).first()
    if settings_row is None:
        if version not in (0, 1):
            raise EditConflict(IupSettings.defaults_for(school))
        settings_row = IupSettings.defaults_for(school)
        _apply(settings_row, data, IUP_SETTINGS_FIELDS)
    else:
        concurrency.merge(settings_row, version=version, actor=actor, data=data, fields=IUP_SETTINGS_FIELDS)
        _bump(settings_row)
    settings_row.written_year_levels = sorted({int(n) for n in settings_row.written_year_levels or []})
    if len(settings_row.scale_steps()) < 2:
        raise ValidationError({"scale": _("The scale needs at least two steps, one per line.")})
    if len(settings_row.scale_steps()) > 10:
        raise ValidationError({"scale": _("The scale can have at most ten steps.")})
    if not settings_row.parts():
        raise ValidationError(_("Choose at least one part of the form."))
    swedish = Skoleeier.objects.filter(schools=school, country=Skoleeier.Country.SE).exists()
    if swedish and settings_row.written_year_levels:
        required = {
            f"use_{part}": _(
                "A written IUP always holds this part (skollagen 10 kap. 13 §): it can not be switched off."
            )
            for part in WRITTEN_IUP_PARTS
            if not getattr(settings_row, f"use_{part}")
        }
        if required:
            raise ValidationError(required)
    settings_row.updated_at = timezone.now()
    return _save(settings_row, actor)


def _current_enrolment(pupil: Pupil, year: SchoolYear) -> Enrolment | None:
    return (
        Enrolment.objects.open_on()
        .filter(pupil=pupil, group__school_year=year)
        .select_related("group")
        .order_by("group__kind", "group__name")
        .first()
    )


def _taught_subjects(pupil: Pupil, year: SchoolYear) -> list[str]:
    return list(
        TeachingAssignment.objects.filter(
            group__enrolments__pupil=pupil, group__school_year=year, role=TeachingAssignment.Role.FAGLAERER
        )
        .order_by("subject")
        .values_list("subject", flat=True)
        .distinct()
    )


@transaction.atomic
def iup_create(*, actor: User, pupil: Pupil, school_year: SchoolYear | None = None) -> Iup:
    """A new IUP for the pupil this school year, in the school's form: the
    written IUP for Swedish pupils in year levels without grades, otherwise
    the IUP (Norway: every pupil, the Steinkjer model). With assessments in
    the form, it gets a row per subject of the form and per subject taught.

    Idempotent: when the pupil has a live IUP for the year already (a double
    submit), that IUP is returned unchanged."""
    _require(actor, Action.EDIT, pupil)
    school = School.objects.select_related("skoleeier").get(pk=pupil.school_id)
    if school_year is None:
        today = timezone.localdate()
        school_year = SchoolYear.objects.filter(school=school, start__lte=today, end__gte=today).first()
        if school_year is None:
            raise ValidationError(_("No school year of the pupil's school covers today's date."))
    elif school_year.school_id != school.pk:
        raise PermissionDenied
    _lock_pupil(pupil.pk)
    live = Iup.objects.filter(pupil=pupil, school_year=school_year).exclude(status=Iup.Status.ARCHIVED).first()
    if live is not None:
        return live
    form = iup_settings_for(school)
    enrolment = _current_enrolment(pupil, school_year)
    level = enrolment.group.year_level if enrolment else None
    written = school.skoleeier.country == "SE" and level in (form.written_year_levels or [])
    parts = form.parts()
    if written:  # whatever a form saved before says, a written IUP holds these parts
        parts = [p for p in IupSettings.Part.values if p in parts or p in WRITTEN_IUP_PARTS]
    iup = Iup(
        pupil=pupil,
        school_year=school_year,
        kind=Iup.Kind.WRITTEN if written else Iup.Kind.DEVELOPMENT,
        parts=parts,
        scale=form.scale_steps(),
        created_by=actor,
    )
    _save(iup, actor)
    if iup.uses(IupSettings.Part.ASSESSMENTS):
        subjects: list[str] = []
        for name in [*form.subject_list(), *_taught_subjects(pupil, school_year)]:
            if name.strip() and name.strip().lower() not in {s.lower() for s in subjects}:
                subjects.append(name.strip())
        for order, name in enumerate(subjects):
            _save(IupAssessment(iup=iup, subject=name[:100], order=order, updated_by=actor), actor)
    return iup


def _require_iup_editable(iup: Iup) -> None:
    if not iup.is_editable:
        raise ValidationError(_("An archived IUP can not be changed."))


@transaction.atomic
def iup_update(*, actor: User, iup: Iup, version: int, data: Mapping[str, Any]) -> Iup:
    _require(actor, Action.EDIT, iup.pupil)
    current = concurrency.locked(Iup, iup.pk)
    _require_iup_editable(current)
    concurrency.merge(current, version=version, actor=actor, data=data, fields=IUP_FIELDS)
    if current.talk_date and not current.school_year.contains(current.talk_date):
        raise ValidationError(
            {
                "talk_date": _("The talk must be in the plan's school year (%(start)s–%(end)s).")
                % {"start": short(current.school_year.start), "end": short(current.school_year.end)}
            }
        )
    _bump(current)
    return _save(current, actor)


@transaction.atomic
def iup_publish(*, actor: User, iup: Iup, version: int, seen: str | None = None) -> Iup:
    """Publish (or re-publish) the IUP: the guardians read this content from
    now on (kept as a numbered :class:`IupVersion`; later edits reach them at
    the next publication), and :data:`iop.signals.plan_published` is sent
    after the commit. Refused when nothing changed since the last publication.
    EditConflict as :func:`iop_publish` (VERSION, SEEN)."""
    _require(actor, Action.EDIT, iup.pupil)
    current = _locked(Iup, iup.pk, version, actor)
    _require_iup_editable(current)
    content = published.load_iup_snapshot(current)  # read once: what is checked is what is kept
    _require_seen(current, seen, content)
    problems = checks.iup_problems(current)
    if problems:
        raise ValidationError(problems)
    if unchanged_since_published(current, content):
        raise ValidationError(str(NOTHING_TO_PUBLISH))
    current.status = Iup.Status.PUBLISHED
    current.published_at = timezone.now()
    _bump(current)
    _save(current, actor)
    number = (current.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    IupVersion.objects.create(
        iup=current,
        number=number,
        published_at=current.published_at,
        published_by=actor,
        snapshot=content,
    )
    _announce_published(current, actor, number)
    return current


@transaction.atomic
def iup_archive(*, actor: User, iup: Iup, version: int) -> Iup:
    _require(actor, Action.EDIT, iup.pupil)
    current = _locked(Iup, iup.pk, version, actor)
    if current.status == Iup.Status.DRAFT:
        raise ValidationError(_("A draft can not be archived; publish it first."))
    current.status = Iup.Status.ARCHIVED
    _bump(current)
    return _save(current, actor)


def may_assess_subject(actor: User, pupil: Pupil, subject: str) -> bool:
    """Who may write the assessment of SUBJECT: whoever edits the pupil's
    plans (kontaktlærer, coordinator, shared write), or a subject teacher
    (faglærer) of the pupil in that subject (:func:`students.access.may_log_in`)."""
    return access.may_log_in(actor, pupil, subject, general=False)


@transaction.atomic
def assessment_update(
    *, actor: User, assessment: IupAssessment, version: int, data: Mapping[str, Any]
) -> IupAssessment:
    """Save the teacher's assessment of a subject and/or the pupil's
    self-assessment (entered by the teacher with the pupil), on the plan's scale."""
    iup = assessment.iup
    if not may_assess_subject(actor, iup.pupil, assessment.subject):
        raise PermissionDenied
    _require_iup_editable(iup)
    current = concurrency.locked(IupAssessment, assessment.pk)
    fields: tuple[str, ...] = ASSESSMENT_FIELDS
    if iup.uses(IupSettings.Part.SELF_ASSESSMENT):
        fields += SELF_ASSESSMENT_FIELDS
    concurrency.merge(current, version=version, actor=actor, data=data, fields=fields)
    steps = len(iup.scale)
    for name in ("level", "self_level"):
        value = getattr(current, name)
        if value is not None and not 1 <= value <= steps:
            raise ValidationError({name: _("Choose a step on the scale.")})
    current.updated_by = actor
    _bump(current)
    return _save(current, actor)


def open_appeal_obstacle(sender: Any, *, pupil: Pupil, **kwargs: Any) -> str | None:
    """Why PUPIL may not be archived yet: an appeal against one of the
    pupil's decisions has no final outcome (forvaltningsloven §§ 28–34; the
    case goes on after the pupil leaves). One query."""
    if Appeal.objects.filter(vedtak__pupil=pupil, final_outcome="").exists():
        return str(
            _(
                "An appeal against a decision for the pupil is still open: record its outcome before archiving "
                "the pupil."
            )
        )
    return None


def connect_archive_check() -> None:
    """Let :func:`students.services.pupil_archive` ask about open appeals."""
    from students.signals import pupil_archive_requested

    pupil_archive_requested.connect(open_appeal_obstacle, sender=Pupil, dispatch_uid="iop-open-appeal")


# --- criteria templates -------------------------------------------------------

CRITERIA_TEMPLATE_FIELDS = Goal.CRITERIA_FIELDS


def criteria_template_for(school: School) -> CriteriaTemplate:
    """The school's criteria template: its saved row, or an unsaved one (all
    fields empty, so :meth:`CriteriaTemplate.texts` gives the built-in defaults)."""
    try:
        return CriteriaTemplate.objects.get(school=school)
    except CriteriaTemplate.DoesNotExist:
        return CriteriaTemplate(school=school, version=0)


@transaction.atomic
def criteria_template_update(*, actor: User, school: School, version: int, data: Mapping[str, Any]) -> CriteriaTemplate:
    """The coordinator (or rector) of SCHOOL writes its criteria templates
    (DATA: {criteria field: text}, an empty text meaning the built-in default).
    PermissionDenied unless ACTOR manages SCHOOL; EditConflict when somebody
    else changed a field ACTOR changed since VERSION (0: no row was saved yet)."""
    if not access.managed_schools(actor).filter(pk=school.pk).exists():
        raise PermissionDenied
    row = CriteriaTemplate.objects.select_for_update().filter(school=school).first()
    if row is None:
        if version not in (0, 1):
            raise EditConflict(CriteriaTemplate(school=school))
        row = CriteriaTemplate(school=school)
        _apply(row, data, CRITERIA_TEMPLATE_FIELDS)
    else:
        concurrency.merge(row, version=version, actor=actor, data=data, fields=CRITERIA_TEMPLATE_FIELDS)
        _bump(row)
    for name in CRITERIA_TEMPLATE_FIELDS:
        setattr(row, name, (getattr(row, name) or "").strip())
    return _save(row, actor)


def criteria_filled(data: Mapping[str, Any], texts: Mapping[str, str], axis: str) -> dict[str, Any]:
    """DATA (a goal's form values) with the empty criteria of AXIS ("quality",
    "independence" or "all") filled from TEXTS ({criteria field: text}, see
    :meth:`CriteriaTemplate.texts`); written criteria are never replaced.
    ValueError for another AXIS. Pure."""
    if axis not in (*CriteriaTemplate.AXES, "all"):
        raise ValueError(axis)
    filled = dict(data)
    for name in Goal.CRITERIA_FIELDS:
        if (axis == "all" or name.startswith(f"{axis}_")) and not (filled.get(name) or "").strip():
            filled[name] = texts.get(name, "")
    return filled
