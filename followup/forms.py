from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from iop.concurrency import choice_key
from iop.forms import VersionedForm
from iop.limits import TEXT_MAX_LENGTH, FreeTextFormField
from iop.models import CONSENT_AGE
from students.models import Group, Pupil, School, User

from . import duty_titles, report_text, services
from .models import (
    MEETING_AGENDA,
    Concern,
    Consent,
    Duty,
    InterimReply,
    Kartlegging,
    Meeting,
    Referral,
    Talk,
    Tiltak,
    TiltakEvaluation,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


class PeopleField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


class PupilsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name


class ConcernForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["high_absence", "insufficient_benefit", "poor_wellbeing", "other", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        # The model's constraint asks for at least one category (by a message, not its name).


class ConcernCloseForm(forms.Form):
    note = FreeTextFormField(
        label=_("Why is the concern closed?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX_LENGTH
    )


class ConcernChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{date_format(timezone.localdate(obj.filed_at), 'SHORT_DATE_FORMAT')}: {obj.description[:60]}"


class KartleggingForm(forms.ModelForm):
    concern = ConcernChoiceField(label=_("After the concern"), queryset=Concern.objects.none(), required=False)

    class Meta:
        model = Kartlegging
        fields = ["concern", "kind", "date", "conducted_by", "method", "result"]
        widgets = {"date": DateInput(), "result": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["concern"].queryset = Concern.objects.filter(pupil=pupil)  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    main_challenges = forms.CharField(
        label=_("The pupil's main challenges"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class TiltakForm(forms.ModelForm):
    responsible = PersonChoiceField(label=_("Main responsible"), queryset=User.objects.none(), required=False)

    class Meta:
        model = Tiltak
        fields = [
            "challenge",
            "description",
            "organisation",
            "collaboration",
            "partners",
            "start",
            "end",
            "responsibilities",
            "responsible",
            "evaluation_date",
        ]
        widgets = {
            "start": DateInput(),
            "end": DateInput(),
            "evaluation_date": DateInput(),
            "challenge": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "responsibilities": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, evaluation = data.get("start"), data.get("end"), data.get("evaluation_date")
        if start and end and start > end:
            self.add_error("end", _("The end date cannot be before the start date."))
        if start and evaluation and evaluation < start:
            self.add_error("evaluation_date", _("The evaluation date cannot be before the start date."))
        return data


class EvaluationForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        label=capfirst(TiltakEvaluation._meta.get_field("outcome").verbose_name),  # type: ignore[union-attr]
        choices=TiltakEvaluation.Outcome.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = TiltakEvaluation
        fields = ["date", "outcome", "effect", "adjustment", "next_evaluation_date"]
        widgets = {
            "date": DateInput(),
            "next_evaluation_date": DateInput(),
            "effect": forms.Textarea(attrs={"rows": 4}),
            "adjustment": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome, nxt, day = data.get("outcome"), data.get("next_evaluation_date"), data.get("date")
        if outcome and outcome != TiltakEvaluation.Outcome.ENDED and not nxt:
            self.add_error("next_evaluation_date", _("A continued or adjusted tiltak needs a new evaluation date."))
        if outcome == TiltakEvaluation.Outcome.ADJUSTED and not (data.get("adjustment") or "").strip():
            self.add_error("adjustment", _("Describe what is adjusted."))
        if nxt and day and nxt <= day and outcome != TiltakEvaluation.Outcome.ENDED:
            self.add_error("next_evaluation_date", _("The next evaluation must come after this one."))
        return data

    def _post_clean(self) -> None:
        # The service validates the whole evaluation (it knows the tiltak).
        pass


class ReferralCreateForm(forms.Form):
    question = forms.CharField(
        label=_("What does the school ask PPT to assess?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class ReferralForm(VersionedForm):
    """The question to PPT and the pedagogisk rapport, with the version the
    editor started from (saves merge field by field: iop.concurrency).

    The report is edited as one text field per section (``report_section_N``,
    its title posted beside it as ``report_title_N``), labelled by the section's
    title, the hint on what to write as placeholder and help text; :meth:`clean`
    composes them into the one ``report`` text that is stored, merged and
    shown. A form posted with ``report`` itself (or a conflict choice for it)
    keeps that text."""

    SECTION = "report_section_"
    TITLE = "report_title_"

    question = forms.CharField(
        label=_("What does the school ask PPT to assess?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    report = forms.CharField(
        label=_("Pedagogisk rapport"),
        widget=forms.Textarea(attrs={"rows": 24}),
        required=False,
        max_length=50000,
    )

    class Meta:
        model = Referral
        fields = list(Referral.TEXT_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and f"{self.TITLE}0" in self.data:
            titles: list[str] = []
            while f"{self.TITLE}{len(titles)}" in self.data:
                titles.append(str(self.data.get(f"{self.TITLE}{len(titles)}", "")))
        else:
            parts = report_text.sections(self.instance.report or "")
            titles = [p.title for p in parts] or [str(t) for t, _hint in report_text.HINTS]
            for i, part in enumerate(parts):
                self.initial[f"{self.SECTION}{i}"] = part.body
        self.section_titles = titles
        for i, title in enumerate(titles):
            hint = report_text.hint_for(title) if title else ""
            attrs = {"rows": 6, "placeholder": hint} if hint else {"rows": 6}
            self.fields[f"{self.SECTION}{i}"] = forms.CharField(
                label=title or (_("Introduction") if len(titles) > 1 else _("Pedagogisk rapport")),
                required=False,
                max_length=50000,
                help_text=hint,
                widget=forms.Textarea(attrs=attrs),
            )
            self.fields[f"{self.TITLE}{i}"] = forms.CharField(required=False, widget=forms.HiddenInput, initial=title)

    def visible_fields(self) -> list[Any]:
        """The fields shown: the report only as its sections."""
        return [f for f in super().visible_fields() if f.name != "report"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}

        sectioned = f"{self.TITLE}0" in self.data and choice_key(self.prefix or "", "report") not in self.data
        # The report is shown as its sections, not as a field: what is wrong
        # with a posted report text is said above the form, where it is seen.
        report_errors = list(self.errors.pop("report", []))
        for message in report_errors if not sectioned else []:
            self.add_error(None, message)
        if sectioned:
            data["report"] = report_text.compose(
                [
                    (self.section_titles[i], data.get(f"{self.SECTION}{i}") or "")
                    for i in range(len(self.section_titles))
                ]
            )
        if not (data.get("report") or "").strip():
            self.add_error(None, _("Write the pedagogisk rapport."))
        return data


class ConsentForm(forms.ModelForm):
    """The consent to the referral: the pupil's own, or a guardian's, chosen
    among the pupil's guardians with parental responsibility (GUARDIANS).
    With ASSESSMENT (a user who records the case's consents: the
    coordinator, the rektor) the form offers to record it as the consent to
    the expert assessment as well, ticked: one form says both."""

    also_assessment = forms.BooleanField(
        label=_("The consent also covers the expert assessment (sakkyndig vurdering)"),
        help_text=_(
            "Tick it when the consent given also covers the assessment. "
            "The assessment can not be completed without consent."
        ),
        required=False,
        initial=True,
    )

    class Meta:
        model = Consent
        fields = ["given_by", "guardian", "date", "method", "note"]
        widgets = {"date": DateInput()}

    def __init__(
        self,
        *args: Any,
        guardians: QuerySet[User] | None = None,
        assessment: bool = False,
        pupil: Pupil | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        #: The pupil, whose age on the consent's date says who consents (CONSENT_AGE).
        self.pupil = pupil
        if pupil is not None and not self.is_bound and pupil.age_on(timezone.localdate()) >= CONSENT_AGE:
            self.initial.setdefault("given_by", Consent.GivenBy.PUPIL)
        if not assessment:
            del self.fields["also_assessment"]
        field = self.fields["guardian"]
        field.queryset = guardians if guardians is not None else User.objects.none()  # type: ignore[attr-defined]
        field.help_text = _(
            "Choose the guardian with parental responsibility who consented. Leave empty when the pupil consents."
        )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        day = data.get("date")
        # Who consents goes by the pupil's age that day: said first, as the other errors follow from it.
        known = self.pupil is not None and day is not None and "given_by" in data
        if known and (wrong := services.consent_giver_error(self.pupil, day, data["given_by"])):  # type: ignore[arg-type]
            self.add_error("given_by", wrong)
            return data
        if (
            data.get("given_by") == Consent.GivenBy.GUARDIAN
            and data.get("guardian") is None
            and "guardian" not in self.errors
        ):
            if self.fields["guardian"].queryset.exists():  # type: ignore[attr-defined]
                self.add_error("guardian", _("Choose the guardian who consented."))
            else:
                self.add_error(
                    "guardian",
                    _(
                        "The pupil has no registered guardian with parental responsibility: "
                        "register the guardian before recording the consent."
                    ),
                )
        return data


class InterimReplyForm(forms.ModelForm):
    """The interim reply to a case not answered within a month (forvaltningsloven § 11 a)."""

    class Meta:
        model = InterimReply
        fields = ["reason", "expected_by", "sent_on"]
        widgets = {"expected_by": DateInput(), "sent_on": DateInput(), "reason": forms.Textarea(attrs={"rows": 4})}


class TalkForm(forms.ModelForm):
    staff = PeopleField(label=_("Staff taking part"), queryset=User.objects.none(), required=False)

    class Meta:
        model = Talk
        fields = [
            "kind",
            "status",
            "date",
            "pupil_present",
            "guardians_present",
            "staff",
            "other_participants",
            "topics",
            "agreements",
        ]
        widgets = {
            "date": DateInput(),
            "topics": forms.Textarea(attrs={"rows": 4}),
            "agreements": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass  # the service validates (it sets the school year)


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.school_year.school.name})"


class MeetingForm(forms.ModelForm):
    group = GroupChoiceField(label=_("Group"), queryset=Group.objects.none())
    participants = PeopleField(label=_("Participants"), queryset=User.objects.none(), required=False)
    pupils = PupilsField(label=_("Pupils discussed"), queryset=Pupil.objects.none(), required=False)

    class Meta:
        model = Meeting
        fields = ["group", "kind", "date", "participants", "other_participants", "agenda", "notes"]
        widgets = {
            "date": DateInput(),
            "agenda": forms.Textarea(attrs={"rows": 6}),
            "notes": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(
        self,
        *args: Any,
        groups: QuerySet[Group],
        staff: QuerySet[User],
        pupils: QuerySet[Pupil],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]
        self.fields["participants"].queryset = staff  # type: ignore[attr-defined]
        self.fields["pupils"].queryset = pupils  # type: ignore[attr-defined]
        if self.instance._state.adding and "agenda" not in (kwargs.get("initial") or {}):
            self.initial["agenda"] = str(MEETING_AGENDA)  # the default agenda in the user's language


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class DutyForm(forms.ModelForm):
    class Meta:
        model = Duty
        fields = [
            "title",
            "description",
            "responsible_role",
            "applies_to",
            "anchor",
            "month",
            "day",
            "offset_days",
            "record_event",
            "weekend_to_monday",
            "reminder_days",
            "fulfilment",
            "talk_kind",
            "min_year_level",
            "max_year_level",
            "active",
            "order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    #: The choices that belong to the Norwegian chain (PPT, enkeltvedtak, IOP, årsrapport, Statsforvalteren).
    NORWEGIAN: ClassVar[dict[str, frozenset[str]]] = {
        "responsible_role": frozenset({Duty.Role.PPT}),
        "applies_to": frozenset({Duty.AppliesTo.PUPILS_WITH_VEDTAK, Duty.AppliesTo.PUPILS_WITH_IOP}),
        "record_event": frozenset(
            {
                Duty.RecordEvent.VEDTAK_MADE,
                Duty.RecordEvent.VEDTAK_EXPIRY,
                Duty.RecordEvent.REFERRAL_SENT,
                Duty.RecordEvent.VURDERING_COMPLETED,
                Duty.RecordEvent.REFERRAL_WAITING,
                Duty.RecordEvent.VURDERING_WAITING,
                Duty.RecordEvent.APPEAL_RECEIVED,
            }
        ),
        "fulfilment": frozenset(
            {
                Duty.Fulfilment.IOP_PUBLISHED,
                Duty.Fulfilment.ARSRAPPORT_WRITTEN,
                Duty.Fulfilment.NEW_VEDTAK,
                Duty.Fulfilment.VURDERING,
                Duty.Fulfilment.INTERIM_REPLY,
                Duty.Fulfilment.APPEAL_FORWARDED,
            }
        ),
    }
    #: The choices that belong to the Swedish support chain (åtgärdsprogram, extra anpassningar).
    SWEDISH: ClassVar[dict[str, frozenset[str]]] = {
        "record_event": frozenset(
            {
                Duty.RecordEvent.UTREDNING_OPEN,
                Duty.RecordEvent.UTREDNING_DONE,
                Duty.RecordEvent.AP_DRAFT,
                Duty.RecordEvent.AP_FOLLOW_UP,
                Duty.RecordEvent.AP_EVALUATION,
                Duty.RecordEvent.EA_FOLLOW_UP,
            }
        ),
        "fulfilment": frozenset({Duty.Fulfilment.AP_EVALUATED}),
    }

    def __init__(self, *args: Any, chain: bool = True, inherited: Duty | None = None, **kwargs: Any) -> None:
        """CHAIN: the school follows the Norwegian chain; else it is Swedish.
        Each select offers only the choices of the school's country (and the
        duty's current value, so an inherited duty can still be saved).
        INHERITED: the årshjul's duty this one is or overrides. The title
        field holds the title as the reader sees it (a built-in duty's in
        the reader's language); saved unchanged, it stays the stored title."""
        super().__init__(*args, **kwargs)
        self.stored_titles = [t for t in (inherited.title if inherited else "", self.instance.title) if t]
        self.initial["title"] = duty_titles.shown(self.instance.title)
        foreign = self.SWEDISH if chain else self.NORWEGIAN
        for name, left_out in foreign.items():
            field = self.fields[name]
            current = getattr(self.instance, name, "")
            offered = list(field.choices)  # type: ignore[attr-defined]
            field.choices = [(v, label) for v, label in offered if v not in left_out or v == current]  # type: ignore[attr-defined]

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"]
        # The shown (translated) title of a built-in duty is its stored title, not a change.
        return next((stored for stored in self.stored_titles if title == duty_titles.shown(stored)), title)

    def _post_clean(self) -> None:
        pass  # the service validates the duty (it sets the school and the key)


class DeadlineCompleteForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.TextInput())


def language_field() -> forms.ChoiceField:
    """The user's own language, of pages, e-mails and the calendar: each
    language named in itself (``User.Language``), or the school's."""
    return forms.ChoiceField(
        label=_("Language of pages and e-mails"),
        help_text=_("Takes effect on the next page."),
        choices=[("", _("The language of my school")), *User.Language.choices],
        required=False,
    )


class PreferenceForm(forms.Form):
    daily_digest = forms.BooleanField(label=_("One daily summary instead of single emails"), required=False)
    language = language_field()


class GuardianPreferenceForm(forms.Form):
    plan_emails = forms.BooleanField(
        label=_("E-mail me when a plan for my child is published"),
        help_text=_("You always see it under Notifications."),
        required=False,
    )
    language = language_field()


class DashboardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("attention", _("Overdue and due within 14 days")),
            ("overdue", _("Overdue")),
            ("soon", _("Due within 14 days")),
            ("open", _("All open")),
            ("done", _("Done")),
        ],
    )
    school = forms.TypedChoiceField(label=_("School"), required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    responsible = forms.TypedChoiceField(label=_("Responsible"), required=False, coerce=int, empty_value=None)
    duty = forms.ChoiceField(label=_("Duty"), required=False)
    mine = forms.BooleanField(label=_("Only my deadlines"), required=False)

    def __init__(
        self,
        *args: Any,
        schools: list[School],
        groups: list[Group],
        people: list[User],
        duties: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["school"].choices = every + [(s.pk, s.name) for s in schools]  # type: ignore[attr-defined]
        self.fields["group"].choices = every + [  # type: ignore[attr-defined]
            (g.pk, f"{g.name} ({g.school_year.school.name})") for g in groups
        ]
        self.fields["responsible"].choices = every + [(u.pk, u.full_name) for u in people]  # type: ignore[attr-defined]
        seen: dict[str, str] = {}
        for key, title in duties:
            seen.setdefault(key, duty_titles.shown(title))  # a built-in duty's in the reader's language
        self.fields["duty"].choices = every + sorted(seen.items(), key=lambda kv: kv[1])  # type: ignore[attr-defined]
        if not people:
            del self.fields["responsible"]


class PipelineFilterForm(forms.Form):
    school = forms.TypedChoiceField(label=_("School"), required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, schools: list[School], groups: list[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["school"].choices = every + [(s.pk, s.name) for s in schools]  # type: ignore[attr-defined]
        self.fields["group"].choices = every + [  # type: ignore[attr-defined]
            (g.pk, f"{g.name} ({g.school_year.school.name})") for g in groups
        ]
