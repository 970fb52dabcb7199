"""Key figures for individually adapted teaching, checked against a school
year with known counts: pupils with a vedtak, IOPs published on time,
årsrapporter, days through the chain, årstimer per subject; per school and
per school owner, on the page (charts and tables), in the CSV, and in a
fixed number of queries whatever the size."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup.deadlines import aarshjul_for
from followup.kpi import adapted, selectors
from followup.models import Deadline, Duty
from iop.models import Enkeltvedtak, EnkeltvedtakSubject, Iop, IopSubject, IopVersion, TeachingLog
from iop.reports.models import Report
from students import access
from students.models import Group, School, SchoolYear, StaffMembership
from tests import factories as f
from tests.iop.factories import VedtakFactory, VurderingFactory
from tests.queries import assert_same_queries, page_queries

D = datetime.date
TODAY = D(2027, 4, 1)
START, END = D(2026, 8, 17), D(2027, 6, 18)


def noon(day: D) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


def clock() -> time_machine.travel:
    return time_machine.travel(noon(TODAY), tick=False)


def with_vedtak(group: Group, *, made: D, outcome: str = Enkeltvedtak.Outcome.GRANTED, hours: dict[str, int]) -> Any:
    pupil = f.pupil_in(group)
    sv = VurderingFactory(
        pupil=pupil, valid_from=D(2026, 8, 1), valid_to=D(2027, 7, 31), completed_at=noon(made - datetime.timedelta(5))
    )
    vedtak = VedtakFactory(vurdering=sv, made_on=made, outcome=outcome)
    for subject, n in hours.items():
        EnkeltvedtakSubject.objects.create(vedtak=vedtak, subject=subject, hours=n)
    return pupil, vedtak


def iop(pupil: Any, vedtak: Any, year: SchoolYear, published: D | None) -> Iop:
    plan = Iop.objects.create(
        pupil=pupil,
        vedtak=vedtak,
        school_year=year,
        status=Iop.Status.PUBLISHED if published else Iop.Status.DRAFT,
        period_start=year.start,
        period_end=year.end,
        published_at=noon(published) if published else None,
    )
    if published:
        IopVersion.objects.create(iop=plan, number=1, published_at=noon(published), snapshot={})
    return plan


def iop_deadline(pupil: Any, year: SchoolYear, due: D) -> Deadline:
    duty = aarshjul_for(year.school).duties.get(fulfilment=Duty.Fulfilment.IOP_PUBLISHED, applies_to="with_vedtak")
    return Deadline.objects.create(
        key=f"{year.pk}:{duty.key}:p:{pupil.pk}",
        school=year.school,
        school_year=year,
        duty=duty,
        title=duty.title,
        pupil=pupil,
        due=due,
        responsible_role=duty.responsible_role,
    )


def school_with_year(name: str, owner: Any) -> tuple[School, SchoolYear, Group]:
    school = f.SchoolFactory(name=name, skoleeier=owner)
    year = SchoolYear.objects.create(school=school, name="2026/27", start=START, end=END)
    return school, year, Group.objects.create(school_year=year, name="6A", year_level=6)


@pytest.fixture
def kommune(db: None) -> dict[str, Any]:
    with clock():
        owner = f.SkoleeierFactory(name="Tilpassa kommune")
        a, year_a, group_a = school_with_year("Askeladden skole", owner)
        b, year_b, group_b = school_with_year("Bjørka skole", owner)
        _c, year_c, group_c = school_with_year("Ikke min skole", owner)
        # A: one IOP on time with an årsrapport and logged hours, one late, a refusal, one not yet due.
        p1, v1 = with_vedtak(group_a, made=D(2026, 9, 1), hours={"Matematikk": 76, "Norsk": 38})
        plan1 = iop(p1, v1, year_a, D(2026, 9, 20))
        maths = IopSubject.objects.create(iop=plan1, subject="Matematikk", hours_teacher=38, hours_assistant=38)
        IopSubject.objects.create(iop=plan1, subject="norsk", hours=38)
        TeachingLog.objects.create(section=maths, period_start=D(2026, 9, 21), period_end=D(2026, 9, 27), hours=10.5)
        Report.objects.create(
            pupil=p1,
            iop=plan1,
            status=Report.Status.FINALISED,
            period_start=START,
            period_end=END,
            finalised_at=noon(D(2027, 3, 1)),
            pdf="reports/x.pdf",
            pdf_sha256="0" * 64,
        )
        iop_deadline(p1, year_a, D(2026, 10, 1))
        p2, v2 = with_vedtak(group_a, made=D(2026, 9, 1), hours={"Matematikk": 38})
        IopSubject.objects.create(iop=iop(p2, v2, year_a, D(2026, 12, 1)), subject="Matematikk")
        iop_deadline(p2, year_a, D(2026, 10, 1))
        with_vedtak(group_a, made=D(2026, 9, 1), outcome=Enkeltvedtak.Outcome.REFUSED, hours={})
        p4, _v4 = with_vedtak(group_a, made=D(2027, 3, 20), hours={"Norsk": 19})
        iop_deadline(p4, year_a, D(2027, 4, 19))  # not yet due
        # B: a vedtak, a draft IOP only, a missed deadline.
        p5, v5 = with_vedtak(group_b, made=D(2026, 9, 10), hours={"Engelsk": 19})
        iop(p5, v5, year_b, None)
        iop_deadline(p5, year_b, D(2026, 10, 10))
        # C: not managed by the coordinator: counts nowhere on the coordinator's page.
        p6, v6 = with_vedtak(group_c, made=D(2026, 9, 1), hours={"Matematikk": 500})
        iop(p6, v6, year_c, D(2026, 9, 2))
        iop_deadline(p6, year_c, D(2026, 10, 1))
        coordinator = f.UserFactory(email="tpo-koordinator@test.example")
        f.member(coordinator, a, StaffMembership.Role.KOORDINATOR)
        f.member(coordinator, b, StaffMembership.Role.KOORDINATOR)
    return {"a": a, "b": b, "owner": owner, "coordinator": coordinator, "group_a": group_a, "year_a": year_a}


def result(kommune: dict[str, Any], **kwargs: Any) -> adapted.Result:
    schools = access.managed_schools(kommune["coordinator"])
    found = adapted.figures(schools, TODAY, year=kwargs.get("year"), page=kwargs.get("page"))
    assert found is not None
    return found


def test_it_counts_vedtak_iops_on_time_and_aarsrapporter(kommune: dict[str, Any]) -> None:
    with clock():
        found = result(kommune)
    assert found.label == "2026/27"
    a, b = found.schools
    assert (a.name, a.vedtak_pupils, a.iop_due, a.iop_on_time, a.iops, a.aarsrapporter) == (
        "Askeladden skole",
        3,  # p1, p2 and p4; the refusal does not count
        2,  # p4's deadline is not due yet
        1,  # p2's IOP came after the date
        2,
        1,
    )
    assert (a.on_time_share, a.aarsrapport_share) == (50.0, 50.0)
    assert (b.vedtak_pupils, b.iop_due, b.iop_on_time, b.iops, b.on_time_share, b.aarsrapport_share) == (
        1,
        1,
        0,
        0,
        0.0,
        None,
    )
    [owner] = found.owners
    # The owner's figures sum the schools the coordinator manages, not the third school.
    assert (owner.name, owner.vedtak_pupils, owner.iop_due, owner.iop_on_time, owner.iops) == (
        "Tilpassa kommune",
        4,
        3,
        1,
        2,
    )
    # Vedtak → IOP: 19 and 91 days, median 55.
    assert a.spans["vedtak_iop"].median == 55.0 and a.spans["vedtak_iop"].cases == 2
    assert owner.spans["vedtak_iop"].cases == 2


def test_it_sets_hours_given_against_the_vedtak_per_subject(kommune: dict[str, Any]) -> None:
    with clock():
        found = result(kommune)
    subjects = {s.name: s for s in found.schools[0].subjects}
    maths, norsk = subjects["Matematikk"], subjects["Norsk"]
    # Two IOPs with Matematikk: 76 + 38 in the vedtak, 76 planned (split by staff) + 0, 10.5 given.
    assert (maths.sections, maths.vedtak, maths.planned, maths.given) == (2, 114, 76, Decimal("10.5"))
    assert maths.given_share == 9.2
    # "norsk" in the IOP matches "Norsk" in the vedtak; no split: the subject's hours are the plan.
    assert (norsk.vedtak, norsk.planned, norsk.given) == (38, 38, Decimal(0))
    assert not found.schools[1].subjects  # a draft IOP is not yet the plan
    assert {s.name for s in found.owners[0].subjects} == {"Matematikk", "Norsk"}


def test_the_key_figures_give_the_same_hours_given_as_this_page(kommune: dict[str, Any]) -> None:
    """Hours logged in a draft IOP count on neither page (a draft is not yet
    the plan): the two pages of figures never give two sums."""
    with clock():
        draft = Iop.objects.get(pupil__enrolments__group__school_year__school=kommune["b"])
        english = IopSubject.objects.create(iop=draft, subject="Engelsk", hours=19)
        TeachingLog.objects.create(section=english, period_start=D(2026, 9, 21), period_end=D(2026, 9, 27), hours=4)
        found = result(kommune)
        [current, _last] = selectors.key_figures(access.managed_schools(kommune["coordinator"]), TODAY)
    totals = {row.school: row.hours_given for row in current.rows if row.year_level is None}
    for school in found.schools:
        assert totals[school.name] == sum((s.given for s in school.subjects), Decimal(0)), school.name
    assert totals == {"Askeladden skole": Decimal("10.5"), "Bjørka skole": Decimal(0)}


def test_the_page_shows_charts_with_tables_and_the_csv_the_same_figures(kommune: dict[str, Any]) -> None:
    client = Client()
    with clock():
        client.force_login(kommune["coordinator"])
        response = client.get(reverse("kpi:adapted_teaching"))
        assert response.status_code == 200
        html = " ".join(response.content.decode().split())
        csv = client.get(reverse("kpi:adapted_teaching_csv")).content.decode("utf-8-sig").splitlines()
    assert html.count('role="img"') >= 3
    assert 'data-chart="kpi-shares"' in html and 'data-chart="kpi-chain"' in html
    assert f'data-chart="kpi-hours-{kommune["owner"].pk}"' in html
    assert f'data-chart="kpi-hours-school-{kommune["a"].pk}"' in html  # the hours per school too
    assert "Årstimer per fag: Askeladden skole" in html
    # The way back is a link of its own, not a stray word at the end of the lead sentence.
    assert "← Tilbake til alle nøkkeltall</a>" in html and "per skoleeier. <a" not in html
    assert "<title" in html and "<desc" in html
    assert "50.0 %" not in html  # numbers in the user's language
    assert "50,0 % <small>(1 av 2)</small>" in html
    assert "Ikke min skole" not in html
    assert csv[0].startswith("Skoleår;Nivå;Navn;Elever med vedtak;")
    assert "2026/27;Skoleeier;Tilpassa kommune;4;3;1;33,3;2;1;50,0;" in csv[1]
    assert any(line.startswith("2026/27;Skole;Askeladden skole;3;2;1;50,0;2;1;50,0;") for line in csv)
    assert "2026/27;Skole;Askeladden skole;Matematikk;114;76;10,5;9,2" in csv


def test_it_needs_a_coordinator(kommune: dict[str, Any]) -> None:
    client = Client()
    teacher = f.UserFactory(email="tpo-laerer@test.example")
    f.member(teacher, kommune["a"], StaffMembership.Role.KONTAKTLAERER)
    with clock():
        client.force_login(teacher)
        assert client.get(reverse("kpi:adapted_teaching")).status_code == 404
        assert client.get(reverse("kpi:adapted_teaching_csv")).status_code == 404


def test_a_fixed_number_of_queries_and_pages_of_schools(kommune: dict[str, Any]) -> None:
    client = Client()
    urls = [reverse("kpi:adapted_teaching"), reverse("kpi:adapted_teaching_csv")]
    with clock():
        client.force_login(kommune["coordinator"])
        small = [page_queries(client, url, warm=True) for url in urls]
        for n in range(adapted.SCHOOLS_PER_PAGE + 5):
            school, year, group = school_with_year(f"Skole {n:02d}", kommune["owner"])
            f.member(kommune["coordinator"], school, StaffMembership.Role.KOORDINATOR)
            pupil, vedtak = with_vedtak(group, made=D(2026, 9, 1), hours={"Norsk": 10})
            plan = iop(pupil, vedtak, year, D(2026, 9, 15))
            IopSubject.objects.create(iop=plan, subject="Norsk", hours=10)
            iop_deadline(pupil, year, D(2026, 10, 1))
        large = [page_queries(client, url, warm=True) for url in urls]
        found = result(kommune)
        html = client.get(reverse("kpi:adapted_teaching") + "?side=2").content.decode()
    assert_same_queries(small, large, at_most=20)
    assert found.page.paginator.num_pages == 2 and len(found.schools) == adapted.SCHOOLS_PER_PAGE
    assert "Side 2 av 2" in html


def test_bad_parameters_fall_back_to_the_newest_year_and_first_page(kommune: dict[str, Any]) -> None:
    client = Client()
    with clock():
        client.force_login(kommune["coordinator"])
        response = client.get(reverse("kpi:adapted_teaching") + "?ar=abc&side=x")
    assert response.status_code == 200
    assert "2026/27" in response.content.decode()


def test_the_csv_writes_hours_in_tenths_whatever_precision_the_database_summed_them_in() -> None:
    """SQLite sums decimals as floats (60.6000000000000); the CSV says 60,6."""
    from followup.kpi.views import _hours

    assert _hours(Decimal("60.6000000000000")) == "60,6"
    assert _hours(Decimal("45.3999999999999")) == "45,4"
    assert (_hours(Decimal("38.00")), _hours(Decimal(0)), _hours(None)) == ("38", "0", "")
