"""The operators' admin speaks the operator's language, third-party apps included."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from tests import factories as f


@pytest.mark.django_db
def test_the_admin_index_names_every_app_and_model_in_bokmaal(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:index")).content.decode()
    captions = re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", html)
    assert "Innloggingssperrer" in captions
    english = {"Axes", "Curriculum", "Access attempts", "Access failures", "Subject codes"}
    shown = set(captions) | set(re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>([^<]+)</a>', html))
    assert not shown & english, shown & english
    assert "Innloggingsforsøk" in shown


EVIDENCE = {
    # model (app_label, model_name): its name in the admin, in bokmål
    ("iop", "caseconsent"): "Samtykker i saken",
    ("iop", "advancenotice"): "Forhåndsvarsler",
    ("iop", "advancenoticecomment"): "Merknader til forhåndsvarselet",
    ("iop", "appeal"): "Klager",
    ("followup", "interimreply"): "Foreløpige svar",
}


@pytest.mark.django_db
def test_the_records_that_are_legal_evidence_are_read_only_in_the_admin(client) -> None:  # type: ignore[no-untyped-def]
    """Consents, advance notices and their comments, the appeal register and
    interim replies are listed and shown, in bokmål; nobody adds, changes or
    deletes them there (the services write them and tell the follow-up)."""
    from followup.models import InterimReply, Referral
    from iop.models import AdvanceNotice, AdvanceNoticeComment, Appeal, CaseConsent
    from tests.iop.factories import VedtakFactory

    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    vedtak = VedtakFactory(vurdering__pupil=f.PupilFactory())
    pupil = vedtak.pupil
    notice = AdvanceNotice.objects.create(
        vedtak=vedtak, sent_on=vedtak.made_on, comment_deadline=vedtak.made_on + datetime.timedelta(days=14)
    )
    referral = Referral.objects.create(pupil=pupil, question="?", report="R")
    records = {
        ("iop", "caseconsent"): CaseConsent.objects.get(pupil=pupil, kind=CaseConsent.Kind.VEDTAK),
        ("iop", "advancenotice"): notice,
        ("iop", "advancenoticecomment"): AdvanceNoticeComment.objects.create(
            notice=notice, name="Foresatt", received_on=vedtak.made_on, text="Enig."
        ),
        ("iop", "appeal"): Appeal.objects.create(vedtak=vedtak, received_on=vedtak.made_on, appellant="Foreldrene"),
        ("followup", "interimreply"): InterimReply.objects.create(
            pupil=pupil, referral=referral, reason="Ventetid", expected_by=vedtak.made_on, sent_on=vedtak.made_on
        ),
    }
    index = client.get(reverse("admin:index")).content.decode()
    for (app, model), name in EVIDENCE.items():
        assert f">{name}</a>" in index, name
        listing = client.get(reverse(f"admin:{app}_{model}_changelist"))
        assert listing.status_code == 200 and name in listing.content.decode()
        record = records[(app, model)]
        shown = client.get(reverse(f"admin:{app}_{model}_change", args=[record.pk]))
        assert shown.status_code == 200
        assert 'name="_save"' not in shown.content.decode()  # a view, not a form
        assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403
        assert client.post(reverse(f"admin:{app}_{model}_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
        assert type(record).objects.filter(pk=record.pk).exists()
