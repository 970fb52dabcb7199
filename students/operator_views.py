"""Operators' pages beyond the admin, for the yearly set-up: the roster
import (upload → dry run → apply, with progress) and its history, and the
school years with their dates.

Only operators (:func:`students.access.is_operator`) see them; anyone else
gets 404, as for any record that is not theirs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import access, tasks
from .forms import RosterUploadForm, SchoolYearForm
from .models import RosterImport, School, SchoolYear
from .roster_import import csv_format, service
from .roster_import.rows import NOTE_CODES, labelled_change, labelled_summary

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
CHANGES_SHOWN = 500


def _operator(request: HttpRequest) -> None:
    if not access.is_operator(request.user):  # type: ignore[arg-type]
        raise Http404


def _enqueue(task: Any, record: RosterImport) -> None:
    """After the commit: start TASK on the record; with the broker down the
    record fails with a message and the operator may upload again."""

    def send() -> None:
        try:
            task.apply_async(args=[str(record.pk)], retry=False)
        except Exception:
            logger.warning("Could not enqueue %s", task.name, exc_info=True)
            RosterImport.objects.filter(pk=record.pk).update(
                status=RosterImport.Status.FAILED, error="The background worker could not be reached."
            )

    transaction.on_commit(send)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def roster_imports(request: HttpRequest) -> HttpResponse:
    """The import history, and the upload of a new import."""
    _operator(request)
    form = RosterUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            record = service.create(
                fmt=form.cleaned_data["format"],
                files=form.cleaned_data["roster_files"],
                actor=request.user,  # type: ignore[arg-type]
            )
            _enqueue(tasks.plan_roster_import, record)
        return redirect("roster_import_detail", record.pk)
    history = RosterImport.objects.select_related("created_by", "applied_by").defer("source", "changes", "rejected")
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("side"))
    for record in page.object_list:
        record.labelled_summary = labelled_summary(record.summary)  # type: ignore[attr-defined]
    status = 400 if form.errors else 200
    context = {"form": form, "page": page, "csv_files": csv_files(), "choices": csv_format.CHOICES.items()}
    return render(request, "students/roster_imports.html", context, status=status)


def csv_files() -> list[tuple[str, list[tuple[str, bool]]]]:
    """The CSV format's files and their columns, each with whether it is
    required: ``[(file name, [(column, required), ...]), ...]`` (the upload page's help)."""
    return [
        (name, [(column, column in csv_format.REQUIRED[name]) for column in columns])
        for name, columns in csv_format.COLUMNS.items()
    ]


@never_cache
@login_required
@require_http_methods(["GET"])
def roster_import_detail(request: HttpRequest, import_id: Any) -> HttpResponse:
    """One import: its progress while a task works on it (the partial polled by
    htmx), then the dry run or what was applied, and the rejected rows."""
    _operator(request)
    record = get_object_or_404(
        RosterImport.objects.select_related("created_by", "applied_by").defer("source"), pk=import_id
    )
    context = {
        "record": record,
        "summary": labelled_summary(record.summary),
        "changes": [labelled_change(c) for c in record.changes[:CHANGES_SHOWN]],
        "more_changes": max(0, len(record.changes) - CHANGES_SHOWN),
        "rejected": [r for r in service.rejected(record) if r.code not in NOTE_CODES],
        # A value left out of a row that is imported all the same (a national id that does not add up).
        "notes": [r for r in service.rejected(record) if r.code in NOTE_CODES],
        # A dry run older than another import's application is not applied (the operator uploads again).
        "outdated": OUTDATED if record.status == RosterImport.Status.PLANNED and service.outdated(record) else "",
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "students/_roster_import_status.html", context)
    return render(request, "students/roster_import_detail.html", context)


#: Said of a dry run made before another import was applied.
OUTDATED = gettext_lazy(
    "Another import was applied after this dry run, so it may no longer show what applying would do. "
    "Upload the files again to see what they change now."
)


@login_required
@require_POST
def roster_import_apply(request: HttpRequest, import_id: Any) -> HttpResponse:
    """Apply an import whose dry run the operator has seen (in a Celery task)."""
    _operator(request)
    record = get_object_or_404(RosterImport.objects.defer("source", "changes", "rejected"), pk=import_id)
    if record.status == RosterImport.Status.PLANNED and service.outdated(record):
        # What the operator saw is no longer what applying would do.
        messages.error(request, OUTDATED)
        return redirect("roster_import_detail", record.pk)
    with transaction.atomic():
        if service.claim_apply(record, actor=request.user):  # type: ignore[arg-type]
            _enqueue(tasks.apply_roster_import, record)
        else:
            messages.error(request, _("This import is not waiting to be applied."))
    return redirect("roster_import_detail", record.pk)


@login_required
@require_POST
def roster_import_discard(request: HttpRequest, import_id: Any) -> HttpResponse:
    """Discard a dry run instead of applying it (:func:`service.discard`)."""
    _operator(request)
    record = get_object_or_404(RosterImport.objects.defer("source", "changes", "rejected"), pk=import_id)
    if service.discard(record, actor=request.user):  # type: ignore[arg-type]
        messages.success(request, _("The dry run is discarded and its files deleted; nothing was changed."))
        return redirect("roster_imports")
    messages.error(request, _("This import is not waiting to be applied."))
    return redirect("roster_import_detail", record.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def school_years(request: HttpRequest) -> HttpResponse:
    """Every school with its school years; a form to add one."""
    _operator(request)
    form = SchoolYearForm(request.POST if request.method == "POST" else None)
    form.fields["school"].queryset = School.objects.order_by("name")  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        year = form.save()
        messages.success(request, _("The school year %(name)s was added.") % {"name": year})
        return redirect("school_years")
    schools = Paginator(
        School.objects.select_related("skoleeier").prefetch_related("school_years").order_by("name"), PAGE_SIZE
    ).get_page(request.GET.get("side"))
    status = 400 if form.errors else 200
    return render(request, "students/school_years.html", {"form": form, "page": schools}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def school_year_edit(request: HttpRequest, schoolyear_id: int) -> HttpResponse:
    """Change a school year's name and dates."""
    _operator(request)
    year = get_object_or_404(SchoolYear.objects.select_related("school"), pk=schoolyear_id)
    form = SchoolYearForm(request.POST if request.method == "POST" else None, instance=year)
    form.fields["school"].queryset = School.objects.filter(pk=year.school_id)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The school year %(name)s was saved.") % {"name": year})
        return redirect("school_years")
    status = 400 if form.errors else 200
    return render(request, "students/school_year_edit.html", {"form": form, "year": year}, status=status)
