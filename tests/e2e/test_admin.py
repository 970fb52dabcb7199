"""An operator sets up people through the admin by searching existing records
(the autocomplete widgets: user, pupil, group)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from students.models import Enrolment, GuardianLink, StaffMembership
from tests import factories as f
from tests.conftest import World
from tests.e2e.conftest import follow, login


def pick(page: Any, field: str, search: str, option: str) -> None:
    """Open the autocomplete of FIELD, type SEARCH and choose OPTION from the server's answer."""
    page.locator(f"#id_{field} + .select2").click()
    # Opening the box lists the first records unfiltered; the option is clicked
    # only once the list holds the answer to SEARCH, never in the list being replaced.
    with page.expect_response(lambda r: "/admin/autocomplete/" in r.url and f"term={search}" in r.url):
        page.locator(".select2-container--open .select2-search__field").fill(search)
    page.wait_for_function(
        """search => {
            const options = [...document.querySelectorAll('.select2-results__option')];
            return options.length > 0 && options.every(o => o.textContent.toLowerCase().includes(search.toLowerCase()));
        }""",
        arg=search,
    )
    page.locator(".select2-results__option", has_text=option).first.click()
    expect(page.locator(f"#select2-id_{field}-container")).to_contain_text(option)


def save(page: Any) -> None:
    # The answer to the POST has loaded before the errors are counted and the database is asked.
    follow(page, page.locator("input[name=_save]"))
    assert not page.locator(".errornote, .errorlist").count(), page.locator("#content").inner_text()


@pytest.mark.django_db(transaction=True)
def test_an_operator_adds_a_membership_an_enrolment_and_a_guardian_link(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    w = transactional_world
    newcomer = f.UserFactory(email="nina.nyansatt@test.example", full_name="Nina Nyansatt")
    new_pupil = f.PupilFactory(school=w.school2, first_name="Dina", last_name="Dahl")
    login(page, live_server.url, "operator@test.example")

    page.goto(f"{live_server.url}/admin/students/staffmembership/add/")
    pick(page, "user", "Nyans", "Nina Nyansatt")
    page.locator("#id_school").select_option(label=str(w.school2))
    page.locator("#id_role").select_option(StaffMembership.Role.KONTAKTLAERER)
    save(page)
    assert StaffMembership.objects.filter(user=newcomer, school=w.school2, role="kontaktlaerer").exists()

    page.goto(f"{live_server.url}/admin/students/enrolment/add/")
    pick(page, "pupil", "Dahl", "Dina Dahl")
    pick(page, "group", "5C", "5C")
    save(page)
    assert Enrolment.objects.filter(pupil=new_pupil, group=w.group_c).exists()

    page.goto(f"{live_server.url}/admin/students/guardianlink/add/")
    pick(page, "user", "Bent", "Bent Foresatt")
    pick(page, "pupil", "Carlsen", "Cecilie")
    save(page)
    assert GuardianLink.objects.filter(user=w.user("guardian_b"), pupil=w.pupil_c).exists()
