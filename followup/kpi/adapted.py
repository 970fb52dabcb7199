"""Key figures for individually adapted teaching (opplæringslova § 11-6), per
school and per school owner, for one school year.

For each school (and summed per school owner over the schools the user
manages):

* ``vedtak_pupils`` — pupils now at the school with a made enkeltvedtak that
  grants individually adapted teaching (a refusal does not count) and is
  valid some day in the school year;
* ``iop_due`` / ``iop_on_time`` — the IOP deadlines of the year that have
  fallen due (the årshjul's duties done when an IOP is published: the IOP at
  school start for pupils with a vedtak, the IOP N days after a vedtak,
  :mod:`followup.deadlines`), and how many of them had an IOP for the pupil
  in that school year published on or before the due date (its first
  publication counts; a draft is not yet the plan). Opplæringslova § 11-10
  asks for the IOP as soon as possible after the vedtak; the deadlines are
  how the school measures that;
* ``iops`` / ``aarsrapporter`` — the year's IOPs published at least once,
  and how many of them have a finalised årsrapport (§ 11-10);
* the days through the chain, median per step, from
  :func:`followup.kpi.selectors.chain_times` (referral → sakkyndig
  vurdering → enkeltvedtak → IOP);
* per subject: årstimer (60 min) in the vedtak on which the year's IOPs
  build, årstimer planned in the IOPs (split by staff, else the subject's
  hours), and årstimer given (teaching logs, by
  :func:`iop.selectors.hours_given`).

Everything is aggregated in the database: the page runs the same number of
queries whatever the number of pupils, plans and logs, and the schools are
paginated.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, Trim
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from followup.models import Deadline, Duty
from iop import selectors as iop_selectors
from iop.models import Enkeltvedtak, EnkeltvedtakSubject, Iop, IopSubject, IopVersion
from iop.reports.models import Report
from students.models import School, SchoolYear, Skoleeier

from . import selectors
from .charts import bar_chart
from .selectors import Span

SCHOOLS_PER_PAGE = 20
HOURS = DecimalField(max_digits=12, decimal_places=1)


@dataclass
class Subject:
    """Årstimer (60 min) in one subject: in the vedtak, planned in the IOPs, given."""

    name: str
    sections: int = 0  # IOP subject sections counted
    vedtak: int = 0
    planned: int = 0
    given: Decimal = Decimal(0)

    @property
    def given_share(self) -> float | None:
        """Hours given as a percentage of the vedtak's hours (None without vedtak hours)."""
        return selectors.half_up(100 * self.given, self.vedtak, 1) if self.vedtak else None


@dataclass
class Figures:
    """The figures of one school or one school owner (``owner`` True)."""

    pk: int
    name: str
    owner: bool = False
    vedtak_pupils: int = 0
    iop_due: int = 0
    iop_on_time: int = 0
    iops: int = 0
    aarsrapporter: int = 0
    spans: dict[str, Span] = field(default_factory=dict)
    subjects: list[Subject] = field(default_factory=list)

    @property
    def on_time_share(self) -> float | None:
        return selectors.half_up(100 * self.iop_on_time, self.iop_due, 1) if self.iop_due else None

    @property
    def aarsrapport_share(self) -> float | None:
        return selectors.half_up(100 * self.aarsrapporter, self.iops, 1) if self.iops else None

    def spans_in_order(self) -> list[tuple[str, Span | None]]:
        return [(str(label), self.spans.get(key)) for key, label in selectors.STEPS]


@dataclass
class Result:
    year: int  # first calendar year of the school year
    years: list[int]  # the school years to choose from, newest first
    page: Page
    schools: list[Figures]
    owners: list[Figures]

    @property
    def label(self) -> str:
        return label_of(self.year)


def label_of(year: int) -> str:
    """ "2026/27" for the school year starting in 2026."""
    return f"{year}/{str(year + 1)[-2:]}"


def school_years(school_ids: QuerySet[School], today: datetime.date) -> list[int]:
    """The first years of the school years of SCHOOL_IDS begun by TODAY, newest first (one query)."""
    return list(
        SchoolYear.objects.filter(school_id__in=school_ids, start__lte=today)
        .order_by("-start__year")
        .values_list("start__year", flat=True)
        .distinct()[:6]
    )


def _counts(outer: str, ids: list[int], year: int, today: datetime.date) -> dict[str, Any]:
    """Subquery annotations (integers) of each count of :class:`Figures` in
    the school year starting in YEAR, for an outer row that is a school
    (OUTER "school") or a school owner (OUTER "owner"), counting only at the
    schools IDS."""

    def count(qs: QuerySet, distinct: str = "pk") -> Coalesce:
        inner = qs.order_by().values(group).annotate(n=Count(distinct, distinct=True)).values("n")
        return Coalesce(Subquery(inner, output_field=IntegerField()), Value(0))

    group = "pupil__school_id" if outer == "school" else "pupil__school__skoleeier_id"
    ref = OuterRef("pk")
    valid = SchoolYear.objects.filter(
        school_id=OuterRef("pupil__school_id"),
        start__year=year,
        start__lte=OuterRef("valid_to"),
        end__gte=OuterRef("valid_from"),
    )
    vedtak = (
        Enkeltvedtak.objects.filter(
            status=Enkeltvedtak.Status.MADE, pupil__archived_at__isnull=True, pupil__school_id__in=ids, **{group: ref}
        )
        .exclude(outcome=Enkeltvedtak.Outcome.REFUSED)
        .filter(Exists(valid))
    )
    published = Q(published_at__date__lte=OuterRef("due"))
    iop_of_pupil = {"iop__pupil_id": OuterRef("pupil_id"), "iop__school_year_id": OuterRef("school_year_id")}
    in_time = Exists(IopVersion.objects.filter(published, **iop_of_pupil)) | Exists(
        Iop.objects.filter(published, pupil_id=OuterRef("pupil_id"), school_year_id=OuterRef("school_year_id"))
    )
    deadlines = Deadline.objects.filter(
        school_year__start__year=year,
        duty__fulfilment=Duty.Fulfilment.IOP_PUBLISHED,
        pupil__isnull=False,
        due__lte=today,
        school_id__in=ids,
        **{group.replace("pupil__school", "school"): ref},
    ).exclude(state=Deadline.State.CANCELLED)
    iops = Iop.objects.filter(school_year__start__year=year, pupil__school_id__in=ids, **{group: ref}).filter(
        Q(published_at__isnull=False)
        | Q(status=Iop.Status.PUBLISHED)
        | Exists(IopVersion.objects.filter(iop=OuterRef("pk")))
    )
    report = Report.objects.filter(iop=OuterRef("pk"), kind=Report.Kind.AARSRAPPORT).exclude(status=Report.Status.DRAFT)
    return {
        "vedtak_pupils": count(vedtak, "pupil_id"),
        "iop_due": count(deadlines),
        "iop_on_time": count(deadlines.filter(in_time)),
        "iops": count(iops),
        "aarsrapporter": count(iops.filter(Exists(report))),
    }


def _subjects(group: str, school_ids: list[int], year: int) -> dict[int, list[Subject]]:
    """{school or owner id: [Subject]} for the year's IOPs (published at least
    once) at the schools SCHOOL_IDS, grouped by GROUP (the pupil's school or
    its owner); subjects matched by name without case. One query."""
    vedtak_hours = EnkeltvedtakSubject.objects.filter(
        vedtak_id=OuterRef("iop__vedtak_id"), subject__iexact=OuterRef("subject")
    ).values("hours")[:1]
    split = Coalesce("hours_teacher", 0) + Coalesce("hours_special_needs_teacher", 0) + Coalesce("hours_assistant", 0)
    no_split = Q(hours_teacher__isnull=True, hours_special_needs_teacher__isnull=True, hours_assistant__isnull=True)
    sections = selectors.subjects_in_force(
        IopSubject.objects.filter(iop__pupil__school_id__in=school_ids, iop__school_year__start__year=year)
    )
    rows = (
        iop_selectors.hours_given(sections)
        .annotate(
            vedtak_hours=Coalesce(Subquery(vedtak_hours, output_field=IntegerField()), Value(0)),
            planned=Case(When(no_split, then=Coalesce("hours", 0)), default=split, output_field=IntegerField()),
            key=Lower(Trim("subject")),
        )
        .values(group, "key")
        .annotate(
            n=Count("pk"),
            vedtak=Sum("vedtak_hours"),
            planned_sum=Sum("planned"),
            given=Sum("hours_given", output_field=HOURS),
        )
        .order_by(group, "key")
        .values_list(group, "key", "n", "vedtak", "planned_sum", "given")
    )
    out: dict[int, list[Subject]] = {}
    for pk, key, n, vedtak, planned, given in rows:
        out.setdefault(pk, []).append(
            Subject(
                name=key.capitalize(), sections=n, vedtak=vedtak or 0, planned=planned or 0, given=Decimal(given or 0)
            )
        )
    return out


def figures(schools: QuerySet[School], today: datetime.date, *, year: int | None, page: Any) -> Result | None:
    """The figures of SCHOOLS (the ones the user manages) in the school year
    starting in YEAR (default: the newest one begun by TODAY), the schools on
    PAGE (a page number as given, :data:`SCHOOLS_PER_PAGE` a page) and the
    school owners of all SCHOOLS. None when the schools have no school year.
    A fixed number of queries."""
    years = school_years(schools, today)
    if not years:
        return None
    chosen = year if year in years else years[0]
    ids = list(schools.order_by().values_list("pk", flat=True))
    listed = Paginator(
        School.objects.filter(pk__in=ids).annotate(**_counts("school", ids, chosen, today)).order_by("name", "pk"),
        SCHOOLS_PER_PAGE,
    ).get_page(page)
    rows = [
        Figures(
            pk=s.pk,
            name=s.name,
            **{k: getattr(s, k) for k in ("vedtak_pupils", "iop_due", "iop_on_time", "iops", "aarsrapporter")},
        )
        for s in listed.object_list
    ]
    page_ids = [r.pk for r in rows]
    spans = selectors.chain_times(page_ids, (chosen,), by="pupil__school_id")
    subjects = _subjects("iop__pupil__school_id", page_ids, chosen)
    for r in rows:
        r.spans = spans.get((chosen, r.pk), {})
        r.subjects = subjects.get(r.pk, [])
    owner_qs = (
        Skoleeier.objects.filter(schools__pk__in=ids)
        .distinct()
        .annotate(**_counts("owner", ids, chosen, today))
        .order_by("name", "pk")
    )
    owners = [
        Figures(
            pk=o.pk,
            name=o.name,
            owner=True,
            **{k: getattr(o, k) for k in ("vedtak_pupils", "iop_due", "iop_on_time", "iops", "aarsrapporter")},
        )
        for o in owner_qs
    ]
    owner_spans = selectors.chain_times(ids, (chosen,), by="pupil__school__skoleeier_id")
    owner_subjects = _subjects("iop__pupil__school__skoleeier_id", ids, chosen)
    for o in owners:
        o.spans = owner_spans.get((chosen, o.pk), {})
        o.subjects = owner_subjects.get(o.pk, [])
    return Result(year=chosen, years=years, page=listed, schools=rows, owners=owners)


# --- charts -------------------------------------------------------------------------------------------


#: Short names of the steps of :data:`followup.kpi.selectors.STEPS`, for chart legends.
STEP_SHORT: dict[str, Promise] = {
    "referral_sv": _("Referral → SV"),
    "sv_vedtak": _("SV → vedtak"),
    "vedtak_iop": _("Vedtak → IOP"),
}


@dataclass
class Chart:
    """One chart with a heading, for the page (the SVG; the page's tables give the same figures)."""

    heading: str
    svg: SafeString


def charts(result: Result) -> list[Chart]:
    """The charts of RESULT: shares on time and årsrapporter done per school
    and per owner, median days through the chain per school, and årstimer per
    subject per owner and per school (vedtak, planned, given)."""
    rows = [*result.owners, *result.schools]
    out = []
    if rows:
        out.append(
            Chart(
                str(_("IOPs published on time and årsrapporter done")),
                bar_chart(
                    chart_id="kpi-shares",
                    title=str(_("IOPs published on time and årsrapporter done, per cent")),
                    desc=str(
                        _(
                            "Per school owner and school: the share of IOP deadlines met, and the share of "
                            "the year's IOPs with a finalised årsrapport. The tables on the page give the same figures."
                        )
                    ),
                    groups=[(r.name, [r.on_time_share, r.aarsrapport_share]) for r in rows],
                    series=[str(_("IOP on time")), str(_("Årsrapport done"))],
                    maximum=100,
                    suffix=" %",
                ),
            )
        )
        out.append(
            Chart(
                str(_("Days through the chain, median")),
                bar_chart(
                    chart_id="kpi-chain",
                    title=str(_("Days through the chain, median")),
                    desc=str(
                        _(
                            "Per school owner and school: the median number of days from the referral to the "
                            "sakkyndig vurdering, from there to the enkeltvedtak, and from the vedtak to the "
                            "first published IOP. The tables on the page give the same figures."
                        )
                    ),
                    groups=[
                        (r.name, [span.median if span and span.cases else None for _label, span in r.spans_in_order()])
                        for r in rows
                    ],
                    series=[str(STEP_SHORT[key]) for key, _label in selectors.STEPS],
                    suffix=" " + str(_("d")),
                ),
            )
        )
    for row in rows:
        if not row.subjects:
            continue
        kind = "owner" if row.owner else "school"
        heading = (
            _("Årstimer per subject: %(owner)s (school owner)") % {"owner": row.name}
            if kind == "owner"
            else _("Årstimer per subject: %(owner)s") % {"owner": row.name}
        )
        out.append(
            Chart(
                str(heading),
                bar_chart(
                    chart_id=f"kpi-hours-{row.pk}" if kind == "owner" else f"kpi-hours-school-{row.pk}",
                    title=str(heading),
                    desc=str(
                        _(
                            "Per subject: the årstimer (60 minutes) in the enkeltvedtak, planned in the IOPs "
                            "and given. The tables on the page give the same figures."
                        )
                    ),
                    groups=[(s.name, [s.vedtak, s.planned, float(s.given)]) for s in row.subjects],
                    series=[str(_("In the vedtak")), str(_("Planned in the IOPs")), str(_("Given"))],
                ),
            )
        )
    return out
