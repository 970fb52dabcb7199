"""The admin's guardianship list: search by guardian and pupil, and the
ended guardianships shown and filtered."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from students.models import GuardianLink
from tests.factories import PupilFactory, UserFactory, guardian_of


@pytest.mark.django_db
def test_the_guardianship_list_searches_and_shows_ended_ones() -> None:
    operator = UserFactory(email="drift@test.example", is_staff=True, is_superuser=True)
    anna = PupilFactory(first_name="Anna", last_name="Aasen")
    bjorn = PupilFactory(first_name="Bjørn", last_name="Berg")
    guardian_of(UserFactory(full_name="Aud Aasen", email="aud@foresatt.example"), anna)
    ended = guardian_of(UserFactory(full_name="Bent Berg", email="bent@foresatt.example"), bjorn)
    GuardianLink.all_objects.filter(pk=ended.pk).update(ended_at=timezone.now())
    client = Client()
    client.force_login(operator)
    url = reverse("admin:students_guardianlink_changelist")

    def listed(**params: str) -> set[str]:
        page = client.get(url, params)
        assert page.status_code == 200
        return {link.user.full_name for link in page.context["cl"].result_list}

    assert listed() == {"Aud Aasen", "Bent Berg"}
    assert listed(q="bent@foresatt") == {"Bent Berg"}
    assert listed(q="Bjørn") == {"Bent Berg"}
    assert listed(q="Aud") == {"Aud Aasen"}
    assert listed(ended_at__isempty="0") == {"Bent Berg"}
    assert listed(ended_at__isempty="1") == {"Aud Aasen"}
    assert client.get(reverse("admin:students_guardianlink_change", args=[ended.pk])).status_code == 200
