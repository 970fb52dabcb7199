"""The form renderer: the project's widget templates, with the plain text
widgets (text areas and ``<input>`` elements) written in Python.

A plan page holds many text fields; rendering each through three small
templates (the widget, ``input.html``, ``ds_attrs.html``) cost most of the
page's time. :class:`FastTemplatesSetting` writes the same HTML as those
templates (``templates/django/forms/widgets/``) for the widgets whose
template is one of :data:`INPUT_TEMPLATES`, the text area or the select with
its options, and leaves every other widget (checkboxes, the admin's) to the
templates.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

#: Widget templates that only include ``django/forms/widgets/input.html``.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "tel")
)
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
#: Django's label of the empty choice, shown as "— choose —" (select_option.html).
EMPTY_LABEL = "---------"


def _attr_value(value: Any) -> str:
    # ``{{ value|stringformat:'s' }}``: str(), escaped unless already safe.
    return conditional_escape(value if hasattr(value, "__html__") else str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        key = conditional_escape(name)
        out.append(f" {key}" if value is True else f' {key}="{_attr_value(value)}"')
    return "".join(out)


def _ds_attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/ds_attrs.html``: the attributes with the class
    ``ds-input`` (Designsystemet) merged into the widget's own."""
    own = attrs.get("class")
    out = [f' class="ds-input{" " + conditional_escape(own) if own else ""}"']
    out.append(_attrs({k: v for k, v in attrs.items() if k != "class"}))
    return "".join(out)


def _shown(value: Any) -> str:
    """``{{ value }}`` in a template: localized, text, escaped unless safe."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def _option(option: dict[str, Any]) -> str:
    """``django/forms/widgets/select_option.html``."""
    label = option["label"]
    shown = gettext("— choose —") if label == EMPTY_LABEL else _shown(label)
    return f'<option value="{_attr_value(option["value"])}"{_attrs(option.get("attrs") or {})}>{shown}</option>'


def _select(name: str, widget: dict[str, Any]) -> SafeString | None:
    """``django/forms/widgets/select.html`` with its options, or None when an
    option has a template of its own."""
    out = [f'<select name="{name}"{_ds_attrs(widget.get("attrs") or {})}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION_TEMPLATE:
                return None
            out.append(f"\n  {_option(option)}")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def render_widget(template_name: str, widget: dict[str, Any]) -> SafeString | None:
    """The HTML of WIDGET (a widget's ``get_context()["widget"]``) for
    TEMPLATE_NAME, or None when the template is not one written here."""
    name = conditional_escape(widget["name"])
    value = widget.get("value")
    attrs = widget.get("attrs") or {}
    if template_name == TEXTAREA_TEMPLATE:
        text = conditional_escape(value) if value else ""
        return mark_safe(f'<textarea name="{name}"{_ds_attrs(attrs)}>\n{text}</textarea>')  # noqa: S308 - escaped above
    if template_name == SELECT_TEMPLATE:
        return _select(name, widget)
    if template_name in INPUT_TEMPLATES:
        kind = conditional_escape(widget["type"])
        shown = f' value="{_attr_value(value)}"' if value is not None else ""
        rest = _attrs(attrs) if widget["type"] == "hidden" else _ds_attrs(attrs)
        return mark_safe(f'<input type="{kind}" name="{name}"{shown}{rest}>')  # noqa: S308 - escaped above
    return None


OTHER_TEMPLATES = frozenset({TEXTAREA_TEMPLATE, SELECT_TEMPLATE})


class FastTemplatesSetting(TemplatesSetting):
    """``TemplatesSetting`` with the text widgets written in Python (same HTML)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and (template_name in INPUT_TEMPLATES or template_name in OTHER_TEMPLATES):
            html = render_widget(template_name, widget)
            if html is not None:
                return html
        return super().render(template_name, context, request)
