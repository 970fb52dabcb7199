"""Writes on reports and batches: ``<thing>_<verb>(*, actor, ...)``, atomic,
permission-checked through the access layer, validated with ``full_clean()``.

A report's life: :func:`report_create` makes a draft from the IOP's logs
(with a positive suggestion of what the pupil now masters for each goal),
:func:`report_update` saves the teacher's texts (optimistic concurrency on
``version``), :func:`report_finalise` renders the PDF/A once and keeps it with
its SHA-256 (the report never changes after that), :func:`report_publish`
makes it visible to the guardians.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from iop import concurrency, signals
from iop import services as iop_services
from iop.limits import PDF_WEB_MAX_CHARS
from iop.models import Iop, IopVersion, Level
from iop.templatetags.iop_levels import PLAIN_WORDS
from students import access
from students.access import Action
from students.models import Pupil, School, SchoolYear, User

from . import selectors
from .models import PdfJob, Report, ReportBatch, ReportBatchItem, ReportGoal, ReportSubject

if TYPE_CHECKING:
    from . import rendering

logger = logging.getLogger(__name__)

Item = ReportBatchItem.Status


class ReportIntegrityError(Exception):
    """A stored PDF no longer matches its checksum (or is missing)."""


def _require(actor: User | None, action: Action, pupil: Pupil) -> None:
    if actor is None or not access.can(actor, action, pupil):
        raise PermissionDenied


def _require_not_archive(report: Report) -> None:
    """A report the pupil's former school wrote is archive: read-only for everyone."""
    if selectors.written_at(report) is not None:
        raise PermissionDenied


def language_of(pupil: Pupil) -> str:
    """A report is written in the school's language (its målform), not in a
    user's own language (``User.language``): see :mod:`iop.reports.pdfs`."""
    return pupil.school.language or settings.LANGUAGE_CODE


def default_period(iop: Iop, kind: str) -> tuple[datetime.date, datetime.date]:
    if kind == Report.Kind.HALVAARSRAPPORT:
        middle = iop.period_start + (iop.period_end - iop.period_start) / 2
        return iop.period_start, middle
    return iop.period_start, iop.period_end


def masters_suggestion(row: selectors.GoalRow) -> str:
    """A positive first draft of "what the pupil now masters": the criteria
    of the levels reached, and the progress made (seed 003), the levels in
    the words the guardians read them in (the report is written to them)."""
    lines: list[str] = []
    for axis, start, latest, criterion in (
        (_("quality"), row.start_quality, row.latest_quality, row.latest_quality_criterion),
        (_("independence"), row.start_independence, row.latest_independence, row.latest_independence_criterion),
    ):
        if not latest:
            continue
        if criterion.strip():
            lines.append(criterion.strip())
        if start and latest > start:
            lines.append(
                _("The pupil has progressed from «%(start)s» to «%(latest)s» in %(axis)s.")
                % {
                    "start": PLAIN_WORDS[Level(start)],
                    "latest": PLAIN_WORDS[Level(latest)],
                    "axis": axis,
                }
            )
        elif not criterion.strip():
            lines.append(
                _("The pupil has reached the level «%(latest)s» in %(axis)s.")
                % {"latest": PLAIN_WORDS[Level(latest)], "axis": axis}
            )
    return "\n".join(lines)


def _touch(report: Report) -> None:
    report.version += 1
    report.updated_at = timezone.now()


# --- reports --------------------------------------------------------------------------


@transaction.atomic
def report_create(*, actor: User | None, iop: Iop, kind: str = Report.Kind.AARSRAPPORT) -> Report:
    """A draft report on IOP, pre-filled from its logs and sections: one text
    per goal and per subject of the IOP as last published (a report goes to
    the guardians; a goal added since and not yet published is not reported
    on, see :func:`iop.reports.selectors.build_document`). The school's
    batch of drafts makes each pupil's draft here."""
    pupil = Pupil.objects.select_related("school").get(pk=iop.pupil_id)
    _require(actor, Action.EDIT, pupil)
    if kind not in Report.Kind.values:
        raise ValidationError(_("Unknown kind of report."))
    if iop.status == Iop.Status.DRAFT:
        raise ValidationError(_("The IOP is still a draft. Publish the IOP before writing a report on it."))
    if Report.objects.filter(iop=iop, kind=kind).exists():
        raise ValidationError(_("There is already a report of this kind on this IOP."), code="exists")
    start, end = default_period(iop, kind)
    doc = selectors.build_document(iop, pupil, start, end, chart=False, published_only=True)
    if not doc.goals:
        if doc.unpublished_goals:
            raise ValidationError(
                _("None of the IOP's learning goals has been published. Publish the IOP's changes first."),
                code="no_goals",
            )
        raise ValidationError(_("The IOP has no learning goals, so there is nothing to report on."), code="no_goals")
    language = language_of(pupil)
    report = Report(
        kind=kind,
        pupil=pupil,
        iop=iop,
        period_start=start,
        period_end=end,
        language=language,
        created_by=actor,
    )
    with translation.override(language):
        report.full_clean()
        report._history_user = actor  # type: ignore[attr-defined]
        report.save()
        # With history, so that later edits are merged against the first texts.
        bulk_create_with_history(
            [
                ReportGoal(report=report, goal=row.goal, masters=masters_suggestion(row), order=n)
                for n, row in enumerate(doc.goals)
            ],
            ReportGoal,
            default_user=actor,
        )
        bulk_create_with_history(
            [
                ReportSubject(
                    report=report,
                    section=s.section,
                    organisation_used=s.section.organisation if s.section else "",
                    order=n,
                )
                for n, s in enumerate(doc.subjects)
            ],
            ReportSubject,
            default_user=actor,
        )
    return report


REPORT_FIELDS = ("summary", "organisation", "period_start", "period_end")


def _text_values(rows: list[Any], prefix: str, attr: str) -> dict[str, Any]:
    return {f"{prefix}{row.pk}": getattr(row, attr) for row in rows}


def _children_at(records: list[Any], prefix: str, attr: str, moment: datetime.datetime) -> dict[str, Any]:
    """{"<prefix><pk>": text} of the child rows as they were at MOMENT (a row
    first recorded later counts with its first recorded text)."""
    out: dict[str, Any] = {}
    for record in records:  # oldest first
        key = f"{prefix}{record.id}"
        if record.history_date <= moment or key not in out:
            out[key] = getattr(record, attr)
    return out


def _report_history(
    current: Report, version: int, names: list[str]
) -> tuple[dict[str, Any] | None, list[concurrency.Step]]:
    """The base (the report and its goal/subject texts at VERSION) and the
    later saves, from the history of the report and of its text rows (a save
    writes the rows first, then the report, so a report record's time covers
    its rows)."""
    current_values = {
        **{n: getattr(current, n) for n in REPORT_FIELDS},
        **_text_values(list(current.goal_texts.all()), "goal_", "masters"),
        **_text_values(list(current.subject_texts.all()), "subject_", "organisation_used"),
    }
    if version == current.version:
        return {n: current_values.get(n) for n in names}, []
    base = Report.history.filter(id=current.pk, version=version).order_by("-history_id").first()
    if base is None:
        return None, []
    later = list(
        Report.history.filter(id=current.pk, history_id__gt=base.history_id)
        .select_related("history_user")
        .order_by("history_id")
    )
    goals = list(ReportGoal.history.filter(report_id=current.pk).order_by("history_date", "history_id"))
    subjects = list(ReportSubject.history.filter(report_id=current.pk).order_by("history_date", "history_id"))

    def values(record: Any) -> dict[str, Any]:
        out = {**current_values}  # rows never recorded: as they are now
        out.update({n: getattr(record, n) for n in REPORT_FIELDS})
        out.update(_children_at(goals, "goal_", "masters", record.history_date))
        out.update(_children_at(subjects, "subject_", "organisation_used", record.history_date))
        return {n: out.get(n) for n in names}

    steps = [
        concurrency.Step(
            r.history_user_id, r.history_user.full_name if r.history_user else "", r.history_date, values(r)
        )
        for r in later
    ]
    return values(base), steps


@transaction.atomic
def report_update(
    *,
    actor: User,
    report: Report,
    version: int,
    data: Mapping[str, Any],
    goal_texts: Mapping[int, str] | None = None,
    subject_texts: Mapping[int, str] | None = None,
) -> Report:
    """Save the teacher's texts on a draft, merged field by field (the
    report's fields and each goal's and subject's text) against VERSION,
    the version the teacher started from (see :mod:`iop.concurrency`).

    Raises :class:`iop.concurrency.EditConflict` (nothing written) when
    somebody else changed a text the teacher changed too; ValidationError
    (code "finalised") on a finalised report. Nothing changed: no new version."""
    _require(actor, Action.EDIT, report.pupil)
    _require_not_archive(report)
    current = Report.objects.select_for_update().get(pk=report.pk)
    if not current.is_draft:
        raise ValidationError(_("A finalised report can not be changed."), code="finalised")
    goals = {row.pk: row for row in ReportGoal.objects.filter(report=current)}
    subjects = {row.pk: row for row in ReportSubject.objects.filter(report=current)}
    submitted: dict[str, Any] = {name: data[name] for name in REPORT_FIELDS if name in data}
    submitted.update({f"goal_{pk}": text for pk, text in (goal_texts or {}).items() if pk in goals})
    submitted.update({f"subject_{pk}": text for pk, text in (subject_texts or {}).items() if pk in subjects})
    names = list(submitted)
    base, steps = _report_history(current, version, names)
    now = {
        **{n: getattr(current, n) for n in REPORT_FIELDS},
        **_text_values(list(goals.values()), "goal_", "masters"),
        **_text_values(list(subjects.values()), "subject_", "organisation_used"),
    }
    write, clashes, adopt = concurrency.merge_values(
        base=base, steps=steps, current={n: now.get(n) for n in names}, submitted=submitted, actor_id=actor.pk
    )
    if clashes:
        raise concurrency.EditConflict(current, clashes, adopt)
    current.merged = concurrency.Merged(list(write), adopt)  # type: ignore[attr-defined]
    if write:
        for name, value in write.items():
            kind, _sep, pk = name.partition("_")
            row: ReportGoal | ReportSubject | None = None
            if kind == "goal" and pk.isdigit():
                row = goals[int(pk)]
                row.masters = value
            elif kind == "subject" and pk.isdigit():
                row = subjects[int(pk)]
                row.organisation_used = value
            else:
                setattr(current, name, value)
                continue
            row._history_user = actor  # type: ignore[union-attr]
            row.full_clean()
            row.save()
        _touch(current)
        current._history_user = actor  # type: ignore[attr-defined]
        current.full_clean()
        current.save()
    report.__dict__.update({k: getattr(current, k) for k in (*REPORT_FIELDS, "version", "updated_at")})
    return current


def _context(report: Report, doc: selectors.ReportDocument, *, draft: bool, doc_date: datetime.date) -> dict[str, Any]:
    return {
        "report": report,
        "doc": doc,
        "pupil": doc.pupil,
        "title": _("%(kind)s %(year)s") % {"kind": report.short_kind, "year": report.iop.school_year.name},
        "draft": draft,
        "doc_date": doc_date,
    }


def render_report(
    report: Report,
    *,
    archive: bool = False,
    fetcher: rendering.StaticOnlyFetcher | None = None,
    max_chars: int | None = PDF_WEB_MAX_CHARS,
) -> rendering.Rendered:
    """Render REPORT as it stands (a draft carries a DRAFT banner).

    Raises :class:`iop.limits.TooLargeToRender` (a ``ValidationError``) when the
    HTML exceeds MAX_CHARS characters (``None``: no cap, for workers)."""
    from . import rendering  # WeasyPrint is imported only by processes that render

    language = report.language or language_of(report.pupil)
    doc_date = timezone.localdate(report.finalised_at) if report.finalised_at else timezone.localdate()
    with translation.override(language):
        doc = selectors.report_document(report)
        context = _context(report, doc, draft=report.is_draft and not archive, doc_date=doc_date)
        return rendering.render_pdf(
            "reports/pdf/report.html",
            context,
            language=language,
            archive=archive,
            identifier=f"report:{report.pk}:{report.version}",
            fetcher=fetcher,
            max_chars=max_chars,
        )


def finalise_warning(report: Report, today: datetime.date) -> str | None:
    """What to tell the user before finalising REPORT on TODAY, or None: its
    period has not ended yet. Finalising early is allowed (a pupil moving
    away needs the report now), but a finalised report never changes."""
    if report.period_end <= today:
        return None
    return _("The period of the report does not end until %(date)s. A finalised report cannot be changed.") % {
        "date": formats.date_format(report.period_end, "DATE_FORMAT")
    }


@transaction.atomic
def report_finalise(*, actor: User, report: Report, version: int) -> Report:
    """Date the report, render it once as PDF/A and keep the file with its
    checksum. From now on it never changes."""
    _require(actor, Action.EDIT, report.pupil)
    _require_not_archive(report)
    current = Report.objects.select_for_update().select_related("iop__school_year", "iop__vedtak").get(pk=report.pk)
    current.pupil = report.pupil
    if not current.is_draft:
        raise ValidationError(_("The report is already finalised."), code="finalised")
    try:
        concurrency.require_unchanged_by_others(current, version=version, actor=actor)
    except concurrency.EditConflict:
        raise ValidationError(
            _("Someone else saved this report while you were reading it. Look at the changes and finalise again."),
            code="conflict",
        ) from None
    if not current.summary.strip():
        raise ValidationError({"summary": _("Write a summary before finalising the report.")})
    current.finalised_at = timezone.now()
    current.finalised_by = actor
    current.status = Report.Status.FINALISED
    _touch(current)
    rendered = render_report(current, archive=True)
    current.pdf.save(f"{current.pk}.pdf", ContentFile(rendered.pdf), save=False)
    current.pdf_sha256 = rendered.sha256
    current.pdf_size = len(rendered.pdf)
    current.full_clean()
    current._history_user = actor  # type: ignore[attr-defined]
    current.save()
    transaction.on_commit(
        lambda: signals.report_finalised.send(sender=Report, report=current, actor=actor), robust=True
    )
    return current


@transaction.atomic
def report_publish(*, actor: User, report: Report) -> Report:
    """Make a finalised report visible to the guardians."""
    _require(actor, Action.EDIT, report.pupil)
    _require_not_archive(report)
    current = Report.objects.select_for_update().get(pk=report.pk)
    if current.is_draft:
        raise ValidationError(_("Finalise the report before publishing it."))
    if current.is_published:
        return current
    current.status = Report.Status.PUBLISHED
    current.published_at = timezone.now()
    current.published_by = actor
    current.full_clean()
    current._history_user = actor  # type: ignore[attr-defined]
    current.save(update_fields=["status", "published_at", "published_by"])
    transaction.on_commit(
        lambda: signals.report_published.send(sender=Report, report=current, actor=actor), robust=True
    )
    return current


@transaction.atomic
def report_record_sent(*, actor: User, report: Report, recipient: str, sent_on: datetime.date) -> Report:
    """Record that the finalised REPORT was sent to RECIPIENT (a
    :class:`Report.Recipient` value: the pupil and guardians, or the school
    owner) on SENT_ON. The årsrapport goes to both (opplæringslova § 11-10);
    each gets its own date. Recording again corrects the date (history keeps both).

    ValidationError when the report is a draft, the recipient is unknown, or
    the date is in the future or before the report was finalised."""
    _require(actor, Action.EDIT, report.pupil)
    if recipient not in Report.Recipient.values:
        raise ValidationError({"recipient": _("Choose who the report was sent to.")})
    current = Report.objects.select_for_update().get(pk=report.pk)
    if current.is_draft:
        raise ValidationError(_("Finalise the report before recording that it was sent."))
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("The date the report was sent can not be in the future.")})
    finalised = timezone.localdate(current.finalised_at) if current.finalised_at else None
    if finalised is not None and sent_on < finalised:
        raise ValidationError(
            {
                "sent_on": _("The report was finalised on %(date)s; it can not have been sent before that.")
                % {"date": formats.date_format(finalised, "DATE_FORMAT")}
            }
        )
    field = Report.SENT_FIELDS[Report.Recipient(recipient)]
    setattr(current, field, sent_on)
    current.full_clean()
    current._history_user = actor  # type: ignore[attr-defined]
    current.save(update_fields=[field])
    return current


def stored_pdf(report: Report) -> bytes:
    """The kept PDF of a finalised report, checked against its checksum."""
    if not report.pdf:
        raise ReportIntegrityError(str(report.pk))
    try:
        with report.pdf.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        logger.error("Stored PDF of report %s cannot be read: %s (%s)", report.pk, report.pdf.name, exc.strerror)
        raise ReportIntegrityError(str(report.pk)) from exc
    if hashlib.sha256(data).hexdigest() != report.pdf_sha256:
        logger.error("Stored PDF of report %s does not match its checksum", report.pk)
        raise ReportIntegrityError(str(report.pk))
    return data


def report_pdf(report: Report) -> bytes:
    """The PDF to download: the kept file once finalised, else a fresh draft."""
    if report.is_draft:
        return render_report(report).pdf
    return stored_pdf(report)


def _identity(published: bool | IopVersion) -> str:
    if isinstance(published, IopVersion):
        return f"v{published.number}"
    return "published" if published else "live"


def render_iop(
    iop: Iop,
    pupil: Pupil,
    *,
    fetcher: rendering.StaticOnlyFetcher | None = None,
    max_chars: int | None = PDF_WEB_MAX_CHARS,
    published: bool | IopVersion = False,
) -> rendering.Rendered:
    """The IOP itself as PDF, in the school's language; with PUBLISHED (for a
    guardian) the IOP as last published, not the live plan; PUBLISHED may
    also name one published version (:class:`~iop.models.IopVersion`) to print.

    Raises :class:`iop.limits.TooLargeToRender` when the HTML exceeds MAX_CHARS characters."""
    from . import rendering

    language = language_of(pupil)
    with translation.override(language):
        doc = selectors.build_document(iop, pupil, iop.period_start, iop.period_end, chart=False, published=published)
        context = {
            "doc": doc,
            "pupil": pupil,
            "title": _("Individual education plan (IOP) %(year)s") % {"year": iop.school_year.name}
            + (
                " – " + _("published version %(number)s") % {"number": published.number}
                if isinstance(published, IopVersion)
                else ""
            ),
            "draft": iop.status == Iop.Status.DRAFT and not isinstance(published, IopVersion),
            # Staff print the live plan: a published one may hold changes the guardians have not seen.
            "unpublished_changes": published is False
            and iop.status == Iop.Status.PUBLISHED
            and not iop_services.unchanged_since_published(iop),
            "doc_date": timezone.localdate(published.published_at)
            if isinstance(published, IopVersion)
            else timezone.localdate(),
            # A guardian's copy names the levels and axes in the words of their pages.
            "plain": published is True,
            "levels": list((PLAIN_WORDS if published is True else selectors.LEVEL_LABELS).values()),
        }
        return rendering.render_pdf(
            "reports/pdf/iop.html",
            context,
            language=language,
            identifier=f"iop:{iop.pk}:{iop.version}:{_identity(published)}",
            fetcher=fetcher,
            max_chars=max_chars,
        )


# --- batches ----------------------------------------------------------------------------


def _enqueue(item_ids: list[int]) -> None:
    """One task per item, sent when the transaction commits (to the queue
    ``settings.REPORTS_TASK_QUEUE`` when set, so rendering can get its own workers)."""
    from . import tasks

    options = {"queue": queue} if (queue := getattr(settings, "REPORTS_TASK_QUEUE", "")) else {}
    for item_id in item_ids:
        transaction.on_commit(
            lambda item_id=item_id: tasks.run_batch_item.apply_async((item_id,), **options)  # type: ignore[misc]
        )


@transaction.atomic
def batch_start(
    *,
    actor: User,
    school: School,
    school_year: SchoolYear,
    job: str,
    report_kind: str = Report.Kind.AARSRAPPORT,
) -> ReportBatch:
    """Start a batch over SCHOOL: one item and one task per pupil."""
    if not access.managed_schools(actor, chain=True).filter(pk=school.pk).exists():
        raise PermissionDenied
    if school_year.school_id != school.pk:
        raise ValidationError({"school_year": _("The school year does not belong to the school.")})
    batch = ReportBatch(job=job, report_kind=report_kind, school=school, school_year=school_year, created_by=actor)
    batch.full_clean()
    batch.save()
    items: dict[uuid.UUID, ReportBatchItem] = {}
    for iop in selectors.active_iops(school.pk, school_year.pk).order_by("pupil__last_name", "pupil__first_name"):
        items[iop.pupil_id] = ReportBatchItem(batch=batch, pupil_id=iop.pupil_id, iop=iop)
    if job == ReportBatch.Job.ZIP:
        for item in items.values():
            item.status = Item.SKIPPED
            item.message = _("No finalised report yet.")
        for report in selectors.finalised_reports(school.pk, school_year.pk, report_kind):
            item = items.setdefault(report.pupil_id, ReportBatchItem(batch=batch, pupil_id=report.pupil_id))
            item.iop_id, item.report, item.status, item.message = report.iop_id, report, Item.PENDING, ""
    ReportBatchItem.objects.bulk_create(list(items.values()))
    pending = list(batch.items.filter(status=Item.PENDING).values_list("pk", flat=True))
    if pending:
        _enqueue(pending)
    else:
        _finish(batch)
    return batch


def _run_drafts_item(item: ReportBatchItem) -> tuple[str, str]:
    batch = item.batch
    if item.iop is None:
        return Item.SKIPPED, _("The pupil has no active IOP.")
    existing = Report.objects.filter(iop=item.iop, kind=batch.report_kind).first()
    if existing is not None:
        item.report = existing
        return Item.SKIPPED, _("A report already exists.")
    report = report_create(actor=batch.created_by, iop=item.iop, kind=batch.report_kind)
    item.report = report
    report.pupil = Pupil.objects.select_related("school").get(pk=report.pupil_id)
    render_report(report, max_chars=None)  # proves the draft renders; a failure is reported for this pupil
    return Item.DONE, ""


def _run_zip_item(item: ReportBatchItem) -> tuple[str, str]:
    if item.report is None:
        return Item.SKIPPED, _("No finalised report yet.")
    stored_pdf(item.report)
    return Item.DONE, ""


def batch_item_run(*, item_id: int) -> ReportBatchItem | None:
    """Run one pupil's part of a batch (idempotent: a finished item is left alone).
    A failure is recorded on the item with its reason; the others go on."""
    with transaction.atomic():
        item = (
            ReportBatchItem.objects.select_for_update(of=("self",))
            .select_related("batch__created_by", "iop", "report__pupil")
            .filter(pk=item_id)
            .first()
        )
        if item is None or item.status in ReportBatchItem.TERMINAL:
            return item
        item.attempts += 1
        item.save(update_fields=["attempts"])
    try:
        with transaction.atomic():
            run = _run_zip_item if item.batch.job == ReportBatch.Job.ZIP else _run_drafts_item
            status, message = run(item)
    except ValidationError as exc:
        status, message = Item.FAILED, " ".join(exc.messages)
    except PermissionDenied:
        status, message = Item.FAILED, _("You no longer have access to this pupil.")
    except ReportIntegrityError:
        status, message = Item.FAILED, _("The stored PDF is missing or does not match its checksum.")
    except Exception as exc:
        logger.exception("Report batch item %s failed", item_id)
        status, message = (
            Item.FAILED,
            _("Unexpected error (%(error)s). The others are not affected.") % {"error": type(exc).__name__},
        )
    if status == Item.FAILED and item.batch.job == ReportBatch.Job.DRAFTS:
        item.report = None  # the draft was rolled back
    with transaction.atomic():
        ReportBatchItem.objects.filter(pk=item.pk).update(
            status=status, message=message[:2000], report=item.report, updated_at=timezone.now()
        )
        _item_finished(item.batch_id)
    item.status, item.message = status, message
    return item


def _item_finished(batch_id: uuid.UUID) -> None:
    batch = ReportBatch.objects.select_for_update().get(pk=batch_id)
    if batch.is_done or batch.items.exclude(status__in=ReportBatchItem.TERMINAL).exists():
        return
    if batch.job == ReportBatch.Job.ZIP:
        # Writing the school's ZIP is a task of its own, with a time limit for a large school.
        from . import tasks

        options = {"queue": queue} if (queue := getattr(settings, "REPORTS_TASK_QUEUE", "")) else {}
        transaction.on_commit(lambda: tasks.finish_batch.apply_async((str(batch_id),), **options))  # type: ignore[attr-defined]
        return
    _finish(batch)


def batch_finish(*, batch_id: uuid.UUID | str) -> ReportBatch | None:
    """Close the batch BATCH_ID once every item is finished, writing a ZIP
    batch's archive (idempotent: a closed batch, or one with items still
    running, is left alone)."""
    with transaction.atomic():
        batch = ReportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.is_done or batch.items.exclude(status__in=ReportBatchItem.TERMINAL).exists():
            return batch
        _finish(batch)
    return batch


#: Bytes copied at a time into the school's ZIP.
ZIP_CHUNK = 1024 * 1024


def _write_zip(batch: ReportBatch, done: Iterable[ReportBatchItem]) -> None:
    """Write BATCH's archive: each finalised report's stored PDF copied into a
    ZIP in a temporary file on disk a chunk at a time (never a whole school,
    nor a whole PDF, in memory), with ``SHA256SUMS.txt``; then the file is
    stored as ``batch.archive`` with its SHA-256 (not saved: the caller saves)."""
    sums: list[str] = []
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for item in done:
                report = item.report
                assert report is not None
                name = f"{str(report.pk)[:8]}-{report.filename()}"
                info = zipfile.ZipInfo(name, date_time=timezone.localtime(report.finalised_at).timetuple()[:6])
                with report.pdf.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, ZIP_CHUNK)
                sums.append(f"{report.pdf_sha256}  {name}")
            archive.writestr("SHA256SUMS.txt", "\n".join(sums) + "\n")
        handle.seek(0)
        digest = hashlib.sha256()
        while chunk := handle.read(ZIP_CHUNK):
            digest.update(chunk)
        handle.seek(0)
        batch.archive.save(f"{batch.pk}.zip", File(handle), save=False)
    batch.archive_sha256 = digest.hexdigest()


def _finish(batch: ReportBatch) -> None:
    """Close BATCH (its rows locked by the caller); a ZIP batch writes its archive."""
    if batch.job == ReportBatch.Job.ZIP:
        done = (
            ReportBatchItem.objects.filter(batch=batch, status=Item.DONE)
            .select_related("report__pupil")
            .order_by("pupil__last_name", "pupil__first_name", "pk")
        )
        if done.exists():
            _write_zip(batch, done.iterator(chunk_size=200))
        else:
            batch.error = _("There are no finalised reports to collect.")
    batch.status = ReportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save()


# --- PDFs made on a worker --------------------------------------------------------------

#: How long a PDF made on a worker is kept for the person who asked for it.
PDF_JOB_KEEP = datetime.timedelta(hours=24)


@transaction.atomic
def pdf_job_start(*, actor: User, document: str, object_id: str) -> PdfJob:
    """Ask a worker for document DOCUMENT of OBJECT_ID as ACTOR (see
    :mod:`iop.reports.documents`). The record is resolved as ACTOR first
    (``Http404`` when they may not read it). A job of the same person for the
    same record still being made is returned instead of a second one (a
    double click starts one render)."""
    from . import documents, tasks

    pupil = documents.resolve_pupil(document, actor, object_id)
    access_pupil = Pupil.objects.select_for_update().filter(pk=pupil.pk)
    list(access_pupil.values_list("pk", flat=True))  # one start at a time per pupil
    running = PdfJob.objects.filter(
        requested_by=actor, document=document, object_id=object_id, status=PdfJob.Status.PENDING
    ).first()
    if running is not None:
        return running
    job = PdfJob(document=document, object_id=object_id, pupil=pupil, requested_by=actor)
    job.full_clean()
    job.save()
    options = {"queue": queue} if (queue := getattr(settings, "REPORTS_TASK_QUEUE", "")) else {}
    transaction.on_commit(lambda: tasks.make_pdf.apply_async((str(job.pk),), **options))  # type: ignore[attr-defined]
    return job


def pdf_job_run(*, job_id: uuid.UUID | str) -> PdfJob | None:
    """Render a waiting job without the web's size cap (idempotent: a
    finished job is left alone). A refusal (the person lost access, the
    record is gone) or a failure is kept on the job with its reason."""
    from django.http import Http404

    from . import documents

    job = PdfJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or not job.is_pending:
        return job
    try:
        made = documents.make(job.document, job.requested_by, job.object_id, None)
    except (Http404, PermissionDenied):
        status, error, made = PdfJob.Status.FAILED, _("You no longer have access to this document."), None
    except ValidationError as exc:
        status, error, made = PdfJob.Status.FAILED, " ".join(exc.messages), None
    except Exception as exc:
        logger.exception("PDF job %s failed", job_id)
        status, error, made = (
            PdfJob.Status.FAILED,
            _("Unexpected error (%(error)s).") % {"error": type(exc).__name__},
            None,
        )
    else:
        status, error = PdfJob.Status.DONE, ""
    try:
        with transaction.atomic():
            current = PdfJob.objects.select_for_update().filter(pk=job.pk).first()
            if current is None or not current.is_pending:
                return current
            if made is not None:
                suffix = made.filename.rsplit(".", 1)[-1] if "." in made.filename else "pdf"
                content = File(made.file) if made.file is not None else ContentFile(made.pdf)
                current.pdf.save(f"{current.pk}.{suffix}", content, save=False)
                current.filename, current.log_kind = made.filename[:200], made.kind
                current.log_reads = [[kind, str(object_id)] for kind, object_id in made.reads]
                current.log_purpose = made.purpose
            current.status, current.error, current.finished_at = status, error[:2000], timezone.now()
            current.save()
    finally:
        if made is not None and made.file is not None:
            made.file.close()  # a temporary file: deleted on close
    return current


def pdf_jobs_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the jobs (and their files) asked for more than
    :data:`PDF_JOB_KEEP` before NOW; the number deleted."""
    limit = (now or timezone.now()) - PDF_JOB_KEEP
    count = 0
    for job in PdfJob.objects.filter(created_at__lt=limit):
        if job.pdf:
            job.pdf.delete(save=False)
        job.delete()
        count += 1
    return count
