"""The pedagogisk rapport in sections: "## Title" headings (older reports'
"=====" underlines are read too), shown as headed parts on the page and in
the PDF; hints on what to write are beside the text, never in it, and a
report with an empty section (or a hint left in it) is not sent."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from followup import report_text, services
from students import access
from students.models import School
from tests.conftest import World

LEGACY = """Bakgrunn
========
- 01.09.2026: uro i timene

Hva eleven mestrer
==================
Beskriv elevens sterke sider og hva som fungerer godt.
"""


def test_the_sections_are_read_from_headings_and_from_older_underlines() -> None:
    parts = report_text.sections("## Bakgrunn\n- En\n  fortsatt\n\n## Tom\n\n## Mestrer\nLeser godt.")
    assert [(p.title, p.body) for p in parts] == [
        ("Bakgrunn", "- En\n  fortsatt"),
        ("Tom", ""),
        ("Mestrer", "Leser godt."),
    ]
    legacy = report_text.sections(LEGACY)
    assert [p.title for p in legacy] == ["Bakgrunn", "Hva eleven mestrer"]
    assert report_text.unfinished(LEGACY) == ["Hva eleven mestrer"]  # the hint is still there
    assert report_text.unfinished("") == [""]
    html = str(report_text.as_html("## <b>Tittel</b>\n- punkt <i>\n  mer\nTekst\n\n## Tom\n"))
    assert "<h3>&lt;b&gt;Tittel&lt;/b&gt;</h3>" in html and "<ul><li>punkt &lt;i&gt;<br>mer</li></ul>" in html
    assert html.count('<section class="report-section">') == 2 and 'class="report-empty"' in html
    assert "##" not in html and "=====" not in html


@pytest.mark.django_db
def test_the_draft_has_sections_and_no_hint_and_is_not_sent_before_every_section_is_written(
    world: World, tmp_path: Path
) -> None:
    coordinator = world.user("coordinator")
    referral = services.referral_create(actor=coordinator, pupil=world.pupil_b, question="Lesevansker?")
    assert "=====" not in referral.report and "## Hva eleven mestrer" in referral.report
    assert "Beskriv elevens sterke sider" not in referral.report
    services.consent_record(
        actor=coordinator,
        referral=referral,
        guardian=world.user("guardian_b"),
        date=timezone.localdate(),
        method="signed",
    )
    with pytest.raises(ValidationError) as refused:
        services.referral_send(actor=coordinator, referral=referral)
    assert "«Hva eleven mestrer»" in refused.value.messages[0]

    client = world.client("coordinator")
    response = client.post(reverse("followup:referral_send", args=[referral.pk]))
    assert response.status_code == 400
    assert "Den pedagogiske rapporten er ikke ferdig: skriv delen «Hva eleven mestrer»" in response.content.decode()

    edit = client.get(reverse("followup:referral_edit", args=[referral.pk])).content.decode()
    assert "## " not in edit and 'name="report"' not in edit  # one field per section, no markers
    assert '<label class="ds-label" for="id_report_section_4">Hva eleven mestrer</label>' in edit
    assert 'placeholder="Beskriv elevens sterke sider og hva som fungerer godt."' in edit
    assert edit.count("Beskriv elevens sterke sider og hva som fungerer godt.") == 2  # placeholder and help text

    referral.report += "Eleven leser gjerne høyt og hjelper andre."
    referral.save()
    page = client.get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
    assert "<h3>Hva eleven mestrer</h3>" in page and "=====" not in page and "## " not in page

    pdf = client.get(reverse("followup:referral_pdf", args=[referral.pk]))
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)  # noqa: S603, S607
    assert "Hva eleven mestrer" in text.stdout and "=====" not in text.stdout and "##" not in text.stdout

    services.referral_send(actor=coordinator, referral=referral)
    referral.refresh_from_db()
    assert referral.is_sent


@pytest.mark.django_db
def test_the_report_is_edited_section_by_section_and_sending_lists_every_reason(world: World) -> None:
    coordinator = world.user("coordinator")
    referral = services.referral_create(actor=coordinator, pupil=world.pupil_b, question="Lesevansker?")
    client = world.client("coordinator")
    url = reverse("followup:referral_edit", args=[referral.pk])
    form = client.get(url).context["form"]
    titles = form.section_titles
    assert titles[-1] == "Hva eleven mestrer" and len(titles) == 5
    data = {"version": referral.version, "question": "Lesevansker?"}
    for i, title in enumerate(titles):
        data[f"report_title_{i}"] = title
        data[f"report_section_{i}"] = form.initial.get(f"report_section_{i}", "")
    data["report_section_2"] = "Eleven strever med lange tekster."
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    # Saved anyway, with a warning naming the section still empty.
    assert "Lagret, men delen «Hva eleven mestrer» er fortsatt tom" in page
    referral.refresh_from_db()
    assert "## Elevens hovedutfordringer\nEleven strever med lange tekster.\n" in referral.report
    assert report_text.unfinished(referral.report) == ["Hva eleven mestrer"]

    # No consent and an unfinished section: both reasons at once.
    response = client.post(reverse("followup:referral_send", args=[referral.pk]))
    page = response.content.decode()
    assert "uten registrert samtykke" in page and "skriv delen «Hva eleven mestrer»" in page

    data["version"] = referral.version
    data["report_section_4"] = "Beskriv elevens sterke sider og hva som fungerer godt."  # the hint typed in
    page = client.post(url, data, follow=True).content.decode()
    assert "Lagret, men delen «Hva eleven mestrer» er fortsatt tom" in page
    referral.refresh_from_db()
    assert report_text.unfinished(referral.report) == ["Hva eleven mestrer"]
    data["version"] = referral.version
    data["report_section_4"] = "Leser gjerne høyt."
    page = client.post(url, data, follow=True).content.decode()
    assert "fortsatt tom" not in page
    referral.refresh_from_db()
    assert report_text.unfinished(referral.report) == []


def test_the_report_is_drafted_in_the_schools_language_whoever_writes_it(world: World) -> None:
    """A nynorsk school's report to PPT has nynorsk headings, also when the coordinator reads bokmål or English."""
    School.objects.filter(pk=world.pupil_a.school_id).update(language="nn")
    pupil = access.get_pupil(world.user("coordinator"), world.pupil_a.pk)
    with translation.override("en"):
        referral = services.referral_create(actor=world.user("coordinator"), pupil=pupil, question="Lesevanskar?")
    titles = [s.title for s in report_text.sections(referral.report)]
    assert titles[0] == "Bakgrunn: bekymringsmeldingar" and titles[-1] == "Kva eleven meistrar", titles


def test_a_concern_filed_just_after_midnight_has_its_own_day_in_the_report_and_the_form(world: World) -> None:
    """The day of a concern is the day in Norway: filed at 00:10 on 23 October
    (22:10 the day before in UTC), it is the 23rd in the report to PPT and in
    the kartlegging form's list of concerns."""
    from followup.forms import ConcernChoiceField
    from followup.models import Concern

    pupil = access.get_pupil(world.user("coordinator"), world.pupil_a.pk)
    concern = services.concern_file(
        actor=world.user("teacher"), pupil=pupil, description="Leser lite.", insufficient_benefit=True
    )
    Concern.objects.filter(pk=concern.pk).update(filed_at=datetime.datetime(2026, 10, 22, 22, 10, tzinfo=datetime.UTC))
    concern.refresh_from_db()
    report = services.pedagogical_report_draft(pupil)
    assert "- 23.10.2026 (" in report and "22.10.2026" not in report
    assert ConcernChoiceField(queryset=Concern.objects.all()).label_from_instance(concern).startswith("23.10.2026:")
