"""``{% row_url "app:name" obj.pk as url %}``: ``{% url %}`` with one id, for links repeated per row."""

from __future__ import annotations

from typing import Any

from django import template

from ..urlcache import reverse_one

register = template.Library()


@register.simple_tag
def row_url(viewname: str, arg: Any) -> str:
    return reverse_one(viewname, arg)
