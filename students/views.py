"""Thin views: resolve through the access layer, call a selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors
from .forms import PupilFilterForm
from .sections import home_sections, pupil_sections

PAGE_SIZE = 50


@never_cache
@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {"home": selectors.home(request.user), "sections": home_sections(request)}  # type: ignore[arg-type]
    return render(request, "students/home.html", context)


@never_cache
@login_required
@require_GET
def pupil_list(request: HttpRequest) -> HttpResponse:
    form = PupilFilterForm(request.GET or None, groups=selectors.groups_for_filter(request.user))
    query, group_id = "", None
    if form.is_valid():
        query = form.cleaned_data["q"]
        group = form.cleaned_data["group"]
        group_id = group.pk if group else None
    pupils = selectors.pupil_list(request.user, query=query, group_id=group_id)
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("side"))
    context = {"form": form, "page": page, "query": query}
    template = "students/_pupil_results.html" if request.htmx else "students/pupil_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@never_cache
@login_required
@require_GET
def pupil_detail(request: HttpRequest, pupil_id: str) -> HttpResponse:
    page = selectors.pupil_page(request.user, pupil_id)
    context = {"page": page, "pupil": page.pupil, "sections": pupil_sections(request, page.pupil)}
    return render(request, "students/pupil_detail.html", context)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
