"""Reads for the chain's pages, filtered through the access layer and
preloaded so that each page runs a fixed number of SQL queries.

Who reads what (on top of :mod:`students.access`):

* staff with a working relation to the pupil (teachers, coordinator, PPT,
  shared access) read every document, drafts and internal notes included —
  except that a substitute with read access only (vikar) does not read the
  expert assessment;
* a guardian reads only completed assessments, made decisions and published
  (or archived) IOPs and IUPs of their own child, and never internal notes.

The IUP's KPI read for ``followup`` is :func:`iups_for_school_year`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import DecimalField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from curriculum.models import CompetenceAim
from students import access
from students.access import Action, Relation
from students.models import Enrolment, GuardianLink, Pupil, SchoolYear, StaffMembership, TeachingAssignment, User

from . import bank, charts, checks, history, published, rebase
from .models import (
    CONSENT_AGE,
    AccessLogEntry,
    AdvanceNotice,
    Appeal,
    BankEntry,
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
)

M = TypeVar("M", bound=models.Model)
AnyUser = User | AnonymousUser
WORK_ACTIONS = frozenset({Action.EDIT, Action.LOG, Action.MANAGE, Action.ASSESS, Action.ARCHIVE})


def guardian_only(pupil: Pupil) -> bool:
    """True when the user sees PUPIL only as a guardian (published documents only)."""
    relations = access.relations_of(pupil)
    return Relation.GUARDIAN in relations and not (relations - {Relation.GUARDIAN})


def consenting_guardians(pupil: Pupil) -> QuerySet[User]:
    """The users who may consent on behalf of PUPIL: the pupil's current
    guardians with parental responsibility, by name."""
    return User.objects.filter(
        guardian_links__pupil=pupil, guardian_links__parental_responsibility=True, guardian_links__ended_at__isnull=True
    ).order_by("full_name", "pk")


@dataclass(frozen=True)
class VedtakLetter:
    """Who a decision letter goes to and who signs it (forvaltningsloven § 27).

    ``to``: the names of the parties, the guardians with parental
    responsibility and, from the age of :data:`~iop.models.CONSENT_AGE` on
    the letter's date, the pupil; ``signer`` and ``signer_title``: the
    person who made the decision and their role at the pupil's school
    (empty while it is a draft)."""

    to: list[str]
    signer: str
    signer_title: str
    #: The made decisions this one replaces (:func:`replaced_vedtak`).
    replaces: list[Enkeltvedtak] = field(default_factory=list)


def vedtak_letter(vedtak: Enkeltvedtak, on: datetime.date) -> VedtakLetter:
    """The addressees and the signature of VEDTAK's letter dated ON (two queries)."""
    pupil = vedtak.pupil
    to = list(consenting_guardians(pupil).values_list("full_name", flat=True))
    if pupil.age_on(on) >= CONSENT_AGE:
        to.insert(0, pupil.full_name)
    signer, title = "", ""
    if vedtak.is_made and vedtak.made_by is not None:
        signer = vedtak.made_by.full_name
        roles = set(
            StaffMembership.objects.filter(user=vedtak.made_by, school_id=pupil.school_id, active=True).values_list(
                "role", flat=True
            )
        )
        for role in (StaffMembership.Role.REKTOR, StaffMembership.Role.KOORDINATOR, *StaffMembership.Role):
            if role in roles:
                title = str(StaffMembership.Role(role).label)
                break
    return VedtakLetter(to=to, signer=signer, signer_title=title, replaces=replaced_vedtak(vedtak))


def replaced_vedtak(vedtak: Enkeltvedtak) -> list[Enkeltvedtak]:
    """The made decisions of VEDTAK's pupil that VEDTAK replaces from its
    ``valid_from``: those whose validity overlaps VEDTAK's, made before it
    (every made one while VEDTAK is a draft), oldest first. A made vedtak
    never changes; a change is a new decision, which says what it replaces
    (forvaltningsloven § 35, opplæringslova § 11-6). One query."""
    older = Enkeltvedtak.objects.filter(
        pupil_id=vedtak.pupil_id,
        status=Enkeltvedtak.Status.MADE,
        valid_from__lte=vedtak.valid_to,
        valid_to__gte=vedtak.valid_from,
    ).exclude(pk=vedtak.pk)
    if vedtak.is_made and vedtak.made_on is not None:
        older = older.filter(
            Q(made_on__lt=vedtak.made_on) | Q(made_on=vedtak.made_on, created_at__lt=vedtak.created_at)
        )
    return list(older.order_by("made_on", "created_at"))


def works_with(pupil: Pupil) -> bool:
    """True when the user works with the pupil (not only reads)."""
    return bool(WORK_ACTIONS & pupil.allowed)  # type: ignore[attr-defined]


def may_read_vurdering(pupil: Pupil) -> bool:
    return works_with(pupil) or guardian_only(pupil)


def resolve(
    user: AnyUser, queryset: QuerySet[M], pk: uuid.UUID | str, pupil_path: str = "pupil", *, chain: bool = True
) -> tuple[M, Pupil]:
    """The record PK from QUERYSET if the user may see its pupil (else 404),
    with the pupil resolved through the access layer (``pupil.allowed``).
    A record of the Norwegian chain (CHAIN, the default: every record but
    the IUP's) is 404 for a pupil whose school has no such chain.

    The record is read by its key alone and its pupil then resolved by
    :func:`students.access.get_pupil`, which answers 404 for a pupil the user
    does not see: the same answer as filtering the record by the visible
    pupils, with the access query built once instead of twice."""
    try:
        obj = queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    *path, last = pupil_path.split("__")
    holder: Any = obj
    for part in path:
        holder = getattr(holder, part)
    return obj, access.get_pupil(user, getattr(holder, f"{last}_id"), Action.VIEW, chain=chain)


def require(pupil: Pupil, action: Action) -> None:
    """403 when the user sees the record but may not do ACTION (checked after
    the record's own visibility, so that hidden records stay 404)."""
    if action not in pupil.allowed:  # type: ignore[attr-defined]
        raise PermissionDenied


# --- documents --------------------------------------------------------------------


def vurdering_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> SakkyndigVurdering:
    qs = SakkyndigVurdering.objects.select_related("author").prefetch_related("subjects")
    sv, pupil = resolve(user, qs, pk)
    if not may_read_vurdering(pupil) or (guardian_only(pupil) and sv.is_draft):
        raise Http404
    require(pupil, action)
    sv.pupil = pupil
    return sv


def mark_decisions(sv: SakkyndigVurdering, vedtak: Iterable[Enkeltvedtak]) -> None:
    """Set on SV what its pages offer about a decision, from VEDTAK (decisions
    of the pupil, newest first where more than one is made):
    ``draft_decision`` (a decision from SV being drafted: continued, not
    begun again), ``made_decision`` (the newest made from SV) and ``decided``
    (one is made: no second is offered). No query."""
    from_sv = [v for v in vedtak if v.vurdering_id == sv.pk]
    sv.draft_decision = next((v for v in from_sv if not v.is_made), None)  # type: ignore[attr-defined]
    sv.made_decision = next((v for v in from_sv if v.is_made), None)  # type: ignore[attr-defined]
    sv.decided = sv.made_decision is not None  # type: ignore[attr-defined]


def with_decisions(sv: SakkyndigVurdering) -> SakkyndigVurdering:
    """SV with :func:`mark_decisions` from its own decisions (one query)."""
    mark_decisions(sv, sv.enkeltvedtak.order_by("-made_on", "-created_at"))
    return sv


def vedtak_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> Enkeltvedtak:
    qs = Enkeltvedtak.objects.select_related("vurdering", "made_by").prefetch_related(
        "subjects", "vurdering__subjects", "appeals", "advance_notices__comments"
    )
    vedtak, pupil = resolve(user, qs, pk)
    # A guardian reads a draft once it is shared for comment (forhåndsvarsel, fvl § 16).
    if guardian_only(pupil) and not vedtak.is_made and not vedtak.advance_notices.all():
        raise Http404
    require(pupil, action)
    vedtak.pupil = pupil
    return vedtak


def appeal_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.MANAGE) -> Appeal:
    """An appeal in the register, for staff who work with the pupil (a
    guardian or a reader who does not: 404, as for a missing one)."""
    appeal, pupil = resolve(user, Appeal.objects.select_related("vedtak"), pk, "vedtak__pupil")
    if not works_with(pupil):
        raise Http404
    require(pupil, action)
    appeal.vedtak.pupil = pupil
    return appeal


def iop_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> Iop:
    iop, pupil = resolve(user, Iop.objects.select_related("vedtak", "school_year"), pk)
    if guardian_only(pupil) and iop.status == Iop.Status.DRAFT:
        raise Http404
    require(pupil, action)
    iop.pupil = pupil
    return iop


def section_for(user: AnyUser, pk: uuid.UUID | str, action: Action) -> IopSubject:
    section, pupil = resolve(user, IopSubject.objects.select_related("iop"), pk, "iop__pupil")
    if guardian_only(pupil) and section.iop.status == Iop.Status.DRAFT:
        raise Http404
    require(pupil, action)
    section.iop.pupil = pupil
    return section


def goal_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> Goal:
    """A goal of an IOP or an IUP, resolved through its plan's pupil."""
    qs = Goal.objects.select_related("iop__school_year", "iop__vedtak", "iup__school_year", "section")
    try:
        goal = qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    plan = goal.plan
    # 404 for a pupil the user does not see, and for an IOP's goal where there is no chain.
    pupil = access.get_pupil(user, plan.pupil_id, Action.VIEW, chain=goal.iop_id is not None)
    if guardian_only(pupil) and plan.status == Iop.Status.DRAFT:
        raise Http404
    require(pupil, action)
    plan.pupil = pupil
    return goal


def iup_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> Iup:
    iup, pupil = resolve(user, Iup.objects.select_related("school_year"), pk, chain=False)
    if guardian_only(pupil) and iup.status == Iup.Status.DRAFT:
        raise Http404
    require(pupil, action)
    iup.pupil = pupil
    return iup


def assessment_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.LOG) -> IupAssessment:
    assessment, pupil = resolve(
        user, IupAssessment.objects.select_related("iup__school_year"), pk, "iup__pupil", chain=False
    )
    if guardian_only(pupil) and assessment.iup.status == Iup.Status.DRAFT:
        raise Http404
    require(pupil, action)
    assessment.iup.pupil = pupil
    return assessment


# --- the IOP page -----------------------------------------------------------------


def aims_queryset() -> QuerySet[CompetenceAim]:
    """A goal's competence aims as the pages show them: code, text, year levels, replacement."""
    return CompetenceAim.objects.select_related("aim_set", "curriculum", "replaced_by").defer(
        "search_vector", "replaced_by__search_vector"
    )


def _aims() -> Prefetch:
    return Prefetch("competence_aims", queryset=aims_queryset().order_by("code"))


def _logs() -> QuerySet[GoalLog]:
    return GoalLog.objects.select_related("author").order_by("date", "created_at")


#: How many of a goal's latest log entries a plan page reads (for the small
#: progression chart and the latest status: the newest of these with a level);
#: the goal's own page reads them all.
PLAN_PAGE_LOGS = 12


def _recent_logs(n: int = PLAN_PAGE_LOGS) -> QuerySet[GoalLog]:
    """The latest N log entries of each goal (in date order), without their
    authors: what a plan page needs, bounded however long a goal is logged."""
    recent = Window(RowNumber(), partition_by=F("goal_id"), order_by=(F("date").desc(), F("created_at").desc()))
    return (
        GoalLog.objects.annotate(recent=recent)
        .filter(recent__lte=n)
        .only(
            "id",
            "goal_id",
            "date",
            "quality",
            "independence",
            "note",
            "note_internal",
            "feed_forward",
            "self_assessment",
            "created_at",
        )
        .order_by("date", "created_at")
    )


def goal_place(goal: Goal) -> tuple[bool, bool]:
    """(first, last): whether GOAL is the first and the last of its list (its
    IOP section, the IOP's general goals or the IUP's goals), in one query."""
    order = list(
        Goal.objects.filter(**{goal.plan_field: goal.plan}, section_id=goal.section_id)
        .order_by("order", "created_at")
        .values_list("pk", flat=True)
    )
    return (bool(order) and order[0] == goal.pk, bool(order) and order[-1] == goal.pk)


# --- hours of teaching given -----------------------------------------------------------

HOURS_FIELD = DecimalField(max_digits=9, decimal_places=1)


def counted_teaching_logs(*, within: tuple[datetime.date, datetime.date] | None = None) -> QuerySet[TeachingLog]:
    """The teaching logs that count as hours given (see :func:`hours_given`)."""
    logs = TeachingLog.objects.filter(
        period_start__gte=F("section__iop__period_start"),
        period_end__lte=F("section__iop__period_end"),
    )
    if within is not None:
        logs = logs.filter(period_start__gte=within[0], period_start__lte=within[1])
    return logs


def hours_given(
    sections: QuerySet[IopSubject], *, within: tuple[datetime.date, datetime.date] | None = None
) -> QuerySet[IopSubject]:
    """SECTIONS, each annotated with ``hours_given``: the teaching given in the
    subject, a ``Decimal`` in årstimer (hours of 60 minutes, the unit of the
    enkeltvedtak's scope, opplæringslova § 11-6), ``Decimal("0")`` when none.

    The one rule for hours given, read by the IOP page, the reports (and the
    IOP PDF) and the key figures, so that they agree:

    * a teaching log counts only when its whole period lies inside the IOP's
      period (``IopSubject.iop.period_start`` .. ``period_end``); a log
      outside it (the plan's period was changed after logging) counts nowhere;
    * with WITHIN ``(first, last)`` (a report's period), only logs that begin
      on a day from FIRST to LAST count, so a week is counted in one report.

    One subquery per row; no extra query."""
    total = (
        counted_teaching_logs(within=within)
        .filter(section=OuterRef("pk"))
        .order_by()
        .values("section")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return sections.annotate(
        hours_given=Coalesce(Subquery(total, output_field=HOURS_FIELD), Value(0), output_field=HOURS_FIELD)
    )


def teaching_log_for(
    user: AnyUser, pk: uuid.UUID | str, action: Action = Action.LOG, *, own: bool = False
) -> TeachingLog:
    """A teaching log the user may do ACTION on (404 when its pupil is hidden,
    403 when seen without ACTION, and with OWN when another person logged it:
    only the author corrects or deletes a log)."""
    qs = TeachingLog.objects.select_related("section__iop__school_year", "author")
    entry, pupil = resolve(user, qs, pk, "section__iop__pupil")
    require(pupil, action)
    if own and entry.author_id != user.pk:
        raise PermissionDenied
    entry.section.iop.pupil = pupil
    return entry


def teaching_logs(iop: Iop) -> list[IopSubject]:
    """IOP's subjects, each with ``hours_given`` (:func:`hours_given`) and
    ``log_list``: every teaching log of the subject, oldest first, each with
    ``counted`` (False when it lies outside the plan's period). Three queries."""
    sections = list(hours_given(IopSubject.objects.filter(iop=iop)).order_by("order", "subject"))
    counted = set(counted_teaching_logs().filter(section__iop=iop).values_list("pk", flat=True))
    logs = TeachingLog.objects.filter(section__iop=iop).select_related("author").order_by("period_start", "created_at")
    by_section: dict[Any, list[TeachingLog]] = {}
    for entry in logs:
        entry.counted = entry.pk in counted  # type: ignore[attr-defined]
        by_section.setdefault(entry.section_id, []).append(entry)
    for section in sections:
        section.log_list = by_section.get(section.pk, [])  # type: ignore[attr-defined]
    return sections


@dataclass
class SectionView:
    section: IopSubject | None
    goals: list[Goal]
    granted_hours: int | None = None

    @property
    def key(self) -> str:
        return str(self.section.pk) if self.section else "general"


@dataclass
class IopPage:
    iop: Iop
    pupil: Pupil
    sections: list[SectionView]
    flags: list[checks.Flag]
    versions: list[IopVersion]
    can_edit: bool
    can_log: bool
    internal: bool
    unpublished_since: datetime.datetime | None = None  # staff: the live plan differs from the one published then
    newer_vedtak: Enkeltvedtak | None = None  # staff: a newer vedtak the plan should move onto (iop.rebase)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def checklist(self) -> list[checks.Flag]:
        """The flags for the page's checklist: a newer vedtak has its own
        section on the page (what changed, the move), so it is not listed twice."""
        return checks.on_iop_page(self.flags) if self.newer_vedtak is not None else self.flags

    @property
    def newer_vedtak_changes(self) -> list[rebase.VedtakChange]:
        """What the newer vedtak changes against the plan's (subjects loaded; no queries)."""
        return rebase.changes(self.iop.vedtak, self.newer_vedtak) if self.newer_vedtak is not None else []


def _shown_to_guardians(entry: GoalLog) -> bool:
    """Whether ENTRY, its internal note blanked, still says something a
    guardian may read (a level, feed-forward, self-assessment or a note)."""
    return bool(entry.quality or entry.independence or entry.note.strip() or entry.feed_forward.strip()) or bool(
        entry.self_assessment.strip()
    )


def _decorate_goal(goal: Goal, internal: bool) -> None:
    logs = list(goal.logs.all())
    if not internal:
        for entry in logs:
            if entry.note_internal:
                entry.note = ""
        # An entry that held only an internal note is not shown at all: an
        # empty row would tell that something was written.
        logs = [entry for entry in logs if _shown_to_guardians(entry)]
    goal.log_list = logs  # type: ignore[attr-defined]
    goal.latest = next((e for e in reversed(logs) if e.quality or e.independence), None)  # type: ignore[attr-defined]
    goal.flags = checks.goal_flags(goal) if internal else []  # type: ignore[attr-defined]
    goal.chart = charts.progression_svg(logs, title=goal.text, small=True, plain=not internal)  # type: ignore[attr-defined]


def group_goals(iop: Iop, sections: Sequence[IopSubject], goals: list[Goal]) -> list[SectionView]:
    granted = {s.subject.strip().lower(): s.hours for s in iop.vedtak.subjects.all()}
    views = [
        SectionView(
            section=s,
            goals=[g for g in goals if g.section_id == s.pk],
            granted_hours=granted.get(s.subject.strip().lower()),
        )
        for s in sections
    ]
    views.append(SectionView(section=None, goals=[g for g in goals if g.section_id is None]))
    return views


def iop_page(user: AnyUser, pk: uuid.UUID | str, *, read_mode: bool = False) -> IopPage:
    """Everything the IOP page shows, in a fixed number of queries. A guardian
    reads the last published version (:mod:`iop.published`); staff read the
    live plan, with ``unpublished_since`` set when it differs from that version."""
    iop = iop_for(user, pk)
    pupil = iop.pupil
    internal = not guardian_only(pupil)
    vedtak_subjects = list(EnkeltvedtakSubject.objects.filter(vedtak_id=iop.vedtak_id))
    iop.vedtak._prefetched_objects_cache = {"subjects": vedtak_subjects}  # type: ignore[attr-defined]
    if not internal:
        shown = published.published_iop(iop)
        if shown is not None:
            published.attach_logs(shown.goals, _recent_logs())
            for goal in shown.goals:
                _decorate_goal(goal, False)
            iop._prefetched_objects_cache = {"sections": shown.sections}  # type: ignore[attr-defined]
            return IopPage(
                iop=iop,
                pupil=pupil,
                sections=group_goals(iop, shown.sections, shown.goals),
                flags=[],
                versions=[],
                can_edit=False,
                can_log=False,
                internal=False,
            )
    sections = list(hours_given(IopSubject.objects.filter(iop=iop)).order_by("order", "subject"))
    goals = list(
        Goal.objects.filter(iop=iop)
        .select_related("section")
        .prefetch_related(Prefetch("logs", queryset=_recent_logs()), _aims())
        .order_by("order", "created_at")
    )
    for goal in goals:
        _decorate_goal(goal, internal)
    versions: list[IopVersion] = []
    unpublished_since = None
    if internal:
        deviations = checks.deviations_by_section(iop, sections)
        for goal in goals:
            goal.aim_flags = checks.aim_flags(goal, deviations.get(goal.section_id, ""))  # type: ignore[attr-defined]
        versions = list(iop.versions.select_related("published_by").order_by("number"))
        if versions and iop.status == Iop.Status.PUBLISHED:
            # The same snapshot (a plan not changed since) needs no line-by-line comparison.
            live, shown = published.iop_snapshot(iop, sections, goals), versions[-1].snapshot
            if live != shown and history.snapshot_lines(live) != history.snapshot_lines(shown):
                unpublished_since = versions[-1].published_at
    iop._prefetched_objects_cache = {"sections": sections, "goals": goals}  # type: ignore[attr-defined]
    allowed = pupil.allowed  # type: ignore[attr-defined]
    can_edit = Action.EDIT in allowed and iop.is_editable and not read_mode
    newer = rebase.newer_vedtak(iop) if internal and iop.is_editable else None
    return IopPage(
        iop=iop,
        pupil=pupil,
        sections=group_goals(iop, sections, goals),
        flags=checks.iop_flags(iop, newer) if internal else [],
        versions=versions,
        can_edit=can_edit,
        can_log=Action.LOG in allowed and iop.is_editable,
        internal=internal,
        unpublished_since=unpublished_since,
        newer_vedtak=newer,
    )


def section_goals(plan: Iop | Iup, section: IopSubject | None) -> SectionView:
    """The goals of one list of PLAN: an IOP section (or its general goals), or an IUP's goals."""
    goals = list(
        plan.goals.filter(section=section)
        .select_related("section")
        .prefetch_related(Prefetch("logs", queryset=_recent_logs()), _aims())
        .order_by("order", "created_at")
    )
    for goal in goals:
        _decorate_goal(goal, True)
    if isinstance(plan, Iop):
        deviations = _section_deviations(plan, section)
        for goal in goals:
            goal.aim_flags = checks.aim_flags(goal, deviations)  # type: ignore[attr-defined]
    return SectionView(section=section, goals=goals)


def goal_reading(iop: Iop, pk: uuid.UUID | str) -> Goal:
    """Goal PK of IOP as the IOP page shows it to staff (reading text, aims,
    criteria, latest status and chart, flags): one goal of
    :func:`section_goals`, in a fixed number of queries. Goal.DoesNotExist
    when IOP has no such goal."""
    goal = (
        iop.goals.filter(pk=pk)
        .select_related("section")
        .prefetch_related(Prefetch("logs", queryset=_recent_logs()), _aims())
        .get()
    )
    _decorate_goal(goal, True)
    goal.aim_flags = checks.aim_flags(goal, _section_deviations(iop, goal.section))  # type: ignore[attr-defined]
    return goal


def _section_deviations(iop: Iop, section: IopSubject | None) -> str:
    """The vedtak's deviations from the curriculum for SECTION's subject (one query)."""
    if section is None:
        return ""
    line = (
        EnkeltvedtakSubject.objects.filter(vedtak_id=iop.vedtak_id, subject__iexact=section.subject.strip())
        .values_list("curriculum_deviations", flat=True)
        .first()
    )
    return line or ""


def goal_with_aims(goal: Goal) -> Goal:
    """GOAL with its competence aims loaded and its aim flags set (IOP goals)."""
    aims = list(aims_queryset().filter(goals=goal).order_by("code"))
    cache = getattr(goal, "_prefetched_objects_cache", {})
    cache["competence_aims"] = aims
    goal._prefetched_objects_cache = cache  # type: ignore[attr-defined]
    return goal


def _published_goal(plan: Iop | Iup, pk: uuid.UUID | str) -> Goal | None:
    """The goal PK as PLAN was last published (unsaved, logs and aims loaded),
    or None when the published plan has no such goal. A plan without a
    published version answers None too (the caller reads the live goal)."""
    if isinstance(plan, Iop):
        shown_iop = published.published_iop(plan)
        goals = shown_iop.goals if shown_iop else None
    else:
        shown_iup = published.published_iup(plan)
        goals = shown_iup.goals if shown_iup else None
    if goals is None:
        return None
    goal = next((g for g in goals if str(g.pk) == str(pk)), None)
    if goal is None:
        raise Http404
    return goal


def _deleted_goal_plan(user: AnyUser, pk: uuid.UUID | str) -> Iop | Iup:
    """The plan a deleted goal PK belonged to (from the goal's history), resolved
    through the access layer; Http404 when there is none or the user may not see it."""
    try:
        row = Goal.history.filter(id=pk).order_by("-history_date").values("iop_id", "iup_id").first()
    except (ValueError, ValidationError):
        row = None
    if row is None:
        raise Http404
    if row["iop_id"]:
        return iop_for(user, row["iop_id"])
    return iup_for(user, row["iup_id"])


def goal_page(user: AnyUser, pk: uuid.UUID | str) -> Goal:
    """A goal with its log and chart. A guardian reads the goal as its plan
    was last published: a goal added since is 404, one deleted since is still
    shown (with its logs) until the plan is published again."""
    try:
        goal = goal_for(user, pk)
    except Http404:
        plan = _deleted_goal_plan(user, pk)
        shown = _published_goal(plan, pk) if guardian_only(plan.pupil) else None
        if shown is None:
            raise
        goal = shown
    else:
        plan = goal.plan
        if guardian_only(plan.pupil):
            goal = _published_goal(plan, pk) or goal
    internal = not guardian_only(plan.pupil)
    if goal._state.adding:
        goal.iop, goal.iup = (plan, None) if isinstance(plan, Iop) else (None, plan)  # type: ignore[assignment]
        published.attach_logs([goal], _logs())
        logs = list(goal.logs.all())
    else:
        logs = list(_logs().filter(goal=goal))
        goal._prefetched_objects_cache = {"logs": logs}  # type: ignore[attr-defined]
        goal_with_aims(goal)
    _decorate_goal(goal, internal)
    if internal and goal.iop_id:
        goal.aim_flags = checks.aim_flags(goal, _section_deviations(goal.plan, goal.section))  # type: ignore[attr-defined, arg-type]
    goal.chart = charts.progression_svg(logs, title=goal.text, plain=not internal)  # type: ignore[attr-defined]
    return goal


# --- the pupil page section -------------------------------------------------------


def _latest(field_name: str) -> Subquery:
    return Subquery(
        GoalLog.objects.filter(goal=OuterRef("pk"), **{f"{field_name}__isnull": False})
        .order_by("-date", "-created_at")
        .values(field_name)[:1]
    )


@dataclass
class PupilPlans:
    pupil: Pupil
    vurderinger: list[SakkyndigVurdering]
    vedtak: list[Enkeltvedtak]
    iops: list[Iop]
    flags: list[checks.Flag]
    current: Iop | None
    internal: bool
    can_assess: bool
    can_manage: bool
    can_edit: bool
    can_log: bool
    #: Whether the pupil's school has the Norwegian chain; without it only
    #: the links to substitute access and the access log are shown.
    chain: bool = True


def pupil_plans(pupil: Pupil) -> PupilPlans | None:
    """The pupil's chain for the pupil page (PUPIL resolved by get_pupil).
    For a pupil whose school has no Norwegian chain: no records, only the
    coordinator's links (no queries)."""
    allowed: frozenset[Action] = getattr(pupil, "allowed", frozenset())
    if not access.offers_chain(pupil):
        if Action.MANAGE not in allowed:
            return None
        return PupilPlans(
            pupil=pupil,
            vurderinger=[],
            vedtak=[],
            iops=[],
            flags=[],
            current=None,
            internal=True,
            can_assess=False,
            can_manage=True,
            can_edit=Action.EDIT in allowed,
            can_log=Action.LOG in allowed,
            chain=False,
        )
    internal = not guardian_only(pupil)
    vurderinger: list[SakkyndigVurdering] = []
    if may_read_vurdering(pupil):
        sv_qs = SakkyndigVurdering.objects.filter(pupil=pupil).prefetch_related("subjects")
        if not internal:
            sv_qs = sv_qs.filter(status=SakkyndigVurdering.Status.COMPLETED)
        vurderinger = list(sv_qs)
    sv_by_id = {sv.pk: sv for sv in vurderinger}
    # A draft shared with the parties for comment (forhåndsvarsel, fvl § 16) is
    # listed to the guardians too, as "for comment": they are asked to read it.
    vedtak_qs = (
        Enkeltvedtak.objects.filter(pupil=pupil)
        .annotate(for_comment=Exists(AdvanceNotice.objects.filter(vedtak_id=OuterRef("pk"))))
        .prefetch_related("subjects")
    )
    if not internal:
        vedtak_qs = vedtak_qs.filter(Q(status=Enkeltvedtak.Status.MADE) | Q(for_comment=True))
    elif works_with(pupil):  # the appeal register, for staff who work with the pupil
        vedtak_qs = vedtak_qs.prefetch_related("appeals")
    vedtak: list[Enkeltvedtak] = list(vedtak_qs)
    missing_sv = {v.vurdering_id for v in vedtak} - set(sv_by_id)
    if missing_sv:
        for sv in SakkyndigVurdering.objects.filter(pk__in=missing_sv).prefetch_related("subjects"):
            sv_by_id[sv.pk] = sv
    register = internal and works_with(pupil)
    for v in vedtak:
        v.vurdering = sv_by_id[v.vurdering_id]
        v.appeal_rows = list(v.appeals.all()) if register else []  # type: ignore[attr-defined]
    for sv in vurderinger:
        mark_decisions(sv, vedtak)
    vedtak_by_id = {v.pk: v for v in vedtak}
    goal_qs = Goal.objects.annotate(
        latest_quality=_latest("quality"), latest_independence=_latest("independence")
    ).order_by("order", "created_at")
    iop_qs = (
        Iop.objects.filter(pupil=pupil)
        .select_related("school_year")
        .prefetch_related("sections", Prefetch("goals", queryset=goal_qs))
    )
    if not internal:
        iop_qs = iop_qs.exclude(status=Iop.Status.DRAFT)
    iops = list(iop_qs)
    if internal:  # the same IOPs the reports section lists: read once per request
        pupil.plan_iops = iops  # type: ignore[attr-defined]
    # The clear-line checks are tasks: shown to staff who can act on them
    # (manage or edit the plans), not to a reader such as a vikar.
    checked = internal and bool({Action.MANAGE, Action.EDIT} & allowed)
    flags: list[checks.Flag] = []
    for iop in iops:
        if iop.vedtak_id in vedtak_by_id:
            iop.vedtak = vedtak_by_id[iop.vedtak_id]
            newer = rebase.newest_of(iop, vedtak) if iop.is_editable else None
            iop.flags = checks.iop_flags(iop, newer, vedtak) if checked else []  # type: ignore[attr-defined]
        else:  # pragma: no cover - a published IOP always rests on a made vedtak
            iop.flags = []  # type: ignore[attr-defined]
        for goal in iop.goals.all():
            goal.flags = checks.goal_flags(goal) if checked else []  # type: ignore[attr-defined]
    for v in vedtak:
        v.flags = checks.vedtak_flags(v) if checked else []  # type: ignore[attr-defined]
    if checked:
        flags = checks.missing_iop_flags(vedtak, iops)
    live = [i for i in iops if i.status != Iop.Status.ARCHIVED]
    current = live[0] if live else None
    if current is not None and not internal:
        _published_goal_rows(current)
    if current is not None:  # each goal's subject, for the goals table (the sections are loaded)
        names = {s.pk: s.subject for s in current.sections.all()}
        for goal in current.goals.all():
            goal.subject_label = names.get(goal.section_id, "") if goal.section_id else ""  # type: ignore[attr-defined]
    if not (vurderinger or vedtak or iops or Action.ASSESS in allowed or Action.MANAGE in allowed):
        return None
    return PupilPlans(
        pupil=pupil,
        vurderinger=vurderinger,
        vedtak=vedtak,
        iops=iops,
        flags=flags,
        current=current,
        internal=internal,
        can_assess=Action.ASSESS in allowed,
        can_manage=Action.MANAGE in allowed,
        can_edit=Action.EDIT in allowed,
        can_log=Action.LOG in allowed,
    )


def _published_goal_rows(iop: Iop) -> None:
    """Replace IOP's prefetched goals with the goals as last published, with
    their latest logged levels (two or three queries; nothing without a version)."""
    shown = published.published_iop(iop)
    if shown is None:
        return
    levels: dict[Any, tuple[Any, Any]] = {
        pk: (quality, independence)
        for pk, quality, independence in Goal.objects.filter(pk__in=[g.pk for g in shown.goals])
        .annotate(latest_quality=_latest("quality"), latest_independence=_latest("independence"))
        .values_list("pk", "latest_quality", "latest_independence")
    }
    for goal in shown.goals:
        quality, independence = levels.get(goal.pk, (None, None))
        goal.latest_quality = quality  # type: ignore[attr-defined]
        goal.latest_independence = independence  # type: ignore[attr-defined]
        goal.flags = []  # type: ignore[attr-defined]
    cache = getattr(iop, "_prefetched_objects_cache", {})
    cache["goals"] = shown.goals
    iop._prefetched_objects_cache = cache  # type: ignore[attr-defined]


# --- coordinator overview ---------------------------------------------------------


@dataclass
class OverviewRow:
    pupil: Pupil
    vedtak: Enkeltvedtak | None
    iop: Iop | None
    flags: list[checks.Flag]


#: Pupils per page of the clear-line overview.
OVERVIEW_PAGE = 50


def overview(user: AnyUser, page: int | str | None = 1) -> Page[Any]:
    """One page (:data:`OVERVIEW_PAGE` pupils, by name; a PAGE past the last
    gives the last) of the pupils with individually adapted teaching
    (opplæringslova § 11-6) at the user's schools: ``object_list`` holds an
    :class:`OverviewRow` per pupil with the flags of their chain. The page's
    pupils are counted and chosen in SQL, and only their decisions, plans,
    goals and aims are read: a fixed number of queries, and memory bounded
    by the page, whatever the number of pupils."""
    pupils = access.chain_pupils(access.current(access.pupils_for(user, Action.MANAGE)))
    listed = (
        pupils.filter(Exists(Enkeltvedtak.objects.filter(pupil_id=OuterRef("pk"))))
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", flat=True)
    )
    shown: Page[Any] = Paginator(listed, OVERVIEW_PAGE).get_page(page)
    ids = list(shown.object_list)
    vedtak_qs = Enkeltvedtak.objects.select_related("vurdering").prefetch_related(
        "subjects", Prefetch("vurdering__subjects", queryset=SakkyndigVurderingSubject.objects.all())
    )
    goal_qs = Goal.objects.only("id", "iop_id", "section_id", "text").prefetch_related(_aims())
    iop_qs = (
        Iop.objects.exclude(status=Iop.Status.ARCHIVED)
        .select_related("school_year")
        .prefetch_related("sections", Prefetch("goals", queryset=goal_qs))
    )
    rows_qs = (
        Pupil.objects.filter(pk__in=ids)
        .select_related("school")
        .prefetch_related(Prefetch("enkeltvedtak", queryset=vedtak_qs), Prefetch("iops", queryset=iop_qs))
        .order_by("last_name", "first_name", "pk")
    )
    rows: list[OverviewRow] = []
    for pupil in rows_qs:
        vedtak_list = list(pupil.enkeltvedtak.all())  # type: ignore[attr-defined]
        iops = list(pupil.iops.all())  # type: ignore[attr-defined]
        by_id = {v.pk: v for v in vedtak_list}
        flags: list[checks.Flag] = []
        for v in vedtak_list:
            flags += checks.vedtak_flags(v)
        for iop in iops:
            if iop.vedtak_id in by_id:
                iop.vedtak = by_id[iop.vedtak_id]
                flags += checks.iop_flags(iop, rebase.newest_of(iop, vedtak_list), vedtak_list)
                flags += checks.iop_aim_flags(iop)
        flags += checks.missing_iop_flags(vedtak_list, iops)
        rows.append(
            OverviewRow(
                pupil=pupil, vedtak=vedtak_list[0] if vedtak_list else None, iop=iops[0] if iops else None, flags=flags
            )
        )
    shown.object_list = rows  # type: ignore[assignment]
    return shown


@dataclass
class AccessLogRow:
    """One line of "Who has read the plans": ``who`` is a name, "you", or
    "guardian" without a name; ``role`` the reader's role label or ""."""

    at: datetime.datetime
    who: str
    role: str
    kind: str
    purpose: str


#: Reads per page of "Who has read the plans".
ACCESS_LOG_PAGE = 100


def access_log(pupil: Pupil, viewer: User, *, guardian_names: bool, page: int = 1) -> Page[Any]:
    """One page (:data:`ACCESS_LOG_PAGE` reads, newest first; PAGE past the
    last gives the last) of the reads of PUPIL's data, as VIEWER may see them,
    in a fixed number of queries. Staff are named with their role; the
    viewer's own reads say "you". Guardians' reads are named only when
    GUARDIAN_NAMES (staff who manage the pupil); a guardian viewer does not
    see the other guardians' reads at all: guardians in separate households
    must not learn each other's names or habits (GDPR art. 5(1)(c)). A read
    counts as a guardian's when it was logged in that role or when its reader
    is the pupil's guardian now (entries from before roles were logged)."""
    guardians = set(GuardianLink.objects.filter(pupil=pupil).values_list("user_id", flat=True))
    as_guardian = Q(role=AccessLogEntry.GUARDIAN) | Q(role="", user_id__in=guardians)
    entries = AccessLogEntry.objects.filter(pupil=pupil).select_related("user").order_by("-at", "-pk")
    if not guardian_names:
        entries = entries.exclude(as_guardian & ~Q(user_id=viewer.pk))
    shown: Page[Any] = Paginator(entries, ACCESS_LOG_PAGE).get_page(page)
    roles = dict(StaffMembership.Role.choices)
    rows = []
    for entry in shown.object_list:
        by_guardian = entry.role == AccessLogEntry.GUARDIAN or (entry.user_id in guardians and not entry.role)
        if entry.user_id is not None and entry.user_id == viewer.pk:
            who = gettext("You")
        elif by_guardian and not guardian_names:
            who = ""
        elif entry.user is not None:
            who = entry.user.full_name or entry.user.email
        else:
            who = gettext("A deleted user")
        role = gettext("Guardian") if by_guardian else str(roles.get(entry.role, ""))
        rows.append(
            AccessLogRow(
                at=entry.at,
                who=who or role,
                role=role if who else "",
                kind=entry.get_kind_display(),
                purpose=entry.get_purpose_display(),
            )
        )
    shown.object_list = rows  # type: ignore[assignment]
    return shown


# --- IUP ------------------------------------------------------------------------------


@dataclass
class IupPage:
    iup: Iup
    pupil: Pupil
    goals: list[Goal]
    assessments: list[IupAssessment]
    problems: list[str]
    can_edit: bool
    can_log: bool
    internal: bool
    assessable: frozenset[str] | None  # subjects (lower case) the user may assess; None: all
    unpublished_since: datetime.datetime | None = None  # staff: the live plan differs from the one published then
    extra: dict[str, Any] = field(default_factory=dict)

    def may_assess(self, assessment: IupAssessment) -> bool:
        if not self.iup.is_editable or not (self.can_log or self.can_edit):
            return False
        return self.assessable is None or assessment.subject.strip().lower() in self.assessable


def _assessable_subjects(user: AnyUser, pupil: Pupil) -> frozenset[str] | None:
    """None when the user assesses every subject (edits the pupil's plans);
    else the subjects the user teaches the pupil as faglærer."""
    allowed = pupil.allowed  # type: ignore[attr-defined]
    if Action.EDIT in allowed:
        return None
    if Action.LOG not in allowed:
        return frozenset()
    today = timezone.localdate()
    rows = TeachingAssignment.objects.filter(
        Q(group__enrolments__end__isnull=True) | Q(group__enrolments__end__gte=today),
        user_id=access.profile(user).user_id,
        role=TeachingAssignment.Role.FAGLAERER,
        group__enrolments__pupil=pupil,
        group__school_year__end__gte=today,
    ).values_list("subject", flat=True)
    return frozenset(s.strip().lower() for s in rows)


def iup_page(user: AnyUser, pk: uuid.UUID | str, *, read_mode: bool = False) -> IupPage:
    """Everything the IUP page shows, in a fixed number of queries."""
    iup = iup_for(user, pk)
    pupil = iup.pupil
    internal = not guardian_only(pupil)
    if not internal:
        shown = published.published_iup(iup)
        if shown is not None:
            published.attach_logs(shown.goals, _recent_logs())
            for goal in shown.goals:
                _decorate_goal(goal, False)
            iup._prefetched_objects_cache = {"assessments": shown.assessments}  # type: ignore[attr-defined]
            return IupPage(
                iup=iup,
                pupil=pupil,
                goals=shown.goals,
                assessments=shown.assessments,
                problems=[],
                can_edit=False,
                can_log=False,
                internal=False,
                assessable=frozenset(),
            )
    goals = list(
        Goal.objects.filter(iup=iup)
        .prefetch_related(Prefetch("logs", queryset=_recent_logs()))
        .order_by("order", "created_at")
    )
    for goal in goals:
        _decorate_goal(goal, internal)
    assessments = list(IupAssessment.objects.filter(iup=iup).order_by("order", "subject"))
    for assessment in assessments:
        assessment.iup = iup
    iup._prefetched_objects_cache = {"assessments": assessments}  # type: ignore[attr-defined]
    allowed = pupil.allowed  # type: ignore[attr-defined]
    editable = iup.is_editable and not read_mode
    unpublished_since = None
    if internal and iup.status == Iup.Status.PUBLISHED:
        version = published.latest_iup_version(iup)
        live = published.iup_snapshot(iup, goals, assessments)
        if version is not None and published.iup_lines(live) != published.iup_lines(version.snapshot):
            unpublished_since = version.published_at
    return IupPage(
        iup=iup,
        pupil=pupil,
        goals=goals,
        assessments=assessments,
        problems=checks.iup_problems(iup) if internal and iup.is_editable else [],
        can_edit=Action.EDIT in allowed and editable,
        can_log=Action.LOG in allowed and editable,
        internal=internal,
        assessable=_assessable_subjects(user, pupil) if internal and editable else frozenset(),
        unpublished_since=unpublished_since,
    )


def current_school_year(pupil: Pupil, today: datetime.date | None = None) -> SchoolYear | None:
    today = today or timezone.localdate()
    return SchoolYear.objects.filter(school_id=pupil.school_id, start__lte=today, end__gte=today).first()


@dataclass
class PupilIups:
    pupil: Pupil
    iups: list[Iup]
    can_create: bool
    internal: bool


def pupil_iups(pupil: Pupil) -> PupilIups | None:
    """The pupil's IUPs for the pupil page (PUPIL resolved by get_pupil; 1 query).
    "New IUP" is offered unless a live IUP covers today; the service checks
    that a school year covers today."""
    allowed: frozenset[Action] = getattr(pupil, "allowed", frozenset())
    internal = not guardian_only(pupil)
    qs = Iup.objects.filter(pupil=pupil).select_related("school_year")
    if not internal:
        qs = qs.exclude(status=Iup.Status.DRAFT)
    iups = list(qs)
    if not internal and iups:
        latest: dict[Any, IupVersion] = {}
        for version in IupVersion.objects.filter(iup__in=[i.pk for i in iups]).order_by("number"):
            latest[version.iup_id] = version
        for item in iups:
            if item.pk in latest:
                published.apply_iup_version(item, latest[item.pk])
    today = timezone.localdate()
    can_create = Action.EDIT in allowed and not any(
        i.school_year.contains(today) and i.status != Iup.Status.ARCHIVED for i in iups
    )
    if not iups and not can_create:
        return None
    return PupilIups(pupil=pupil, iups=iups, can_create=can_create, internal=internal)


def iup_list(user: AnyUser, *, missing_only: bool = False) -> QuerySet[Pupil]:
    """Pupils the user works with, with this school year's live IUP and class
    preloaded (``current_iups``, ``current_enrolments``) – a fixed number of queries."""
    today = timezone.localdate()
    this_year = Q(school_year__start__lte=today, school_year__end__gte=today)
    iups = Iup.objects.filter(this_year).exclude(status=Iup.Status.ARCHIVED).select_related("school_year")
    enrolments = (
        Enrolment.objects.open_on(today)
        .filter(group__school_year__start__lte=today, group__school_year__end__gte=today)
        .select_related("group")
    )
    qs = (
        access.pupils_for(user, Action.LOG)
        .select_related("school")
        .prefetch_related(
            Prefetch("iups", queryset=iups, to_attr="current_iups"),
            Prefetch("enrolments", queryset=enrolments, to_attr="current_enrolments"),
        )
        .order_by("school__name", "last_name", "first_name", "pk")
    )
    if missing_only:
        live = Iup.objects.filter(this_year).exclude(status=Iup.Status.ARCHIVED).values("pupil_id")
        qs = qs.exclude(pk__in=live)
    return qs


def iups_for_school_year(
    school_ids: Iterable[int],
    school_year_ids: Iterable[int],
    *,
    user: AnyUser | None = None,
    statuses: Iterable[str] = (Iup.Status.PUBLISHED, Iup.Status.ARCHIVED),
) -> QuerySet[Iup]:
    """IUPs of pupils at SCHOOL_IDS in SCHOOL_YEAR_IDS with one of STATUSES
    (default: made and shown to the guardians), for KPIs (share of pupils
    with an IUP this year, by school and year level). With USER, only pupils
    the user may see; without it the caller has checked access (e.g.
    ``access.managed_schools``). Fields for grouping: ``pupil_id``,
    ``pupil__school_id``, ``school_year_id``, ``kind``, ``status``,
    ``talk_date``, ``published_at``."""
    qs = Iup.objects.filter(
        pupil__school_id__in=list(school_ids),
        school_year_id__in=list(school_year_ids),
        status__in=list(statuses),
    )
    if user is not None:
        qs = qs.filter(pupil__in=access.pupils_for(user, Action.VIEW))
    return qs.select_related("school_year")


def iup_form_settings(user: AnyUser) -> list[IupSettings]:
    """The IUP form of each school the user manages (saved or default)."""
    schools = list(access.managed_schools(user).select_related("skoleeier", "iup_settings").order_by("name"))
    out: list[IupSettings] = []
    for school in schools:
        try:
            out.append(school.iup_settings)  # type: ignore[attr-defined]
        except IupSettings.DoesNotExist:
            out.append(IupSettings.defaults_for(school))
    return out


# --- competence aims and the læringsbank ------------------------------------------


def pupil_year_level(pupil: Pupil, school_year: SchoolYear) -> int | None:
    """The pupil's year level in SCHOOL_YEAR (from the enrolment), if known."""
    levels = Enrolment.objects.filter(pupil=pupil, group__school_year=school_year).values_list(
        "group__year_level", flat=True
    )
    return max(levels, default=None)


#: How many læringsbank entries one goal's suggestions show.
BANK_LIMIT = 10
#: Læringsbank entries on one page of the bank's list.
BANK_PAGE = 50


def _bank_scope(goal: Goal) -> Q | None:
    """Which læringsbank entries fit GOAL: those for one of its competence
    aims, or, while it has none, those for an aim of its section's subject
    (curriculum short title or title); None for a social goal without aims."""
    aim_ids = [aim.pk for aim in goal.competence_aims.all()]
    through = BankEntry.competence_aims.through.objects
    if aim_ids:
        links = through.filter(competenceaim_id__in=aim_ids)
    elif goal.section_id and goal.section.subject.strip():  # type: ignore[union-attr]
        subject = goal.section.subject.strip()  # type: ignore[union-attr]
        links = through.filter(
            Q(competenceaim__curriculum__short_title__iexact=subject)
            | Q(competenceaim__curriculum__title__icontains=subject)
        )
    else:
        return None
    return Q(skoleeier_id=goal.plan.pupil.school.skoleeier_id, pk__in=links.values("bankentry_id"))


def bank_suggestions(goal: Goal, limit: int = BANK_LIMIT) -> list[BankEntry]:
    """Shared læringsbank entries (de-identified copies, see :mod:`iop.bank`)
    for GOAL's competence aims (while it has none: its subject's), of the
    goal's skoleeier, most copied first, at most LIMIT. Never reads another
    goal's live text."""
    scope = _bank_scope(goal)
    if scope is None:
        return []
    return list(BankEntry.objects.filter(scope).order_by("-uses", "-shared_at")[:limit])


def bank_entry_for_goal(goal: Goal, pk: uuid.UUID | str) -> BankEntry:
    """The entry PK among GOAL's suggestions (:func:`bank_suggestions`' scope); Http404 otherwise."""
    scope = _bank_scope(goal)
    if scope is None:
        raise Http404
    try:
        return BankEntry.objects.filter(scope).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def bank_entries_for(user: AnyUser) -> QuerySet[BankEntry]:
    """The læringsbank entries USER may read: those of the skoleeiere of the
    user's schools (any staff role). Guardians and strangers get none."""
    schools = access.visible_schools(user)
    return (
        BankEntry.objects.filter(skoleeier_id__in=schools.values("skoleeier_id"))
        .prefetch_related("competence_aims")
        .order_by("-shared_at")
    )


def bank_entry_for(user: AnyUser, pk: uuid.UUID | str, *, manage: bool = False) -> BankEntry:
    """One entry USER may read (Http404 otherwise, as a missing one); with
    MANAGE the user must also coordinate a school of the entry's skoleeier
    (PermissionDenied otherwise: a teacher who sees it may not remove it)."""
    try:
        entry = bank_entries_for(user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    if manage and not access.managed_schools(user).filter(skoleeier_id=entry.skoleeier_id).exists():
        raise PermissionDenied
    return entry


def bank_managed_skoleeiere(user: AnyUser) -> set[int]:
    """Ids of the skoleeiere whose læringsbank USER may remove entries from (coordinators)."""
    return set(access.managed_schools(user).values_list("skoleeier_id", flat=True))


def share_preview(goal: Goal) -> bank.Shared:
    """Exactly what sharing GOAL would put in the læringsbank: its text and
    criteria de-identified against every name the goal's skoleeier knows
    (pupils, guardians, staff of any of its schools, ended memberships too).
    Raises :class:`iop.bank.Refused` (a ValidationError) with every reason
    the text still looks personal. Four queries."""
    pupil = goal.plan.pupil
    skoleeier_id = pupil.school.skoleeier_id
    others: list[str] = [
        f"{first} {last}"
        for first, last in Pupil.objects.filter(school__skoleeier_id=skoleeier_id).values_list(
            "first_name", "last_name"
        )
    ]
    others += User.objects.filter(guardian_links__pupil__school__skoleeier_id=skoleeier_id).values_list(
        "full_name", flat=True
    )
    others += User.objects.filter(memberships__school__skoleeier_id=skoleeier_id).values_list("full_name", flat=True)
    own = [pupil.first_name, pupil.last_name]
    sensitive = bank.sensitive_words()
    words = {"pupil_word": gettext("the pupil"), "name_word": gettext("[name]")}
    problems: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    for name in ("text", *Goal.CRITERIA_FIELDS):
        try:
            values[name] = bank.deidentify(
                getattr(goal, name) or "", own_names=own, other_names=others, sensitive=sensitive, **words
            ).strip()
        except bank.Refused as refused:
            problems += [p for p in refused.problems if p not in problems]
    if problems:
        raise bank.Refused(problems)
    rows = [
        (Goal._meta.get_field(name).verbose_name, values[name])  # type: ignore[union-attr]
        for name in Goal.CRITERIA_FIELDS
        if values[name]
    ]
    return bank.Shared(values["text"], {name: values[name] for name in Goal.CRITERIA_FIELDS}, rows)
