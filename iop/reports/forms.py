from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from iop.forms import MarkersRefused
from iop.limits import TEXT_MAX_LENGTH, FreeTextFormField
from students.forms import HiddenErrorsShown
from students.models import School, SchoolYear

from .models import Report, ReportBatch
from .selectors import ReportDocument


class ReportForm(HiddenErrorsShown, MarkersRefused, forms.ModelForm):
    """The teacher's texts on a draft: the report's own fields plus one
    field per goal (what the pupil now masters) and per subject (the
    organisation actually used)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Report
        fields = ["summary", "organisation", "period_start", "period_end"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "organisation": forms.Textarea(attrs={"rows": 3}),
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, doc: ReportDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.goal_fields: list[tuple[Any, str]] = []
        self.subject_fields: list[tuple[Any, str]] = []
        for s in doc.subjects:
            if s.text_id is not None:
                name = f"subject_{s.text_id}"
                self.fields[name] = FreeTextFormField(
                    label=_("Organisation actually used: %(subject)s") % {"subject": s.name},
                    required=False,
                    max_length=TEXT_MAX_LENGTH,
                    initial=s.organisation_used,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                self.subject_fields.append((s, name))
        for g in doc.goals:
            if g.text_id is not None:
                name = f"goal_{g.text_id}"
                self.fields[name] = FreeTextFormField(
                    label=_("What the pupil now masters"),
                    required=False,
                    max_length=TEXT_MAX_LENGTH,
                    initial=g.masters,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text=_("Phrase it positively: what the pupil can do now, and how independently."),
                )
                self.goal_fields.append((g, name))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period must end on or after the day it starts."))
        return data

    def texts(self, prefix: str) -> dict[int, str]:
        return {
            int(name.removeprefix(prefix)): self.cleaned_data.get(name, "")
            for name in self.fields
            if name.startswith(prefix)
        }


class SentForm(forms.Form):
    """Record the day a finalised report was sent to one of its recipients."""

    recipient = forms.ChoiceField(choices=Report.Recipient.choices, label=_("Sent to"))
    sent_on = forms.DateField(label=_("Date sent"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class BatchForm(forms.Form):
    school_year = forms.ModelChoiceField(queryset=SchoolYear.objects.none(), label=_("School and school year"))
    job = forms.ChoiceField(choices=ReportBatch.Job.choices, label=_("What to do"), widget=forms.RadioSelect)
    report_kind = forms.ChoiceField(choices=Report.Kind.choices, label=_("Kind of report"))

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school_year"]
        years = SchoolYear.objects.filter(school__in=schools).select_related("school")
        field.queryset = years.order_by("school__name", "-start")  # type: ignore[attr-defined]
        field.empty_label = None  # type: ignore[attr-defined]
        field.label_from_instance = lambda sy: f"{sy.school.name} {sy.name}"  # type: ignore[attr-defined]
        self.fields["job"].initial = ReportBatch.Job.DRAFTS

    @property
    def school(self) -> School:
        return self.cleaned_data["school_year"].school
