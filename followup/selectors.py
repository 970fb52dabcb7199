"""Reads for the follow-up pages, filtered by the access layer and preloaded
so each page runs a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, IntegerField, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from iop.models import APPEAL_PERIOD, Enkeltvedtak, Iop, Iup
from students import access
from students.access import Action
from students.models import Enrolment, Group, Pupil, School, StaffMembership, TeachingAssignment, User
from students.urlcache import reverse_one

from . import deadlines as engine
from . import services
from .kpi.selectors import half_up
from .models import (
    Concern,
    Consent,
    Deadline,
    Duty,
    Kartlegging,
    Meeting,
    MeetingPupil,
    Notification,
    Oppfolgingsplan,
    Referral,
    Talk,
    Tiltak,
    TiltakEvaluation,
)
from .talks import count_per_pupil, iup_talks

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser
SOON_DAYS = 14


def _pk(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        raise Http404 from None


def pupil_record(qs: QuerySet[M], user: AnyUser, pk: Any, action: Action, *, see: Action = Action.LOG) -> M:
    """A record belonging to a pupil: 404 unless the user may SEE the pupil's
    follow-up, 403 when the user sees it but may not do ACTION."""
    obj = qs.filter(pupil__in=access.pupils_for(user, see)).filter(pk=_pk(pk)).first()
    if obj is None:
        raise Http404
    if action != see and not access.can(user, action, obj.pupil):  # type: ignore[attr-defined]
        raise PermissionDenied
    return obj


# --- the pupil's follow-up page ----------------------------------------------------------


@dataclass
class PupilFollowup:
    pupil: Pupil
    concerns: list[Concern]
    kartlegginger: list[Kartlegging]
    plan: Oppfolgingsplan | None
    tiltak: list[Tiltak]
    referrals: list[Referral]
    talks: list[Talk]
    deadlines: list[tuple[Deadline, str]]  # (deadline, link to what it is about, "" for this page)
    talks_held: int
    talk_target: int | None
    year_level: int | None
    can_edit: bool
    can_manage: bool
    #: Made decisions whose appeal period (three weeks from notification,
    #: forvaltningsloven § 29) has not run out: shown for information.
    appeal_periods: list[Enkeltvedtak] = field(default_factory=list)
    #: Whether the pupil's school has the Norwegian chain (referrals to PPT, tilsyn).
    chain: bool = True
    #: The day that decides which open deadlines are overdue.
    today: datetime.date | None = None


def pupil_followup(user: AnyUser, pupil_id: Any) -> PupilFollowup:
    """The follow-up page of a pupil: for staff who log for the pupil, and
    (read-only) for the coordinator of an archived pupil."""
    pupil = access.get_pupil(
        user,
        pupil_id,
        Action.VIEW,
        queryset=Pupil.objects.select_related("school").prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.current().select_related("group"),
                to_attr="current_enrolments",
            )
        ),
    )
    allowed = pupil.allowed  # type: ignore[attr-defined]
    if Action.LOG not in allowed and not (pupil.archived_at is not None and Action.ARCHIVE in allowed):
        raise PermissionDenied
    year_level = next((e.group.year_level for e in pupil.current_enrolments), None)  # type: ignore[attr-defined]
    year = engine.current_school_year(pupil.school_id)
    talks = list(
        Talk.objects.filter(pupil=pupil).select_related("school_year").prefetch_related("staff").order_by("-date")
    )
    held = sum(1 for t in talks if t.status == Talk.Status.HELD and year is not None and t.school_year_id == year.pk)
    if year is not None:  # and the development talks recorded only as an IUP's talk date (followup.talks)
        held += len(set(iup_talks().filter(pupil=pupil, school_year=year).values_list("talk_date", flat=True)))
    chain = access.offers_chain(pupil)
    here = reverse_one("followup:pupil", pupil.pk)
    # The pupil's live IOPs by their decision (one query): a deadline for making the IOP leads to the one begun.
    iops = (
        {
            str(vedtak_id): pk
            for vedtak_id, pk in Iop.objects.filter(pupil=pupil)
            .exclude(status=Iop.Status.ARCHIVED)
            .order_by("created_at")
            .values_list("vedtak_id", "pk")
        }
        if chain
        else {}
    )
    can_edit = Action.EDIT in pupil.allowed  # type: ignore[attr-defined]
    return PupilFollowup(
        pupil=pupil,
        concerns=list(Concern.objects.filter(pupil=pupil).select_related("filed_by", "received_by")),
        kartlegginger=list(Kartlegging.objects.filter(pupil=pupil)),
        plan=Oppfolgingsplan.objects.filter(pupil=pupil, status=Oppfolgingsplan.Status.ACTIVE).first(),
        tiltak=list(
            Tiltak.objects.filter(pupil=pupil)
            .select_related("responsible")
            .prefetch_related(Prefetch("evaluations", queryset=TiltakEvaluation.objects.order_by("date")))
            .order_by("status", "evaluation_date")
        ),
        referrals=list(Referral.objects.filter(pupil=pupil).prefetch_related("consents")) if chain else [],
        talks=talks,
        deadlines=[
            (d, deadline_link(d, here=here, iops=iops, talk_form=can_edit))  # no link to this page itself
            for d in Deadline.objects.filter(pupil=pupil, state=Deadline.State.OPEN).select_related(
                "responsible", "duty"
            )[:20]
        ],
        today=timezone.localdate(),
        talks_held=held,
        talk_target=services.talk_target(year_level, chain=chain),
        year_level=year_level,
        can_edit=can_edit,
        can_manage=Action.MANAGE in pupil.allowed,  # type: ignore[attr-defined]
        appeal_periods=list(
            Enkeltvedtak.objects.filter(
                pupil=pupil,
                status=Enkeltvedtak.Status.MADE,
                notified_on__gte=timezone.localdate() - APPEAL_PERIOD,
            ).order_by("notified_on", "pk")
        )
        if chain
        else [],
        chain=chain,
    )


def concern(user: AnyUser, pk: Any, action: Action = Action.LOG) -> Concern:
    return pupil_record(Concern.objects.select_related("pupil__school", "filed_by", "received_by"), user, pk, action)


def tiltak(user: AnyUser, pk: Any, action: Action = Action.LOG) -> Tiltak:
    return pupil_record(
        Tiltak.objects.select_related("pupil", "plan", "responsible", "meeting__group").prefetch_related(
            Prefetch("evaluations", queryset=TiltakEvaluation.objects.select_related("evaluated_by").order_by("date"))
        ),
        user,
        pk,
        action,
    )


def talk(user: AnyUser, pk: Any, action: Action = Action.LOG) -> Talk:
    return pupil_record(Talk.objects.select_related("pupil", "school_year").prefetch_related("staff"), user, pk, action)


def referral(user: AnyUser, pk: Any, action: Action = Action.VIEW) -> Referral:
    """The school's staff see referrals of pupils they follow up; PPT sees a
    referral once it is sent (PPT then has access to the pupil). An archived
    pupil's referrals stay readable to the coordinator, as the pupil's other
    records are (read-only: writes need an action archived pupils lack)."""
    visible = (
        Q(pupil__in=access.pupils_for(user, Action.LOG))
        | (~Q(status=Referral.Status.DRAFT) & Q(pupil__in=access.pupils_for(user, Action.ASSESS)))
        | Q(pupil__archived_at__isnull=False, pupil__in=access.pupils_for(user, Action.ARCHIVE))
    )
    obj = (
        Referral.objects.filter(visible)
        .select_related("pupil__school__skoleeier", "created_by", "sent_by")
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.select_related("recorded_by")))
        .filter(pk=_pk(pk))
        .first()
    )
    if obj is None or not access.offers_chain(obj.pupil):  # a referral to PPT is the Norwegian chain's
        raise Http404
    if action != Action.VIEW and not access.can(user, action, obj.pupil):
        raise PermissionDenied
    return obj


def referrals_waiting(user: AnyUser) -> QuerySet[Referral]:
    """Sent referrals of pupils USER may assess (a PPT advisor) that wait for
    the sakkyndig vurdering, oldest first."""
    return (
        Referral.objects.filter(
            status=Referral.Status.SENT, pupil__in=access.chain_pupils(access.pupils_for(user, Action.ASSESS))
        )
        .select_related("pupil__school")
        .order_by("sent_at", "pk")
    )


# --- dashboard -------------------------------------------------------------------------------


def deadline_scope(user: AnyUser) -> QuerySet[Deadline]:
    """Deadlines the user sees: every deadline of schools they manage, and
    their own; never a deadline of a pupil they may no longer see."""
    if not getattr(user, "is_authenticated", False):
        return Deadline.objects.none()
    # Built once per request: the access layer's filters take milliseconds to
    # build, and a page asks for the scope several times (rows, counts,
    # choices). Kept beside the access profile it was built from, so that
    # access.forget(user) makes a new one.
    prof = access.profile(user)
    cached = getattr(user, "_deadline_scope", None)
    if cached is not None and cached[0] is prof:
        return cached[1].all()
    managed = sorted(access.managed_school_ids(user))  # numbers, not a subquery: the indexes serve the OR
    scope = Deadline.objects.filter(Q(school_id__in=managed) | Q(responsible_id=user.pk)).filter(
        Q(pupil__isnull=True) | Q(pupil__in=access.pupil_ids(user, Action.VIEW))
    )
    user._deadline_scope = (prof, scope)  # type: ignore[union-attr]
    return scope.all()


@dataclass
class DashboardFilter:
    status: str = "attention"
    school: int | None = None
    group: int | None = None
    responsible: int | None = None
    duty: str = ""
    mine: bool = False


STATUSES = ("attention", "overdue", "soon", "open", "done")


def _filtered(user: AnyUser, f: DashboardFilter) -> QuerySet[Deadline]:
    """The deadlines USER sees, narrowed by every part of F but the status."""
    qs = deadline_scope(user).exclude(state=Deadline.State.CANCELLED)
    if f.school:
        qs = qs.filter(school_id=f.school)
    if f.group:
        qs = qs.filter(Q(group_id=f.group) | Q(pupil__in=Enrolment.objects.filter(group_id=f.group).values("pupil_id")))
    if f.responsible:
        qs = qs.filter(responsible_id=f.responsible)
    if f.mine:
        qs = qs.filter(responsible_id=user.pk)
    if f.duty:
        qs = qs.filter(duty__key=f.duty)
    return qs


def dashboard_rows(user: AnyUser, f: DashboardFilter, today: datetime.date | None = None) -> QuerySet[Deadline]:
    """The rows of the deadline page: F's status on the filtered set."""
    today = today or timezone.localdate()
    qs = _filtered(user, f)
    soon = today + datetime.timedelta(days=SOON_DAYS)
    if f.status == "overdue":
        qs = qs.filter(state=Deadline.State.OPEN, due__lt=today)
    elif f.status == "soon":
        qs = qs.filter(state=Deadline.State.OPEN, due__gte=today, due__lte=soon)
    elif f.status == "open":
        qs = qs.filter(state=Deadline.State.OPEN)
    elif f.status == "done":
        qs = qs.filter(state=Deadline.State.DONE)
    else:
        qs = qs.filter(state=Deadline.State.OPEN, due__lte=soon)
    order = ("-done_at",) if f.status == "done" else ("due", "title")
    return qs.select_related("pupil", "group", "school", "responsible", "duty").order_by(*order, "pk")


def dashboard_counts(
    user: AnyUser, f: DashboardFilter | None = None, today: datetime.date | None = None
) -> dict[str, int]:
    """``{"overdue", "soon", "open", "done"}`` counts of the set the rows
    come from (F's school, group, person, duty and "only mine"), so a
    number and the list it links to agree."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=SOON_DAYS)
    open_ = Q(state=Deadline.State.OPEN)
    return _filtered(user, f or DashboardFilter()).aggregate(
        overdue=Count("pk", filter=open_ & Q(due__lt=today)),
        soon=Count("pk", filter=open_ & Q(due__gte=today, due__lte=soon)),
        open=Count("pk", filter=open_),
        done=Count("pk", filter=Q(state=Deadline.State.DONE)),
    )


@dataclass
class FilterChoices:
    schools: list[School] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    people: list[User] = field(default_factory=list)
    duties: list[tuple[str, str]] = field(default_factory=list)


def school_and_group_choices(user: AnyUser) -> tuple[list[School], list[Group], list[School]]:
    """(schools, this year's groups, managed schools) a user filters school-wide lists by (two queries)."""
    today = timezone.localdate()
    managed = list(access.managed_schools(user))
    schools = managed or list(access.visible_schools(user))
    school_ids = [s.pk for s in schools]
    groups = list(
        Group.objects.filter(school_year__school_id__in=school_ids, school_year__end__gte=today)
        .filter(Q(school_year__school_id__in=[s.pk for s in managed]) | Q(assignments__user_id=user.pk))
        .select_related("school_year__school")
        .distinct()
        .order_by("school_year__school__name", "year_level", "name")
    )
    return schools, groups, managed


def dashboard_choices(user: AnyUser) -> FilterChoices:
    schools, groups, managed = school_and_group_choices(user)
    people: list[User] = []
    if managed:
        people = list(
            User.objects.filter(
                memberships__school_id__in=[s.pk for s in managed], memberships__active=True, is_active=True
            )
            .exclude(memberships__role=StaffMembership.Role.PPT)
            .distinct()
            .order_by("full_name")
        )
    duties = sorted(set(deadline_scope(user).filter(duty__isnull=False).values_list("duty__key", "title").distinct()))
    return FilterChoices(schools=schools, groups=groups, people=people, duties=duties)


# --- notifications and meetings ----------------------------------------------------------------


def visible_notifications(user: AnyUser) -> QuerySet[Notification]:
    """The user's own notifications about what the user may still see (one query, FK subqueries).

    A notification about a pupil (a concern, a referral, a pupil's deadline,
    a published plan)
    shows only while the access layer lets the user view the pupil; one about
    a group's or the school's deadline only while the user is an active staff
    member of that school. So a rektor whose membership ended, or a teacher who
    no longer teaches the group, no longer sees "New concern: <pupil>". The
    reminder sender asks the same question before every email
    (:func:`followup.reminders.send_notification`).
    """
    prof = access.profile(user)
    if not prof.active:
        return Notification.objects.none()
    return _visible_notifications(prof, access.pupil_ids(user, Action.VIEW))


def _visible_notifications(prof: access.Profile, pupil_keys: RawSQL) -> QuerySet[Notification]:
    """:func:`visible_notifications` of PROF's user, PUPIL_KEYS the pupils they may view."""
    pupils = Pupil.objects.filter(pk__in=pupil_keys)
    schools = sorted(prof.member_schools)
    # The visible pupils appear twice in the SQL, not once per kind: PostgreSQL
    # plans every copy of the access subquery anew, and seven copies cost far
    # more to plan than the few rows of one recipient cost to read.
    about_pupil = Exists(
        pupils.filter(
            Q(pk=OuterRef("concern__pupil_id"))
            | Q(pk=OuterRef("referral__pupil_id"))
            | Q(pk=OuterRef("iop__pupil_id"))
            | Q(pk=OuterRef("iup__pupil_id"))
            | Q(pk=OuterRef("vedtak__pupil_id"))
            | Q(pk=OuterRef("atgardsprogram__pupil_id"))
            | Q(pk=OuterRef("report__pupil_id"))
        )
    )
    about_school = Q(deadline__school_id__in=schools) & (
        Q(deadline__pupil__isnull=True) | Exists(pupils.filter(pk=OuterRef("deadline__pupil_id")))
    )
    return Notification.objects.filter(recipient_id=prof.user_id).filter(about_pupil | about_school)


#: Notifications per page of the notifications page.
NOTIFICATIONS_PAGE = 50


def listed_notifications(user: AnyUser) -> QuerySet[Notification]:
    """The notifications the user may see (:func:`visible_notifications`), due
    and not cancelled, newest first (by ``send_after``, then id, so a page
    boundary never splits rows sent at the same instant unpredictably), with
    what the list shows of each selected in the same query."""
    return (
        visible_notifications(user)
        .filter(send_after__lte=timezone.now())
        .exclude(state=Notification.State.CANCELLED)
        .select_related(
            "deadline__pupil",
            "deadline__group",
            "concern__pupil",
            "referral__pupil",
            "iop__pupil",
            "iop__school_year",
            "iup__pupil",
            "iup__school_year",
            "vedtak__pupil",
            "atgardsprogram__pupil",
            "report__pupil",
        )
        .order_by("-send_after", "-pk")
    )


def notifications(user: AnyUser, limit: int = NOTIFICATIONS_PAGE) -> list[Notification]:
    """The newest LIMIT of :func:`listed_notifications` (one query)."""
    return list(listed_notifications(user)[:limit])


def notifications_page(user: AnyUser, page: int | str | None = 1) -> Page[Notification]:
    """One page of :func:`listed_notifications`: :data:`NOTIFICATIONS_PAGE`
    of them, page 1 the newest. A PAGE that is not a number gives the first
    page, one out of range (0, or past the last) the last, as Django's
    :meth:`~django.core.paginator.Paginator.get_page` does. Two queries
    whatever the number of notifications: the count and the page's rows
    (read into a list here, so the template reads them once)."""
    paginator = Paginator(listed_notifications(user), NOTIFICATIONS_PAGE)
    shown: Page[Notification] = paginator.get_page(page)
    # The rows are read with a query even when there are none (Django's page
    # of an empty list reads nothing): the same queries for none as for many.
    start = (shown.number - 1) * NOTIFICATIONS_PAGE
    shown.object_list = list(paginator.object_list[start : start + NOTIFICATIONS_PAGE])
    return shown


def notification_for(user: AnyUser, pk: Any) -> Notification:
    """USER's own notification PK, due and not cancelled, about what the user
    may still see (:func:`visible_notifications`); Http404 for anyone else's,
    a hidden or a missing one (one query)."""
    found = (
        visible_notifications(user)
        .filter(pk=_pk(pk), send_after__lte=timezone.now())
        .exclude(state=Notification.State.CANCELLED)
        .select_related("deadline")
        .first()
    )
    if found is None:
        raise Http404
    return found


def notification_link(n: Notification) -> str:
    """The page a notification is about: its deadline's record (:func:`deadline_link`),
    the concern, referral, plan or decision (no queries)."""
    from students.urlcache import reverse_one

    if n.deadline_id:
        return deadline_link(n.deadline)  # type: ignore[arg-type]
    for key, page in (
        ("concern_id", "followup:concern_detail"),
        ("iop_id", "iop:iop_detail"),
        ("iup_id", "iop:iup_detail"),
        ("vedtak_id", "iop:vedtak_detail"),
        ("atgardsprogram_id", "atgardsprogram:programme"),
        ("referral_id", "followup:referral_detail"),
        ("report_id", "reports:report_detail"),
    ):
        if getattr(n, key):
            return reverse_one(page, getattr(n, key))
    raise Http404  # pragma: no cover - the notification_has_subject constraint


def unread_count(user: AnyUser) -> int:
    """How many of the notifications the user may see are due and unread (the
    home page's badge; one query, compiled once a day per user: see
    :func:`students.access.compiled`)."""
    query = access.compiled(user, _unread)
    if query is None:
        return 0
    sql, params = query
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS unread", params)  # noqa: S608 - the ORM's own SQL
        return int(cursor.fetchone()[0])


def _unread(prof: access.Profile, pupil_keys: RawSQL, now: datetime.datetime) -> QuerySet[Any]:
    return (
        _visible_notifications(prof, pupil_keys)
        .filter(read_at__isnull=True, send_after__lte=now)
        .exclude(state=Notification.State.CANCELLED)
        .values("pk")
    )


def groups_for_meetings(user: AnyUser) -> QuerySet[Group]:
    """Current groups whose follow-up meetings the user holds: every class of
    schools they manage, and the classes they teach."""
    today = timezone.localdate()
    prof = access.profile(user)
    if not prof.active:
        return Group.objects.none()
    managed = sorted(prof.schools(*access.COORDINATOR_ROLES))
    teaching = TeachingAssignment.objects.filter(
        user_id=prof.user_id or 0, group__school_year__school_id__in=sorted(prof.schools(*access.TEACHER_ROLES))
    ).values("group_id")
    return (
        Group.objects.filter(school_year__end__gte=today)
        .filter(Q(school_year__school_id__in=managed) | Q(pk__in=teaching))
        .select_related("school_year__school")
        .order_by("school_year__school__name", "year_level", "name")
    )


def meetings(user: AnyUser) -> QuerySet[Meeting]:
    prof = access.profile(user)
    managed = sorted(prof.schools(*access.COORDINATOR_ROLES))
    teaching = TeachingAssignment.objects.filter(
        user_id=prof.user_id or 0, group__school_year__school_id__in=sorted(prof.schools(*access.TEACHER_ROLES))
    ).values("group_id")
    if not prof.active:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(Q(group__school_year__school_id__in=managed) | Q(group_id__in=teaching))
        .select_related("group__school_year__school")
        .annotate(pupil_count=Count("discussed", distinct=True))
        .order_by("-date")
    )


def meeting(user: AnyUser, pk: Any) -> Meeting:
    obj = meetings(user).filter(pk=_pk(pk)).prefetch_related("participants").first()
    if obj is None:
        raise Http404
    return obj


def meeting_discussed(user: AnyUser, meeting: Meeting) -> list[MeetingPupil]:
    """Pupils discussed, limited to those the user may follow up; each row's
    ``may_add_tiltak`` tells whether the user may start a tiltak for its
    pupil (Action.EDIT). One query."""
    editable = access.pupils_for(user, Action.EDIT).filter(pk=OuterRef("pupil_id"))
    return list(
        MeetingPupil.objects.filter(meeting=meeting, pupil__in=access.pupils_for(user, Action.LOG))
        .annotate(may_add_tiltak=Exists(editable))
        .select_related("pupil")
        .order_by("pupil__last_name", "pupil__first_name")
    )


def group_pupils(user: AnyUser, group: Group) -> QuerySet[Pupil]:
    return access.pupils_for(user, Action.LOG).filter(enrolments__group=group).order_by("last_name", "first_name", "pk")


@dataclass
class TalkRow:
    pupil: Pupil
    held: int
    planned: int
    target: int | None


def talk_overview(user: AnyUser, group: Group) -> list[TalkRow]:
    """Talks per pupil of GROUP this school year, against the target."""
    chain = group.school_year.school_id not in access.profile(user).foreign_schools
    target = services.talk_target(group.year_level, chain=chain)
    iups = iup_talks().filter(pupil=OuterRef("pk"), school_year=group.school_year_id)  # followup.talks
    pupils = group_pupils(user, group).annotate(
        talks_held=Count(
            "talks", filter=Q(talks__status=Talk.Status.HELD, talks__school_year=group.school_year_id), distinct=True
        ),
        iup_held=Coalesce(Subquery(count_per_pupil(iups), output_field=IntegerField()), 0),
        planned=Count(
            "talks",
            filter=Q(talks__status=Talk.Status.PLANNED, talks__school_year=group.school_year_id),
            distinct=True,
        ),
    )
    return [TalkRow(p, p.talks_held + p.iup_held, p.planned, target) for p in pupils]  # type: ignore[attr-defined]


def deadline_link(d: Deadline, *, here: str = "", iops: dict[str, Any] | None = None, talk_form: bool = False) -> str:
    """The page deadline D is about: its record's, else its pupil's follow-up
    page, its group's meetings or (a deadline about the whole school) the
    deadline page showing its school's open deadlines of its duty; "" when
    that page is HERE, the page the link would be on.
    Where D's duty is loaded (never a query): a deadline for making the IOP
    after a decision leads to the IOP begun from it (IOPS: the pupil's IOP ids
    by their decision's id, when the caller read them), and with TALK_FORM
    (a user who may register talks) a talk deadline leads to the form that
    registers the pupil's talk of that kind."""
    link = _deadline_page(d, iops or {}, talk_form)
    return "" if link.partition("?")[0] == here else link


def _deadline_page(d: Deadline, iops: dict[str, Any], talk_form: bool) -> str:
    from django.urls import reverse

    from students.urlcache import reverse_one

    duty = d.duty if Deadline.duty.is_cached(d) else None
    fulfilment = duty.fulfilment if duty is not None else ""
    if fulfilment == Duty.Fulfilment.IOP_PUBLISHED and d.record_kind == "vedtak" and d.record_id in iops:
        return reverse_one("iop:iop_detail", iops[d.record_id])
    if fulfilment == Duty.Fulfilment.TALK_HELD and talk_form and d.pupil_id:
        return reverse_one("followup:talk_create", d.pupil_id) + f"?kind={duty.talk_kind}"  # type: ignore[union-attr]
    if d.record_kind == "tiltak" and d.record_id:
        return reverse_one("followup:tiltak_detail", d.record_id.split(":")[0])
    record_pages = {
        "concern": "followup:concern_detail",
        "referral": "followup:referral_detail",
        "vurdering": "iop:vurdering_detail",
        "vedtak": "iop:vedtak_detail",
        "atgardsprogram": "atgardsprogram:programme",
        "anpassning": "atgardsprogram:anpassning",
        "utredning": "atgardsprogram:utredning",
    }
    if d.record_kind in ("interim_referral", "interim_vurdering") and d.record_id:
        return reverse("followup:interim_reply", args=[d.record_kind.removeprefix("interim_"), d.record_id])
    if d.record_kind == "appeal" and d.record_id:
        return reverse_one("iop:appeal_edit", d.record_id)
    if d.record_kind in record_pages and d.record_id:
        return reverse_one(record_pages[d.record_kind], d.record_id)
    if d.pupil_id:
        return reverse_one("followup:pupil", d.pupil_id)
    if d.group_id:
        return reverse("followup:meeting_list") + f"?group={d.group_id}"
    # A task of the whole school: its school's open deadlines of this duty, where it is near the top.
    query = {"status": "open", "school": d.school_id} | ({"duty": duty.key} if duty is not None else {})
    return reverse("followup:dashboard") + "?" + urlencode(query)


def staff_of_school(school_id: int) -> QuerySet[User]:
    return (
        User.objects.filter(memberships__school_id=school_id, memberships__active=True, is_active=True)
        .exclude(memberships__role=StaffMembership.Role.PPT)
        .distinct()
        .order_by("full_name")
    )


# --- key figures for coordinators ------------------------------------------------------------


@dataclass
class SchoolFigures:
    school: School
    pupils: int
    with_target: int  # pupils in year levels with a talk target
    at_target: int  # … who had at least that many talks held this school year
    with_iup: int  # pupils with a published IUP this school year
    open_concerns: int
    active_tiltak: int

    def share(self, part: int, whole: int) -> float:
        """PART of WHOLE in per cent, one decimal, rounded as the key-figure pages round (:func:`half_up`)."""
        return half_up(100 * part, whole, 1) if whole else 0.0

    @property
    def at_target_pct(self) -> float:
        return self.share(self.at_target, self.with_target)

    @property
    def iup_pct(self) -> float:
        return self.share(self.with_iup, self.pupils)


#: Schools per page of the dashboard's key figures.
FIGURES_PAGE = 25


def school_figures(user: AnyUser, page: int | str | None = 1) -> Page[Any]:
    """One page (:data:`FIGURES_PAGE` schools by name; a PAGE past the last
    gives the last) of the schools the user manages, each as
    :class:`SchoolFigures` for this school year: pupils, talks against the
    target (``settings.FOLLOWUP_TALK_TARGETS``), IUPs, open concerns and
    active tiltak. A pupil enrolled in two classes of a school counts once,
    at the class enrolled first; an archived pupil (who has left) does not
    count. Everything is counted in the database (the
    page of schools with their IUPs, concerns and tiltak as subqueries, and
    one aggregate over the enrolments): three queries with the page count,
    and no enrolment read into Python, whatever the data size."""
    from django.conf import settings
    from django.db.models import Case, Exists, F, IntegerField, OuterRef, Subquery, Value, When
    from django.db.models.functions import Coalesce

    today = timezone.localdate()

    def per_school(qs: QuerySet[Any], distinct: str = "pk") -> Subquery:
        """QS's rows (DISTINCT of them) per school of the row, as a subquery on the school."""
        rows = qs.filter(pupil__school_id=OuterRef("pk"), pupil__archived_at__isnull=True).order_by()
        rows = rows.values("pupil__school_id")
        return Subquery(rows.annotate(n=Count(distinct, distinct=True)).values("n"), output_field=IntegerField())

    iups = Iup.objects.filter(
        school_year__start__lte=today,
        school_year__end__gte=today,
        status__in=[Iup.Status.PUBLISHED, Iup.Status.ARCHIVED],
    )
    schools_qs = (
        access.managed_schools(user)
        .annotate(
            n_iups=Coalesce(per_school(iups, "pupil_id"), 0),
            n_concerns=Coalesce(per_school(Concern.objects.exclude(status=Concern.Status.CLOSED)), 0),
            n_tiltak=Coalesce(per_school(Tiltak.objects.filter(status=Tiltak.Status.ACTIVE)), 0),
        )
        .order_by("name", "pk")
    )
    shown: Page[Any] = Paginator(schools_qs, FIGURES_PAGE).get_page(page)
    schools = list(shown.object_list)
    if not schools:
        shown.object_list = []  # type: ignore[assignment]
        return shown
    ids = [s.pk for s in schools]
    enrolled = Enrolment.objects.open_on(today).filter(
        pupil__archived_at__isnull=True,  # a pupil who has left counts no more
        group__school_year__school_id__in=ids,
        group__school_year__start__lte=today,
        group__school_year__end__gte=today,
        group__kind=Group.Kind.CLASS,
    )
    earlier = enrolled.filter(
        pupil_id=OuterRef("pupil_id"),
        group__school_year__school_id=OuterRef("group__school_year__school_id"),
        pk__lt=OuterRef("pk"),
    )
    held = (
        Talk.objects.filter(
            pupil_id=OuterRef("pupil_id"), school_year_id=OuterRef("group__school_year_id"), status=Talk.Status.HELD
        )
        .order_by()
        .values("pupil_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    iup_held = iup_talks(today).filter(  # development talks recorded only as an IUP's talk date (followup.talks)
        pupil_id=OuterRef("pupil_id"), school_year_id=OuterRef("group__school_year_id")
    )
    target = Case(
        *[
            When(
                group__year_level__gte=low,
                group__year_level__lte=high,
                group__school_year__school__skoleeier__country=access.CHAIN_COUNTRY,  # a Norwegian target
                then=Value(int(count)),
            )
            for low, high, count in settings.FOLLOWUP_TALK_TARGETS
        ],
        default=None,
        output_field=IntegerField(),
    )
    counted = {
        school_id: (pupils, with_target, at_target)
        for school_id, pupils, with_target, at_target in enrolled.exclude(Exists(earlier))
        .annotate(
            held=Coalesce(Subquery(held, output_field=IntegerField()), 0)
            + Coalesce(Subquery(count_per_pupil(iup_held), output_field=IntegerField()), 0),
            target=target,
        )
        .order_by()
        .values("group__school_year__school_id")
        .annotate(
            pupils=Count("pk"),
            with_target=Count("pk", filter=Q(target__isnull=False)),
            at_target=Count("pk", filter=Q(held__gte=F("target"))),
        )
        .values_list("group__school_year__school_id", "pupils", "with_target", "at_target")
    }
    shown.object_list = [  # type: ignore[assignment]
        SchoolFigures(
            school=s,
            pupils=counted.get(s.pk, (0, 0, 0))[0],
            with_target=counted.get(s.pk, (0, 0, 0))[1],
            at_target=counted.get(s.pk, (0, 0, 0))[2],
            with_iup=s.n_iups,
            open_concerns=s.n_concerns,
            active_tiltak=s.n_tiltak,
        )
        for s in schools
    ]
    return shown
