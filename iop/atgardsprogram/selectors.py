"""Reads of the Swedish support chain, through the access layer.

Every record is resolved by its key, then its pupil through
:func:`students.access.get_pupil` (404 for a pupil the user does not see) with
the school's owner loaded: a pupil of a Norwegian school answers 404 here, as
a missing record. Guardians see decided decisions only (never drafts, never
the extra adaptations or the investigation: those stay in the school's file,
which they may ask to see).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404

from iop.selectors import guardian_only, works_with
from students import access
from students.access import Action
from students.models import Pupil, User

from .models import (
    Atgardsprogram,
    AtgardsprogramAtgard,
    ExtraAnpassning,
    Overklagande,
    Utredning,
)

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser

_PUPILS = Pupil.objects.select_related("school__skoleeier")


def get_pupil(user: AnyUser, pupil_id: uuid.UUID | str, action: Action = Action.VIEW) -> Pupil:
    """A Swedish pupil the user sees (404 otherwise; 403 without ACTION)."""
    pupil = access.get_pupil(user, pupil_id, action, queryset=_PUPILS)
    if pupil.school.skoleeier.country != "SE":
        raise Http404
    return pupil


def require(pupil: Pupil, action: Action) -> None:
    if action not in pupil.allowed:  # type: ignore[attr-defined]
        raise PermissionDenied


def is_rektor(user: AnyUser, pupil: Pupil) -> bool:
    return access.is_rektor_of(user, pupil)


def _resolve(
    user: AnyUser, queryset: QuerySet[M], pk: uuid.UUID | str, pupil_path: str = "pupil_id"
) -> tuple[M, Pupil]:
    try:
        obj = queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    holder: Any = obj
    *path, last = pupil_path.split("__")
    for part in path:
        holder = getattr(holder, part)
    return obj, get_pupil(user, getattr(holder, last))


def _staff_only(pupil: Pupil, action: Action) -> None:
    """Working records (adaptations, investigations, appeals) are for the
    staff who work with the pupil: others get 404, as for a missing one."""
    if not works_with(pupil):
        raise Http404
    require(pupil, action)


def anpassning_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> ExtraAnpassning:
    qs = ExtraAnpassning.objects.select_related("created_by").prefetch_related("uppfoljningar__by")
    obj, pupil = _resolve(user, qs, pk)
    _staff_only(pupil, action)
    obj.pupil = pupil
    return obj


def utredning_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> Utredning:
    qs = Utredning.objects.select_related("started_by").prefetch_related("anpassningar", "beslut")
    obj, pupil = _resolve(user, qs, pk)
    _staff_only(pupil, action)
    obj.pupil = pupil
    return obj


def programme_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.VIEW) -> Atgardsprogram:
    qs = Atgardsprogram.objects.select_related("utredning", "decided_by", "created_by", "previous").prefetch_related(
        "atgarder", "utvarderingar__by", "overklaganden"
    )
    obj, pupil = _resolve(user, qs, pk)
    if guardian_only(pupil) and obj.is_draft:
        raise Http404
    if not (works_with(pupil) or guardian_only(pupil)):
        raise Http404  # a reader without work (a vikar) reads the IOP-side plans, not these decisions
    require(pupil, action)
    obj.pupil = pupil
    return obj


def overklagande_for(user: AnyUser, pk: uuid.UUID | str, action: Action = Action.MANAGE) -> Overklagande:
    qs = Overklagande.objects.select_related("programme")
    obj, pupil = _resolve(user, qs, pk, "programme__pupil_id")
    _staff_only(pupil, action)
    obj.programme.pupil = pupil
    return obj


@dataclass
class Support:
    """What the pupil's support page (and the pupil-page section) shows."""

    pupil: Pupil
    staff: bool
    anpassningar: list[ExtraAnpassning] = field(default_factory=list)
    utredningar: list[Utredning] = field(default_factory=list)
    programmes: list[Atgardsprogram] = field(default_factory=list)
    can_edit: bool = False
    is_rektor: bool = False


def support(user: AnyUser, pupil: Pupil, *, details: bool = False) -> Support:
    """PUPIL's support chain as USER may see it, in a fixed number of queries
    (staff: three; a guardian: one). DETAILS also loads follow-ups and measures."""
    staff = works_with(pupil)
    allowed = pupil.allowed  # type: ignore[attr-defined]
    out = Support(
        pupil=pupil,
        staff=staff,
        can_edit=Action.EDIT in allowed,
        is_rektor=access.is_rektor_of(user, pupil),
    )
    programmes = Atgardsprogram.objects.filter(pupil=pupil).select_related("decided_by").order_by("-created_at")
    if details:
        programmes = programmes.prefetch_related(
            Prefetch("atgarder", queryset=AtgardsprogramAtgard.objects.order_by("position", "pk"))
        )
    if staff:
        anpassningar = ExtraAnpassning.objects.filter(pupil=pupil).order_by("status", "-start_date", "-created_at")
        if details:
            anpassningar = anpassningar.prefetch_related("uppfoljningar")
        out.anpassningar = list(anpassningar)
        out.utredningar = list(Utredning.objects.filter(pupil=pupil).order_by("-started_on"))
        out.programmes = list(programmes)
    elif guardian_only(pupil):
        out.programmes = list(programmes.exclude(status=Atgardsprogram.Status.DRAFT))
    return out
