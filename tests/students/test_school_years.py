"""The operator's school years: a new or changed year may not overlap the
school's others, share a name with one, or last more than a year; each
refusal says why, in the operator's language, and keeps what was typed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from students.models import SchoolYear
from tests.conftest import World


@pytest.mark.django_db
def test_a_school_year_that_overlaps_another_is_refused_with_the_reason(world: World) -> None:
    operator = world.client("operator")
    year = world.group_a.school_year
    school = str(year.school_id)
    count = SchoolYear.objects.count()

    def add(name: str, start: datetime.date, end: datetime.date) -> str:
        data = {"school": school, "name": name, "start": start.isoformat(), "end": end.isoformat()}
        response = operator.post(reverse("school_years"), data)
        assert response.status_code == 400
        page = response.content.decode()
        assert f'value="{name}"' in page  # what was typed is kept
        return page

    inside = add("B-år", year.start + datetime.timedelta(days=30), year.end + datetime.timedelta(days=30))
    assert f"Datoene overlapper skoleåret {year.name}" in inside
    twin = add(year.name, year.end + datetime.timedelta(days=60), year.end + datetime.timedelta(days=300))
    assert f"Skolen har allerede et skoleår som heter {year.name}." in twin
    long = add("Langår", year.end + datetime.timedelta(days=60), year.end + datetime.timedelta(days=60 + 5 * 365))
    assert "Et skoleår varer høyst ett år." in long
    assert SchoolYear.objects.count() == count

    # The next year, after this one, is added; changing this year's own dates is not an overlap with itself.
    data = {
        "school": school,
        "name": "Neste år",
        "start": (year.end + datetime.timedelta(days=50)).isoformat(),
        "end": (year.end + datetime.timedelta(days=350)).isoformat(),
    }
    assert operator.post(reverse("school_years"), data).status_code == 302
    own = {"school": school, "name": year.name, "start": year.start.isoformat(), "end": year.end.isoformat()}
    assert operator.post(reverse("school_year_edit", args=[year.pk]), own).status_code == 302
