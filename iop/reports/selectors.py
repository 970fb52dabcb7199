"""Reads for reports and batches, filtered through the access layer and
preloaded so that each page (and each PDF) runs a fixed number of queries.

Who reads what:

* staff who see the pupil read the pupil's reports, drafts included;
* a guardian (and anyone seeing the pupil only as a guardian) reads only
  *published* reports of their own child, and never internal notes;
* batches belong to a school: only its coordinators and principals see them.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from iop import charts
from iop import published as iop_published
from iop import selectors as iop_selectors
from iop.models import EnkeltvedtakSubject, Goal, GoalLog, Iop, IopSubject, IopVersion, Level
from iop.selectors import aims_queryset
from students import access
from students.access import Action, Relation
from students.models import Enrolment, Pupil, PupilTransfer, School, User

from .models import Report, ReportBatch, ReportBatchItem, ReportGoal, ReportSubject

AnyUser = User | AnonymousUser
# The four levels, in this app's catalog too so reports never depend on another catalog.
LEVEL_LABELS = {
    Level.BEGINNER: _("Beginner level"),
    Level.DEVELOPING: _("Developing"),
    Level.COMPETENT: _("Competent"),
    Level.EXCELLENT: _("Excellent"),
}


def guardian_only(pupil: Pupil) -> bool:
    """True when the requesting user sees PUPIL only as a guardian."""
    relations = access.relations_of(pupil)
    return Relation.GUARDIAN in relations and not (relations - {Relation.GUARDIAN})


def _resolve_report(user: AnyUser, pk: uuid.UUID | str, action: Action, qs: QuerySet[Report]) -> Report:
    try:
        report = qs.filter(pupil__in=access.pupils_for(user, Action.VIEW)).get(pk=pk)
    except (Report.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    pupil = access.get_pupil(
        user, report.pupil_id, action, queryset=Pupil.objects.select_related("school__skoleeier"), chain=True
    )
    if guardian_only(pupil) and not report.is_published:
        raise Http404
    report.pupil = pupil
    return report


def written_at(report: Report) -> School | None:
    """The school where REPORT was written, when the pupil has moved to another
    school since (the report is then the former school's, kept in the pupil's
    file as archive); None when it was written at the pupil's school. One query."""
    move = (
        PupilTransfer.objects.filter(pupil_id=report.pupil_id, made_at__gt=report.created_at)
        .exclude(from_school_id=F("to_school_id"))
        .select_related("from_school")
        .order_by("made_at")
        .first()
    )
    if move is None or move.from_school_id == report.pupil.school_id:
        return None
    return move.from_school


def report_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> Report:
    """The report PK if USER may see it (404 otherwise; 403 when visible but
    ACTION is not allowed, and for any ACTION but VIEW on a report the
    pupil's former school wrote: :func:`written_at`, archive, read-only for
    everyone). Guardians see published reports only."""
    qs = Report.objects.select_related("iop__school_year", "iop__vedtak", "finalised_by", "published_by")
    report = _resolve_report(user, pk, action, qs)
    if action != Action.VIEW and written_at(report) is not None:
        raise PermissionDenied
    return report


def iop_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> Iop:
    """The IOP PK for its PDF or for making a report (guardians: not drafts)."""
    try:
        iop = (
            Iop.objects.select_related("school_year", "vedtak")
            .filter(pupil__in=access.pupils_for(user, Action.VIEW))
            .get(pk=pk)
        )
    except (Iop.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    pupil = access.get_pupil(user, iop.pupil_id, action, queryset=Pupil.objects.select_related("school"), chain=True)
    if guardian_only(pupil) and iop.status == Iop.Status.DRAFT:
        raise Http404
    iop.pupil = pupil
    return iop


# --- the report document ------------------------------------------------------------


@dataclass
class GoalRow:
    goal: Goal
    logs: list[GoalLog]
    masters: str = ""
    text_id: int | None = None
    start_quality: int | None = None
    start_independence: int | None = None
    latest_quality: int | None = None
    latest_independence: int | None = None
    start_date: datetime.date | None = None
    latest_date: datetime.date | None = None
    feed_forward: str = ""
    self_assessment: str = ""
    chart: SafeString | None = None

    @staticmethod
    def label(level: int | None) -> str:
        return str(LEVEL_LABELS[Level(level)]) if level else ""

    @property
    def start_quality_label(self) -> str:
        return self.label(self.start_quality)

    @property
    def start_independence_label(self) -> str:
        return self.label(self.start_independence)

    @property
    def latest_quality_label(self) -> str:
        return self.label(self.latest_quality)

    @property
    def latest_independence_label(self) -> str:
        return self.label(self.latest_independence)

    @property
    def latest_quality_criterion(self) -> str:
        return getattr(self.goal, f"quality_{self.latest_quality}", "") if self.latest_quality else ""

    @property
    def latest_independence_criterion(self) -> str:
        return getattr(self.goal, f"independence_{self.latest_independence}", "") if self.latest_independence else ""

    @property
    def has_levels(self) -> bool:
        return bool(self.latest_quality or self.latest_independence)


@dataclass
class SubjectRow:
    section: IopSubject | None
    goals: list[GoalRow]
    planned_hours: int | None = None
    granted_hours: int | None = None
    given_hours: Decimal | None = None
    organisation_used: str = ""
    text_id: int | None = None

    @property
    def name(self) -> str:
        return self.section.subject if self.section else ""


@dataclass
class ReportDocument:
    iop: Iop
    pupil: Pupil
    period_start: datetime.date
    period_end: datetime.date
    subjects: list[SubjectRow]
    general: SubjectRow
    groups: list[str]
    report: Report | None = None
    today: datetime.date = field(default_factory=timezone.localdate)
    #: The former school that wrote the report, when it is archive (:func:`written_at`).
    written_at: School | None = None
    #: Goals of the live plan left out because the guardians have not been
    #: shown them (``published_only``): added since the IOP was last published.
    unpublished_goals: int = 0

    @property
    def goals(self) -> list[GoalRow]:
        return [g for s in [*self.subjects, self.general] for g in s.goals]

    @property
    def total_planned(self) -> int:
        return sum(s.planned_hours or 0 for s in self.subjects)

    @property
    def total_granted(self) -> int | None:
        """The hours of the enkeltvedtak in all subjects (årstimer), or None
        when the decision gives no subject hours."""
        granted = [s.granted_hours for s in self.subjects if s.granted_hours is not None]
        return sum(granted) if granted else None

    @property
    def total_given(self) -> Decimal:
        return sum((s.given_hours or Decimal(0) for s in self.subjects), Decimal(0))

    @property
    def school(self) -> Any:
        """The school that writes the report: the former one for an archive report."""
        return self.written_at or self.pupil.school

    @property
    def has_aims(self) -> bool:
        """Whether a goal has curriculum aims attached (the document then names
        the source of the curriculum data). Reads the prefetched aims only."""
        return any(g.goal.competence_aims.all() for g in self.goals)


def _goal_row(goal: Goal, logs: list[GoalLog], *, chart: bool, plain: bool = False) -> GoalRow:
    row = GoalRow(goal=goal, logs=logs)
    quality = [e for e in logs if e.quality]
    independence = [e for e in logs if e.independence]
    if quality:
        row.start_quality, row.latest_quality = quality[0].quality, quality[-1].quality
    if independence:
        row.start_independence, row.latest_independence = independence[0].independence, independence[-1].independence
    dated = [e.date for e in quality + independence]
    if dated:
        row.start_date, row.latest_date = min(dated), max(dated)
    row.feed_forward = next((e.feed_forward for e in reversed(logs) if e.feed_forward.strip()), "")
    row.self_assessment = next((e.self_assessment for e in reversed(logs) if e.self_assessment.strip()), "")
    if chart:
        row.chart = charts.progression_svg(logs, title=goal.text, plain=plain)
    return row


def groups_of(pupil: Pupil, day: datetime.date) -> list[str]:
    rows = (
        Enrolment.objects.open_on(day)
        .filter(Q(start__isnull=True) | Q(start__lte=day))
        .filter(pupil=pupil, group__school_year__start__lte=day, group__school_year__end__gte=day)
        .values_list("group__name", flat=True)
    )
    return sorted(rows)


def build_document(
    iop: Iop,
    pupil: Pupil,
    period_start: datetime.date,
    period_end: datetime.date,
    *,
    report: Report | None = None,
    chart: bool = True,
    plain: bool = False,
    published: bool | IopVersion = False,
    published_only: bool = False,
) -> ReportDocument:
    """Everything a report (or the IOP PDF) shows, in a fixed number of queries.
    Internal notes are never read; goal logs after PERIOD_END or before the
    IOP's own period are left out (a log from before the plan is not its
    start level); hours given are :func:`iop.selectors.hours_given` within
    the report's period.

    With PUBLISHED (the IOP PDF a guardian downloads) the plan's texts,
    sections and goals are those of its last published version
    (:mod:`iop.published`; the live plan when it has none), with the goals'
    logs as logged; hours given are then not counted (the PDF does not show them).
    PUBLISHED may name one :class:`~iop.models.IopVersion` of IOP: that version
    is shown (the archive export keeps every published version).

    With PUBLISHED_ONLY (every report: :func:`report_document`) the live plan
    is read, but only its goals and sections that are in the IOP's last
    published version (:func:`iop.published.published_ids`, one query): a
    report goes to the guardians and reports on the plan as it was published
    to them, never on a goal that exists only in the teachers' unpublished
    draft. A goal published and edited since shows its live text (as the
    report's own texts on it were written against it); a goal published and
    deleted since is gone with its row (only a goal without logs can be
    deleted); an IOP never published gives no goals. Filtering here, where
    the report is read and rendered, rather than when its texts are made,
    covers a draft made before the goal was published or made before this
    rule, and the archive PDF rendered when the report is finalised: a
    report's text on a left-out goal is kept but not shown. The goals left
    out are counted in ``unpublished_goals`` (for the staff's note)."""
    left_out = 0
    logs_qs = GoalLog.objects.filter(date__gte=iop.period_start, date__lte=period_end).order_by("date", "created_at")
    if isinstance(published, IopVersion):
        shown: iop_published.PublishedIop | None = iop_published.apply_iop_version(iop, published)
    else:
        shown = iop_published.published_iop(iop) if published else None
    if shown is not None:
        sections = shown.sections
        for section in sections:
            section.given = None  # type: ignore[attr-defined]
        goals = shown.goals
        iop_published.attach_logs(goals, logs_qs)
    else:
        sections = list(
            iop_selectors.hours_given(IopSubject.objects.filter(iop=iop), within=(period_start, period_end))
            .annotate(given=F("hours_given"))
            .order_by("order", "subject")
        )
        goals = list(
            Goal.objects.filter(iop=iop)
            .select_related("section")
            .prefetch_related(
                Prefetch("logs", queryset=logs_qs),
                Prefetch("competence_aims", queryset=aims_queryset().order_by("code")),
            )
            .order_by("order", "created_at")
        )
        if published_only and (ids := iop_published.published_ids(iop)) is not None:
            kept = [g for g in goals if str(g.pk) in ids.goals]
            left_out = len(goals) - len(kept)
            goals = kept
            sections = [s for s in sections if str(s.pk) in ids.sections]
    granted = {s.subject.strip().lower(): s.hours for s in EnkeltvedtakSubject.objects.filter(vedtak_id=iop.vedtak_id)}
    goal_texts: dict[Any, ReportGoal] = {}
    subject_texts: dict[Any, ReportSubject] = {}
    if report is not None and report.pk:
        goal_texts = {t.goal_id: t for t in ReportGoal.objects.filter(report=report)}
        subject_texts = {t.section_id: t for t in ReportSubject.objects.filter(report=report)}
    rows: dict[Any, list[GoalRow]] = {}
    for goal in goals:
        row = _goal_row(goal, list(goal.logs.all()), chart=chart, plain=plain)
        text = goal_texts.get(goal.pk)
        if text is not None:
            row.masters, row.text_id = text.masters, text.pk
        rows.setdefault(goal.section_id, []).append(row)
    subjects = []
    for section in sections:
        srow = SubjectRow(
            section=section,
            goals=rows.get(section.pk, []),
            planned_hours=section.hours,
            granted_hours=granted.get(section.subject.strip().lower()),
            given_hours=section.given,  # type: ignore[attr-defined]
        )
        stext = subject_texts.get(section.pk)
        if stext is not None:
            srow.organisation_used, srow.text_id = stext.organisation_used, stext.pk
        subjects.append(srow)
    return ReportDocument(
        iop=iop,
        pupil=pupil,
        period_start=period_start,
        period_end=period_end,
        subjects=subjects,
        general=SubjectRow(section=None, goals=rows.get(None, [])),
        groups=groups_of(pupil, min(period_end, timezone.localdate())),
        report=report,
        unpublished_goals=left_out,
    )


def report_document(report: Report, *, chart: bool = True, plain: bool = False) -> ReportDocument:
    """REPORT as everyone reads it – staff, guardians, its archive PDF – on
    the goals of the IOP as published (``published_only``: see :func:`build_document`).
    PLAIN: the charts name the levels in a guardian's words."""
    doc = build_document(
        report.iop,
        report.pupil,
        report.period_start,
        report.period_end,
        report=report,
        chart=chart,
        plain=plain,
        published_only=True,
    )
    doc.written_at = written_at(report)
    return doc


# --- the pupil page -----------------------------------------------------------------


@dataclass
class PupilReports:
    pupil: Pupil
    reports: list[Report]
    iops: list[Iop]
    can_edit: bool
    missing: list[tuple[Iop, str, Any]]  # (iop, kind, label) a draft can be made for


def pupil_reports(pupil: Pupil) -> PupilReports | None:
    """The pupil's reports (guardians: published only) and IOP PDFs (2 queries;
    1 for staff when :func:`iop.selectors.pupil_plans` has read the IOPs)."""
    if not access.offers_chain(pupil):  # IOPs and årsrapporter are the Norwegian chain's
        return None
    allowed: frozenset[Action] = getattr(pupil, "allowed", frozenset())
    guardian = guardian_only(pupil)
    reports_qs = Report.objects.filter(pupil=pupil).select_related("iop__school_year").order_by("-period_end", "kind")
    iops_qs = Iop.objects.filter(pupil=pupil).select_related("school_year").order_by("-period_start")
    if guardian:
        reports_qs = reports_qs.filter(status=Report.Status.PUBLISHED)
        iops_qs = iops_qs.exclude(status=Iop.Status.DRAFT)
    reports = list(reports_qs)
    read = None if guardian else getattr(pupil, "plan_iops", None)  # read by the plans section before
    iops = list(iops_qs) if read is None else sorted(read, key=lambda i: i.period_start, reverse=True)
    if not reports and not iops:
        return None
    can_edit = Action.EDIT in allowed
    missing: list[tuple[Iop, str, Any]] = []
    if can_edit:
        have = {(r.iop_id, r.kind) for r in reports}
        for iop in iops:
            if iop.status == Iop.Status.PUBLISHED:
                missing += [(iop, k, label) for k, label in Report.Kind.choices if (iop.pk, k) not in have]
    return PupilReports(pupil=pupil, reports=reports, iops=iops, can_edit=can_edit, missing=missing)


# --- batches --------------------------------------------------------------------------


def active_iops(school_id: int, school_year_id: int) -> QuerySet[Iop]:
    """IOPs a drafts batch covers: published IOPs of the school year at the school."""
    return Iop.objects.filter(
        pupil__school_id=school_id, school_year_id=school_year_id, status=Iop.Status.PUBLISHED
    ).select_related("pupil")


def batches_for(user: AnyUser, limit: int = 20) -> list[ReportBatch]:
    schools = access.managed_schools(user, chain=True)
    terminal = Q(items__status__in=ReportBatchItem.TERMINAL)
    return list(
        ReportBatch.objects.filter(school__in=schools)
        .select_related("school", "school_year", "created_by")
        .annotate(total=Count("items"), finished=Count("items", filter=terminal))
        .order_by("-created_at")[:limit]
    )


def batch_for(user: AnyUser, pk: uuid.UUID | str) -> ReportBatch:
    try:
        return ReportBatch.objects.select_related("school", "school_year", "created_by").get(
            pk=pk, school__in=access.managed_schools(user, chain=True)
        )
    except (ReportBatch.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


@dataclass
class Progress:
    batch: ReportBatch
    total: int
    counts: dict[str, int]
    failed: list[ReportBatchItem]
    items: list[ReportBatchItem]

    @property
    def finished(self) -> int:
        return sum(self.counts.get(s, 0) for s in ReportBatchItem.TERMINAL)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.finished / self.total)

    @property
    def done(self) -> int:
        return self.counts.get(ReportBatchItem.Status.DONE, 0)

    @property
    def skipped(self) -> int:
        return self.counts.get(ReportBatchItem.Status.SKIPPED, 0)


def batch_progress(batch: ReportBatch, *, with_items: bool = True) -> Progress:
    """Counts per status and the items (failed first) in two queries."""
    counts = dict(ReportBatchItem.objects.filter(batch=batch).values_list("status").annotate(n=Count("pk")).order_by())
    items: list[ReportBatchItem] = []
    if with_items:
        items = list(
            ReportBatchItem.objects.filter(batch=batch)
            .select_related("pupil", "report")
            .order_by("pupil__last_name", "pupil__first_name", "pk")
        )
    return Progress(
        batch=batch,
        total=sum(counts.values()),
        counts=counts,
        failed=[i for i in items if i.status == ReportBatchItem.Status.FAILED],
        items=items,
    )


def finalised_reports(school_id: int, school_year_id: int, kind: str) -> QuerySet[Report]:
    return Report.objects.filter(
        pupil__school_id=school_id,
        iop__school_year_id=school_year_id,
        kind=kind,
        status__in=(Report.Status.FINALISED, Report.Status.PUBLISHED),
    ).select_related("pupil")


def pupils_of(items: Iterable[ReportBatchItem]) -> list[Pupil]:
    return [i.pupil for i in items]
