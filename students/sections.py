"""Extension points for pages owned by ``students``.

``students`` depends on no other app of ours, yet the pupil page and the home
page show the plans, deadlines and follow-up that other apps own. Those apps
list section providers in settings (``PUPIL_PAGE_SECTIONS``,
``HOME_SECTIONS``): dotted paths to callables that return a :class:`Section`
(or ``None`` when they have nothing to show). Each provider runs a fixed
number of queries. A section's counts about the pupil can instead be read in
the pupil page's own query: ``PUPIL_PAGE_ANNOTATIONS`` lists callables that
return annotations for it (:func:`pupil_page_annotations`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string

from .models import Pupil


@dataclass
class Section:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@cache
def _providers(setting: str) -> tuple[Callable[..., Any], ...]:
    return tuple(import_string(path) for path in getattr(settings, setting, []))


def pupil_sections(request: HttpRequest, pupil: Pupil) -> list[Section]:
    return [s for provider in _providers("PUPIL_PAGE_SECTIONS") if (s := provider(request, pupil)) is not None]


def pupil_page_annotations() -> dict[str, Any]:
    """``{name: expression}`` from every ``PUPIL_PAGE_ANNOTATIONS`` provider,
    for the pupil page's query of the pupil (``OuterRef("pk")`` in an
    expression is the pupil). A section finds each value as an attribute of
    the pupil it is given; no query of its own."""
    annotations: dict[str, Any] = {}
    for provider in _providers("PUPIL_PAGE_ANNOTATIONS"):
        annotations.update(provider())
    return annotations


def home_sections(request: HttpRequest) -> list[Section]:
    return [s for provider in _providers("HOME_SECTIONS") if (s := provider(request)) is not None]
