"""A pupil's whole file, gathered from every app, for innsyn.

The parties' right to see the case file (forvaltningsloven §§ 18–19,
partsinnsyn), the data subject's right of access (personvernforordningen
art. 15) and the school's duty to document individually adapted teaching
(opplæringslova § 11-6) all ask for the same thing: every record the school
keeps about one pupil. ``students`` depends on no other app of ours, so the
apps that keep those records list *file part providers* in settings
(``PUPIL_FILE_PARTS``): dotted paths to callables ``(pupil) -> list[FilePart]``
that run a fixed number of queries whatever the data size.

A :class:`FilePart` is a title and a list of records; a record is a plain
JSON-able dict made by :func:`record`::

    {"model": "iop.enkeltvedtak", "id": "…", "title": "…",
     "fields": [{"name": "made_on", "label": "Vedtaksdato",
                 "value": "2026-03-01", "text": "01.03.2026"}, …]}

``label`` is the field's verbose name and ``text`` the value as a person
reads it (choice labels, dates as dd.mm.yyyy, yes/no), in the active
language; ``value`` is the stored value in JSON form (dates in ISO 8601,
ids as strings). :func:`file_as_json` wraps the parts with the schema
version :data:`SCHEMA`.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .dates import short
from .models import Pupil

#: The shape of :func:`file_as_json`; raised when a key is renamed or removed.
SCHEMA = "iop.pupil-file/1"

#: Fields never written to the file: bookkeeping, not content (a record's id is its ``id``).
SKIPPED_FIELDS = frozenset({"id", "pupil", "history_change_reason"})


def _auto_labels() -> dict[str, str]:
    """Labels for common fields declared without a verbose name (and the version fields of django-simple-history)."""
    return {
        "created_by": _("created by"),
        "created_at": _("created"),
        "recorded_by": _("recorded by"),
        "recorded_at": _("recorded"),
        "meeting": _("meeting"),
        "referral": _("referral"),
        "history_date": _("version saved"),
        "history_type": _("kind of change"),
        "history_user": _("changed by"),
    }


@dataclass
class FilePart:
    """One part of the file: KEY (stable, e.g. ``"iop.vedtak"``), TITLE (in
    the active language) and RECORDS (dicts made by :func:`record`)."""

    key: str
    title: str
    records: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "count": len(self.records), "records": self.records}


Provider = Callable[[Pupil], Iterable[FilePart]]


@cache
def _providers() -> tuple[Provider, ...]:
    return tuple(import_string(path) for path in getattr(settings, "PUPIL_FILE_PARTS", []))


def pupil_file(pupil: Pupil) -> list[FilePart]:
    """Every part of PUPIL's file, in the order of ``settings.PUPIL_FILE_PARTS``.

    The caller has already decided through the access layer that the reader
    may see the whole file; providers do not check again."""
    return [part for provider in _providers() for part in provider(pupil)]


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(v) for v in value]
    return str(value)


def display(value: Any) -> str:
    """VALUE as a person reads it: dates in the active language's short form, times in local time, yes/no."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return short(value)
    if isinstance(value, datetime.date):
        return short(value)
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display(v)}" for k, v in value.items())
    return str(value)


def _field_entry(obj: models.Model, model_field: models.Field) -> dict[str, Any] | None:  # type: ignore[type-arg]
    name = model_field.name
    label = str(model_field.verbose_name)
    if label == name.replace("_", " "):  # no verbose name was given
        label = _auto_labels().get(name, label)
    label = capfirst(label)
    if isinstance(model_field, models.ForeignKey):
        raw = getattr(obj, model_field.attname)
        if raw is None:
            return {"name": name, "label": label, "value": None, "text": ""}
        related = getattr(obj, name, None) if model_field.is_cached(obj) else None
        return {"name": name, "label": label, "value": _json_value(raw), "text": str(related) if related else ""}
    value = getattr(obj, model_field.attname)
    if isinstance(model_field, models.FileField):
        return {"name": name, "label": label, "value": value.name or None, "text": value.name or ""}
    meanings = getattr(type(obj), "FILE_CHOICES", {}).get(name)
    if model_field.choices and value not in (None, ""):
        text = str(dict(model_field.flatchoices).get(value, value))
    elif meanings and isinstance(value, list):  # a list of choices: each in words
        text = ", ".join(str(dict(meanings).get(v, v)) for v in value)
    else:
        text = display(value)
    return {"name": name, "label": label, "value": _json_value(value), "text": text}


def record(
    obj: models.Model,
    *,
    title: str = "",
    fields: Sequence[str] | None = None,
    skip: Iterable[str] = (),
    extra: Iterable[tuple[str, str, Any]] = (),
) -> dict[str, Any]:
    """OBJ as one record of the file: every concrete field (or only FIELDS,
    in that order) except SKIP and :data:`SKIPPED_FIELDS`, each with its
    verbose name and readable text; EXTRA adds ``(name, label, value)``
    entries computed by the caller. A foreign key's text is the related
    object's ``str`` only when the caller loaded it (``select_related``), so
    a record never runs a query of its own."""
    meta = obj._meta
    wanted = list(fields) if fields is not None else [f.name for f in meta.concrete_fields]
    skipped = SKIPPED_FIELDS | set(skip)
    entries: list[dict[str, Any]] = []
    for name in wanted:
        if name in skipped:
            continue
        model_field = meta.get_field(name)
        if not model_field.concrete:
            continue
        entry = _field_entry(obj, model_field)  # type: ignore[arg-type]
        if entry is not None:
            entries.append(entry)
    for name, label, value in extra:
        entries.append(
            {"name": name, "label": capfirst(str(label)), "value": _json_value(value), "text": display(value)}
        )
    return {
        "model": meta.label_lower,
        "id": str(obj.pk),
        "title": title or str(capfirst(str(meta.verbose_name))),
        "fields": entries,
    }


def file_as_json(
    pupil: Pupil, parts: Sequence[FilePart], *, made_by: str, made_at: datetime.datetime
) -> dict[str, Any]:
    """The whole file as one JSON document::

    {"schema": SCHEMA, "made_at": ISO 8601, "made_by": str, "language": str,
     "pupil": {"id", "first_name", "last_name", "birth_date", "school"},
     "parts": [{"key", "title", "count", "records": [record, …]}, …]}
    """
    return {
        "schema": SCHEMA,
        "made_at": made_at.isoformat(),
        "made_by": made_by,
        "language": pupil.school.language,
        "pupil": {
            "id": str(pupil.pk),
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "birth_date": pupil.birth_date.isoformat(),
            "school": str(pupil.school),
            "archived_at": pupil.archived_at.isoformat() if pupil.archived_at else None,
        },
        "parts": [part.as_json() for part in parts],
    }


def loaded(qs: models.QuerySet[Any], *deeper: str) -> models.QuerySet[Any]:
    """QS with every foreign key of its model (but the pupil) joined, and
    DEEPER paths too, so that :func:`record` names related objects without
    a query per row."""
    names = [f.name for f in qs.model._meta.concrete_fields if f.is_relation and f.name not in SKIPPED_FIELDS]
    return qs.select_related(*names, *deeper)


def part(
    key: str,
    title: str,
    rows: Iterable[models.Model],
    *,
    name: Callable[[Any], str] = str,
    extra_of: Callable[[Any], Iterable[tuple[str, str, Any]]] | None = None,
    **options: Any,
) -> FilePart:
    """A :class:`FilePart` of KEY and TITLE with one :func:`record` per row,
    each titled NAME(row), with EXTRA_OF(row) added (OPTIONS passed on to
    :func:`record`)."""
    records = [record(row, title=name(row), extra=extra_of(row) if extra_of else (), **options) for row in rows]
    return FilePart(key=key, title=title, records=records)


def of_law(parts: Iterable[FilePart], *, applies: bool, keys: Collection[str] | None = None) -> list[FilePart]:
    """PARTS, but of those that follow one country's law (KEYS; all when
    None) only the ones that hold records unless that law APPLIES to the
    pupil (the pupil's school is in that country): a Swedish pupil's file
    lists no empty Norwegian sections (and the other way round), while a
    record that is kept is never left out."""
    return [part for part in parts if applies or part.records or (keys is not None and part.key not in keys)]


def version_name(row: Any) -> str:
    """A kept version's title (django-simple-history): its model, when and what kind of change."""
    kinds = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    model = capfirst(str(row.instance_type._meta.verbose_name))
    return f"{model}: {kinds.get(row.history_type, row.history_type)} {display(row.history_date)}"
