"""The national curriculum as published by Udir in Grep (LK20).

Glossary (see DOMAIN.md, "Curriculum data"):

* *læreplan* = :class:`Curriculum` (code like ``NOR01-07``);
* *kompetansemålsett* = :class:`CompetenceAimSet` (``KV116``), the aims to be
  reached *after* a year level (``etter-aarstrinn``);
* *kompetansemål* = :class:`CompetenceAim` (``KM1234``);
* *kjerneelement* = :class:`CoreElement` (``KE12``);
* *fagkode* = :class:`SubjectCode` (``NOR0201``).

Every record is identified by its Grep code (and its Grep URI where Grep gives
one), so importing the same data again updates rows instead of adding new
ones. Rows are never deleted by an import: what Udir no longer publishes is
marked :attr:`GrepStatus.EXPIRED`, so plans that refer to it keep working.

Texts are stored per Grep language (``nob``, ``nno``, ``sme``, ``sma``,
``smj``, ``eng``, ``default``) in a JSON dict; the bokmål text (or Grep's
default) is also kept in a plain column for display, sorting and search.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Year levels as integers: 1-10 for grunnskole, 11-13 for Vg1-Vg3.
YEAR_LEVEL_MIN = 1
YEAR_LEVEL_MAX = 13


def year_level_label(level: int) -> str:
    """``2`` -> ``"2"``, ``11`` -> ``"Vg1"``."""
    return f"Vg{level - 10}" if level > 10 else str(level)


class GrepRecord(models.Model):
    """Fields every imported Grep record has."""

    class Status(models.TextChoices):
        """Grep's ``status_publisert`` / ``status_utgaatt`` (and ``ugyldig``)."""

        PUBLISHED = "published", _("Published")
        EXPIRED = "expired", _("Expired")

    code = models.CharField(_("Grep code"), max_length=120)
    uri = models.CharField(_("Grep URI"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    created_at = models.DateTimeField(_("imported"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed by an import"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == GrepRecord.Status.PUBLISHED


#: The status choices shared by every Grep model (``Curriculum.Status`` etc.).
GrepStatus = GrepRecord.Status


class Curriculum(GrepRecord):
    """A læreplan, e.g. ``NOR01-07`` "Læreplan i norsk"."""

    title = models.CharField(_("title"), max_length=300)
    titles = models.JSONField(_("title per language"), default=dict, blank=True)
    short_title = models.CharField(
        _("subject name"), max_length=200, blank=True, help_text=_("Grep's short form, e.g. “Norsk”.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    replaces_codes = models.JSONField(
        _("replaces"), default=list, blank=True, help_text=_("Codes of the curricula this one replaces.")
    )
    replaced_by_codes = models.JSONField(
        _("replaced by"), default=list, blank=True, help_text=_("Codes of the curricula that replace this one.")
    )

    class Meta:
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="curriculum_curriculum_code_unique",
                violation_error_message=_("A curriculum with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["uri"],
                condition=~Q(uri=""),
                name="curriculum_curriculum_uri_unique",
                violation_error_message=_("A curriculum with this address already exists."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")),
                name="curriculum_curriculum_valid_range",
                violation_error_message=_("The end of the validity period must be on or after its start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def subject_name(self) -> str:
        return self.short_title or self.title


class CoreElement(GrepRecord):
    """A kjerneelement of a curriculum, e.g. ``KE12`` "Utforsking og problemløsing"."""

    curriculum = models.ForeignKey(
        Curriculum,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="core_elements",
        verbose_name=_("curriculum"),
    )
    title = models.CharField(_("title"), max_length=300)
    titles = models.JSONField(_("title per language"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), null=True, blank=True)

    class Meta:
        verbose_name = _("core element")
        verbose_name_plural = _("core elements")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="curriculum_coreelement_code_unique",
                violation_error_message=_("A core element with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["uri"],
                condition=~Q(uri=""),
                name="curriculum_coreelement_uri_unique",
                violation_error_message=_("A core element with this address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CompetenceAimSet(GrepRecord):
    """A kompetansemålsett: the aims of a curriculum to reach after some year level.

    ``year_levels`` holds the year levels of Grep's ``etter-aarstrinn`` as
    integers (``aarstrinn4`` -> 4, ``vg1`` -> 11, ``vg3`` -> 13);
    ``year_level_codes`` keeps Grep's codes as they were.
    """

    curriculum = models.ForeignKey(
        Curriculum, on_delete=models.CASCADE, related_name="aim_sets", verbose_name=_("curriculum")
    )
    title = models.CharField(_("title"), max_length=300)
    titles = models.JSONField(_("title per language"), default=dict, blank=True)
    year_levels = models.JSONField(_("after year levels"), default=list, blank=True)
    year_level_codes = models.JSONField(_("Grep year level codes"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), null=True, blank=True)

    class Meta:
        verbose_name = _("competence aim set")
        verbose_name_plural = _("competence aim sets")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="curriculum_competenceaimset_code_unique",
                violation_error_message=_("A set of competence aims with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["uri"],
                condition=~Q(uri=""),
                name="curriculum_competenceaimset_uri_unique",
                violation_error_message=_("A set of competence aims with this address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def year_level_labels(self) -> list[str]:
        return [year_level_label(level) for level in self.year_levels]


class CompetenceAim(GrepRecord):
    """A kompetansemål, e.g. ``KM198`` "ordne tall, mengder og former ...".

    ``search_vector`` holds ``to_tsvector('norwegian', text)`` for full-text
    search. On PostgreSQL a trigger keeps it in step with ``text`` on every
    insert and update, and GIN indexes serve it and trigram search on ``text``
    (migrations 0002 and 0003); on SQLite it stays empty and the search falls
    back to ``icontains``. See ``selectors.search_aims``.
    """

    curriculum = models.ForeignKey(
        Curriculum, on_delete=models.CASCADE, related_name="aims", verbose_name=_("curriculum")
    )
    aim_set = models.ForeignKey(
        CompetenceAimSet, on_delete=models.CASCADE, related_name="aims", verbose_name=_("competence aim set")
    )
    text = models.TextField(_("text"))
    texts = models.JSONField(_("text per language"), default=dict, blank=True)
    core_elements = models.ManyToManyField(
        CoreElement, blank=True, related_name="aims", verbose_name=_("core elements")
    )
    sort_order = models.PositiveIntegerField(_("order"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    replaced_by_code = models.CharField(
        _("replaced by (code)"),
        max_length=120,
        blank=True,
        help_text=_("Grep's “erstattes-av”, kept even when that aim has not been imported."),
    )
    search_vector = SearchVectorField(_("search vector"), null=True, editable=False)

    class Meta:
        verbose_name = _("competence aim")
        verbose_name_plural = _("competence aims")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="curriculum_competenceaim_code_unique",
                violation_error_message=_("A competence aim with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["uri"],
                condition=~Q(uri=""),
                name="curriculum_competenceaim_uri_unique",
                violation_error_message=_("A competence aim with this address already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(replaced_by=F("pk")),
                name="curriculum_competenceaim_not_self_replaced",
                violation_error_message=_("A competence aim can not replace itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class SubjectCode(GrepRecord):
    """A fagkode, e.g. ``NOR0201`` "Norsk 1. årstrinn", where Grep gives one."""

    title = models.CharField(_("title"), max_length=300)
    titles = models.JSONField(_("title per language"), default=dict, blank=True)
    short_title = models.CharField(_("short title"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    curricula = models.ManyToManyField(
        Curriculum, blank=True, related_name="subject_codes", verbose_name=_("curricula")
    )

    class Meta:
        verbose_name = _("subject code")
        verbose_name_plural = _("subject codes")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="curriculum_subjectcode_code_unique",
                violation_error_message=_("A subject code with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["uri"],
                condition=~Q(uri=""),
                name="curriculum_subjectcode_uri_unique",
                violation_error_message=_("A subject code with this address already exists."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")),
                name="curriculum_subjectcode_valid_range",
                violation_error_message=_("The end of the validity period must be on or after its start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
