"""What ``students`` announces to the apps that follow its records.

``students`` imports nothing of ours; ``iop`` and ``followup`` connect to
these signals in their ``AppConfig.ready``. Every signal is sent after the
transaction that made the change has committed (``transaction.on_commit``,
``robust``): receivers see the committed rows, a rolled-back change
announces nothing, and a receiver that fails is logged without undoing the
change.
"""

from __future__ import annotations

from django.dispatch import Signal

#: A pupil moved to another group or school during the school year.
#: kwargs: ``transfer`` (:class:`students.models.PupilTransfer`), ``actor`` (User).
pupil_transferred = Signal()

#: A pupil who left was archived, or taken out of the archive again.
#: kwargs: ``pupil`` (:class:`students.models.Pupil`), ``actor`` (User | None).
pupil_archived = Signal()
pupil_restored = Signal()

#: Asked (synchronously, inside the transaction) before a pupil is archived:
#: each receiver returns ``None`` or a message saying why the pupil may not
#: be archived yet (e.g. an open appeal), in the user's language.
#: kwargs: ``pupil`` (:class:`students.models.Pupil`).
pupil_archive_requested = Signal()

#: A roster import was applied (:mod:`students.roster_import`), written with
#: bulk operations that send no model signals: the school years whose groups,
#: enrolments or teaching assignments it changed, and the schools whose
#: leadership (koordinator, rektor) it changed.
#: kwargs: ``school_year_ids`` (set[int]), ``school_ids`` (set[int]).
roster_imported = Signal()
