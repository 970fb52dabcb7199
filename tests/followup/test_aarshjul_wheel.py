"""The årshjul as a wheel: real dates of this school year, sorted; one mark per
duty at its angle; today's position; status by colour and shape; the PDF."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from followup import deadlines, schedule, services, wheel
from followup.models import Deadline
from students.models import User
from tests.followup.conftest import START, YearSchool

D = datetime.date
TODAY = D(2026, 11, 20)  # a Friday in the school year 2026/27 (17.08.2026–18.06.2027)


def at_today() -> time_machine.travel:
    return time_machine.travel("2026-11-20T09:00:00+01:00", tick=False)


def test_the_wheel_starts_at_the_first_of_the_start_month_and_turns_clockwise() -> None:
    assert schedule.wheel_origin(START) == D(2026, 8, 1)
    assert schedule.wheel_angle(D(2026, 8, 1), START) == 0.0
    # 184 of the 365 days from 1 August 2026 to 1 August 2027.
    assert schedule.wheel_angle(D(2027, 2, 1), START) == pytest.approx(360 * 184 / 365)
    assert schedule.wheel_point(0.0, 100, 200) == (200.0, 100.0)  # the top
    assert schedule.wheel_point(90.0, 100, 200) == (300.0, 200.0)  # the right: clockwise
    assert schedule.wheel_point(180.0, 100, 200) == (200.0, 300.0)


def _page(client: Client, ys: YearSchool) -> str:
    client.force_login(ys.coordinator)
    response = client.get(reverse("followup:aarshjul"))
    assert response.status_code == 200
    return response.content.decode()


def _list_rows(html: str) -> list[tuple[str, str]]:
    """(duty key, date) of the list by date, in page order."""
    table = html.split("data-aarshjul-list", 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-duty="([^"]+)" data-date="([^"]+)">', table)


def _marks(html: str) -> dict[str, tuple[str, float, str]]:
    """{duty key: (status, angle, date)} of the marks on the wheel."""
    svg = html.split('<svg class="aarshjul-wheel"', 1)[1].split("</svg>", 1)[0]
    found = re.findall(
        r'<g class="wheel-mark" data-duty="([^"]+)" data-status="([^"]+)" data-angle="([^"]+)" data-date="([^"]+)">',
        svg,
    )
    assert len(found) == len({key for key, *_rest in found})
    return {key: (status, float(angle), day) for key, status, angle, day in found}


def test_the_list_is_sorted_by_real_date_with_one_mark_per_duty(client: Client, vgs: YearSchool) -> None:
    with at_today():
        deadlines.deadlines_generate(school_year=vgs.year)
        html = _page(client, vgs)
    rows = _list_rows(html)
    days = [day for _key, day in rows]
    assert days == sorted(days) and len(rows) > 10
    # Real dates of this school year (duties before school start lie in its first month).
    assert all("2026-08-01" <= day <= vgs.year.end.isoformat() for day in days), days
    order = [key for key, _day in rows]
    assert order.index("mv1") < order.index("samtale-foresatte")  # 15.11 before 15.12
    marks = _marks(html)
    assert set(marks) == set(order)  # one mark per dated duty, none more
    # MV1 on 15 November 2026, a Sunday, is due on Monday 16 November: the mark stands there.
    _status, angle, day = marks["mv1"]
    assert day == "2026-11-16"
    assert angle == pytest.approx(schedule.wheel_angle(D(2026, 11, 16), START), abs=0.01)
    assert angle == pytest.approx(360 * 107 / 365, abs=0.01)
    # The weekend move is said where a date moved, not on every row.
    moved = re.findall(r'<tr data-duty="([^"]+)"[^>]*>(?:(?!</tr>).)*data-moved', html, flags=re.S)
    assert "mv1" in moved and "samtale-foresatte" not in moved
    assert html.count("data-moved") < len(rows)
    assert "(helg → mandag)" not in html
    # Duties that follow a record have no date of their own: listed apart, no mark.
    assert "iop-etter-vedtak" not in marks
    assert "data-following-list" in html


def test_today_is_on_the_wheel_and_in_the_list(client: Client, vgs: YearSchool) -> None:
    with at_today():
        deadlines.deadlines_generate(school_year=vgs.year)
        html = _page(client, vgs)
    angle = float(re.search(r'<g data-today data-angle="([^"]+)"', html).group(1))  # type: ignore[union-attr]
    assert angle == pytest.approx(schedule.wheel_angle(TODAY, START), abs=0.01)
    table = html.split("data-aarshjul-list", 1)[1].split("</table>", 1)[0]
    before, after = table.split("data-today-row", 1)
    assert all(day < "2026-11-20" for day in re.findall(r'data-date="([^"]+)"', before))
    assert all(day >= "2026-11-20" for day in re.findall(r'data-date="([^"]+)"', after))


def test_the_status_shows_in_colour_shape_and_words(client: Client, vgs: YearSchool) -> None:
    with at_today():
        deadlines.deadlines_generate(school_year=vgs.year)
        # MV1 (16.11) is past and open: overdue. Close the first duty of the year to see it done.
        first = Deadline.objects.filter(school_year=vgs.year, duty__isnull=False, pupil__isnull=True).earliest("due")
        Deadline.objects.filter(school_year=vgs.year, duty__key=first.duty.key).update(
            state=Deadline.State.DONE, done_at=timezone.now()
        )
        html = _page(client, vgs)
    marks = _marks(html)
    assert marks["mv1"][0] == "overdue"
    assert marks[first.duty.key][0] == "done"
    assert marks["samtale-foresatte"][0] == "open"
    mv1 = html.split('<g class="wheel-mark" data-duty="mv1"', 1)[1].split("</g>", 1)[0]
    assert "<polygon" in mv1 and "Forfalt" in mv1  # a triangle, and the word in its title
    for key in ("overdue", "open", "done", "none"):
        assert f'data-legend="{key}"' in html
    assert "Farge og form" in html


def test_a_duty_changed_for_the_school_moves_its_mark(client: Client, vgs: YearSchool) -> None:
    with at_today():
        services.duty_save(actor=vgs.coordinator, school=vgs.school, key="mv1", month=11, day=20)
        deadlines.deadlines_generate(school_year=vgs.year)
        html = _page(client, vgs)
    assert _marks(html)["mv1"][2] == "2026-11-20"
    assert "Endret for skolen" in html


@pytest.mark.parametrize(
    ("language", "months", "iop"),
    [
        ("nn", "Aug Sep Okt Nov Des Jan Feb Mar Apr Mai Jun Jul", "(elevar med IOP)"),
        ("nb", "Aug Sep Okt Nov Des Jan Feb Mar Apr Mai Jun Jul", "(elever med IOP)"),
    ],
)
def test_the_wheel_reads_well_in_nynorsk_and_bokmal(
    client: Client, vgs: YearSchool, language: str, months: str, iop: str
) -> None:
    User.objects.filter(pk=vgs.coordinator.pk).update(language=language)
    with at_today():
        deadlines.deadlines_generate(school_year=vgs.year)
        html = _page(client, vgs)
    assert f'lang="{language}"' in html
    assert " ".join(re.findall(r'<text [^>]*data-month="\d+">([^<]+)</text>', html)) == months
    assert re.search(r"<small>0 av 1 utført</small>", html)  # one deadline for the school: singular
    assert "utførte" not in html
    assert iop in html and "med iop" not in html


def test_the_months_on_the_wheel_are_abbreviated_alike_in_every_language() -> None:
    for language in ("nb", "nn", "sv", "en"):
        with translation.override(language):
            labels = [str(label) for label in wheel.MONTH_LABELS]
        assert all(len(label) == 3 and label[0].isupper() for label in labels), (language, labels)
        assert len(set(labels)) == 12


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_pdf_has_the_wheel_beside_the_list(client: Client, vgs: YearSchool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with at_today():
        deadlines.deadlines_generate(school_year=vgs.year)
        client.force_login(vgs.coordinator)
        response = client.get(reverse("followup:aarshjul_pdf", args=[vgs.school.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''%C3%A5rshjul-" in response["Content-Disposition"]
    path = tmp_path / "aarshjul.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The wheel's own text: every month round the circle, the school year in the hub, today.
    for month in ("Aug", "Sep", "Okt", "Nov", "Des", "Jan", "Feb", "Mar", "Apr", "Mai", "Jun", "Jul"):
        assert re.search(rf"\b{month}", text, flags=re.I), month
    assert "2026/27" in text
    assert "I dag 20.11." in text
    assert "Identifiseringspunkt MV1" in text
    assert text.index("Identifiseringspunkt MV1") < text.index("Tilby foresatte")


def test_the_pdf_is_only_for_those_who_manage_the_school(client: Client, vgs: YearSchool) -> None:
    client.force_login(vgs.teacher)
    assert client.get(reverse("followup:aarshjul_pdf", args=[vgs.school.pk])).status_code == 404


def test_a_school_without_a_school_year_lists_the_duties_by_their_rules(client: Client, db: None) -> None:
    from students.models import StaffMembership
    from tests import factories as f

    school = f.SchoolFactory()
    coordinator = f.UserFactory(email="uten-skoleaar@test.example")
    f.member(coordinator, school, StaffMembership.Role.KOORDINATOR)
    client.force_login(coordinator)
    with at_today():
        html = client.get(reverse("followup:aarshjul")).content.decode()
    assert "aarshjul-wheel" not in html
    assert "Skolen har ikke noe skoleår ennå" in html
    assert "Pliktene og når de forfaller" in html and 'data-duty="mv1"' not in html  # the primary school set
    assert html.count("<tr data-duty=") > 10


def test_a_duty_that_follows_a_record_says_how_long_before_or_after(client: Client, vgs: YearSchool) -> None:
    """A rule tied to a record reads as words ("…: 21 dager etter"), not a signed number ("+21", "-60")."""
    with at_today():
        html = _page(client, vgs)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "En bekymringsmelding er sendt: 21 dager etter" in text
    assert "Et enkeltvedtak utløper: 60 dager før" in text
    assert not re.search(r"[+-]\d+ dager", text)
