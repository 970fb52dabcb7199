"""The deadline engine: from the årshjul's duties and the records to the
deadlines of one school year. Generation is idempotent (each deadline has a
stable key) and can be restricted to some pupils when one record changes."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, CharField, DateField, Exists, Min, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, override

from students.models import Enrolment, Group, School, SchoolYear, Skoleeier, StaffMembership, TeachingAssignment, User

from . import schedule, sources
from .models import Aarshjul, AarshjulChoice, Deadline, Duty, Meeting, Talk
from .moved import archived_notes, moved_notes
from .talks import IUP_TALK_KIND, iup_talks

BUILTIN_FOR_KIND = {School.Kind.VGS: "trondelag-vgs"}
BUILTIN_DEFAULT = "grunnskole-no"
#: The built-in set of a school owner's country where it is not Norway's
#: (a Swedish school gets the Swedish duties, never the Norwegian chain's).
BUILTIN_FOR_COUNTRY = {Skoleeier.Country.SE: "grundskola-se"}
# Days after a vedtak its IOP is due when the årshjul has no duty that follows
# made vedtak ("iop-etter-vedtak"); that duty's own offset wins where it exists.
IOP_DAYS_AFTER_VEDTAK = 30


# --- which duties apply to a school ------------------------------------------------


def builtin_key_for(school: School) -> str:
    """The built-in set for SCHOOL: its country's (Sweden), else its kind's (Norway)."""
    country = school.skoleeier.country
    if country in BUILTIN_FOR_COUNTRY:
        return BUILTIN_FOR_COUNTRY[country]  # type: ignore[index]
    return BUILTIN_FOR_KIND.get(school.kind, BUILTIN_DEFAULT)  # type: ignore[call-overload]


def aarshjul_for(school: School) -> Aarshjul | None:
    """The årshjul chosen for the school (:class:`AarshjulChoice`), else the
    school owner's own, else the built-in set for the school's country or kind
    (:func:`builtin_key_for`)."""
    chosen = AarshjulChoice.objects.filter(school_id=school.pk).select_related("aarshjul").first()
    if chosen is not None:
        return chosen.aarshjul
    own = Aarshjul.objects.filter(skoleeier_id=school.skoleeier_id).first()
    if own is not None:
        return own
    wheel = Aarshjul.objects.filter(builtin_key=_builtin_key(school)).first()
    if wheel is None:  # the built-in sets are data (migrations 0002, 0018); reload them if a flush removed them
        from .aarshjul_data import load_builtin

        load_builtin(Aarshjul, Duty)
        wheel = Aarshjul.objects.filter(builtin_key=_builtin_key(school)).first()
    return wheel


def _builtin_key(school: School) -> str | Case:
    """:func:`builtin_key_for` SCHOOL, as SQL when its school owner is not
    read yet (so that choosing the set stays one query)."""
    if School.skoleeier.field.is_cached(school):
        return builtin_key_for(school)
    by_kind = BUILTIN_FOR_KIND.get(school.kind, BUILTIN_DEFAULT)  # type: ignore[call-overload]
    owner = Skoleeier.objects.filter(pk=school.skoleeier_id)
    return Case(
        *[When(Exists(owner.filter(country=c)), then=Value(key)) for c, key in BUILTIN_FOR_COUNTRY.items()],
        default=Value(by_kind),
        output_field=CharField(),
    )


@dataclass
class EffectiveDuty:
    duty: Duty
    inherited: Duty | None  # the årshjul duty it overrides, if any
    origin: str  # "aarshjul" | "override" | "school"


def effective_duties(school: School, *, include_inactive: bool = False) -> list[EffectiveDuty]:
    wheel = aarshjul_for(school)
    base = {d.key: d for d in (wheel.duties.all() if wheel else [])}
    own = {d.key: d for d in Duty.objects.filter(school=school)}
    out: list[EffectiveDuty] = []
    for key, duty in base.items():
        if key in own:
            out.append(EffectiveDuty(own[key], duty, "override"))
        else:
            out.append(EffectiveDuty(duty, None, "aarshjul"))
    out.extend(EffectiveDuty(d, None, "school") for k, d in own.items() if k not in base)
    if not include_inactive:
        out = [e for e in out if e.duty.active]
    return sorted(out, key=lambda e: (e.duty.order, e.duty.key))


def rule_of(duty: Duty) -> schedule.Rule:
    return schedule.Rule(
        anchor=duty.anchor,
        month=duty.month,
        day=duty.day,
        offset_days=duty.offset_days,
        weekend_to_monday=duty.weekend_to_monday,
    )


# --- generation ---------------------------------------------------------------------


@dataclass
class Wanted:
    key: str
    duty: Duty
    due: datetime.date
    title: str
    pupil_id: uuid.UUID | None = None
    group_id: int | None = None
    record_kind: str = ""
    record_id: str = ""
    responsible_id: int | None = None
    done: bool = False
    # Why it is done without a record (e.g. it fell due before the pupil came).
    note: str = ""


def _arrivals(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[uuid.UUID, datetime.date]:
    """{pupil id: the first day of the pupil's first enrolment in SCHOOL_YEAR}
    (an enrolment without a first day counts from the year's start). One query."""
    qs = Enrolment.objects.filter(group__school_year=school_year)
    if pupil_ids is not None:
        qs = qs.filter(pupil_id__in=pupil_ids)
    first = Min(Coalesce("start", Value(school_year.start), output_field=DateField()))
    return dict(qs.values("pupil_id").annotate(first=first).order_by().values_list("pupil_id", "first"))


def before_arrival_note(school: School, arrived: datetime.date) -> str:
    """The note on a pupil's deadline that fell due before the pupil came to
    SCHOOL, e.g. "Før eleven kom (29.11.2026).", in the school's language."""
    with override(school.language or "nb"):
        return gettext("Before the pupil came (%(date)s).") % {"date": date_format(arrived, "SHORT_DATE_FORMAT")}


def _first_by_role(school: School, role: str) -> int | None:
    return (
        StaffMembership.objects.filter(school=school, role=role, active=True, user__is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )


def _in_levels(duty: Duty, level: int) -> bool:
    if duty.min_year_level and level < duty.min_year_level:
        return False
    return not (duty.max_year_level and level > duty.max_year_level)


def _after_vedtak(due: datetime.date, made_on: datetime.date, days: int, *, followed: bool) -> datetime.date | None:
    """When a duty for pupils with a vedtak (the IOP at school start) is due
    for a pupil whose first vedtak of the year was made on MADE_ON: never
    before MADE_ON + DAYS. When the årshjul FOLLOWED made vedtak with a duty
    of its own (the IOP N days after the vedtak), that one covers a late
    vedtak and this answers None (no second deadline for the same IOP)."""
    earliest = made_on + datetime.timedelta(days=days)
    if earliest <= due:
        return due
    return None if followed else earliest


def wanted_deadlines(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None = None) -> list[Wanted]:
    """Every deadline the årshjul asks for in SCHOOL_YEAR (for PUPIL_IDS only
    when given: then school- and group-level deadlines are left out)."""
    school = school_year.school
    duties = [e.duty for e in effective_duties(school)]
    groups = list(Group.objects.filter(school_year=school_year).order_by("pk"))
    contact: dict[int, int] = {}
    for a in TeachingAssignment.objects.filter(
        group__school_year=school_year, role=TeachingAssignment.Role.KONTAKTLAERER, user__is_active=True
    ).order_by("-pk"):
        contact[a.group_id] = a.user_id
    # A pupil who has left the class (moved to another class or school) has no deadlines in it.
    # An archived pupil (who left) gets no deadlines at all.
    enrol_qs = Enrolment.objects.open_on(timezone.localdate()).filter(
        group__school_year=school_year, group__kind=Group.Kind.CLASS, pupil__archived_at__isnull=True
    )
    if pupil_ids is not None:
        enrol_qs = enrol_qs.filter(pupil_id__in=pupil_ids)
    pupil_group: dict[uuid.UUID, tuple[int, int]] = {}
    for pupil_id, group_id, level in enrol_qs.values_list("pupil_id", "group_id", "group__year_level"):
        pupil_group.setdefault(pupil_id, (group_id, level))
    role_holder = {
        role: _first_by_role(school, role) for role in (Duty.Role.KOORDINATOR, Duty.Role.REKTOR, Duty.Role.PPT)
    }
    # Leadership stands in for each other: at a school without a rektor in the
    # system the coordinator gets the rektor's duties (the vedtak), and back.
    rektor, koordinator = role_holder[Duty.Role.REKTOR], role_holder[Duty.Role.KOORDINATOR]
    role_holder[Duty.Role.REKTOR], role_holder[Duty.Role.KOORDINATOR] = rektor or koordinator, koordinator or rektor
    made_on = sources.vedtak_made_on(school_year, pupil_ids)
    arrived = _arrivals(school_year, pupil_ids)
    sets = sources.pupil_sets(school_year, pupil_ids)
    done_sets = sources.fulfilled(school_year, pupil_ids)
    needs_records = any(d.anchor == Duty.Anchor.RECORD for d in duties)
    records = sources.all_records(school_year, pupil_ids) if needs_records else []
    start, end = school_year.start, school_year.end
    after_vedtak = next(
        (d for d in duties if d.anchor == Duty.Anchor.RECORD and d.record_event == Duty.RecordEvent.VEDTAK_MADE), None
    )
    iop_days = after_vedtak.offset_days if after_vedtak else IOP_DAYS_AFTER_VEDTAK

    def responsible(duty: Duty, group_id: int | None) -> int | None:
        if duty.responsible_role == Duty.Role.KONTAKTLAERER and group_id is not None:
            return contact.get(group_id)
        return role_holder.get(duty.responsible_role)  # type: ignore[call-overload]

    out: list[Wanted] = []
    for duty in duties:
        applies = duty.applies_to
        if applies == Duty.AppliesTo.RECORD:
            for rec in records:
                if rec.event != duty.record_event or rec.pupil_id not in pupil_group:
                    continue
                due = schedule.due_date(rule_of(duty), start=start, end=end, record_date=rec.date)
                if due is None or not start <= due <= end:
                    continue
                group_id, level = pupil_group[rec.pupil_id]
                if not _in_levels(duty, level):
                    continue
                resp = rec.responsible_id if duty.record_event == Duty.RecordEvent.TILTAK_EVALUATION else None
                out.append(
                    Wanted(
                        key=f"{school.pk}:{duty.key}:r:{rec.kind}:{rec.id}",
                        duty=duty,
                        due=due,
                        title=duty.title,
                        pupil_id=rec.pupil_id,
                        record_kind=rec.kind,
                        record_id=rec.id,
                        responsible_id=resp or responsible(duty, group_id),
                        done=rec.done,
                    )
                )
            continue
        due = schedule.due_date(rule_of(duty), start=start, end=end)
        if due is None:
            continue
        if applies in (Duty.AppliesTo.EVERY_PUPIL, Duty.AppliesTo.PUPILS_WITH_VEDTAK, Duty.AppliesTo.PUPILS_WITH_IOP):
            chosen: Iterable[uuid.UUID] = pupil_group.keys()
            if applies != Duty.AppliesTo.EVERY_PUPIL:
                chosen = sets.get(applies, set()) & set(pupil_group)
            fulfilled = done_sets.get(duty.fulfilment, set())
            for pupil_id in chosen:
                group_id, level = pupil_group[pupil_id]
                if not _in_levels(duty, level):
                    continue
                pupil_due: datetime.date | None = due
                if applies == Duty.AppliesTo.PUPILS_WITH_VEDTAK:
                    pupil_due = _after_vedtak(due, made_on[pupil_id], iop_days, followed=after_vedtak is not None)
                if pupil_due is None:
                    continue
                # A duty that fell due before the pupil came to the school is not the school's to do.
                came = arrived.get(pupil_id, start)
                note = before_arrival_note(school, came) if pupil_due < came else ""
                out.append(
                    Wanted(
                        key=f"{school_year.pk}:{duty.key}:p:{pupil_id}",
                        duty=duty,
                        due=pupil_due,
                        title=duty.title,
                        pupil_id=pupil_id,
                        responsible_id=responsible(duty, group_id),
                        done=pupil_id in fulfilled or bool(note),
                        note=note,
                    )
                )
        elif pupil_ids is not None:
            continue
        elif applies == Duty.AppliesTo.EACH_GROUP:
            for group in groups:
                if group.kind != Group.Kind.CLASS or not _in_levels(duty, group.year_level):
                    continue
                out.append(
                    Wanted(
                        key=f"{school_year.pk}:{duty.key}:g:{group.pk}",
                        duty=duty,
                        due=due,
                        title=duty.title,
                        group_id=group.pk,
                        responsible_id=responsible(duty, group.pk),
                    )
                )
        elif applies == Duty.AppliesTo.SCHOOL:
            out.append(
                Wanted(
                    key=f"{school_year.pk}:{duty.key}:s",
                    duty=duty,
                    due=due,
                    title=duty.title,
                    responsible_id=responsible(duty, None),
                )
            )
    return out


def initial_reminder(due: datetime.date, days: list[int], now: datetime.datetime) -> datetime.datetime | None:
    stage = schedule.next_stage_after(schedule.reminder_stages(due, days), now)
    return stage.at if stage else None


@dataclass
class GenerationResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    fulfilled: int = 0


@transaction.atomic
def deadlines_generate(*, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None = None) -> GenerationResult:
    """Create, move, cancel and fulfil the deadlines of SCHOOL_YEAR (only of
    PUPIL_IDS when given). Deadlines done stay done."""
    now = timezone.now()
    result = GenerationResult()
    wanted = {w.key: w for w in wanted_deadlines(school_year, pupil_ids)}
    existing_qs = Deadline.objects.filter(school_year=school_year)
    if pupil_ids is not None:
        existing_qs = existing_qs.filter(pupil_id__in=pupil_ids)
    # Record deadlines are keyed by school, not year: find them by key too.
    record_keys = [k for k, w in wanted.items() if w.record_kind]
    existing = {d.key: d for d in existing_qs}
    if record_keys:
        existing.update({d.key: d for d in Deadline.objects.filter(key__in=record_keys)})
    to_create: list[Deadline] = []
    to_update: list[Deadline] = []
    for key, w in wanted.items():
        days = w.duty.reminder_offsets()
        current = existing.get(key)
        if current is None:
            d = Deadline(
                key=key,
                school_id=school_year.school_id,
                school_year=school_year,
                duty=w.duty,
                title=w.title,
                pupil_id=w.pupil_id,
                group_id=w.group_id,
                record_kind=w.record_kind,
                record_id=w.record_id,
                due=w.due,
                responsible_role=w.duty.responsible_role,
                responsible_id=w.responsible_id,
                reminder_days=w.duty.reminder_days,
                reminded_through=now,
                next_reminder_at=initial_reminder(w.due, days, now),
            )
            if w.done:
                d.state, d.done_at, d.done_automatically, d.next_reminder_at = Deadline.State.DONE, now, True, None
                d.done_note = w.note
                result.fulfilled += 1
            to_create.append(d)
            result.created += 1
            continue
        if current.state == Deadline.State.DONE:
            continue
        changed = False
        if current.state == Deadline.State.CANCELLED:
            current.state = Deadline.State.OPEN
            current.done_note = ""  # why it ended (moved, archived) no longer holds
            changed = True
        for attr, value in (
            ("duty_id", w.duty.pk),
            ("title", w.title),
            ("due", w.due),
            ("responsible_role", w.duty.responsible_role),
            ("responsible_id", w.responsible_id),
            ("reminder_days", w.duty.reminder_days),
            ("school_year_id", school_year.pk),
        ):
            if getattr(current, attr) != value:
                setattr(current, attr, value)
                changed = True
        if changed:
            current.next_reminder_at = initial_reminder(current.due, days, max(now, current.reminded_through or now))
        if w.done:
            current.state, current.done_at, current.done_automatically = Deadline.State.DONE, now, True
            current.next_reminder_at = None
            current.done_note = current.done_note or w.note
            changed = True
            result.fulfilled += 1
        if changed:
            to_update.append(current)
            result.updated += 1
    stale = [
        d for key, d in existing.items() if key not in wanted and d.state == Deadline.State.OPEN and not d.record_kind
    ]
    # Record deadlines whose record is gone or moved (a new evaluation date).
    stale += [
        d
        for key, d in existing.items()
        if key not in wanted and d.state == Deadline.State.OPEN and d.record_kind and d.school_year_id == school_year.pk
    ]
    stale_pupils = {d.pupil_id for d in stale if d.pupil_id}
    moved = moved_notes(school_year.school_id, stale_pupils) if stale_pupils else {}
    if stale_pupils:
        moved.update(archived_notes(school_year.school, stale_pupils))  # archived since: that note wins
    for d in stale:
        d.state = Deadline.State.CANCELLED
        d.next_reminder_at = None
        if d.pupil_id in moved and not d.done_note:
            d.done_note = moved[d.pupil_id]
        result.cancelled += 1
    Deadline.objects.bulk_create(to_create, batch_size=1000)
    Deadline.objects.bulk_update(
        to_update + stale,
        [
            "duty_id",
            "title",
            "due",
            "responsible_role",
            "responsible_id",
            "reminder_days",
            "school_year_id",
            "state",
            "done_at",
            "done_automatically",
            "next_reminder_at",
            "done_note",
        ],
        batch_size=1000,
    )
    if stale:
        from .models import Notification

        Notification.objects.filter(deadline__in=stale, state=Notification.State.PENDING).update(
            state=Notification.State.CANCELLED
        )
    result.fulfilled += fulfil_from_records(school_year=school_year, pupil_ids=pupil_ids)
    return result


def term_of(day: datetime.date) -> str:
    """The term DAY falls in: "autumn" (July–December) or "spring" (January–June)."""
    return "autumn" if day.month >= 7 else "spring"


def match_talks(
    deadlines: list[tuple[uuid.UUID, datetime.date]], talks: list[datetime.date], already_done: int = 0
) -> list[uuid.UUID]:
    """Which of one pupil's open DEADLINES (id, due) for one kind of talk in
    one term the held TALKS of that term fulfil: one talk, one duty, earliest
    due first. ALREADY_DONE talks are spoken for by duties a talk fulfilled before."""
    free = max(0, len(talks) - already_done)
    return [pk for pk, _due in sorted(deadlines, key=lambda d: (d[1], str(d[0])))][:free]


def fulfil_from_records(*, school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None = None) -> int:
    """Mark open deadlines done when a record fulfils them: a talk of the
    duty's kind held in the same term (each talk fulfils one duty; an IUP's
    talk date is a development talk, :mod:`followup.talks`), a follow-up
    meeting of the group around the due date."""
    now = timezone.now()
    open_qs = Deadline.objects.filter(school_year=school_year, state=Deadline.State.OPEN).select_related("duty")
    if pupil_ids is not None:
        open_qs = open_qs.filter(pupil_id__in=pupil_ids)
    Slot = tuple[uuid.UUID, str, str]  # (pupil, kind of talk, term)
    talk_dates: dict[Slot, list[datetime.date]] = defaultdict(list)
    talks = Talk.objects.filter(school_year=school_year, status=Talk.Status.HELD)
    if pupil_ids is not None:
        talks = talks.filter(pupil_id__in=pupil_ids)
    for pupil_id, kind, day in talks.values_list("pupil_id", "kind", "date"):
        talk_dates[(pupil_id, kind, term_of(day))].append(day)
    # A development talk recorded only as an IUP's talk date (followup.talks), one per pupil and date.
    iups = iup_talks().filter(school_year=school_year)
    if pupil_ids is not None:
        iups = iups.filter(pupil_id__in=pupil_ids)
    for pupil_id, talk_day in iups.order_by().values_list("pupil_id", "talk_date").distinct():
        if talk_day is not None:  # always (iup_talks)
            talk_dates[(pupil_id, IUP_TALK_KIND, term_of(talk_day))].append(talk_day)
    done_before: dict[Slot, int] = defaultdict(int)
    done_qs = Deadline.objects.filter(
        school_year=school_year,
        state=Deadline.State.DONE,
        done_automatically=True,
        duty__fulfilment=Duty.Fulfilment.TALK_HELD,
    )
    if pupil_ids is not None:
        done_qs = done_qs.filter(pupil_id__in=pupil_ids)
    for pupil_id, kind, due in done_qs.values_list("pupil_id", "duty__talk_kind", "due"):
        done_before[(pupil_id, kind, term_of(due))] += 1
    meetings: dict[int, list[datetime.date]] = defaultdict(list)
    if pupil_ids is None:
        for group_id, day in Meeting.objects.filter(group__school_year=school_year).values_list("group_id", "date"):
            meetings[group_id].append(day)
    window = datetime.timedelta(days=42)
    done: list[uuid.UUID] = []
    waiting: dict[Slot, list[tuple[uuid.UUID, datetime.date]]] = defaultdict(list)
    for d in open_qs.filter(
        Q(duty__fulfilment=Duty.Fulfilment.TALK_HELD) | Q(duty__fulfilment=Duty.Fulfilment.MEETING_HELD)
    ):
        duty = d.duty
        if duty is None:
            continue
        if duty.fulfilment == Duty.Fulfilment.TALK_HELD and d.pupil_id:
            waiting[(d.pupil_id, duty.talk_kind, term_of(d.due))].append((d.pk, d.due))
        elif (
            duty.fulfilment == Duty.Fulfilment.MEETING_HELD
            and d.group_id
            and any(abs(day - d.due) <= window for day in meetings[d.group_id])
        ):
            done.append(d.pk)
    for slot, rows in waiting.items():
        done += match_talks(rows, talk_dates[slot], done_before[slot])
    if done:
        Deadline.objects.filter(pk__in=done).update(
            state=Deadline.State.DONE, done_at=now, done_automatically=True, next_reminder_at=None
        )
    return len(done)


def fulfil_from_records_for_group(group: Group) -> int:
    """After a follow-up meeting is recorded: fulfil the group's meeting duties."""
    now = timezone.now()
    days = list(Meeting.objects.filter(group=group).values_list("date", flat=True))
    window = datetime.timedelta(days=42)
    ids = [
        pk
        for pk, due in Deadline.objects.filter(
            group=group, state=Deadline.State.OPEN, duty__fulfilment=Duty.Fulfilment.MEETING_HELD
        ).values_list("pk", "due")
        if any(abs(day - due) <= window for day in days)
    ]
    if ids:
        Deadline.objects.filter(pk__in=ids).update(
            state=Deadline.State.DONE, done_at=now, done_automatically=True, next_reminder_at=None
        )
    return len(ids)


def current_school_year(school_id: int, day: datetime.date | None = None) -> SchoolYear | None:
    day = day or timezone.localdate()
    return (
        SchoolYear.objects.filter(school_id=school_id, start__lte=day, end__gte=day).first()
        or SchoolYear.objects.filter(school_id=school_id, start__gt=day).order_by("start").first()
    )


def school_years_to_generate(day: datetime.date | None = None) -> list[SchoolYear]:
    """Current school years and those starting within 60 days."""
    day = day or timezone.localdate()
    return list(
        SchoolYear.objects.filter(end__gte=day, start__lte=day + datetime.timedelta(days=60)).select_related("school")
    )


def responsible_users(deadline: Deadline) -> list[User]:
    """Who a reminder for DEADLINE goes to: its responsible person, else every
    active holder of the responsible role at the school (for a pupil or group
    with a kontaktlærer role: that group's kontaktlærer)."""
    if deadline.responsible_id and deadline.responsible and deadline.responsible.is_active:
        return [deadline.responsible]
    qs = User.objects.filter(
        is_active=True,
        memberships__school_id=deadline.school_id,
        memberships__role=deadline.responsible_role,
        memberships__active=True,
    )
    return list(qs.distinct().order_by("pk"))


def coordinators(school_id: int) -> list[User]:
    for role in (StaffMembership.Role.KOORDINATOR, StaffMembership.Role.REKTOR):
        users = list(
            User.objects.filter(
                is_active=True, memberships__school_id=school_id, memberships__role=role, memberships__active=True
            )
            .distinct()
            .order_by("pk")
        )
        if users:
            return users
    return []
