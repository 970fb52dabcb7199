from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from iop.forms import DateInput, LoadedForm
from iop.limits import validate_date_window
from students.forms import HiddenErrorsShown

from . import services
from .models import (
    Atgardsprogram,
    AtgardsprogramAtgard,
    AtgardsprogramUtvardering,
    ExtraAnpassning,
    ExtraAnpassningUppfoljning,
    Overklagande,
    Utredning,
)

MAX_MEASURES = 20


def _rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


class AnpassningForm(HiddenErrorsShown, LoadedForm):
    class Meta:
        model = ExtraAnpassning
        fields = ["subject", "description", "responsible", "start_date", "follow_up_on"]
        widgets = {"description": _rows(3), "start_date": DateInput(), "follow_up_on": DateInput()}


class UppfoljningForm(HiddenErrorsShown, forms.ModelForm):
    next_follow_up = forms.DateField(
        label=capfirst(_("next follow-up")),
        required=False,
        widget=DateInput(),
        validators=[validate_date_window],
        help_text=_("Unless the adaptation ends."),
    )

    class Meta:
        model = ExtraAnpassningUppfoljning
        fields = ["date", "effect", "outcome"]
        widgets = {"date": DateInput(), "effect": _rows(3), "outcome": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = ExtraAnpassningUppfoljning.Outcome.choices  # type: ignore[attr-defined]  # no "---------"


class UtredningForm(HiddenErrorsShown, LoadedForm):
    class Meta:
        model = Utredning
        fields = [
            "started_on",
            "reason",
            "anpassningar",
            "pedagogisk_bedomning",
            *Utredning.ELEVHALSA_FIELDS,
        ]
        widgets = {
            "started_on": DateInput(),
            "anpassningar": forms.CheckboxSelectMultiple,
            **{name: _rows(3) for name in ("reason", "pedagogisk_bedomning", *Utredning.ELEVHALSA_FIELDS)},
        }

    def __init__(self, *args: Any, anpassningar: QuerySet[ExtraAnpassning], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["anpassningar"]
        field.queryset = anpassningar  # type: ignore[attr-defined]
        field.required = False

    def clean_started_on(self) -> Any:
        # Checked with the other fields, so a future day is told together with a missing reason.
        value = self.cleaned_data.get("started_on")
        if message := services.started_on_error(value):
            raise forms.ValidationError(message)
        return value


class ConcludeForm(forms.Form):
    needs_support = forms.TypedChoiceField(
        label=_("Does the pupil need särskilt stöd?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    concluded_on = forms.DateField(
        label=capfirst(_("concluded")), widget=DateInput(), validators=[validate_date_window]
    )

    def __init__(self, *args: Any, utredning: Utredning, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.utredning = utredning

    def clean(self) -> dict[str, Any]:
        """Every reason the investigation can not be concluded yet, together
        with the answers missing: the date beside its field, the rest (the
        pedagogical assessment is written in the form above) above the form."""
        data = super().clean() or {}
        date = data.get("concluded_on") if "concluded_on" not in self.errors else None
        for name, messages in services.conclusion_errors(self.utredning, date).items():
            self.add_error(name if name in self.fields else None, messages)
        return data


_YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


class YesNoField(forms.TypedChoiceField):
    """Yes, no or not recorded yet (None); any other answer is refused. A
    recorded answer is shown selected again (``True`` as the option "true"),
    so saving a draft keeps it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=_YES_NO,
            coerce=lambda value: value == "true",
            empty_value=None,
            required=False,
            widget=forms.Select,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if value is True or value is False:
            return "true" if value else "false"
        return "" if value is None else value


class ProgrammeForm(HiddenErrorsShown, LoadedForm):
    class Meta:
        model = Atgardsprogram
        fields = list(Atgardsprogram.CONTENT_FIELDS)
        widgets = {
            "needs": _rows(4),
            "pupil_comment": _rows(2),
            "guardians_comment": _rows(2),
            "reason": _rows(4),
            "follow_up_on": DateInput(),
            "evaluate_on": DateInput(),
        }

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind == Atgardsprogram.Kind.INTE_UPPRATTA:  # a refusal has reasons, no content
            for name in ("needs", "subjects", *Atgardsprogram.SPECIAL_FORMS, "follow_up_on", "evaluate_on"):
                del self.fields[name]
        else:
            del self.fields["reason"]
            for name in Atgardsprogram.SPECIAL_FORMS:
                self.fields[name].help_text = _("Decided by the rektor personally (skollagen 3 kap. 11–12 §§).")
        for name in ("pupil_took_part", "guardians_took_part"):
            self.fields[name] = YesNoField(label=self.fields[name].label)


class MeasureForm(forms.ModelForm):
    class Meta:
        model = AtgardsprogramAtgard
        fields = ["what", "responsible", "subject"]
        widgets = {"what": _rows(2)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = {name for name in ("what", "responsible", "subject") if str(data.get(name) or "").strip()}
        if "what" in filled and "responsible" not in filled:
            self.add_error("responsible", _("Say who is responsible for the measure."))
        elif filled and "what" not in filled:  # a row left half written is not dropped unseen
            self.add_error("what", _("Describe the measure, or empty the row."))
        return data

    def _post_clean(self) -> None:
        """The service validates the measures it keeps."""


MeasureFormSet = forms.formset_factory(
    MeasureForm, extra=2, max_num=MAX_MEASURES, absolute_max=MAX_MEASURES, validate_max=True
)


# A new draft offers as many empty rows as the edit page of a draft with two measures.
NewMeasureFormSet = forms.formset_factory(
    MeasureForm, extra=4, max_num=MAX_MEASURES, absolute_max=MAX_MEASURES, validate_max=True
)


def measure_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and str(f.cleaned_data.get("what", "")).strip()]


class DecideForm(forms.Form):
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DateInput(), validators=[validate_date_window])


class NotifiedForm(forms.Form):
    notified_on = forms.DateField(
        label=_("The pupil and the guardians were told on"), widget=DateInput(), validators=[validate_date_window]
    )


def _later_date(label: Any, help_text: Any) -> forms.DateField:
    """An optional date of a later step, within the date window."""
    return forms.DateField(
        label=label, required=False, widget=DateInput(), validators=[validate_date_window], help_text=help_text
    )


class UtvarderingForm(HiddenErrorsShown, forms.ModelForm):
    next_evaluation = _later_date(_("Next evaluation"), _("When the programme continues: when it is evaluated next."))
    next_follow_up = _later_date(
        _("Next follow-up (optional)"),
        _("When the programme continues and is followed up before the next evaluation."),
    )

    class Meta:
        model = AtgardsprogramUtvardering
        fields = ["date", "text", "outcome", "next_evaluation", "next_follow_up"]
        widgets = {"date": DateInput(), "text": _rows(4), "outcome": forms.RadioSelect}

    def __init__(self, *args: Any, may_end: bool = True, **kwargs: Any) -> None:
        """MAY_END: whether the user may end the programme (the rektor: skollagen 3 kap. 9 §)."""
        super().__init__(*args, **kwargs)
        Outcome = AtgardsprogramUtvardering.Outcome
        choices = [(value, label) for value, label in Outcome.choices if may_end or value != Outcome.END]
        self.fields["outcome"].choices = choices  # type: ignore[attr-defined]  # no "---------"
        if not may_end:
            self.fields["outcome"].help_text = _(
                "Only the rektor ends a support programme. If it is no longer needed, say so in the "
                "evaluation and tell the rektor."
            )


class OverklagandeForm(HiddenErrorsShown, LoadedForm):
    class Meta:
        model = Overklagande
        fields = ["received_on", "received_from", "forwarded_on", "outcome", "decided_on"]
        widgets = {"received_on": DateInput(), "forwarded_on": DateInput(), "decided_on": DateInput()}
