"""Forhåndsvarsel (forvaltningsloven § 16): the draft decision and the
expert assessment go to the parties with a deadline for comments; guardians
read them and are told; staff record the comments; the decision waits for
the deadline unless every party has answered. Each rule fires and stays quiet."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from followup.models import Notification
from followup.plan_notices import notify_advance_notice, notify_decision
from iop import services
from iop.models import AdvanceNotice, Enkeltvedtak
from students import access
from students.models import Pupil
from tests.conftest import World
from tests.factories import UserFactory
from tests.iop.factories import chain, consent
from tests.notification_links import notification_targets


def today() -> datetime.date:
    return timezone.localdate()


def draft(world: World) -> Enkeltvedtak:
    return chain(world.pupil_a, vedtak_status=Enkeltvedtak.Status.DRAFT, iop_status=None).vedtak


def send(world: World, vedtak: Enkeltvedtak, days: int = 14) -> AdvanceNotice:
    vedtak.pupil = access.get_pupil(world.user("coordinator"), vedtak.pupil_id)
    return services.advance_notice_send(
        actor=world.user("coordinator"),
        vedtak=vedtak,
        comment_deadline=today() + datetime.timedelta(days=days),
        message="Send merknader til skolen.",
    )


def comment(world: World, notice: AdvanceNotice, **data: Any) -> Any:
    fields = {"party": "guardian", "name": "Aud Foresatt", "received_on": today(), "text": "Vi er enige.", **data}
    return services.advance_notice_comment(actor=world.user("coordinator"), notice=notice, data=fields)


def make(world: World, vedtak: Enkeltvedtak) -> Enkeltvedtak:
    vedtak = Enkeltvedtak.objects.get(pk=vedtak.pk)
    vedtak.pupil = access.get_pupil(world.user("coordinator"), vedtak.pupil_id)
    return services.vedtak_make(actor=world.user("coordinator"), vedtak=vedtak, version=vedtak.version)


def test_the_guardian_reads_the_draft_and_the_assessment_once_it_is_shared(world: World) -> None:
    vedtak = draft(world)
    guardian = world.client("guardian_a")
    url = reverse("iop:vedtak_detail", args=[vedtak.pk])
    assert guardian.get(url).status_code == 404
    send(world, vedtak)
    page = guardian.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "forhåndsvarsel" in body and "INTERNAL-VEDTAK-NOTE" not in body
    assert "Fatt vedtaket" not in body and "Registrer en merknad" not in body
    assert guardian.get(reverse("iop:vurdering_detail", args=[vedtak.vurdering_id])).status_code == 200
    assert world.client("guardian_b").get(url).status_code == 404


def test_the_decision_waits_for_the_deadline(world: World) -> None:
    vedtak = draft(world)
    notice = send(world, vedtak)
    with pytest.raises(ValidationError) as refused:
        make(world, vedtak)
    assert any("forvaltningsloven § 16" in m and "Aud Foresatt" in m for m in refused.value.messages)
    with time_machine.travel(notice.comment_deadline, tick=False), pytest.raises(ValidationError):
        make(world, vedtak)  # the last day for comments
    with time_machine.travel(notice.comment_deadline + datetime.timedelta(days=1), tick=False):
        assert make(world, vedtak).is_made


def test_the_decision_is_made_early_when_every_party_has_answered(world: World) -> None:
    vedtak = draft(world)
    notice = send(world, vedtak)
    comment(world, notice, guardian=world.user("guardian_a"))
    assert services.advance_notice_problem(vedtak, today()) is None
    assert make(world, vedtak).is_made


def test_an_unnamed_comment_does_not_count_as_every_party(world: World) -> None:
    vedtak = draft(world)
    notice = send(world, vedtak)
    comment(world, notice, name="Kari Utenfor")  # a guardian without a login answered: not known to be each of them
    assert services.advance_notice_problem(vedtak, today()) is not None


def test_a_comment_under_a_guardians_own_name_is_that_guardians_answer(world: World) -> None:
    """Typing "aud  foresatt" instead of choosing her in the list counts as her answer, as the page shows it."""
    vedtak = draft(world)
    notice = send(world, vedtak)
    assert comment(world, notice, name=" aud  foresatt ").guardian == world.user("guardian_a")
    assert services.advance_notice_problem(vedtak, today()) is None


def test_a_pupil_of_fifteen_is_a_party_too(world: World) -> None:
    Pupil.objects.filter(pk=world.pupil_a.pk).update(birth_date=today().replace(year=today().year - 15))
    world.pupil_a.refresh_from_db()
    vedtak = draft(world)
    consent(world.pupil_a, "vedtak")
    notice = send(world, vedtak)
    comment(world, notice, guardian=world.user("guardian_a"))
    problem = services.advance_notice_problem(Enkeltvedtak.objects.get(pk=vedtak.pk), today())
    assert problem is not None and world.pupil_a.full_name in problem
    comment(world, notice, party="pupil", name=world.pupil_a.full_name)
    assert services.advance_notice_problem(Enkeltvedtak.objects.get(pk=vedtak.pk), today()) is None


def test_without_an_advance_notice_nothing_waits(world: World) -> None:
    vedtak = draft(world)
    assert services.advance_notice_problem(vedtak, today()) is None


def test_the_deadline_is_after_today_and_the_decision_a_draft(world: World) -> None:
    vedtak = draft(world)
    with pytest.raises(ValidationError):
        send(world, vedtak, days=0)
    with pytest.raises(ValidationError) as refused:  # a mistyped year would hold the case back for as long
        send(world, vedtak, days=services.COMMENT_DEADLINE_MAX_DAYS + 1)
    assert refused.value.message_dict["comment_deadline"] == ["Fristen for merknader er høyst 92 dager fra i dag."]
    made = chain(world.pupil_b).vedtak
    made.pupil = access.get_pupil(world.user("coordinator"), made.pupil_id)
    with pytest.raises(ValidationError):
        services.advance_notice_send(
            actor=world.user("coordinator"), vedtak=made, comment_deadline=today() + datetime.timedelta(days=7)
        )
    assert not AdvanceNotice.objects.exists()


def test_a_comment_is_dated_between_the_notice_and_today_and_names_a_guardian_of_the_pupil(world: World) -> None:
    notice = send(world, draft(world))
    with pytest.raises(ValidationError):
        comment(world, notice, received_on=today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        comment(world, notice, received_on=today() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        comment(world, notice, guardian=UserFactory())
    assert not notice.comments.exists()


def test_the_guardians_are_told_once(world: World, django_capture_on_commit_callbacks: Any) -> None:
    vedtak = draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        notice = send(world, vedtak)
    told = Notification.objects.filter(vedtak=vedtak, kind=Notification.Kind.NOTICE)
    assert [n.recipient for n in told] == [world.user("guardian_a")]
    assert notify_advance_notice(notice=notice) == []  # a repeated signal makes nothing new
    assert reverse("iop:vedtak_detail", args=[vedtak.pk]) in notification_targets(world.client("guardian_a"))


def test_nothing_is_told_without_a_notice(world: World) -> None:
    draft(world)
    assert not Notification.objects.filter(kind=Notification.Kind.NOTICE).exists()


def test_the_pages_keep_what_was_typed_when_refused(world: World) -> None:
    vedtak = draft(world)
    client = world.client("coordinator")
    url = reverse("iop:advance_notice_send", args=[vedtak.pk])
    bad = client.post(url, {"comment_deadline": today(), "message": "Frist i dag"})
    assert bad.status_code == 400 and "Fristen for merknader må være etter i dag." in bad.content.decode()
    assert "Frist i dag" in bad.content.decode()
    assert client.post(url, {"comment_deadline": today() + datetime.timedelta(days=7)}).status_code == 302
    notice = AdvanceNotice.objects.get(vedtak=vedtak)
    url = reverse("iop:advance_notice_comment", args=[notice.pk])
    bad = client.post(
        url, {"party": "guardian", "name": "Aud", "received_on": today() + datetime.timedelta(days=2), "text": "Uenig"}
    )
    assert bad.status_code == 400 and "Uenig" in bad.content.decode()
    ok = client.post(url, {"party": "guardian", "name": "Aud", "received_on": today(), "text": "Uenig i timetallet"})
    assert ok.status_code == 302
    page = client.get(reverse("iop:vedtak_detail", args=[vedtak.pk])).content.decode()
    assert "Uenig i timetallet" in page


def test_the_guardian_is_told_how_to_comment_and_staff_are_not(world: World) -> None:
    vedtak = draft(world)
    send(world, vedtak)
    url = reverse("iop:vedtak_detail", args=[vedtak.pk])
    page = world.client("guardian_a").get(url).content.decode()
    assert "data-how-to-comment" in page and "be skolen om et møte" in page
    assert "registrerer merknadene dine i saken" in page  # not "what you say here": there is no form here
    assert "Utkast til vedtak (PDF)" in page and "Vedtaksbrev (PDF)" not in page  # a draft is no letter yet
    assert "data-how-to-comment" not in world.client("coordinator").get(url).content.decode()


def test_the_guardians_are_told_once_the_decision_is_made(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The letter with the reasons and the appeal information is theirs to
    read: each guardian who may read the pupil gets one notification."""
    vedtak = draft(world)
    assert not Notification.objects.filter(kind=Notification.Kind.DECISION).exists()
    with django_capture_on_commit_callbacks(execute=True):
        make(world, vedtak)
    told = Notification.objects.filter(vedtak=vedtak, kind=Notification.Kind.DECISION)
    assert [n.recipient for n in told] == [world.user("guardian_a")]
    assert notify_decision(vedtak=vedtak) == []  # a repeated signal makes nothing new
    guardian = world.client("guardian_a")
    assert "Vedtak fattet – les vedtaksbrevet" in guardian.get(reverse("followup:notifications")).content.decode()
    assert reverse("iop:vedtak_detail", args=[vedtak.pk]) in notification_targets(guardian)


def test_a_guardians_comment_takes_the_chosen_guardians_name(world: World) -> None:
    vedtak = draft(world)
    notice = send(world, vedtak)
    url = reverse("iop:advance_notice_comment", args=[notice.pk])
    data = {
        "party": "guardian",
        "guardian": world.user("guardian_a").pk,
        "name": "",
        "received_on": today(),
        "text": "Vi er enige.",
    }
    assert world.client("coordinator").post(url, data).status_code == 302
    assert notice.comments.get().name == "Aud Foresatt"
    data = {**data, "party": "guardian", "guardian": "", "text": "Uten navn."}
    answer = world.client("coordinator").post(url, data)
    assert answer.status_code == 400 and "Uten navn." in answer.content.decode()
    assert "eller velg den foresatte" in answer.content.decode()


def test_a_draft_changed_after_its_notice_is_told_and_a_new_notice_offered(world: World) -> None:
    """The parties commented on the draft as it was sent: a change after it
    is told to the coordinator (not to the guardians), and the button then
    offers a new notice; a save that changes nothing is no change."""
    from django.db.models import F

    from iop.models import EnkeltvedtakSubject

    vedtak = draft(world)
    url = reverse("iop:vedtak_detail", args=[vedtak.pk])
    coordinator = world.client("coordinator")
    changed = "Utkastet er endret etter forhåndsvarselet"
    page = coordinator.get(url).content.decode()
    assert "Send forhåndsvarsel" in page and "Send nytt forhåndsvarsel" not in page
    send(world, vedtak)
    page = coordinator.get(url).content.decode()
    assert "Send nytt forhåndsvarsel" in page and changed not in page
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(version=F("version") + 1, updated_at=timezone.now())
    assert changed not in coordinator.get(url).content.decode()  # saved, but the same draft
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).update(hours=F("hours") - 19)
    page = coordinator.get(url).content.decode()
    assert changed in page and "data-changed-since-notice" in page
    guardians = world.client("guardian_a").get(url).content.decode()
    assert changed not in guardians  # the coordinator's advice is not theirs …
    assert "Skolen har endret utkastet etter at det ble sendt til uttalelse" in guardians  # … but the change is told
    send(world, Enkeltvedtak.objects.get(pk=vedtak.pk))  # a new notice of the changed draft
    assert changed not in coordinator.get(url).content.decode()


def test_partly_refused_needs_a_difference_from_the_assessment(world: World) -> None:
    """ "Granted, but less than recommended" while the decision follows the
    assessment in everything is a contradiction: flagged, and the decision is
    not made until one of the two is corrected."""
    from django.db.models import F

    from iop import checks
    from iop.models import EnkeltvedtakSubject

    vedtak = draft(world)
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(outcome=Enkeltvedtak.Outcome.PARTLY_REFUSED)
    consent(world.pupil_a, "vedtak")
    code = "vedtak_partly_refused_as_recommended"
    assert code in {f.code for f in checks.vedtak_flags(Enkeltvedtak.objects.get(pk=vedtak.pk))}
    with pytest.raises(ValidationError) as refused:
        make(world, vedtak)
    assert any("innvilger mindre enn den sakkyndige vurderingen tilrår" in m for m in refused.value.messages)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).update(hours=F("hours") - 19)
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(deviation_reason="Skolen gir færre timer fordi …")
    assert code not in {f.code for f in checks.vedtak_flags(Enkeltvedtak.objects.get(pk=vedtak.pk))}
    assert make(world, vedtak).is_made


def test_the_guardian_finds_the_draft_for_comment_on_the_childs_page(world: World) -> None:
    """Asked to comment, the guardian finds the draft where the decisions
    are listed, marked as a draft for comment; before the notice it is not listed."""
    vedtak = draft(world)
    guardian = world.client("guardian_a")
    pupil_page = reverse("pupil_detail", args=[world.pupil_a.pk])
    link = reverse("iop:vedtak_detail", args=[vedtak.pk])
    assert link not in guardian.get(pupil_page).content.decode()
    send(world, vedtak)
    page = guardian.get(pupil_page).content.decode()
    assert link in page and "Utkast til uttalelse" in page
    assert link not in world.client("guardian_b").get(pupil_page).content.decode()
    staff = world.client("coordinator").get(pupil_page).content.decode()
    assert link in staff and "Utkast til uttalelse" in staff


def test_making_a_decision_without_an_advance_notice_warns_first(world: World) -> None:
    vedtak = draft(world)
    url = reverse("iop:vedtak_make", args=[vedtak.pk])
    warning = "Det er ikke sendt forhåndsvarsel"
    asked = world.client("coordinator").post(url, {"version": vedtak.version})  # the question, not yet made
    assert warning in asked.content.decode()
    send(world, vedtak)
    assert warning not in world.client("coordinator").post(url, {"version": vedtak.version}).content.decode()
    assert Enkeltvedtak.objects.get(pk=vedtak.pk).status == Enkeltvedtak.Status.DRAFT


def test_the_pupils_own_comment_carries_the_pupils_name(world: World) -> None:
    notice = send(world, draft(world))
    with pytest.raises(ValidationError) as refused:
        comment(world, notice, party="pupil", name="Anna")
    assert refused.value.message_dict["name"] == [
        "Eleven heter Anna Aasen: skriv det navnet, eller la feltet stå tomt."
    ]
    url = reverse("iop:advance_notice_comment", args=[notice.pk])
    data = {"party": "pupil", "name": "", "received_on": today(), "text": "Jeg vil helst være i klassen."}
    assert world.client("coordinator").post(url, data).status_code == 302
    assert notice.comments.get().name == "Anna Aasen"
