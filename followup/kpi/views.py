from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from students import access

from . import selectors

#: Schools per page of the key figures.
SCHOOLS_PAGE = 20


def _schools(request: HttpRequest):  # type: ignore[no-untyped-def]
    schools = access.managed_schools(request.user)
    if not access.profile(request.user).is_coordinator:
        raise Http404
    return schools


@never_cache
@login_required
@require_GET
def key_figures(request: HttpRequest) -> HttpResponse:
    """The key figures of the coordinator's schools, :data:`SCHOOLS_PAGE`
    schools a page (``?side=N``; the CSV holds them all)."""
    schools = _schools(request)
    page = Paginator(schools.order_by("name", "pk").values_list("pk", flat=True), SCHOOLS_PAGE).get_page(
        request.GET.get("side")
    )
    figures = selectors.key_figures(schools, timezone.localdate(), only=list(page.object_list))
    target, low, high = selectors.talk_target()
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        "years": figures,
        "target": target,
        "low": low,
        "high": high,
        "steps": selectors.STEPS,
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "kpi/key_figures.html", context)


@never_cache
@login_required
@require_GET
def key_figures_csv(request: HttpRequest) -> HttpResponse:
    figures = selectors.key_figures(_schools(request), timezone.localdate())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nokkeltall.csv"'
    response.write("\ufeff")  # so spreadsheet programs read æøå correctly
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
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
        ]
    )
    for year in figures:
        for row in year.rows:
            writer.writerow(
                [
                    year.label,
                    row.school,
                    row.year_level if row.year_level is not None else _("All"),
                    row.pupils,
                    row.with_iup,
                    _number(row.iup_share),
                    _number(row.talks_per_pupil),
                    _number(row.at_target_share),
                    _number(row.term_share),
                    str(row.hours_given).replace(".", ","),
                    row.aarsrapporter,
                    row.sent_to_guardians,
                    row.sent_to_school_owner,
                    *_spans(row),
                ]
            )
    return response


def _spans(row: selectors.Row) -> list[object]:
    """Cases, median and longest days of each step (empty where nothing was measured)."""
    out: list[object] = []
    for _label, span in row.spans_in_order():
        out += [span.cases, _number(span.median), span.longest] if span else ["", "", ""]
    return out


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


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
