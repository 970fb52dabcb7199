from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as BasePasswordResetForm
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .dates import short
from .models import Group, SchoolYear

DATE_FIRST = datetime.date(2000, 1, 1)
DATE_LAST = datetime.date(2100, 12, 31)


class HiddenErrorsShown(forms.BaseForm):
    """A form whose hidden fields' errors (a missing or mangled ``version``)
    reach the person as one message above the form, instead of staying on a
    field that is never shown. Use it as the first base class."""

    hidden_error_message = _(
        "This page is out of date or was not sent whole. Nothing was saved; your text is still in the "
        "form. Copy it, reload the page and save again."
    )

    def full_clean(self) -> None:
        super().full_clean()
        if not hasattr(self, "cleaned_data"):
            return
        errors = self.errors
        hidden = [field.name for field in self.hidden_fields() if field.name in errors]
        for name in hidden:
            del errors[name]
        if hidden:
            self.add_error(None, self.hidden_error_message)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    error_messages = {
        "invalid_login": _("Wrong email address or password. The password is case-sensitive."),
        "inactive": _("This account is deactivated."),
        "sso_only": _("Sign in with your school's login (Feide, ID-porten) above. Password login is for operators."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        """With ``PASSWORD_LOGIN=false`` only superusers (operators) may use a password."""
        super().confirm_login_allowed(user)
        if not settings.PASSWORD_LOGIN and not user.is_superuser:
            raise forms.ValidationError(self.error_messages["sso_only"], code="sso_only")


class PasswordResetForm(BasePasswordResetForm):
    """With ``PASSWORD_LOGIN=false`` only superusers (operators) get a reset
    link: nobody else logs in with a password. The page says the same either way."""

    def get_users(self, email: str) -> Any:
        users = super().get_users(email)
        if settings.PASSWORD_LOGIN:
            return users
        return (user for user in users if user.is_superuser)


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.school_year.school.name})"


class PupilFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    group = GroupChoiceField(
        label=_("Group"), required=False, queryset=Group.objects.none(), empty_label=_("All groups")
    )
    arkiv = forms.BooleanField(label=_("Show archived pupils instead"), required=False)

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TargetGroupField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} – {obj.school_year.school.name} {obj.school_year.name}"


class PupilMoveForm(forms.Form):
    """Where the pupil moves, and the first day there (a pupil's move, :mod:`students.transfer`)."""

    to_group = TargetGroupField(
        label=_("New class"), queryset=Group.objects.none(), empty_label=_("Choose the class the pupil moves to")
    )
    date = forms.DateField(label=_("First day in the new class"), widget=DateInput())
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_group"].queryset = groups  # type: ignore[attr-defined]

    def clean_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["date"]
        if not DATE_FIRST <= day <= DATE_LAST:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s."),
                params={"first": short(DATE_FIRST), "last": short(DATE_LAST)},
            )
        return day


# --- operators' pages: roster import, school years -------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class RosterUploadForm(forms.Form):
    """The files of one roster import. ``cleaned_data["roster_files"]``: name → text."""

    MAX_BYTES = 50 * 1024 * 1024

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("CSV files (schools, groups, pupils, guardians, staff)")), ("ss12000", "SS 12000 (JSON)")],
    )
    roster_files = MultipleFileField(
        label=_("Files"),
        help_text=_("Choose all the files of the export at once. Nothing changes before you have seen the dry run."),
    )

    def clean_roster_files(self) -> dict[str, str]:
        out: dict[str, str] = {}
        total = 0
        for upload in self.cleaned_data["roster_files"]:
            total += upload.size or 0
            if total > self.MAX_BYTES:
                raise forms.ValidationError(_("The files are larger than 50 MB together."))
            try:
                out[upload.name] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(
                    _("%(name)s is not UTF-8 text. Save it as UTF-8 and upload it again."), params={"name": upload.name}
                ) from exc
        return out


#: The longest a school year may be, in days (a year and a day of slack).
MAX_SCHOOL_YEAR_DAYS = 366


class SchoolYearForm(forms.ModelForm):
    """A school year of one school: its name and first and last day."""

    class Meta:
        model = SchoolYear
        fields = ["school", "name", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not DATE_FIRST <= day <= DATE_LAST:
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("Enter a date between %(first)s and %(last)s."),
                        params={"first": short(DATE_FIRST), "last": short(DATE_LAST)},
                    ),
                )
        school, start, end = data.get("school"), data.get("start"), data.get("end")
        name = str(data.get("name") or "")
        if school is None or start is None or end is None or self.errors:
            return data
        if (end - start).days > MAX_SCHOOL_YEAR_DAYS:
            self.add_error("end", _("A school year lasts at most a year."))
            return data
        others = SchoolYear.objects.filter(school=school).exclude(pk=self.instance.pk)
        if name and others.filter(name__iexact=name.strip()).exists():
            self.add_error("name", _("The school already has a school year named %(name)s.") % {"name": name})
        overlap = others.filter(start__lte=end, end__gte=start).order_by("start").first()
        if overlap is not None:
            self.add_error(
                "start",
                _("The dates overlap the school year %(name)s (%(start)s–%(end)s).")
                % {"name": overlap.name, "start": short(overlap.start), "end": short(overlap.end)},
            )
        return data
