"""``reverse`` for the links a page repeats per row.

A page that lists fifty deadlines reverses the same URL pattern fifty times
with another id; each ``reverse`` walks the resolver. :func:`reverse_one`
reverses a pattern once per process (per script prefix and URLconf) with a
stand-in id and puts the real one in its place. Only ids whose text is the
same in a URL (a UUID, a whole number) take the short way; anything else is
reversed as usual, so the result is always what ``reverse`` gives.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = {
    "uuid": uuid.UUID("0f0e0d0c-0b0a-4908-8706-050403020100"),
    "int": 9876543210123,
}
_SPLIT: dict[tuple[Any, ...], tuple[str, str] | None] = {}
_PLAIN: dict[tuple[Any, ...], str] = {}


def _kind(arg: Any) -> str | None:
    if isinstance(arg, uuid.UUID):
        return "uuid"
    if isinstance(arg, int) and not isinstance(arg, bool) and arg >= 0:
        return "int"
    if isinstance(arg, str):
        try:
            if str(uuid.UUID(arg)) == arg:
                return "uuid"
        except ValueError:
            return None
    return None


def reverse_one(viewname: str, arg: Any) -> str:
    """``reverse(viewname, args=[arg])``."""
    kind = _kind(arg)
    if kind is None:
        return reverse(viewname, args=[arg])
    key = (viewname, kind, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if key not in _SPLIT:
        stand_in = str(_STAND_IN[kind])
        url = reverse(viewname, args=[_STAND_IN[kind]])
        before, _mid, after = url.partition(stand_in)
        _SPLIT[key] = (before, after) if url.count(stand_in) == 1 else None
    split = _SPLIT[key]
    if split is None:
        return reverse(viewname, args=[arg])
    return f"{split[0]}{arg}{split[1]}"


def reverse_plain(viewname: str) -> str:
    """``reverse(viewname)`` of a pattern without arguments (the menu's links), once per process."""
    key = (viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    url = _PLAIN.get(key)
    if url is None:
        url = _PLAIN[key] = reverse(viewname)
    return url
