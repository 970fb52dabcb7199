from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def field(form: forms.BaseForm, name: str) -> forms.BoundField:
    """The bound field NAME of FORM (for fields added per goal/subject)."""
    return form[name]
