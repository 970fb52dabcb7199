"""A guardian's view of a published IOP: the aims without their internal
codes, the goal's own aim text without a doubled "KM:" prefix, the criteria
table headed by the same everyday level words as the status line, and the
chart with a legend. Staff keep the codes and the criteria level names."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from iop import services
from tests.conftest import World
from tests.iop.factories import aim, chain
from tests.reports.conftest import pdf_text


@pytest.mark.django_db
def test_a_guardian_reads_the_plan_without_codes_and_in_everyday_words(world: World, tmp_path: Path) -> None:
    ch = chain(world.pupil_a, goals=1, logs_per_goal=3)
    assert ch.iop is not None
    goal = ch.goals[0]
    goal.competence_aim = "KM: lese med sammenheng og forståelse"
    goal.save()
    goal.competence_aims.add(aim("KMDEMO1", "utforske tallmønster"))
    services.iop_publish(actor=world.user("teacher"), iop=ch.iop, version=ch.iop.version)  # type: ignore[arg-type]

    page = world.client("guardian_a").get(f"/iop/{ch.iop.pk}/").content.decode()
    assert "utforske tallmønster" in page and "KMDEMO1" not in page
    assert "Kompetansemål: lese med sammenheng og forståelse" in page and "KM:" not in page
    criteria = page[page.index('class="ds-table iop-criteria"') :]
    criteria = criteria[: criteria.index("</thead>")]
    for word in ("Har begynt", "På vei", "Mestrer", "Mestrer svært godt"):
        assert f'<th scope="col">{word}</th>' in criteria, criteria
    assert "Begynnernivå" not in criteria
    legend = page[page.index('class="ds-paragraph progression-legend"') :][:1200]
    assert "hvor godt" in legend and "hvor selvstendig" in legend

    staff = world.client("teacher").get(f"/iop/{ch.iop.pk}/").content.decode()
    assert "KMDEMO1" in staff and "Begynnernivå" in staff and "KM:" not in staff
    assert "Kvalitet" in staff[staff.index('class="ds-paragraph progression-legend"') :][:1200]

    # The charts (the plan's small ones and the goal page's with its axis)
    # name the levels as the rest of the reader's page does.
    staff_names = ("Begynnernivå", "Under utvikling", "Kompetent", "Fremragende")
    for url in (f"/iop/{ch.iop.pk}/", f"/mal/{goal.pk}/"):
        charts = svgs(world.client("guardian_a").get(url).content.decode())
        assert charts and not any(name in c for c in charts for name in staff_names), charts
        assert any("Har begynt" in c or "På vei" in c or "Mestrer" in c for c in charts), charts
        staff_charts = svgs(world.client("teacher").get(url).content.decode())
        assert any(name in c for c in staff_charts for name in staff_names), staff_charts
    assert "Har begynt" in svgs(world.client("guardian_a").get(f"/mal/{goal.pk}/").content.decode())[0]
    goal_page = world.client("guardian_a").get(f"/mal/{goal.pk}/").content.decode()
    criteria = goal_page[goal_page.index('class="ds-table iop-criteria"') :].split("</table>", 1)[0]
    assert '<th scope="row">Hvor godt</th>' in criteria and "Kvalitet" not in criteria

    # The guardian's PDF of the plan says it in the same words; the staff's in the criteria's names.
    pdf = world.client("guardian_a").get(reverse("reports:iop_pdf", args=[ch.iop.pk]))
    words = pdf_text(pdf.content, tmp_path)
    assert "Har begynt" in words and "Hvor godt" in words and "Hvor selvstendig" in words, words
    assert not any(name in words for name in (*staff_names, "Kvalitet", "Selvstendighet")), words
    staff_pdf = world.client("teacher").get(reverse("reports:iop_pdf", args=[ch.iop.pk]))
    staff_words = pdf_text(staff_pdf.content, tmp_path, "staff.pdf")
    assert "Begynnernivå" in staff_words and "Kvalitet" in staff_words and "Hvor godt" not in staff_words


def svgs(page: str) -> list[str]:
    """The SVG charts of PAGE."""
    return [part.split("</svg>", 1)[0] for part in page.split("<svg")[1:] if 'class="progression"' in part[:400]]


@pytest.mark.django_db
def test_the_guardians_who_has_read_page_has_one_heading_and_names_what_they_can_see(world: World) -> None:
    page = world.client("guardian_a").get(f"/elever/{world.pupil_a.pk}/innsyn/").content.decode()
    assert page.count("Hvem har lest planene</") == 1, "the heading is said once (not again as the last crumb)"
    assert "planene (IOP og IUP), målloggene, rapportene eller vedtakene til Anna Aasen" in page
    for hidden in ("henvisning", "sakkyndig", "oppfølging"):
        assert hidden not in page.lower().split("<main", 1)[1], hidden
