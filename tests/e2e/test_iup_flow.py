"""The IUP through the real UI: a Swedish school's mentor writes a skriftlig
IUP with omdömen in every subject (beside the pupil's self-assessment) and
framåtsyftande planering, in Swedish; a Norwegian kontaktlærer writes a Steinkjer-style IUP
with a goal; each guardian reads only their own child's plan. axe-core
checks the IUP pages in edit and read mode."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from iop.models import SWEDISH_SUBJECTS, Iup
from students.models import StaffMembership, TeachingAssignment
from tests import factories as f
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, follow, login


def as_user(page: Any, live_server: Any, email: str) -> None:
    page.context.clear_cookies()
    login(page, live_server.url, email)


@pytest.mark.django_db(transaction=True)
def test_a_swedish_mentor_writes_a_written_iup_that_the_guardian_reads(live_server: Any, page: Any) -> None:
    school = f.swedish_school("Älvby skola", kommun="Älvby kommun")
    year = f.SchoolYearFactory(school=school)
    group = f.GroupFactory(school_year=year, name="4A", year_level=4)
    mentor = f.UserFactory(email="mentor@test.example", full_name="Maja Mentor")
    f.member(mentor, school, StaffMembership.Role.KONTAKTLAERER)
    f.assign(mentor, group, TeachingAssignment.Role.KONTAKTLAERER)
    pupil = f.pupil_in(group, first_name="Alva", last_name="Andersson")
    f.guardian_of(f.UserFactory(email="vh@test.example"), pupil)
    f.guardian_of(f.UserFactory(email="annan@test.example"), f.pupil_in(group, first_name="Hugo"))

    as_user(page, live_server, "mentor@test.example")
    page.goto(f"{live_server.url}/elever/{pupil.pk}/")
    page.get_by_role("button", name="Ny IUP för det här läsåret").click()
    page.get_by_text("IUP:n är skapad som utkast").wait_for()
    assert page.locator("h1").inner_text().startswith("Skriftlig IUP")

    maths = page.locator(".iop-assessment-forms .ds-card").filter(has_text="Matematik").first
    maths.get_by_label("Lärarens omdöme: Matematik").select_option(label="Når målen")
    maths.get_by_label("Omdöme (text): Matematik").fill("Räknar säkert med tal upp till 1000.")
    maths.get_by_label("Elevens självbedömning: Matematik").select_option(label="Arbetar mot målen")
    maths.get_by_label("Elevens egna ord: Matematik").fill("Division är svårt.")
    maths.get_by_role("button", name="Spara Matematik").click()
    maths.get_by_role("status").get_by_text("Sparat").wait_for()
    # A written IUP holds an omdöme in every subject the pupil is taught (skollagen 10 kap. 13 §).
    for subject in SWEDISH_SUBJECTS:
        if subject == "Matematik":
            continue
        card = page.locator(".iop-assessment-forms .ds-card").filter(has_text=subject).first
        card.get_by_label(f"Lärarens omdöme: {subject}", exact=True).select_option(label="Når målen")
        card.get_by_role("button", name=f"Spara {subject}", exact=True).click()
        card.get_by_role("status").get_by_text("Sparat").wait_for()

    planning = page.locator("#iup-form-wrapper")
    planning.get_by_label("Datum för utvecklingssamtalet").fill(timezone.localdate().isoformat())
    planning.get_by_label("Skolans insatser").fill("Extra stöd i matematik två gånger i veckan.")
    planning.get_by_label("Elevens insatser").fill("Tränar division tio minuter om dagen.")
    planning.get_by_label("Vårdnadshavarens insatser").fill("Frågar om skoldagen.")
    planning.get_by_label("Överenskommelser vid samtalet").fill("Nytt samtal i mars.")
    planning.get_by_role("button", name="Spara", exact=True).click()
    planning.get_by_role("status").get_by_text("Sparat").wait_for()
    assert_accessible(page)  # edit mode
    page.reload()
    follow(page, page.get_by_role("button", name="Publicera för vårdnadshavare"))
    assert_accessible(page)  # the confirmation page
    page.get_by_role("button", name="Ja, publicera").click()
    page.get_by_text("IUP:n är publicerad").wait_for()
    follow(page, page.get_by_role("link", name="Visa som läsvy (för utskrift)"))
    assert_accessible(page)  # read mode for staff
    iup_url = page.url.split("?")[0]

    as_user(page, live_server, "vh@test.example")
    page.goto(f"{live_server.url}/elever/{pupil.pk}/")
    follow(page, page.locator(".iop-iups").get_by_role("link", name=re.compile("^Skriftlig IUP")))
    row = page.locator("table.iop-assessments tr").filter(has_text="Matematik")
    assert "Når målen" in row.inner_text() and "Arbetar mot målen" in row.inner_text()
    assert "Extra stöd i matematik" in page.inner_text("main")
    assert not page.locator("main form").count()
    assert_accessible(page)  # the guardian's read view

    as_user(page, live_server, "annan@test.example")
    assert page.goto(iup_url).status == 404
    assert Iup.objects.get(pupil=pupil).status == Iup.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_a_norwegian_teacher_writes_a_steinkjer_iup_read_only_by_its_guardians(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    w = transactional_world
    pupil_url = f"{live_server.url}/elever/{w.pupil_a.pk}/"
    as_user(page, live_server, "teacher@test.example")
    page.goto(pupil_url)
    page.get_by_role("button", name="Ny IUP for dette skoleåret").click()
    page.get_by_text("IUP-en er opprettet som utkast").wait_for()
    page.get_by_role("button", name="Legg til et mål").click()
    goal = page.locator("li.iop-goal").first
    goal.get_by_label("Mål", exact=True).fill("Jeg leser 20 minutter hver dag og forteller hva boka handler om.")
    goal.get_by_label("Fag").fill("Norsk")
    goal.get_by_role("button", name="Lagre mål").click()
    goal.get_by_role("status").get_by_text("Lagret").wait_for()
    talk = page.locator("#iup-form-wrapper")
    talk.get_by_label("Dato for utviklingssamtalen").fill(timezone.localdate().isoformat())
    talk.get_by_label("Hva skolen skal gjøre").fill("Kontaktlærer gir ukentlige lesemål.")
    talk.get_by_label("Hva eleven skal gjøre").fill("Anna leser hjemme hver dag.")
    talk.get_by_label("Hva foresatte skal gjøre").fill("Foresatte spør om boka.")
    talk.get_by_label("Avtaler gjort i samtalen").fill("Ny samtale etter jul.")
    talk.get_by_role("button", name="Lagre", exact=True).click()
    talk.get_by_role("status").get_by_text("Lagret").wait_for()
    assert_accessible(page)
    page.reload()
    page.get_by_role("button", name="Publiser til foresatte").click()
    page.get_by_role("button", name="Ja, publiser").click()
    page.get_by_text("IUP-en er publisert").wait_for()
    iup_url = page.url

    as_user(page, live_server, "guardian_a@test.example")
    page.goto(pupil_url)
    follow(page, page.locator(".iop-iups").get_by_role("link", name=re.compile("^IUP")))
    main = page.inner_text("main")
    assert "Kontaktlærer gir ukentlige lesemål." in main and "Jeg leser 20 minutter hver dag" in main
    assert not page.locator("main form").count()
    assert_accessible(page)
    as_user(page, live_server, "guardian_b@test.example")
    assert page.goto(iup_url).status == 404
