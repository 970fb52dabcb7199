"""A pupil moves to another group or school during the school year.

Registered by the coordinator (or rektor) of the pupil's school, or by an
operator. What happens, in one transaction:

* the pupil's open enrolments end the day before DATE (all of them when the
  pupil leaves the school; the class only when the pupil changes class at the
  same school) and the enrolment in the new group begins on DATE;
* at another school: ``Pupil.school`` becomes the new school, so the former
  school's coordinators, rektor and teachers lose access at once (the access
  layer decides by the pupil's school and by open enrolments); explicit grants
  given at the former school (a vikar, one more teacher) end; PPT's access
  moves to the PPT service of the new school when PPT was following the pupil;
* a :class:`~students.models.PupilTransfer` records the move, and
  :data:`students.signals.pupil_transferred` is sent after the commit.

The pupil's file – vurdering, vedtak, IOP, logs, reports – belongs to the
pupil, not to the school, and follows: ``followup`` listens to the signal,
ends the former school's open deadlines for the pupil with a note, moves the
current school year's plans and talks to the new school's year and generates
the new school's deadlines (records already done counted as done).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, signals
from .dates import short
from .models import Enrolment, Group, PptGrant, Pupil, PupilTransfer, PupilUserObjectPermission, User


def target_groups(actor: User, pupil: Pupil, day: datetime.date | None = None) -> QuerySet[Group]:
    """The classes PUPIL may move to on DAY (default today): classes in a
    school year covering DAY, at the schools of the pupil's school owner
    (any school for an operator), except the class the pupil is in now."""
    day = day or timezone.localdate()
    qs = Group.objects.filter(kind=Group.Kind.CLASS, school_year__start__lte=day, school_year__end__gte=day)
    if not access.is_operator(actor):
        qs = qs.filter(school_year__school__skoleeier_id=pupil.school.skoleeier_id)
    now_in = Enrolment.objects.open_on(day).filter(pupil=pupil).values("group_id")
    return (
        qs.exclude(pk__in=now_in)
        .select_related("school_year__school")
        .order_by("school_year__school__name", "year_level", "name")
    )


def _validate(actor: User, pupil: Pupil, to_group: Group, day: datetime.date) -> None:
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if day > today:
        errors.setdefault("date", []).append(
            _("Register the move on or after the pupil's first day in the new group (today at the latest).")
        )
    year = to_group.school_year
    if not year.start <= day <= year.end:
        errors.setdefault("date", []).append(
            _("The date must be within the new group's school year (%(start)s–%(end)s).")
            % {"start": short(year.start), "end": short(year.end)}
        )
    if not target_groups(actor, pupil, day).filter(pk=to_group.pk).exists():
        errors.setdefault("to_group", []).append(_("The pupil can not move to this group."))
    started = Enrolment.objects.open_on(today).filter(pupil=pupil, start__gte=day)
    if started.exists():
        errors.setdefault("date", []).append(_("The pupil started in the present group after this date."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pupil_transfer(*, actor: User, pupil: Pupil, to_group: Group, date: datetime.date, note: str = "") -> PupilTransfer:
    """Move PUPIL to TO_GROUP from DATE (the first day in the new group; today
    or earlier, within the new group's school year). See the module docstring
    for everything that follows.

    PermissionDenied unless ACTOR is the coordinator or rektor of the pupil's
    school or an operator; ValidationError (by field: ``date``, ``to_group``)
    for a date in the future or outside the new school year, a group the
    pupil can not move to, or a date before the pupil joined the present group.
    """
    if not access.may_move(actor, pupil):
        raise PermissionDenied
    locked = Pupil.objects.select_for_update(of=("self",)).select_related("school").get(pk=pupil.pk)
    to_group = Group.objects.select_related("school_year__school").get(pk=to_group.pk)
    _validate(actor, locked, to_group, date)
    from_school = locked.school
    to_school = to_group.school_year.school
    last_day = date - datetime.timedelta(days=1)
    open_now = Enrolment.objects.open_on(date).filter(pupil=locked).select_related("group")
    if to_school.pk == from_school.pk:  # another class of the same year; teaching groups stay
        open_now = open_now.filter(group__kind=Group.Kind.CLASS, group__school_year=to_group.school_year)
    ending = list(open_now.order_by("group__kind", "pk"))
    from_group = next((e.group for e in ending if e.group.kind == Group.Kind.CLASS), None)
    for enrolment in ending:
        enrolment.end = last_day
        if enrolment.start is not None and enrolment.start > last_day:
            enrolment.start = last_day
        enrolment.save(update_fields=["start", "end"])
    if to_school.pk != from_school.pk:
        locked.school = to_school
        locked.full_clean()
        locked.save(update_fields=["school"])
        PupilUserObjectPermission.objects.filter(content_object=locked).delete()
        followed = PptGrant.objects.filter(pupil=locked, revoked_at__isnull=True)
        if followed.exists():
            followed.update(revoked_at=timezone.now())
            PptGrant.objects.create(
                pupil=locked,
                school=to_school,
                granted_by=actor,
                reason=_("Moved from %(school)s") % {"school": from_school.name},
            )
    enrolment = Enrolment.objects.filter(pupil=locked, group=to_group).first() or Enrolment(
        pupil=locked, group=to_group
    )
    enrolment.pupil = locked
    enrolment.start, enrolment.end = date, None
    enrolment.full_clean(validate_unique=False)
    enrolment.save()
    transfer = PupilTransfer(
        pupil=locked,
        from_school=from_school,
        from_group=from_group,
        to_school=to_school,
        to_group=to_group,
        date=date,
        note=note,
        made_by=actor,
    )
    transfer.full_clean()
    transfer.save()
    access.forget(actor)
    transaction.on_commit(
        lambda: signals.pupil_transferred.send(sender=PupilTransfer, transfer=transfer, actor=actor), robust=True
    )
    return transfer


def transfers_of(pupil: Pupil) -> QuerySet[PupilTransfer]:
    """PUPIL's moves, newest first, with schools and groups joined."""
    return (
        PupilTransfer.objects.filter(pupil=pupil)
        .select_related("from_school", "to_school", "from_group", "to_group")
        .order_by("-made_at")
    )
