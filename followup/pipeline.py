"""The pipeline: every pupil in the chain with the step they are at.

The chain's steps, in order (DOMAIN.md "The chain")::

    concern → kartlegging → tiltak → referral → SV → vedtak → IOP → årsrapport

A pupil's **current step** is the furthest step reached that is not yet
closed; a closed step hands the pupil on to the next one, which then waits
from the day the earlier step closed:

* årsrapport — the pupil's live IOP is published (since the day it was
  published) and no årsrapport of it is finalised yet; the kontaktlærer writes it;
* IOP — a draft IOP exists, or a valid vedtak is made and there is no live
  IOP (since the vedtak was made, so the days agree with the IOP deadline;
  since the draft was made when no valid vedtak is made); the kontaktlærer
  of the pupil's current class at the pupil's current school;
* vedtak — a draft vedtak (since it was started) or a completed sakkyndig
  vurdering without a vedtak made on it (since it was completed); the rektor;
* SV — PPT writes a draft sakkyndig vurdering (since it was started); PPT;
* referral — a referral is drafted (coordinator) or sent (PPT, since it was sent);
* tiltak — a measure is active (since its start); the coordinator;
* kartlegging — a kartlegging is recorded (since its date) on a concern that
  is still open, or without a concern within the last year; the coordinator;
* concern — a concern is open (since it was filed); the coordinator.

A pupil with none of these is not in the chain: one whose årsrapport is
written has finished this round, and is listed again when a new round begins
(a new concern, assessment or vedtak).

**Overdue**: the pupil has an open deadline of the step (by the duty's
fulfilment) that is past due.

Queries: one count and one page of pupils (each step's date is a subquery on
the pupil row), one for the page's overdue deadlines and one for the page's
kontaktlærere — a fixed number whatever the number of pupils.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateField, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from iop.models import Enkeltvedtak, Iop, SakkyndigVurdering
from iop.reports.models import Report
from students import access
from students.access import Action
from students.models import Enrolment, Pupil, TeachingAssignment

from .models import Concern, Deadline, Duty, Kartlegging, Referral, Tiltak


class Step(enum.IntEnum):
    CONCERN = 1
    KARTLEGGING = 2
    TILTAK = 3
    REFERRAL = 4
    SV = 5
    VEDTAK = 6
    IOP = 7
    AARSRAPPORT = 8


STEP_LABELS = {
    Step.CONCERN: _("Concern"),
    Step.KARTLEGGING: _("Kartlegging"),
    Step.TILTAK: _("Tiltak"),
    Step.REFERRAL: _("Referral to PPT"),
    Step.SV: _("Sakkyndig vurdering"),
    Step.VEDTAK: _("Enkeltvedtak"),
    Step.IOP: _("IOP"),
    Step.AARSRAPPORT: _("Årsrapport"),
}

# The deadlines that belong to a step (by what fulfils them).
STEP_FULFILMENTS: dict[Step, tuple[str, ...]] = {
    Step.CONCERN: (Duty.Fulfilment.KARTLEGGING,),
    Step.KARTLEGGING: (),
    Step.TILTAK: (Duty.Fulfilment.TILTAK_EVALUATED,),
    Step.REFERRAL: (Duty.Fulfilment.VURDERING,),
    Step.SV: (Duty.Fulfilment.VURDERING,),
    Step.VEDTAK: (Duty.Fulfilment.NEW_VEDTAK,),
    Step.IOP: (Duty.Fulfilment.IOP_PUBLISHED,),
    Step.AARSRAPPORT: (Duty.Fulfilment.ARSRAPPORT_WRITTEN,),
}

# A kartlegging without a concern keeps the pupil at that step this long;
# one made on a concern, while the concern is open.
KARTLEGGING_OPEN = datetime.timedelta(days=365)

# The dates read per pupil (annotation name → subquery), see module docstring.
_DATES = (
    "concern_on",
    "kartlegging_on",
    "tiltak_on",
    "referral_draft_on",
    "referral_sent_on",
    "sv_draft_on",
    "sv_done_on",
    "vedtak_draft_on",
    "vedtak_made_on",
    "iop_draft_on",
    "iop_published_on",
)


@dataclass
class PipelineRow:
    pupil: Pupil
    step: Step
    since: datetime.date
    waits_for: str  # a Duty.Role value
    today: datetime.date
    overdue: bool = False
    people: list[str] = field(default_factory=list)  # names of those it waits for, where known

    @property
    def days(self) -> int:
        return max((self.today - self.since).days, 0)

    @property
    def step_label(self) -> Any:
        return STEP_LABELS[self.step]

    @property
    def waits_for_label(self) -> Any:
        return Duty.Role(self.waits_for).label


def _latest(qs: QuerySet[Any], expression: Any) -> Subquery:
    """The latest date of EXPRESSION among QS's rows of the outer pupil."""
    if isinstance(expression, str):
        expression = F(expression)
    return Subquery(
        qs.filter(pupil=OuterRef("pk")).annotate(on=expression).order_by("-on").values("on")[:1],
        output_field=DateField(),
    )


def _day(name: Any) -> Any:
    return TruncDate(name, output_field=DateField())


def annotate_steps(pupils: QuerySet[Pupil], today: datetime.date) -> QuerySet[Pupil]:
    """PUPILS with the dates the steps are decided from, and only those in the chain."""
    live_iop = Iop.objects.exclude(status=Iop.Status.ARCHIVED)
    valid_vedtak = Enkeltvedtak.objects.filter(valid_to__gte=today)
    written = Report.objects.filter(
        iop=OuterRef("pk"),
        kind=Report.Kind.AARSRAPPORT,
        status__in=(Report.Status.FINALISED, Report.Status.PUBLISHED),
    )
    dates: dict[str, Any] = {
        "concern_on": _latest(Concern.objects.exclude(status=Concern.Status.CLOSED), _day("filed_at")),
        "kartlegging_on": _latest(
            Kartlegging.objects.filter(
                Q(concern__isnull=True, date__gte=today - KARTLEGGING_OPEN)
                | Q(concern__status__in=(Concern.Status.NEW, Concern.Status.RECEIVED))
            ),
            "date",
        ),
        "tiltak_on": _latest(Tiltak.objects.filter(status=Tiltak.Status.ACTIVE), "start"),
        "referral_draft_on": _latest(Referral.objects.filter(status=Referral.Status.DRAFT), _day("created_at")),
        "referral_sent_on": _latest(
            Referral.objects.filter(status=Referral.Status.SENT),
            _day(Coalesce("sent_at", "created_at", output_field=DateTimeField())),
        ),
        "sv_draft_on": _latest(
            SakkyndigVurdering.objects.filter(status=SakkyndigVurdering.Status.DRAFT, valid_to__gte=today),
            _day("created_at"),
        ),
        "sv_done_on": _latest(
            SakkyndigVurdering.objects.filter(status=SakkyndigVurdering.Status.COMPLETED, valid_to__gte=today).exclude(
                Exists(Enkeltvedtak.objects.filter(vurdering=OuterRef("pk"), status=Enkeltvedtak.Status.MADE))
            ),
            _day(Coalesce("completed_at", "updated_at", output_field=DateTimeField())),
        ),
        "vedtak_draft_on": _latest(valid_vedtak.filter(status=Enkeltvedtak.Status.DRAFT), _day("created_at")),
        "vedtak_made_on": _latest(
            valid_vedtak.filter(status=Enkeltvedtak.Status.MADE),
            Coalesce("made_on", _day("updated_at"), output_field=DateField()),
        ),
        "iop_draft_on": _latest(live_iop.filter(status=Iop.Status.DRAFT), _day("created_at")),
        "iop_published_on": _latest(
            live_iop.filter(status=Iop.Status.PUBLISHED).exclude(Exists(written)),
            _day(Coalesce("published_at", "created_at", output_field=DateTimeField())),
        ),
    }
    # The SQL twin of current_step(): a pupil is listed when some step is open.
    in_chain = Q(vedtak_made_on__isnull=False, has_live_iop=False)
    for name in _DATES:
        if name != "vedtak_made_on":
            in_chain |= Q(**{f"{name}__isnull": False})
    return pupils.annotate(**dates, has_live_iop=Exists(live_iop.filter(pupil=OuterRef("pk")))).filter(in_chain)


def current_step(d: dict[str, Any]) -> tuple[Step, datetime.date, str] | None:
    """(step, since, role waited for) from a pupil's dates D (see
    :func:`annotate_steps`, plus ``has_live_iop``); None: not in the chain."""
    r = Duty.Role
    made = d.get("vedtak_made_on")
    candidates: list[tuple[Step, datetime.date | None, str]] = [
        (Step.AARSRAPPORT, d.get("iop_published_on"), r.KONTAKTLAERER),
        # The IOP step starts when the vedtak is made, whether a draft exists or not.
        (Step.IOP, (made or d.get("iop_draft_on")) if d.get("iop_draft_on") else None, r.KONTAKTLAERER),
        # A made vedtak waits for its IOP while the pupil has no live IOP.
        (Step.IOP, None if d.get("has_live_iop") else made, r.KONTAKTLAERER),
        (Step.VEDTAK, d.get("vedtak_draft_on"), r.REKTOR),
        # A completed SV waits for a vedtak until one is made on it.
        (Step.VEDTAK, d.get("sv_done_on"), r.REKTOR),
        (Step.SV, d.get("sv_draft_on"), r.PPT),
        (Step.REFERRAL, d.get("referral_sent_on"), r.PPT),
        (Step.REFERRAL, d.get("referral_draft_on"), r.KOORDINATOR),
        (Step.TILTAK, d.get("tiltak_on"), r.KOORDINATOR),
        (Step.KARTLEGGING, d.get("kartlegging_on"), r.KOORDINATOR),
        (Step.CONCERN, d.get("concern_on"), r.KOORDINATOR),
    ]
    for step, since, role in candidates:
        if since is not None:
            return step, since, role
    return None


def pipeline_rows(pupils: list[Pupil], deadlines: QuerySet[Deadline], today: datetime.date) -> list[PipelineRow]:
    """The rows of PUPILS (annotated by :func:`annotate_steps`): step, days in
    it, who it waits for (with the kontaktlærere by name), and whether a
    deadline of the step in DEADLINES (those the reader may see) is overdue.
    Two queries."""
    rows: list[PipelineRow] = []
    for pupil in pupils:
        found = current_step({name: getattr(pupil, name) for name in (*_DATES, "has_live_iop")})
        if found is not None:
            step, since, role = found
            rows.append(PipelineRow(pupil=pupil, step=step, since=since, waits_for=role, today=today))
    ids = [row.pupil.pk for row in rows]
    if not ids:
        return rows
    overdue = set(
        deadlines.filter(pupil_id__in=ids, state=Deadline.State.OPEN, due__lt=today, duty__isnull=False).values_list(
            "pupil_id", "duty__fulfilment"
        )
    )
    names: dict[Any, list[str]] = {}
    teachers = (
        # Only the kontaktlærere of the pupil's current class at the current school (not a former one).
        Enrolment.objects.open_on(today)
        .filter(
            pupil_id__in=ids,
            group__school_year__school_id=F("pupil__school_id"),
            group__school_year__start__lte=today,
            group__school_year__end__gte=today,
            group__assignments__role=TeachingAssignment.Role.KONTAKTLAERER,
            group__assignments__user__is_active=True,
        )
        .values_list("pupil_id", "group__assignments__user__full_name")
        .order_by("group__assignments__user__full_name")
        .distinct()
    )
    for pupil_id, name in teachers:
        names.setdefault(pupil_id, []).append(name)
    for row in rows:
        row.overdue = any((row.pupil.pk, f) in overdue for f in STEP_FULFILMENTS[row.step])
        if row.waits_for == Duty.Role.KONTAKTLAERER:
            row.people = names.get(row.pupil.pk, [])
    return rows


PAGE_SIZE = 100


def pipeline_pupils(user: Any, today: datetime.date, *, school: int | None = None, group: int | None = None) -> Any:
    """The pupils in the chain USER works with (the access layer's pupils the
    user may edit: a coordinator's or rektor's whole school, a kontaktlærer's
    own pupils), annotated by :func:`annotate_steps`, narrowed to SCHOOL and
    GROUP, ordered by name (a queryset: paginate it, then :func:`pipeline_rows`)."""
    pupils = access.chain_pupils(access.pupils_for(user, Action.EDIT))
    if school:
        pupils = pupils.filter(school_id=school)
    if group:
        pupils = pupils.filter(pk__in=Enrolment.objects.filter(group_id=group).values("pupil_id"))
    return annotate_steps(pupils, today).select_related("school").order_by("last_name", "first_name", "pk")
