"""The report's life: draft from the logs → edited → finalised (PDF/A, kept
with its checksum, immutable) → published to the guardians."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from iop.concurrency import EditConflict
from iop.models import Iop
from iop.reports import services
from iop.reports.models import Report, ReportGoal
from tests.conftest import World
from tests.queries import assert_same_queries, page_queries

from .conftest import pdf_info, pdf_text
from .factories import make_iop


@pytest.fixture
def iop(world: World) -> Iop:
    return make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=3)


@pytest.fixture
def draft(world: World, iop: Iop) -> Report:
    return services.report_create(actor=world.user("teacher"), iop=iop)


def finalise(world: World, report: Report, summary: str = "Anna leser nå korte tekster selv.") -> Report:
    report = services.report_update(
        actor=world.user("teacher"), report=report, version=report.version, data={"summary": summary}
    )
    report.pupil = world.pupil_a
    return services.report_finalise(actor=world.user("teacher"), report=report, version=report.version)


def test_a_draft_suggests_what_the_pupil_masters_positively(world: World, draft: Report) -> None:
    texts = list(ReportGoal.objects.filter(report=draft).select_related("goal"))
    assert len(texts) == 3
    for text in texts:
        assert "Eleven mestrer kvalitet nivå 3" in text.masters  # the criterion of the level reached
        assert "Eleven har gått fra «Har begynt» til «Mestrer» i kvalitet." in text.masters  # the guardians' words
        assert "ikke" not in text.masters
    assert draft.subject_texts.count() == 3
    assert draft.language == "nb" and draft.is_draft


def test_only_editors_make_drafts_and_only_on_published_iops(world: World, iop: Iop) -> None:
    for persona in ("faglaerer", "vikar", "ppt", "guardian_a", "coordinator_other"):
        with pytest.raises(PermissionDenied):
            services.report_create(actor=world.user(persona), iop=iop)
    draft_iop = make_iop(world.pupil_b, status=Iop.Status.DRAFT)
    with pytest.raises(ValidationError, match="utkast"):
        services.report_create(actor=world.user("coordinator"), iop=draft_iop)
    services.report_create(actor=world.user("coordinator"), iop=iop)
    with pytest.raises(ValidationError, match="allerede"):
        services.report_create(actor=world.user("coordinator"), iop=iop)


def test_a_stale_version_changes_nothing(world: World, draft: Report) -> None:
    services.report_update(actor=world.user("teacher"), report=draft, version=draft.version, data={"summary": "Ny"})
    with pytest.raises(EditConflict) as exc:
        services.report_update(actor=world.user("coordinator"), report=draft, version=1, data={"summary": "Gammel"})
    assert [c.name for c in exc.value.clashes] == ["summary"]
    assert Report.objects.get(pk=draft.pk).summary == "Ny"
    # A different text from the same version merges.
    services.report_update(actor=world.user("coordinator"), report=draft, version=1, data={"organisation": "Gruppe"})
    assert Report.objects.filter(pk=draft.pk, summary="Ny", organisation="Gruppe").exists()
    # The teacher's own stale form (another window) does not overwrite what the teacher saved: the conflict says so.
    with pytest.raises(EditConflict) as exc:
        services.report_update(actor=world.user("teacher"), report=draft, version=1, data={"summary": "Ny 2"})
    assert [(c.name, c.own) for c in exc.value.clashes] == [("summary", True)]
    assert Report.objects.filter(pk=draft.pk, summary="Ny", organisation="Gruppe").exists()


def test_finalising_makes_an_archive_pdf_kept_with_its_checksum(world: World, draft: Report, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="oppsummering"):
        services.report_finalise(actor=world.user("teacher"), report=draft, version=draft.version)
    report = finalise(world, draft)
    assert report.status == Report.Status.FINALISED and report.finalised_at and report.finalised_by
    data = Path(report.pdf.path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == report.pdf_sha256 and report.pdf_size == len(data)
    xmp = pdf_info(data, tmp_path, "-meta")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    info = pdf_info(data, tmp_path)
    assert "Tagged:          yes" in info and "Årsrapport" in info
    text = pdf_text(data, tmp_path)
    assert "Anna leser nå korte tekster selv." in text and "UTKAST" not in text and "Ferdigstilt" in text
    # immutable from now on
    with pytest.raises(ValidationError):
        services.report_update(
            actor=world.user("teacher"), report=report, version=report.version, data={"summary": "x"}
        )
    with pytest.raises(ValidationError):
        services.report_finalise(actor=world.user("teacher"), report=report, version=report.version)


def test_re_downloading_gives_the_same_bytes(world: World, draft: Report) -> None:
    report = finalise(world, draft)
    client = world.client("coordinator")
    url = reverse("reports:report_pdf", args=[report.pk])
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf" and "attachment" in first["Content-Disposition"]
    assert first.content == second.content == Path(report.pdf.path).read_bytes()


def test_a_tampered_pdf_is_not_delivered(world: World, draft: Report) -> None:
    report = finalise(world, draft)
    Path(report.pdf.path).write_bytes(b"%PDF-1.7 tampered")
    response = world.client("teacher").get(reverse("reports:report_pdf", args=[report.pk]))
    assert response.status_code == 409
    assert "sjekksummen" in response.content.decode()


def test_guardians_read_only_published_reports_of_their_own_child(world: World, draft: Report) -> None:
    guardian, other = world.client("guardian_a"), world.client("guardian_b")
    detail = reverse("reports:report_detail", args=[draft.pk])
    pdf = reverse("reports:report_pdf", args=[draft.pk])
    assert guardian.get(detail).status_code == 404 and guardian.get(pdf).status_code == 404
    report = finalise(world, draft)
    assert guardian.get(pdf).status_code == 404  # finalised, not yet published
    services.report_publish(actor=world.user("teacher"), report=report)
    assert guardian.get(detail).status_code == 200
    response = guardian.get(pdf)
    assert response.status_code == 200 and response.content == Path(report.pdf.path).read_bytes()
    assert other.get(pdf).status_code == 404
    assert guardian.post(reverse("reports:report_publish", args=[report.pk])).status_code == 404
    page = guardian.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert reverse("reports:report_pdf", args=[report.pk]) in page


def test_the_pupil_page_lists_drafts_for_staff_but_not_for_guardians(world: World, draft: Report) -> None:
    url = reverse("pupil_detail", args=[world.pupil_a.pk])
    staff = world.client("teacher").get(url).content.decode()
    assert reverse("reports:report_detail", args=[draft.pk]) in staff
    assert reverse("reports:report_create", args=[draft.iop_id]) in staff  # the half-year report is still to make
    guardian = world.client("guardian_a").get(url).content.decode()
    assert reverse("reports:report_detail", args=[draft.pk]) not in guardian
    assert reverse("reports:iop_pdf", args=[draft.iop_id]) in guardian


def test_editing_in_the_browser_with_htmx(world: World, draft: Report) -> None:
    client = world.client("teacher")
    goal_text = draft.goal_texts.first()
    assert goal_text is not None
    data = {
        "version": draft.version,
        "summary": "Anna har hatt et godt år.",
        "organisation": "Mest i liten gruppe.",
        "period_start": draft.period_start.isoformat(),
        "period_end": draft.period_end.isoformat(),
        f"goal_{goal_text.pk}": "Anna leser korte tekster med god flyt.",
    }
    response = client.post(reverse("reports:report_update", args=[draft.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lagret kl." in body and "<html" not in body
    goal_text.refresh_from_db()
    assert goal_text.masters == "Anna leser korte tekster med god flyt."
    draft.refresh_from_db()
    assert draft.summary == "Anna har hatt et godt år." and draft.version == 2
    # another teacher's stale form: a clear Norwegian message, both texts shown, nothing saved
    other = world.client("coordinator")
    body = other.post(
        reverse("reports:report_update", args=[draft.pk]),
        {**data, "summary": "Min nye tekst", "version": 1},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "mens du redigerte" in body and "Min nye tekst" in body and "Anna har hatt et godt år." in body
    assert Report.objects.get(pk=draft.pk).summary == "Anna har hatt et godt år."
    # bad input: period ends before it starts
    data.update(version=2, period_end="2000-01-01")
    response = client.post(reverse("reports:report_update", args=[draft.pk]), data)
    assert response.status_code == 200 and "Perioden må slutte" in response.content.decode()
    data.update(period_end="ikke en dato")
    assert client.post(reverse("reports:report_update", args=[draft.pk]), data).status_code == 200


def test_the_finalise_and_publish_buttons(world: World, draft: Report) -> None:
    client = world.client("teacher")
    response = client.post(reverse("reports:report_finalise", args=[draft.pk]), {"version": "nonsense", "confirm": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_draft
    Report.objects.filter(pk=draft.pk).update(summary="Et godt år.")
    client.post(reverse("reports:report_finalise", args=[draft.pk]), {"version": draft.version, "confirm": "1"})
    page = client.post(reverse("reports:report_publish", args=[draft.pk]))  # first a confirmation page
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    client.post(reverse("reports:report_publish", args=[draft.pk]), {"confirm": "1"})
    draft.refresh_from_db()
    assert draft.is_published and draft.pdf_sha256


def report_form(draft: Report, **changes: Any) -> dict[str, Any]:
    """The report form as the browser posts it, with CHANGES."""
    data: dict[str, Any] = {
        "version": draft.version,
        "summary": draft.summary,
        "organisation": draft.organisation,
        "period_start": draft.period_start.isoformat(),
        "period_end": draft.period_end.isoformat(),
    }
    data.update({f"goal_{g.pk}": g.masters for g in draft.goal_texts.all()})
    data.update({f"subject_{s.pk}": s.organisation_used for s in draft.subject_texts.all()})
    data.update(changes)
    return data


def test_finalise_saves_the_text_posted_along_and_asks_first(world: World, draft: Report, tmp_path: Path) -> None:
    """The button sits in the form below the texts: text not yet saved comes
    along, is saved, and a confirmation page (no JavaScript) finalises it."""
    client = world.client("teacher")
    url = reverse("reports:report_finalise", args=[draft.pk])
    page = client.post(url, report_form(draft, summary="Skrevet like før ferdigstilling."))
    body = page.content.decode()
    assert page.status_code == 200 and 'name="confirm" value="1"' in body and "Ja, ferdigstill rapporten" in body
    draft.refresh_from_db()
    assert draft.is_draft and draft.summary == "Skrevet like før ferdigstilling."  # saved, not yet final
    client.post(url, {"confirm": "1", "version": draft.version})
    draft.refresh_from_db()
    assert not draft.is_draft
    assert "Skrevet like før ferdigstilling." in pdf_text(Path(draft.pdf.path).read_bytes(), tmp_path)


def test_finalise_with_bad_text_is_refused_and_keeps_it(world: World, draft: Report) -> None:
    client = world.client("teacher")
    url = reverse("reports:report_finalise", args=[draft.pk])
    response = client.post(url, report_form(draft, summary="Teksten min", period_end="2000-01-01"))
    body = response.content.decode()
    assert response.status_code == 200 and "Rapporten er ikke ferdigstilt" in body and "Teksten min" in body
    draft.refresh_from_db()
    assert draft.is_draft and draft.summary != "Teksten min"
    # With htmx (the button inside the htmx form) the answer replaces the page body.
    answer = client.post(url, report_form(draft, summary="Med htmx"), HTTP_HX_REQUEST="true")
    assert answer["HX-Retarget"] == "body" and "Ja, ferdigstill rapporten" in answer.content.decode()


def test_the_report_page_runs_a_fixed_number_of_queries(world: World) -> None:
    """The same queries for 3 goals with 1 log each as for 18 goals with 6 logs each."""
    client = world.client("teacher")
    measured = []
    for goals in (1, 6):
        Report.objects.all().delete()
        Iop.objects.all().delete()
        iop = make_iop(world.pupil_a, goals_per_subject=goals, logs_per_goal=goals)
        report = services.report_create(actor=world.user("teacher"), iop=iop)
        measured.append(page_queries(client, reverse("reports:report_detail", args=[report.pk]), warm=True))
    assert_same_queries(measured[0], measured[1], at_most=18)


@pytest.mark.parametrize("reports", [1, 4])
def test_the_pupil_page_section_runs_a_fixed_number_of_queries(
    world: World, reports: int, django_assert_num_queries: pytest.FixtureRequest
) -> None:
    from iop.reports.selectors import pupil_reports
    from students import access
    from students.access import Action

    for _n in range(reports):
        iop = make_iop(world.pupil_b, goals_per_subject=1, logs_per_goal=1, subjects=(("Norsk", 10),))
        services.report_create(actor=world.user("coordinator"), iop=iop)
        Iop.objects.filter(pk=iop.pk).update(status=Iop.Status.ARCHIVED)
    pupil = access.get_pupil(world.user("coordinator"), world.pupil_b.pk, Action.VIEW)
    with django_assert_num_queries(2):
        data = pupil_reports(pupil)
    assert data is not None and len(data.reports) == reports


def test_the_demo_makes_a_published_half_year_report_and_an_annual_draft(db: None, settings: Any) -> None:
    from iop import demo as iop_demo
    from iop.reports import demo
    from students import demo as students_demo

    students_demo.create()
    iop_demo.create()
    demo.create()
    demo.create()  # idempotent
    kinds = dict(Report.objects.values_list("kind", "status"))
    assert kinds == {Report.Kind.HALVAARSRAPPORT: Report.Status.PUBLISHED, Report.Kind.AARSRAPPORT: Report.Status.DRAFT}


def test_an_autosave_that_merges_others_texts_gives_the_whole_form_back(world: World, draft: Report) -> None:
    url = reverse("reports:report_update", args=[draft.pk])
    stale = report_form(draft)
    world.client("coordinator").post(url, {**stale, "organisation": "Koordinatorens tekst"}, HTTP_HX_REQUEST="true")
    answer = world.client("teacher").post(url, {**stale, "summary": "Lærerens tekst"}, HTTP_HX_REQUEST="true")
    assert answer["HX-Retarget"] == "#report-form" and "Koordinatorens tekst" in answer.content.decode()
    assert Report.objects.filter(pk=draft.pk, summary="Lærerens tekst", organisation="Koordinatorens tekst").exists()


def test_guardians_read_the_levels_in_the_words_of_their_iop_pages_and_the_hours_add_up(
    world: World, draft: Report
) -> None:
    """The same goal reads "Mestrer" in the guardian's IOP and in the report,
    not "Kompetent" in one of them; the decision's hours have their sum."""
    report = finalise(world, draft)
    services.report_publish(actor=world.user("teacher"), report=report)
    detail = reverse("reports:report_detail", args=[report.pk])
    guardian = world.client("guardian_a").get(detail).content.decode()
    assert '<th scope="row">Hvor godt</th><td>Har begynt</td><td>Mestrer</td>' in guardian
    assert '<th scope="row">Hvor selvstendig</th>' in guardian and '<th scope="row">Kvalitet</th>' not in guardian
    assert "<desc>Hvor godt: Har begynt → På vei → Mestrer" in guardian  # the chart's words too
    assert "kompetent (mestrer)" in guardian  # the legend, for the levels named in the written text
    staff = world.client("teacher").get(detail).content.decode()
    assert '<th scope="row">Kvalitet</th><td>Begynnernivå</td><td>Kompetent</td>' in staff
    total = staff.split("<tfoot>")[1].split("</tfoot>")[0]
    assert "<td>171</td>" in total  # 76 + 57 + 38 hours in the decision
