"""``{% goal_block "iop/_goal.html" %}``: a goal's reading block, cached (iop.fragments)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from .. import fragments

register = template.Library()


@register.simple_tag(takes_context=True)
def goal_block(context: template.Context, template_name: str) -> SafeString:
    return fragments.render_goal(context, template_name)
