"""Record sources for the deadline engine.

Deadlines that follow a record (a tiltak's evaluation date, the IOP that must
exist N days after a vedtak is made, a vedtak's end of validity, the årsrapport
at year end) read the records through *sources* listed in
``settings.FOLLOWUP_RECORD_SOURCES``. Each source answers three questions for
a school year and (optionally) a set of pupils:

* ``records`` — dated records for the record events it knows,
* ``pupil_sets`` — which pupils have a vedtak / an IOP (for duties that apply
  to "pupils with vedtak" / "pupils with IOP"),
* ``fulfilled`` — which pupils' duties are fulfilled by a record
  (IOP published, årsrapport written, new vedtak made).

``followup`` reads ``iop``; ``iop`` never imports ``followup``. When ``iop``
sends signals, :func:`connect_signals` listens; otherwise the periodic
regeneration picks changes up.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.utils.module_loading import import_string

from students.models import SchoolYear

logger = logging.getLogger(__name__)

# Pupil sets and fulfilment names (Duty.AppliesTo / Duty.Fulfilment values).
WITH_VEDTAK = "with_vedtak"
WITH_IOP = "with_iop"
IOP_PUBLISHED = "iop_published"
ARSRAPPORT = "arsrapport"
NEW_VEDTAK = "new_vedtak"
IUP_PUBLISHED = "iup_published"


@dataclass(frozen=True)
class Record:
    event: str  # Duty.RecordEvent value
    kind: str  # short name of the record type, e.g. "tiltak", "vedtak"
    id: str
    pupil_id: uuid.UUID
    date: datetime.date
    label: str = ""
    responsible_id: int | None = None
    # Fulfilled already (e.g. the IOP of a vedtak is published).
    done: bool = False


class RecordSource(Protocol):
    def records(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> Iterable[Record]: ...

    def pupil_sets(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]: ...

    def fulfilled(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]: ...


class TiltakSource:
    """Active tiltak: their evaluation date."""

    def records(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> Iterable[Record]:
        from .models import Tiltak

        qs = Tiltak.objects.filter(
            status=Tiltak.Status.ACTIVE,
            pupil__school_id=school_year.school_id,
            evaluation_date__gte=school_year.start,
            evaluation_date__lte=school_year.end,
        )
        if pupil_ids is not None:
            qs = qs.filter(pupil_id__in=pupil_ids)
        for t in qs.only("id", "pupil_id", "evaluation_date", "description", "responsible_id"):
            yield Record(
                event="tiltak_evaluation",
                kind="tiltak",
                id=f"{t.pk}:{t.evaluation_date.isoformat()}",
                pupil_id=t.pupil_id,
                date=t.evaluation_date,
                label=t.description[:80],
                responsible_id=t.responsible_id,
            )

    def pupil_sets(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]:
        return {}

    def fulfilled(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]:
        return {}


def _model(app_label: str, *names: str) -> type[Model] | None:
    for name in names:
        try:
            return apps.get_model(app_label, name)
        except LookupError:
            continue
    return None


class IopSource:
    """The chain in ``iop``: made enkeltvedtak (made_on, valid_to) and IOPs
    (published per school year), IUPs (published per school year) and the
    årsrapport once ``iop`` has one.
    Answers nothing while those models do not exist."""

    def _vedtak(self) -> type[Model] | None:
        return _model("iop", "Enkeltvedtak")

    def _iop(self) -> type[Model] | None:
        return _model("iop", "Iop")

    def _arsrapport(self) -> type[Model] | None:
        return _model("iop", "Aarsrapport", "Arsrapport", "AnnualReport")

    def _made_vedtak(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> Any:
        vedtak = self._vedtak()
        if vedtak is None:
            return None
        qs = vedtak.objects.filter(status="made", pupil__school_id=school_year.school_id)  # type: ignore[attr-defined]
        if pupil_ids is not None:
            qs = qs.filter(pupil_id__in=pupil_ids)
        return qs

    def records(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> Iterable[Record]:
        qs = self._made_vedtak(school_year, pupil_ids)
        if qs is None:
            return
        iop = self._iop()
        published: set[str] = set()
        if iop is not None:
            published = {
                str(v)
                for v in iop.objects.filter(  # type: ignore[attr-defined]
                    vedtak__in=qs.values("pk"), status="published"
                ).values_list("vedtak_id", flat=True)
            }
        rows = list(qs.values("pk", "pupil_id", "made_on", "valid_from", "valid_to", "made_by_id"))
        # A vedtak is followed by a newer made vedtak for the same pupil.
        later: dict[uuid.UUID, datetime.date] = {}
        for row in rows:
            if row["made_on"]:
                later[row["pupil_id"]] = max(later.get(row["pupil_id"], row["made_on"]), row["made_on"])
        for row in rows:
            if row["made_on"] is None:
                continue
            yield Record(
                event="vedtak_made",
                kind="vedtak",
                id=str(row["pk"]),
                pupil_id=row["pupil_id"],
                date=row["made_on"],
                responsible_id=row["made_by_id"],
                done=str(row["pk"]) in published,
            )
            yield Record(
                event="vedtak_expiry",
                kind="vedtak",
                id=str(row["pk"]),
                pupil_id=row["pupil_id"],
                date=row["valid_to"],
                responsible_id=row["made_by_id"],
                done=later.get(row["pupil_id"], row["made_on"]) > row["made_on"],
            )

    def pupil_sets(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]:
        out: dict[str, set[uuid.UUID]] = {}
        qs = self._made_vedtak(school_year, pupil_ids)
        if qs is not None:
            out[WITH_VEDTAK] = set(
                qs.filter(valid_from__lte=school_year.end, valid_to__gte=school_year.start).values_list(
                    "pupil_id", flat=True
                )
            )
        iop = self._iop()
        if iop is not None:
            iqs = iop.objects.filter(school_year=school_year).exclude(status="archived")  # type: ignore[attr-defined]
            if pupil_ids is not None:
                iqs = iqs.filter(pupil_id__in=pupil_ids)
            out[WITH_IOP] = set(iqs.values_list("pupil_id", flat=True))
        return out

    def fulfilled(self, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]:
        out: dict[str, set[uuid.UUID]] = {}
        iop = self._iop()
        if iop is not None:
            iqs = iop.objects.filter(school_year=school_year, status="published")  # type: ignore[attr-defined]
            if pupil_ids is not None:
                iqs = iqs.filter(pupil_id__in=pupil_ids)
            out[IOP_PUBLISHED] = set(iqs.values_list("pupil_id", flat=True))
        iup = _model("iop", "Iup")
        if iup is not None:
            uqs = iup.objects.filter(  # type: ignore[attr-defined]
                school_year=school_year, status__in=["published", "archived"]
            )
            if pupil_ids is not None:
                uqs = uqs.filter(pupil_id__in=pupil_ids)
            out[IUP_PUBLISHED] = set(uqs.values_list("pupil_id", flat=True))
        report = self._arsrapport()
        if report is not None:
            names = {f.name for f in report._meta.get_fields()}
            rqs = report.objects.all()  # type: ignore[attr-defined]
            if "school_year" in names:
                rqs = rqs.filter(school_year=school_year)
            elif "iop" in names:
                rqs = rqs.filter(iop__school_year=school_year)
            if "status" in names:
                rqs = rqs.exclude(status="draft")
            pupil_path = "pupil_id" if "pupil" in names else "iop__pupil_id"
            if pupil_ids is not None:
                rqs = rqs.filter(**{f"{pupil_path}__in": pupil_ids})
            out[ARSRAPPORT] = set(rqs.values_list(pupil_path, flat=True))
        return out


@cache
def sources() -> tuple[RecordSource, ...]:
    return tuple(import_string(path)() for path in settings.FOLLOWUP_RECORD_SOURCES)


def all_records(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    out: list[Record] = []
    for source in sources():
        out.extend(source.records(school_year, pupil_ids))
    return out


def pupil_sets(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]:
    out: dict[str, set[uuid.UUID]] = {}
    for source in sources():
        for name, ids in source.pupil_sets(school_year, pupil_ids).items():
            out.setdefault(name, set()).update(ids)
    return out


def fulfilled(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]:
    out: dict[str, set[uuid.UUID]] = {}
    for source in sources():
        for name, ids in source.fulfilled(school_year, pupil_ids).items():
            out.setdefault(name, set()).update(ids)
    return out


# --- signals from iop -----------------------------------------------------------


def _refresh_for_instance(sender: Any, instance: Any, **kwargs: Any) -> None:
    pupil_id = getattr(instance, "pupil_id", None)
    if pupil_id is None or getattr(instance, "status", None) == "draft":
        return  # drafts change no deadline
    from . import tasks

    tasks.enqueue_refresh_pupil(pupil_id)


def connect_signals() -> None:
    """Follow the chain's records as they change. ``iop`` may send its own
    signals later (e.g. ``iop.signals.iop_published``); until then saving a
    vedtak or an IOP refreshes that pupil's deadlines after the commit."""
    from django.db.models.signals import post_save

    for name in ("Enkeltvedtak", "Iop", "Iup", "Aarsrapport", "Arsrapport"):
        model = _model("iop", name)
        if model is not None:
            post_save.connect(_refresh_for_instance, sender=model, dispatch_uid=f"followup-refresh-{name}")
