"""Writes on the organisation's records that matter: archiving a pupil who leaves.

A pupil is archived, never deleted, once the school holds records that
document the pupil's rights (vurderinger, vedtak, plans, reports, referrals):
those keep a protecting foreign key to the pupil (``on_delete=PROTECT``), and
how long they are kept is set in ``RECORD_RETENTION_YEARS`` (README,
"Configuration").
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, signals
from .access import Action
from .models import Pupil, User


@transaction.atomic
def pupil_archive(*, actor: User, pupil: Pupil) -> Pupil:
    """Archive PUPIL (who has left): hidden from every list from now on, the
    records kept and readable, read-only, to the coordinator of the pupil's school.
    :data:`students.signals.pupil_archived` is sent after the commit (the
    follow-up ends the pupil's open deadlines there).

    PermissionDenied unless ACTOR manages the pupil (coordinator, rektor);
    ValidationError when the pupil is archived already, or while a receiver
    of :data:`students.signals.pupil_archive_requested` says why not (an open
    appeal)."""
    if not access.can(actor, Action.ARCHIVE, pupil):
        raise PermissionDenied
    current = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if current.archived_at is not None:
        raise ValidationError(_("The pupil is archived already."))
    reasons = archive_obstacles(current)
    if reasons:
        raise ValidationError(reasons)
    current.archived_at = timezone.now()
    current.archived_by = actor
    current.save(update_fields=["archived_at", "archived_by"])
    announce_archived(current, actor)
    return current


def archive_obstacles(pupil: Pupil) -> list[str]:
    """Why PUPIL may not be archived yet, as messages (empty: it may), from
    the receivers of :data:`students.signals.pupil_archive_requested`."""
    answers = signals.pupil_archive_requested.send(sender=Pupil, pupil=pupil)
    return [str(reason) for _receiver, reason in answers if reason]


def announce_archived(pupil: Pupil, actor: User | None) -> None:
    """Send :data:`students.signals.pupil_archived` for PUPIL after the commit."""
    transaction.on_commit(lambda: signals.pupil_archived.send(sender=Pupil, pupil=pupil, actor=actor), robust=True)


def announce_restored(pupil: Pupil, actor: User | None) -> None:
    """Send :data:`students.signals.pupil_restored` for PUPIL after the commit."""
    transaction.on_commit(lambda: signals.pupil_restored.send(sender=Pupil, pupil=pupil, actor=actor), robust=True)


@transaction.atomic
def pupil_restore(*, actor: User, pupil: Pupil) -> Pupil:
    """Take PUPIL out of the archive (came back, or archived by mistake).

    PermissionDenied unless ACTOR manages the pupil; ValidationError when the pupil is not archived."""
    if not access.can(actor, Action.ARCHIVE, pupil):
        raise PermissionDenied
    current = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if current.archived_at is None:
        raise ValidationError(_("The pupil is not archived."))
    current.archived_at = None
    current.archived_by = None
    current.save(update_fields=["archived_at", "archived_by"])
    announce_restored(current, actor)
    return current


@transaction.atomic
def user_language_set(*, actor: User, language: str) -> User:
    """ACTOR's own choice of language for the interface, e-mails and the
    calendar (``""``: their school's). Takes effect on the next page."""
    actor.language = language
    actor.full_clean(validate_unique=False, validate_constraints=False)
    User.objects.filter(pk=actor.pk).update(language=language)
    return actor
