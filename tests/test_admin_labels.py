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


def test_what_the_law_made_final_stays_final_and_every_read_is_logged(world) -> None:  # type: ignore[no-untyped-def]
    """A vedtak made, a completed sakkyndig vurdering, a published version of
    a plan and a log entry the guardians read are shown in the admin, never
    changed or deleted there; a draft stays editable. Opening a pupil's
    record in the admin is in the access log, as every other read."""
    from iop import services
    from iop.models import AccessLogEntry, Enkeltvedtak, GoalLog, IopVersion, SakkyndigVurdering
    from tests.iop.factories import chain

    ch = chain(world.pupil_a, logs_per_goal=1)
    assert ch.iop is not None
    services.iop_publish(actor=world.user("teacher"), iop=ch.iop, version=ch.iop.version)
    SakkyndigVurdering.objects.filter(pk=ch.sv.pk).update(status=SakkyndigVurdering.Status.COMPLETED)
    operator = world.client("operator")
    final = {
        "iop_enkeltvedtak": ch.vedtak,
        "iop_sakkyndigvurdering": ch.sv,
        "iop_iopversion": IopVersion.objects.get(iop=ch.iop),
        "iop_goallog": GoalLog.objects.filter(goal=ch.goals[0]).get(),
    }
    for name, record in final.items():
        shown = operator.get(reverse(f"admin:{name}_change", args=[record.pk]))
        assert shown.status_code == 200 and 'name="_save"' not in shown.content.decode(), name
        assert operator.post(reverse(f"admin:{name}_change", args=[record.pk]), {}).status_code == 403, name
        assert operator.post(reverse(f"admin:{name}_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
        assert type(record).objects.filter(pk=record.pk).exists()
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(status=Enkeltvedtak.Status.DRAFT)
    draft = operator.get(reverse("admin:iop_enkeltvedtak_change", args=[ch.vedtak.pk])).content.decode()
    assert 'name="_save"' in draft

    before = AccessLogEntry.objects.count()
    assert operator.get(reverse("admin:iop_iop_change", args=[ch.iop.pk])).status_code == 200
    assert operator.get(reverse("admin:iop_goal_history", args=[ch.goals[0].pk])).status_code == 200
    rows = AccessLogEntry.objects.values_list("user", "pupil", "kind", "object_id", "purpose").order_by("at", "id")
    logged = list(rows)[before:]
    user = world.user("operator").pk
    assert logged == [
        (user, world.pupil_a.pk, "iop", ch.iop.pk, "admin"),
        (user, world.pupil_a.pk, "goal", ch.goals[0].pk, "history"),
    ]
    assert (
        "Åpnet i administrasjonen"
        in world.client("coordinator").get(reverse("iop:access_log", args=[world.pupil_a.pk])).content.decode()
    )


def test_the_login_audit_is_read_only_and_a_lock_out_can_be_lifted(world) -> None:  # type: ignore[no-untyped-def]
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone

    now = timezone.now()
    common = {"username": "x@test.example", "ip_address": "127.0.0.1", "user_agent": "t", "http_accept": "*"}
    login = AccessLog.objects.create(attempt_time=now, path_info="/logg-inn/", **common)
    failure = AccessFailureLog.objects.create(attempt_time=now, path_info="/logg-inn/", locked_out=False, **common)
    lock = AccessAttempt.objects.create(attempt_time=now, path_info="/logg-inn/", failures_since_start=5, **common)
    operator = world.client("operator")
    for name, record in (("axes_accesslog", login), ("axes_accessfailurelog", failure)):
        shown = operator.get(reverse(f"admin:{name}_change", args=[record.pk]))
        assert shown.status_code == 200 and 'name="_save"' not in shown.content.decode(), name
        assert operator.post(reverse(f"admin:{name}_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    assert operator.post(reverse("admin:axes_accessattempt_delete", args=[lock.pk]), {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.filter(pk=lock.pk).exists()
