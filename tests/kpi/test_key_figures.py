"""Key figures checked against a generated school year with known counts."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from followup.kpi import selectors
from followup.models import Talk
from iop.models import Iup
from students.models import Group, SchoolYear, StaffMembership
from tests import factories as f
from tests.conftest import World
from tests.queries import assert_same_queries, page_queries

TODAY = datetime.date(2026, 11, 10)
H, P = Talk.Status.HELD, Talk.Status.PLANNED
U, E, F = Talk.Kind.UTVIKLINGSSAMTALE, Talk.Kind.ELEVSAMTALE, Talk.Kind.FORELDRESAMTALE


def talk(pupil, year, kind, status, day):  # type: ignore[no-untyped-def]
    return Talk.objects.create(pupil=pupil, school_year=year, kind=kind, status=status, date=day)


def iup(pupil, year, status=Iup.Status.PUBLISHED, talk_date=None):  # type: ignore[no-untyped-def]
    published = timezone.now() if status == Iup.Status.PUBLISHED else None
    return Iup.objects.create(
        pupil=pupil, school_year=year, status=status, talk_date=talk_date or year.start, published_at=published
    )


@pytest.fixture
def school_year(db: None):  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False):
        school = f.SchoolFactory(name="Nøkkelskolen")
        this = SchoolYear.objects.create(
            school=school, name="2026/27", start=datetime.date(2026, 8, 17), end=datetime.date(2027, 6, 18)
        )
        last = SchoolYear.objects.create(
            school=school, name="2025/26", start=datetime.date(2025, 8, 18), end=datetime.date(2026, 6, 19)
        )
        g5 = Group.objects.create(school_year=this, name="5A", year_level=5)
        g2 = Group.objects.create(school_year=this, name="2A", year_level=2)
        g4_last = Group.objects.create(school_year=last, name="4A", year_level=4)
        p1, p2, p3, p4 = (f.pupil_in(g5, first_name=f"P{i}") for i in range(1, 5))
        p5, p6 = (f.pupil_in(g2, first_name=f"P{i}") for i in range(5, 7))
        for p in (p1, p2, p3, p4):
            f.enrol(p, g4_last)
        # Each plan agreed at a development talk also recorded as a talk (below): one talk, counted once.
        iup(p1, this, talk_date=datetime.date(2026, 10, 1)), iup(p2, this, talk_date=datetime.date(2026, 9, 10))
        iup(p3, this, Iup.Status.DRAFT), iup(p5, this, talk_date=datetime.date(2026, 11, 1))
        iup(p1, last)  # its talk is recorded only in the plan: last year's one talk
        for day in (datetime.date(2026, 8, 20), datetime.date(2026, 9, 1), datetime.date(2026, 9, 15)):
            talk(p1, this, E, H, day)
        talk(p1, this, U, H, datetime.date(2026, 10, 1))
        talk(p2, this, E, H, datetime.date(2026, 8, 25))
        talk(p2, this, U, H, datetime.date(2026, 9, 10))
        talk(p4, this, U, P, datetime.date(2026, 11, 20))
        talk(p5, this, U, H, datetime.date(2026, 11, 1))
        talk(p6, this, F, H, datetime.date(2026, 10, 5))
        coordinator = f.UserFactory(email="kpi-koordinator@test.example")
        f.member(coordinator, school, StaffMembership.Role.KOORDINATOR)
        yield {"school": school, "coordinator": coordinator, "pupils": (p1, p2, p3, p4, p5, p6), "g5": g5}


def rows_by_level(figures, index):  # type: ignore[no-untyped-def]
    return {row.year_level: row for row in figures[index].rows}


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_it_counts_iups_talks_and_this_terms_talks(school_year) -> None:  # type: ignore[no-untyped-def]
    from students.models import School

    figures = selectors.key_figures(School.objects.filter(pk=school_year["school"].pk), TODAY)
    assert [y.label for y in figures] == ["2026/27", "2025/26"]
    now = rows_by_level(figures, 0)
    assert (now[5].pupils, now[5].with_iup, now[5].talks, now[5].at_target, now[5].term_done) == (4, 2, 6, 1, 2)
    assert (now[5].iup_share, now[5].talks_per_pupil, now[5].at_target_share, now[5].term_share) == (50, 1.5, 25, 50)
    assert (now[2].pupils, now[2].with_iup, now[2].talks, now[2].term_done) == (2, 1, 1, 1)
    assert now[2].at_target_share is None  # year 2 is outside the talk target's years
    assert (now[None].pupils, now[None].with_iup, now[None].term_share) == (6, 3, 50)
    before = rows_by_level(figures, 1)
    assert (before[4].pupils, before[4].with_iup, before[4].talks, before[None].iup_share) == (4, 1, 1, 25)


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_it_shows_the_figures_and_exports_them_as_csv(school_year, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(school_year["coordinator"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("kpi:key_figures")).content.decode()
    assert "Nøkkeltall" in page and "Skoleår 2026/27" in page and "50.0 % (3)" in page.replace(",", ".")
    response = client.get(reverse("kpi:key_figures_csv"))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Skoleår;Skole;Trinn;Elever")
    no_time = ";" * 9  # no step of the chain measured (test_chain_times)
    assert "2026/27;Nøkkelskolen;5;4;2;50,0;1,50;25,0;50,0;0;0;0;0" + no_time in lines
    assert "2025/26;Nøkkelskolen;Alle;4;1;25,0;0,25;;0,0;0;0;0;0" + no_time in lines


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_it_rounds_half_up_on_the_page_and_in_the_csv(school_year, client) -> None:  # type: ignore[no-untyped-def]
    last_4a = Group.objects.get(school_year__name="2025/26", name="4A")
    for i in range(4):  # last year's one talk among 8 pupils: 0.125 talks per pupil, and 1 IUP of 8 (12.5 %)
        f.pupil_in(last_4a, first_name=f"Q{i}")
    client.force_login(school_year["coordinator"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("kpi:key_figures")).content.decode()
    last_year = page.split("Skoleår 2025/26", 1)[1]
    assert "<td>0,13</td>" in last_year and "<td>0,12</td>" not in last_year
    lines = client.get(reverse("kpi:key_figures_csv")).content.decode("utf-8-sig").splitlines()
    assert any(line.startswith("2025/26;Nøkkelskolen;Alle;8;1;12,5;0,13;") for line in lines), lines


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_the_page_shows_talks_per_pupil_as_the_csv_does(school_year, client) -> None:  # type: ignore[no-untyped-def]
    """Two decimals on both, also where they are zeros: 0,00 and 1,50, not 0,0 and 1,5."""
    g7 = Group.objects.create(school_year=school_year["g5"].school_year, name="7A", year_level=7)
    f.pupil_in(g7, first_name="Utensamtale")  # no talk: 0 talks per pupil
    client.force_login(school_year["coordinator"], backend="django.contrib.auth.backends.ModelBackend")
    this_year = client.get(reverse("kpi:key_figures")).content.decode().split("Skoleår 2025/26", 1)[0]
    on_page = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", this_year, re.S):
        cells = re.findall(r"<td>(.*?)</td>", tr, re.S)
        if cells:
            on_page[cells[1]] = cells[4]  # year level: talks per pupil
    lines = client.get(reverse("kpi:key_figures_csv")).content.decode("utf-8-sig").splitlines()
    in_csv = {line.split(";")[2]: line.split(";")[6] for line in lines if line.startswith("2026/27;")}
    assert (on_page["5"], on_page["7"]) == (in_csv["5"], in_csv["7"]) == ("1,50", "0,00")


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_it_lists_who_is_missing_this_terms_talk(school_year, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(school_year["coordinator"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("kpi:term_talks")).content.decode()
    assert "3 elever på denne siden har ikke hatt utviklingssamtalen denne terminen." in page
    assert "1. oktober 2026" in page and "10. september 2026" in page


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_an_iups_past_talk_date_is_a_held_talk_and_the_same_talk_counts_once(school_year, client) -> None:  # type: ignore[no-untyped-def]
    from students.models import School

    p4, p6 = school_year["pupils"][3], school_year["pupils"][5]
    this = school_year["g5"].school_year
    schools = School.objects.filter(pk=school_year["school"].pk)
    iup(p4, this, talk_date=datetime.date(2026, 9, 21))  # P4's development talk, recorded only in the IUP
    iup(p6, this, talk_date=datetime.date(2026, 11, 20))  # not held yet
    now = rows_by_level(selectors.key_figures(schools, TODAY), 0)
    assert (now[5].talks, now[5].term_done) == (7, 3), "the fixture's 6 and 2, and P4's talk"
    assert (now[2].talks, now[2].term_done) == (1, 1), "a talk date still to come is no talk held"
    client.force_login(school_year["coordinator"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("kpi:term_talks")).content.decode()
    assert "2 elever på denne siden har ikke hatt utviklingssamtalen denne terminen." in page
    assert "21. september 2026" in page
    # The teacher records the same talk as a talk too: still one talk, and so is P1's (fixture).
    talk(p4, this, U, H, datetime.date(2026, 9, 21))
    now = rows_by_level(selectors.key_figures(schools, TODAY), 0)
    assert (now[5].talks, now[5].term_done) == (7, 3)


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_it_runs_a_fixed_number_of_queries(school_year, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(school_year["coordinator"], backend="django.contrib.auth.backends.ModelBackend")
    urls = [reverse("kpi:key_figures"), reverse("kpi:term_talks")]
    small = [page_queries(client, url) for url in urls]
    for _ in range(20):
        pupil = f.pupil_in(school_year["g5"])
        talk(pupil, school_year["g5"].school_year, U, H, datetime.date(2026, 10, 2))
    assert_same_queries(small, [page_queries(client, url) for url in urls])


def test_it_speaks_swedish_to_a_swedish_rektor(world: World) -> None:
    f.make_swedish(world.school2)
    client = world.client("coordinator_other")
    page = " ".join(client.get(reverse("kpi:key_figures")).content.decode().split())
    assert "Nyckeltal" in page and "Ladda ner som CSV" in page
    # this school year of the Swedish school, with its one pupil (Cecilie, year 5)
    assert f"Läsår {world.group_c.school_year.name}" in page
    assert "<td>Skole 2</td> <td>5</td> <td>1</td>" in page
    assert "Utvecklingssamtal den här terminen" in client.get(reverse("kpi:term_talks")).content.decode()
    # The CSV has the page's columns: nothing of the Norwegian chain (IOP, årsrapporter, referrals).
    header = client.get(reverse("kpi:key_figures_csv")).content.decode("utf-8-sig").splitlines()[0].split(";")
    assert len(header) == 8 and not [h for h in header if "IOP" in h or "rsrapport" in h or "Remiss" in h], header


def test_it_counts_the_aarsrapporter_and_where_they_were_sent(world: World) -> None:
    from iop.reports.models import Report
    from students.models import School
    from tests.reports.factories import make_iop

    today = timezone.localdate()
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=0)
    common = {"pupil": world.pupil_a, "iop": iop, "period_start": iop.period_start, "period_end": iop.period_end}
    Report.objects.create(
        **common,
        kind=Report.Kind.AARSRAPPORT,
        status=Report.Status.FINALISED,
        finalised_at=timezone.now(),
        pdf="reports/kpi.pdf",
        pdf_sha256="0" * 64,
        sent_to_guardians_on=today,
    )
    Report.objects.create(**common, kind=Report.Kind.HALVAARSRAPPORT)  # not an årsrapport, and a draft
    figures = selectors.key_figures(School.objects.filter(pk=world.school1.pk), today)
    total = {row.year_level: row for row in figures[0].rows}[None]
    assert (total.aarsrapporter, total.sent_to_guardians, total.sent_to_school_owner) == (1, 1, 0)
    page = " ".join(world.client("coordinator").get(reverse("kpi:key_figures")).content.decode().split())
    assert "<td>1 / 1 / 0</td>" in page


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_a_pupil_in_two_classes_counts_once_and_the_schools_come_a_page_at_a_time(  # type: ignore[no-untyped-def]
    school_year, client, monkeypatch
) -> None:
    from followup.kpi import views

    this = school_year["g5"].school_year
    f.enrol(school_year["pupils"][0], Group.objects.create(school_year=this, name="5B", year_level=5))
    other = f.SchoolFactory(name="Andreskolen")
    SchoolYear.objects.create(
        school=other, name="2026/27", start=datetime.date(2026, 8, 17), end=datetime.date(2027, 6, 18)
    )
    f.member(school_year["coordinator"], other, StaffMembership.Role.KOORDINATOR)
    from students.models import School

    figures = selectors.key_figures(School.objects.filter(pk=school_year["school"].pk), TODAY)
    assert rows_by_level(figures, 0)[5].pupils == 4
    monkeypatch.setattr(views, "SCHOOLS_PER_PAGE", 1)
    client.force_login(school_year["coordinator"], backend="django.contrib.auth.backends.ModelBackend")
    first = client.get(reverse("kpi:key_figures")).content.decode()
    second = client.get(reverse("kpi:key_figures"), {"side": "2"}).content.decode()
    assert "Side 1 av 2" in first and "?side=2" in first and "Nøkkelskolen" not in first
    assert "Nøkkelskolen" in second and "?side=1" in second
    lines = client.get(reverse("kpi:key_figures_csv"), {"side": "2"}).content.decode("utf-8-sig").splitlines()
    assert any(line.startswith("2026/27;Nøkkelskolen;5;4;") for line in lines)


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_an_archived_pupil_counts_no_more_in_either_years_figures_or_the_dashboards(school_year) -> None:  # type: ignore[no-untyped-def]
    """A pupil who has left (archived, with plans and talks) drops out of the
    key figures, as from the pupil list; restored, the pupil counts again."""
    from followup.selectors import school_figures
    from students.models import School

    schools = School.objects.filter(pk=school_year["school"].pk)
    p1 = school_year["pupils"][0]  # in 5A, with an IUP and four talks this year, and last year's IUP
    p1.archived_at = timezone.now()
    p1.save(update_fields=["archived_at"])
    figures = selectors.key_figures(schools, TODAY)
    now = rows_by_level(figures, 0)
    assert (now[5].pupils, now[5].with_iup, now[5].talks) == (3, 1, 2)
    assert rows_by_level(figures, 1)[4].pupils == 3
    [shown] = school_figures(school_year["coordinator"]).object_list
    assert (shown.pupils, shown.with_iup) == (5, 2)

    p1.archived_at = None
    p1.save(update_fields=["archived_at"])
    assert rows_by_level(selectors.key_figures(schools, TODAY), 0)[5].pupils == 4
    [shown] = school_figures(school_year["coordinator"]).object_list
    assert (shown.pupils, shown.with_iup) == (6, 3)


def test_upper_secondary_year_levels_are_named_as_the_school_names_them() -> None:
    from followup.kpi.selectors import Row

    assert [Row(school="S", year_level=n).level_label for n in (7, 11, 13, None)] == ["7", "Vg1", "Vg3", ""]
