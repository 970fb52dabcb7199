"""The pages of the case around the decision run a fixed number of queries:
the consents, the appeal register's forms, the advance notice and its
comments, the interim reply and its letter. Measured for a pupil with one
of each and for a pupil with many."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from followup.models import InterimReply, Referral
from iop.models import AdvanceNotice, AdvanceNoticeComment, Appeal, CaseConsent, Enkeltvedtak
from students.models import Pupil
from tests import factories as f
from tests.conftest import World
from tests.iop.factories import VedtakFactory, chain
from tests.queries import assert_same_queries, page_queries


def case_pages(pupil: Pupil, n: int) -> list[str]:
    """Build PUPIL's case with N of each record; the URLs of its pages."""
    today = timezone.localdate()
    day = today - datetime.timedelta(days=30)
    ch = chain(pupil, iop_status=None)
    CaseConsent.objects.bulk_create(
        [
            CaseConsent(
                pupil=pupil,
                kind=CaseConsent.Kind.VEDTAK if i % 2 else CaseConsent.Kind.SV,
                name=f"Foresatt {i}",
                date=day,
                method=CaseConsent.Method.SIGNED,
                withdrawn_on=today if i % 3 == 2 else None,
                withdrawal_method=CaseConsent.Method.OTHER if i % 3 == 2 else "",
            )
            for i in range(n)
        ]
    )
    appeals = Appeal.objects.bulk_create(
        [Appeal(vedtak=ch.vedtak, received_on=day, appellant=f"Foresatt {i}") for i in range(n)]
    )
    for i in range(n):
        f.guardian_of(f.UserFactory(email=f"foresatt{i}.{pupil.pk}@test.example"), pupil)
    draft = VedtakFactory(vurdering=ch.sv, status=Enkeltvedtak.Status.DRAFT)
    notices = AdvanceNotice.objects.bulk_create(
        [AdvanceNotice(vedtak=draft, sent_on=day, comment_deadline=today) for _ in range(n)]
    )
    AdvanceNoticeComment.objects.bulk_create(
        [AdvanceNoticeComment(notice=notice, name="Foresatt", received_on=day, text="Enig.") for notice in notices]
    )
    referral = Referral.objects.create(
        pupil=pupil, question="?", report="R", status=Referral.Status.SENT, sent_at=timezone.now()
    )
    replies = InterimReply.objects.bulk_create(
        [
            InterimReply(pupil=pupil, referral=referral, reason="Ventetid", expected_by=today, sent_on=today)
            for _ in range(n)
        ]
        + [
            InterimReply(pupil=pupil, vurdering=ch.sv, reason="Ventetid", expected_by=today, sent_on=today)
            for _ in range(n)
        ]
    )
    return [
        reverse("iop:consents", args=[pupil.pk]),
        reverse("iop:appeal_create", args=[ch.vedtak.pk]),
        reverse("iop:appeal_edit", args=[appeals[0].pk]),
        reverse("iop:advance_notice_send", args=[draft.pk]),
        reverse("iop:advance_notice_comment", args=[notices[0].pk]),
        reverse("followup:interim_reply", args=["referral", referral.pk]),
        reverse("followup:interim_reply", args=["vurdering", ch.sv.pk]),
        reverse("followup:interim_letter", args=[replies[0].pk]),
    ]


def test_the_case_pages_run_a_fixed_number_of_queries(world: World) -> None:
    coordinator = world.client("coordinator")
    small = [page_queries(coordinator, url, warm=True) for url in case_pages(world.pupil_a, 1)]
    urls = case_pages(world.pupil_b, 15)
    large = [page_queries(coordinator, url, warm=True) for url in urls]
    assert_same_queries(small, large, at_most=30)
    # the large pages show the many records they were measured with
    assert "Foresatt 14" in coordinator.get(urls[0]).content.decode()
    assert coordinator.get(urls[5]).content.decode().count("/brev/") == 15
