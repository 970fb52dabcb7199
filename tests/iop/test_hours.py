"""Hours of teaching given come from one selector (``iop.selectors.hours_given``):
the IOP page, the årsrapport and the key figures agree, a log outside the
plan's period counts nowhere, and each teacher corrects only their own logs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from followup.kpi import selectors as kpi
from iop import selectors, services
from iop.models import AccessLogEntry, GoalLog, Iop, TeachingLog
from iop.reports import selectors as report_selectors
from iop.reports import services as report_services
from students.models import School
from tests.conftest import World
from tests.iop.factories import chain
from tests.queries import assert_same_queries, page_queries

DAY = datetime.timedelta(days=1)


@pytest.fixture
def iop(world: World) -> Iop:
    made = chain(world.pupil_a, author=world.user("ppt"), goals=1)
    assert made.iop is not None
    return made.iop


def log(world: World, iop: Iop, start: datetime.date, hours: str, persona: str = "teacher") -> TeachingLog:
    return TeachingLog.objects.create(
        section=iop.sections.get(),
        author=world.user(persona),
        period_start=start,
        period_end=start + 4 * DAY,
        hours=Decimal(hours),
    )


def shown_hours(world: World, iop: Iop) -> tuple[Decimal, Decimal, Decimal]:
    """Hours given in the subject as the IOP page, the årsrapport and the key figures count them."""
    page = selectors.iop_page(world.user("teacher"), iop.pk)
    on_page = page.sections[0].section.hours_given  # type: ignore[union-attr]
    report = report_services.report_create(actor=world.user("teacher"), iop=iop)
    in_report = report_selectors.report_document(report, chart=False).subjects[0].given_hours
    figures = kpi.key_figures(School.objects.filter(pk=world.school1.pk), iop.period_start + 30 * DAY)
    in_kpi = next(r for r in figures[0].rows if r.year_level is None).hours_given
    assert in_report is not None
    return on_page, in_report, in_kpi


def test_the_iop_page_the_report_and_the_key_figures_show_the_same_hours(world: World, iop: Iop) -> None:
    log(world, iop, iop.period_start + 7 * DAY, "3")
    log(world, iop, iop.period_start + 14 * DAY, "2.5", persona="faglaerer")
    assert shown_hours(world, iop) == (Decimal("5.5"), Decimal("5.5"), Decimal("5.5"))
    html = world.client("teacher").get(iop.get_absolute_url()).content.decode()
    assert "5,5 årstimer (60 min)" in html


def test_a_log_outside_the_plans_period_counts_nowhere(world: World, iop: Iop) -> None:
    log(world, iop, iop.period_start + 7 * DAY, "3")
    before = log(world, iop, iop.period_start - 20 * DAY, "10")  # logged before the plan's period was changed
    assert shown_hours(world, iop) == (Decimal(3), Decimal(3), Decimal(3))
    sections = selectors.teaching_logs(iop)
    assert [e.counted for e in sections[0].log_list] == [False, True]  # type: ignore[attr-defined]
    page = world.client("teacher").get(reverse("iop:teaching_log_list", args=[iop.pk])).content.decode()
    assert "Utenfor planens periode: teller ikke" in page
    assert before.pk  # still listed, so it can be corrected or deleted


def test_a_progress_log_before_the_plans_period_is_not_the_start_level(world: World, iop: Iop) -> None:
    goal = iop.goals.get()
    GoalLog.objects.create(goal=goal, date=iop.period_start - 5 * DAY, quality=1, author=world.user("teacher"))
    GoalLog.objects.create(goal=goal, date=iop.period_start + 5 * DAY, quality=2, author=world.user("teacher"))
    GoalLog.objects.create(goal=goal, date=iop.period_start + 9 * DAY, quality=3, author=world.user("teacher"))
    doc = report_selectors.build_document(iop, world.pupil_a, iop.period_start, iop.period_end, chart=False)
    [row] = doc.subjects[0].goals
    assert (row.start_quality, row.latest_quality) == (2, 3)
    assert row.start_date == iop.period_start + 5 * DAY


def test_the_author_corrects_and_deletes_their_own_log(world: World, iop: Iop) -> None:
    entry = log(world, iop, iop.period_start + 7 * DAY, "3")
    client = world.client("teacher")
    url = reverse("iop:teaching_log_update", args=[entry.pk])
    data = {
        "section": str(entry.section_id),
        "period_start": entry.period_start,
        "period_end": entry.period_end,
        "hours": "4",
    }
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.hours == Decimal(4)
    # Hours the field can not hold say so in words, not in digits counted.
    for hours, message in (
        ("99999999", "flere timer enn en periode kan romme"),
        ("2.25", "høyst én desimal"),
        ("1.123456", "høyst én desimal"),  # written too precisely, not too many hours
    ):
        page = client.post(url, {**data, "hours": hours}).content.decode()
        assert message in page and "tall totalt" not in page, hours
    # A period outside the plan is refused with a message, and nothing is lost.
    outside = {**data, "period_start": iop.period_end + DAY, "period_end": iop.period_end + 2 * DAY, "hours": "9"}
    response = client.post(url, outside)
    assert response.status_code == 200 and "Velg en dato fra" in response.content.decode()
    entry.refresh_from_db()
    assert entry.hours == Decimal(4)
    delete = reverse("iop:teaching_log_delete", args=[entry.pk])
    confirm = client.post(delete)
    assert confirm.status_code == 200 and 'name="confirm" value="1"' in confirm.content.decode()
    assert TeachingLog.objects.filter(pk=entry.pk).exists()
    assert client.post(delete, {"confirm": "1"}).status_code == 302
    assert not TeachingLog.objects.filter(pk=entry.pk).exists()


def test_others_read_a_log_but_do_not_change_it(world: World, iop: Iop) -> None:
    entry = log(world, iop, iop.period_start + 7 * DAY, "3")
    page = world.client("coordinator").get(reverse("iop:teaching_log_list", args=[iop.pk])).content.decode()
    assert reverse("iop:teaching_log_update", args=[entry.pk]) not in page
    assert AccessLogEntry.objects.filter(user=world.user("coordinator"), kind=AccessLogEntry.Kind.IOP).exists()
    own = world.client("teacher").get(reverse("iop:teaching_log_list", args=[iop.pk])).content.decode()
    assert reverse("iop:teaching_log_update", args=[entry.pk]) in own
    for persona in ("coordinator", "faglaerer"):
        client = world.client(persona)
        assert client.post(reverse("iop:teaching_log_update", args=[entry.pk]), {"hours": "1"}).status_code == 403
        assert client.post(reverse("iop:teaching_log_delete", args=[entry.pk]), {"confirm": "1"}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.teaching_log_delete(actor=world.user(persona), entry=entry)
    entry.refresh_from_db()
    assert entry.hours == Decimal(3)


def test_the_log_list_runs_the_same_queries_with_few_or_many_logs(world: World, iop: Iop) -> None:
    log(world, iop, iop.period_start + 7 * DAY, "1")
    url = reverse("iop:teaching_log_list", args=[iop.pk])
    client = world.client("teacher")
    few = page_queries(client, url)
    TeachingLog.objects.bulk_create(
        TeachingLog(
            section=iop.sections.get(),
            author=world.user("faglaerer"),
            period_start=iop.period_start + i * DAY,
            period_end=iop.period_start + i * DAY,
            hours=Decimal(1),
            created_at=timezone.now(),
        )
        for i in range(30)
    )
    assert_same_queries(few, page_queries(client, url))


def test_hours_for_days_to_come_and_progress_before_the_plan_are_refused_keeping_the_text(
    world: World, iop: Iop
) -> None:
    with time_machine.travel(datetime.datetime.fromisoformat("2026-11-29T12:00:00+01:00"), tick=False):
        Iop.objects.filter(pk=iop.pk).update(
            period_start=datetime.date(2026, 8, 18), period_end=datetime.date(2027, 6, 19)
        )
        client = world.client("teacher")
        section = iop.sections.get()
        future = {
            "undervisning-section": str(section.pk),
            "undervisning-period_start": "2026-12-01",
            "undervisning-period_end": "2026-12-04",
            "undervisning-hours": "4",
            "undervisning-note": "Ukeplan desember",
        }
        page = client.post(reverse("iop:teaching_log_create", args=[iop.pk]), future)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Timer føres bare for undervisning som er gitt" in html and "Ukeplan desember" in html
        assert not TeachingLog.objects.filter(section=section).exists()
        given = {**future, "undervisning-period_start": "2026-11-23", "undervisning-period_end": "2026-11-27"}
        assert client.post(reverse("iop:teaching_log_create", args=[iop.pk]), given).status_code == 302

        goal = iop.goals.get()
        early = {"date": "2026-08-10", "quality": "1", "note": "Leste tre ord i august"}
        page = client.post(reverse("iop:goal_log_create", args=[goal.pk]), early)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Planens periode starter 18.08.2026" in html and "Leste tre ord i august" in html
        assert not GoalLog.objects.filter(goal=goal).exists()


def test_more_hours_than_the_period_or_the_school_year_holds_are_refused_keeping_the_text(
    world: World, iop: Iop
) -> None:
    """5 000 hours for two days, or 100 000 årstimer in a subject, are typing
    mistakes: refused by the field, with the rest of the form kept."""
    with time_machine.travel(datetime.datetime.fromisoformat("2026-11-29T12:00:00+01:00"), tick=False):
        Iop.objects.filter(pk=iop.pk).update(
            period_start=datetime.date(2026, 8, 18), period_end=datetime.date(2027, 6, 19)
        )
        client = world.client("teacher")
        section = iop.sections.get()
        data = {
            "undervisning-section": str(section.pk),
            "undervisning-period_start": "2026-11-20",
            "undervisning-period_end": "2026-11-21",
            "undervisning-hours": "5000",
            "undervisning-note": "To dager med lesekurs",
        }
        page = client.post(reverse("iop:teaching_log_create", args=[iop.pk]), data)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Høyst 20 timer for en periode på 2 dager (10 per dag)" in html and "To dager med lesekurs" in html
        assert not TeachingLog.objects.filter(section=section).exists()
        one_day = data | {"undervisning-period_end": "2026-11-20", "undervisning-hours": "11"}
        html = client.post(reverse("iop:teaching_log_create", args=[iop.pk]), one_day).content.decode()
        assert "Høyst 10 timer for en periode på 1 dag (10 per dag)" in html
        data["undervisning-hours"] = "20"
        assert client.post(reverse("iop:teaching_log_create", args=[iop.pk]), data).status_code == 302

        prefix = str(section.pk)
        page = client.post(
            reverse("iop:section_update", args=[section.pk]),
            {f"{prefix}-version": str(section.version), f"{prefix}-hours": "100000", f"{prefix}-content": "Lesing"},
            HTTP_HX_REQUEST="true",
        )
        section.refresh_from_db()
        assert section.hours != 100000
        assert "mindre enn eller lik 1500" in page.content.decode()
