"""The project's widget templates add Designsystemet's ``ds-input`` class to
every visible field without dropping the widget's own classes: the admin finds
its autocomplete and calendar widgets by class."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from students.models import Enrolment
from tests import factories as f
from tests.conftest import World


class Sample(forms.Form):
    when = forms.DateField(widget=forms.DateInput(attrs={"class": "vDateField", "size": "10"}))
    choice = forms.ChoiceField(choices=[("1", "One")], widget=forms.Select(attrs={"class": "admin-autocomplete"}))
    text = forms.CharField(widget=forms.Textarea(attrs={"class": "wide"}))
    plain = forms.CharField()
    secret = forms.CharField(widget=forms.HiddenInput)


def classes_of(html: str, name: str) -> list[str]:
    """Every ``class`` attribute of the element named NAME (a browser keeps only the first)."""
    tag = re.search(rf"<(?:input|select|textarea)[^>]*\bname=\"{name}\"[^>]*>", html)
    assert tag, f"no field {name}"
    return re.findall(r'\bclass="([^"]*)"', tag.group(0))


def test_it_merges_the_widgets_own_class_into_one_attribute() -> None:
    html = str(Sample())
    assert classes_of(html, "when") == ["ds-input vDateField"]
    assert classes_of(html, "choice") == ["ds-input admin-autocomplete"]
    assert classes_of(html, "text") == ["ds-input wide"]
    assert classes_of(html, "plain") == ["ds-input"]
    assert classes_of(html, "secret") == []


@pytest.mark.django_db
def test_the_admins_autocomplete_and_calendar_keep_their_classes(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:students_staffmembership_add")).content.decode()
    assert classes_of(html, "user") == ["ds-input admin-autocomplete"]
    enrolment = client.get(reverse("admin:students_enrolment_add")).content.decode()
    assert "admin-autocomplete" in classes_of(enrolment, "pupil")[0]
    pupil = client.get(reverse("admin:students_pupil_add")).content.decode()
    assert classes_of(pupil, "birth_date") == ["ds-input vDateField"]


@pytest.mark.django_db
def test_group_pickers_name_the_school_and_year(world: World, client) -> None:  # type: ignore[no-untyped-def]
    """Every school has a 5A: the admin's group search and pickers say whose."""
    client.force_login(world.user("operator"))
    found = client.get(
        reverse("admin:autocomplete"),
        {"term": "5", "app_label": "students", "model_name": "enrolment", "field_name": "group"},
    ).json()["results"]
    labels = {r["text"] for r in found}
    assert f"5A – {world.group_a.school_year}" in labels
    assert f"5C – {world.group_c.school_year}" in labels
    enrolment = Enrolment.objects.get(pupil=world.pupil_a, group=world.group_a)
    form = client.get(reverse("admin:students_enrolment_change", args=[enrolment.pk])).content.decode()
    assert f">5A – {world.group_a.school_year}</option>" in form


@pytest.mark.django_db
def test_the_admin_refuses_an_enrolment_in_another_schools_group(world: World, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.user("operator"))
    response = client.post(
        reverse("admin:students_enrolment_add"), {"pupil": world.pupil_c.pk, "group": world.group_a.pk}
    )
    assert response.status_code == 200
    assert "Gruppen hører til en annen skole enn elevens (Skole 2)" in response.content.decode()
    assert not Enrolment.objects.filter(pupil=world.pupil_c, group=world.group_a).exists()


@pytest.mark.django_db
def test_namesakes_are_told_apart_in_the_admins_pickers(world: World, client) -> None:  # type: ignore[no-untyped-def]
    twin = f.PupilFactory(school=world.school2, first_name="Anna", last_name="Aasen")
    client.force_login(world.user("operator"))
    params = {"term": "Aasen", "app_label": "students", "model_name": "guardianlink", "field_name": "pupil"}
    labels = {r["text"] for r in client.get(reverse("admin:autocomplete"), params).json()["results"]}
    assert labels == {
        f"Anna Aasen (f. {world.pupil_a.birth_date:%d.%m.%Y}) – Skole 1",
        f"Anna Aasen (f. {twin.birth_date:%d.%m.%Y}) – Skole 2",
    }
    params = {"term": "Tone", "app_label": "students", "model_name": "guardianlink", "field_name": "user"}
    users = {r["text"] for r in client.get(reverse("admin:autocomplete"), params).json()["results"]}
    assert users == {"Tone Lærer <teacher@test.example>"}
