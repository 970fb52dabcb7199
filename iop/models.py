"""The chain of individually adapted teaching (opplæringslova 2023 § 11-6):
sakkyndig vurdering → enkeltvedtak → IOP.

Glossary (see DOMAIN.md, phases 3–5 and "IOP goals, as IOP-LOGG does them"):

* :class:`SakkyndigVurdering` – PPT's expert assessment (opplæringslova § 11-8),
  with recommended årstimer per subject (:class:`SakkyndigVurderingSubject`).
* :class:`Enkeltvedtak` – the individual decision on individually adapted
  teaching (§ 11-6), per subject (:class:`EnkeltvedtakSubject`): årstimer,
  deviations from the curriculum, exemption from grades, organisation, staff.
  A vedtak states its reasons (forvaltningsloven §§ 24–25) and the pupil's
  view, may be a refusal (``Outcome.REFUSED``: no subjects, no IOP), and
  records the day the parties were notified, from which the three-week
  appeal deadline runs (§§ 27, 29). :class:`Appeal` is one row of the appeal
  register (klage: the school owner's review, Statsforvalteren, outcome).
  :class:`CaseConsent` is the consent to the assessment or to the decision
  (given, withdrawn); :class:`AdvanceNotice` shares the draft decision with
  the parties for comment (forhåndsvarsel, fvl § 16), with the comments
  received (:class:`AdvanceNoticeComment`).
* :class:`Iop` – individuell opplæringsplan (§ 11-10), one per pupil and school
  year, built on a made vedtak; :class:`IopSubject` is a subject section,
  :class:`Goal` a læringsmål with criteria on four levels (begynnernivå, under
  utvikling, kompetent, fremragende) on two axes (quality, independence).
* :class:`GoalLog` – status, fremovermelding (feed-forward), egenvurdering
  (self-assessment) and notes logged on a goal over the year.
* :class:`TeachingLog` – hours of teaching given, to compare with the plan.
* :class:`IopVersion` – what a published IOP said at each publication;
  :class:`IupVersion` the same for an IUP. Guardians read the latest of
  these, never the live plan (:mod:`iop.published`).
* :class:`AccessLogEntry` – who read which document, when and why.
* :class:`Iup` – individuell utviklingsplan / individuell utvecklingsplan (DOMAIN.md
  "IUP"): one per pupil and school year for any pupil, agreed at a talk, with
  the pupil's, the guardians' and the school's contributions; for Swedish
  pupils in years without grades the *skriftlig IUP* (Skollagen 10 kap. 13 §)
  with :class:`IupAssessment` (omdömen per subject, with the pupil's
  self-assessment on the same scale) and framåtsyftande planering. Its goals
  are :class:`Goal` rows like the IOP's (``Goal.iup``), logged with
  :class:`GoalLog`. :class:`IupSettings` is the rector's choice of the form.

Every editable document carries ``version`` for optimistic concurrency; every
change is kept by django-simple-history (``history``).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from students.dates import short
from students.models import Pupil, School, SchoolYear, Skoleeier

from .collapse import HistorySeries
from .limits import HOURS_PER_YEAR_MAX, FreeTextField, validate_date_window

USER = settings.AUTH_USER_MODEL
DEFAULT_APPEAL_INFO = _(
    "You may appeal this decision. The appeal must be sent to the school within three weeks of receiving "
    "this decision. The school sends it on to Statsforvalteren if the decision is not changed. You have the "
    "right to see the documents of the case."
)
DEFAULT_ORDINARY_TEACHING = _(
    "Outside the subjects named in this plan, the pupil follows ordinary teaching according to the "
    "curricula of the subjects and the class plan."
)


DEFAULT_LEGAL_BASIS = _(
    "Opplæringslova § 11-6 (individually adapted teaching), on the basis of the expert assessment "
    "(§ 11-8), and forvaltningsloven §§ 24–25."
)


PUPIL_VIEW_HELP = _(
    "The pupil has the right to be heard in everything that concerns them, given weight by age and maturity "
    "(Grunnloven § 104, the UN Convention on the Rights of the Child art. 3 and 12, the Education Act's "
    "rule on pupil participation)."
)


#: From this age the pupil consents on their own to the assessment and the decision
#: (opplæringslova chapter 11; DOMAIN "The law in detail": consent).
CONSENT_AGE = 15

#: Forvaltningsloven § 29 first paragraph: three weeks from notification.
APPEAL_PERIOD = datetime.timedelta(weeks=3)


def default_appeal_info() -> str:
    return str(DEFAULT_APPEAL_INFO)


def default_legal_basis() -> str:
    return str(DEFAULT_LEGAL_BASIS)


def default_ordinary_teaching() -> str:
    return str(DEFAULT_ORDINARY_TEACHING)


#: The two axes of the criteria in a guardian's words (quality, independence).
PLAIN_AXES = (_("How well"), _("How independently"))


class Level(models.IntegerChoices):
    """The four criteria levels of a goal (IOP-LOGG)."""

    BEGINNER = 1, _("Beginner level")
    DEVELOPING = 2, _("Developing")
    COMPETENT = 3, _("Competent")
    EXCELLENT = 4, _("Excellent")


class Organisation(models.TextChoices):
    CLASS = "class", _("In the class")
    SMALL_GROUP = "small_group", _("Small group")
    ONE_TO_ONE = "one_to_one", _("One-to-one")
    OTHER_ARENA = "other_arena", _("Other learning arena")


class StaffCompetence(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    SPECIAL_NEEDS_TEACHER = "special_needs_teacher", _("Special-needs teacher")
    ASSISTANT = "assistant", _("Assistant")


class Document(models.Model):
    """Common fields of the chain's documents."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now, editable=False)

    class Meta:
        abstract = True


class SakkyndigVurdering(Document):
    """PPT's expert assessment of a pupil (opplæringslova § 11-8)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed")

    class Conclusion(models.TextChoices):
        NEED = "need", _("The pupil needs individually adapted teaching (opplæringslova § 11-6)")
        NO_NEED = (
            "no_need",
            _(
                "The pupil does not need individually adapted teaching: adapted ordinary teaching gives satisfactory "
                "benefit"
            ),
        )

    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="sakkyndige_vurderinger", verbose_name=_("pupil")
    )
    author = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author (PPT advisor)")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    assessed_on = models.DateField(_("date of the assessment"), validators=[validate_date_window])
    valid_from = models.DateField(_("valid from"), validators=[validate_date_window])
    valid_to = models.DateField(_("valid to"), validators=[validate_date_window])
    conclusion = models.CharField(
        _("conclusion"),
        max_length=10,
        choices=Conclusion.choices,
        default=Conclusion.NEED,
        help_text=_("An assessment that finds no need recommends no hours; the decision on it is a refusal."),
    )
    benefit_from_ordinary = FreeTextField(_("the pupil's benefit from ordinary teaching"), blank=True)
    why_insufficient = FreeTextField(_("why the pupil does not or cannot get satisfactory benefit"), blank=True)
    realistic_goals = FreeTextField(_("realistic learning goals"), blank=True)
    recommended_measures = FreeTextField(_("measures that can give satisfactory benefit"), blank=True)
    staff_competence = FreeTextField(_("competence of the staff where exceptions are made (§ 11-9)"), blank=True)
    recommended_organisation = FreeTextField(_("recommended organisation"), blank=True)
    pupil_view = FreeTextField(
        _("the pupil's own view and how it was weighed"),
        blank=True,
        help_text=PUPIL_VIEW_HELP,
    )
    internal_note = FreeTextField(_("internal note"), blank=True, help_text=_("Never shown to guardians."))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    stopped_on = models.DateField(
        _("case stopped on"),
        null=True,
        blank=True,
        validators=[validate_date_window],
        help_text=_("Set when the consent to the assessment is withdrawn: the assessment is not completed."),
    )

    history = HistoricalRecords(bases=[HistorySeries], excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("expert assessment (sakkyndig vurdering)")
        verbose_name_plural = _("expert assessments (sakkyndige vurderinger)")
        ordering = ["-assessed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_to")),
                name="sv_valid_from_before_to",
                violation_error_message=_("The end of the validity period must be on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(completed_at__isnull=False),
                name="sv_completed_has_date",
                violation_error_message=_("A completed expert assessment needs the date it was completed."),
            ),
        ]
        indexes = [models.Index(fields=["pupil", "status"], name="sv_pupil_status_idx")]

    def __str__(self) -> str:
        return f"{_('Expert assessment')} {short(self.assessed_on)}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def finds_need(self) -> bool:
        return self.conclusion == self.Conclusion.NEED

    #: The minimum content (opplæringslova § 11-8): all four when the
    #: assessment finds a need; when it finds none, the benefit of ordinary
    #: teaching and what gives satisfactory benefit within it.
    ELEMENTS = ("benefit_from_ordinary", "why_insufficient", "realistic_goals", "recommended_measures")
    ELEMENTS_NO_NEED = ("benefit_from_ordinary", "recommended_measures")

    @property
    def required_elements(self) -> tuple[str, ...]:
        return self.ELEMENTS if self.finds_need else self.ELEMENTS_NO_NEED

    def recommended_hours(self) -> dict[str, int | None]:
        return {s.subject.strip().lower(): s.hours for s in self.subjects.all()}


class SakkyndigVurderingSubject(models.Model):
    """Recommended årstimer in one subject."""

    vurdering = models.ForeignKey(
        SakkyndigVurdering, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("expert assessment")
    )
    subject = models.CharField(_("subject"), max_length=100)
    hours = models.PositiveIntegerField(
        _("hours per school year"), null=True, blank=True, validators=[MaxValueValidator(HOURS_PER_YEAR_MAX)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    organisation = models.CharField(
        _("recommended organisation"),
        max_length=20,
        choices=Organisation.choices,
        blank=True,
        help_text=_("Leave empty when the assessment recommends no particular organisation (opplæringslova § 11-8)."),
    )
    staff_competence = models.CharField(
        _("recommended staff competence"),
        max_length=30,
        choices=StaffCompetence.choices,
        blank=True,
        help_text=_("Leave empty when the assessment recommends no particular staff (opplæringslova § 11-9)."),
    )

    history = HistoricalRecords(bases=[HistorySeries])

    class Meta:
        verbose_name = _("recommended subject")
        verbose_name_plural = _("recommended subjects")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vurdering", "subject"],
                name="svsubject_unique",
                violation_error_message=_("The expert assessment already names this subject."),
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Enkeltvedtak(Document):
    """The decision on individually adapted teaching (opplæringslova § 11-6).
    A made vedtak never changes; changes are a new vedtak."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        MADE = "made", _("Made")

    class Outcome(models.TextChoices):
        """What is decided: a refusal is an enkeltvedtak too (forvaltningsloven § 2 first paragraph (b))."""

        GRANTED = "granted", _("Individually adapted teaching is granted")
        PARTLY_REFUSED = "partly_refused", _("Granted, but less than the expert assessment recommends")
        REFUSED = "refused", _("Refused: no individually adapted teaching")

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="enkeltvedtak", verbose_name=_("pupil"))
    vurdering = models.ForeignKey(
        SakkyndigVurdering,
        on_delete=models.PROTECT,
        related_name="enkeltvedtak",
        verbose_name=_("based on the expert assessment"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=Outcome.choices,
        default=Outcome.GRANTED,
        help_text=_(
            "A refusal names no subjects and needs its reasons and the information about the right to appeal "
            "like any decision (opplæringslova § 11-6, forvaltningsloven §§ 24–27)."
        ),
    )
    content = FreeTextField(_("content of the teaching"), blank=True)
    organisation_note = FreeTextField(_("organisation, details"), blank=True)
    valid_from = models.DateField(_("valid from"), validators=[validate_date_window])
    valid_to = models.DateField(_("valid to"), validators=[validate_date_window])
    legal_basis = FreeTextField(
        _("legal basis"),
        blank=True,
        default=default_legal_basis,
        help_text=_("The rules the decision is made under (forvaltningsloven § 25 first paragraph)."),
    )
    facts = FreeTextField(
        _("the facts the decision rests on"),
        blank=True,
        help_text=_("What the school has found about the pupil's needs (forvaltningsloven § 25 second paragraph)."),
    )
    main_considerations = FreeTextField(
        _("main considerations"),
        blank=True,
        help_text=_(
            "The main considerations behind the decision, including the pupil's best interests "
            "(forvaltningsloven § 25 third paragraph)."
        ),
    )
    pupil_view = FreeTextField(_("the pupil's own view and how it was weighed"), blank=True, help_text=PUPIL_VIEW_HELP)
    pupil_not_heard_reason = FreeTextField(
        _("why the pupil could not be heard"),
        blank=True,
        help_text=_("Required instead of the pupil's view when the pupil could not give it (e.g. age or health)."),
    )
    deviation_reason = FreeTextField(
        _("reason for deviating from the expert assessment"),
        blank=True,
        help_text=_(
            "Required when the decision gives other subjects, hours, organisation or staff competence than the "
            "expert assessment recommends (forvaltningsloven § 25, opplæringslova § 11-6)."
        ),
    )
    appeal_info = FreeTextField(_("information about the right to appeal"), blank=True, default=default_appeal_info)
    internal_note = FreeTextField(_("internal note"), blank=True, help_text=_("Never shown to guardians."))
    made_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("made by")
    )
    made_on = models.DateField(_("made on"), null=True, blank=True, validators=[validate_date_window])
    notified_on = models.DateField(
        _("the parties were notified on"),
        null=True,
        blank=True,
        validators=[validate_date_window],
        help_text=_(
            "The day the decision reached the pupil and the guardians; the three weeks to appeal run from it "
            "(forvaltningsloven §§ 27 and 29)."
        ),
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    history = HistoricalRecords(bases=[HistorySeries], excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("individual decision (enkeltvedtak)")
        verbose_name_plural = _("individual decisions (enkeltvedtak)")
        ordering = ["-valid_from", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_to")),
                name="vedtak_valid_from_before_to",
                violation_error_message=_("The end of the validity period must be on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(made_on__isnull=False),
                name="vedtak_made_has_date",
                violation_error_message=_("A decision that has been made needs the date it was made."),
            ),
            models.CheckConstraint(
                condition=Q(notified_on__isnull=True) | Q(status="made", notified_on__gte=F("made_on")),
                name="vedtak_notified_after_made",
                violation_error_message=_("The parties are notified of a decision on or after the day it was made."),
            ),
        ]
        indexes = [models.Index(fields=["pupil", "status"], name="vedtak_pupil_status_idx")]

    def __str__(self) -> str:
        return f"{_('Individual decision')} {short(self.valid_from)}–{short(self.valid_to)}"

    @property
    def is_made(self) -> bool:
        return self.status == self.Status.MADE

    @property
    def appeal_deadline(self) -> datetime.date | None:
        """The last day to appeal: three weeks after the parties were notified
        (forvaltningsloven § 29 first paragraph); None before they are."""
        return self.notified_on + APPEAL_PERIOD if self.notified_on else None

    @property
    def is_refusal(self) -> bool:
        """A refusal: no individually adapted teaching, so no subjects and no IOP."""
        return self.outcome == self.Outcome.REFUSED

    def hours_by_subject(self) -> dict[str, int | None]:
        return {s.subject.strip().lower(): s.hours for s in self.subjects.all()}

    #: The reasons a decision states (forvaltningsloven §§ 24–25), required to make it.
    REASON_FIELDS = ("legal_basis", "facts", "main_considerations")

    def missing_reasons(self) -> list[str]:
        """The labels of the reasons (:attr:`REASON_FIELDS`) left empty."""
        empty = [name for name in self.REASON_FIELDS if not getattr(self, name).strip()]
        return [str(getattr(self._meta.get_field(name), "verbose_name", name)) for name in empty]


class Appeal(models.Model):
    """An appeal (klage) against an enkeltvedtak, as the appeal register keeps
    it (forvaltningsloven §§ 28–34): received by the school, reviewed by the
    school owner (who may change the decision, § 33), otherwise sent to
    Statsforvalteren, who decides it. Open until the final outcome is recorded."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("The decision stands")
        CHANGED = "changed", _("The decision is changed")
        PARTLY_CHANGED = "partly_changed", _("The decision is partly changed")
        QUASHED = "quashed", _("The decision is quashed and the case sent back")
        WITHDRAWN = "withdrawn", _("The appeal is withdrawn")
        REJECTED = "rejected", _("The appeal is dismissed (too late or not a party)")

    #: The school owner's review settles the appeal: the decision is changed
    #: as asked, or the appeal is withdrawn; nothing is sent on (fvl § 33).
    SETTLED_BY_OWNER = (Outcome.CHANGED, Outcome.WITHDRAWN)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vedtak = models.ForeignKey(
        Enkeltvedtak, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("individual decision")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    received_on = models.DateField(
        _("received on"),
        validators=[validate_date_window],
        help_text=_("An appeal received more than three weeks after notification is late (forvaltningsloven § 29)."),
    )
    appellant = models.CharField(_("appealed by"), max_length=200, help_text=_("For example the guardians."))
    summary = FreeTextField(_("what the appeal says"), blank=True)
    owner_reviewed_on = models.DateField(
        _("reviewed by the school owner on"), null=True, blank=True, validators=[validate_date_window]
    )
    owner_outcome = models.CharField(
        _("the school owner's review"),
        max_length=20,
        choices=Outcome.choices,
        blank=True,
        help_text=_("The body that made the decision may change it (forvaltningsloven § 33 second paragraph)."),
    )
    sent_on = models.DateField(
        _("sent to Statsforvalteren on"),
        null=True,
        blank=True,
        validators=[validate_date_window],
        help_text=_("When the school owner does not change the decision (forvaltningsloven § 33 fourth paragraph)."),
    )
    final_outcome = models.CharField(_("final outcome"), max_length=20, choices=Outcome.choices, blank=True)
    final_outcome_on = models.DateField(_("final outcome on"), null=True, blank=True, validators=[validate_date_window])
    note = FreeTextField(_("internal note"), blank=True, help_text=_("Never shown to guardians."))
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_reviewed_on__isnull=True) | Q(owner_reviewed_on__gte=F("received_on")),
                name="appeal_reviewed_after_received",
                violation_error_message=_("The school owner reviews an appeal on or after the day it was received."),
            ),
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True) | Q(sent_on__gte=F("received_on")),
                name="appeal_sent_after_received",
                violation_error_message=_("An appeal is sent to Statsforvalteren on or after the day it was received."),
            ),
            models.CheckConstraint(
                condition=Q(final_outcome="") | Q(final_outcome_on__isnull=False),
                name="appeal_outcome_has_date",
                violation_error_message=_("Give the date of the final outcome."),
            ),
            models.CheckConstraint(
                condition=Q(final_outcome_on__isnull=True) | Q(final_outcome_on__gte=F("received_on")),
                name="appeal_outcome_after_received",
                violation_error_message=_("The final outcome comes on or after the day the appeal was received."),
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Appeal')} {short(self.received_on)}"

    @property
    def is_open(self) -> bool:
        return not self.final_outcome

    @property
    def is_late(self) -> bool:
        """Received after the appeal deadline (vedtak loaded)."""
        deadline = self.vedtak.appeal_deadline
        return deadline is not None and self.received_on > deadline

    @classmethod
    def owner_step_done(cls) -> Q:
        """Appeals whose step at the school owner is over (a filter on
        Appeal rows): sent to Statsforvalteren, settled by the school owner
        (:attr:`SETTLED_BY_OWNER`) or dismissed by it (too late, not a
        party: a decision of its own, fvl § 33 second paragraph), or with a
        final outcome. Until then the school owner's review is due "without
        undue delay" (forvaltningsloven § 33)."""
        decided = (*cls.SETTLED_BY_OWNER, cls.Outcome.REJECTED)
        return Q(sent_on__isnull=False) | Q(owner_outcome__in=decided) | ~Q(final_outcome="")

    def waits_for(self) -> str:
        """The next step of an open appeal, in words ("" when closed)."""
        if not self.is_open:
            return ""
        if self.sent_on:
            return str(_("Waiting for Statsforvalteren's decision."))
        if self.owner_reviewed_on:
            return str(_("Reviewed by the school owner: send it to Statsforvalteren or record the outcome."))
        return str(_("Waiting for the school owner's review."))


class CaseConsent(models.Model):
    """Consent (samtykke) to one step of the pupil's case: the expert
    assessment (``sv``, before PPT assesses) or the decision on individually
    adapted teaching (``vedtak``). Who consented, when, how and on whose
    behalf; a pupil aged 15 or more consents on their own (opplæringslova
    § 11-8 and § 11-6, DOMAIN "The law in detail"). A consent may be withdrawn
    (date and how): the case then stops and PPT's access ends at once
    (:func:`iop.services.case_consent_withdraw`). Staff record it; guardians
    never write."""

    class Kind(models.TextChoices):
        SV = "sv", _("the expert assessment (sakkyndig vurdering)")
        VEDTAK = "vedtak", _("individually adapted teaching (the decision)")

    class GivenBy(models.TextChoices):
        GUARDIAN = "guardian", _("A guardian, on behalf of the pupil")
        PUPIL = "pupil", _("The pupil (15 or older)")

    class Method(models.TextChoices):
        SIGNED = "signed", _("Signed form")
        DIGITAL = "digital", _("Digital signature")
        MEETING = "meeting", _("Orally in a meeting, documented")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="case_consents", verbose_name=_("pupil"))
    kind = models.CharField(_("consent to"), max_length=10, choices=Kind.choices)
    given_by = models.CharField(_("given by"), max_length=10, choices=GivenBy.choices, default=GivenBy.GUARDIAN)
    guardian = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guardian"),
        help_text=_("The guardian with parental responsibility who consented, when they have a login."),
    )
    name = models.CharField(_("name of the person consenting"), max_length=200)
    date = models.DateField(_("date of consent"), validators=[validate_date_window])
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True, validators=[validate_date_window])
    withdrawal_method = models.CharField(_("how it was withdrawn"), max_length=10, choices=Method.choices, blank=True)
    withdrawal_note = models.CharField(_("note on the withdrawal"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent to the case")
        verbose_name_plural = _("consents to the case")
        ordering = ["kind", "date", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("date")),
                name="caseconsent_withdrawn_after_given",
                violation_error_message=_("A consent is withdrawn on or after the day it was given."),
            )
        ]
        indexes = [models.Index(fields=["pupil", "kind"], name="caseconsent_pupil_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name} {short(self.date)}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class AdvanceNotice(models.Model):
    """Forhåndsvarsel (forvaltningsloven § 16): the draft decision and the
    expert assessment are shared with the parties (the guardians, and the
    pupil from 15) with a deadline for comments. Guardians read the draft
    from then on; they never write: staff record the comments received
    (:class:`AdvanceNoticeComment`). The decision is made only after the
    deadline, or once every party has answered
    (:func:`iop.services.advance_notice_problem`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vedtak = models.ForeignKey(
        "Enkeltvedtak", on_delete=models.CASCADE, related_name="advance_notices", verbose_name=_("decision")
    )
    sent_on = models.DateField(_("sent to the parties on"), validators=[validate_date_window])
    comment_deadline = models.DateField(
        _("comments by"),
        validators=[validate_date_window],
        help_text=_("The last day the parties may comment on the draft (forvaltningsloven § 16)."),
    )
    message = FreeTextField(_("message to the parties"), blank=True)
    sent_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sent by")
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: The draft as it was shared (:func:`iop.services.vedtak_stamp`), so that
    #: a later change of the draft is seen; empty for notices sent before it was kept.
    draft_stamp = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("advance notice (forhåndsvarsel)")
        verbose_name_plural = _("advance notices (forhåndsvarsel)")
        ordering = ["-sent_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(comment_deadline__gt=F("sent_on")),
                name="advancenotice_deadline_after_sent",
                violation_error_message=_("The deadline for comments must be after the day the notice is sent."),
            )
        ]

    def __str__(self) -> str:
        return f"{_('Advance notice')} {short(self.sent_on)}"


class AdvanceNoticeComment(models.Model):
    """A comment a party gave on an advance notice, as staff recorded it."""

    class Party(models.TextChoices):
        GUARDIAN = "guardian", _("A guardian")
        PUPIL = "pupil", _("The pupil")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notice = models.ForeignKey(
        AdvanceNotice, on_delete=models.CASCADE, related_name="comments", verbose_name=_("advance notice")
    )
    party = models.CharField(_("from"), max_length=10, choices=Party.choices, default=Party.GUARDIAN)
    guardian = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guardian"),
        help_text=_("The guardian who answered, when they have a login."),
    )
    name = models.CharField(_("name"), max_length=200)
    received_on = models.DateField(_("received on"), validators=[validate_date_window])
    text = FreeTextField(_("comment"))
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment on the advance notice")
        verbose_name_plural = _("comments on the advance notice")
        ordering = ["received_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.name} {short(self.received_on)}"


class EnkeltvedtakSubject(models.Model):
    vedtak = models.ForeignKey(
        Enkeltvedtak, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("individual decision")
    )
    subject = models.CharField(_("subject"), max_length=100)
    hours = models.PositiveIntegerField(
        _("hours per school year"), null=True, blank=True, validators=[MaxValueValidator(HOURS_PER_YEAR_MAX)]
    )
    curriculum_deviations = FreeTextField(
        _("deviations from the curriculum"),
        blank=True,
        help_text=_("Which competence aims are left out or changed."),
    )
    grade_exemption = models.BooleanField(_("exempt from grades"), default=False)
    organisation = models.CharField(
        _("organisation"), max_length=20, choices=Organisation.choices, default=Organisation.CLASS
    )
    staff_competence = models.CharField(
        _("staff competence"), max_length=30, choices=StaffCompetence.choices, default=StaffCompetence.TEACHER
    )

    history = HistoricalRecords(bases=[HistorySeries])

    class Meta:
        verbose_name = _("subject of a decision")
        verbose_name_plural = _("subjects of a decision")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vedtak", "subject"],
                name="vedtaksubject_unique",
                violation_error_message=_("The decision already names this subject."),
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Iop(Document):
    """Individuell opplæringsplan (opplæringslova § 11-10)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="iops", verbose_name=_("pupil"))
    vedtak = models.ForeignKey(
        Enkeltvedtak, on_delete=models.PROTECT, related_name="iops", verbose_name=_("individual decision")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("school year")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    period_start = models.DateField(_("from"), validators=[validate_date_window])
    period_end = models.DateField(_("to"), validators=[validate_date_window])
    ordinary_teaching = FreeTextField(
        _("ordinary teaching outside these subjects"), blank=True, default=default_ordinary_teaching
    )
    class_plan_coordination = FreeTextField(_("coordination with the class plan"), blank=True)
    pupil_view = FreeTextField(_("the pupil's own view and how it was weighed"), blank=True, help_text=PUPIL_VIEW_HELP)
    participants = FreeTextField(
        _("who took part in making the plan"),
        blank=True,
        help_text=_("The pupil, the guardians, the teachers and others (e.g. PPT), and how each took part."),
    )
    strengths = FreeTextField(_("the pupil's strengths and interests"), blank=True)
    aids = FreeTextField(
        _("aids and learning materials"),
        blank=True,
        help_text=_("Technical aids, adapted books, digital tools and other materials the pupil uses."),
    )
    evaluation = FreeTextField(
        _("when and how the plan is evaluated"),
        blank=True,
        help_text=_("Dates or intervals, who takes part, and what the evaluation looks at."),
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    #: The plan's own texts, in the order the form, the page, the snapshot and the PDF show them.
    TEXT_FIELDS = (
        "ordinary_teaching",
        "class_plan_coordination",
        "pupil_view",
        "participants",
        "strengths",
        "aids",
        "evaluation",
    )

    history = HistoricalRecords(bases=[HistorySeries], excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("individual education plan (IOP)")
        verbose_name_plural = _("individual education plans (IOP)")
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")),
                name="iop_period_start_before_end",
                violation_error_message=_("The end of the period must be on or after its start."),
            ),
            models.UniqueConstraint(
                fields=["pupil", "school_year"],
                condition=~Q(status="archived"),
                name="iop_one_live_per_year",
                violation_error_message=_("The pupil already has an IOP for this school year."),
            ),
        ]
        indexes = [models.Index(fields=["pupil", "status"], name="iop_pupil_status_idx")]

    def __str__(self) -> str:
        return f"IOP {self.school_year.name}"

    def get_absolute_url(self) -> str:
        return reverse("iop:iop_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.ARCHIVED


class IopSubject(models.Model):
    """One subject section of an IOP: content, methods, how it is carried out."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    iop = models.ForeignKey(Iop, on_delete=models.CASCADE, related_name="sections", verbose_name=_("IOP"))
    subject = models.CharField(_("subject"), max_length=100)
    hours = models.PositiveIntegerField(
        _("hours per school year"), null=True, blank=True, validators=[MaxValueValidator(HOURS_PER_YEAR_MAX)]
    )
    content = FreeTextField(_("content (what the pupil works with)"), blank=True)
    working_methods = FreeTextField(_("working methods"), blank=True)
    organisation = FreeTextField(
        _("how the teaching is carried out"), blank=True, help_text=_("Organisation, who teaches, where.")
    )
    hours_teacher = models.PositiveIntegerField(
        _("hours with a teacher"),
        null=True,
        blank=True,
        help_text=_("Årstimer (60 min) per school year."),
        validators=[MaxValueValidator(HOURS_PER_YEAR_MAX)],
    )
    hours_special_needs_teacher = models.PositiveIntegerField(
        _("hours with a special-needs teacher"),
        null=True,
        blank=True,
        help_text=_("Årstimer (60 min) per school year."),
        validators=[MaxValueValidator(HOURS_PER_YEAR_MAX)],
    )
    hours_assistant = models.PositiveIntegerField(
        _("hours with an assistant"),
        null=True,
        blank=True,
        help_text=_("Årstimer (60 min) per school year."),
        validators=[MaxValueValidator(HOURS_PER_YEAR_MAX)],
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    dropped_on = models.DateField(
        _("no longer in the decision from"),
        null=True,
        blank=True,
        help_text=_("Set when the plan moved onto a newer decision without this subject; goals and logs are kept."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(bases=[HistorySeries])

    #: The hours per school year split by who gives the teaching (årstimer, 60 min).
    STAFF_HOURS_FIELDS = ("hours_teacher", "hours_special_needs_teacher", "hours_assistant")

    class Meta:
        verbose_name = _("IOP subject")
        verbose_name_plural = _("IOP subjects")
        ordering = ["order", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["iop", "subject"],
                name="iopsubject_unique",
                violation_error_message=_("The IOP already has a section for this subject."),
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def staff_hours(self) -> int | None:
        """The årstimer split by staff type, added up; None when no split is given."""
        given = [getattr(self, name) for name in self.STAFF_HOURS_FIELDS if getattr(self, name) is not None]
        return sum(given) if given else None


class Goal(models.Model):
    """A læringsmål with criteria on four levels and two axes, in exactly one
    plan: an IOP (``iop``, subject through ``section``) or an IUP (``iup``,
    subject named in ``subject``; empty for social goals)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    iop = models.ForeignKey(
        Iop, on_delete=models.CASCADE, null=True, blank=True, related_name="goals", verbose_name=_("IOP")
    )
    iup = models.ForeignKey(
        "Iup", on_delete=models.CASCADE, null=True, blank=True, related_name="goals", verbose_name=_("IUP")
    )
    subject = models.CharField(_("subject"), max_length=100, blank=True, help_text=_("Empty for social goals."))
    section = models.ForeignKey(
        IopSubject,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("subject"),
        help_text=_("Empty for social or general goals."),
    )
    text = FreeTextField(_("learning goal"), blank=True)  # a new IOP goal starts empty (see services.goal_create)
    competence_aim = models.CharField(
        _("competence aim"), max_length=500, blank=True, help_text=_("Code or text of the competence aim, e.g. KM1234.")
    )
    competence_aims = models.ManyToManyField(
        "curriculum.CompetenceAim",
        blank=True,
        related_name="goals",
        verbose_name=_("competence aims"),
        help_text=_("Aims from the curriculum (Grep) the goal works towards."),
    )
    quality_1 = FreeTextField(_("quality: beginner level"), blank=True)
    quality_2 = FreeTextField(_("quality: developing"), blank=True)
    quality_3 = FreeTextField(_("quality: competent"), blank=True)
    quality_4 = FreeTextField(_("quality: excellent"), blank=True)
    independence_1 = FreeTextField(_("independence: beginner level"), blank=True)
    independence_2 = FreeTextField(_("independence: developing"), blank=True)
    independence_3 = FreeTextField(_("independence: competent"), blank=True)
    independence_4 = FreeTextField(_("independence: excellent"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    history = HistoricalRecords(bases=[HistorySeries], m2m_fields=[competence_aims])

    CRITERIA_FIELDS = tuple(f"{axis}_{level}" for axis in ("quality", "independence") for level in (1, 2, 3, 4))

    class Meta:
        verbose_name = _("learning goal")
        verbose_name_plural = _("learning goals")
        ordering = ["order", "created_at"]
        indexes = [
            models.Index(fields=["iop", "order"], name="goal_iop_order_idx"),
            models.Index(fields=["iup", "order"], name="goal_iup_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(iop__isnull=False, iup__isnull=True) | Q(iop__isnull=True, iup__isnull=False),
                name="goal_in_exactly_one_plan",
                violation_error_message=_("A goal belongs to exactly one plan."),
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def plan(self) -> Iop | Iup:
        """The IOP or IUP the goal belongs to."""
        return self.iop if self.iop_id else self.iup  # type: ignore[return-value]

    @property
    def plan_field(self) -> str:
        return "iop" if self.iop_id else "iup"

    @property
    def subject_name(self) -> str:
        """The goal's subject: its IOP section's, or the one an IUP goal names;
        "" for a social or general goal (loads the section unless selected)."""
        if self.iop_id:
            return self.section.subject if self.section is not None else ""
        return self.subject

    @property
    def group_key(self) -> str:
        """The id of the goal list the goal is shown in (IOP section or "general")."""
        return str(self.section_id) if self.section_id else "general"

    def criteria(self) -> list[tuple[Any, list[tuple[Any, str]]]]:
        """[(axis label, [(level label, text) × 4]) × 2] for display."""
        return [
            (label, [(Level(level).label, getattr(self, f"{axis}_{level}")) for level in (1, 2, 3, 4)])
            for axis, label in (("quality", _("Quality")), ("independence", _("Independence")))
        ]

    def plain_criteria(self) -> list[tuple[Any, list[tuple[Any, str]]]]:
        """:attr:`criteria` with the axes named as guardians read them
        ("How well", "How independently"), as on their pages."""
        return [(plain, rows) for plain, (_axis, rows) in zip(PLAIN_AXES, self.criteria(), strict=True)]

    def missing_criteria(self) -> list[str]:
        return [name for name in self.CRITERIA_FIELDS if not getattr(self, name).strip()]


class GoalLog(models.Model):
    """One entry in a goal's log: the level reached, feed-forward,
    the pupil's self-assessment and/or a note."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="logs", verbose_name=_("learning goal"))
    date = models.DateField(_("date"), default=timezone.localdate, validators=[validate_date_window])
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    quality = models.PositiveSmallIntegerField(_("level of quality"), choices=Level.choices, null=True, blank=True)
    independence = models.PositiveSmallIntegerField(
        _("level of independence"), choices=Level.choices, null=True, blank=True
    )
    feed_forward = FreeTextField(_("feed-forward"), blank=True)
    self_assessment = FreeTextField(_("the pupil's self-assessment"), blank=True)
    note = FreeTextField(_("note"), blank=True)
    note_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Internal notes are never shown to guardians.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal log entry")
        verbose_name_plural = _("goal log entries")
        ordering = ["date", "created_at"]
        indexes = [models.Index(fields=["goal", "date"], name="goallog_goal_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quality__isnull=True) | Q(quality__gte=1, quality__lte=4),
                name="goallog_quality_range",
                violation_error_message=_("The quality must be between 1 and 4."),
            ),
            models.CheckConstraint(
                condition=Q(independence__isnull=True) | Q(independence__gte=1, independence__lte=4),
                name="goallog_independence_range",
                violation_error_message=_("The independence must be between 1 and 4."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal} {short(self.date)}"


class TeachingLog(models.Model):
    """Hours of teaching given in one subject over a period (a week or more)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    section = models.ForeignKey(
        IopSubject, on_delete=models.CASCADE, related_name="teaching_logs", verbose_name=_("subject")
    )
    period_start = models.DateField(_("from"), validators=[validate_date_window])
    period_end = models.DateField(_("to"), validators=[validate_date_window])
    hours = models.DecimalField(_("hours given"), max_digits=5, decimal_places=1)
    note = models.CharField(_("note"), max_length=300, blank=True)
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("teaching given")
        verbose_name_plural = _("teaching given")
        ordering = ["period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")),
                name="teachinglog_period_start_before_end",
                violation_error_message=_("The end of the period must be on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0),
                name="teachinglog_hours_not_negative",
                violation_error_message=_("The hours given can not be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section} {short(self.period_start)}: {self.hours}"


class IopVersion(models.Model):
    """What an IOP said when it was published (for comparing versions)."""

    iop = models.ForeignKey(Iop, on_delete=models.CASCADE, related_name="versions", verbose_name=_("IOP"))
    number = models.PositiveIntegerField(_("number"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("published by")
    )
    snapshot = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("published IOP version")
        verbose_name_plural = _("published IOP versions")
        ordering = ["iop", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["iop", "number"],
                name="iopversion_unique_number",
                violation_error_message=_("This version of the IOP already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.iop} v{self.number}"


class AccessLogEntry(models.Model):
    """A read of a pupil's confidential data: who, what, when and why.

    Append-only: the app only ever inserts (``iop.services.log_read``), the
    admin shows entries read-only, and on PostgreSQL a trigger refuses every
    UPDATE and DELETE of the table (migration 0004). Entries outlive what they
    name: ``pupil`` and ``user`` are kept as plain ids without a database
    constraint (``DO_NOTHING``), so deleting a pupil or a user neither fails
    nor touches the log; a deleted user's reads show as "unknown".
    ``role`` is the reader's role at the pupil's school when reading
    (a :class:`students.models.StaffMembership.Role` value, ``guardian``, or
    empty), so the guardians' view does not depend on later changes.
    """

    GUARDIAN = "guardian"

    class Purpose(models.TextChoices):
        READ = "read", _("Read")
        EDIT = "edit", _("Open for editing")
        HISTORY = "history", _("Read the history")
        COMPARE = "compare", _("Compare versions")
        # What the log says was done: "downloaded", not the link's "download".
        PDF = "pdf", pgettext_lazy("access log", "Download as PDF")
        ZIP = "zip", pgettext_lazy("access log", "Download in a ZIP file")
        JSON = "json", pgettext_lazy("access log", "Download as JSON")
        ADMIN = "admin", _("Opened in the admin")

    class Kind(models.TextChoices):
        VURDERING = "vurdering", _("Expert assessment")
        VEDTAK = "vedtak", _("Individual decision")
        IOP = "iop", _("IOP")
        IUP = "iup", _("IUP")
        GOAL = "goal", _("Learning goal and log")
        PUPIL = "pupil", _("Pupil page")
        REPORT = "report", _("Report")
        REFERRAL = "referral", _("Referral and pedagogisk rapport")
        CONCERN = "concern", _("Concern")
        TILTAK = "tiltak", _("Measure")
        TALK = "talk", _("Talk")
        PLAN = "plan", _("Follow-up plan")
        MEETING = "meeting", _("Follow-up meeting")
        FILE = "file", _("The whole file (innsyn)")
        ANPASSNING = "anpassning", _("Extra adaptation")
        UTREDNING = "utredning", _("Investigation of särskilt stöd")
        ATGARDSPROGRAM = "atgardsprogram", _("Support programme decision")

    pupil = models.ForeignKey(
        Pupil, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("pupil")
    )
    user = models.ForeignKey(
        USER, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, blank=True, default="")
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    object_id = models.UUIDField(_("document id"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.READ)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("access log entry")
        # A context of its own: django-axes has a login "access log" of the same words.
        verbose_name_plural = pgettext_lazy("reads of pupils' data", "access log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["pupil", "-at"], name="accesslog_pupil_at_idx")]

    def __str__(self) -> str:
        at = date_format(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT")
        return f"{self.get_kind_display()} {at}"


# --- IUP ---------------------------------------------------------------------------

SWEDISH_SCALE = ("Arbetar mot målen", "Når målen", "Överträffar målen")
NORWEGIAN_SCALE = ("Lav måloppnåelse", "Middels måloppnåelse", "Høy måloppnåelse")
#: The same scale and subjects for a school that writes nynorsk (``School.language``).
NYNORSK_SCALE = ("Låg måloppnåing", "Middels måloppnåing", "Høg måloppnåing")
SWEDISH_SUBJECTS = (
    "Svenska",
    "Matematik",
    "Engelska",
    "Bild",
    "Idrott och hälsa",
    "Musik",
    "Slöjd",
    "Teknik",
    "NO (biologi, fysik, kemi)",
    "SO (geografi, historia, religionskunskap, samhällskunskap)",
)
NORWEGIAN_SUBJECTS = (
    "Norsk",
    "Matematikk",
    "Engelsk",
    "Naturfag",
    "Samfunnsfag",
    "KRLE",
    "Kunst og håndverk",
    "Musikk",
    "Mat og helse",
    "Kroppsøving",
)
NYNORSK_SUBJECTS = tuple("Kunst og handverk" if name == "Kunst og håndverk" else name for name in NORWEGIAN_SUBJECTS)
WRITTEN_IUP_YEAR_LEVELS = [1, 2, 3, 4, 5]  # grundskola years without grades
#: The parts a written IUP always holds (skollagen 10 kap. 13 §): omdömen in
#: each subject taught, the forward-looking planning, and the agreements made
#: at the talk. The rektor's form can not switch them off (``IupSettings.Part`` values).
WRITTEN_IUP_PARTS = ("assessments", "planning", "agreements")


def _lines(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line and line.lower() not in {x.lower() for x in out}:
            out.append(line)
    return out


class IupSettings(models.Model):
    """The form of the IUP at one school, chosen by the rector (Skollagen
    10 kap. 13 §: "rektorn beslutar om utformningen"): which parts are used,
    the assessment scale, the subjects and, in Sweden, the year levels that get
    the written IUP (those without grades). A school without a row uses
    :meth:`defaults_for`."""

    class Part(models.TextChoices):
        GOALS = "goals", _("Goals the pupil works towards")
        ASSESSMENTS = "assessments", _("Assessments per subject")
        SELF_ASSESSMENT = "self_assessment", _("The pupil's self-assessment")
        PLANNING = "planning", _("Forward-looking planning: what the school, the pupil and the guardians will do")
        AGREEMENTS = "agreements", _("Agreements made at the talk")

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="iup_settings", verbose_name=_("school")
    )
    use_goals = models.BooleanField(_("goals the pupil works towards"), default=True)
    use_assessments = models.BooleanField(_("assessments per subject"), default=True)
    use_self_assessment = models.BooleanField(_("the pupil's self-assessment"), default=True)
    use_planning = models.BooleanField(_("forward-looking planning"), default=True)
    use_agreements = models.BooleanField(_("agreements made at the talk"), default=True)
    scale = FreeTextField(_("assessment scale"), help_text=_("One step per line, from the lowest to the highest."))
    subjects = FreeTextField(_("subjects"), blank=True, help_text=_("One subject per line."))
    written_year_levels = models.JSONField(
        _("year levels with a written IUP"),
        default=list,
        blank=True,
        help_text=_("Sweden: the year levels where no grades are given."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now, editable=False)

    history = HistoricalRecords(bases=[HistorySeries], excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("IUP settings")
        verbose_name_plural = _("IUP settings")

    def __str__(self) -> str:
        return f"IUP {self.school}"

    @classmethod
    def defaults_for(cls, school: School) -> IupSettings:
        """The unsaved default settings of SCHOOL: Swedish, or Norwegian in
        the school's written language (bokmål or nynorsk)."""
        swedish = school.skoleeier.country == Skoleeier.Country.SE
        nynorsk = not swedish and school.language == "nn"
        scale: tuple[str, ...]
        subjects: tuple[str, ...]
        if swedish:
            scale, subjects = SWEDISH_SCALE, SWEDISH_SUBJECTS
        else:
            scale, subjects = (NYNORSK_SCALE, NYNORSK_SUBJECTS) if nynorsk else (NORWEGIAN_SCALE, NORWEGIAN_SUBJECTS)
        return cls(
            school=school,
            scale="\n".join(scale),
            subjects="\n".join(subjects),
            written_year_levels=list(WRITTEN_IUP_YEAR_LEVELS) if swedish else [],
        )

    def scale_steps(self) -> list[str]:
        return _lines(self.scale)

    def subject_list(self) -> list[str]:
        return _lines(self.subjects)

    def parts(self) -> list[str]:
        return [part for part in self.Part.values if getattr(self, f"use_{part}")]


#: Built-in criteria templates ({criteria field: text}), offered where a school
#: has written none: the independence axis is the same for most goals, the
#: quality axis a generic start the teacher makes specific.
DEFAULT_CRITERIA: dict[str, Any] = {
    "quality_1": _("The pupil shows it in simple, familiar tasks."),
    "quality_2": _("The pupil shows it in familiar tasks with some variation."),
    "quality_3": _("The pupil shows it in new tasks of the same kind."),
    "quality_4": _("The pupil uses it in new situations and explains how."),
    "independence_1": _("The pupil does it with an adult's help all the way."),
    "independence_2": _("The pupil starts with an adult's help and goes on with some support."),
    "independence_3": _("The pupil does it alone once started."),
    "independence_4": _("The pupil does it alone and chooses strategy and aids."),
}


class CriteriaTemplate(models.Model):
    """The criteria a school offers for a new goal, per axis and level (the
    fields of :attr:`Goal.CRITERIA_FIELDS`), written by its coordinator or
    rector. An empty field, and a school without a row, use
    :data:`DEFAULT_CRITERIA` (in the reader's language)."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="criteria_template", verbose_name=_("school")
    )
    quality_1 = FreeTextField(_("quality: beginner level"), blank=True, max_length=1000)
    quality_2 = FreeTextField(_("quality: developing"), blank=True, max_length=1000)
    quality_3 = FreeTextField(_("quality: competent"), blank=True, max_length=1000)
    quality_4 = FreeTextField(_("quality: excellent"), blank=True, max_length=1000)
    independence_1 = FreeTextField(_("independence: beginner level"), blank=True, max_length=1000)
    independence_2 = FreeTextField(_("independence: developing"), blank=True, max_length=1000)
    independence_3 = FreeTextField(_("independence: competent"), blank=True, max_length=1000)
    independence_4 = FreeTextField(_("independence: excellent"), blank=True, max_length=1000)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now, editable=False)

    history = HistoricalRecords(bases=[HistorySeries], excluded_fields=["updated_at"])

    AXES = ("quality", "independence")

    class Meta:
        verbose_name = _("criteria template")
        verbose_name_plural = _("criteria templates")

    def __str__(self) -> str:
        return f"{self.school}"

    def texts(self) -> dict[str, str]:
        """{criteria field: text} with the built-in default where the field is empty."""
        return {
            name: (getattr(self, name) or "").strip() or str(DEFAULT_CRITERIA[name]) for name in Goal.CRITERIA_FIELDS
        }


class Iup(Document):
    """Individuell utviklingsplan (Norway, the Steinkjer model: every pupil)
    or individuell utvecklingsplan (Sweden; the *skriftlig IUP* once per school
    year in years without grades). Agreed at a talk; guardians read it once
    published. ``parts`` and ``scale`` keep the school's form as it was when
    the plan was made."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Kind(models.TextChoices):
        DEVELOPMENT = "development", _("IUP")
        WRITTEN = "written", _("Written IUP")

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="iups", verbose_name=_("pupil"))
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("school year")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEVELOPMENT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    talk_date = models.DateField(
        _("date of the development talk"),
        null=True,
        blank=True,
        help_text=_("The talk with the pupil and the guardians at which the plan was agreed."),
        validators=[validate_date_window],
    )
    school_contribution = FreeTextField(_("what the school will do"), blank=True)
    pupil_contribution = FreeTextField(_("what the pupil will do"), blank=True)
    guardian_contribution = FreeTextField(_("what the guardians will do"), blank=True)
    agreements = FreeTextField(_("agreements made at the talk"), blank=True)
    parts = models.JSONField(_("parts of the form"), default=list)
    scale = models.JSONField(_("assessment scale"), default=list)

    #: What the values of a list field mean, for a reader of the pupil's file
    #: (:func:`students.pupil_file.record`).
    FILE_CHOICES: ClassVar[dict[str, Any]] = {"parts": IupSettings.Part.choices}
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    history = HistoricalRecords(bases=[HistorySeries], excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("individual development plan (IUP)")
        verbose_name_plural = _("individual development plans (IUP)")
        ordering = ["-school_year__start", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school_year"],
                condition=~Q(status="archived"),
                name="iup_one_live_per_year",
                violation_error_message=_("The pupil already has an IUP for this school year."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="iup_published_has_date",
                violation_error_message=_("A published IUP needs the time it was published."),
            ),
        ]
        indexes = [
            models.Index(fields=["pupil", "status"], name="iup_pupil_status_idx"),
            models.Index(fields=["school_year", "status"], name="iup_year_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.school_year.name}"

    def get_absolute_url(self) -> str:
        return reverse("iop:iup_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.ARCHIVED

    @property
    def is_written(self) -> bool:
        return self.kind == self.Kind.WRITTEN

    def uses(self, part: str) -> bool:
        return part in self.parts

    def scale_label(self, step: int | None) -> str:
        if step is None or not 1 <= step <= len(self.scale):
            return ""
        return str(self.scale[step - 1])


class IupAssessment(models.Model):
    """The assessment of one subject in an IUP (Swedish *omdöme*): a step on
    the plan's scale and a text, beside the pupil's self-assessment on the
    same scale (entered by the teacher with the pupil before the talk)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    iup = models.ForeignKey(Iup, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("IUP"))
    subject = models.CharField(_("subject"), max_length=100)
    level = models.PositiveSmallIntegerField(_("the teacher's assessment"), null=True, blank=True)
    text = FreeTextField(_("assessment"), blank=True)
    self_level = models.PositiveSmallIntegerField(_("the pupil's self-assessment"), null=True, blank=True)
    self_text = FreeTextField(_("the pupil's own words"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )

    history = HistoricalRecords(bases=[HistorySeries])

    class Meta:
        verbose_name = _("assessment of a subject")
        verbose_name_plural = _("assessments of subjects")
        ordering = ["order", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["iup", "subject"],
                name="iupassessment_unique_subject",
                violation_error_message=_("The IUP already has an assessment in this subject."),
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1),
                name="iupassessment_level_positive",
                violation_error_message=_("The level must be 1 or higher."),
            ),
            models.CheckConstraint(
                condition=Q(self_level__isnull=True) | Q(self_level__gte=1),
                name="iupassessment_self_level_positive",
                violation_error_message=_("The pupil's own level must be 1 or higher."),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def level_label(self) -> str:
        return self.iup.scale_label(self.level)

    @property
    def self_level_label(self) -> str:
        return self.iup.scale_label(self.self_level)


class IupVersion(models.Model):
    """What an IUP said when it was published: the guardians read this, not
    the live plan, until the next publication (see :mod:`iop.published`)."""

    iup = models.ForeignKey(Iup, on_delete=models.CASCADE, related_name="versions", verbose_name=_("IUP"))
    number = models.PositiveIntegerField(_("number"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("published by")
    )
    snapshot = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("published IUP version")
        verbose_name_plural = _("published IUP versions")
        ordering = ["iup", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["iup", "number"],
                name="iupversion_unique_number",
                violation_error_message=_("This version of the IUP already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.iup} v{self.number}"


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


class BankEntry(models.Model):
    """A learning goal shared in the læringsbank: a de-identified copy (see
    :mod:`iop.bank`) that teachers of the same skoleeier may copy into their
    own goals. The bank reads only these copies, never a live goal; the
    source goal is kept (``SET_NULL``) only so its teacher sees it is shared."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    skoleeier = models.ForeignKey(
        Skoleeier, on_delete=models.CASCADE, related_name="bank_entries", verbose_name=_("school owner")
    )
    text = FreeTextField(_("learning goal"))
    criteria = models.JSONField(_("criteria"), default=dict, blank=True, help_text=_("Criteria by field name."))
    competence_aims = models.ManyToManyField(
        "curriculum.CompetenceAim", related_name="bank_entries", verbose_name=_("competence aims")
    )
    shared_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("shared by")
    )
    shared_at = models.DateTimeField(_("shared"), default=timezone.now)
    source_goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bank_entries",
        verbose_name=_("shared from the goal"),
    )
    uses = models.PositiveIntegerField(_("times copied"), default=0)

    class Meta:
        verbose_name = _("learning bank entry")
        verbose_name_plural = _("learning bank entries")
        ordering = ["-uses", "-shared_at"]
        indexes = [models.Index(fields=["skoleeier", "-uses", "-shared_at"], name="bankentry_skoleeier_idx")]

    def __str__(self) -> str:
        return self.text[:80]

    def criteria_rows(self) -> list[tuple[Any, str]]:
        """[(the field's label, e.g. "quality: beginner level", text)] for the criteria given."""
        return [
            (Goal._meta.get_field(name).verbose_name, self.criteria[name])  # type: ignore[union-attr]
            for name in Goal.CRITERIA_FIELDS
            if self.criteria.get(name)
        ]
