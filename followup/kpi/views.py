from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from iop.reports import documents
from students import access
from students.models import School
from students.params import parse_int

from . import adapted, selectors

#: Schools a page of the key figures (each with its year levels).
SCHOOLS_PER_PAGE = 20


def _schools(request: HttpRequest, *, chain: bool = False):  # type: ignore[no-untyped-def]
    """The schools the user manages (with CHAIN: those following the
    Norwegian chain; 404 when there are none)."""
    prof = access.profile(request.user)
    if not prof.is_coordinator or (chain and not prof.chain_schools(*access.COORDINATOR_ROLES)):
        raise Http404
    return access.managed_schools(request.user, chain=chain)


@never_cache
@login_required
@require_GET
def key_figures(request: HttpRequest) -> HttpResponse:
    page = _school_page(request)
    figures = selectors.key_figures(School.objects.filter(pk__in=[s.pk for s in page]), timezone.localdate())
    target, low, high = selectors.talk_target()
    context = {
        "years": figures,
        "target": target,
        "low": low,
        "high": high,
        "steps": selectors.STEPS,
        "page": page,
        "chain": access.profile(request.user).works_with_chain,
    }
    return render(request, "kpi/key_figures.html", context)


def _school_page(request: HttpRequest) -> Page:
    """The page (``?side=``) of the schools the user manages, by name, :data:`SCHOOLS_PER_PAGE` a page."""
    schools = _schools(request).order_by("name", "pk")
    return Paginator(schools, SCHOOLS_PER_PAGE).get_page(request.GET.get("side"))


@never_cache
@login_required
@require_GET
def key_figures_csv(request: HttpRequest) -> HttpResponse:
    page = _school_page(request)
    figures = selectors.key_figures(School.objects.filter(pk__in=[s.pk for s in page]), timezone.localdate())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = documents.disposition("nokkeltall.csv")
    response.write("\ufeff")  # so spreadsheet programs read æøå correctly
    writer = csv.writer(response, delimiter=";")
    # The Norwegian chain's columns (IOP hours, årsrapporter, the chain's steps) as on the page: only
    # for a user with schools that follow it.
    chain = access.profile(request.user).works_with_chain
    _row(
        writer,
        [
            _("School year"),
            _("School"),
            _("Year level"),
            _("Pupils"),
            _("Pupils with an IUP"),
            _("Share with an IUP (%)"),
            _("Talks per pupil"),
            _("Share at the talk target (%)"),
            _("Share with this term's talk (%)"),
            _("Teaching given in IOPs, årstimer (60 min)"),
            _("Årsrapporter finalised"),
            _("Årsrapporter sent to guardians"),
            _("Årsrapporter sent to the school owner"),
            *[
                heading % {"step": label}
                for _key, label in selectors.STEPS
                for heading in (_("%(step)s: cases"), _("%(step)s: median days"), _("%(step)s: longest days"))
            ],
        ],
        chain,
    )
    for year in figures:
        for row in year.rows:
            _row(
                writer,
                [
                    year.label,
                    row.school,
                    row.level_label or _("All"),
                    row.pupils,
                    row.with_iup,
                    _number(row.iup_share),
                    _number(row.talks_per_pupil, 2),  # as the page shows it: 0,25 talks, not 0,2
                    _number(row.at_target_share),
                    _number(row.term_share),
                    _hours(row.hours_given),
                    row.aarsrapporter,
                    row.sent_to_guardians,
                    row.sent_to_school_owner,
                    *_spans(row),
                ],
                chain,
            )
    return response


#: The columns of the key figures' CSV that do not belong to the Norwegian chain (the talk target
#: and everything from the IOP hours on do).
SHARED_COLUMNS = (0, 1, 2, 3, 4, 5, 6, 8)


def _row(writer: Any, values: list[object], chain: bool) -> None:
    """Write VALUES (a row of every column) to WRITER: all of them for a user
    with chain schools, else only :data:`SHARED_COLUMNS`."""
    writer.writerow(values if chain else [values[i] for i in SHARED_COLUMNS])


def _spans(row: selectors.Row) -> list[object]:
    """Cases, median and longest days of each step (empty where nothing was measured)."""
    out: list[object] = []
    for _label, span in row.spans_in_order():
        out += [span.cases, _number(span.median), span.longest] if span else ["", "", ""]
    return out


def _number(value: float | None, digits: int = 1) -> str:
    """VALUE with DIGITS decimals and a decimal comma ("" for None), as the page rounds it."""
    return "" if value is None else f"{value:.{digits}f}".replace(".", ",")


def _hours(value: Decimal | None) -> str:
    """Årstimer VALUE as the page writes it (``floatformat:"-1"``): in tenths
    with a decimal comma, a whole number without one ("" for None), whatever
    precision the database summed it in."""
    if value is None:
        return ""
    tenths = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(int(tenths)) if tenths == tenths.to_integral_value() else str(tenths).replace(".", ",")


@never_cache
@login_required
@require_GET
def term_talks(request: HttpRequest) -> HttpResponse:
    if not access.profile(request.user).is_staff_member:
        raise Http404
    pupils = access.pupils_for(request.user, access.Action.EDIT)
    page = Paginator(pupils.order_by("last_name", "first_name", "pk"), 100).get_page(request.GET.get("side"))
    rows = selectors.term_talks(pupils.filter(pk__in=[p.pk for p in page.object_list]), timezone.localdate())
    missing = [r for r in rows if r.done_on is None]
    return render(request, "kpi/term_talks.html", {"rows": rows, "missing": len(missing), "page": page})


def _adapted(request: HttpRequest) -> adapted.Result | None:
    schools = _schools(request, chain=True)
    year = parse_int(request.GET.get("ar", ""), minimum=1900, maximum=2999)
    return adapted.figures(schools, timezone.localdate(), year=year, page=request.GET.get("side"))


@never_cache
@login_required
@require_GET
def adapted_teaching(request: HttpRequest) -> HttpResponse:
    """Key figures for individually adapted teaching per school (paginated) and
    per school owner (:mod:`followup.kpi.adapted`); coordinators only (404)."""
    result = _adapted(request)
    context = {"result": result, "charts": adapted.charts(result) if result else [], "steps": selectors.STEPS}
    return render(request, "kpi/adapted.html", context)


@never_cache
@login_required
@require_GET
def adapted_teaching_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as CSV (semicolon-separated, UTF-8 with a byte order
    mark): one row per school owner and per school on the requested page,
    then one row per subject."""
    result = _adapted(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    year = result.label.replace("/", "-") if result else ""
    response["Content-Disposition"] = documents.disposition(f"tilpasset-opplaering-{year}.csv")
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("School year"),
            _("Level"),
            _("Name"),
            _("Pupils with a vedtak"),
            _("IOP deadlines due"),
            _("IOPs published on time"),
            _("Share on time (%)"),
            _("IOPs"),
            _("Årsrapporter finalised"),
            _("Share with årsrapport (%)"),
            *[_("%(step)s: median days") % {"step": label} for _key, label in selectors.STEPS],
        ]
    )
    rows = [*result.owners, *result.schools] if result else []
    for row in rows:
        writer.writerow(
            [
                result.label if result else "",
                _("School owner") if row.owner else _("School"),
                row.name,
                row.vedtak_pupils,
                row.iop_due,
                row.iop_on_time,
                _number(row.on_time_share),
                row.iops,
                row.aarsrapporter,
                _number(row.aarsrapport_share),
                *[_number(span.median) if span and span.cases else "" for _label, span in row.spans_in_order()],
            ]
        )
    writer.writerow([])
    writer.writerow(
        [
            _("School year"),
            _("Level"),
            _("Name"),
            _("Subject"),
            _("Årstimer in the vedtak"),
            _("Årstimer planned in the IOPs"),
            _("Årstimer given"),
            _("Given of the vedtak (%)"),
        ]
    )
    for row in rows:
        for subject in row.subjects:
            writer.writerow(
                [
                    result.label if result else "",
                    _("School owner") if row.owner else _("School"),
                    row.name,
                    subject.name,
                    subject.vedtak,
                    subject.planned,
                    _hours(subject.given),
                    _number(subject.given_share),
                ]
            )
    return response
