"""Thin views: resolve the record through the access layer (selectors), call
a service, render. Strangers get 404, read-only users 403 on writes;
guardians see published reports of their own child only."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from iop import concurrency
from iop import services as iop_services
from iop.models import AccessLogEntry
from iop.viewkit import add_service_errors
from students import access
from students.access import Action
from students.models import User

from . import documents, selectors, services
from .documents import PDF_HEADERS
from .forms import BatchForm, ReportForm, SentForm
from .models import PdfJob, Report, ReportBatch, ReportBatchItem

Kind = AccessLogEntry.Kind
Purpose = AccessLogEntry.Purpose


def _detail_context(request: HttpRequest, report: Report, form: ReportForm | None = None) -> dict[str, Any]:
    guardian = selectors.guardian_only(report.pupil)
    doc = selectors.report_document(report, chart=True, plain=guardian)  # a guardian's charts in their words
    archive = selectors.written_at(report)  # the former school's: read-only for everyone
    can_edit = Action.EDIT in report.pupil.allowed and archive is None  # type: ignore[attr-defined]
    if form is None and can_edit and report.is_draft:
        form = ReportForm(instance=report, doc=doc)
    return {
        "report": report,
        "pupil": report.pupil,
        "doc": doc,
        "form": form,
        "can_edit": can_edit,
        "guardian": guardian,
        "written_at": archive,
        "sent_form": SentForm(initial={"sent_on": timezone.localdate()}) if can_edit and not report.is_draft else None,
    }


@never_cache
@login_required
@require_GET
def report_detail(request: HttpRequest, pk: str) -> HttpResponse:
    report = selectors.report_for(request.user, pk)
    iop_services.log_read(actor=request.user, pupil=report.pupil, kind=Kind.REPORT, object_id=report.pk)  # type: ignore[arg-type]
    return render(request, "reports/report_detail.html", _detail_context(request, report))


def _save_texts(request: HttpRequest, report: Report) -> tuple[ReportForm, bool, list[concurrency.Clash]]:
    """Bind the report form to the POST (with any keep/take/merge choices)
    and save it through the concurrency kit. Returns (form, saved, clashes);
    ``form.adopted`` is True when others' changes were merged in (the page
    must then take the whole form again)."""
    doc = selectors.report_document(report, chart=False)
    form = ReportForm(request.POST, instance=report, doc=doc)
    form.data, _chose = concurrency.apply_choices(
        form.data,  # type: ignore[arg-type]
        prefix="",
        fields=list(form.fields),
        current=report,
    )
    if not form.is_valid():
        return form, False, []
    data = {name: form.cleaned_data[name] for name in services.REPORT_FIELDS}
    try:
        saved = services.report_update(
            actor=request.user,  # type: ignore[arg-type]
            report=report,
            version=form.cleaned_data["version"],
            data=data,
            goal_texts=form.texts("goal_"),
            subject_texts=form.texts("subject_"),
        )
    except concurrency.EditConflict as exc:
        return form, False, concurrency.rebase(form, exc)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form, False, []
    merged = getattr(saved, "merged", None)
    form.adopted = bool(merged and merged.adopted)  # type: ignore[attr-defined]
    return form, True, []


def _posts_texts(request: HttpRequest) -> bool:
    return "summary" in request.POST


@never_cache
@login_required
@require_POST
def report_update(request: HttpRequest, pk: str) -> HttpResponse:
    report = selectors.report_for(request.user, pk, Action.EDIT)
    if not report.is_draft:
        messages.error(request, _("A finalised report can not be changed."))
        return redirect("reports:report_detail", report.pk)
    form, saved, theirs = _save_texts(request, report)
    adopted = getattr(form, "adopted", False)
    if saved:
        if not request.htmx:  # type: ignore[attr-defined]
            messages.success(request, _("The report is saved."))
            return redirect("reports:report_detail", report.pk)
        report.refresh_from_db()
        report.pupil = form.instance.pupil
        form = ReportForm(instance=report, doc=selectors.report_document(report, chart=False))
    context = {"report": report, "form": form, "saved": saved, "saved_at": timezone.localtime(), "theirs": theirs}
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "reports/_report_form.html", context)
        if adopted:
            # Others' texts were merged in: the whole form again (a quiet
            # autosave would keep their old text on the page and undo it later).
            return reswap(retarget(response, "#report-form"), "outerHTML")
        return response
    status = 409 if theirs else 200
    return render(
        request, "reports/report_detail.html", {**_detail_context(request, report, form), **context}, status=status
    )


@never_cache
@login_required
@require_POST
def report_create(request: HttpRequest, iop_id: str) -> HttpResponse:
    iop = selectors.iop_for(request.user, iop_id, Action.EDIT)
    kind = request.POST.get("kind", Report.Kind.AARSRAPPORT)
    if kind not in Report.Kind.values:
        messages.error(request, _("Choose a kind of report."))
        return redirect("pupil_detail", iop.pupil_id)
    try:
        report = services.report_create(actor=request.user, iop=iop, kind=kind)  # type: ignore[arg-type]
    except ValidationError as exc:
        existing = Report.objects.filter(iop=iop, kind=kind).first()
        messages.error(request, " ".join(exc.messages))
        if existing is not None:
            return redirect("reports:report_detail", existing.pk)
        return redirect("pupil_detail", iop.pupil_id)
    messages.success(request, _("A draft report is made from the logs. Read it through and write the summary."))
    return redirect("reports:report_detail", report.pk)


def _full_page(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A whole page answering an htmx post from inside the report form: swap the body."""
    if request.htmx:  # type: ignore[attr-defined]
        return reswap(retarget(response, "body"), "innerHTML")
    return response


@never_cache
@login_required
@require_POST
def report_finalise(request: HttpRequest, pk: str) -> HttpResponse:
    """Finalise a draft. The button sits in the report form, so the texts
    come along: they are saved first (merged like any save; a conflict or an
    invalid text stops here with the form shown). Then a confirmation page
    (no JavaScript needed) posts back with ``confirm=1`` and the version."""
    report = selectors.report_for(request.user, pk, Action.EDIT)
    if not report.is_draft:
        messages.error(request, _("The report is already finalised."))
        return redirect("reports:report_detail", report.pk)
    if _posts_texts(request):
        form, saved, theirs = _save_texts(request, report)
        if not saved:
            form.add_error(None, _("The report is not finalised: check the texts below and save them first."))
            context = {**_detail_context(request, report, form), "theirs": theirs}
            return _full_page(
                request, render(request, "reports/report_detail.html", context, status=409 if theirs else 200)
            )
        report.refresh_from_db()
    if request.POST.get("confirm") != "1":
        version = report.version if _posts_texts(request) else request.POST.get("version", "")
        context = {
            "report": report,
            "pupil": report.pupil,
            "version": version,
            "warning": services.finalise_warning(report, timezone.localdate()),
        }
        return _full_page(request, render(request, "reports/confirm_finalise.html", context))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.report_finalise(actor=request.user, report=report, version=version)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report is finalised and kept as an archive PDF. It can no longer be changed."))
    return redirect("reports:report_detail", report.pk)


@never_cache
@login_required
@require_POST
def report_publish(request: HttpRequest, pk: str) -> HttpResponse:
    report = selectors.report_for(request.user, pk, Action.EDIT)
    if request.POST.get("confirm") != "1" and not report.is_draft and not report.is_published:
        return render(request, "reports/confirm_publish.html", {"report": report, "pupil": report.pupil})
    try:
        services.report_publish(actor=request.user, report=report)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report is published. The guardians can now read it."))
    return redirect("reports:report_detail", report.pk)


@never_cache
@login_required
@require_POST
def report_sent(request: HttpRequest, pk: str) -> HttpResponse:
    """Record the day the finalised report was sent to the guardians or the school owner."""
    report = selectors.report_for(request.user, pk, Action.EDIT)
    form = SentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("reports:report_detail", report.pk)
    try:
        services.report_record_sent(
            actor=request.user,  # type: ignore[arg-type]
            report=report,
            recipient=form.cleaned_data["recipient"],
            sent_on=form.cleaned_data["sent_on"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        recipient = Report.Recipient(form.cleaned_data["recipient"]).label
        messages.success(
            request,
            _("Recorded: sent to %(recipient)s on %(date)s.")
            % {"recipient": str(recipient).lower(), "date": date_format(form.cleaned_data["sent_on"])},
        )
    return redirect("reports:report_detail", report.pk)


@never_cache
@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        return documents.respond(request, "report", pk)
    except services.ReportIntegrityError:
        report = selectors.report_for(request.user, pk)
        return render(request, "reports/damaged.html", {"report": report}, status=409)


@never_cache
@login_required
@require_GET
def iop_pdf(request: HttpRequest, iop_id: str) -> HttpResponse:
    return documents.respond(request, "iop", iop_id)


# --- PDFs made on a worker ------------------------------------------------------------------


def _job_for(request: HttpRequest, pk: str) -> PdfJob:
    """The job PK of the logged-in person while they may still read its
    pupil (404 otherwise: another person's job is none of theirs)."""
    user = cast(User, request.user)
    job = PdfJob.objects.select_related("pupil").filter(pk=pk, requested_by=user).first()
    if job is None or not access.can(request.user, Action.VIEW, job.pupil):  # type: ignore[arg-type]
        raise Http404
    return job


@never_cache
@login_required
@require_GET
def pdf_job(request: HttpRequest, pk: str) -> HttpResponse:
    """Where a file is being made on a worker: the status asks again every
    few seconds (htmx; a meta refresh without JavaScript) until the file is
    ready, then offers it, or says why it failed. An htmx request gets the
    status alone."""
    job = _job_for(request, pk)
    template = "reports/_pdf_job_status.html" if request.htmx else "reports/pdf_job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job, "pupil": job.pupil})


@never_cache
@login_required
@require_GET
def pdf_job_file(request: HttpRequest, pk: str) -> FileResponse:
    """The file a worker made for the logged-in person, streamed from
    storage; each record in it is written to the access log now (the
    worker's making it was no read)."""
    job = _job_for(request, pk)
    if job.status != PdfJob.Status.DONE or not job.pdf:
        raise Http404
    actor = cast(User, request.user)
    if job.log_reads:
        iop_services.log_reads(
            actor=actor,
            reads=[(job.pupil, kind, object_id) for kind, object_id in job.log_reads],
            purpose=job.log_purpose or Purpose.PDF,
        )
    else:
        iop_services.log_read(
            actor=actor,
            pupil=job.pupil,
            kind=job.log_kind,
            object_id=job.object_id,
            purpose=job.log_purpose or Purpose.PDF,
        )
    content_type = FILE_TYPES.get(job.filename.rsplit(".", 1)[-1].lower(), "application/pdf")
    response = FileResponse(job.pdf.open("rb"), as_attachment=True, filename=job.filename, content_type=content_type)
    for key, value in PDF_HEADERS.items():
        response[key] = value
    return response


#: The content types of the files a worker makes, by the download name's suffix.
FILE_TYPES = {"pdf": "application/pdf", "zip": "application/zip", "json": "application/json; charset=utf-8"}


# --- batches -----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def batch_list(request: HttpRequest) -> HttpResponse:
    schools = access.managed_schools(request.user, chain=True)  # årsrapporter are the Norwegian chain's
    if not schools.exists():
        raise Http404
    form = BatchForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_start(
                actor=request.user,  # type: ignore[arg-type]
                school=form.school,
                school_year=form.cleaned_data["school_year"],
                job=form.cleaned_data["job"],
                report_kind=form.cleaned_data["report_kind"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("reports:batch_detail", batch.pk)
    context = {"form": form, "batches": selectors.batches_for(request.user)}
    return render(request, "reports/batch_list.html", context)


@never_cache
@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: str) -> HttpResponse:
    batch = selectors.batch_for(request.user, pk)
    return render(request, "reports/batch_detail.html", {"batch": batch, "progress": selectors.batch_progress(batch)})


@never_cache
@login_required
@require_GET
def batch_progress(request: HttpRequest, pk: str) -> HttpResponse:
    batch = selectors.batch_for(request.user, pk)
    return render(
        request, "reports/_batch_progress.html", {"batch": batch, "progress": selectors.batch_progress(batch)}
    )


@never_cache
@login_required
@require_GET
def batch_zip(request: HttpRequest, pk: str) -> FileResponse:
    batch = selectors.batch_for(request.user, pk)
    if batch.job != ReportBatch.Job.ZIP or not batch.archive:
        raise Http404
    # Each pupil's report inside the file is a read of its own.
    items = ReportBatchItem.objects.filter(batch=batch, status=ReportBatchItem.Status.DONE, report__isnull=False)
    iop_services.log_reads(
        actor=request.user,  # type: ignore[arg-type]
        reads=[(item.pupil, Kind.REPORT, item.report_id) for item in items.select_related("pupil")],
        purpose=Purpose.ZIP,
    )
    # The kind in the name: the årsrapporter and the halvårsrapporter of a year are two files.
    name = f"rapporter-{batch.report_kind}-{batch.school.name}-{batch.school_year.name}.zip"
    name = name.lower().replace(" ", "-").replace("/", "-")
    response = FileResponse(batch.archive.open("rb"), content_type="application/zip")
    response["Content-Disposition"] = documents.disposition(name)
    for key, value in PDF_HEADERS.items():
        response[key] = value
    return response


# --- innsyn and archive export (forvaltningsloven §§ 18–19, arkivlova) -----------------------


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = documents.disposition(filename)
    for key, value in PDF_HEADERS.items():
        response[key] = value
    return response


@never_cache
@login_required
@require_GET
def pupil_file_pdf(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """The pupil's whole file as one PDF (made on a worker when large)."""
    return documents.respond(request, "innsyn", pupil_id)


@never_cache
@login_required
@require_GET
def pupil_file_json(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """The pupil's whole file as one JSON document (schema in
    :mod:`students.pupil_file`), made on a worker: a redirect to its job."""
    return documents.respond(request, "innsyn_json", pupil_id)


@never_cache
@login_required
@require_GET
def pupil_archive_zip(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """The archive export: every document as PDF/A with ``metadata.json``, in
    one ZIP made on a worker: a redirect to its job."""
    return documents.respond(request, "archive", pupil_id)
