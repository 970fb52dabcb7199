"""Rendered pieces of the plan pages, cached per process.

A goal's reading block (its text, aims, criteria, latest status and chart)
is the same HTML whenever the same data is rendered in the same language
for the same kind of reader. The cache key is a digest of all of it — the
goal's fields, its aims with their curriculum, its flags, its latest status
and its chart, the language, whether a guardian reads it and the template —
so an entry is only ever shown for exactly the data it was rendered from:
an edit, a new log, a flag that changes or another language gives a new key,
and nothing that depends on who reads it is outside the key.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import caches
from django.db import models
from django.template import Context
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

#: The templates whose output may be cached (those that read only the goal
#: and ``parent_view`` from their context).
GOAL_TEMPLATES = frozenset({"iop/_goal.html", "iop/_goal_summary.html"})


def _row(obj: models.Model | None) -> tuple[Any, ...] | None:
    """The loaded field values of OBJ (deferred ones are not read)."""
    if obj is None:
        return None
    loaded = obj.__dict__
    return tuple(loaded.get(f.attname) for f in obj._meta.concrete_fields)


def _flags(flags: Any) -> tuple[Any, ...]:
    return tuple((f.code, str(f.message), str(f.hint)) for f in flags or ())


def _aim(aim: Any) -> tuple[Any, ...]:
    cache = aim._state.fields_cache
    return (
        _row(aim),
        _row(cache.get("aim_set") or aim.aim_set),
        _row(cache.get("curriculum") or aim.curriculum),
        _row(cache.get("replaced_by")) if "replaced_by" in cache else aim.replaced_by_id,
    )


def goal_key(goal: Any, template_name: str, parent_view: bool) -> str:
    """The cache key of GOAL's block rendered with TEMPLATE_NAME."""
    latest = getattr(goal, "latest", None)
    parts = (
        template_name,
        get_language(),
        get_script_prefix(),
        bool(parent_view),
        _row(goal),
        tuple(_aim(a) for a in goal.competence_aims.all()),
        _flags(getattr(goal, "flags", ())),
        _flags(getattr(goal, "aim_flags", ())),
        _row(latest),
        str(getattr(goal, "chart", "")),
    )
    return "goal:" + hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def render_goal(context: Context, template_name: str) -> SafeString:
    """TEMPLATE_NAME rendered in CONTEXT for its ``goal``, from the cache when
    the same data was rendered before."""
    if template_name not in GOAL_TEMPLATES:
        raise ValueError(template_name)
    goal = context["goal"]
    key = goal_key(goal, template_name, bool(context.get("parent_view")))
    cache = caches["fragments"]
    html = cache.get(key)
    if html is None:
        template = context.template.engine.get_template(template_name)  # type: ignore[union-attr]
        html = template.render(context)
        cache.set(key, str(html))
    return mark_safe(html)  # noqa: S308 (the output of an autoescaping template)
