"""Concern → kartlegging → tiltak → evaluation → referral with consent, through the services and views."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from followup import services
from followup.models import Concern, Notification, Referral, Tiltak
from students import access
from students.access import Action
from students.models import PptGrant
from tests.conftest import World
from tests.followup.fixtures import finish_report


def test_a_concern_reaches_the_coordinator_at_once(world: World, django_capture_on_commit_callbacks) -> None:
    teacher, coordinator = world.user("teacher"), world.user("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        concern = services.concern_file(
            actor=teacher, pupil=world.pupil_a, description="Mye fravær i oktober", high_absence=True
        )
    n = Notification.objects.get(concern=concern)
    assert n.recipient == coordinator and n.state == Notification.State.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert "bekymring" in message.subject.lower()  # Norwegian: the school's language
    assert "Anna" not in message.body and "fravær" not in message.body  # no pupil data in email
    assert str(concern.pk) in message.body
    html = message.alternatives[0][0]  # type: ignore[index]
    assert "<a href=" in html
    # In-app: on the coordinator's notification page.
    page = world.client("coordinator").get(reverse("followup:notifications"))
    assert "Anna Aasen" in page.content.decode()


def test_a_subject_teacher_may_file_a_concern_but_not_a_vikar(world: World) -> None:
    services.concern_file(actor=world.user("faglaerer"), pupil=world.pupil_a, description="x", other=True)
    with pytest.raises(PermissionDenied):
        services.concern_file(actor=world.user("vikar"), pupil=world.pupil_a, description="x", other=True)
    with pytest.raises(ValidationError):
        services.concern_file(actor=world.user("teacher"), pupil=world.pupil_a, description="nothing ticked")


def _document(world: World) -> None:
    teacher = world.user("teacher")
    today = timezone.localdate()
    concern = services.concern_file(
        actor=teacher,
        pupil=world.pupil_a,
        description="Sliter med lesing",
        insufficient_benefit=True,
    )
    services.kartlegging_create(
        actor=world.user("faglaerer"),
        pupil=world.pupil_a,
        concern=concern,
        kind="academic",
        date=today,
        conducted_by="Frode Faglærer",
        method="Kartleggeren",
        result="Leser 40 ord i minuttet",
    )
    tiltak = services.tiltak_create(
        actor=teacher,
        pupil=world.pupil_a,
        challenge="Leseflyt",
        description="Daglig lesetrening i liten gruppe",
        organisation="group",
        collaboration="with_others",
        partners="PPT veileder",
        start=today,
        end=today + datetime.timedelta(days=60),
        responsibilities="Kontaktlærer og spesialpedagog",
        evaluation_date=today + datetime.timedelta(days=1),
    )
    services.tiltak_evaluate(
        actor=teacher,
        tiltak=tiltak,
        date=today,
        outcome="adjusted",
        effect="Litt bedre, men ikke nok",
        adjustment="Tre økter i uka",
        next_evaluation_date=today + datetime.timedelta(days=30),
    )


def test_the_pedagogical_report_holds_what_was_documented(world: World) -> None:
    _document(world)
    referral = services.referral_create(actor=world.user("teacher"), pupil=world.pupil_a, question="Lesevansker?")
    for text in (
        "Sliter med lesing",
        "Kartleggeren",
        "Leser 40 ord i minuttet",
        "Daglig lesetrening i liten gruppe",
        "PPT veileder",
        "Litt bedre, men ikke nok",
        "Tre økter i uka",
        "Justeres",
    ):
        assert text.lower() in referral.report.lower(), text


def test_a_referral_needs_consent_and_sending_grants_ppt_access(
    world: World, django_capture_on_commit_callbacks
) -> None:
    coordinator, ppt = world.user("coordinator"), world.user("ppt")
    pupil = world.pupil_b
    referral = services.referral_create(actor=coordinator, pupil=pupil, question="Trenger eleven spesialundervisning?")
    with pytest.raises(ValidationError):
        services.referral_send(actor=coordinator, referral=referral)
    assert not access.pupils_for(ppt).filter(pk=pupil.pk).exists()
    with pytest.raises(ValidationError):  # a child does not consent for herself
        services.consent_record(
            actor=coordinator,
            referral=referral,
            date=timezone.localdate(),
            method="signed",
            given_by="pupil",
        )
    services.consent_record(
        actor=coordinator,
        referral=referral,
        guardian=world.user("guardian_b"),
        date=timezone.localdate(),
        method="signed",
    )
    with pytest.raises(PermissionDenied):
        services.referral_send(actor=world.user("teacher"), referral=referral)
    with pytest.raises(ValidationError):  # what the pupil masters is not written yet
        services.referral_send(actor=coordinator, referral=referral)
    finish_report(referral)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(actor=coordinator, referral=referral)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert PptGrant.objects.filter(pupil=pupil, revoked_at__isnull=True).exists()
    assert access.can(ppt, Action.ASSESS, pupil)
    assert [m.to for m in mail.outbox] == [[ppt.email]]
    page = world.client("ppt").get(reverse("followup:referral_detail", args=[referral.pk]))
    assert page.status_code == 200 and "Trenger eleven spesialundervisning?" in page.content.decode()
    # PPT sees the referral, not the school's internals.
    assert world.client("ppt").get(reverse("followup:pupil", args=[pupil.pk])).status_code == 403


def test_bad_input_is_kept_with_a_norwegian_message(world: World) -> None:
    client = world.client("teacher")
    url = reverse("followup:tiltak_create", args=[world.pupil_a.pk])
    response = client.post(
        url,
        {"description": "Mitt tiltak", "start": "2026-09-10", "end": "2026-09-01", "evaluation_date": "ikke en dato"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mitt tiltak" in body
    form = response.context["form"]
    assert form.errors["end"] == ["Sluttdatoen kan ikke være før startdatoen."]
    assert form.errors["evaluation_date"] == ["Oppgi en gyldig dato."]
    assert "description" not in form.errors and "start" not in form.errors
    assert "Sluttdatoen kan ikke være før startdatoen." in body and "Oppgi en gyldig dato." in body
    assert not Tiltak.objects.exists()
    response = client.post(reverse("followup:concern_create", args=[world.pupil_a.pk]), {"description": "Uten kryss"})
    assert "Velg minst én ting du observerte." in response.content.decode()
    assert not Concern.objects.exists()


def test_guardians_see_nothing_of_the_follow_up(world: World) -> None:
    services.concern_file(actor=world.user("teacher"), pupil=world.pupil_a, description="Fravær", high_absence=True)
    client = world.client("guardian_a")
    page = client.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert "Fravær" not in page and reverse("followup:pupil", args=[world.pupil_a.pk]) not in page
    assert client.get(reverse("followup:pupil", args=[world.pupil_a.pk])).status_code == 403
    concern = Concern.objects.get()
    assert client.get(reverse("followup:concern_detail", args=[concern.pk])).status_code == 404
