"""Follow-up over the school year (DOMAIN.md phases 1–2 and "Årshjul").

Glossary (see DOMAIN.md):

==================  ===========================================================
model               term of art
==================  ===========================================================
Concern             bekymringsmelding – a teacher's report of concern
Kartlegging         academic and/or social assessment after a concern
Oppfolgingsplan     oppfølgingsplan – the pupil's follow-up plan
Tiltak              a measure in the plan
TiltakEvaluation    evaluation of a tiltak: ended / continued / adjusted
Referral            henvisning til PPT, with its pedagogisk rapport
Consent             samtykke – guardians' (or the adult pupil's) consent
Talk                pupil talks: oppstartsamtale, elevsamtale, mentorsamtale,
                    utviklingssamtale/utvecklingssamtal, foreldresamtale
Meeting             oppfølgingsmøte (IKO-møte / klasselærerråd) per group
Aarshjul, Duty      årshjul – the school year's duty templates
Deadline            one duty due on one date for one pupil / group / school
Notification        outbox row: an email + in-app notice, sent exactly once
==================  ===========================================================

Everything that belongs to a pupil carries a ``pupil`` foreign key so the
access layer can filter it with ``pupil__in=access.pupils_for(user, action)``;
sensitive records have UUID primary keys.
"""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from iop.collapse import HistorySeries
from iop.limits import FreeTextField, validate_date_window
from iop.models import Enkeltvedtak, Iop, Iup, SakkyndigVurdering
from students.models import Group, Pupil, School, SchoolYear, Skoleeier

from . import duty_titles

USER = settings.AUTH_USER_MODEL


class Concern(models.Model):
    """Bekymringsmelding: what a teacher observed."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        RECEIVED = "received", _("Received by leadership")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="concerns", verbose_name=_("pupil"))
    filed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    high_absence = models.BooleanField(_("high absence"), default=False)
    insufficient_benefit = models.BooleanField(_("insufficient benefit from teaching"), default=False)
    poor_wellbeing = models.BooleanField(_("poor well-being"), default=False)
    other = models.BooleanField(_("other"), default=False)
    description = FreeTextField(_("what was observed"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    received_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("received by")
    )
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    closed_note = FreeTextField(_("note on closing"), blank=True)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-filed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(high_absence=True) | Q(insufficient_benefit=True) | Q(poor_wellbeing=True) | Q(other=True),
                name="concern_has_a_category",
                violation_error_message=_("Choose at least one thing you observed."),
            )
        ]
        indexes = [models.Index(fields=["pupil", "-filed_at"], name="concern_pupil_idx")]

    def __str__(self) -> str:
        return f"{self.pupil} {self.filed_at:%Y-%m-%d}"

    def categories(self) -> list[str]:
        labels = []
        for name in ("high_absence", "insufficient_benefit", "poor_wellbeing", "other"):
            if getattr(self, name):
                labels.append(str(self._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
        return labels


class Kartlegging(models.Model):
    """An academic and/or social assessment of the pupil."""

    class Kind(models.TextChoices):
        ACADEMIC = "academic", _("Academic")
        SOCIAL = "social", _("Social")
        BOTH = "both", _("Academic and social")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="kartlegginger", verbose_name=_("pupil"))
    concern = models.ForeignKey(
        Concern,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kartlegginger",
        verbose_name=_("concern"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"), validators=[validate_date_window])
    conducted_by = models.CharField(_("conducted by"), max_length=200, help_text=_("Names and roles."))
    method = models.CharField(_("method or tool"), max_length=200, blank=True)
    result = FreeTextField(_("result"))
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("kartlegging (assessment)")
        verbose_name_plural = _("kartlegginger (assessments)")
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["pupil", "-date"], name="kartlegging_pupil_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class Oppfolgingsplan(models.Model):
    """The pupil's follow-up plan: main challenges and its tiltak."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, related_name="oppfolgingsplaner", verbose_name=_("pupil")
    )
    main_challenges = FreeTextField(_("the pupil's main challenges"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"],
                condition=Q(status="active"),
                name="oppfolgingsplan_one_active_per_pupil",
                violation_error_message=_("The pupil already has an active follow-up plan."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil} ({self.get_status_display()})"


class Tiltak(models.Model):
    """A measure in the follow-up plan (seed 004's list of what to record)."""

    class Organisation(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        GROUP = "group", _("Group based")

    class Collaboration(models.TextChoices):
        SCHOOL = "school", _("The school alone")
        WITH_OTHERS = "with_others", _("The school with others")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Oppfolgingsplan, on_delete=models.CASCADE, related_name="tiltak", verbose_name=_("plan"))
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="tiltak", verbose_name=_("pupil"))
    challenge = FreeTextField(_("challenge it addresses"))
    description = FreeTextField(_("the measure"))
    organisation = models.CharField(_("individual or group"), max_length=12, choices=Organisation.choices)
    collaboration = models.CharField(_("solved by"), max_length=12, choices=Collaboration.choices)
    partners = models.CharField(
        _("partners"), max_length=200, blank=True, help_text=_("For example PPT, OT, the health service.")
    )
    start = models.DateField(_("from"), validators=[validate_date_window])
    end = models.DateField(_("until"), validators=[validate_date_window])
    responsibilities = FreeTextField(_("who is responsible for what"))
    responsible = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("main responsible")
    )
    evaluation_date = models.DateField(_("evaluation date"), validators=[validate_date_window])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tiltak",
        verbose_name=_("decided in meeting"),
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("tiltak (measure)")
        verbose_name_plural = _("tiltak (measures)")
        ordering = ["start", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lte=F("end")),
                name="tiltak_start_before_end",
                violation_error_message=_("The end date must be on or after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(evaluation_date__gte=F("start")),
                name="tiltak_evaluated_after_start",
                violation_error_message=_("The evaluation date must be on or after the start date."),
            ),
        ]
        indexes = [models.Index(fields=["pupil", "status"], name="tiltak_pupil_idx")]

    def __str__(self) -> str:
        return self.description[:60]

    def clean(self) -> None:
        errors = {}
        if self.start and self.end and self.start > self.end:
            errors["end"] = _("The end date cannot be before the start date.")
        if self.start and self.evaluation_date and self.evaluation_date < self.start:
            errors["evaluation_date"] = _("The evaluation date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)


class TiltakEvaluation(models.Model):
    class Outcome(models.TextChoices):
        ENDED = "ended", _("Ended (avsluttes)")
        CONTINUED = "continued", _("Continued (videreføres)")
        ADJUSTED = "adjusted", _("Adjusted (justeres)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tiltak = models.ForeignKey(Tiltak, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("tiltak"))
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+", verbose_name=_("pupil"))
    date = models.DateField(_("date"), validators=[validate_date_window])
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    effect = FreeTextField(_("effect and note"))
    adjustment = FreeTextField(_("what is adjusted"), blank=True)
    next_evaluation_date = models.DateField(
        _("next evaluation"), null=True, blank=True, validators=[validate_date_window]
    )
    evaluated_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation of a tiltak")
        verbose_name_plural = _("evaluations of tiltak")
        ordering = ["date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="ended") | Q(next_evaluation_date__isnull=False),
                name="tiltakevaluation_next_date_unless_ended",
                violation_error_message=_("Give the date of the next evaluation, unless the measure has ended."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.tiltak} – {self.get_outcome_display()}"

    def clean(self) -> None:
        if self.outcome != self.Outcome.ENDED and not self.next_evaluation_date:
            raise ValidationError(
                {"next_evaluation_date": _("A continued or adjusted tiltak needs a new evaluation date.")}
            )
        if self.outcome == self.Outcome.ADJUSTED and not self.adjustment.strip():
            raise ValidationError({"adjustment": _("Describe what is adjusted.")})
        if self.next_evaluation_date and self.date and self.next_evaluation_date <= self.date:
            raise ValidationError({"next_evaluation_date": _("The next evaluation must come after this one.")})


class Referral(models.Model):
    """Henvisning til PPT with its pedagogisk rapport."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent to PPT")
        ASSESSED = "assessed", _("Expert assessment completed")
        STOPPED = "stopped", _("Stopped: the consent was withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("pupil"))
    question = FreeTextField(_("what the school asks PPT to assess"))
    report = FreeTextField(
        _("pedagogisk rapport"),
        max_length=50_000,  # compiled from every documented record, then edited; the form's limit too
        help_text=_("Pre-filled from the documented kartlegging, tiltak and evaluations. Edit freely."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sent by")
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    #: Bumped by every save of the text; the edit form posts the version it
    #: started from so two teachers' edits merge field by field (iop.concurrency).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(bases=[HistorySeries])

    #: The fields the edit form carries and the merge compares.
    TEXT_FIELDS = ("question", "report")

    class Meta:
        verbose_name = _("PPT referral")
        verbose_name_plural = _("PPT referrals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sent_at__isnull=False),
                name="referral_sent_has_time",
                violation_error_message=_("A sent referral needs the time it was sent."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil} ({self.get_status_display()})"

    @property
    def is_sent(self) -> bool:
        """Sent to PPT (and perhaps assessed since): no longer editable."""
        return self.status != self.Status.DRAFT


class Consent(models.Model):
    """Samtykke: who consented to the referral, when and how."""

    class GivenBy(models.TextChoices):
        GUARDIAN = "guardian", _("Guardian")
        PUPIL = "pupil", _("The pupil (15 or older)")

    class Method(models.TextChoices):
        SIGNED = "signed", _("Signed form")
        DIGITAL = "digital", _("Digital signature")
        MEETING = "meeting", _("Orally in a meeting, documented")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="consents", verbose_name=_("referral")
    )
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+", verbose_name=_("pupil"))
    given_by = models.CharField(_("given by"), max_length=10, choices=GivenBy.choices, default=GivenBy.GUARDIAN)
    # The guardian with parental responsibility who consented (chosen from the pupil's
    # guardians). Consents recorded before it was asked for have only the name.
    guardian = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guardian"),
        help_text=_("One of the pupil's guardians with parental responsibility."),
    )
    name = models.CharField(_("name of the person consenting"), max_length=200)
    date = models.DateField(_("date of consent"), validators=[validate_date_window])
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["date", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.date}"


class Talk(models.Model):
    """A talk with the pupil and/or guardians. General: reused by the IUP."""

    class Kind(models.TextChoices):
        OPPSTARTSAMTALE = "oppstartsamtale", _("Start-of-year talk (oppstartsamtale)")
        ELEVSAMTALE = "elevsamtale", _("Pupil talk (elevsamtale)")
        MENTORSAMTALE = "mentorsamtale", _("Mentor talk (mentorsamtale)")
        UTVIKLINGSSAMTALE = "utviklingssamtale", _("Development talk (utviklingssamtale)")
        FORELDRESAMTALE = "foreldresamtale", _("Parent talk (foreldresamtale)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="talks", verbose_name=_("pupil"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="talks", verbose_name=_("school year")
    )
    kind = models.CharField(_("kind of talk"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    date = models.DateField(_("date"), validators=[validate_date_window])
    pupil_present = models.BooleanField(_("the pupil took part"), default=True)
    guardians_present = models.BooleanField(_("guardians took part"), default=False)
    staff: models.ManyToManyField = models.ManyToManyField(
        USER, related_name="+", blank=True, verbose_name=_("staff taking part")
    )
    other_participants = models.CharField(_("others taking part"), max_length=300, blank=True)
    topics = FreeTextField(_("topics"), blank=True)
    agreements = FreeTextField(_("agreements"), blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["-date"]
        indexes = [models.Index(fields=["pupil", "school_year", "status"], name="talk_pupil_year_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


DEFAULT_MEETING_AGENDA = """\
1. Kontaktlærer, faglærer og eventuelt sosialpedagogisk rådgiver/elevtjenesten legger fram resultatene \
fra elevsamtalene og de faglige og sosiale vurderingene.
2. Refleksjon rundt resultatene.
3. Vurdering av behov for tiltak på individ- og klassenivå.
4. Konkrete planer for videre oppfølging der det trengs tiltak."""
#: The agenda a new meeting starts with, in the user's language (bokmål: the
#: text above, which stays the model's default as the migrations have it).
MEETING_AGENDA = _(
    "1. The contact teacher, the subject teachers and, where relevant, the social-educational adviser/pupil "
    "services present the results of the pupil talks and the academic and social assessments.\n"
    "2. Reflection on the results.\n"
    "3. Assessment of the need for tiltak for individuals and the class.\n"
    "4. Concrete plans for further follow-up where tiltak are needed."
)


class Meeting(models.Model):
    """Oppfølgingsmøte (IKO-møte / klasselærerråd) for one group."""

    class Kind(models.TextChoices):
        IKO = "iko", _("IKO meeting")
        KLASSELAERERRAAD = "klasselaererraad", _("Class teachers' council (klasselærerråd)")
        OTHER = "other", _("Other follow-up meeting")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="followup_meetings", verbose_name=_("group")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.IKO)
    date = models.DateField(_("date"), validators=[validate_date_window])
    participants: models.ManyToManyField = models.ManyToManyField(
        USER, related_name="+", blank=True, verbose_name=_("participants")
    )
    other_participants = models.CharField(_("others taking part"), max_length=300, blank=True)
    agenda = FreeTextField(_("agenda"), default=DEFAULT_MEETING_AGENDA)
    notes = FreeTextField(_("notes and decisions"), blank=True)
    pupils = models.ManyToManyField(
        Pupil, through="MeetingPupil", related_name="+", blank=True, verbose_name=_("pupils discussed")
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up meeting")
        verbose_name_plural = _("follow-up meetings")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.group} {self.date}"


class MeetingPupil(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="discussed")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+", verbose_name=_("pupil"))
    decision = FreeTextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("pupil discussed")
        verbose_name_plural = _("pupils discussed")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "pupil"],
                name="meetingpupil_unique",
                violation_error_message=_("The pupil is already in this meeting."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.pupil}"


# --- Årshjul ---------------------------------------------------------------------


class Aarshjul(models.Model):
    """A named set of duty templates. Built-in sets (``builtin_key``) ship with
    the product; a skoleeier may own its own set; schools override single duties."""

    name = models.CharField(_("name"), max_length=200)
    builtin_key = models.SlugField(_("built-in key"), max_length=50, blank=True)
    skoleeier = models.ForeignKey(
        Skoleeier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aarshjul",
        verbose_name=_("school owner"),
    )
    description = FreeTextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("årshjul (annual wheel)")
        verbose_name_plural = _("årshjul (annual wheels)")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["builtin_key"],
                condition=~Q(builtin_key=""),
                name="aarshjul_builtin_key",
                violation_error_message=_("A built-in annual cycle with this key already exists."),
            ),
            models.UniqueConstraint(
                fields=["skoleeier"],
                condition=Q(skoleeier__isnull=False),
                name="aarshjul_one_per_skoleeier",
                violation_error_message=_("The school owner already has an annual cycle."),
            ),
            models.CheckConstraint(
                condition=~Q(builtin_key="") | Q(skoleeier__isnull=False),
                name="aarshjul_builtin_or_owned",
                violation_error_message=_("An annual cycle is either built in or owned by a school owner."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AarshjulChoice(models.Model):
    """The årshjul an operator chose for one school, over the default (the
    school owner's own årshjul, else the built-in set for the school's kind;
    :func:`followup.deadlines.aarshjul_for`)."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, primary_key=True, related_name="aarshjul_choice", verbose_name=_("school")
    )
    aarshjul = models.ForeignKey(Aarshjul, on_delete=models.CASCADE, related_name="+", verbose_name=_("årshjul"))
    chosen_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("chosen by")
    )
    chosen_at = models.DateTimeField(_("chosen"), default=timezone.now)

    class Meta:
        verbose_name = _("årshjul of a school")
        verbose_name_plural = _("årshjul of the schools")

    def __str__(self) -> str:
        return f"{self.school} – {self.aarshjul}"


class Duty(models.Model):
    """One duty of the årshjul: what, who is responsible, for whom, and when.

    A duty belongs either to an :class:`Aarshjul` or to one school. A school
    duty with the same ``key`` as an årshjul duty overrides it for that school
    (``active=False`` switches it off there)."""

    class Role(models.TextChoices):
        KONTAKTLAERER = "kontaktlaerer", _("Contact teacher")
        FAGLAERER = "faglaerer", _("Subject teacher")
        KOORDINATOR = "koordinator", _("Special-education coordinator")
        REKTOR = "rektor", _("Principal / department head")
        PPT = "ppt", _("PPT advisor")

    class AppliesTo(models.TextChoices):
        EVERY_PUPIL = "every_pupil", _("Every pupil")
        PUPILS_WITH_VEDTAK = "with_vedtak", _("Pupils with an enkeltvedtak")
        PUPILS_WITH_IOP = "with_iop", _("Pupils with an IOP")
        EACH_GROUP = "each_group", _("Each group")
        SCHOOL = "school", _("The school")
        RECORD = "record", _("Each record (see the record event)")

    class Anchor(models.TextChoices):
        FIXED_DATE = "fixed", _("A fixed date")
        SCHOOL_START = "start", _("Days after school start")
        SCHOOL_END = "end", _("Days before the end of the school year")
        RECORD = "record", _("Days after a record's date")

    class RecordEvent(models.TextChoices):
        TILTAK_EVALUATION = "tiltak_evaluation", _("Evaluation date of a tiltak")
        VEDTAK_MADE = "vedtak_made", _("An enkeltvedtak is made")
        VEDTAK_EXPIRY = "vedtak_expiry", _("An enkeltvedtak's end of validity")
        CONCERN_FILED = "concern_filed", _("A concern is filed")
        REFERRAL_SENT = "referral_sent", _("A referral is sent to PPT")
        VURDERING_COMPLETED = "vurdering_completed", _("A sakkyndig vurdering is completed")
        REFERRAL_WAITING = "referral_waiting", _("A referral waits for its sakkyndig vurdering")
        VURDERING_WAITING = "vurdering_waiting", _("A sakkyndig vurdering waits for its enkeltvedtak")
        APPEAL_RECEIVED = "appeal_received", _("An appeal against an enkeltvedtak is received")
        AP_FOLLOW_UP = "ap_follow_up", _("Follow-up date of an åtgärdsprogram")
        AP_EVALUATION = "ap_evaluation", _("Evaluation date of an åtgärdsprogram")
        EA_FOLLOW_UP = "ea_follow_up", _("Follow-up date of an extra adaptation")
        AP_DRAFT = "ap_draft", _("An åtgärdsprogram waits for the rektor's decision")
        UTREDNING_OPEN = "utredning_open", _("An investigation of the need for särskilt stöd is under way")
        UTREDNING_DONE = "utredning_done", _("An investigation of särskilt stöd is concluded, with no draft decision")

    class Fulfilment(models.TextChoices):
        MANUAL = "manual", _("Marked done by hand")
        TALK_HELD = "talk_held", _("A talk of the given kind is held")
        MEETING_HELD = "meeting_held", _("A follow-up meeting of the group is held")
        TILTAK_EVALUATED = "tiltak_evaluated", _("The tiltak is evaluated")
        IOP_PUBLISHED = "iop_published", _("The IOP is published")
        ARSRAPPORT_WRITTEN = "arsrapport", _("The årsrapport is written")
        NEW_VEDTAK = "new_vedtak", _("A new enkeltvedtak is made")
        IUP_PUBLISHED = "iup_published", _("The IUP is published")
        KARTLEGGING = "kartlegging", _("A kartlegging of the concern is recorded")
        VURDERING = "vurdering", _("PPT completes the sakkyndig vurdering")
        INTERIM_REPLY = "interim_reply", _("An interim reply is sent, or the case is answered")
        APPEAL_FORWARDED = "appeal_forwarded", _("The school owner settles the appeal or sends it to Statsforvalteren")
        AP_EVALUATED = "ap_evaluated", _("The åtgärdsprogram is evaluated")

    aarshjul = models.ForeignKey(
        Aarshjul, on_delete=models.CASCADE, null=True, blank=True, related_name="duties", verbose_name=_("årshjul")
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followup_duties",
        verbose_name=_("school"),
    )
    key = models.SlugField(
        _("key"),
        max_length=60,
        help_text=_("Stable identifier; a school duty with the same key overrides the årshjul's."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = FreeTextField(_("description"), blank=True)
    responsible_role = models.CharField(_("responsible"), max_length=20, choices=Role.choices)
    applies_to = models.CharField(_("applies to"), max_length=20, choices=AppliesTo.choices)
    anchor = models.CharField(_("when"), max_length=10, choices=Anchor.choices)
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    offset_days = models.IntegerField(
        _("days"),
        default=0,
        validators=[MinValueValidator(-366), MaxValueValidator(366)],
        help_text=_("After school start, before the end of the year, or after the record's date (negative: before)."),
    )
    record_event = models.CharField(_("record event"), max_length=20, choices=RecordEvent.choices, blank=True)
    weekend_to_monday = models.BooleanField(_("move from a weekend to Monday"), default=True)
    reminder_days = models.CharField(
        _("reminders (days before)"),
        max_length=40,
        default="7,1",
        help_text=_("Comma-separated, for example 7,1. A reminder is also sent on the day."),
    )
    fulfilment = models.CharField(_("done when"), max_length=20, choices=Fulfilment.choices, default=Fulfilment.MANUAL)
    talk_kind = models.CharField(_("kind of talk"), max_length=20, choices=Talk.Kind.choices, blank=True)
    min_year_level = models.PositiveSmallIntegerField(_("from year level"), null=True, blank=True)
    max_year_level = models.PositiveSmallIntegerField(_("to year level"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["order", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(aarshjul__isnull=False, school__isnull=True)
                | Q(aarshjul__isnull=True, school__isnull=False),
                name="duty_owned_by_aarshjul_or_school",
                violation_error_message=_("A duty belongs either to an annual cycle or to a school."),
            ),
            models.UniqueConstraint(
                fields=["aarshjul", "key"],
                condition=Q(aarshjul__isnull=False),
                name="duty_unique_key_in_aarshjul",
                violation_error_message=_("The annual cycle already has a duty with this key."),
            ),
            models.UniqueConstraint(
                fields=["school", "key"],
                condition=Q(school__isnull=False),
                name="duty_unique_key_in_school",
                violation_error_message=_("The school already has a duty with this key."),
            ),
            models.CheckConstraint(
                condition=~Q(anchor="fixed") | Q(month__isnull=False, day__isnull=False),
                name="duty_fixed_has_date",
                violation_error_message=_("A duty on a fixed date needs a day and a month."),
            ),
            models.CheckConstraint(
                condition=~Q(anchor="record") | ~Q(record_event=""),
                name="duty_record_has_event",
                violation_error_message=_("A duty that follows a record needs the event it follows."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language when it is a built-in duty's own (:mod:`followup.duty_titles`)."""
        return duty_titles.shown(self.title)

    @property
    def applies_to_phrase(self) -> str:
        """Whom the duty applies to, within a sentence: the first letter in lower
        case only ("elever med IOP", not "elever med iop")."""
        label = str(self.get_applies_to_display())  # type: ignore[attr-defined]
        return label[:1].lower() + label[1:]

    def reminder_offsets(self) -> list[int]:
        return parse_reminder_days(self.reminder_days)

    @property
    def days_abs(self) -> int:
        return abs(self.offset_days)

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.anchor == self.Anchor.FIXED_DATE:
            if not self.month or not self.day:
                errors["month"] = _("A fixed date needs a month and a day.")
            else:
                try:
                    datetime.date(2024, self.month, self.day)  # a leap year accepts 29 February
                except ValueError:
                    errors["day"] = _("That day does not exist in that month.")
        if self.anchor == self.Anchor.RECORD and not self.record_event:
            errors["record_event"] = _("Choose which record the date follows.")
        if self.anchor == self.Anchor.RECORD and self.applies_to != self.AppliesTo.RECORD:
            errors["applies_to"] = _("A duty that follows a record applies to each record.")
        if self.applies_to == self.AppliesTo.RECORD and self.anchor != self.Anchor.RECORD:
            errors["anchor"] = _("A duty for each record must follow the record's date.")
        if self.fulfilment == self.Fulfilment.TALK_HELD and not self.talk_kind:
            errors["talk_kind"] = _("Choose the kind of talk that fulfils the duty.")
        try:
            parse_reminder_days(self.reminder_days)
        except ValueError:
            errors["reminder_days"] = _("Write whole numbers of days between 0 and 60, separated by commas.")
        for name in ("min_year_level", "max_year_level"):
            if getattr(self, name) is not None and getattr(self, name) not in Group.YearLevel.values:
                errors[name] = _("A year level is 1 to 10, or 11 to 13 for Vg1 to Vg3.")
        if self.min_year_level and self.max_year_level and self.min_year_level > self.max_year_level:
            errors.setdefault("max_year_level", _("The last year level cannot be before the first."))
        if errors:
            raise ValidationError(errors)


def parse_reminder_days(raw: str) -> list[int]:
    out: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        value = int(part)
        if not 0 <= value <= 60:
            raise ValueError(part)
        out.add(value)
    return sorted(out, reverse=True)


class Deadline(models.Model):
    """One duty due on one date, for one pupil, group or the school."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("No longer applies")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(
        max_length=200, unique=True, help_text="duty key / subject / record: generation is idempotent"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("school year")
    )
    duty = models.ForeignKey(
        Duty, on_delete=models.SET_NULL, null=True, blank=True, related_name="deadlines", verbose_name=_("duty")
    )
    title = models.CharField(_("title"), max_length=200)
    pupil = models.ForeignKey(
        Pupil,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followup_deadlines",
        verbose_name=_("pupil"),
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("group")
    )
    record_kind = models.CharField(max_length=30, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    due = models.DateField(_("due"))
    responsible_role = models.CharField(_("responsible role"), max_length=20, choices=Duty.Role.choices)
    responsible = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("responsible")
    )
    reminder_days = models.CharField(max_length=40, default="7,1")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("done by")
    )
    done_note = FreeTextField(_("note"), blank=True)
    done_automatically = models.BooleanField(default=False)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    reminded_through = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due", "title"]
        indexes = [
            # The reminder sweep reads only open deadlines with a reminder due:
            # its cost follows the number of due rows, not of all deadlines.
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(state="open", next_reminder_at__isnull=False),
                name="deadline_reminder_due_idx",
            ),
            models.Index(fields=["school", "state", "due"], name="deadline_school_state_idx"),
            models.Index(fields=["responsible", "state", "due"], name="deadline_responsible_idx"),
            models.Index(fields=["pupil", "state"], name="deadline_pupil_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="done") | Q(done_at__isnull=False),
                name="deadline_done_has_time",
                violation_error_message=_("A deadline that is done needs the time it was done."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.due}"

    @property
    def shown_title(self) -> str:
        """The title in the reader's language when it is a built-in duty's own (:mod:`followup.duty_titles`)."""
        return duty_titles.shown(self.title)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.state == self.State.OPEN and self.due < (today or timezone.localdate())


class Preference(models.Model):
    """A user's follow-up settings: digest instead of single emails, a
    guardian's e-mail about published plans, and the secret token of the
    calendar feed. The language of e-mails is the user's own
    (``students.User.language``)."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, primary_key=True, related_name="followup_preference")
    daily_digest = models.BooleanField(_("one daily summary instead of single emails"), default=False)
    ical_token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    plan_emails = models.BooleanField(
        _("e-mail me when a plan or a report for my child is published"),
        default=False,
        help_text=_("You always see it under Notifications."),
    )

    class Meta:
        verbose_name = _("follow-up preference")
        verbose_name_plural = _("follow-up preferences")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """Outbox and in-app notice. One row per (deadline or concern, recipient,
    kind): the unique ``key`` makes creating it idempotent, and the state
    machine (pending → claimed → sent) makes sending it happen once."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Reminder before the deadline")
        ON_DAY = "on_day", _("Deadline today")
        OVERDUE = "overdue", _("Deadline overdue")
        CONCERN = "concern", _("New concern")
        REFERRAL = "referral", _("New PPT referral")
        TASK = "task", _("New task")
        PUBLISHED = "published", _("Plan published")
        UPDATED = "updated", _("Changes to a plan published")
        NOTICE = "notice", _("Draft decision for comment")
        DECISION = "decision", _("Decision made: read the letter")
        REPORT = "report", _("Report published")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")
        IN_APP = "in_app", _("Shown in the app only")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="followup_notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    days_before = models.SmallIntegerField(default=0)
    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("referral")
    )
    iop = models.ForeignKey(Iop, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    iup = models.ForeignKey(Iup, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    vedtak = models.ForeignKey(Enkeltvedtak, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    atgardsprogram = models.ForeignKey(
        "atgardsprogram.Atgardsprogram", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    digest = models.BooleanField(default=False)
    send_after = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-send_after"]
        indexes = [
            models.Index(fields=["send_after"], condition=Q(state="pending"), name="notification_pending_idx"),
            models.Index(fields=["claimed_at"], condition=Q(state="claimed"), name="notification_claimed_idx"),
            models.Index(fields=["recipient", "-send_after"], name="notification_recipient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__isnull=False)
                | Q(concern__isnull=False)
                | Q(referral__isnull=False)
                | Q(iop__isnull=False)
                | Q(iup__isnull=False)
                | Q(vedtak__isnull=False)
                | Q(atgardsprogram__isnull=False)
                | Q(report__isnull=False),
                name="notification_has_subject",
                violation_error_message=_(
                    "A notification is about a deadline, a concern, a referral, a plan, a decision or a report."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
                violation_error_message=_("A sent notification needs the time it was sent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class InterimReply(models.Model):
    """Foreløpig svar (forvaltningsloven § 11 a): a case not answered within a
    month gets an interim reply saying why and when an answer can be
    expected. Either a referral waiting for its sakkyndig vurdering or a
    vurdering waiting for its enkeltvedtak. Recording it closes the
    "foreløpig svar" deadline."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+", verbose_name=_("pupil"))
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="interim_replies"
    )
    vurdering = models.ForeignKey(SakkyndigVurdering, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reason = FreeTextField(
        _("why the case takes longer"),
        help_text=_("Say why the case cannot be answered within a month (forvaltningsloven § 11 a)."),
    )
    expected_by = models.DateField(_("an answer can be expected by"), validators=[validate_date_window])
    sent_on = models.DateField(_("sent on"), validators=[validate_date_window])
    recorded_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("interim reply (foreløpig svar)")
        verbose_name_plural = _("interim replies (foreløpig svar)")
        ordering = ["-sent_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=False, vurdering__isnull=True)
                | Q(referral__isnull=True, vurdering__isnull=False),
                name="interimreply_one_case",
                violation_error_message=_("An interim reply answers either a referral or an expert assessment."),
            ),
            models.CheckConstraint(
                condition=Q(expected_by__gte=F("sent_on")),
                name="interimreply_expected_after_sent",
                violation_error_message=_("The expected answer date is on or after the day the reply is sent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Interim reply')} {date_format(self.sent_on, 'SHORT_DATE_FORMAT')}"
