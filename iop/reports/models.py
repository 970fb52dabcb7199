"""Reports on an IOP and school batches that make or collect them.

* :class:`Report` – an årsrapport or halvårsrapport on one IOP: a draft made
  from the logs, edited in the browser, then *finalised* (immutable, dated,
  rendered once as PDF/A and kept with its SHA-256 checksum) and *published*
  to the guardians.
* :class:`ReportGoal` – per learning goal: what the pupil now masters,
  phrased positively (seed 003: "the report tells what the pupil CAN").
* :class:`ReportSubject` – per subject: the organisation actually used.
* :class:`ReportBatch` / :class:`ReportBatchItem` – a coordinator's batch for
  a whole school (drafts for every active IOP, or a ZIP of the year's
  finalised reports), one item and one Celery task per pupil, so progress
  and failures are visible while the others complete.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from iop.limits import FreeTextField, validate_date_window
from iop.models import Goal, Iop, IopSubject
from students.dates import short
from students.models import Pupil, School, SchoolYear

USER = settings.AUTH_USER_MODEL


def report_upload_to(instance: Report, filename: str) -> str:
    return f"reports/{instance.created_at:%Y}/{instance.pk}.pdf"


def batch_upload_to(instance: ReportBatch, filename: str) -> str:
    return f"reports/batches/{instance.created_at:%Y}/{instance.pk}.zip"


class Report(models.Model):
    class Kind(models.TextChoices):
        AARSRAPPORT = "aarsrapport", _("Annual report (årsrapport)")
        HALVAARSRAPPORT = "halvaarsrapport", _("Half-year report (halvårsrapport)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINALISED = "finalised", _("Finalised")
        PUBLISHED = "published", _("Published to guardians")

    class Recipient(models.TextChoices):
        """Who an årsrapport goes to (opplæringslova § 11-10): the pupil and
        the guardians, and the school owner. Each has its own sent date."""

        GUARDIANS = "guardians", _("The pupil and the guardians")
        SCHOOL_OWNER = "school_owner", _("The school owner")

    #: {recipient: the field holding the date the report was sent to them}
    SENT_FIELDS = {Recipient.GUARDIANS: "sent_to_guardians_on", Recipient.SCHOOL_OWNER: "sent_to_school_owner_on"}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AARSRAPPORT)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="reports", verbose_name=_("pupil"))
    iop = models.ForeignKey(Iop, on_delete=models.PROTECT, related_name="reports", verbose_name=_("IOP"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    period_start = models.DateField(_("from"), validators=[validate_date_window])
    period_end = models.DateField(_("to"), validators=[validate_date_window])
    summary = FreeTextField(
        _("summary"),
        blank=True,
        help_text=_("The teacher's overall assessment of the pupil's development. Describe what the pupil can."),
    )
    organisation = FreeTextField(
        _("organisation of the teaching"),
        blank=True,
        help_text=_("How the teaching was actually organised over the period."),
    )
    sent_to_guardians_on = models.DateField(
        _("sent to the pupil and the guardians"),
        null=True,
        blank=True,
        editable=False,
        validators=[validate_date_window],
    )
    sent_to_school_owner_on = models.DateField(
        _("sent to the school owner"), null=True, blank=True, editable=False, validators=[validate_date_window]
    )
    language = models.CharField(_("language"), max_length=2, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True, editable=False)
    finalised_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("finalised by")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("published by")
    )
    pdf = models.FileField(_("PDF"), upload_to=report_upload_to, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True, editable=False)
    pdf_size = models.PositiveIntegerField(_("size of the PDF (bytes)"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["iop", "kind"],
                name="report_one_per_iop_and_kind",
                violation_error_message=_("The IOP already has a report of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")),
                name="report_period_start_before_end",
                violation_error_message=_("The end of the period must be on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(finalised_at__isnull=False) & ~Q(pdf="") & Q(pdf_sha256__regex=r"^[0-9a-f]{64}$")),
                name="report_finalised_has_pdf_and_checksum",
                violation_error_message=_("A finalised report needs its archive PDF and checksum."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="report_published_has_date",
                violation_error_message=_("A published report needs the time it was published."),
            ),
            models.CheckConstraint(
                condition=~Q(status="draft")
                | Q(sent_to_guardians_on__isnull=True, sent_to_school_owner_on__isnull=True),
                name="report_sent_only_when_finalised",
                violation_error_message=_("A draft report can not have been sent."),
            ),
        ]
        indexes = [models.Index(fields=["pupil", "status"], name="report_pupil_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {short(self.period_start)}–{short(self.period_end)}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def sent_on(self, recipient: str) -> datetime.date | None:
        """The date the report was sent to RECIPIENT (a :class:`Recipient` value), None when not recorded."""
        return getattr(self, self.SENT_FIELDS[Report.Recipient(recipient)])

    @property
    def short_kind(self) -> str:
        return str(_("Annual report") if self.kind == self.Kind.AARSRAPPORT else _("Half-year report"))

    def filename(self) -> str:
        """The PDF's download name in the report's language, e.g.
        "halvårsrapport-haugen-olivia-2027-01-17.pdf" (letters like å kept)."""
        with translation.override(self.language or None):
            kind = self.short_kind
        words = f"{kind} {self.pupil.last_name} {self.pupil.first_name} {self.period_end:%Y-%m-%d}".lower().split()
        return "-".join("".join(c for c in word if c.isalnum() or c == "-") for word in words) + ".pdf"


class ReportGoal(models.Model):
    """The report's text on one learning goal."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="goal_texts", verbose_name=_("report"))
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("learning goal")
    )
    masters = FreeTextField(
        _("what the pupil now masters"),
        blank=True,
        help_text=_("Phrase it positively: what the pupil can do now, and how independently."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report text on a goal")
        verbose_name_plural = _("report texts on goals")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "goal"],
                name="reportgoal_unique_goal",
                violation_error_message=_("The report already has this goal."),
            )
        ]

    def __str__(self) -> str:
        return str(self.goal) if self.goal else str(_("(deleted goal)"))


class ReportSubject(models.Model):
    """The report's text on one subject: the organisation actually used."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="subject_texts", verbose_name=_("report"))
    section = models.ForeignKey(
        IopSubject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("subject")
    )
    organisation_used = FreeTextField(_("organisation actually used"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report text on a subject")
        verbose_name_plural = _("report texts on subjects")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "section"],
                name="reportsubject_unique_section",
                violation_error_message=_("The report already has this subject."),
            )
        ]

    def __str__(self) -> str:
        return str(self.section) if self.section else str(_("(deleted subject)"))


class ReportBatch(models.Model):
    """A coordinator's batch over one school and school year."""

    class Job(models.TextChoices):
        DRAFTS = "drafts", _("Make drafts for every pupil with an active IOP")
        ZIP = "zip", _("Collect the finalised reports of the year as one ZIP file")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.CharField(_("job"), max_length=10, choices=Job.choices)
    report_kind = models.CharField(
        _("kind of report"), max_length=20, choices=Report.Kind.choices, default=Report.Kind.AARSRAPPORT
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("school year")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    archive = models.FileField(_("ZIP file"), upload_to=batch_upload_to, blank=True, editable=False)
    archive_sha256 = models.CharField(_("SHA-256 of the ZIP file"), max_length=64, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report batch")
        verbose_name_plural = _("report batches")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="running") | Q(finished_at__isnull=False),
                name="reportbatch_done_has_date",
                violation_error_message=_("A finished batch needs the time it finished."),
            ),
        ]
        indexes = [models.Index(fields=["school", "-created_at"], name="reportbatch_school_idx")]

    def __str__(self) -> str:
        return f"{self.get_job_display()} – {self.school} {self.school_year.name}"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class ReportBatchItem(models.Model):
    """One pupil in a batch: its own status and, when it failed, why."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Nothing to do")
        FAILED = "failed", _("Failed")

    TERMINAL = (Status.DONE, Status.SKIPPED, Status.FAILED)

    batch = models.ForeignKey(ReportBatch, on_delete=models.CASCADE, related_name="items", verbose_name=_("batch"))
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+", verbose_name=_("pupil"))
    iop = models.ForeignKey(Iop, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("report")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(_("message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("report batch item")
        verbose_name_plural = _("report batch items")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "pupil"],
                name="reportbatchitem_unique_pupil",
                violation_error_message=_("The batch already has this pupil."),
            )
        ]
        indexes = [models.Index(fields=["batch", "status"], name="reportbatchitem_status_idx")]

    def __str__(self) -> str:
        return f"{self.pupil} – {self.get_status_display()}"


def pdf_job_upload_to(instance: PdfJob, filename: str) -> str:
    return f"reports/pdf-jobs/{instance.created_at:%Y}/{instance.pk}.pdf"


class PdfJob(models.Model):
    """A file made on a worker for the person who asked (see
    :mod:`iop.reports.documents`): a PDF too large to make while they wait,
    or one always made there (a draft report, a decision letter, an IUP,
    the whole file), or the whole file as JSON or the archive export's ZIP.

    Only that person may follow it and fetch the file, and only while they
    may still read the pupil; the file is deleted after
    :data:`iop.reports.services.PDF_JOB_KEEP` (it is a copy of confidential
    text, kept no longer than the person needs to fetch it)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.CharField(_("document"), max_length=20)
    object_id = models.CharField(_("record"), max_length=64)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+", verbose_name=_("pupil"))
    requested_by = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("asked by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    pdf = models.FileField(_("PDF"), upload_to=pdf_job_upload_to, blank=True, editable=False)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    # What the access log records when the file is fetched (an AccessLogEntry.Kind value).
    log_kind = models.CharField(_("kind of record"), max_length=20, blank=True)
    # A file of many documents (the archive export) logs one read per document when it is
    # fetched: [[AccessLogEntry.Kind value, record id], …] with LOG_PURPOSE ("": one PDF read).
    log_reads = models.JSONField(_("records in the file"), default=list, blank=True)
    log_purpose = models.CharField(_("purpose of the read"), max_length=10, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("PDF made on a worker")
        verbose_name_plural = _("PDFs made on a worker")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(finished_at__isnull=False),
                name="pdfjob_finished_has_date",
                violation_error_message=_("A finished PDF job needs the time it finished."),
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "document", "object_id"], name="pdfjob_request_idx")]

    def __str__(self) -> str:
        return f"{self.document} {self.object_id} – {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_pdf(self) -> bool:
        """Whether the file made is a PDF (not the archive's ZIP or the JSON file)."""
        return not self.filename or self.filename.lower().endswith(".pdf")
