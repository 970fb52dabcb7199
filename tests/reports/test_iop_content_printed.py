"""The IOP PDF prints who took part, the pupil's strengths and interests,
aids and learning materials, the evaluation and the hours split by staff."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from iop import services as iop_services
from iop.models import Iop
from tests.conftest import World

from .conftest import pdf_text
from .factories import make_iop


def test_the_iop_pdf_prints_the_plans_new_content(world: World, tmp_path: Path) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=1, subjects=(("Matematikk", 57),))
    Iop.objects.filter(pk=iop.pk).update(
        participants="Eleven og foresatte deltok på møtet.",
        strengths="Eleven liker å bygge med lego.",
        aids="Kuleramme og lydbøker.",
        evaluation="Evalueres hver januar.",
    )
    iop.sections.update(hours_teacher=19, hours_special_needs_teacher=19, hours_assistant=19)
    iop.refresh_from_db()
    iop_services.iop_publish(actor=world.user("teacher"), iop=iop, version=iop.version)
    for persona in ("teacher", "guardian_a"):
        response = world.client(persona).get(reverse("reports:iop_pdf", args=[iop.pk]))
        assert response.status_code == 200, persona
        text = pdf_text(response.content, tmp_path)
        for expected in (
            "Hvem som deltok i arbeidet med planen Eleven og foresatte deltok på møtet.",
            "Elevens sterke sider og interesser Eleven liker å bygge med lego.",
            "Hjelpemidler og læremidler Kuleramme og lydbøker.",
            "Når og hvordan planen evalueres Evalueres hver januar.",
            "Timer fordelt på personale: lærer 19, spesialpedagog 19, assistent 19",
        ):
            assert expected in text, (persona, expected, text)


def test_the_staffs_copy_of_a_published_iop_says_it_holds_unpublished_changes(world: World, tmp_path: Path) -> None:
    """The live plan printed by staff after changes made since it was
    published says so beside "Publisert"; the guardians' copy (the plan as
    published) and a copy with nothing new do not."""
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=0, subjects=(("Matematikk", 57),))
    iop_services.iop_publish(actor=world.user("teacher"), iop=iop, version=iop.version)
    note = "Denne utskriften inneholder endringer gjort siden da som ikke er publisert"

    def printed(persona: str) -> str:
        response = world.client(persona).get(reverse("reports:iop_pdf", args=[iop.pk]))
        assert response.status_code == 200, persona
        return " ".join(pdf_text(response.content, tmp_path).split())

    assert "Publisert" in printed("teacher")
    assert note not in printed("teacher")
    iop.refresh_from_db()
    iop_services.iop_update(
        actor=world.user("teacher"), iop=iop, version=iop.version, data={"strengths": "Eleven liker å tegne."}
    )
    staff = printed("teacher")
    assert "Eleven liker å tegne." in staff
    assert note in staff
    guardian = printed("guardian_a")
    assert "Eleven liker å tegne." not in guardian
    assert note not in guardian


def test_the_iop_page_links_to_its_pdf(world: World) -> None:
    """The plan's page offers its PDF to whoever reads it: the staff's live
    plan, the guardian's plan as published."""
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=0, subjects=(("Matematikk", 57),))
    iop_services.iop_publish(actor=world.user("teacher"), iop=iop, version=iop.version)
    pdf_url = reverse("reports:iop_pdf", args=[iop.pk])
    for persona in ("teacher", "guardian_a"):
        client = world.client(persona)
        page = client.get(reverse("iop:iop_detail", args=[iop.pk])).content.decode()
        assert f'href="{pdf_url}">Last ned som PDF</a>' in page, persona
        assert client.get(pdf_url)["Content-Type"] == "application/pdf", persona
