"""Key figures (seed 001: "how do we know a change is an improvement?").

Per school and year level, for a school year and the one before:

* pupils enrolled;
* share of pupils with an IUP this year (published or archived);
* talks held per pupil this year, and the share of pupils at or above the
  target (default ≥ 4 for years 5–10, ``KPI_TALK_TARGET``);
* share of pupils whose development talk this term is done;
* hours of teaching given in the year's IOPs, in årstimer (60 minutes), by
  :func:`iop.selectors.hours_given` (the rule the IOP page and reports use),
  in the subjects of the plans in force (:func:`subjects_in_force`: the
  figure the page of individually adapted teaching sums per subject);
* årsrapporter finalised on the year's IOPs, and how many of them are
  recorded as sent to the pupil and guardians and to the school owner
  (opplæringslova § 11-10);
* per school, the time through the chain in days (median and longest, and
  how many cases): referral sent → sakkyndig vurdering completed →
  enkeltvedtak made → IOP first published (:data:`STEPS`, :func:`chain_times`;
  only IOPs published at least once count, a draft is not yet the plan;
  a step recorded before the step before it is left out and counted). Undue
  delay is a common inspection finding (forvaltningsloven § 11 a).

Each school year costs one query (talk counts and IUPs are subqueries on the
enrolment rows), the hours given one more, the årsrapporter one more and the
time through the chain one per step (aggregated in the database), so the page
runs a fixed number of queries.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from curriculum.models import year_level_label
from followup.models import Referral, Talk
from followup.talks import count_per_pupil, iup_talks
from iop import selectors as iop_selectors
from iop.models import Enkeltvedtak, Iop, IopSubject, IopVersion, Iup, SakkyndigVurdering
from iop.reports.models import Report
from students import access
from students.models import Enrolment, Pupil, School, SchoolYear

TERM_TALK_KINDS = (Talk.Kind.UTVIKLINGSSAMTALE,)
COUNTED_TALK_KINDS = (
    Talk.Kind.OPPSTARTSAMTALE,
    Talk.Kind.ELEVSAMTALE,
    Talk.Kind.MENTORSAMTALE,
    Talk.Kind.UTVIKLINGSSAMTALE,
)


def talk_target() -> tuple[int, int, int]:
    """(talks per year, from year level, to year level)."""
    target = getattr(settings, "KPI_TALK_TARGET", (4, 5, 10))
    return int(target[0]), int(target[1]), int(target[2])


def term_of(school_year: SchoolYear, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The term of SCHOOL_YEAR that DAY falls in: autumn until 31 December, then spring."""
    autumn_end = datetime.date(school_year.start.year, 12, 31)
    if day <= autumn_end:
        return school_year.start, min(autumn_end, school_year.end)
    return autumn_end + datetime.timedelta(days=1), school_year.end


@dataclass(frozen=True)
class Span:
    """The days one step of the chain took in one school and school year."""

    cases: int  # cases measured
    median: float | None  # days; the middle value, or the mean of the two middle ones (None: no case measured)
    longest: int | None  # days (None: no case measured)
    #: Cases left out because a step was recorded before the step before it
    #: (a negative number of days: bad data, not a fast case).
    excluded: int = 0


#: The steps of the chain whose time is measured: (key, label).
STEPS: tuple[tuple[str, Promise], ...] = (
    ("referral_sv", _("Referral sent → sakkyndig vurdering completed")),
    ("sv_vedtak", _("Sakkyndig vurdering completed → enkeltvedtak made")),
    ("vedtak_iop", _("Enkeltvedtak made → IOP first published")),
)


class Median(Aggregate):
    """The median of a number (a float). PostgreSQL: ``percentile_cont``;
    SQLite (the demo): the ``MEDIAN`` aggregate :mod:`followup.kpi.apps`
    registers on each connection."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="MEDIAN", template="%(function)s(%(expressions)s)")


class Days(Func):
    """Whole days from the date SINCE to the date UNTIL (negative when UNTIL is earlier)."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, since: Any, until: Any) -> None:
        super().__init__(until, since)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # A date minus a date is a whole number of days.
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra_context)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _school_year_start(day: str) -> Subquery:
    """The first year of the pupil's school's school year that the annotation DAY falls in."""
    years = SchoolYear.objects.filter(
        school_id=OuterRef("pupil__school_id"), start__lte=OuterRef(day), end__gte=OuterRef(day)
    )
    return Subquery(years.values("start__year")[:1], output_field=IntegerField())


def _step_querysets(school_ids: list[int]) -> dict[str, QuerySet]:
    """Per step of :data:`STEPS`, one row per case with ``days`` and ``day`` (when the step ended).

    * referral → SV: each completed sakkyndig vurdering, from the latest
      referral of the pupil sent before it that no earlier completed
      vurdering answered;
    * SV → vedtak: each completed vurdering, to the first enkeltvedtak made on it
      (a refusal is a decision too);
    * vedtak → IOP: each made enkeltvedtak that grants teaching, to the first
      publication of an IOP on it (its first published version; a draft is
      not yet the plan teachers and parents work from).
    """
    completed = SakkyndigVurdering.objects.filter(
        status=SakkyndigVurdering.Status.COMPLETED, completed_at__isnull=False, pupil__school_id__in=school_ids
    )
    answered_before = SakkyndigVurdering.objects.filter(
        pupil_id=OuterRef("pupil_id"),
        status=SakkyndigVurdering.Status.COMPLETED,
        completed_at__gte=OuterRef("sent_at"),
        completed_at__lt=OuterRef(OuterRef("completed_at")),
    )
    referral = (
        Referral.objects.filter(
            pupil_id=OuterRef("pupil_id"), sent_at__isnull=False, sent_at__lte=OuterRef("completed_at")
        )
        .exclude(status=Referral.Status.DRAFT)
        .exclude(Exists(answered_before))
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    referral_sv = (
        completed.annotate(sent=Subquery(referral))
        .filter(sent__isnull=False)
        .annotate(day=TruncDate("completed_at"))
        .annotate(days=Days(TruncDate("sent"), F("day")))
    )
    first_made = (
        Enkeltvedtak.objects.filter(vurdering_id=OuterRef("pk"), status=Enkeltvedtak.Status.MADE)
        .order_by("made_on")
        .values("made_on")[:1]
    )
    sv_vedtak = (
        completed.annotate(day=Subquery(first_made))
        .filter(day__isnull=False)
        .annotate(days=Days(TruncDate("completed_at"), F("day")))
    )
    first_version = IopVersion.objects.filter(iop_id=OuterRef("pk")).order_by("published_at").values("published_at")[:1]
    first_iop = (
        Iop.objects.filter(vedtak_id=OuterRef("pk"))
        .annotate(first=Coalesce(Subquery(first_version), "published_at"))
        .filter(first__isnull=False)
        .order_by("first")
        .values("first")[:1]
    )
    vedtak_iop = (
        Enkeltvedtak.objects.filter(
            status=Enkeltvedtak.Status.MADE, made_on__isnull=False, pupil__school_id__in=school_ids
        )
        .exclude(outcome=Enkeltvedtak.Outcome.REFUSED)
        .annotate(published=Subquery(first_iop))
        .filter(published__isnull=False)
        .annotate(day=TruncDate("published"))
        .annotate(days=Days(F("made_on"), F("day")))
    )
    return {"referral_sv": referral_sv, "sv_vedtak": sv_vedtak, "vedtak_iop": vedtak_iop}


def chain_times(
    school_ids: list[int], first_years: tuple[int, ...], *, by: str = "pupil__school__name"
) -> dict[tuple[int, Any], dict[str, Span]]:
    """{(first year of the school year, school name): {step key: Span}} for
    SCHOOL_IDS in the school years starting in FIRST_YEARS. A case counts in
    the school year of the day its step ended, at the pupil's school. One
    aggregating query per step, whatever the number of cases. BY groups the
    cases otherwise: ``"pupil__school_id"`` per school by id,
    ``"pupil__school__skoleeier_id"`` per school owner (the key's second part
    is then that id).

    A case whose step ended before the step before it (a negative number of
    days, e.g. an assessment recorded as completed after the decision made
    on it) is bad data: it is left out of the median, the longest and the
    number of cases, and counted in ``Span.excluded`` so the page can say so."""
    out: dict[tuple[int, Any], dict[str, Span]] = {}
    with connection.cursor() as cursor:
        for key, sql, params in _chain_sql(tuple(school_ids), tuple(first_years), by):
            cursor.execute(sql, params)
            for year, school, cases, median, longest, excluded in cursor.fetchall():
                out.setdefault((int(year), school), {})[key] = Span(
                    cases=cases,
                    median=None if median is None else float(median),
                    longest=longest,
                    excluded=excluded,
                )
    return out


@functools.lru_cache(maxsize=256)
def _chain_sql(
    school_ids: tuple[int, ...], first_years: tuple[int, ...], by: str
) -> tuple[tuple[str, str, tuple[Any, ...]], ...]:
    """``((step key, sql, params), ...)``: :func:`chain_times`' aggregating
    query per step, compiled once per process and arguments (building these
    subqueries costs more than PostgreSQL's running them; nothing in them
    depends on the clock or the user). A step that can find nothing (no
    school, no year) is left out."""
    steps = []
    for key, qs in _step_querysets(list(school_ids)).items():
        counted = Case(When(days__gte=0, then=F("days")), default=None, output_field=IntegerField())
        rows = (
            qs.annotate(year=_school_year_start("day"))
            .filter(year__in=first_years)
            .values("year", by)
            .annotate(
                cases=Count(counted),
                median=Median(counted),
                longest=Max(counted),
                excluded=Count(Case(When(days__lt=0, then=Value(1)), default=None, output_field=IntegerField())),
            )
            .order_by()
            .values_list("year", by, "cases", "median", "longest", "excluded")
        )
        try:
            sql, params = rows.query.sql_with_params()
        except EmptyResultSet:
            continue
        steps.append((key, sql, tuple(params)))
    return tuple(steps)


def half_up(part: int | Decimal, whole: int, digits: int) -> float:
    """PART / WHOLE rounded half up to DIGITS decimals, as a reader rounds
    (1 / 8 → 0.13, where ``round`` rounds half to even: 0.12)."""
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


@dataclass
class Row:
    school: str
    year_level: int | None  # None: the school's total
    pupils: int = 0
    with_iup: int = 0
    talks: int = 0
    at_target: int = 0
    in_target_levels: int = 0
    term_done: int = 0
    hours_given: Decimal = Decimal(0)  # årstimer (60 minutes) given in the year's IOPs
    aarsrapporter: int = 0  # finalised årsrapporter on the year's IOPs
    sent_to_guardians: int = 0  # of those, recorded as sent to the pupil and guardians
    sent_to_school_owner: int = 0  # of those, recorded as sent to the school owner
    #: The time through the chain (school totals only): step key (:data:`STEPS`) → span.
    spans: dict[str, Span] = field(default_factory=dict)

    @property
    def level_label(self) -> str:
        """The year level as a school names it ("7", "Vg1"); "" for the school's total."""
        return year_level_label(self.year_level) if self.year_level is not None else ""

    def spans_in_order(self) -> list[tuple[str, Span | None]]:
        """[(step label, span or None)] in the order of :data:`STEPS`."""
        return [(str(label), self.spans.get(key)) for key, label in STEPS]

    def share(self, part: int, whole: int | None = None) -> float | None:
        whole = self.pupils if whole is None else whole
        return half_up(100 * part, whole, 1) if whole else None

    @property
    def iup_share(self) -> float | None:
        return self.share(self.with_iup)

    @property
    def talks_per_pupil(self) -> float | None:
        return half_up(self.talks, self.pupils, 2) if self.pupils else None

    @property
    def at_target_share(self) -> float | None:
        return self.share(self.at_target, self.in_target_levels)

    @property
    def term_share(self) -> float | None:
        return self.share(self.term_done)


@dataclass
class YearFigures:
    label: str
    rows: list[Row] = field(default_factory=list)

    @property
    def timed_rows(self) -> list[Row]:
        """The school totals with a time through the chain measured."""
        return [row for row in self.rows if row.year_level is None and row.spans]


def subjects_in_force(sections: QuerySet[IopSubject]) -> QuerySet[IopSubject]:
    """SECTIONS (IOP subjects) of the plans in force: the IOP published at
    least once (a draft is not yet the plan) and the subject not dropped from
    it. The key figures count the hours given, the planned and the decided
    hours on these, so that every page of figures gives the same sum."""
    published = Q(iop__published_at__isnull=False) | Exists(IopVersion.objects.filter(iop=OuterRef("iop_id")))
    return sections.filter(published, dropped_on__isnull=True)


def _enrolments(years: list[SchoolYear], today: datetime.date) -> QuerySet[Enrolment]:
    """One open class enrolment per pupil and school year of YEARS (a pupil in
    two classes counts once, in the first; an archived pupil, who has left,
    not at all), each annotated per pupil:
    ``talk_count`` (talks held that count), ``has_iup``, ``term_done`` (this
    term's development talk held), ``hours`` (årstimer given in the year's
    IOPs, :func:`iop.selectors.hours_given`), ``reports`` / ``to_guardians`` /
    ``to_owner`` (finalised årsrapporter on the year's IOPs, and of those sent
    to the pupil and guardians and to the school owner). Subqueries only: the
    callers aggregate it in the database."""
    held = Talk.objects.filter(pupil=OuterRef("pupil_id"), status=Talk.Status.HELD)
    talk_count = (
        held.filter(school_year=OuterRef("group__school_year_id"), kind__in=COUNTED_TALK_KINDS)
        .order_by()
        .values("pupil")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # A development talk recorded only as an IUP's talk date counts too (followup.talks).
    iup_held = iup_talks(today).filter(pupil=OuterRef("pupil_id"), school_year=OuterRef("group__school_year_id"))
    term_q, iup_term_q = Q(), Q()
    for year in years:
        start, end = term_of(year, min(max(today, year.start), year.end))
        term_q |= Q(school_year=year, date__gte=start, date__lte=end)
        iup_term_q |= Q(school_year=year, talk_date__gte=start, talk_date__lte=end)
    term_done = held.filter(term_q, school_year=OuterRef("group__school_year_id"), kind__in=TERM_TALK_KINDS)
    iup = Iup.objects.filter(
        pupil=OuterRef("pupil_id"),
        school_year=OuterRef("group__school_year_id"),
        status__in=(Iup.Status.PUBLISHED, Iup.Status.ARCHIVED),
    )
    year_of = "group__school_year__start__year"
    given = (
        iop_selectors.hours_given(
            subjects_in_force(
                IopSubject.objects.filter(
                    iop__pupil_id=OuterRef("pupil_id"),
                    iop__school_year__in=years,
                    iop__school_year__start__year=OuterRef(year_of),
                )
            )
        )
        .order_by()
        .values("iop__pupil_id")
        .annotate(total=Sum("hours_given"))
        .values("total")
    )
    reports = Report.objects.filter(
        kind=Report.Kind.AARSRAPPORT,
        pupil_id=OuterRef("pupil_id"),
        iop__school_year__in=years,
        iop__school_year__start__year=OuterRef(year_of),
    ).exclude(status=Report.Status.DRAFT)

    def counted(qs: QuerySet[Report]) -> Coalesce:
        inner = qs.order_by().values("pupil_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(inner, output_field=IntegerField()), Value(0))

    class_enrolments = Enrolment.objects.open_on(today).filter(  # a pupil who moved away counts at the new school
        group__school_year__in=years,
        group__kind="class",
        pupil__archived_at__isnull=True,  # one who left, nowhere
    )
    first = (
        class_enrolments.filter(pupil_id=OuterRef("pupil_id"), group__school_year__start__year=OuterRef(year_of))
        .order_by("pk")
        .values("pk")[:1]
    )
    return class_enrolments.filter(pk=Subquery(first)).annotate(
        talk_count=Coalesce(Subquery(talk_count, output_field=IntegerField()), Value(0))
        + Coalesce(Subquery(count_per_pupil(iup_held), output_field=IntegerField()), Value(0)),
        has_iup=Exists(iup),
        term_done=Exists(term_done) | Exists(iup_held.filter(iup_term_q)),
        hours=Coalesce(Subquery(given, output_field=HOURS), Value(Decimal(0)), output_field=HOURS),
        reports=counted(reports),
        to_guardians=counted(reports.filter(sent_to_guardians_on__isnull=False)),
        to_owner=counted(reports.filter(sent_to_school_owner_on__isnull=False)),
    )


HOURS = DecimalField(max_digits=12, decimal_places=1)


def _aggregated(enrolments: QuerySet[Enrolment], by: tuple[str, ...]) -> Any:
    """ENROLMENTS (:func:`_enrolments`) summed per BY: (school name, school
    year start, year level, pupils, with IUP, talks, at target, in target
    levels, term talk done, hours given, årsrapporter, sent to guardians, sent
    to the school owner) — the year level None when BY leaves it out."""
    target, low, high = talk_target()
    # The target is Norwegian: a Swedish school's pupils are in no target level (their law: a talk each term).
    in_levels = Q(
        group__year_level__gte=low,
        group__year_level__lte=high,
        group__school_year__school__skoleeier__country=access.CHAIN_COUNTRY,
    )
    level: Any = F("group__year_level") if "group__year_level" in by else Value(None, output_field=IntegerField())
    return (
        enrolments.values(*by)
        .annotate(
            level=level,
            pupils=Count("pk"),
            with_iup=Count("pk", filter=Q(has_iup=True)),
            talks=Sum("talk_count"),
            at_target=Count("pk", filter=in_levels & Q(talk_count__gte=target)),
            in_target_levels=Count("pk", filter=in_levels),
            term=Count("pk", filter=Q(term_done=True)),
            given=Sum("hours", output_field=HOURS),
            made=Sum("reports"),
            guardians=Sum("to_guardians"),
            owner=Sum("to_owner"),
        )
        .order_by()
        .values_list(
            "group__school_year__school__name",
            "group__school_year__start",
            "level",
            "pupils",
            "with_iup",
            "talks",
            "at_target",
            "in_target_levels",
            "term",
            "given",
            "made",
            "guardians",
            "owner",
        )
    )


def key_figures(schools: QuerySet[School], today: datetime.date) -> list[YearFigures]:
    """This school year's figures and last year's, for SCHOOLS. Aggregated in
    the database: a fixed number of queries (per year level, per school, and
    one per step of the chain), whatever the number of pupils. The time
    through the chain counts Norwegian schools only (Swedish ones have no
    such chain: :func:`students.access.offers_chain`)."""
    countries = list(schools.values_list("pk", "skoleeier__country"))
    school_ids = [pk for pk, _country in countries]
    chain_ids = [pk for pk, country in countries if country == access.CHAIN_COUNTRY]
    current = list(
        SchoolYear.objects.filter(school_id__in=school_ids, start__lte=today)
        .order_by("-start")
        .values_list("start__year", flat=True)[:1]
    )
    if not current:
        return []
    first_years = (current[0], current[0] - 1)
    years = list(SchoolYear.objects.filter(school_id__in=school_ids, start__year__in=first_years))
    by_year: dict[int, dict[tuple[str, int | None], Row]] = {y: {} for y in first_years}
    enrolments = _enrolments(years, today)
    school = ("group__school_year__school_id", "group__school_year__school__name", "group__school_year__start")
    for by in ((*school, "group__year_level"), school):
        for name, start, level, *counts in _aggregated(enrolments, by):
            pupils, with_iup, talks, at_target, in_levels, term, given, made, guardians, owner = counts
            by_year[start.year][(name, level)] = Row(
                school=name,
                year_level=level,
                pupils=pupils,
                with_iup=with_iup,
                talks=talks or 0,
                at_target=at_target,
                in_target_levels=in_levels,
                term_done=term,
                hours_given=Decimal(given or 0),
                aarsrapporter=made or 0,
                sent_to_guardians=guardians or 0,
                sent_to_school_owner=owner or 0,
            )
    for (year, name), spans in chain_times(chain_ids, first_years).items():
        by_year[year].setdefault((name, None), Row(school=name, year_level=None)).spans = spans
    out = []
    for year in first_years:
        rows = sorted(by_year[year].values(), key=lambda r: (r.school, r.year_level is None, r.year_level or 0))
        out.append(YearFigures(label=f"{year}/{str(year + 1)[-2:]}", rows=rows))
    return out


@dataclass
class TermTalk:
    pupil: Pupil
    done_on: datetime.date | None


def term_talks(pupils: QuerySet[Pupil], today: datetime.date) -> list[TermTalk]:
    """For each pupil, the date of this term's development talk, or None (one query)."""
    autumn = Q(date__month__gte=8) if today.month >= 8 else Q(date__month__lte=7)
    talk = (
        Talk.objects.filter(
            autumn,
            pupil=OuterRef("pk"),
            status=Talk.Status.HELD,
            kind__in=TERM_TALK_KINDS,
            school_year__school_id=OuterRef("school_id"),
            school_year__start__lte=today,
            school_year__end__gte=today,
            date__lte=today,
        )
        .order_by("-date")
        .values("date")[:1]
    )
    iup_talk = (  # a development talk recorded only as an IUP's talk date (followup.talks)
        iup_talks(today)
        .filter(
            Q(talk_date__month__gte=8) if today.month >= 8 else Q(talk_date__month__lte=7),
            pupil=OuterRef("pk"),
            school_year__school_id=OuterRef("school_id"),
            school_year__start__lte=today,
            school_year__end__gte=today,
        )
        .order_by("-talk_date")
        .values("talk_date")[:1]
    )
    rows = (
        pupils.annotate(done_on=Subquery(talk), iup_done_on=Subquery(iup_talk))
        .select_related("school")
        .order_by("last_name", "first_name", "pk")
    )
    return [
        TermTalk(pupil=p, done_on=max((d for d in (p.done_on, p.iup_done_on) if d is not None), default=None))  # type: ignore[attr-defined]
        for p in rows
    ]
