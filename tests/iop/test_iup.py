"""The IUP beside the IOP: Steinkjer-style IUP for a Norwegian pupil, the
Swedish skriftlig IUP with omdömen and framåtsyftande planering (in
Swedish), the rector's form, guardians' read access and fixed query counts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from iop import selectors, services
from iop.models import SWEDISH_SCALE, SWEDISH_SUBJECTS, Goal, Iup, IupSettings
from students.models import School, StaffMembership, TeachingAssignment
from tests import factories as f
from tests.conftest import LOGIN_BACKEND, World
from tests.iop.factories import iup as make_iup
from tests.queries import assert_same_queries, page_queries
from tests.worker_files import fetched_from_worker


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)  # type: ignore[arg-type]
    return client


@pytest.fixture
def sweden(db: None) -> SimpleNamespace:
    """A Swedish grundskola (``f.swedish_school``): a mentor (kontaktlärare) of
    4A and 7A, a pupil in each, a guardian of the 4A pupil."""
    school = f.swedish_school()
    year = f.SchoolYearFactory(school=school)
    g4 = f.GroupFactory(school_year=year, name="4A", year_level=4)
    g7 = f.GroupFactory(school_year=year, name="7A", year_level=7)
    mentor = f.UserFactory(email="mentor@test.example", full_name="Maja Mentor")
    f.member(mentor, school, StaffMembership.Role.KONTAKTLAERER)
    for group in (g4, g7):
        f.assign(mentor, group, TeachingAssignment.Role.KONTAKTLAERER)
    pupil = f.pupil_in(g4, first_name="Alva", last_name="Andersson")
    guardian = f.UserFactory(email="vh@test.example", full_name="Vera Vårdnadshavare")
    f.guardian_of(guardian, pupil)
    return SimpleNamespace(
        school=school, year=year, mentor=mentor, guardian=guardian, pupil=pupil, older=f.pupil_in(g7)
    )


def test_a_swedish_teacher_writes_a_written_iup_in_swedish(sweden: SimpleNamespace) -> None:
    mentor = client_for(sweden.mentor)
    response = mentor.post(reverse("iop:iup_create", args=[sweden.pupil.pk]))
    plan = Iup.objects.get(pupil=sweden.pupil)
    assert response.url == reverse("iop:iup_detail", args=[plan.pk])  # type: ignore[attr-defined]
    assert plan.kind == Iup.Kind.WRITTEN and plan.scale == list(SWEDISH_SCALE)
    assert [a.subject for a in plan.assessments.all()] == list(SWEDISH_SUBJECTS)
    detail = reverse("iop:iup_detail", args=[plan.pk])
    page = mentor.get(detail).content.decode()
    assert '<html lang="sv"' in page
    for swedish in ("Skriftlig IUP", "Framåtsyftande planering", "Skolans insatser", "Vårdnadshavarens insatser"):
        assert swedish in page, swedish
    for english in ("What the school will do", "Assessments per subject", "Publish to guardians", "Save"):
        assert f">{english}<" not in page, english

    # Not publishable before the talk and the omdömen: a clear message in Swedish, nothing changed.
    response = mentor.post(reverse("iop:iup_publish", args=[plan.pk]), {"version": plan.version}, follow=True)
    assert "Ange datum för utvecklingssamtalet" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Iup.Status.DRAFT

    # The omdöme in Matematik beside the pupil's self-assessment, on the same scale.
    maths = plan.assessments.get(subject="Matematik")
    data = {"version": "1", "level": "2", "text": "Räknar säkert till 1000.", "self_level": "1", "self_text": "Svårt"}
    response = mentor.post(
        reverse("iop:assessment_update", args=[maths.pk]), {f"{maths.pk}-{k}": v for k, v in data.items()}
    )
    assert response.status_code == 302
    maths.refresh_from_db()
    assert (maths.level_label, maths.self_level_label) == ("Når målen", "Arbetar mot målen")
    bad = {f"{maths.pk}-version": "2", f"{maths.pk}-level": "9"}
    assert mentor.post(reverse("iop:assessment_update", args=[maths.pk]), bad).status_code == 200
    maths.refresh_from_db()
    assert maths.level == 2

    plan_data = {
        "version": "1",
        "talk_date": timezone.localdate().isoformat(),
        "school_contribution": "Extra lästräning två gånger i veckan.",
        "pupil_contribution": "Läser tjugo minuter varje dag.",
        "guardian_contribution": "Lyssnar när Alva läser.",
        "agreements": "Nytt samtal i mars.",
    }
    assert mentor.post(reverse("iop:iup_update", args=[plan.pk]), plan_data).status_code == 302
    # The mentor's second save, from the form as it came back (version 2), merges.
    own = mentor.post(
        reverse("iop:iup_update", args=[plan.pk]), {**plan_data, "version": "2", "agreements": "Nytt samtal i april."}
    )
    assert own.status_code == 302
    # One omdöme is not enough: a written IUP assesses every subject the pupil is taught.
    response = mentor.post(
        reverse("iop:iup_publish", args=[plan.pk]),
        {"version": "2", "confirm": "1", "seen": services.content_stamp(Iup.objects.get(pk=plan.pk))},
        follow=True,
    )
    assert "Saknar omdöme: Svenska" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Iup.Status.DRAFT
    plan.assessments.exclude(pk=maths.pk).update(level=1, text="Omdöme.")
    mentor.post(
        reverse("iop:iup_publish", args=[plan.pk]),
        {"version": "2", "confirm": "1", "seen": services.content_stamp(Iup.objects.get(pk=plan.pk))},
    )
    plan.refresh_from_db()
    assert plan.status == Iup.Status.PUBLISHED and plan.agreements == "Nytt samtal i april."

    # The guardian reads it (read-only, in Swedish); the omdöme and self-assessment side by side.
    guardian = client_for(sweden.guardian)
    page = guardian.get(detail).content.decode()
    assert "Elevens insatser" in page and "Räknar säkert till 1000." in page and "Arbetar mot målen" in page
    assert 'name="version"' not in page
    pdf, content = fetched_from_worker(guardian, reverse("iop:iup_pdf", args=[plan.pk]))
    assert pdf["Content-Type"] == "application/pdf" and content.startswith(b"%PDF")
    assert guardian.post(reverse("iop:iup_update", args=[plan.pk]), plan_data).status_code == 404

    # Year 7 has grades: an IUP, not the written one.
    mentor.post(reverse("iop:iup_create", args=[sweden.older.pk]))
    assert Iup.objects.get(pupil=sweden.older).kind == Iup.Kind.DEVELOPMENT


def test_a_norwegian_teacher_writes_a_steinkjer_iup_that_only_its_guardians_read(world: World) -> None:
    teacher = world.client("teacher")
    teacher.post(reverse("iop:iup_create", args=[world.pupil_a.pk]))
    plan = Iup.objects.get(pupil=world.pupil_a)
    assert plan.kind == Iup.Kind.DEVELOPMENT and plan.uses(IupSettings.Part.PLANNING)
    detail = reverse("iop:iup_detail", args=[plan.pk])
    assert world.client("guardian_a").get(detail).status_code == 404  # drafts are never shown
    # Goals are the IOP's goals: added inline (htmx), logged by the faglærer, charted.
    response = teacher.post(
        reverse("iop:iup_goal_create", args=[plan.pk]), {"subject": "Norsk"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="goals-general"' in response.content.decode()
    goal = plan.goals.get()
    assert goal.plan == plan and goal.subject == "Norsk"
    data = {
        f"{goal.pk}-version": "1",
        f"{goal.pk}-text": "Eleven leser 20 minutter hver dag.",
        f"{goal.pk}-subject": "",
    }
    assert teacher.post(reverse("iop:goal_update", args=[goal.pk]), data).status_code == 302
    log = {"date": timezone.localdate().isoformat(), "quality": "2", "self_assessment": "Det går bra."}
    assert world.client("faglaerer").post(reverse("iop:goal_log_create", args=[goal.pk]), log).status_code == 302
    assert (
        "Det går bra." in world.client("coordinator").get(reverse("iop:goal_detail", args=[goal.pk])).content.decode()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.create(text="Ingen plan")

    teacher.post(
        reverse("iop:iup_update", args=[plan.pk]),
        {
            "version": "1",
            "talk_date": timezone.localdate().isoformat(),
            "school_contribution": "Kontaktlærer gir ukentlige lesemål.",
            "pupil_contribution": "Anna leser hjemme.",
            "guardian_contribution": "Foresatte spør om boka.",
            "agreements": "Ny samtale etter jul.",
        },
    )
    teacher.post(
        reverse("iop:iup_publish", args=[plan.pk]),
        {"version": "2", "confirm": "1", "seen": services.content_stamp(Iup.objects.get(pk=plan.pk))},
    )
    plan.refresh_from_db()
    assert plan.status == Iup.Status.PUBLISHED
    page = world.client("guardian_a").get(detail).content.decode()
    assert "Kontaktlærer gir ukentlige lesemål." in page and "Eleven leser 20 minutter hver dag." in page
    assert world.client("guardian_b").get(detail).status_code == 404
    pupil_page = world.client("guardian_a").get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert detail in pupil_page

    # The KPI read for followup: published IUPs of a school and school year.
    make_iup(world.pupil_b, status=Iup.Status.DRAFT)
    kpi = selectors.iups_for_school_year([world.school1.pk], [plan.school_year_id])
    assert list(kpi.values_list("pupil_id", flat=True)) == [world.pupil_a.pk]


def test_a_nynorsk_school_starts_from_a_nynorsk_scale_and_subjects(world: World) -> None:
    School.objects.filter(pk=world.school1.pk).update(language="nn")
    page = world.client("coordinator").get(reverse("iop:iup_settings_edit", args=[world.school1.pk])).content.decode()
    assert "Låg måloppnåing" in page and "Høg måloppnåing" in page and "Kunst og handverk" in page
    assert "måloppnåelse" not in page and "Kunst og håndverk" not in page


def test_the_rector_chooses_the_form(world: World) -> None:
    coordinator = world.client("coordinator")
    url = reverse("iop:iup_settings_edit", args=[world.school1.pk])
    assert "Lav måloppnåelse" in coordinator.get(url).content.decode()
    bad = {"version": "0", "use_goals": "on", "scale": "Bare ett trinn", "subjects": "Norsk"}
    response = coordinator.post(url, bad)
    assert response.status_code == 200 and "minst to trinn" in response.content.decode()
    assert not IupSettings.objects.exists()
    good = {**bad, "use_planning": "on", "use_agreements": "on", "scale": "Begynner\nGodt i gang\nMestrer"}
    assert coordinator.post(url, good).status_code == 302
    coordinator.post(reverse("iop:iup_create", args=[world.pupil_b.pk]))
    plan = Iup.objects.get(pupil=world.pupil_b)
    assert plan.parts == ["goals", "planning", "agreements"] and plan.scale == ["Begynner", "Godt i gang", "Mestrer"]
    assert not plan.assessments.exists()
    assert "Vurdering per fag" not in coordinator.get(reverse("iop:iup_detail", args=[plan.pk])).content.decode()


def test_the_iup_pages_run_a_fixed_number_of_queries(world: World) -> None:
    """The same queries for a plan with 2 goals as for one with 30 goals and 12
    subjects, and for the lists with 2 pupils or 40 more in a group."""
    coordinator, teacher = world.client("coordinator"), world.client("teacher")
    guardian_a, guardian_b = world.client("guardian_a"), world.client("guardian_b")

    def staff_pages(plan: Iup) -> list[str]:
        detail = reverse("iop:iup_detail", args=[plan.pk])
        return [detail, detail + "?visning=les", reverse("iop:iup_list"), reverse("iop:iup_list") + "?mangler=1"]

    small = make_iup(world.pupil_a, goals=2, logs_per_goal=2)
    staff_small = [page_queries(coordinator, url, warm=True) for url in staff_pages(small)]
    guardian_small = page_queries(guardian_a, reverse("iop:iup_detail", args=[small.pk]), warm=True)
    # A teacher with few pupils runs the same list queries as a coordinator with more.
    teacher_list = page_queries(teacher, reverse("iop:iup_list"), warm=True)

    large = make_iup(world.pupil_b, goals=30, logs_per_goal=8, subjects=tuple(f"Fag {n}" for n in range(12)))
    for n in range(40):
        f.pupil_in(world.group_b, last_name=f"Elev {n}")
    staff_large = [page_queries(coordinator, url, warm=True) for url in staff_pages(large)]
    guardian_large = page_queries(guardian_b, reverse("iop:iup_detail", args=[large.pk]), warm=True)

    assert_same_queries(staff_small, staff_large)
    assert_same_queries(guardian_small, guardian_large)
    assert_same_queries(teacher_list, staff_large[2])


def test_the_pupils_file_names_the_parts_of_an_iup_in_words(world: World) -> None:
    """Not the stored keys ("goals, planning"), the parts as the form names them."""
    from django.utils import translation

    from students.pupil_file import record

    world.client("coordinator").post(reverse("iop:iup_create", args=[world.pupil_b.pk]))
    plan = Iup.objects.get(pupil=world.pupil_b)
    with translation.override("nb"):
        entry = next(f for f in record(plan)["fields"] if f["name"] == "parts")
        words = ", ".join(str(IupSettings.Part(key).label) for key in plan.parts)
    assert entry["value"] == plan.parts and plan.parts and "goals" in plan.parts
    assert entry["text"] == words and entry["text"].startswith("Mål")


def test_an_empty_iup_list_says_who_it_holds_and_where_the_pupils_one_only_reads_are(world: World) -> None:
    """The vikar reads pupil A (a read grant) but works on no plan: the list is
    empty and says why, pointing to the pupil list, where the pupil is."""
    page = world.client("vikar").get(reverse("iop:iup_list")).content.decode()
    assert "Ingen elever å vise." in page and "Elever du bare har lesetilgang til" in page
    assert f'href="{reverse("pupil_list")}"' in page
    assert world.pupil_a.last_name in world.client("vikar").get(reverse("pupil_list")).content.decode()
    teacher = world.client("teacher").get(reverse("iop:iup_list")).content.decode()
    assert "Elever du bare har lesetilgang til" not in teacher
