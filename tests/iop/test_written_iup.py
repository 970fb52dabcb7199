"""The written IUP follows skollagen 10 kap. 13 §: it holds an omdöme in
every subject the pupil is taught, the forward-looking planning and the
agreements made at the talk (the form can not switch them off, publishing
needs them), and only the rektor decides a Swedish school's IUP form. A
Norwegian school's IUP and form are unchanged."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from iop import checks, services
from iop.models import Iup, IupSettings
from students import access
from students.models import StaffMembership, TeachingAssignment
from tests import factories as f
from tests.conftest import LOGIN_BACKEND, World
from tests.iop import factories as iopf

R = StaffMembership.Role


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)  # type: ignore[arg-type]
    return client


@pytest.fixture
def skola(db: None) -> SimpleNamespace:
    """A Swedish grundskola with a rektor, a coordinator, a mentor of 4A and a pupil there."""
    school = f.swedish_school()
    year = f.SchoolYearFactory(school=school)
    group = f.GroupFactory(school_year=year, name="4A", year_level=4)
    people = {}
    for role in (R.REKTOR, R.KOORDINATOR, R.KONTAKTLAERER):
        people[role] = f.UserFactory(email=f"{role}@skola.example")
        f.member(people[role], school, role)
    f.assign(people[R.KONTAKTLAERER], group, TeachingAssignment.Role.KONTAKTLAERER)
    return SimpleNamespace(
        school=school,
        year=year,
        rektor=people[R.REKTOR],
        coordinator=people[R.KOORDINATOR],
        mentor=people[R.KONTAKTLAERER],
        pupil=f.pupil_in(group, first_name="Alva"),
    )


FORM = {
    "version": "0",
    "use_goals": "on",
    "use_assessments": "on",
    "use_planning": "on",
    "use_agreements": "on",
    "scale": "Arbetar mot målen\nNår målen\nÖverträffar målen",
    "subjects": "Svenska\nMatematik",
    "written_year_levels": ["1", "2", "3", "4", "5"],
}


def test_only_the_rektor_changes_a_swedish_schools_iup_form(skola: SimpleNamespace) -> None:
    url = reverse("iop:iup_settings_edit", args=[skola.school.pk])
    coordinator = client_for(skola.coordinator)
    assert coordinator.get(url).status_code == 403
    assert coordinator.post(url, FORM).status_code == 403
    assert not IupSettings.objects.exists()
    listing = coordinator.get(reverse("iop:iup_settings")).content.decode()
    assert url not in listing and "Rektorn beslutar om utformningen av skolans IUP." in listing
    with pytest.raises(PermissionDenied):
        services.iup_settings_update(actor=skola.coordinator, school=skola.school, version=0, data={})
    assert client_for(skola.mentor).get(url).status_code == 403  # a mentor sees the school, decides nothing
    rektor = client_for(skola.rektor)
    assert url in rektor.get(reverse("iop:iup_settings")).content.decode()
    assert rektor.get(url).status_code == 200
    assert rektor.post(url, FORM).status_code == 302
    assert IupSettings.objects.get(school=skola.school).subject_list() == ["Svenska", "Matematik"]


def test_a_norwegian_coordinator_still_chooses_the_form(world: World) -> None:
    url = reverse("iop:iup_settings_edit", args=[world.school1.pk])
    assert world.client("coordinator").get(url).status_code == 200
    assert world.school1.pk in access.iup_form_school_ids(world.user("coordinator"))  # type: ignore[arg-type]


@pytest.mark.parametrize("part", ["use_assessments", "use_planning", "use_agreements"])
def test_the_form_of_a_written_iup_keeps_its_required_parts(skola: SimpleNamespace, part: str) -> None:
    url = reverse("iop:iup_settings_edit", args=[skola.school.pk])
    response = client_for(skola.rektor).post(url, {k: v for k, v in FORM.items() if k != part})
    assert response.status_code == 200
    assert "En skriftlig IUP innehåller alltid den här delen (skollagen 10 kap. 13 §)" in response.content.decode()
    assert not IupSettings.objects.exists()


def test_without_written_year_levels_the_parts_may_be_switched_off(skola: SimpleNamespace) -> None:
    url = reverse("iop:iup_settings_edit", args=[skola.school.pk])
    data = {k: v for k, v in FORM.items() if k not in ("use_assessments", "written_year_levels")}
    assert client_for(skola.rektor).post(url, data).status_code == 302
    assert not IupSettings.objects.get(school=skola.school).use_assessments


def test_a_written_iup_holds_the_required_parts_whatever_a_form_saved_before(skola: SimpleNamespace) -> None:
    form = IupSettings.defaults_for(skola.school)
    form.use_planning = form.use_agreements = form.use_self_assessment = False
    form.save()  # saved before the rule
    plan = services.iup_create(actor=skola.mentor, pupil=skola.pupil)
    assert plan.is_written
    assert plan.parts == ["goals", "assessments", "planning", "agreements"]


def test_a_written_iup_is_published_with_an_omdome_in_every_subject_and_its_planning(skola: SimpleNamespace) -> None:
    plan = iopf.iup(skola.pupil, kind=Iup.Kind.WRITTEN, status=Iup.Status.DRAFT, subjects=("Svenska", "Matematik"))
    assert checks.iup_problems(plan) == []
    plan.assessments.filter(subject="Matematik").update(level=None, text="")
    plan.pupil_contribution = ""
    plan.agreements = ""
    plan.save()
    with translation.override("sv"):
        problems = [str(p) for p in checks.iup_problems(Iup.objects.get(pk=plan.pk))]
    assert problems == [
        "En skriftlig IUP innehåller omdömen i varje ämne som eleven undervisas i. Saknar omdöme: Matematik.",
        "En skriftlig IUP innehåller en framåtsyftande planering: beskriv vad eleven och vårdnadshavaren kan göra.",
        "I en skriftlig IUP dokumenteras överenskommelserna från samtalet: skriv ner dem.",
    ]
    with pytest.raises(ValidationError):
        services.iup_publish(actor=skola.mentor, iup=plan, version=plan.version)
    assert Iup.objects.get(pk=plan.pk).status == Iup.Status.DRAFT


def test_a_written_iup_without_subjects_is_not_published(skola: SimpleNamespace) -> None:
    plan = iopf.iup(skola.pupil, kind=Iup.Kind.WRITTEN, status=Iup.Status.DRAFT, subjects=())
    with translation.override("nb"):
        problems = [str(p) for p in checks.iup_problems(plan)]
    assert problems == ["En skriftlig IUP har en vurdering i hvert fag eleven undervises i: planen har ingen fag."]


def test_a_norwegian_iup_is_published_as_before(world: World) -> None:
    plan = iopf.iup(world.pupil_a, status=Iup.Status.DRAFT, subjects=("Norsk", "Matematikk"))
    plan.assessments.filter(subject="Norsk").update(level=None, text="")
    plan.agreements = plan.pupil_contribution = ""
    plan.save()
    assert checks.iup_problems(Iup.objects.get(pk=plan.pk)) == []
