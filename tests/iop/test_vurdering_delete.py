"""A draft sakkyndig vurdering begun by mistake is deleted by PPT, a draft
decision by the coordinator, after a confirmation page; the history keeps
who deleted it. A completed assessment, a decision made and a draft shared
with the parties for comment are documents of the case and are kept."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from iop import services
from iop.models import AdvanceNotice, Enkeltvedtak, SakkyndigVurdering
from tests.conftest import World
from tests.iop.factories import VurderingFactory, chain


def test_ppt_deletes_a_draft_after_confirming(world: World) -> None:
    ppt = world.client("ppt")
    sv = VurderingFactory(pupil=world.pupil_a, author=world.user("ppt"), status=SakkyndigVurdering.Status.DRAFT)
    detail = ppt.get(reverse("iop:vurdering_detail", args=[sv.pk])).content.decode()
    assert reverse("iop:vurdering_delete", args=[sv.pk]) in detail and "Slett utkastet" in detail

    url = reverse("iop:vurdering_delete", args=[sv.pk])
    confirm = ppt.post(url).content.decode()
    assert "Slette utkastet til sakkyndig vurdering?" in confirm
    assert '<button class="ds-button" type="submit" data-color="danger">Ja, slett utkastet</button>' in confirm
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


# --- a draft decision -----------------------------------------------------------------------


def test_the_coordinator_deletes_a_draft_decision_and_the_assessment_stays(world: World) -> None:
    made = chain(world.pupil_a, author=world.user("ppt"), iop_status=None, vedtak_status=Enkeltvedtak.Status.DRAFT)
    draft = made.vedtak
    coordinator = world.client("coordinator")
    detail = coordinator.get(reverse("iop:vedtak_detail", args=[draft.pk])).content.decode()
    url = reverse("iop:vedtak_delete", args=[draft.pk])
    assert url in detail
    assert "Slette utkastet til vedtak?" in coordinator.post(url).content.decode()
    done = coordinator.post(url, {"confirm": "1"}, follow=True)
    assert "Utkastet til vedtak er slettet." in done.content.decode()
    assert not Enkeltvedtak.objects.filter(pk=draft.pk).exists()
    assert SakkyndigVurdering.objects.filter(pk=made.sv.pk).exists()
    assert Enkeltvedtak.history.get(id=draft.pk, history_type="-").history_user == world.user("coordinator")


def test_a_draft_shared_for_comment_and_a_decision_made_are_kept(world: World) -> None:
    made = chain(world.pupil_a, author=world.user("ppt"), iop_status=None, vedtak_status=Enkeltvedtak.Status.DRAFT)
    AdvanceNotice.objects.create(
        vedtak=made.vedtak,
        sent_on=timezone.localdate(),
        comment_deadline=timezone.localdate() + datetime.timedelta(days=14),
        sent_by=world.user("coordinator"),
    )
    coordinator = world.client("coordinator")
    detail = coordinator.get(reverse("iop:vedtak_detail", args=[made.vedtak.pk])).content.decode()
    assert reverse("iop:vedtak_delete", args=[made.vedtak.pk]) not in detail
    page = coordinator.post(reverse("iop:vedtak_delete", args=[made.vedtak.pk]), {"confirm": "1"}).content.decode()
    assert "det beholdes sammen med merknadene deres" in page and 'name="confirm" value="1"' not in page
    with pytest.raises(ValidationError):
        services.vedtak_delete(actor=world.user("coordinator"), vedtak=made.vedtak)
    decided = chain(world.pupil_b, author=world.user("ppt"), iop_status=None).vedtak
    with pytest.raises(ValidationError):
        services.vedtak_delete(actor=world.user("coordinator"), vedtak=decided)
    assert Enkeltvedtak.objects.count() == 2
