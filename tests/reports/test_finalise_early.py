"""Finalising an årsrapport before its period has ended is allowed (a pupil
moving away needs it now) but the confirmation page says so clearly: a
finalised report is a permanent archive PDF."""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse

from iop.reports import services
from iop.reports.models import Report
from students.models import User
from tests.conftest import World

from .fixtures import draft_report

D = datetime.date
MID_YEAR = "2026-11-30T10:00:00+01:00"
AFTER = "2027-06-21T10:00:00+02:00"


def ending_in_june(world: World) -> Report:
    report = draft_report(world)
    Report.objects.filter(pk=report.pk).update(
        period_start=D(2026, 8, 17), period_end=D(2027, 6, 19), summary="Anna leser nå korte tekster selv."
    )
    report.refresh_from_db()
    return report


def test_the_warning_names_the_end_of_a_period_not_over_yet(world: World) -> None:
    report = ending_in_june(world)
    warning = services.finalise_warning(report, D(2026, 11, 30))
    assert warning == "Perioden rapporten gjelder, slutter først 19. juni 2027. En ferdigstilt rapport kan ikke endres."
    assert services.finalise_warning(report, D(2027, 6, 19)) is None  # the last day: the period is over
    assert services.finalise_warning(report, D(2027, 6, 20)) is None


def test_the_confirmation_page_warns_mid_year_and_still_lets_the_user_finalise(world: World) -> None:
    report = ending_in_june(world)
    client = world.client("teacher")
    url = reverse("reports:report_finalise", args=[report.pk])
    with time_machine.travel(MID_YEAR, tick=False):
        page = client.post(url, {"version": report.version})
        body = page.content.decode()
        assert page.status_code == 200
        assert (
            "Perioden rapporten gjelder, slutter først 19. juni 2027. En ferdigstilt rapport kan ikke endres." in body
        )
        assert "data-finalise-early" in body and "Ja, ferdigstill rapporten" in body
        client.post(url, {"confirm": "1", "version": report.version})
    report.refresh_from_db()
    assert not report.is_draft  # finalising early is allowed once the user has been told


def test_the_confirmation_page_says_nothing_more_once_the_period_is_over(world: World) -> None:
    report = ending_in_june(world)
    with time_machine.travel(AFTER, tick=False):
        page = world.client("teacher").post(
            reverse("reports:report_finalise", args=[report.pk]), {"version": report.version}
        )
    body = page.content.decode()
    assert page.status_code == 200 and "Ja, ferdigstill rapporten" in body
    assert "data-finalise-early" not in body and "slutter først" not in body


def test_the_warning_is_in_the_users_language(world: World) -> None:
    report = ending_in_june(world)
    User.objects.filter(pk=world.user("teacher").pk).update(language="nn")  # type: ignore[union-attr]
    with time_machine.travel(MID_YEAR, tick=False):
        page = world.client("teacher").post(
            reverse("reports:report_finalise", args=[report.pk]),
            {"version": report.version},
        )
    assert "Perioden rapporten gjeld, sluttar først" in page.content.decode()
