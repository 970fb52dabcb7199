"""Dates the law's records can not have are refused with a message by the
field: an appeal received before the decision was made, an expert
assessment dated in the future."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from iop import services
from iop.models import Appeal
from tests.conftest import World
from tests.iop.factories import VedtakFactory, VurderingFactory
from tests.iop.test_chain import resolved


def test_an_appeal_received_before_the_decision_was_made_is_refused(world: World) -> None:
    today = timezone.localdate()
    vedtak = VedtakFactory(vurdering=VurderingFactory(pupil=world.pupil_a), made_on=today - datetime.timedelta(days=3))
    data = {"appellant": "Foreldrene", "summary": "Vil ha mer tid i liten gruppe."}
    with pytest.raises(ValidationError) as refused:
        services.appeal_create(
            actor=world.user("coordinator"),
            vedtak=vedtak,
            data=data | {"received_on": vedtak.made_on - datetime.timedelta(days=1)},
        )
    assert "received_on" in refused.value.message_dict
    assert not Appeal.objects.filter(vedtak=vedtak).exists()
    services.appeal_create(actor=world.user("coordinator"), vedtak=vedtak, data=data | {"received_on": vedtak.made_on})
    assert Appeal.objects.filter(vedtak=vedtak).count() == 1


def test_the_appeals_later_steps_are_refused_in_the_future_or_out_of_order(world: World) -> None:
    """A future "sent to Statsforvalteren" would close the school owner's deadline for a review not yet made."""
    today = timezone.localdate()
    vedtak = VedtakFactory(vurdering=VurderingFactory(pupil=world.pupil_a), made_on=today - datetime.timedelta(days=9))
    received = {"appellant": "Foreldrene", "received_on": today - datetime.timedelta(days=5)}
    appeal = services.appeal_create(actor=world.user("coordinator"), vedtak=vedtak, data=received)
    later = today + datetime.timedelta(days=45)
    for data, field, message in (
        ({"sent_on": later}, "sent_on", "Datoen klagen ble sendt videre, kan ikke være fram i tid."),
        (
            {"owner_reviewed_on": later, "owner_outcome": Appeal.Outcome.UPHELD},
            "owner_reviewed_on",
            "Skoleeiers behandling kan ikke dateres fram i tid.",
        ),
        (
            {"owner_reviewed_on": today - datetime.timedelta(days=2), "sent_on": today - datetime.timedelta(days=3)},
            "sent_on",
            "Klagen sendes til Statsforvalteren samme dag som skoleeier har behandlet den eller senere.",
        ),
        (
            {"owner_reviewed_on": today - datetime.timedelta(days=9)},
            "owner_reviewed_on",
            "Skoleeier behandler klagen samme dag som den kom inn eller senere.",
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            services.appeal_update(actor=world.user("coordinator"), appeal=appeal, version=appeal.version, data=data)
        assert refused.value.message_dict[field] == [message], data
    appeal.refresh_from_db()
    assert appeal.sent_on is None and appeal.owner_reviewed_on is None


def test_an_expert_assessment_dated_in_the_future_is_refused(world: World) -> None:
    today = timezone.localdate()
    data = {
        "assessed_on": today + datetime.timedelta(days=365),
        "valid_from": today,
        "valid_to": today + datetime.timedelta(days=200),
    }
    with pytest.raises(ValidationError) as refused:
        services.vurdering_create(actor=world.user("ppt"), pupil=resolved(world, "ppt"), data=data, subjects=[])
    assert list(refused.value.message_dict) == ["assessed_on"]
    sv = services.vurdering_create(
        actor=world.user("ppt"), pupil=resolved(world, "ppt"), data=data | {"assessed_on": today}, subjects=[]
    )
    with pytest.raises(ValidationError):
        services.vurdering_update(
            actor=world.user("ppt"),
            vurdering=sv,
            version=sv.version,
            data={"assessed_on": today + datetime.timedelta(days=1)},
            subjects=[],
        )
