"""Key figures for time: days from the referral to the sakkyndig vurdering,
from there to the enkeltvedtak and from the vedtak to the IOP, median and
longest, per school and school year, on the page and in the CSV, in a fixed
number of queries (measured with 3 cases and with 30)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup.kpi import selectors
from followup.models import Referral
from iop.models import Enkeltvedtak, Iop, IopVersion
from students.models import Group, School, SchoolYear, StaffMembership
from tests import factories as f
from tests.iop.factories import VedtakFactory, VurderingFactory
from tests.queries import assert_same_queries, page_queries

D = datetime.date
TODAY = D(2027, 4, 1)
#: Days of each step for the three measured cases: referral → SV, SV → vedtak, vedtak → IOP.
STEPS = ((10, 5, 30), (20, 15, 30), (60, 40, 90))


def noon(day: D) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


def case(group: Group, sent: D, to_sv: int, to_vedtak: int, to_iop: int, year: SchoolYear) -> None:
    """One pupil's chain: referral sent on SENT, then each step after the given number of days."""
    pupil = f.pupil_in(group)
    Referral.objects.create(
        pupil=pupil, question="Lesing?", report="Rapport", status=Referral.Status.ASSESSED, sent_at=noon(sent)
    )
    completed = sent + datetime.timedelta(days=to_sv)
    sv = VurderingFactory(pupil=pupil, completed_at=noon(completed))
    made = completed + datetime.timedelta(days=to_vedtak)
    vedtak = VedtakFactory(vurdering=sv, made_on=made)
    published = made + datetime.timedelta(days=to_iop)
    iop = Iop.objects.create(
        pupil=pupil,
        vedtak=vedtak,
        school_year=year,
        status=Iop.Status.PUBLISHED,
        period_start=year.start,
        period_end=year.end,
        published_at=noon(published + datetime.timedelta(days=50)),  # re-published later: the first counts
    )
    IopVersion.objects.create(iop=iop, number=1, published_at=noon(published), snapshot={})
    IopVersion.objects.create(
        iop=iop, number=2, published_at=noon(published + datetime.timedelta(days=50)), snapshot={}
    )


@pytest.fixture
def school(db: None) -> dict[str, Any]:
    with time_machine.travel(noon(TODAY), tick=False):
        school = f.SchoolFactory(name="Tidsskolen")
        this = SchoolYear.objects.create(school=school, name="2026/27", start=D(2026, 8, 17), end=D(2027, 6, 18))
        last = SchoolYear.objects.create(school=school, name="2025/26", start=D(2025, 8, 18), end=D(2026, 6, 19))
        group = Group.objects.create(school_year=this, name="8A", year_level=8)
        for steps in STEPS:
            case(group, D(2026, 9, 1), *steps, year=this)
        # Noise that must not count: a draft referral, a refusal (no IOP is due),
        # and a new assessment with only an old referral, answered by the first.
        other = f.pupil_in(group)
        Referral.objects.create(pupil=other, question="?", report="R", status=Referral.Status.DRAFT)
        Referral.objects.create(
            pupil=other, question="?", report="R", status=Referral.Status.ASSESSED, sent_at=noon(D(2025, 9, 1))
        )
        VurderingFactory(pupil=other, completed_at=noon(D(2025, 10, 1)))
        again = VurderingFactory(pupil=other, completed_at=noon(D(2026, 10, 1)))
        VedtakFactory(vurdering=again, made_on=D(2026, 10, 11), outcome=Enkeltvedtak.Outcome.REFUSED)
        coordinator = f.UserFactory(email="tid-koordinator@test.example")
        f.member(coordinator, school, StaffMembership.Role.KOORDINATOR)
    return {"school": school, "this": this, "last": last, "group": group, "coordinator": coordinator}


def spans(figures: list[selectors.YearFigures], index: int) -> dict[str, selectors.Span]:
    return next(row for row in figures[index].rows if row.year_level is None).spans


@time_machine.travel(noon(TODAY), tick=False)
def test_it_measures_each_step_of_the_chain_in_days(school: dict[str, Any]) -> None:
    figures = selectors.key_figures(School.objects.filter(pk=school["school"].pk), TODAY)
    now = spans(figures, 0)
    assert now["referral_sv"] == selectors.Span(cases=3, median=20.0, longest=60)
    # the refusal counts as a decision (10 days), not as a case waiting for an IOP
    assert now["sv_vedtak"] == selectors.Span(cases=4, median=12.5, longest=40)
    assert now["vedtak_iop"] == selectors.Span(cases=3, median=30.0, longest=90)
    before = spans(figures, 1)
    assert before == {"referral_sv": selectors.Span(cases=1, median=30.0, longest=30)}


@time_machine.travel(noon(TODAY), tick=False)
def test_it_shows_the_time_on_the_page_and_in_the_csv(school: dict[str, Any]) -> None:
    client = Client()
    client.force_login(school["coordinator"])
    page = " ".join(client.get(reverse("kpi:key_figures")).content.decode().split())
    assert "Henvisning sendt → sakkyndig vurdering fullført" in page
    assert "median 20, lengst 60 (3 saker)" in page
    assert "median 12,5, lengst 40 (4 saker)" in page
    lines = client.get(reverse("kpi:key_figures_csv")).content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(
        "Enkeltvedtak fattet → IOP første gang publisert: saker;"
        "Enkeltvedtak fattet → IOP første gang publisert: median dager;"
        "Enkeltvedtak fattet → IOP første gang publisert: lengste dager"
    )
    total = next(line for line in lines if line.startswith("2026/27;Tidsskolen;Alle;"))
    assert total.endswith(";3;20,0;60;4;12,5;40;3;30,0;90")
    level = next(line for line in lines if line.startswith("2026/27;Tidsskolen;8;"))
    assert level.endswith(";;;;;;;;;")


def test_the_time_runs_a_fixed_number_of_queries(school: dict[str, Any]) -> None:
    client = Client()
    urls = [reverse("kpi:key_figures"), reverse("kpi:key_figures_csv")]
    with time_machine.travel(noon(TODAY), tick=False):
        client.force_login(school["coordinator"])
        small = [page_queries(client, url) for url in urls]
        for n in range(27):
            case(school["group"], D(2026, 9, 1) + datetime.timedelta(days=n), *STEPS[n % 3], year=school["this"])
        large = [page_queries(client, url) for url in urls]
        figures = selectors.key_figures(School.objects.filter(pk=school["school"].pk), TODAY)
    assert spans(figures, 0)["vedtak_iop"].cases == 30
    assert_same_queries(small, large)


@time_machine.travel(noon(TODAY), tick=False)
def test_a_step_recorded_before_the_one_before_it_is_left_out_and_counted(school: dict[str, Any]) -> None:
    """An assessment completed after the decision made on it (-5 days) is bad data:
    the median, the longest and the cases stay as they were, the page says one case was left out."""
    case(school["group"], D(2026, 9, 1), 10, -5, 30, year=school["this"])
    figures = selectors.key_figures(School.objects.filter(pk=school["school"].pk), TODAY)
    assert spans(figures, 0)["sv_vedtak"] == selectors.Span(cases=4, median=12.5, longest=40, excluded=1)
    client = Client()
    client.force_login(school["coordinator"])
    page = " ".join(client.get(reverse("kpi:key_figures")).content.decode().split())
    assert "median 12,5, lengst 40 (4 saker)" in page
    assert "1 sak utelatt: et steg registrert før steget før det" in page
    assert "Enkeltvedtak fattet → IOP første gang publisert" in page


@time_machine.travel(noon(TODAY), tick=False)
def test_a_step_with_only_bad_data_shows_no_median(school: dict[str, Any]) -> None:
    other = SchoolYear.objects.create(
        school=f.SchoolFactory(name="Feilskolen"), name="2026/27", start=D(2026, 8, 17), end=D(2027, 6, 18)
    )
    group = Group.objects.create(school_year=other, name="9B", year_level=9)
    case(group, D(2026, 9, 1), 10, -5, 30, year=other)
    figures = selectors.key_figures(School.objects.filter(pk=other.school_id), TODAY)
    assert spans(figures, 0)["sv_vedtak"] == selectors.Span(cases=0, median=None, longest=None, excluded=1)
