"""A report goes to the guardians: it reports on the goals of the IOP as it
was published to them, never on a goal that exists only in the teachers'
unpublished draft (which the guardians' IOP page and IOP PDF hide too)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from iop import services as iop_services
from iop.models import Goal, Iop
from iop.reports import selectors, services
from iop.reports.models import Report, ReportBatch, ReportGoal
from tests.conftest import World
from tests.queries import assert_same_queries, page_queries

from .conftest import pdf_text
from .factories import add_goal, make_iop

PUBLISHED = "Norsk: mål 1"
HIDDEN = "Upublisert mål: skrive dikt"
STAFF_NOTE = "Ett læringsmål i IOP-en er ikke med i rapporten"


def published_iop(world: World, **options: Any) -> Iop:
    """A published IOP (kept as version 1) with one goal and its logs."""
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=3, subjects=(("Norsk", 76),), **options)
    iop_services.iop_publish(actor=world.user("coordinator"), iop=iop, version=iop.version)
    iop.refresh_from_db()
    return iop


def add_unpublished_goal(iop: Iop, text: str = HIDDEN) -> Goal:
    """A goal added to the live plan after it was published, never published."""
    return add_goal(iop, iop.sections.get(), text, order=5, logs=0)


def finalise_and_publish(world: World, report: Report) -> Report:
    actor = world.user("coordinator")
    report = services.report_update(
        actor=actor, report=report, version=report.version, data={"summary": "Anna leser nå korte tekster selv."}
    )
    report.pupil = world.pupil_a
    report = services.report_finalise(actor=actor, report=report, version=report.version)
    report.pupil = world.pupil_a
    return services.report_publish(actor=actor, report=report)


def test_a_draft_has_texts_only_on_the_published_goals(world: World) -> None:
    iop = published_iop(world)
    hidden = add_unpublished_goal(iop)
    report = services.report_create(actor=world.user("coordinator"), iop=iop)
    texts = list(ReportGoal.objects.filter(report=report).select_related("goal"))
    assert [t.goal.text for t in texts if t.goal] == [PUBLISHED]
    report.pupil = world.pupil_a
    doc = selectors.report_document(report, chart=False)
    assert [row.goal.text for row in doc.goals] == [PUBLISHED]
    assert doc.unpublished_goals == 1
    assert hidden.pk not in {row.goal.pk for row in doc.goals}


def test_the_schools_batch_of_drafts_leaves_out_unpublished_goals(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    iop = published_iop(world)
    add_unpublished_goal(iop)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_start(
            actor=world.user("coordinator"),
            school=world.school1,
            school_year=iop.school_year,
            job=ReportBatch.Job.DRAFTS,
        )
    report = Report.objects.get(iop=iop)
    assert list(ReportGoal.objects.filter(report=report).values_list("goal__text", flat=True)) == [PUBLISHED]


def test_a_goal_published_then_edited_is_reported_on_with_its_text(world: World) -> None:
    iop = published_iop(world)
    Goal.objects.filter(iop=iop).update(text="Norsk: lese korte tekster")
    report = services.report_create(actor=world.user("coordinator"), iop=iop)
    report.pupil = world.pupil_a
    assert [row.goal.text for row in selectors.report_document(report, chart=False).goals] == [
        "Norsk: lese korte tekster"
    ]


def test_only_unpublished_goals_leave_nothing_to_report_on(world: World) -> None:
    iop = published_iop(world)
    Goal.objects.filter(iop=iop).delete()  # deleted in the draft; the guardians still read version 1
    add_unpublished_goal(iop)
    iop.refresh_from_db()
    with pytest.raises(ValidationError, match="Publiser endringene"):
        services.report_create(actor=world.user("coordinator"), iop=iop)


def test_a_report_on_a_plan_never_published_shows_no_goals(world: World) -> None:
    """A plan never published has reached nobody: the report has no goals to report on."""
    iop = make_iop(world.pupil_a, goals_per_subject=1, status=Iop.Status.DRAFT, subjects=(("Norsk", 76),))
    report = Report.objects.create(
        pupil=world.pupil_a, iop=iop, period_start=iop.period_start, period_end=iop.period_end, language="nb"
    )
    report.pupil = world.pupil_a
    doc = selectors.report_document(report, chart=False)
    assert doc.goals == [] and doc.subjects == [] and doc.unpublished_goals == 1


def test_a_plan_published_before_versions_were_kept_reports_on_its_live_goals(world: World) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=2, subjects=(("Norsk", 76),))  # published, no version
    report = services.report_create(actor=world.user("coordinator"), iop=iop)
    assert report.goal_texts.count() == 2


def drafted_on_the_live_plan(world: World) -> Report:
    """A draft with a text on every goal of the live plan, one of them never
    published (as drafts were made before reports kept to the published plan)."""
    iop = published_iop(world)
    add_unpublished_goal(iop)
    report = Report.objects.create(
        pupil=world.pupil_a, iop=iop, period_start=iop.period_start, period_end=iop.period_end, language="nb"
    )
    for n, goal in enumerate(iop.goals.order_by("order")):
        ReportGoal.objects.create(report=report, goal=goal, masters=f"Eleven kan {goal.text}.", order=n)
    return report


def test_guardians_never_read_an_unpublished_goal_in_a_published_report(world: World, tmp_path: Path) -> None:
    """Once finalised and published, neither the guardians' page nor the
    archive PDF they download holds the goal that was never published."""
    report = finalise_and_publish(world, drafted_on_the_live_plan(world))
    guardian = world.client("guardian_a")
    page = guardian.get(reverse("reports:report_detail", args=[report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert PUBLISHED in html
    assert HIDDEN not in html and STAFF_NOTE not in html
    response = guardian.get(reverse("reports:report_pdf", args=[report.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert PUBLISHED in text
    assert HIDDEN not in text


def test_staff_are_told_which_goals_a_draft_leaves_out(world: World) -> None:
    report = drafted_on_the_live_plan(world)
    page = world.client("coordinator").get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert STAFF_NOTE in page and PUBLISHED in page and HIDDEN not in page


def test_the_report_page_runs_a_fixed_number_of_queries_whatever_is_unpublished(world: World) -> None:
    client = world.client("coordinator")
    iop = published_iop(world)
    report = services.report_create(actor=world.user("coordinator"), iop=iop)
    url = reverse("reports:report_detail", args=[report.pk])
    small = page_queries(client, url, warm=True)
    for n in range(6):
        add_unpublished_goal(iop, f"{HIDDEN} {n}")
    assert_same_queries(small, page_queries(client, url, warm=True))
