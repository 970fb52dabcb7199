"""Key figures (seed 001: "how do we know a change is an improvement?").

Per school and year level, for a school year and the one before:

* pupils enrolled;
* share of pupils with an IUP this year (published or archived);
* talks held per pupil this year, and the share of pupils at or above the
  target (default ≥ 4 for years 5–10, ``KPI_TALK_TARGET``);
* share of pupils whose development talk this term is done;
* hours of teaching given in the year's IOPs, in årstimer (60 minutes), by
  :func:`iop.selectors.hours_given` (the rule the IOP page and reports use);
* årsrapporter finalised on the year's IOPs, and how many of them are
  recorded as sent to the pupil and guardians and to the school owner
  (opplæringslova § 11-10).

Each school year costs one query (talk counts and IUPs are subqueries on the
enrolment rows), the hours given one more and the årsrapporter one more, so the page runs a fixed
number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from followup.models import Talk
from iop import selectors as iop_selectors
from iop.models import IopSubject, Iup
from iop.reports.models import Report
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

    def share(self, part: int, whole: int | None = None) -> float | None:
        whole = self.pupils if whole is None else whole
        return round(100 * part / whole, 1) if whole else None

    @property
    def iup_share(self) -> float | None:
        return self.share(self.with_iup)

    @property
    def talks_per_pupil(self) -> float | None:
        return round(self.talks / self.pupils, 2) if self.pupils else None

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


def _enrolment_rows(years: list[SchoolYear], today: datetime.date) -> Any:
    """(school name, school year start, year level, pupil id, talks held, has IUP, term talk done) per enrolment."""
    held = Talk.objects.filter(pupil=OuterRef("pupil_id"), status=Talk.Status.HELD)
    talk_count = (
        held.filter(school_year=OuterRef("group__school_year_id"), kind__in=COUNTED_TALK_KINDS)
        .order_by()
        .values("pupil")
        .annotate(n=Count("pk"))
        .values("n")
    )
    term_q = Q()
    for year in years:
        start, end = term_of(year, min(max(today, year.start), year.end))
        term_q |= Q(school_year=year, date__gte=start, date__lte=end)
    term_done = held.filter(term_q, school_year=OuterRef("group__school_year_id"), kind__in=TERM_TALK_KINDS)
    iup = Iup.objects.filter(
        pupil=OuterRef("pupil_id"),
        school_year=OuterRef("group__school_year_id"),
        status__in=(Iup.Status.PUBLISHED, Iup.Status.ARCHIVED),
    )
    return (
        Enrolment.objects.open_on(today)  # a pupil who moved away counts at the new school
        .filter(group__school_year__in=years, group__kind="class")
        .annotate(
            talk_count=Coalesce(Subquery(talk_count, output_field=IntegerField()), Value(0)),
            has_iup=Exists(iup),
            term_done=Exists(term_done),
        )
        .values_list(
            "group__school_year__school__name",
            "group__school_year__start",
            "group__year_level",
            "pupil_id",
            "talk_count",
            "has_iup",
            "term_done",
        )
    )


def key_figures(schools: QuerySet[School], today: datetime.date) -> list[YearFigures]:
    """This school year's figures and last year's, for SCHOOLS (a fixed number of queries, hours given included)."""
    school_ids = list(schools.values_list("pk", flat=True))
    current = list(
        SchoolYear.objects.filter(school_id__in=school_ids, start__lte=today)
        .order_by("-start")
        .values_list("start__year", flat=True)[:1]
    )
    if not current:
        return []
    first_years = (current[0], current[0] - 1)
    years = list(SchoolYear.objects.filter(school_id__in=school_ids, start__year__in=first_years))
    target, low, high = talk_target()
    by_year: dict[int, dict[tuple[str, int | None], Row]] = {y: {} for y in first_years}
    seen: set[tuple[int, object]] = set()
    hours: dict[tuple[int, object], Decimal] = {}
    given = iop_selectors.hours_given(IopSubject.objects.filter(iop__school_year__in=years)).values_list(  # type: ignore[misc]
        "iop__school_year__start__year", "iop__pupil_id", "hours_given"
    )
    for year_start, pupil_id, amount in given:
        hours[(year_start, pupil_id)] = hours.get((year_start, pupil_id), Decimal(0)) + amount
    reports: dict[tuple[int, object], tuple[int, int, int]] = {}
    finalised = (
        Report.objects.filter(kind=Report.Kind.AARSRAPPORT, iop__school_year__in=years)
        .exclude(status=Report.Status.DRAFT)
        .values_list("iop__school_year__start__year", "pupil_id", "sent_to_guardians_on", "sent_to_school_owner_on")
    )
    for year_start, pupil_id, to_guardians, to_owner in finalised:
        made, guardians, owner = reports.get((year_start, pupil_id), (0, 0, 0))
        reports[(year_start, pupil_id)] = (
            made + 1,
            guardians + int(to_guardians is not None),
            owner + int(to_owner is not None),
        )
    for school, start, level, pupil_id, talks, has_iup, term_done in _enrolment_rows(years, today):
        if (start.year, pupil_id) in seen:  # a pupil in two classes counts once
            continue
        seen.add((start.year, pupil_id))
        for key in ((school, level), (school, None)):
            row = by_year[start.year].setdefault(key, Row(school=school, year_level=key[1]))
            row.pupils += 1
            row.with_iup += int(has_iup)
            row.talks += talks
            row.term_done += int(term_done)
            row.hours_given += hours.get((start.year, pupil_id), Decimal(0))
            made, guardians, owner = reports.get((start.year, pupil_id), (0, 0, 0))
            row.aarsrapporter += made
            row.sent_to_guardians += guardians
            row.sent_to_school_owner += owner
            if low <= level <= high:
                row.in_target_levels += 1
                row.at_target += int(talks >= target)
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
    rows = pupils.annotate(done_on=Subquery(talk)).select_related("school").order_by("last_name", "first_name", "pk")
    return [TermTalk(pupil=p, done_on=p.done_on) for p in rows]  # type: ignore[attr-defined]
