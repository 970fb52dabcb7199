"""The form renderer writes the text widgets in Python: the HTML is the same
as the widget templates give."""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting

from iop.renderers import FastTemplatesSetting


class Everything(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "class": "wide", "data-x": 'a"b<'}))
    empty = forms.CharField(required=False, widget=forms.Textarea)
    line = forms.CharField(max_length=20, help_text="hjelp")
    number = forms.IntegerField(min_value=0)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    flag = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B <b>")])
    empty_choice = forms.ChoiceField(required=False, choices=[("", "---------"), ("1", "En")])
    grouped = forms.MultipleChoiceField(
        required=False, choices=[("Gruppe <1>", [("x", "X"), ("y", "Y & Z")]), ("z", "Uten gruppe")]
    )
    numbers = forms.TypedChoiceField(coerce=int, choices=[(1, 1), (2, 2.5)], widget=forms.Select(attrs={"class": "k"}))


def _html(form: forms.Form, renderer: TemplatesSetting) -> list[str]:
    form.renderer = renderer
    if form.is_bound:
        form.is_valid()  # errors: aria-invalid on the widgets
    return [str(form[name]) for name in form.fields]


def test_the_fast_renderer_writes_what_the_templates_write() -> None:
    data = {
        "text": "<script>alert('x')</script>\nline two",
        "line": 'He said "hi" & left',
        "number": "-3",
        "day": "2026-02-30",
        "email": "x@",
        "secret": "s",
        "version": "4",
        "choice": "b",
        "grouped": ["y", "z"],
        "numbers": "2",
    }
    for make in (Everything, lambda: Everything(data), lambda: Everything(initial={"text": "Å", "version": 2})):
        assert _html(make(), FastTemplatesSetting()) == _html(make(), TemplatesSetting())
    assert "&lt;script&gt;" in _html(Everything(data), FastTemplatesSetting())[0]
