"""The note on a deadline that ended because the pupil moved to another
school (see :mod:`followup.transfers`); also written by the deadline engine
when it ends such a deadline itself."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext, override

from students.models import PupilTransfer


def moved_note(transfer: PupilTransfer) -> str:
    """The note, e.g. "Eleven flyttet til Nordby skole (5B) 12.01.2027.", in the former school's language."""
    with override(transfer.from_school.language or "nb"):
        return gettext("The pupil moved to %(school)s (%(group)s) %(date)s.") % {
            "school": transfer.to_school.name,
            "group": transfer.to_group.name,
            "date": transfer.date.strftime("%d.%m.%Y"),
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
