"""Sections this app adds to the pages ``students`` owns (see
``students.sections``). Each runs a fixed number of queries."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from students import access
from students.access import Action
from students.models import Pupil, StaffMembership
from students.sections import Section

from . import selectors
from .models import Concern, Deadline, Duty, Referral, Tiltak


def _count_of(qs: QuerySet[Any]) -> Coalesce:
    """How many rows QS (one pupil's records) has, as a subquery for the pupil's row."""
    return Coalesce(Subquery(qs.order_by().values("pupil").annotate(n=Count("pk")).values("n")[:1]), 0)


#: The names :func:`pupil_counts` gives its counts.
COUNT_NAMES = ("followup_open", "followup_overdue", "followup_concerns", "followup_tiltak")


def pupil_counts() -> dict[str, Any]:
    """The follow-up summary's counts as subqueries on the pupil's row
    (``OuterRef("pk")``), for the pupil page's own query
    (``settings.PUPIL_PAGE_ANNOTATIONS``): ``followup_open`` and
    ``followup_overdue`` (open deadlines, those of them due before today),
    ``followup_concerns`` (concerns not closed) and ``followup_tiltak``
    (active tiltak)."""
    today = timezone.localdate()
    pupil = OuterRef("pk")
    deadlines = Deadline.objects.filter(pupil=pupil, state=Deadline.State.OPEN)
    return {  # the keys of COUNT_NAMES
        "followup_open": _count_of(deadlines),
        "followup_overdue": _count_of(deadlines.filter(due__lt=today)),
        "followup_concerns": _count_of(Concern.objects.filter(pupil=pupil).exclude(status=Concern.Status.CLOSED)),
        "followup_tiltak": _count_of(Tiltak.objects.filter(pupil=pupil, status=Tiltak.Status.ACTIVE)),
    }


def pupil_section(request: HttpRequest, pupil: Pupil) -> Section | None:
    """On the pupil page: a summary of the follow-up for the school's staff
    who follow the pupil up; sent referrals for PPT; nothing for others. The
    counts come with the pupil (:func:`pupil_counts`), or in one query of
    their own for a pupil read without them."""
    allowed: frozenset[Action] = getattr(pupil, "allowed", frozenset())
    if Action.LOG in allowed:
        if all(hasattr(pupil, name) for name in COUNT_NAMES):  # read with the pupil: no query
            counts = {name: getattr(pupil, name) for name in COUNT_NAMES}
        else:
            annotations = pupil_counts()
            counts = Pupil.objects.filter(pk=pupil.pk).annotate(**annotations).values(*annotations).get()
        context = {
            "pupil": pupil,
            "counts": {"open": counts["followup_open"], "overdue": counts["followup_overdue"]},
            "concerns": counts["followup_concerns"],
            "tiltak": counts["followup_tiltak"],
            "can_manage": Action.MANAGE in allowed,
            "chain": access.offers_chain(pupil),
        }
        return Section("followup/_pupil_section.html", context)
    if Action.ASSESS in allowed and access.offers_chain(pupil):
        referrals = list(
            Referral.objects.filter(pupil=pupil).exclude(status=Referral.Status.DRAFT).order_by("-sent_at")
        )
        if referrals:
            return Section("followup/_pupil_section_ppt.html", {"referrals": referrals})
    return None


HOME_TASKS = 8  # the user's next open deadlines listed on the home page
#: The next steps of the chain (kartlegging, sakkyndig vurdering, vedtak, IOP,
#: årsrapport, an appeal's review): the next of them is always among the next
#: tasks (in its place by due date), so that old talks never crowd it out.
CHAIN_FULFILMENTS = (
    Duty.Fulfilment.KARTLEGGING,
    Duty.Fulfilment.VURDERING,
    Duty.Fulfilment.NEW_VEDTAK,
    Duty.Fulfilment.IOP_PUBLISHED,
    Duty.Fulfilment.ARSRAPPORT_WRITTEN,
    Duty.Fulfilment.APPEAL_FORWARDED,
)
HOME_REFERRALS = 20  # referrals waiting for PPT listed on a PPT advisor's home page


def home_section(request: HttpRequest) -> Section | None:
    """On the home page: the user's own deadlines (overdue and soon, the same
    set the deadline page shows under "only mine"), their next tasks (overdue
    first, then by due date, whatever they are about; the chain's next step
    always among them; a link to all when there are
    more than :data:`HOME_TASKS`), new
    notifications and, for a PPT advisor, the referrals waiting for a
    sakkyndig vurdering. A fixed number of queries."""
    user = request.user
    prof = access.profile(user)
    if not prof.is_staff_member:
        if prof.is_guardian:  # guardians hear of published plans here
            return Section("followup/_home_guardian.html", {"unread": selectors.unread_count(user)})
        return None
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=selectors.SOON_DAYS)
    mine_qs = selectors.deadline_scope(user).filter(responsible_id=user.pk, state=Deadline.State.OPEN)
    mine = mine_qs.aggregate(
        overdue=Count("pk", filter=Q(due__lt=today)),
        soon=Count("pk", filter=Q(due__gte=today, due__lte=soon)),
        open=Count("pk"),
    )
    listed = mine_qs.select_related("pupil", "group").order_by("due", "pk")
    first = list(listed[:HOME_TASKS])  # overdue first, then by due date, about a pupil, a group or the school
    next_step = listed.filter(duty__fulfilment__in=CHAIN_FULFILMENTS).first()
    if next_step is not None and next_step not in first:  # the chain's next step takes the last place
        first = [*first[: HOME_TASKS - 1], next_step]
    tasks = [(d, selectors.deadline_link(d)) for d in first]
    referrals: list[Referral] = []
    if prof.schools(StaffMembership.Role.PPT):
        referrals = list(selectors.referrals_waiting(user)[:HOME_REFERRALS])
        for r in referrals:
            r.days_waiting = (today - timezone.localdate(r.sent_at)).days if r.sent_at else 0  # type: ignore[attr-defined]
    return Section(
        "followup/_home_section.html",
        {
            "mine": mine,
            "tasks": tasks,
            "referrals": referrals,
            "unread": selectors.unread_count(user),
            "today": today,
            "coordinator": prof.is_coordinator,
        },
    )
