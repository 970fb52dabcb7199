"""Dates that must make sense, the appeal register read by the staff, and
who is told of a decision in the Swedish support chain."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from iop.atgardsprogram import services
from iop.atgardsprogram.models import Atgardsprogram
from tests.atgardsprogram.factories import Sweden, decided, draft, sweden

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def s() -> Sweden:
    return sweden()


def test_the_decision_is_not_dated_before_the_investigation_was_concluded_or_in_the_future(s: Sweden) -> None:
    programme = draft(s)
    concluded = programme.utredning.concluded_on
    assert concluded is not None
    for day in (concluded - DAY, timezone.localdate() + DAY):
        with pytest.raises(ValidationError) as refused:
            services.atgardsprogram_decide(actor=s.rektor, programme=programme, decided_on=day)
        assert "decided_on" in refused.value.message_dict
        assert Atgardsprogram.objects.get(pk=programme.pk).is_draft
    services.atgardsprogram_decide(actor=s.rektor, programme=programme, decided_on=concluded)
    assert Atgardsprogram.objects.get(pk=programme.pk).decided_on == concluded


def test_the_page_says_why_an_early_decision_date_is_refused(s: Sweden) -> None:
    programme = draft(s)
    early = programme.utredning.concluded_on - DAY
    url = reverse("atgardsprogram:programme_decide", args=[programme.pk])
    page = s.client("rektor").post(url, {"decided_on": early.isoformat()}, follow=True).content.decode()
    assert "Beslutet kan inte dateras före den dag utredningen avslutades" in page
    assert Atgardsprogram.objects.get(pk=programme.pk).is_draft
