from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db.models import BLANK_CHOICE_DASH, QuerySet
from django.utils.translation import gettext_lazy as _

from students.forms import HiddenErrorsShown
from students.models import Group, User

from . import concurrency
from .limits import validate_date_window
from .models import (
    DEFAULT_CRITERIA,
    AdvanceNotice,
    AdvanceNoticeComment,
    Appeal,
    CaseConsent,
    CriteriaTemplate,
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Goal,
    GoalLog,
    Iop,
    IopSubject,
    Iup,
    IupAssessment,
    IupSettings,
    Level,
    SakkyndigVurdering,
    SakkyndigVurderingSubject,
    TeachingLog,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


class MarkersRefused(forms.BaseForm):
    """A text field still holding the two versions of a conflict between
    their marker lines (:func:`iop.concurrency.conflict_markers`) is
    refused: the person chooses, or writes the text as it should read,
    before it is saved (and shown to guardians)."""

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str) and concurrency.conflict_markers(value):
                self.add_error(
                    name,
                    _(
                        "The text still holds both versions between the marker lines (>>> … <<<): "
                        "keep what should stand and remove the rest, markers included."
                    ),
                )


class LoadedForm(MarkersRefused, forms.ModelForm):
    """A form for a record others may save meanwhile: carries what it loaded
    (``loaded``: a fingerprint per field, see
    :func:`iop.concurrency.loaded_digests`), so a save tells the fields its
    user changed from those changed by others since
    (:func:`iop.concurrency.loaded_changes`, and the merge of versioned
    records). A form for a new record has none."""

    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            del self.fields[concurrency.LOADED]
        elif not self.is_bound:
            self.initial[concurrency.LOADED] = concurrency.loaded_digests(self.instance, self.fields)

    def clean_loaded(self) -> dict[str, str]:
        return concurrency.parse_loaded(self.cleaned_data.get(concurrency.LOADED) or "")


class VersionedForm(HiddenErrorsShown, LoadedForm):
    """A form for a record several people edit: carries the version it was
    loaded at, and what it loaded (see :class:`LoadedForm`), so a save from a
    version the history no longer holds still tells the fields the user changed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.fields["version"].required = False
        elif not self.is_bound:
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        """Model validation is the service's job, against the current row."""
        return None


class VurderingForm(VersionedForm):
    class Meta:
        model = SakkyndigVurdering
        fields = [
            "assessed_on",
            "valid_from",
            "valid_to",
            "conclusion",
            "benefit_from_ordinary",
            "why_insufficient",
            "realistic_goals",
            "recommended_measures",
            "staff_competence",
            "recommended_organisation",
            "pupil_view",
            "internal_note",
        ]
        widgets = {
            "assessed_on": DateInput(),
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "conclusion": forms.RadioSelect,
            **{name: _rows(4) for name in fields[4:]},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conclusion"].required = False

    def clean_conclusion(self) -> str:
        """A post without the conclusion keeps the assessment's (a new one: a need is found)."""
        return self.cleaned_data.get("conclusion") or self.instance.conclusion

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and start > end:
            self.add_error("valid_to", _("The end date must be on or after the start date."))
        return data


class SubjectRowForm(forms.ModelForm):
    class Meta:
        model = SakkyndigVurderingSubject
        fields = ["subject", "hours", "organisation", "staff_competence", "note"]


class VedtakSubjectRowForm(forms.ModelForm):
    """A subject of a decision. Organisation and staff competence start
    unchosen unless given (from the sakkyndig vurdering's recommendation):
    the decision states them, so nobody decides them by leaving a default."""

    CHOSEN = ("organisation", "staff_competence")

    class Meta:
        model = EnkeltvedtakSubject
        fields = ["subject", "hours", "organisation", "staff_competence", "grade_exemption", "curriculum_deviations"]
        widgets = {"curriculum_deviations": _rows(2)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = dict(kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        for name in self.CHOSEN:
            field = self.fields[name]
            field.choices = [*BLANK_CHOICE_DASH, *[c for c in field.choices if c[0] != ""]]  # type: ignore[attr-defined]
            field.required = False  # asked for in clean(): only of a row that names a subject
            if self.instance._state.adding and not given.get(name):
                self.initial[name] = ""

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if str(data.get("subject") or "").strip() and not data.get("DELETE"):
            for name in self.CHOSEN:
                if not data.get(name):
                    self.add_error(name, _("Choose what the decision says here."))
        return data


def subject_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The filled-in, not deleted rows of a valid subject formset."""
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("subject", "").strip()
    ]


class SubjectFormSetBase(forms.BaseFormSet):
    def clean(self) -> None:
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            name = form.cleaned_data.get("subject", "").strip().lower()
            if name and name in seen:
                raise forms.ValidationError(_("Each subject may be listed only once."))
            seen.add(name)


def _nonrequired(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    class Optional(form_class):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fields["subject"].required = False

        def clean(self) -> dict[str, Any]:
            """A row left without a subject is dropped, unless something else
            was typed in it: then it is an error, so that nothing typed is lost."""
            data: dict[str, Any] = super().clean() or {}
            typed = [name for name in self.changed_data if name not in ("subject", "DELETE")]
            if typed and not data.get("DELETE") and not str(data.get("subject") or "").strip():
                self.add_error("subject", _("Name the subject, or empty the row."))
            return data

        def validate_unique(self) -> None:  # the parent does not exist yet
            return None

        def _post_clean(self) -> None:  # the service validates the row with its parent
            return None

    Optional.__name__ = form_class.__name__
    return Optional


#: At most this many subject rows in one assessment or decision: far more
#: than the subjects of any stage, and a posted form count above it is
#: refused with a message instead of building thousands of forms.
MAX_SUBJECT_ROWS = 40

SubjectFormSet = forms.formset_factory(
    _nonrequired(SubjectRowForm),
    formset=SubjectFormSetBase,
    extra=3,
    can_delete=True,
    max_num=MAX_SUBJECT_ROWS,
    absolute_max=MAX_SUBJECT_ROWS,
    validate_max=True,
)
VedtakSubjectFormSet = forms.formset_factory(
    _nonrequired(VedtakSubjectRowForm),
    formset=SubjectFormSetBase,
    extra=3,
    can_delete=True,
    max_num=MAX_SUBJECT_ROWS,
    absolute_max=MAX_SUBJECT_ROWS,
    validate_max=True,
)


class VedtakForm(VersionedForm):
    class Meta:
        model = Enkeltvedtak
        fields = [
            "outcome",
            "valid_from",
            "valid_to",
            "legal_basis",
            "facts",
            "main_considerations",
            "pupil_view",
            "pupil_not_heard_reason",
            "content",
            "organisation_note",
            "deviation_reason",
            "appeal_info",
            "internal_note",
        ]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "legal_basis": _rows(2),
            "facts": _rows(4),
            "main_considerations": _rows(4),
            "pupil_view": _rows(3),
            "pupil_not_heard_reason": _rows(2),
            "content": _rows(3),
            "organisation_note": _rows(3),
            "deviation_reason": _rows(3),
            "appeal_info": _rows(4),
            "internal_note": _rows(2),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = False

    def clean_outcome(self) -> str:
        """A post without the outcome keeps the decision's (a new one: granted)."""
        return self.cleaned_data.get("outcome") or self.instance.outcome

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and start > end:
            self.add_error("valid_to", _("The end date must be on or after the start date."))
        return data


class NotifiedForm(HiddenErrorsShown, forms.Form):
    """The day the parties were notified of a decision (forvaltningsloven § 27)."""

    notified_on = forms.DateField(label=_("The parties were notified on"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AppealForm(HiddenErrorsShown, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Appeal
        fields = [
            "received_on",
            "appellant",
            "summary",
            "owner_reviewed_on",
            "owner_outcome",
            "sent_on",
            "final_outcome",
            "final_outcome_on",
            "note",
        ]
        widgets = {
            "received_on": DateInput(),
            "owner_reviewed_on": DateInput(),
            "sent_on": DateInput(),
            "final_outcome_on": DateInput(),
            "summary": _rows(3),
            "note": _rows(2),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance._state.adding:
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        """Model validation is the service's job, against the current row."""
        return None


class IopForm(VersionedForm):
    class Meta:
        model = Iop
        fields = ["period_start", "period_end", *Iop.TEXT_FIELDS]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            **{name: _rows(3) for name in Iop.TEXT_FIELDS},
        }

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The end date must be on or after the start date."))
        return data

    def _post_clean(self) -> None:  # the service validates against the current row
        return None


class SectionForm(VersionedForm):
    class Meta:
        model = IopSubject
        fields = ["hours", *IopSubject.STAFF_HOURS_FIELDS, "content", "working_methods", "organisation"]
        widgets = {"content": _rows(3), "working_methods": _rows(3), "organisation": _rows(2)}


class GoalForm(VersionedForm):
    """An IOP goal's text and criteria. Competence aims are attached with the
    picker (the one aim input, beside the form); ``competence_aim`` is only the
    fallback for an aim the curriculum list lacks (kept and shown where written)."""

    class Meta:
        model = Goal
        fields = ["text", "competence_aim", *Goal.CRITERIA_FIELDS]
        widgets = {"text": _rows(2), **{name: _rows(2) for name in Goal.CRITERIA_FIELDS}}
        labels = {"competence_aim": _("Competence aim in your own words")}
        help_texts = {
            "competence_aim": _(
                "Only for an aim that is not in the curriculum list. Attach aims from the list with "
                "“Find competence aims”."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new goal starts empty; the placeholder says what to write (never saved as text).
        self.fields["text"].required = False
        self.fields["text"].widget.attrs["placeholder"] = _(
            "What will the pupil learn? Write something you can observe."
        )

    def fallback_open(self) -> bool:
        """Whether the free-text aim is shown open: it holds text, or an error."""
        value = self["competence_aim"].value()
        return bool((value or "").strip()) or bool(self["competence_aim"].errors)

    def criteria_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (_("Quality"), [self[f"quality_{n}"] for n in (1, 2, 3, 4)]),
            (_("Independence"), [self[f"independence_{n}"] for n in (1, 2, 3, 4)]),
        ]


LEVEL_CHOICES = [("", _("Not assessed")), *Level.choices]


class GoalLogForm(forms.ModelForm):
    quality = forms.TypedChoiceField(
        label=_("Level of quality"), choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )
    independence = forms.TypedChoiceField(
        label=_("Level of independence"), choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )

    class Meta:
        model = GoalLog
        fields = ["date", "quality", "independence", "feed_forward", "self_assessment", "note", "note_internal"]
        widgets = {
            "date": DateInput(),
            "feed_forward": _rows(2),
            "self_assessment": _rows(2),
            "note": _rows(2),
        }

    def _post_clean(self) -> None:
        return None


class _DecimalsFirst(DecimalValidator):
    """A DecimalValidator that tells of too many decimals before too many
    digits: "1,123456" hours is written too precisely, not too many hours."""

    def __call__(self, value: Decimal) -> None:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and self.decimal_places is not None and -exponent > self.decimal_places:
            raise ValidationError(
                self.messages["max_decimal_places"],
                code="max_decimal_places",
                params={"max": self.decimal_places, "value": value},
            )
        super().__call__(value)


class TeachingLogForm(forms.ModelForm):
    section = forms.ModelChoiceField(label=_("Subject"), queryset=IopSubject.objects.none())

    class Meta:
        model = TeachingLog
        fields = ["section", "period_start", "period_end", "hours", "note"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}
        labels = {"hours": _("Hours given, årstimer (60 min)")}
        error_messages = {
            "hours": {
                "max_digits": _("That is more hours than a period can hold."),
                "max_whole_digits": _("That is more hours than a period can hold."),
                "max_decimal_places": _("Write the hours with at most one decimal, for example 2,5."),
            }
        }

    def __init__(self, *args: Any, sections: QuerySet[IopSubject] | list[IopSubject], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.fields["hours"]
        hours.validators = [
            _DecimalsFirst(v.max_digits, v.decimal_places) if isinstance(v, DecimalValidator) else v
            for v in hours.validators
        ]
        field = self.fields["section"]
        if isinstance(sections, list):
            field.queryset = IopSubject.objects.filter(pk__in=[s.pk for s in sections])  # type: ignore[attr-defined]
            field.choices = [("", "---------"), *[(s.pk, s.subject) for s in sections]]  # type: ignore[attr-defined]
            if len(sections) == 1 and not self.is_bound and self.instance.section_id is None:
                self.initial["section"] = sections[0].pk  # the one subject there is to choose
        else:
            field.queryset = sections  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The end date must be on or after the start date."))
        hours = data.get("hours")
        if hours is not None and hours < 0:
            # The model's constraint, by its message, next to the field.
            rule = next(c for c in TeachingLog._meta.constraints if c.name == "teachinglog_hours_not_negative")
            self.add_error("hours", str(rule.violation_error_message))
        return data

    def _post_clean(self) -> None:
        return None


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})"


class VikarGrantForm(forms.Form):
    user = UserChoiceField(label=_("Substitute"), queryset=User.objects.none())
    until = forms.DateField(
        label=_("Read access until (inclusive)"), widget=DateInput(), validators=[validate_date_window]
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates  # type: ignore[attr-defined]


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label=_("Compare version"), coerce=int)
    b = forms.TypedChoiceField(label=_("with version"), coerce=int)

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, str(n)) for n in numbers]
        self.fields["a"].choices = choices  # type: ignore[attr-defined]
        self.fields["b"].choices = choices  # type: ignore[attr-defined]


# --- IUP ----------------------------------------------------------------------------


class CriteriaTemplateForm(VersionedForm):
    """A school's criteria templates: four levels on each axis; an empty field offers the built-in text."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = CriteriaTemplate
        fields = list(Goal.CRITERIA_FIELDS)
        widgets = {name: _rows(2) for name in Goal.CRITERIA_FIELDS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["version"] = self.instance.version
        for name, text in DEFAULT_CRITERIA.items():
            self.fields[name].widget.attrs["placeholder"] = str(text)

    def axes(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (_("Quality"), [self[f"quality_{n}"] for n in (1, 2, 3, 4)]),
            (_("Independence"), [self[f"independence_{n}"] for n in (1, 2, 3, 4)]),
        ]


class IupGoalForm(VersionedForm):
    class Meta:
        model = Goal
        fields = ["text", "subject"]
        labels = {"text": _("Goal"), "subject": _("Subject")}
        help_texts = {"subject": _("Empty for social goals.")}
        widgets = {"text": _rows(2)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = True


class IupForm(VersionedForm):
    """The talk and what everyone will do (only the parts of the plan's form)."""

    class Meta:
        model = Iup
        fields = ["talk_date", "school_contribution", "pupil_contribution", "guardian_contribution", "agreements"]
        widgets = {
            "talk_date": DateInput(),
            "school_contribution": _rows(3),
            "pupil_contribution": _rows(3),
            "guardian_contribution": _rows(3),
            "agreements": _rows(3),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        iup: Iup = self.instance
        if not iup.uses(IupSettings.Part.PLANNING):
            for name in ("school_contribution", "pupil_contribution", "guardian_contribution"):
                del self.fields[name]
        if not iup.uses(IupSettings.Part.AGREEMENTS):
            del self.fields["agreements"]


class AssessmentForm(VersionedForm):
    """The teacher's assessment of a subject beside the pupil's self-assessment, on the plan's scale."""

    level = forms.TypedChoiceField(label=_("The teacher's assessment"), coerce=int, empty_value=None, required=False)
    self_level = forms.TypedChoiceField(
        label=_("The pupil's self-assessment"), coerce=int, empty_value=None, required=False
    )

    class Meta:
        model = IupAssessment
        fields = ["level", "text", "self_level", "self_text"]
        labels = {"text": _("Assessment (text)"), "self_text": _("The pupil's own words")}
        widgets = {"text": _rows(3), "self_text": _rows(2)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assessment: IupAssessment = self.instance
        iup = assessment.iup
        choices = [("", _("Not assessed")), *[(n, label) for n, label in enumerate(iup.scale, start=1)]]
        for name in ("level", "self_level"):
            self.fields[name].choices = choices  # type: ignore[attr-defined]
        if not iup.uses(IupSettings.Part.SELF_ASSESSMENT):
            del self.fields["self_level"]
            del self.fields["self_text"]
        subject = assessment.subject
        for name, field in self.fields.items():
            if name not in ("version", concurrency.LOADED):
                field.widget.attrs["aria-label"] = f"{field.label}: {subject}"


YEAR_LEVEL_CHOICES = [(value, label) for value, label in Group.YearLevel.choices if value <= 10]


class IupSettingsForm(VersionedForm):
    written_year_levels = forms.TypedMultipleChoiceField(
        label=_("Year levels with a written IUP"),
        help_text=_("Sweden: the year levels where no grades are given (grundskola 1–5)."),
        choices=YEAR_LEVEL_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = IupSettings
        fields = [
            "use_goals",
            "use_assessments",
            "use_self_assessment",
            "use_planning",
            "use_agreements",
            "scale",
            "subjects",
            "written_year_levels",
        ]
        widgets = {"scale": _rows(4), "subjects": _rows(8)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0)  # 0: not saved yet
        if not self.is_bound:
            self.initial["version"] = self.instance.version if self.instance.pk else 0
        school = self.instance.school if self.instance.school_id else None
        if school is not None and school.skoleeier.country == "SE":  # grundskola: årskurs 1–9
            self.fields["written_year_levels"].choices = [c for c in YEAR_LEVEL_CHOICES if c[0] <= 9]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        scale = [line for line in (data.get("scale") or "").splitlines() if line.strip()]
        if "scale" in data and len(scale) < 2:
            self.add_error("scale", _("The scale needs at least two steps, one per line."))
        parts = [name for name in self.Meta.fields if name.startswith("use_") and data.get(name)]
        if not parts:
            self.add_error(None, _("Choose at least one part of the form."))
        return data


def _year_level_choices() -> list[tuple[Any, Any]]:
    from curriculum.models import YEAR_LEVEL_MAX, YEAR_LEVEL_MIN, year_level_label

    return [("", _("All year levels"))] + [
        (
            level,
            _("After Vg%(n)s") % {"n": level - 10}  # the upper secondary levels are named, not numbered
            if level > 10
            else _("After year %(level)s") % {"level": year_level_label(level)},
        )
        for level in range(YEAR_LEVEL_MIN, YEAR_LEVEL_MAX + 1)
    ]


class AimSearchForm(forms.Form):
    """The goal picker's search: words or a code, subject and year level (any level, not only the pupil's)."""

    q = forms.CharField(label=_("Search for words or a code"), required=False, max_length=200)
    fag = forms.CharField(label=_("Subject"), required=False, max_length=100)
    trinn = forms.TypedChoiceField(
        label=_("Year level"), choices=_year_level_choices, coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, goal_id: Any = "", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"aims-{goal_id}-%s")
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})


class CaseConsentForm(HiddenErrorsShown, forms.ModelForm):
    """A consent to the assessment or the decision, recorded by the school."""

    class Meta:
        model = CaseConsent
        fields = ["kind", "given_by", "guardian", "name", "date", "method", "note"]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, guardians: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["guardian"]
        field.queryset = guardians if guardians is not None else User.objects.none()  # type: ignore[attr-defined]
        self.fields["name"].required = False  # the pupil's or the chosen guardian's name, when none is typed

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        known = data.get("given_by") == CaseConsent.GivenBy.PUPIL or data.get("guardian") is not None
        if not (data.get("name") or "").strip() and not known:
            self.add_error("name", _("Give the name of the person who consented, or choose the guardian."))
        return data


class ConsentWithdrawForm(forms.Form):
    """The withdrawal of a consent: when and how. The case stops at once."""

    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput(), validators=[validate_date_window])
    method = forms.ChoiceField(label=_("How it was withdrawn"), choices=CaseConsent.Method.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class AdvanceNoticeForm(HiddenErrorsShown, forms.ModelForm):
    """Share the draft decision with the parties, with a deadline for comments (forvaltningsloven § 16)."""

    class Meta:
        model = AdvanceNotice
        fields = ["comment_deadline", "message"]
        widgets = {"comment_deadline": DateInput(), "message": _rows(4)}


class AdvanceNoticeCommentForm(HiddenErrorsShown, forms.ModelForm):
    """A comment a party gave on the advance notice, recorded by staff."""

    class Meta:
        model = AdvanceNoticeComment
        fields = ["party", "guardian", "name", "received_on", "text"]
        widgets = {"received_on": DateInput(), "text": _rows(5)}

    def __init__(self, *args: Any, guardians: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["guardian"]
        field.queryset = guardians if guardians is not None else User.objects.none()  # type: ignore[attr-defined]
        self.fields["name"].required = False  # the chosen guardian's name, when none is typed

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        known = data.get("party") == AdvanceNoticeComment.Party.PUPIL or data.get("guardian") is not None
        if not (data.get("name") or "").strip() and not known:  # else the service names the party
            self.add_error("name", _("Give the name of the person who commented, or choose the guardian."))
        return data
