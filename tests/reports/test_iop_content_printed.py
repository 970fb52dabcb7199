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
