"""Key figures for individually adapted teaching in the browser: charts with
their tables, accessible (axe-core)."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine

from followup.kpi import adapted
from iop.models import IopSubject
from students.models import StaffMembership
from tests import factories as f
from tests.e2e.conftest import assert_accessible, login
from tests.kpi.test_adapted import D, iop, iop_deadline, school_with_year, with_vedtak


def test_the_charts_and_tables_are_accessible(live_server: Any, transactional_db: None, page: Any) -> None:
    with time_machine.travel(datetime.datetime(2027, 4, 1, 12, tzinfo=datetime.UTC), tick=True):
        owner = f.SkoleeierFactory(name="Tilpassa kommune")
        coordinator = f.UserFactory(email="e2e-tpo@test.example")
        for n, name in enumerate(("Askeladden skole", "Bjørka skole")):
            school, year, group = school_with_year(name, owner)
            f.member(coordinator, school, StaffMembership.Role.KOORDINATOR)
            for made in (D(2026, 9, 1), D(2026, 9, 10 + n)):
                pupil, vedtak = with_vedtak(group, made=made, hours={"Matematikk": 76, "Norsk": 38})
                plan = iop(pupil, vedtak, year, made + datetime.timedelta(days=20 + 40 * n))
                IopSubject.objects.create(iop=plan, subject="Matematikk", hours_teacher=40, hours_assistant=36)
                IopSubject.objects.create(iop=plan, subject="Norsk", hours=38)
                iop_deadline(pupil, year, made + datetime.timedelta(days=30))
        page.set_viewport_size({"width": 1366, "height": 900})
        login(page, live_server.url, coordinator.email)
        page.goto(f"{live_server.url}/nokkeltall/tilpasset-opplaering/")
        assert page.get_by_role("heading", level=1).inner_text() == "Nøkkeltall: individuelt tilrettelagt opplæring"
        assert page.locator("svg[role=img]").count() == 5  # three charts, and the hours chart of each school
        assert page.get_by_role("img", name="IOP-er publisert i tide og årsrapporter ferdige, prosent").is_visible()
        assert page.locator("[data-kpi-adapted] tbody tr").count() == 3  # the owner and two schools
        assert adapted.SCHOOLS_PER_PAGE > 2 and page.locator(".kpi-pages").count() == 0
        assert_accessible(page)
