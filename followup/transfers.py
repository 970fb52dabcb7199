"""A pupil moved to another group or school: the follow-up moves along.

``students`` registers the move (:func:`students.transfer.pupil_transfer`)
and sends :data:`students.signals.pupil_transferred` after the commit;
:func:`on_pupil_transferred` (connected in ``FollowupConfig.ready``) then

* ends the former school's open deadlines for the pupil ("Eleven flyttet til
  … <dato>"): they leave every list and no reminder is sent for them;
* moves the current school year's plans (IOP, IUP, with their reports) and
  talks to the new school's school year: the pupil's file follows;
* generates the pupil's deadlines at the new school, where records already
  made count: an IOP that exists fulfils "IOP klar", a talk already held
  fulfils the talk.

A move within the school changes only who is responsible: the regeneration
gives the pupil's deadlines to the new class's kontaktlærer.

The deadline engine itself also ends a moved pupil's deadlines with the same
note when it runs (nightly, or after the roster changed), so a failed
receiver leaves no reminders behind.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from iop import services as iop_services
from students.models import PupilTransfer, SchoolYear, User

from .chain import _safely, refresh_pupil
from .models import Deadline, Notification, Talk
from .moved import moved_note

logger = logging.getLogger(__name__)


@transaction.atomic
def end_deadlines_of_former_school(transfer: PupilTransfer) -> int:
    """End the former school's open deadlines for the moved pupil with a
    note; their waiting reminders are cancelled. Returns how many ended."""
    if not transfer.changes_school:
        return 0
    ending = list(
        Deadline.objects.select_for_update().filter(
            pupil_id=transfer.pupil_id, school_id=transfer.from_school_id, state=Deadline.State.OPEN
        )
    )
    note = moved_note(transfer)
    for deadline in ending:
        deadline.state = Deadline.State.CANCELLED
        deadline.next_reminder_at = None
        deadline.done_note = note
    Deadline.objects.bulk_update(ending, ["state", "next_reminder_at", "done_note"])
    Notification.objects.filter(deadline__in=ending, state=Notification.State.PENDING).update(
        state=Notification.State.CANCELLED
    )
    return len(ending)


def talks_follow_pupil(transfer: PupilTransfer) -> int:
    """The pupil's talks of the former school's year covering the move date
    belong to the new school's year from now on (a talk held counts there)."""
    target = SchoolYear.objects.filter(
        school_id=transfer.to_school_id, start__lte=transfer.date, end__gte=transfer.date
    ).first()
    if target is None or not transfer.changes_school:
        return 0
    return Talk.objects.filter(
        pupil_id=transfer.pupil_id,
        school_year__school_id=transfer.from_school_id,
        school_year__start__lte=transfer.date,
        school_year__end__gte=transfer.date,
    ).update(school_year=target)


def on_pupil_transferred(sender: Any, *, transfer: PupilTransfer, actor: User | None = None, **kwargs: Any) -> None:
    """Receiver of :data:`students.signals.pupil_transferred` (see the module docstring)."""

    def run() -> None:
        end_deadlines_of_former_school(transfer)
        if transfer.changes_school:
            iop_services.plans_follow_pupil(
                actor=actor, pupil_id=transfer.pupil_id, from_school_id=transfer.from_school_id, day=transfer.date
            )
            talks_follow_pupil(transfer)
        refresh_pupil(transfer.pupil_id)

    _safely("a pupil's move", run)


def connect() -> None:
    from students import signals

    signals.pupil_transferred.connect(on_pupil_transferred, dispatch_uid="followup-pupil-transferred")
