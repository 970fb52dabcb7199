"""A pupil who left is archived (:func:`students.services.pupil_archive`):
the follow-up stops for them.

``students`` sends :data:`students.signals.pupil_archived` after the commit;
:func:`on_pupil_archived` (connected in ``FollowupConfig.ready``) ends the
pupil's open deadlines with a note ("Eleven ble arkivert 12.01.2027.") and
cancels their waiting reminders. The deadline engine gives an archived pupil
no new deadlines and ends any open one it still finds with the same note
(:func:`followup.deadlines.deadlines_generate`), and the reminder sweep skips
them, so a failed receiver leaves no reminders behind. Taken out of the
archive (:data:`students.signals.pupil_restored`), the pupil's deadlines are
generated again: those still wanted open again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from students.models import Pupil, User

from .chain import _safely, refresh_pupil
from .models import Deadline, Notification
from .moved import archived_note


@transaction.atomic
def end_deadlines_of_archived(pupil: Pupil) -> int:
    """End every open deadline of the archived PUPIL with a note (in the
    language of the deadline's school); their waiting reminders are
    cancelled. Returns how many ended; 0 when the pupil is not archived."""
    current = Pupil.objects.filter(pk=pupil.pk, archived_at__isnull=False).first()
    if current is None:  # taken out of the archive again before this ran
        return 0
    ending = list(
        Deadline.objects.select_for_update(of=("self",))
        .filter(pupil_id=pupil.pk, state=Deadline.State.OPEN)
        .select_related("school")
    )
    for deadline in ending:
        deadline.state = Deadline.State.CANCELLED
        deadline.next_reminder_at = None
        deadline.done_note = archived_note(deadline.school, current)
    Deadline.objects.bulk_update(ending, ["state", "next_reminder_at", "done_note"])
    Notification.objects.filter(deadline__in=ending, state=Notification.State.PENDING).update(
        state=Notification.State.CANCELLED
    )
    return len(ending)


def on_pupil_archived(sender: Any, *, pupil: Pupil, actor: User | None = None, **kwargs: Any) -> None:
    """Receiver of :data:`students.signals.pupil_archived` (see the module docstring)."""
    _safely("an archived pupil", lambda: end_deadlines_of_archived(pupil))


def on_pupil_restored(sender: Any, *, pupil: Pupil, actor: User | None = None, **kwargs: Any) -> None:
    """Receiver of :data:`students.signals.pupil_restored`: the pupil's deadlines are generated again."""
    _safely("a pupil taken out of the archive", lambda: refresh_pupil(pupil.pk))


def connect() -> None:
    from students import signals

    signals.pupil_archived.connect(on_pupil_archived, dispatch_uid="followup-pupil-archived")
    signals.pupil_restored.connect(on_pupil_restored, dispatch_uid="followup-pupil-restored")
