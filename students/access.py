"""The access layer: the one place that decides who may see or do what.

Every view resolves its pupil (or a record belonging to a pupil) through
:func:`get_pupil` / :func:`pupils_for`. Role rules are foreign-key filters
(index-friendly subqueries on the pupil table); explicit grants to one user
(sharing with one more teacher, a vikar's time-limited access) are
django-guardian direct-FK object permissions with an expiry.

Relations a user can have to a pupil, and what each allows:

=================  ==========================================================
relation           actions
=================  ==========================================================
coordinator        everything at the pupil's school (koordinator, rektor)
contact teacher    view, edit plans, log progress (kontaktlærer of the group;
                   not after the pupil's last day in it)
subject teacher    view, log progress (faglærer of the group, likewise; in
                   the subjects they teach the pupil: :func:`log_subjects`)
ppt                view, assess (PPT advisor of the school, pupil referred)
shared (write)     view, edit, log (explicit grant ``change_pupil``)
shared (read)      view (explicit grant ``view_pupil``, e.g. a vikar)
guardian           view, read-only (parental responsibility, not ended; not
                   18+ without the pupil's consent)
=================  ==========================================================

An archived pupil (one who has left, :attr:`Pupil.archived_at`) is seen by
the coordinator only, read-only: view, view sensitive, and manage (to
restore). Lists leave archived pupils out (:func:`current`); their records
stay readable.

Anyone else, anonymous and deactivated users get nothing. Records the user
may not see answer 404, exactly like missing ones; visible records the user
may not change answer 403 on writes.

Country. The Norwegian chain — PPT referral (pedagogisk rapport) and
consent, sakkyndig vurdering, enkeltvedtak with forhåndsvarsel and appeals to
Statsforvalteren, the IOP and its årsrapport, interim replies, the tilsyn
self-check and the key figures of opplæringslova — exists only in Norwegian
law. It is offered for pupils of Norwegian schools only
(:func:`offers_chain`): a resolver asks :func:`get_pupil` with
``chain=True`` and a Swedish pupil's chain answers 404, as a missing record
does; pages leave the chain's sections, links and menu entries out for
Swedish pupils and for users whose schools are all Swedish
(:attr:`Profile.works_with_chain`), and overviews count Norwegian schools
only (:meth:`Profile.chain_schools`, :func:`managed_schools` with ``chain``,
:func:`chain_pupils`). The IUP, the follow-up (concerns, tiltak,
talks, meetings) and the årshjul are for both countries.
"""

from __future__ import annotations

import datetime
import enum
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import EmptyResultSet, FullResultSet, PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from .models import (
    ADULT_AGE,
    GRANT_READ,
    GRANT_WRITE,
    Enrolment,
    GuardianLink,
    PptGrant,
    Pupil,
    PupilUserObjectPermission,
    School,
    Skoleeier,
    StaffMembership,
    TeachingAssignment,
    User,
)


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"  # write the pupil's plans (IOP/IUP), concerns, talks
    LOG = "log"  # log progress and assessments on goals
    MANAGE = "manage"  # coordinator work: vedtak, årshjul, grants
    ASSESS = "assess"  # PPT: write the sakkyndig vurdering
    VIEW_SENSITIVE = "view_sensitive"  # national identity number
    ARCHIVE = "archive"  # archive or restore a pupil who left; export the whole file (innsyn, archive)


class Relation(enum.StrEnum):
    COORDINATOR = "coordinator"
    CONTACT_TEACHER = "contact_teacher"
    SUBJECT_TEACHER = "subject_teacher"
    PPT = "ppt"
    SHARED_WRITE = "shared_write"
    SHARED_READ = "shared_read"
    GUARDIAN = "guardian"


A = Action
RELATION_ACTIONS: dict[Relation, frozenset[Action]] = {
    Relation.COORDINATOR: frozenset({A.VIEW, A.EDIT, A.LOG, A.MANAGE, A.VIEW_SENSITIVE, A.ARCHIVE}),
    Relation.CONTACT_TEACHER: frozenset({A.VIEW, A.EDIT, A.LOG}),
    Relation.SUBJECT_TEACHER: frozenset({A.VIEW, A.LOG}),
    Relation.PPT: frozenset({A.VIEW, A.ASSESS}),
    Relation.SHARED_WRITE: frozenset({A.VIEW, A.EDIT, A.LOG}),
    Relation.SHARED_READ: frozenset({A.VIEW}),
    Relation.GUARDIAN: frozenset({A.VIEW}),
}

#: What the coordinator may still do with an archived pupil: read the records,
#: export them, and restore the pupil; nothing is written to the file meanwhile.
ARCHIVED_ACTIONS: frozenset[Action] = frozenset({A.VIEW, A.VIEW_SENSITIVE, A.ARCHIVE})

COORDINATOR_ROLES = (StaffMembership.Role.KOORDINATOR, StaffMembership.Role.REKTOR)
TEACHER_ROLES = (StaffMembership.Role.KONTAKTLAERER, StaffMembership.Role.FAGLAERER)
#: The country whose law the chain (sakkyndig vurdering → enkeltvedtak → IOP → årsrapport) follows.
CHAIN_COUNTRY = Skoleeier.Country.NO


@dataclass(frozen=True)
class Profile:
    """What one user is, read once per request: school roles by school id."""

    user_id: int
    active: bool
    roles: dict[str, frozenset[int]]
    is_guardian: bool
    language: str | None = None  # the language of the user's schools (nb, nn, sv)
    #: The user's member schools (by id) of countries other than Norway, which
    #: have no Norwegian chain (see the module's docstring).
    foreign_schools: frozenset[int] = frozenset()
    #: Whether any of the user's children goes to a school with the Norwegian chain.
    chain_children: bool = False

    def schools(self, *roles: str) -> frozenset[int]:
        out: set[int] = set()
        for role in roles:
            out |= self.roles.get(role, frozenset())
        return frozenset(out)

    @property
    def member_schools(self) -> frozenset[int]:
        return self.schools(*StaffMembership.Role.values)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.member_schools)

    @property
    def is_coordinator(self) -> bool:
        return bool(self.schools(*COORDINATOR_ROLES))

    def chain_schools(self, *roles: str) -> frozenset[int]:
        """The user's schools in ROLES (any role when none given) that have the Norwegian chain."""
        return (self.schools(*roles) if roles else self.member_schools) - self.foreign_schools

    @property
    def works_with_chain(self) -> bool:
        """Whether any of the user's schools has the Norwegian chain (else its
        menu entries and overviews are left out)."""
        return bool(self.chain_schools())

    @property
    def meets_chain(self) -> bool:
        """Whether the user meets the Norwegian chain at all: at one of their
        schools or through a child at one (a user whose schools and children
        are all Swedish does not: no IOP is named to them)."""
        return self.works_with_chain or self.chain_children


_USER_SLOT = -7_130_000_001  # a stand-in for the user's key in the compiled profile query


@functools.cache
def _profile_query() -> tuple[str, tuple[Any, ...], tuple[int, ...]]:
    """The SQL of :func:`profile`'s one query, compiled once per process:
    ``(sql, params, indexes of the user's key)``. The memberships, then
    (role "") the schools of the user's children (no LIMIT: SQLite allows
    none in a compound query; a guardian has few children)."""
    memberships = StaffMembership.objects.filter(user_id=_USER_SLOT, active=True)
    children = GuardianLink.objects.filter(user_id=_USER_SLOT)  # ended guardianships left out (the manager)
    rows = memberships.values_list("role", "school_id", "school__language", "school__skoleeier__country").union(
        children.values_list(
            Value("", output_field=CharField()),
            Value(None, output_field=IntegerField()),
            "pupil__school__language",
            "pupil__school__skoleeier__country",
        ),
        all=True,
    )
    sql, params = rows.query.sql_with_params()
    slots = tuple(i for i, p in enumerate(params) if p == _USER_SLOT)
    if len(slots) != 2:  # pragma: no cover - the ORM changed how it passes keys
        raise RuntimeError("the profile query's user is not two parameters")
    return sql, tuple(params), slots


def profile(user: User | AnonymousUser) -> Profile:
    """The user's roles, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Profile(user_id=0, active=False, roles={}, is_guardian=False)
    cached = getattr(user, "_access_profile", None)
    if cached is not None:
        return cached
    roles: dict[str, set[int]] = {}
    languages: list[str] = []
    children_languages: list[str] = []
    foreign: set[int] = set()
    chain_children = False
    sql, template, slots = _profile_query()
    params = list(template)
    for i in slots:
        params[i] = user.pk
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for role, school_id, language, country in rows:
        if role == "":
            children_languages.append(language)
            chain_children = chain_children or country == CHAIN_COUNTRY
            continue
        roles.setdefault(role, set()).add(school_id)
        if country != CHAIN_COUNTRY:
            foreign.add(school_id)
        languages.append(language)
    children_languages = children_languages[:10]
    languages = languages or children_languages
    result = Profile(
        user_id=user.pk,
        active=True,
        roles={k: frozenset(v) for k, v in roles.items()},
        is_guardian=bool(children_languages),
        language=_most_common(languages),
        foreign_schools=frozenset(foreign),
        chain_children=chain_children,
    )
    user._access_profile = result  # type: ignore[union-attr,attr-defined]
    return result


def _most_common(languages: list[str]) -> str | None:
    """The language most of LANGUAGES name; on a tie the site's default
    (bokmål) if it is among them, else the first in alphabetical order, so
    that the answer never depends on the order of the rows or of a set
    (someone serving a bokmål and a nynorsk school reads bokmål)."""
    if not languages:
        return None
    most = max(languages.count(language) for language in set(languages))
    tied = sorted(language for language in set(languages) if languages.count(language) == most)
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in tied else tied[0]


def forget(user: User) -> None:
    """Drop the cached profile (after memberships change within a request)."""
    if hasattr(user, "_access_profile"):
        del user._access_profile
    if hasattr(user, "_access_pupil_ids"):
        del user._access_pupil_ids


def _today() -> datetime.date:
    return timezone.localdate()


def _adult_cutoff(today: datetime.date) -> datetime.date:
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ADULT_AGE, day=28)


def _relation_filters(
    prof: Profile, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> dict[Relation, Q]:
    """One Q per relation the user can have; relations the user lacks are
    absent. TODAY and NOW (default: the clock's) date the enrolments, the
    age of majority and the grants' expiry."""
    today = today or _today()
    filters: dict[Relation, Q] = {}
    if not prof.active:
        return filters
    coord = prof.schools(*COORDINATOR_ROLES)
    if coord:
        filters[Relation.COORDINATOR] = Q(school_id__in=sorted(coord))
    teacher_schools = prof.schools(*TEACHER_ROLES)
    if teacher_schools:
        for relation, role in (
            (Relation.CONTACT_TEACHER, TeachingAssignment.Role.KONTAKTLAERER),
            (Relation.SUBJECT_TEACHER, TeachingAssignment.Role.FAGLAERER),
        ):
            enrolled = (
                Enrolment.objects.open_on(today)
                .filter(
                    group__assignments__user_id=prof.user_id,
                    group__assignments__role=role,
                    group__school_year__end__gte=today,
                    group__school_year__school_id__in=sorted(teacher_schools),
                )
                .values("pupil_id")
            )
            filters[relation] = Q(pk__in=enrolled, school_id__in=sorted(teacher_schools))
    ppt = prof.schools(StaffMembership.Role.PPT)
    if ppt:
        granted = PptGrant.objects.filter(school_id__in=sorted(ppt), revoked_at__isnull=True).values("pupil_id")
        filters[Relation.PPT] = Q(pk__in=granted, school_id__in=sorted(ppt))
    if prof.member_schools:
        now = now or timezone.now()
        live = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        for relation, codename in ((Relation.SHARED_WRITE, GRANT_WRITE), (Relation.SHARED_READ, GRANT_READ)):
            grants = PupilUserObjectPermission.objects.filter(
                live, user_id=prof.user_id, permission__codename=codename
            ).values("content_object_id")
            filters[relation] = Q(pk__in=grants, school_id__in=sorted(prof.member_schools))
    if prof.is_guardian:
        children = GuardianLink.objects.filter(
            user_id=prof.user_id, parental_responsibility=True, ended_at__isnull=True
        ).values("pupil_id")
        filters[Relation.GUARDIAN] = Q(pk__in=children) & (
            Q(birth_date__gt=_adult_cutoff(today)) | Q(guardians_may_see_as_adult=True)
        )
    for relation in filters:  # an archived pupil is the coordinator's only
        if relation is not Relation.COORDINATOR:
            filters[relation] &= Q(archived_at__isnull=True)
    return filters


def pupils_for(user: User | AnonymousUser, action: Action = Action.VIEW) -> QuerySet[Pupil]:
    """The pupils USER may do ACTION on, as a queryset (one SQL query).

    The pupils are those whose key is among :func:`pupil_ids`, whose SQL is
    compiled once per process, user's roles, day and action (building the
    relation subqueries anew on every request cost more than running them).
    Every pupil a staff member sees is at one of the member's schools, and
    the query says so outside the subquery as well, so that PostgreSQL
    starts from the school index instead of joining every pupil of the
    municipality to the subquery's keys. A guardian's pupils are found from
    the guardian's links, by the relations' conditions themselves."""
    prof = profile(user)
    if prof.is_guardian:  # few pupils, found from the guardian's links (no school to start from)
        filters = {r: q for r, q in _relation_filters(prof).items() if action in RELATION_ACTIONS[r]}
        if not filters:
            return Pupil.objects.none()
        qs = Pupil.objects.filter(_visible(prof, filters))
        return qs if action in ARCHIVED_ACTIONS else current(qs)
    if not prof.active or _pupil_ids_query(*_key(prof), action) == _no_pupil_ids():
        return Pupil.objects.none()
    return Pupil.objects.filter(school_id__in=sorted(prof.member_schools), pk__in=pupil_ids(user, action))


def pupil_ids(user: User | AnonymousUser, action: Action = Action.VIEW) -> RawSQL:
    """The keys of :func:`pupils_for` (USER, ACTION) as an SQL subquery for
    ``field__in=``: for queries that name the visible pupils several times
    (each ``__in=pupils_for(...)`` would build and compile the relation
    subqueries again). The SQL is compiled once per process, user's roles,
    day and action (:func:`_pupil_ids_query`); the conditions in it are read
    by PostgreSQL on every request, so new assignments, grants and
    enrolments count at once."""
    cache: dict[Action, tuple[str, list[Any]]] | None = getattr(user, "_access_pupil_ids", None)
    if cache is None:
        cache = {}
        if getattr(user, "is_authenticated", False):
            user._access_pupil_ids = cache  # type: ignore[union-attr]
    if action not in cache:
        prof = profile(user)
        if prof.active:
            sql, template, times = _pupil_ids_query(*_key(prof), action)
        else:
            sql, template, times = _no_pupil_ids()
        params: list[Any] = list(template)
        if times:
            now = _as_param(timezone.now())
            for i in times:
                params[i] = now
        cache[action] = (sql, params)
    sql, params = cache[action]
    return RawSQL(sql, params)  # noqa: S611 - the ORM's own compiled SQL, values as parameters


#: Builds a query about the pupils a user may view: ``build(profile, pupils, now)``
#: with PUPILS the keys of :func:`pupil_ids` (an SQL subquery) and NOW the
#: moment to compare times with. A module-level function (it keys a cache).
QueryBuilder = Callable[[Profile, RawSQL, datetime.datetime], QuerySet[Any]]


def compiled(user: User | AnonymousUser, build: QueryBuilder) -> tuple[str, list[Any]] | None:
    """The SQL and parameters of the queryset BUILD makes for USER, compiled
    once per process, BUILD, user's roles and day like :func:`pupil_ids`
    (the conditions are read by PostgreSQL on every request; the clock's time
    goes into the parameters on every call). None for a user without an
    active account or a query that finds nothing whatever the data;
    ``(sql, params)`` otherwise, to run as a raw query."""
    prof = profile(user)
    if not prof.active:
        return None
    sql, template, times = _compiled(build, *_key(prof))
    if not sql:
        return None
    params: list[Any] = list(template)
    if times:
        now = _as_param(timezone.now())
        for i in times:
            params[i] = now
    return sql, params


@functools.lru_cache(maxsize=512)
def _compiled(
    build: QueryBuilder, user_id: int, roles: _Roles, is_guardian: bool, today: datetime.date
) -> tuple[str, tuple[Any, ...], tuple[int, ...]]:
    """:func:`compiled`'s SQL for one user's roles on TODAY: ``(sql, params, indexes of the time)``."""
    ids_sql, ids_params, _times = _pupil_ids_query(user_id, roles, is_guardian, today, Action.VIEW)
    pupils = RawSQL(ids_sql, ids_params)  # noqa: S611 - the ORM's own compiled SQL, the time's stand-ins in it
    queryset = build(_profile_of(user_id, roles, is_guardian), pupils, _NOW_SLOT)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return "", (), ()
    return sql, tuple(params), _slots(params, _NOW_SLOT)


@functools.cache
def _no_pupil_ids() -> tuple[str, tuple[Any, ...], tuple[int, ...]]:
    """A subquery of pupil keys that finds none (no relation to any pupil)."""
    sql, params = Pupil.objects.filter(pk__isnull=True).values("pk").query.sql_with_params()
    return sql, tuple(params), ()


@functools.lru_cache(maxsize=512)
def _pupil_ids_query(
    user_id: int, roles: _Roles, is_guardian: bool, today: datetime.date, action: Action
) -> tuple[str, tuple[Any, ...], tuple[int, ...]]:
    """The SQL of :func:`pupil_ids` for one user's roles on TODAY:
    ``(sql, params, indexes of the time)`` (building and compiling the
    relation subqueries costs more than running them)."""
    prof = _profile_of(user_id, roles, is_guardian)
    filters = {
        r: q for r, q in _relation_filters(prof, today=today, now=_NOW_SLOT).items() if action in RELATION_ACTIONS[r]
    }
    if not filters:
        return _no_pupil_ids()
    qs = Pupil.objects.filter(_visible(prof, filters))
    if action not in ARCHIVED_ACTIONS:
        qs = current(qs)
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return _no_pupil_ids()
    return sql, tuple(params), _slots(params, _NOW_SLOT)


def current(qs: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """QS without archived pupils: what lists show."""
    return qs.filter(archived_at__isnull=True)


def _visible(prof: Profile, filters: dict[Relation, Q]) -> Q:
    """OR the relations, with the staff relations narrowed to the user's
    schools first so that PostgreSQL can start from the school index instead
    of scanning every pupil."""
    staff = Q()
    for relation, condition in filters.items():
        if relation is not Relation.GUARDIAN:
            staff |= condition
    combined = Q(school_id__in=sorted(prof.member_schools)) & staff if len(staff) else Q(pk__in=[])
    if Relation.GUARDIAN in filters:
        combined |= filters[Relation.GUARDIAN]
    return combined


def _with_relations(qs: QuerySet[Pupil], filters: dict[Relation, Q]) -> QuerySet[Pupil]:
    return qs.annotate(
        **{f"rel_{r.value}": ExpressionWrapper(q, output_field=BooleanField()) for r, q in filters.items()}
    )


def relations_of(pupil: Pupil) -> frozenset[Relation]:
    return frozenset(r for r in Relation if getattr(pupil, f"rel_{r.value}", False))


def actions_of(pupil: Pupil) -> frozenset[Action]:
    """Actions the requesting user may take on a pupil fetched by :func:`get_pupil`."""
    out: set[Action] = set()
    for relation in relations_of(pupil):
        out |= RELATION_ACTIONS[relation]
    if pupil.archived_at is not None:
        out &= ARCHIVED_ACTIONS
    return frozenset(out)


_Roles = tuple[tuple[str, tuple[int, ...]], ...]
_Key = tuple[int, _Roles, bool, datetime.date]


def _key(prof: Profile) -> _Key:
    """What the compiled access SQL depends on: the user, the roles, today."""
    roles = tuple(sorted((r, tuple(sorted(s))) for r, s in prof.roles.items()))
    return prof.user_id, roles, prof.is_guardian, _today()


def _profile_of(user_id: int, roles: _Roles, is_guardian: bool) -> Profile:
    return Profile(user_id=user_id, active=True, roles={r: frozenset(s) for r, s in roles}, is_guardian=is_guardian)


_TIME = DateTimeField()


def _as_param(value: Any) -> Any:
    """VALUE (a pupil's key or a moment) as the database receives it in a
    query's parameters: itself on PostgreSQL; SQLite (the demo) receives keys
    as hex text and moments as text."""
    connection = connections[DEFAULT_DB_ALIAS]
    field = _TIME if isinstance(value, datetime.datetime) else Pupil._meta.pk
    return field.get_db_prep_value(value, connection, prepared=False)  # type: ignore[union-attr]


def _slots(params: list[Any] | tuple[Any, ...], stand_in: Any) -> tuple[int, ...]:
    """The indexes of PARAMS holding STAND_IN (as the database receives it)."""
    wanted = _as_param(stand_in)
    return tuple(i for i, p in enumerate(params) if p in (stand_in, wanted))


def _where_sql(condition: Q) -> tuple[str, tuple[Any, ...], tuple[int, ...]]:
    """CONDITION on the pupil table as SQL: ``(sql, params, indexes of the time)``."""
    query = Pupil.objects.filter(condition).query
    compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        sql, params = "1 = 0", []
    except FullResultSet:
        sql, params = "1 = 1", []
    return sql, tuple(params), _slots(params, _NOW_SLOT)


def _condition(sql: str, template: tuple[Any, ...], times: tuple[int, ...]) -> RawSQL:
    """A compiled condition as an expression, the clock's time in its slots."""
    params: list[Any] = list(template)
    if times:
        now = _as_param(timezone.now())
        for i in times:
            params[i] = now
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 - the ORM's own compiled SQL


@functools.lru_cache(maxsize=512)
def _relation_sql(
    user_id: int, roles: _Roles, is_guardian: bool, today: datetime.date
) -> dict[Relation, tuple[str, tuple[Any, ...], tuple[int, ...]]]:
    """Each relation's condition on the pupil table, compiled once per
    process, user and day for :func:`get_pupil` with a caller's queryset
    (only for a query on the pupil table itself: the SQL names the table, so
    it must not go into a subquery, where the ORM renames the table)."""
    prof = _profile_of(user_id, roles, is_guardian)
    return {r: _where_sql(q) for r, q in _relation_filters(prof, today=today, now=_NOW_SLOT).items()}


#: Stand-ins compiled into the cached pupil query (:func:`_pupil_query`) and
#: swapped for the pupil's key and the clock's time when it runs.
_PUPIL_SLOT = uuid.UUID("00000000-0000-4000-8000-00000000a11c")
_NOW_SLOT = datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)


@functools.lru_cache(maxsize=512)
def _pupil_query(
    user_id: int, roles: _Roles, is_guardian: bool, today: datetime.date
) -> tuple[str, tuple[Any, ...], int, tuple[int, ...]]:
    """The SQL of :func:`get_pupil`'s query for one user's roles on TODAY:
    ``(sql, params, index of the pupil's key, indexes of the time)``.

    Building and compiling the relation subqueries costs more than running
    them, and they are the same on every request of the user on a day:
    compiled once per process and user (the conditions themselves are read
    by PostgreSQL on every request, so new assignments, grants and
    enrolments count at once; a change of roles makes a new key)."""
    prof = Profile(user_id=user_id, active=True, roles={r: frozenset(s) for r, s in roles}, is_guardian=is_guardian)
    filters = _relation_filters(prof, today=today, now=_NOW_SLOT)
    sql, params = (
        _with_relations(Pupil.objects.annotate(school_country=_COUNTRY), filters)
        .filter(pk=_PUPIL_SLOT)
        .query.sql_with_params()
    )
    slots = _slots(params, _PUPIL_SLOT)
    if len(slots) != 1:  # pragma: no cover - the ORM changed how it passes keys
        raise RuntimeError("the pupil query's key is not one parameter")
    return sql, tuple(params), slots[0], _slots(params, _NOW_SLOT)


def _fetch_pupil(prof: Profile, pupil_id: uuid.UUID | str) -> Pupil | None:
    """The pupil PUPIL_ID with its ``rel_*`` relation flags for PROF (one query), or None."""
    try:
        key = pupil_id if isinstance(pupil_id, uuid.UUID) else uuid.UUID(str(pupil_id))
    except (ValueError, TypeError, AttributeError):
        return None
    sql, template, slot, times = _pupil_query(*_key(prof))
    params = list(template)
    params[slot] = _as_param(key)
    if times:
        now = _as_param(timezone.now())
        for i in times:
            params[i] = now
    found = list(Pupil.objects.raw(sql, params))
    return found[0] if found else None


def get_pupil(
    user: User | AnonymousUser,
    pupil_id: uuid.UUID | str,
    action: Action = Action.VIEW,
    queryset: QuerySet[Pupil] | None = None,
    *,
    chain: bool = False,
) -> Pupil:
    """Resolve a pupil for a view: 404 when the user may not see it (or it
    does not exist), 403 when visible but ACTION is not allowed. With CHAIN
    (a page of the Norwegian chain) also 404 for a pupil whose school has no
    such chain (:func:`offers_chain`).

    The returned pupil carries ``allowed`` (the set of actions the user may take)
    and ``school_country``.
    """
    prof = profile(user)
    if not prof.active or not (prof.member_schools or prof.is_guardian):
        raise Http404  # no relation to any pupil
    if queryset is None:
        # Each relation's condition holds the school narrowing of _visible, so
        # the pupil is visible exactly when one relation holds: one set of
        # relation subqueries instead of the same ones in WHERE and in SELECT.
        found = _fetch_pupil(prof, pupil_id)
        if found is None:
            raise Http404
        pupil = found
    else:
        try:
            compiled = _relation_sql(*_key(prof))
            pupil = queryset.annotate(
                school_country=_COUNTRY, **{f"rel_{r.value}": _condition(*c) for r, c in compiled.items()}
            ).get(pk=pupil_id)
        except (Pupil.DoesNotExist, ValueError, TypeError, ValidationError):
            raise Http404 from None
    if not relations_of(pupil) or (chain and not offers_chain(pupil)):
        raise Http404
    pupil.allowed = actions_of(pupil)  # type: ignore[attr-defined]
    pupil._allowed_for = getattr(user, "pk", None)  # type: ignore[attr-defined]
    if action not in pupil.allowed:  # type: ignore[attr-defined]
        raise PermissionDenied
    return pupil


_COUNTRY = F("school__skoleeier__country")


def school_country(pupil: Pupil) -> str | None:
    """The country code of PUPIL's school owner (``Skoleeier.country``: "NO",
    "SE"). Free for a pupil from :func:`get_pupil`; one query otherwise."""
    country = getattr(pupil, "school_country", None)
    if country is None and Pupil.school.field.is_cached(pupil) and School.skoleeier.field.is_cached(pupil.school):
        country = pupil.school.skoleeier.country
    if country is None:
        country = Skoleeier.objects.filter(schools__pk=pupil.school_id).values_list("country", flat=True).first()
        pupil.school_country = country  # type: ignore[attr-defined]
    return country


def offers_chain(pupil: Pupil) -> bool:
    """Whether PUPIL's school follows the Norwegian chain (its school owner
    is Norwegian). Free for a pupil from :func:`get_pupil`; one query otherwise."""
    return school_country(pupil) == CHAIN_COUNTRY


def chain_pupils(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """PUPILS of schools that follow the Norwegian chain."""
    return pupils.filter(school__skoleeier__country=CHAIN_COUNTRY)


def can(user: User | AnonymousUser, action: Action, pupil: Pupil) -> bool:
    """May USER do ACTION on PUPIL?"""
    allowed = getattr(pupil, "allowed", None)
    if allowed is not None and getattr(pupil, "_allowed_for", None) == getattr(user, "pk", None):
        return action in allowed
    return pupils_for(user, action).filter(pk=pupil.pk).exists()


def log_subjects(user: User | AnonymousUser, pupil: Pupil) -> frozenset[str] | None:
    """The subjects USER may log progress, teaching and assessments in for
    PUPIL: None for every subject (those who write the pupil's plans:
    kontaktlærer, coordinator, shared write); else the subjects (case-folded,
    trimmed) of the user's faglærer assignments in the pupil's groups today,
    empty for a user who may not log at all. A faglærer logs and assesses in
    the subjects they teach the pupil (DOMAIN "roles"). No query for PUPIL
    from :func:`get_pupil` when the user writes plans or may not log; one otherwise."""
    if can(user, Action.EDIT, pupil):
        return None
    if not can(user, Action.LOG, pupil):
        return frozenset()
    today = _today()
    subjects = (
        TeachingAssignment.objects.filter(
            group_id__in=Enrolment.objects.open_on(today).filter(pupil_id=pupil.pk).values("group_id"),
            group__school_year__end__gte=today,
            user_id=user.pk,
            role=TeachingAssignment.Role.FAGLAERER,
        )
        .values_list("subject", flat=True)
        .distinct()
    )
    return frozenset(subject.strip().casefold() for subject in subjects)


def may_log_in(user: User | AnonymousUser, pupil: Pupil, subject: str, *, general: bool = True) -> bool:
    """Whether USER may log progress (goal logs, hours of teaching) or write
    an assessment in SUBJECT for PUPIL (see :func:`log_subjects`). An empty
    SUBJECT (a social or general goal, shared by the pupil's teachers) is
    open to everyone who logs for the pupil, unless GENERAL is False."""
    subjects = log_subjects(user, pupil)
    if not subject.strip():
        return subjects is None or (general and can(user, Action.LOG, pupil))
    return logs_in(subjects, subject)


def logs_in(subjects: frozenset[str] | None, subject: str) -> bool:
    """Whether SUBJECTS (from :func:`log_subjects`) cover SUBJECT: all of
    them for None; a social or general goal ("") for anyone with subjects
    to log in; else the subject by name, whatever its case. No query."""
    if subjects is None:
        return True
    if not subject.strip():
        return bool(subjects)
    return subject.strip().casefold() in subjects


def visible_schools(user: User | AnonymousUser) -> QuerySet[School]:
    """Schools whose organisation (groups, årshjul) the user works with."""
    prof = profile(user)
    return School.objects.filter(pk__in=sorted(prof.member_schools))


def managed_school_ids(user: User | AnonymousUser, *, chain: bool = False) -> frozenset[int]:
    """The ids of the schools where the user is coordinator or principal
    (with CHAIN: those of them that follow the Norwegian chain). No query:
    the user's profile, read once per request. A filter on these ids (a
    list of numbers in the SQL) lets PostgreSQL use an index where a
    subquery of :func:`managed_schools` would not."""
    prof = profile(user)
    return prof.chain_schools(*COORDINATOR_ROLES) if chain else prof.schools(*COORDINATOR_ROLES)


def managed_schools(user: User | AnonymousUser, *, chain: bool = False) -> QuerySet[School]:
    """:func:`managed_school_ids` as a queryset of schools."""
    return School.objects.filter(pk__in=sorted(managed_school_ids(user, chain=chain)))


def iup_form_school_ids(user: User | AnonymousUser) -> frozenset[int]:
    """The schools whose IUP form USER decides: the rektor's; at a Norwegian
    school also the coordinator's. In Sweden the rektor decides the form of
    the written IUP (skollagen 10 kap. 13 §), and no one else. No query."""
    prof = profile(user)
    return prof.schools(StaffMembership.Role.REKTOR) | prof.chain_schools(StaffMembership.Role.KOORDINATOR)


def iup_form_schools(user: User | AnonymousUser) -> QuerySet[School]:
    """:func:`iup_form_school_ids` as a queryset."""
    return School.objects.filter(pk__in=sorted(iup_form_school_ids(user)))


def is_rektor_of(user: User | AnonymousUser, pupil: Pupil) -> bool:
    """Whether USER is the rektor of PUPIL's (current, not archived) school:
    the one person who decides on särskilt stöd in a Swedish school
    (skollagen 3 kap. 9 §, and personally for the special forms, 3 kap.
    11–12 §§). No query: the user's profile, read once per request."""
    if pupil.archived_at is not None:
        return False
    return pupil.school_id in profile(user).schools(StaffMembership.Role.REKTOR)


def is_operator(user: User | AnonymousUser) -> bool:
    """An operator of the service (the admin site's users): active, ``is_staff``."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and getattr(user, "is_staff", False))


def get_pupil_to_move(user: User | AnonymousUser, pupil_id: uuid.UUID | str) -> Pupil:
    """Resolve a pupil for registering a move to another group or school in
    the app: the coordinator or rektor of the pupil's school (operators move
    pupils in the admin). 404 for those who may not see the pupil, 403 for
    those who may but not manage."""
    return get_pupil(user, pupil_id, Action.MANAGE, queryset=Pupil.objects.select_related("school"))


def may_move(user: User | AnonymousUser, pupil: Pupil) -> bool:
    """Whether USER may register PUPIL's move (see :func:`get_pupil_to_move`)."""
    return is_operator(user) or can(user, Action.MANAGE, pupil)


def may_write(user: User | AnonymousUser) -> bool:
    """Whether the user writes anything at all (guardians and strangers do not)."""
    return profile(user).is_staff_member


# --- grants -------------------------------------------------------------------


def _grant_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="students", codename=codename)


@transaction.atomic
def grant_pupil_access(
    *,
    pupil: Pupil,
    user: User,
    granted_by: User | None,
    write: bool = False,
    expires_at: datetime.datetime | None = None,
    reason: str = "",
) -> PupilUserObjectPermission:
    """Give one more user access to one pupil (optionally until EXPIRES_AT)."""
    permission = _grant_permission(GRANT_WRITE if write else GRANT_READ)
    grant, _created = PupilUserObjectPermission.objects.update_or_create(
        user=user,
        permission=permission,
        content_object=pupil,
        defaults={"expires_at": expires_at, "granted_by": granted_by, "reason": reason},
    )
    forget(user)
    return grant


def revoke_pupil_access(*, pupil: Pupil, user: User) -> int:
    deleted, _detail = PupilUserObjectPermission.objects.filter(user=user, content_object=pupil).delete()
    return deleted


@transaction.atomic
def grant_ppt_access(*, pupil: Pupil, granted_by: User | None, reason: str = "") -> PptGrant:
    """Let the PPT advisors serving the pupil's school see the pupil
    (called when a PPT referral is sent)."""
    existing = PptGrant.objects.filter(pupil=pupil, school_id=pupil.school_id, revoked_at__isnull=True).first()
    if existing:
        return existing
    return PptGrant.objects.create(pupil=pupil, school_id=pupil.school_id, granted_by=granted_by, reason=reason)


def revoke_ppt_access(*, pupil: Pupil) -> int:
    return PptGrant.objects.filter(pupil=pupil, revoked_at__isnull=True).update(revoked_at=timezone.now())
