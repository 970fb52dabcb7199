"""The Swedish support chain: extra anpassningar → utredning → the rektor's
decision (åtgärdsprogram, or a decision not to draw one up) → follow-up and
evaluation, with the appeal register. See the package docstring for the terms.

Records that document a pupil's rights are never deleted with the pupil
(``PROTECT``); a decided programme is frozen: a change is a new decision.
"""

from __future__ import annotations

import datetime
import textwrap
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from iop.limits import FreeTextField, validate_date_window
from students.models import Pupil

USER = settings.AUTH_USER_MODEL

#: An appeal to Skolväsendets överklagandenämnd is made within three weeks of
#: the day the decision was notified (skollagen 28 kap. 16 §, förvaltningslagen 44 §).
APPEAL_DAYS = 21


class ExtraAnpassning(models.Model):
    """An extra adaptation inside ordinary teaching (3 kap. 5 §): documented
    and followed up, no formal decision."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In use")
        ENDED = "ended", pgettext_lazy("extra adaptation", "Ended")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="extra_anpassningar", verbose_name=_("pupil")
    )
    subject = models.CharField(_("subject"), max_length=100, blank=True, help_text=_("Empty: in all subjects."))
    description = FreeTextField(_("the adaptation"), help_text=_("What the school does differently, and how."))
    responsible = models.CharField(_("responsible"), max_length=200)
    start_date = models.DateField(_("from"), default=timezone.localdate, validators=[validate_date_window])
    follow_up_on = models.DateField(_("follow-up date"), validators=[validate_date_window])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("documented by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("extra adaptation")
        verbose_name_plural = _("extra adaptations")
        ordering = ["-start_date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=F("follow_up_on")),
                name="anpassning_follow_up_after_start",
                violation_error_message=_("The follow-up date can not be before the start."),
            )
        ]

    def __str__(self) -> str:
        text = textwrap.shorten(self.description, 80, placeholder=" …")  # at a word, marked as cut
        return f"{self.subject}: {text}" if self.subject else text

    @property
    def is_planned(self) -> bool:
        """In use from a day still to come: not tried yet, nor followed up."""
        return self.status == self.Status.ACTIVE and self.start_date > timezone.localdate()


class ExtraAnpassningUppfoljning(models.Model):
    """A follow-up of an extra adaptation: its effect and what happens next."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        CHANGE = "change", _("Change the adaptation")
        END = "end", _("End: no longer needed")
        NOT_ENOUGH = "not_enough", _("Not enough: start an investigation of särskilt stöd")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    anpassning = models.ForeignKey(
        ExtraAnpassning, on_delete=models.PROTECT, related_name="uppfoljningar", verbose_name=_("extra adaptation")
    )
    date = models.DateField(_("date"), default=timezone.localdate, validators=[validate_date_window])
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    effect = FreeTextField(_("effect"), help_text=_("What the adaptation has given the pupil."))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)

    class Meta:
        verbose_name = _("follow-up of an extra adaptation")
        verbose_name_plural = _("follow-ups of extra adaptations")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_outcome_display()}"


class Utredning(models.Model):
    """The investigation of a pupil's need for särskilt stöd (3 kap. 8 §),
    with elevhälsan's social, psychological, medical and special-needs parts
    where they are needed."""

    #: Elevhälsan's parts, in this order (SKOLFS 2014:40, 2.2).
    ELEVHALSA_FIELDS = ("social", "psykologisk", "medicinsk", "specialpedagogisk")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="utredningar", verbose_name=_("pupil"))
    started_on = models.DateField(
        pgettext_lazy("investigation", "started"), default=timezone.localdate, validators=[validate_date_window]
    )
    started_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=pgettext_lazy("investigation", "started by"),
    )
    reason = FreeTextField(
        pgettext_lazy("investigation", "reason"), help_text=_("Why the extra adaptations tried are not enough.")
    )
    anpassningar = models.ManyToManyField(
        ExtraAnpassning, blank=True, related_name="utredningar", verbose_name=_("extra adaptations tried")
    )
    pedagogisk_bedomning = FreeTextField(_("pedagogical assessment"), blank=True)
    social = FreeTextField(_("social assessment (elevhälsan)"), blank=True)
    psykologisk = FreeTextField(_("psychological assessment (elevhälsan)"), blank=True)
    medicinsk = FreeTextField(_("medical assessment (elevhälsan)"), blank=True)
    specialpedagogisk = FreeTextField(_("special-needs assessment (elevhälsan)"), blank=True)
    needs_support = models.BooleanField(_("the pupil needs särskilt stöd"), null=True, blank=True)
    concluded_on = models.DateField(_("concluded"), null=True, blank=True, validators=[validate_date_window])

    class Meta:
        verbose_name = _("investigation of särskilt stöd")
        verbose_name_plural = _("investigations of särskilt stöd")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(needs_support__isnull=False),
                name="utredning_concluded_has_answer",
                violation_error_message=_("A concluded investigation says whether the pupil needs särskilt stöd."),
            ),
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(started_on__lte=F("concluded_on")),
                name="utredning_concluded_after_start",
                violation_error_message=_("The investigation can not be concluded before it started."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Investigation %(date)s") % {"date": self.started_on.isoformat()})

    @property
    def is_concluded(self) -> bool:
        return self.concluded_on is not None


class Atgardsprogram(models.Model):
    """The rektor's decision after an investigation (3 kap. 9 §): an
    åtgärdsprogram, or a decision not to draw one up. Drafted by staff,
    decided by the rektor; once decided, its content is frozen."""

    class Kind(models.TextChoices):
        UPPRATTA = "upprata", _("Support programme (åtgärdsprogram)")
        INTE_UPPRATTA = "inte_upprata", _("Decision not to draw up a support programme")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DECIDED = "decided", _("Decided")
        EVALUATED = "evaluated", _("Evaluated: being changed")
        ENDED = "ended", pgettext_lazy("support programme", "Ended")

    #: The special forms of support only the rektor may decide, personally (3 kap. 11–12 §§).
    SPECIAL_FORMS = ("annan_elevgrupp", "enskild_undervisning", "anpassad_studiegang")
    #: The content a draft holds and a decision freezes (forms and services read this list).
    CONTENT_FIELDS = (
        "needs",
        "subjects",
        *SPECIAL_FORMS,
        "follow_up_on",
        "evaluate_on",
        "pupil_took_part",
        "pupil_comment",
        "guardians_took_part",
        "guardians_comment",
        "reason",
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="atgardsprogram", verbose_name=_("pupil"))
    kind = models.CharField(_("decision"), max_length=12, choices=Kind.choices, default=Kind.UPPRATTA)
    utredning = models.ForeignKey(
        Utredning, on_delete=models.PROTECT, related_name="beslut", verbose_name=_("investigation")
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaces"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    needs = FreeTextField(_("the pupil's needs"), blank=True)
    subjects = models.CharField(
        _("subjects"), max_length=300, blank=True, help_text=_("The subjects the support concerns, or empty.")
    )
    annan_elevgrupp = models.BooleanField(_("teaching in another group (särskild undervisningsgrupp)"), default=False)
    enskild_undervisning = models.BooleanField(_("one-to-one teaching (enskild undervisning)"), default=False)
    anpassad_studiegang = models.BooleanField(_("reduced timetable (anpassad studiegång)"), default=False)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True, validators=[validate_date_window])
    evaluate_on = models.DateField(_("evaluation date"), null=True, blank=True, validators=[validate_date_window])
    pupil_took_part = models.BooleanField(_("the pupil was given the chance to take part"), null=True, blank=True)
    pupil_comment = FreeTextField(_("the pupil's view"), blank=True)
    guardians_took_part = models.BooleanField(
        _("the guardians were given the chance to take part"), null=True, blank=True
    )
    guardians_comment = FreeTextField(_("the guardians' view"), blank=True)
    reason = FreeTextField(
        _("reasons"), blank=True, help_text=_("Why no support programme is drawn up (a decision not to draw one up).")
    )
    decided_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    #: The follow-up and evaluation dates as decided: an evaluation that
    #: continues the programme sets the next ones in ``follow_up_on`` and
    #: ``evaluate_on``, and the decision still reads as it was made.
    decided_follow_up_on = models.DateField(_("follow-up date in the decision"), null=True, blank=True, editable=False)
    decided_evaluate_on = models.DateField(_("evaluation date in the decision"), null=True, blank=True, editable=False)
    notified_on = models.DateField(
        _("notified"), null=True, blank=True, help_text=_("The day the pupil and the guardians were told.")
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("drafted by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("support programme decision")
        verbose_name_plural = _("support programme decisions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(decided_on__isnull=False),
                name="atgardsprogram_decided_has_date",
                violation_error_message=_("A decision has a date."),
            ),
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True)
                | Q(evaluate_on__isnull=True)
                | Q(follow_up_on__lte=F("evaluate_on")),
                name="atgardsprogram_follow_up_before_evaluation",
                violation_error_message=_("The follow-up date can not be after the evaluation date."),
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} {self.decided_on:%Y-%m-%d}" if self.decided_on else str(label)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_decided(self) -> bool:
        """Decided (and perhaps evaluated or ended since): what guardians may read."""
        return self.status != self.Status.DRAFT

    @property
    def is_programme(self) -> bool:
        return self.kind == self.Kind.UPPRATTA

    @property
    def special_forms(self) -> list[str]:
        """The special forms of support it holds, as their labels."""
        return [
            str(getattr(self._meta.get_field(name), "verbose_name", name))
            for name in self.SPECIAL_FORMS
            if getattr(self, name)
        ]

    @property
    def appeal_deadline(self) -> datetime.date | None:
        """Three weeks after notification (28 kap. 16 §), when notified."""
        return self.notified_on + datetime.timedelta(days=APPEAL_DAYS) if self.notified_on else None


class AtgardsprogramAtgard(models.Model):
    """One measure of an åtgärdsprogram: what is done, who is responsible, in which subject."""

    programme = models.ForeignKey(
        Atgardsprogram, on_delete=models.CASCADE, related_name="atgarder", verbose_name=_("support programme")
    )
    what = FreeTextField(_("measure"))
    responsible = models.CharField(_("responsible"), max_length=200)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return textwrap.shorten(self.what, 80, placeholder=" …")


class AtgardsprogramUtvardering(models.Model):
    """An evaluation of a decided åtgärdsprogram and its outcome."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Continue the programme")
        CHANGE = "change", _("Change the programme (a new decision)")
        END = "end", _("End the programme")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(
        Atgardsprogram, on_delete=models.PROTECT, related_name="utvarderingar", verbose_name=_("support programme")
    )
    date = models.DateField(_("date"), default=timezone.localdate, validators=[validate_date_window])
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    text = FreeTextField(_("evaluation"), help_text=_("Have the measures met the pupil's needs?"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)

    class Meta:
        verbose_name = _("evaluation of a support programme")
        verbose_name_plural = _("evaluations of support programmes")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_outcome_display()}"


class Overklagande(models.Model):
    """An appeal against a decision, in the school's register: received by
    the school, forwarded to Skolväsendets överklagandenämnd, its outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not decided yet")
        GRANTED = "granted", _("Appeal granted: the decision is changed")
        REFERRED_BACK = "referred_back", _("Referred back to the school")
        REJECTED = "rejected", _("Appeal rejected")
        DISMISSED = "dismissed", _("Appeal dismissed (avvisat)")
        CHANGED_BY_SCHOOL = "changed_by_school", _("The rektor changed the decision as asked")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(
        Atgardsprogram, on_delete=models.PROTECT, related_name="overklaganden", verbose_name=_("decision")
    )
    received_on = models.DateField(_("received"), validators=[validate_date_window])
    received_from = models.CharField(_("from"), max_length=200, help_text=_("Who appealed."))
    forwarded_on = models.DateField(
        _("forwarded to the Board of Appeal"), null=True, blank=True, validators=[validate_date_window]
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(_("outcome date"), null=True, blank=True, validators=[validate_date_window])
    registered_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=pgettext_lazy("appeal", "registered by"),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(forwarded_on__isnull=True) | Q(received_on__lte=F("forwarded_on")),
                name="overklagande_forwarded_after_received",
                violation_error_message=_("An appeal can not be forwarded before it was received."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.received_on:%Y-%m-%d} {self.received_from}"
