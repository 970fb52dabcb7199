"""The key figures come a page of schools at a time, on the page and in the CSV."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.urls import reverse

from followup.kpi import views
from students.models import Group, SchoolYear, StaffMembership
from tests import factories as f


@time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_the_schools_come_a_page_at_a_time(db: None) -> None:
    owner = f.SkoleeierFactory(name="Sidekommune")
    coordinator = f.UserFactory(email="side-koordinator@test.example")
    for n in range(views.SCHOOLS_PER_PAGE + 2):
        school = f.SchoolFactory(name=f"Sideskole {n:02d}", skoleeier=owner)
        year = SchoolYear.objects.create(
            school=school, name="2026/27", start=datetime.date(2026, 8, 17), end=datetime.date(2027, 6, 18)
        )
        f.pupil_in(Group.objects.create(school_year=year, name="5A", year_level=5))
        f.member(coordinator, school, StaffMembership.Role.KOORDINATOR)
    client = Client()
    client.force_login(coordinator)
    first = client.get(reverse("kpi:key_figures")).content.decode()
    second = client.get(reverse("kpi:key_figures") + "?side=2").content.decode()
    assert "Sideskole 00" in first and "Sideskole 19" in first and "Sideskole 20" not in first
    assert "Sideskole 20" in second and "Sideskole 21" in second and "Sideskole 00" not in second
    assert "Side 2 av 2" in second
    csv = client.get(reverse("kpi:key_figures_csv") + "?side=2").content.decode("utf-8-sig").splitlines()
    assert [line.split(";")[1] for line in csv[1:] if line.split(";")[2] == "Alle"] == ["Sideskole 20", "Sideskole 21"]
