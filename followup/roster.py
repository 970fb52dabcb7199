"""Deadlines follow the roster: when ``students``' records change — in the
admin, an import or a service — the deadlines they decide are regenerated
after the commit, not only by the nightly job.

What :func:`followup.deadlines.wanted_deadlines` reads, and so what is
listened to (``post_save`` / ``post_delete``):

* ``Enrolment`` — which pupils a school year has and at which year level:
  that pupil's deadlines in the group's school year (and in the former
  group's year when an enrolment is moved). Teaching groups decide nothing.
* ``Group`` — its year level and kind decide which duties apply to its pupils,
  and each class has deadlines of its own: the whole school year.
* ``TeachingAssignment`` as kontaktlærer — responsible for the class's and
  its pupils' deadlines: the whole school year. Faglærer assignments decide nothing.
* ``StaffMembership`` as koordinator or rektor — the first active one is
  responsible for the school's deadlines: the school's school years.
* ``SchoolYear`` — its first and last day place the due dates: that year.
* ``School`` — its kind and school owner choose the årshjul: its school years.
* ``Pupil`` — the school the pupil attends decides which records (tiltak,
  vedtak) count: that pupil, in the years of the former and the new school.
  A new pupil has no enrolment yet; a deleted one takes its deadlines along.
* ``User`` — only active people are responsible: when an account is
  (de)activated, the school years where it is kontaktlærer, koordinator or rektor.

``GuardianLink`` is not listened to: no deadline and no reminder depends on
guardians. Other fields (names, birth dates, subjects) change nothing either:
an update that leaves the fields above as they were enqueues nothing.

Only school years the nightly job generates are regenerated (the current ones
and those starting within 60 days, :func:`deadlines.school_years_to_generate`):
a past year's deadlines stay as they were.

One transaction enqueues at most one ``followup.generate_deadlines`` per
school year after its commit, restricted to the pupils changed when only
enrolments or pupils changed (an import of 500 enrolments is one task, not
500; outside a transaction each save is a commit of its own, so an import
runs in one); a rolled-back transaction enqueues nothing and leaves nothing
for the next one. (A savepoint rolled back inside a committed transaction may leave
its records in the batch: regenerating them as they are changes nothing.)
A roster import (:mod:`students.roster_import`) writes with bulk operations,
which send none of these signals: it announces the school years and schools it
changed once, after its commit (:data:`students.signals.roster_imported`), and
:func:`on_roster_imported` enqueues one generation per school year — an import
of 10,000 pupils is a task per school year, never one per row.
The enqueue is as safe as the others (:func:`tasks._safe`): with the broker
down the page still answers, and the nightly job catches up. Saves that send
no signal (``QuerySet.update``, ``bulk_create``, ``loaddata``'s raw saves)
are left to the nightly job as well.
"""

from __future__ import annotations

import logging
import uuid
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from students.models import (
    Enrolment,
    Group,
    Pupil,
    School,
    SchoolYear,
    StaffMembership,
    TeachingAssignment,
    User,
)

logger = logging.getLogger(__name__)

# Beyond this many pupils of one school year, the whole year is regenerated
# (as fast, and the task's message stays small).
PUPIL_LIMIT = 100

LEADERSHIP = (StaffMembership.Role.KOORDINATOR, StaffMembership.Role.REKTOR)
KONTAKTLAERER = TeachingAssignment.Role.KONTAKTLAERER

# The fields of each model the deadlines depend on: an update is compared on them.
WATCHED: dict[type[Model], tuple[str, ...]] = {
    Enrolment: ("pupil_id", "group_id", "end"),
    Group: ("school_year_id", "year_level", "kind"),
    TeachingAssignment: ("user_id", "group_id", "role"),
    StaffMembership: ("user_id", "school_id", "role", "active"),
    SchoolYear: ("school_id", "start", "end"),
    School: ("skoleeier_id", "kind"),
    Pupil: ("school_id",),
    User: ("is_active",),
}
_ON_CREATE = {Enrolment, Group, TeachingAssignment, StaffMembership, SchoolYear}
_ON_DELETE = {Enrolment, Group, TeachingAssignment, StaffMembership}


@dataclass
class _Batch:
    """What one transaction changed, gathered until its commit."""

    years: set[int] = field(default_factory=set)  # whole school years
    groups: set[int] = field(default_factory=set)  # the whole year of each group
    schools: set[int] = field(default_factory=set)  # the school's years
    users: set[int] = field(default_factory=set)  # (de)activated accounts
    group_pupils: dict[int, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    school_pupils: dict[int, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    spent: bool = False

    def flush(self) -> None:
        """After the commit: one generation per school year. The first of the
        transaction's callbacks does it, the others find the batch spent."""
        if self.spent:
            return
        self.spent = True
        try:
            plan = self.plan()
        except Exception:  # the nightly regeneration catches up
            logger.warning("Could not work out which deadlines to regenerate", exc_info=True)
            return
        from . import tasks

        for year_id, pupils in plan.items():
            if pupils is None:
                tasks._safe(tasks.generate_deadlines, year_id)
            else:
                tasks._safe(tasks.generate_deadlines, year_id, sorted(str(p) for p in pupils))

    def plan(self) -> dict[int, set[uuid.UUID] | None]:
        """School year → the pupils to regenerate (None: all of the year)."""
        from . import deadlines

        whole = set(self.years)
        pupils: dict[int, set[uuid.UUID]] = defaultdict(set)
        groups, schools = set(self.groups), set(self.schools)
        if self.users:
            groups |= set(
                TeachingAssignment.objects.filter(user_id__in=self.users, role=KONTAKTLAERER).values_list(
                    "group_id", flat=True
                )
            )
            schools |= set(
                StaffMembership.objects.filter(user_id__in=self.users, role__in=LEADERSHIP).values_list(
                    "school_id", flat=True
                )
            )
        if groups or self.group_pupils:
            for pk, year_id, kind in Group.objects.filter(pk__in=groups | set(self.group_pupils)).values_list(
                "pk", "school_year_id", "kind"
            ):
                if pk in groups:
                    whole.add(year_id)
                elif kind == Group.Kind.CLASS:
                    pupils[year_id] |= self.group_pupils[pk]
        wanted = {y.pk: y.school_id for y in deadlines.school_years_to_generate()}
        if schools or self.school_pupils:
            for year_id, school_id in wanted.items():
                if school_id in schools:
                    whole.add(year_id)
                elif school_id in self.school_pupils:
                    pupils[year_id] |= self.school_pupils[school_id]
        plan: dict[int, set[uuid.UUID] | None] = {y: None for y in whole if y in wanted}
        existing: set[uuid.UUID] = set()
        if pupils:  # a deleted pupil's deadlines went with it
            ids = {p for ps in pupils.values() for p in ps}
            existing = set(Pupil.objects.filter(pk__in=ids).values_list("pk", flat=True))
        for year_id, ps in pupils.items():
            if year_id in plan or year_id not in wanted or not ps & existing:
                continue
            plan[year_id] = None if len(ps & existing) > PUPIL_LIMIT else ps & existing
        return dict(sorted(plan.items()))


_batches: weakref.WeakKeyDictionary[Any, _Batch] = weakref.WeakKeyDictionary()


def _batch(using: str) -> _Batch:
    """The open transaction's batch, a new one after a commit or a rollback
    (a rollback drops the batch's callbacks with the transaction)."""
    conn = connections[using]
    batch = _batches.get(conn)
    if (
        batch is None
        or batch.spent
        or not conn.in_atomic_block
        or not any(getattr(cb, "__self__", None) is batch for _sids, cb, *_ in reversed(conn.run_on_commit))
    ):
        batch = _batches[conn] = _Batch()
    return batch


def _note(using: str, instance: Model, changed: bool) -> None:
    """Record what INSTANCE's change (its state now) touches; CHANGED: an update,
    whose former state (in ``_followup_before``) counts too."""
    states = [_fields(instance)]
    before = getattr(instance, "_followup_before", None)
    if changed and before is not None:
        states.append(before)
    touched = [scope for state in states if (scope := _scope(type(instance), state))]
    if not touched:
        return  # e.g. a faglærer's assignment
    batch = _batch(using)
    for add in touched:
        add(batch)
    # One callback per change: the first to run flushes. (A test capturing the
    # callbacks of a block sees one of its own; a savepoint rolled back takes
    # only its own along.)
    transaction.on_commit(batch.flush, using=using)


def _scope(model: type[Model], s: dict[str, Any]) -> Callable[[_Batch], None] | None:
    """How a record in state S touches the deadlines (None: it does not)."""
    if model is Enrolment:
        return lambda b: b.group_pupils[s["group_id"]].add(s["pupil_id"])
    if model is Group:
        return lambda b: b.years.add(s["school_year_id"])
    if model is TeachingAssignment and s["role"] == KONTAKTLAERER:
        return lambda b: b.groups.add(s["group_id"])
    if model is StaffMembership and s["role"] in LEADERSHIP:
        return lambda b: b.schools.add(s["school_id"])
    if model is SchoolYear:
        return lambda b: b.years.add(s["pk"])
    if model is School:
        return lambda b: b.schools.add(s["pk"])
    if model is Pupil:
        return lambda b: b.school_pupils[s["school_id"]].add(s["pk"])
    if model is User:
        return lambda b: b.users.add(s["pk"])
    return None


def _fields(instance: Model) -> dict[str, Any]:
    return {"pk": instance.pk, **{f: getattr(instance, f) for f in WATCHED[type(instance)]}}


def _remember(sender: type[Model], instance: Model, raw: bool = False, update_fields: Any = None, **kw: Any) -> None:
    """Before an update: the watched fields as they are in the database."""
    instance._followup_before = None  # type: ignore[attr-defined]
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = WATCHED[sender]
    if update_fields is not None and not {f.removesuffix("_id") for f in fields} & {
        f.removesuffix("_id") for f in update_fields
    }:
        return  # e.g. a login saving last_login only
    row = sender._base_manager.using(kw.get("using")).filter(pk=instance.pk).values("pk", *fields).first()
    instance._followup_before = row  # type: ignore[attr-defined]


def _saved(sender: type[Model], instance: Model, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    if created:
        if sender in _ON_CREATE:
            _note(kw["using"], instance, changed=False)
        return
    before = getattr(instance, "_followup_before", None)
    if before is None:
        return  # no watched field saved
    if before == _fields(instance):
        return  # nothing the deadlines depend on changed
    _note(kw["using"], instance, changed=True)


def _deleted(sender: type[Model], instance: Model, **kw: Any) -> None:
    _note(kw["using"], instance, changed=False)


def on_roster_imported(sender: Any, *, school_year_ids: set[int], school_ids: set[int], **kw: Any) -> None:
    """Receiver of :data:`students.signals.roster_imported` (sent after the
    import's commit): regenerate the named school years, and the schools'."""
    _Batch(years=set(school_year_ids), schools=set(school_ids)).flush()


def connect_signals() -> None:
    from students.signals import roster_imported

    roster_imported.connect(on_roster_imported, dispatch_uid="followup-roster-imported")
    for model in WATCHED:
        name = model.__name__
        pre_save.connect(_remember, sender=model, dispatch_uid=f"followup-roster-before-{name}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"followup-roster-saved-{name}")
        if model in _ON_DELETE:
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"followup-roster-deleted-{name}")
