"""A draft sakkyndig vurdering begun by mistake is deleted by PPT after a
confirmation page; the history keeps who deleted it; a completed assessment
is a document of the case and is never deleted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from iop import services
from iop.models import SakkyndigVurdering
from tests.conftest import World
from tests.iop.factories import VurderingFactory, chain


def test_ppt_deletes_a_draft_after_confirming(world: World) -> None:
    ppt = world.client("ppt")
    sv = VurderingFactory(pupil=world.pupil_a, author=world.user("ppt"), status=SakkyndigVurdering.Status.DRAFT)
    detail = ppt.get(reverse("iop:vurdering_detail", args=[sv.pk])).content.decode()
    assert reverse("iop:vurdering_delete", args=[sv.pk]) in detail and "Slett utkastet" in detail

    url = reverse("iop:vurdering_delete", args=[sv.pk])
    confirm = ppt.post(url).content.decode()
    assert "Slette utkastet til sakkyndig vurdering?" in confirm and "Ja, slett utkastet" in confirm
    assert SakkyndigVurdering.objects.filter(pk=sv.pk).exists()

    done = ppt.post(url, {"confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("pupil_detail", args=[world.pupil_a.pk])
    assert "Utkastet til sakkyndig vurdering er slettet." in done.content.decode()
    assert not SakkyndigVurdering.objects.filter(pk=sv.pk).exists()
    deleted = SakkyndigVurdering.history.get(id=sv.pk, history_type="-")
    assert deleted.history_user == world.user("ppt")


def test_a_completed_assessment_is_never_deleted(world: World) -> None:
    sv = chain(world.pupil_a, author=world.user("ppt"), iop_status=None).sv
    assert sv.status == SakkyndigVurdering.Status.COMPLETED
    detail = world.client("ppt").get(reverse("iop:vurdering_detail", args=[sv.pk])).content.decode()
    assert reverse("iop:vurdering_delete", args=[sv.pk]) not in detail
    page = world.client("ppt").post(reverse("iop:vurdering_delete", args=[sv.pk]), {"confirm": "1"})
    assert "En ferdigstilt sakkyndig vurdering kan ikke slettes." in page.content.decode()
    assert 'name="confirm" value="1"' not in page.content.decode()
    with pytest.raises(ValidationError):
        services.vurdering_delete(actor=world.user("ppt"), vurdering=sv)
    assert SakkyndigVurdering.objects.filter(pk=sv.pk).exists()


def test_only_who_assesses_deletes_a_draft(world: World) -> None:
    sv = VurderingFactory(pupil=world.pupil_a, author=world.user("ppt"), status=SakkyndigVurdering.Status.DRAFT)
    for persona in ("teacher", "coordinator"):
        with pytest.raises(PermissionDenied):
            services.vurdering_delete(actor=world.user(persona), vurdering=sv)
    assert SakkyndigVurdering.objects.filter(pk=sv.pk).exists()
