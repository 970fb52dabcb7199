"""Organisation and people: skoleeier, school, school year, group, pupil,
guardian, staff membership, teaching assignments and explicit access grants.

Glossary (see DOMAIN.md): *Skoleeier* = school owner (kommune/fylkeskommune or a
Swedish huvudman); *kontaktlærer* = class teacher; *faglærer* = subject
teacher; *PPT* = educational-psychological service; *vikar* = substitute.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from .dates import short

ADULT_AGE = 18


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        """The user whose email address is USERNAME, whatever the case it is
        typed in ("Ola@Skole.no" is the address stored as "ola@skole.no"):
        the login's lookup. Two accounts whose addresses differ only in case
        are told apart by the exact address. ``User.DoesNotExist`` when none."""
        try:
            return self.get(email__iexact=username)
        except self.model.MultipleObjectsReturned:
            return self.get(email=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: staff, PPT, guardian or operator. Email is the login.

    ``language`` is the user's own choice of the interface's language (and of
    their e-mails and calendar); empty, the language of their school is used
    (:class:`students.middleware.SchoolLanguageMiddleware`)."""

    class Language(models.TextChoices):
        # Each language named in itself: the reader looks for their own.
        NB = "nb", "Norsk bokmål"
        NN = "nn", "Norsk nynorsk"
        SV = "sv", "Svenska"
        EN = "en", "English"

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    is_staff = models.BooleanField(
        _("operator"), default=False, help_text=_("May log in to the operators' admin site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    external_id = models.CharField(
        _("source id"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_("The id in the student administration system the roster is imported from."),
    )

    language = models.CharField(
        _("language"),
        max_length=5,
        blank=True,
        default="",
        db_default="",
        choices=Language.choices,
        help_text=_("Empty: the language of the school."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="user_unique_external_id",
                violation_error_message=_("Another record already has this source id."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def admin_label(self) -> str:
        """``"Kari Nordmann <kari@example.no>"``: namesakes told apart in the operators' admin."""
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Skoleeier(models.Model):
    """School owner: a Norwegian kommune/fylkeskommune or a Swedish huvudman."""

    class Kind(models.TextChoices):
        KOMMUNE = "kommune", _("Municipality (kommune)")
        FYLKESKOMMUNE = "fylkeskommune", _("County (fylkeskommune)")
        PRIVATE = "private", _("Private school owner")

    class Country(models.TextChoices):
        NO = "NO", _("Norway")
        SE = "SE", _("Sweden")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.NO)
    org_number = models.CharField(_("organisation number"), max_length=20, blank=True)
    external_id = models.CharField(
        _("source id"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_("The id in the student administration system the roster is imported from."),
    )

    class Meta:
        verbose_name = _("school owner")
        verbose_name_plural = _("school owners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="skoleeier_unique_external_id",
                violation_error_message=_("Another record already has this source id."),
            ),
            models.UniqueConstraint(
                fields=["name", "country"],
                name="skoleeier_unique_name",
                violation_error_message=_("A school owner with this name already exists in this country."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    class Kind(models.TextChoices):
        BARNESKOLE = "barneskole", _("Primary school (1–7)")
        UNGDOMSSKOLE = "ungdomsskole", _("Lower secondary school (8–10)")
        BARNE_UNGDOM = "barne_ungdom", _("Primary and lower secondary school (1–10)")
        VGS = "vgs", _("Upper secondary school (Vg1–Vg3)")
        GRUNDSKOLA = "grundskola", _("Compulsory school (grundskola)")

    class Language(models.TextChoices):
        NB = "nb", "Norsk bokmål"
        NN = "nn", "Norsk nynorsk"
        SV = "sv", "Svenska"

    skoleeier = models.ForeignKey(
        Skoleeier, on_delete=models.PROTECT, related_name="schools", verbose_name=_("school owner")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.NB)
    address = models.TextField(
        _("address"),
        max_length=500,
        blank=True,
        help_text=_("Postal address, telephone and e-mail, printed in the letterhead of decision letters."),
    )
    external_id = models.CharField(
        _("source id"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_("The id in the student administration system the roster is imported from."),
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="school_unique_external_id",
                violation_error_message=_("Another record already has this source id."),
            ),
            models.UniqueConstraint(
                fields=["skoleeier", "name"],
                name="school_unique_name",
                violation_error_message=_("The school owner already has a school with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="school_years", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 2026/27."))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "start"],
                name="schoolyear_unique_start",
                violation_error_message=_("The school already has a school year that starts on this date."),
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="schoolyear_start_before_end",
                violation_error_message=_("The school year must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.name}"

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


class Group(models.Model):
    """A class (basisgruppe/klasse) or teaching group in one school year."""

    class Kind(models.TextChoices):
        CLASS = "class", _("Class")
        TEACHING = "teaching", _("Teaching group")

    class YearLevel(models.IntegerChoices):
        Y1 = 1, _("Year 1")
        Y2 = 2, _("Year 2")
        Y3 = 3, _("Year 3")
        Y4 = 4, _("Year 4")
        Y5 = 5, _("Year 5")
        Y6 = 6, _("Year 6")
        Y7 = 7, _("Year 7")
        Y8 = 8, _("Year 8")
        Y9 = 9, _("Year 9")
        Y10 = 10, _("Year 10")
        VG1 = 11, "Vg1"
        VG2 = 12, "Vg2"
        VG3 = 13, "Vg3"

    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="groups", verbose_name=_("school year")
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CLASS)
    year_level = models.PositiveSmallIntegerField(_("year level"), choices=YearLevel.choices)
    external_id = models.CharField(
        _("source id"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_("The id in the student administration system the roster is imported from."),
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["year_level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="group_unique_external_id",
                violation_error_message=_("Another record already has this source id."),
            ),
            models.UniqueConstraint(
                fields=["school_year", "name"],
                name="group_unique_name",
                violation_error_message=_("The school year already has a group with this name."),
            ),
            models.CheckConstraint(
                condition=Q(year_level__gte=1, year_level__lte=13),
                name="group_year_level_range",
                violation_error_message=_("The year level must be between 1 and 13."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def admin_label(self) -> str:
        """``"5A – Nordby skole 2026/27"``: a group among many schools' (the
        operators' admin). Needs ``school_year__school`` loaded."""
        return f"{self.name} – {self.school_year}"


class Pupil(models.Model):
    """A pupil. Addressed by UUID everywhere; the national id lives apart."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="pupils",
        verbose_name=_("school"),
        help_text=_("The school the pupil attends now."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    guardians_may_see_as_adult = models.BooleanField(
        _("guardians may see (adult pupil's consent)"),
        default=False,
        help_text=_("From the age of 18, guardians see nothing unless the pupil consents."),
    )
    archived_at = models.DateTimeField(
        _("archived"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "A pupil who has left is archived, never deleted: hidden from lists, the records kept and readable "
            "to the coordinator."
        ),
    )
    archived_by = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("archived by"),
    )
    external_id = models.CharField(
        _("source id"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text=_("The id in the student administration system the roster is imported from."),
    )

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["school", "last_name", "first_name"], name="pupil_school_name_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="pupil_unique_external_id",
                violation_error_message=_("Another record already has this source id."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def admin_label(self) -> str:
        """``"Jonas Haugen (f. 04.03.2012) – Nordby skole"``: namesakes told
        apart in the operators' admin. Needs ``school`` loaded."""
        return f"{self.full_name} ({_('b.')} {short(self.birth_date)}) – {self.school}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def age_on(self, day: datetime.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


class PupilIdentity(models.Model):
    """Sensitive identifiers, kept out of the pupil row so that lists, admin
    search and exports never touch them by accident."""

    pupil = models.OneToOneField(
        Pupil, on_delete=models.CASCADE, related_name="identity", primary_key=True, verbose_name=_("pupil")
    )
    national_id = models.CharField(_("national identity number"), max_length=13)

    class Meta:
        verbose_name = _("pupil identity (sensitive)")
        verbose_name_plural = _("pupil identities (sensitive)")

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        return self.mask(self.national_id[-2:], len(self.national_id))

    @staticmethod
    def mask(tail: str, length: int) -> str:
        """A national id shown by its last two digits only: TAIL (those
        digits) after a dot for each of the LENGTH - 2 others ("•••••••••12")."""
        return "•" * max(length - 2, 0) + tail


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def open_on(self, day: datetime.date | None = None) -> EnrolmentQuerySet:
        """Enrolments not ended before DAY (default today): without ``end``, or ending on DAY or later."""
        day = day or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gte=day))

    def current(self, day: datetime.date | None = None) -> EnrolmentQuerySet:
        """Enrolments of DAY (default today): in a school year not yet over, and not ended."""
        day = day or timezone.localdate()
        return self.open_on(day).filter(group__school_year__end__gte=day)


class Enrolment(models.Model):
    """A pupil's place in a group in one school year.

    ``start`` and ``end`` are the first and last day in the group when the
    pupil joined or left during the year (a move to another group or school,
    :mod:`students.transfer`); empty means the whole school year. An ended
    enrolment gives the group's teachers no access to the pupil."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("pupil"))
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("group"))
    start = models.DateField(_("first day in the group"), null=True, blank=True)
    end = models.DateField(_("last day in the group"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "group"],
                name="enrolment_unique_pupil_group",
                violation_error_message=_("The pupil is already in this group."),
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(start__lte=F("end")),
                name="enrolment_start_before_end",
                violation_error_message=_("The last day in the group must be on or after the first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} – {self.group}"

    @property
    def is_ended(self) -> bool:
        return self.end is not None and self.end < timezone.localdate()

    def clean(self) -> None:
        """A pupil is enrolled only in groups of the school they attend now
        (``Pupil.school``); a move to another school changes that first.
        An ended enrolment stays where it was (the pupil's former school)."""
        if self.is_ended:
            return
        if self.pupil_id and self.group_id and self.pupil.school_id != self.group.school_year.school_id:
            raise ValidationError(
                {
                    "group": _(
                        "The group belongs to another school than the pupil's (%(school)s). "
                        "Change the pupil's school first when the pupil moves."
                    )
                    % {"school": self.pupil.school}
                }
            )


class CurrentGuardianLinkManager(models.Manager["GuardianLink"]):
    """Guardianships not ended: what ``GuardianLink.objects`` and
    ``pupil.guardian_links`` give (``all_objects`` has the ended ones too)."""

    def get_queryset(self) -> models.QuerySet[GuardianLink]:
        return super().get_queryset().filter(ended_at__isnull=True)


class GuardianLink(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        OTHER = "other", _("Other guardian")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardian_links", verbose_name=_("user"))
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="guardian_links", verbose_name=_("pupil"))
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices, default=Relation.OTHER)
    parental_responsibility = models.BooleanField(_("parental responsibility"), default=True)
    # HMAC-SHA256 (settings.NATIONAL_ID_HASH_KEY) of the guardian's national
    # identity number, never the number itself: single sign-on through an
    # issuer that vouches for the number (ID-porten) finds the guardian by it.
    national_id_hash = models.CharField(
        _("national identity number (keyed hash)"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Only a keyed hash is kept; enter the number in the field above to set it."),
    )
    ended_at = models.DateTimeField(
        _("ended"),
        null=True,
        blank=True,
        help_text=_("A guardianship the roster no longer has is ended, not deleted: it gives no access."),
    )

    objects = CurrentGuardianLinkManager()
    all_objects = models.Manager()  # noqa: DJ012  (a second manager)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "pupil"],
                name="guardianlink_unique",
                violation_error_message=_("This user is already a guardian of the pupil."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.pupil}"


class ExternalIdentity(models.Model):
    """Who a person is at an OpenID Connect issuer: the issuer's id in
    ``OIDC_PROVIDERS`` and the stable identifier it sends (``sub``, or
    Feide's eduPersonPrincipalName, as the issuer's ``claim`` says). Single
    sign-on finds the user by exactly this pair, never by a name."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities", verbose_name=_("user"))
    issuer = models.CharField(
        _("identity provider"), max_length=50, help_text=_("The provider's id in the settings, such as feide.")
    )
    subject = models.CharField(
        _("identifier at the provider"),
        max_length=255,
        help_text=_("The stable identifier the provider sends, such as the Feide name (ola@skole.no)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_login = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                name="externalidentity_unique",
                violation_error_message=_("This identity at this provider already belongs to a user."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer}: {self.subject}"


class StaffMembership(models.Model):
    class Role(models.TextChoices):
        KONTAKTLAERER = "kontaktlaerer", _("Contact teacher (kontaktlærer)")
        FAGLAERER = "faglaerer", _("Subject teacher (faglærer)")
        KOORDINATOR = "koordinator", _("Special-education coordinator")
        REKTOR = "rektor", _("Principal / department head")
        PPT = "ppt", _("PPT advisor")
        VIKAR = "vikar", _("Substitute teacher (vikar)")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("school"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"],
                name="membership_unique_role",
                violation_error_message=_("The user already has this role at the school."),
            )
        ]
        indexes = [models.Index(fields=["user", "role"], name="membership_user_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.school}"


class TeachingAssignment(models.Model):
    """Who teaches a group: its kontaktlærer, or a faglærer in one subject."""

    class Role(models.TextChoices):
        KONTAKTLAERER = "kontaktlaerer", _("Contact teacher")
        FAGLAERER = "faglaerer", _("Subject teacher")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("teacher"))
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("group"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    subject = models.CharField(_("subject"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group", "role", "subject"],
                name="assignment_unique",
                violation_error_message=_("The user already has this assignment in the group."),
            ),
            models.CheckConstraint(
                condition=Q(role="kontaktlaerer") | ~Q(subject=""),
                name="assignment_faglaerer_has_subject",
                violation_error_message=_("A subject teacher's assignment needs a subject."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.group} {self.subject}".strip()


#: The permissions of a pupil grant (:class:`PupilUserObjectPermission`): read, or read and write.
GRANT_READ = "view_pupil"
GRANT_WRITE = "change_pupil"


class PupilUserObjectPermission(UserObjectPermissionBase):
    """Explicit per-pupil grant to one user (django-guardian, direct FK):
    sharing with one more teacher, or a vikar's time-limited access."""

    content_object = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="user_grants")
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("pupil grant (user)")
        verbose_name_plural = _("pupil grants (user)")

    def __str__(self) -> str:
        """The pupil, the user and what the grant lets the user do, in words (not the permission's code)."""
        kind = _("may read and write") if self.permission.codename == GRANT_WRITE else _("may read")
        return f"{self.content_object} | {self.user} | {kind}"


class PptGrant(models.Model):
    """The PPT service serving a school is granted a pupil (created by a PPT
    referral). Every active PPT advisor of that school then sees the pupil."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="ppt_grants", verbose_name=_("pupil"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("PPT grant")
        verbose_name_plural = _("PPT grants")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school"],
                condition=Q(revoked_at__isnull=True),
                name="pptgrant_unique_active",
                violation_error_message=_("The PPT service already has access to this pupil at this school."),
            )
        ]

    def __str__(self) -> str:
        return f"PPT {self.school} → {self.pupil}"


class PupilTransfer(models.Model):
    """A pupil's move to another group or school during the school year
    (:func:`students.transfer.pupil_transfer`). Kept as the record of where
    the pupil's documents were written: what the former school wrote stays
    in the pupil's file, readable at the new school as archive."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("pupil"))
    from_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("from school"))
    from_group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("from group")
    )
    to_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("to school"))
    to_group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+", verbose_name=_("to group"))
    date = models.DateField(_("first day in the new group"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    made_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("registered by")
    )
    made_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("pupil transfer")
        verbose_name_plural = _("pupil transfers")
        ordering = ["-made_at"]
        indexes = [models.Index(fields=["pupil", "made_at"], name="transfer_pupil_idx")]

    def __str__(self) -> str:
        return f"{self.pupil} → {self.to_group} {short(self.date)}"

    @property
    def changes_school(self) -> bool:
        return self.from_school_id != self.to_school_id


class RosterImport(models.Model):
    """One import of the roster from a student administration system
    (:mod:`students.roster_import`): the file, its dry run, and what applying
    it changed. Kept as the import history (who, when, what changed)."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        SS12000 = "ss12000", "SS 12000"

    class Status(models.TextChoices):
        PLANNING = "planning", _("Working out the dry run")
        PLANNED = "planned", _("Dry run ready")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Dry run discarded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    filename = models.CharField(_("file"), max_length=300, blank=True)
    source = models.JSONField(_("source"), default=dict, help_text=_("The uploaded files: name → text."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNING)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    applied_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("applied by")
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("discarded by")
    )
    discarded_at = models.DateTimeField(_("discarded"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, help_text=_("Counts by kind: created, changed, ended."))
    changes = models.JSONField(_("changes"), default=list)
    rejected = models.JSONField(_("rejected rows"), default=list)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {short(self.created_at)}"

    @property
    def progress_percent(self) -> int:
        return min(100, self.progress_done * 100 // self.progress_total) if self.progress_total else 0

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.PLANNING, self.Status.APPLYING)
