"""The note on a deadline that ended because the pupil moved to another
school (see :mod:`followup.transfers`) or was archived (left, see
:mod:`followup.archived`); also written by the deadline engine when it ends
such a deadline itself."""

from __future__ import annotations

import uuid

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, override

from students.models import Pupil, PupilTransfer, School


def moved_note(transfer: PupilTransfer) -> str:
    """The note, e.g. "Eleven flyttet til Nordby skole (5B) 12.01.2027.", in the former school's language."""
    with override(transfer.from_school.language or "nb"):
        return gettext("The pupil moved to %(school)s (%(group)s) %(date)s.") % {
            "school": transfer.to_school.name,
            "group": transfer.to_group.name,
            "date": date_format(transfer.date, "SHORT_DATE_FORMAT"),
        }


def moved_notes(school_id: int, pupil_ids: set[uuid.UUID] | None = None) -> dict[uuid.UUID, str]:
    """{pupil id: note} for the pupils (of PUPIL_IDS) who moved away from SCHOOL_ID, by their last move."""
    qs = PupilTransfer.objects.filter(from_school_id=school_id).exclude(to_school_id=school_id)
    if pupil_ids is not None:
        qs = qs.filter(pupil_id__in=pupil_ids)
    notes: dict[uuid.UUID, str] = {}
    for transfer in qs.select_related("from_school", "to_school", "to_group").order_by("made_at"):
        notes[transfer.pupil_id] = moved_note(transfer)
    return notes


def archived_note(school: School, pupil: Pupil) -> str:
    """The note on an archived pupil's ended deadline, e.g. "Eleven ble arkivert 12.01.2027.", in SCHOOL's language."""
    day = timezone.localdate(pupil.archived_at) if pupil.archived_at else timezone.localdate()
    with override(school.language or "nb"):
        return gettext("The pupil was archived %(date)s.") % {"date": date_format(day, "SHORT_DATE_FORMAT")}


def archived_notes(school: School, pupil_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """{pupil id: note} for the archived pupils among PUPIL_IDS (one query)."""
    archived = Pupil.objects.filter(pk__in=pupil_ids, archived_at__isnull=False).only("pk", "archived_at")
    return {p.pk: archived_note(school, p) for p in archived}
