"""Reads for pages: querysets filtered by the access layer with their related
rows preloaded, so each page runs a fixed number of SQL queries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Length, Right
from django.urls import reverse
from django.utils import timezone

from . import access, transfer
from .models import (
    Enrolment,
    Group,
    GuardianLink,
    Pupil,
    PupilIdentity,
    PupilTransfer,
    PupilUserObjectPermission,
    TeachingAssignment,
    User,
)
from .sections import pupil_page_annotations


def current_enrolments() -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.current()
        .select_related("group", "group__school_year")
        .order_by("group__school_year__start", "group__kind", "group__name")
    )


def with_current_groups(qs: QuerySet[Pupil]) -> QuerySet[Pupil]:
    return qs.select_related("school").prefetch_related(
        Prefetch("enrolments", queryset=current_enrolments(), to_attr="current_enrolments")
    )


#: The words of a name search: letters and digits (not "_"), without the comma the list puts after the last name.
NAME_WORDS = re.compile(r"[^\W_]+")

#: What a letter (or two) of a name search also matches: a Norwegian name
#: typed on a keyboard without æ, ø and å ("Jorgensen", "Hakon", "Sather",
#: "Aasen" for "Åsen"), or typed with the Swedish letter ("Jörgensen") and
#: back; "a" and "o" also find the old spellings ("Haakon", "Joergensen").
LETTER_VARIANTS: dict[str, tuple[str, ...]] = {
    "aa": ("aa", "å"),
    "ae": ("ae", "æ", "ä"),
    "oe": ("oe", "ø", "ö"),
    "a": ("a", "aa", "å", "ä", "æ"),
    "o": ("o", "oe", "ø", "ö"),
    "e": ("e", "é", "è", "ê"),
    "u": ("u", "ü"),
    "å": ("å", "aa"),
    "æ": ("æ", "ä", "ae"),
    "ä": ("ä", "æ", "ae"),
    "ø": ("ø", "ö", "oe"),
    "ö": ("ö", "ø", "oe"),
    "é": ("é", "e"),
}


def name_pattern(word: str) -> str:
    """A case-insensitive regular expression (for ``iregex``) matching WORD
    anywhere in a name, each letter of :data:`LETTER_VARIANTS` (two-letter
    spellings first) matching its variants too: "jorgensen" and "Jörgensen"
    find "Jørgensen", "aasen" finds "Åsen". Other characters match as
    themselves."""
    out: list[str] = []
    i, word = 0, word.lower()
    while i < len(word):
        key = word[i : i + 2] if word[i : i + 2] in LETTER_VARIANTS else word[i]
        variants = LETTER_VARIANTS.get(key)
        out.append("(?:" + "|".join(re.escape(v) for v in variants) + ")" if variants else re.escape(key))
        i += len(key)
    return "".join(out)


def pupil_list(
    user: User | AnonymousUser, *, query: str = "", group_id: int | None = None, archived: bool = False
) -> QuerySet[Pupil]:
    """The pupils USER may see, by name; ARCHIVED: the archived ones instead
    (only a coordinator sees any), most recently archived first."""
    visible = access.pupils_for(user)
    qs = visible.filter(archived_at__isnull=False) if archived else access.current(visible)
    for word in NAME_WORDS.findall(query):  # "Berg, Bjørn" as the list writes it, or "Bjørn Berg"
        pattern = name_pattern(word)
        qs = qs.filter(Q(first_name__iregex=pattern) | Q(last_name__iregex=pattern))
    if group_id is not None:
        qs = qs.filter(enrolments__group_id=group_id)
    order = ("-archived_at",) if archived else ()
    return with_current_groups(qs.order_by(*order, "last_name", "first_name", "pk"))


def groups_for_filter(user: User | AnonymousUser) -> QuerySet[Group]:
    """Current groups that hold at least one pupil the user may see."""
    visible = access.current(access.pupils_for(user)).values("pk")
    return (
        Group.objects.filter(school_year__end__gte=timezone.localdate(), enrolments__pupil__in=visible)
        .select_related("school_year__school")
        .distinct()
        .order_by("school_year__school__name", "year_level", "name")
    )


@dataclass
class PupilPage:
    pupil: Pupil
    guardians: list[GuardianLink]
    teachers: list[TeachingAssignment]
    grants: list[PupilUserObjectPermission]
    national_id: str | None
    can_move: bool = False
    transfers: list[PupilTransfer] = field(default_factory=list)


def pupil_page(user: User | AnonymousUser, pupil_id: str) -> PupilPage:
    """What the pupil page shows of PUPIL_ID to USER: 404/403 as
    :func:`access.get_pupil`. The pupil's query also reads whether it has
    moves and, of its national id, the last two digits and the length only
    (the masked form; the number itself is never read here), so that neither
    takes a query of its own; nor do the counts the other apps' sections add
    (:func:`students.sections.pupil_page_annotations`)."""
    identity = PupilIdentity.objects.filter(pupil_id=OuterRef("pk"))
    pupils = Pupil.objects.annotate(
        national_id_tail=Subquery(identity.annotate(tail=Right("national_id", 2)).values("tail")[:1]),
        national_id_length=Subquery(identity.annotate(n=Length("national_id")).values("n")[:1]),
        has_transfers=Exists(PupilTransfer.objects.filter(pupil_id=OuterRef("pk"))),
        **pupil_page_annotations(),  # the other apps' sections' counts (students.sections)
    )
    pupil = access.get_pupil(user, pupil_id, queryset=with_current_groups(pupils))
    allowed = pupil.allowed  # type: ignore[attr-defined]
    staff_view = bool(allowed & {access.Action.LOG, access.Action.ASSESS, access.Action.MANAGE, access.Action.ARCHIVE})
    guardians: list[GuardianLink] = []
    teachers: list[TeachingAssignment] = []
    grants: list[PupilUserObjectPermission] = []
    if staff_view:
        guardians = list(pupil.guardian_links.select_related("user").order_by("user__full_name"))
        group_ids = [e.group_id for e in pupil.current_enrolments]  # type: ignore[attr-defined]
        teachers = list(
            TeachingAssignment.objects.filter(group_id__in=group_ids)
            .select_related("user", "group")
            .order_by("role", "subject", "user__full_name")
        )
    national_id = None
    if access.Action.VIEW_SENSITIVE in pupil.allowed:  # type: ignore[attr-defined]
        tail, length = pupil.national_id_tail, pupil.national_id_length  # type: ignore[attr-defined]
        national_id = None if tail is None else PupilIdentity.mask(tail, length)
        grants = list(
            PupilUserObjectPermission.objects.filter(content_object=pupil)
            .select_related("user", "permission")
            .order_by("expires_at")
        )
    transfers: list[PupilTransfer] = []
    if staff_view and pupil.has_transfers:  # type: ignore[attr-defined]
        transfers = list(transfer.transfers_of(pupil))
    return PupilPage(
        pupil=pupil,
        guardians=guardians,
        teachers=teachers,
        grants=grants,
        national_id=national_id,
        can_move=access.Action.MANAGE in pupil.allowed,  # type: ignore[attr-defined]
        transfers=transfers,
    )


@dataclass
class Home:
    profile: access.Profile
    children: list[Pupil]
    groups: list[Group]
    pupil_count: int
    schools: list[str]
    #: For an operator: the operator pages (``settings.NAV_ITEMS`` with
    #: audience ``operator``) as ``(url, label)``, else empty.
    operator_pages: list[tuple[str, Any]] = field(default_factory=list)
    #: Whether the user may use the admin site (superusers: iop/admin_site.py).
    admin: bool = False


def home(user: User) -> Home:
    prof = access.profile(user)
    children: list[Pupil] = []
    if prof.is_guardian:
        children = list(
            with_current_groups(access.pupils_for(user).filter(guardian_links__user=user).order_by("first_name", "pk"))
        )
    groups: list[Group] = []
    if prof.schools(*access.TEACHER_ROLES):
        today = timezone.localdate()
        # Pupils in the group today: an ended enrolment (the pupil moved) is not counted.
        enrolled = Q(enrolments__end__isnull=True) | Q(enrolments__end__gte=today)
        groups = list(
            Group.objects.filter(
                assignments__user=user,
                school_year__end__gte=today,
                school_year__school_id__in=sorted(prof.schools(*access.TEACHER_ROLES)),
            )
            .annotate(pupil_count=Count("enrolments", filter=enrolled, distinct=True))
            .select_related("school_year__school")
            .distinct()
            .order_by("year_level", "name")
        )
    pupil_count = (
        access.current(Pupil.objects.filter(pk__in=access.pupil_ids(user))).count() if prof.is_staff_member else 0
    )
    schools = list(access.visible_schools(user).values_list("name", flat=True))
    operator_pages: list[tuple[str, Any]] = []
    if access.is_operator(user):
        operator_pages = [
            (reverse(name), label)
            for name, label, audience in getattr(settings, "NAV_ITEMS", [])
            if audience == "operator"
        ]
    return Home(
        profile=prof,
        children=children,
        groups=groups,
        pupil_count=pupil_count,
        schools=schools,
        operator_pages=operator_pages,
        admin=bool(user.is_active and user.is_superuser),
    )
