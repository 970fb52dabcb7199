"""Consent to the case (opplæringslova chapter 11): the expert assessment and
the decision each need consent; a pupil of 15 or more consents alone; one or
all guardians with parental responsibility consent to the decision (the
``IOP_VEDTAK_CONSENT`` setting); a withdrawal stops the case and ends PPT's
access at once. Each rule fires and stays quiet."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from followup.models import Consent, Referral
from iop import services
from iop.models import CaseConsent, Enkeltvedtak, SakkyndigVurdering, SakkyndigVurderingSubject
from students import access
from students.models import GuardianLink, PptGrant, Pupil
from tests.conftest import World
from tests.factories import UserFactory, guardian_of
from tests.iop.factories import VurderingFactory, chain


def today() -> datetime.date:
    return timezone.localdate()


def give(world: World, pupil: Pupil, kind: str, *, given_by: str = "guardian", **data: Any) -> CaseConsent:
    fields = {"kind": kind, "given_by": given_by, "name": "Aud Foresatt", "date": today(), "method": "signed", **data}
    return services.case_consent_record(actor=world.user("coordinator"), pupil=pupil, data=fields)


def draft_vedtak(world: World, pupil: Pupil | None = None) -> Enkeltvedtak:
    """A draft decision ready to be made in every way but its consent."""
    pupil = pupil or world.pupil_a
    ch = chain(pupil, vedtak_status=Enkeltvedtak.Status.DRAFT, iop_status=None)
    CaseConsent.objects.filter(pupil=pupil, kind=CaseConsent.Kind.VEDTAK).delete()
    return Enkeltvedtak.objects.get(pk=ch.vedtak.pk)


def make(world: World, vedtak: Enkeltvedtak) -> Enkeltvedtak:
    vedtak.refresh_from_db()
    return services.vedtak_make(actor=world.user("coordinator"), vedtak=vedtak, version=vedtak.version)


def draft_sv(world: World) -> SakkyndigVurdering:
    sv = VurderingFactory(
        pupil=world.pupil_a, author=world.user("ppt"), status=SakkyndigVurdering.Status.DRAFT, consent=False
    )
    SakkyndigVurderingSubject.objects.create(vurdering=sv, subject="Norsk", hours=38)
    return sv


def complete(world: World, sv: SakkyndigVurdering) -> SakkyndigVurdering:
    sv.refresh_from_db()
    return services.vurdering_complete(actor=world.user("ppt"), vurdering=sv, version=sv.version)


def make_fifteen(pupil: Pupil) -> None:
    Pupil.objects.filter(pk=pupil.pk).update(birth_date=today().replace(year=today().year - 15))
    pupil.refresh_from_db()


# --- the expert assessment ------------------------------------------------------------------


def test_an_assessment_is_completed_only_with_consent_to_it(world: World) -> None:
    sv = draft_sv(world)
    with pytest.raises(ValidationError) as refused:
        complete(world, sv)
    assert (
        "Registrer de foresattes samtykke til den sakkyndige vurderingen først. "
        "Elevens skole registrerer det: koordinatoren eller rektor."
    ) in refused.value.messages  # PPT, who completes it, can not record it: it says who can
    give(world, world.pupil_a, "sv")
    assert complete(world, sv).status == SakkyndigVurdering.Status.COMPLETED


def test_consent_to_the_decision_does_not_count_for_the_assessment(world: World) -> None:
    sv = draft_sv(world)
    give(world, world.pupil_a, "vedtak")
    with pytest.raises(ValidationError):
        complete(world, sv)


# --- the decision ---------------------------------------------------------------------------


def test_a_decision_is_made_only_with_consent_to_it(world: World) -> None:
    vedtak = draft_vedtak(world)
    with pytest.raises(ValidationError) as refused:
        make(world, vedtak)
    assert any("samtykke til individuelt tilrettelagt opplæring" in m for m in refused.value.messages)
    assert Enkeltvedtak.objects.get(pk=vedtak.pk).status == Enkeltvedtak.Status.DRAFT
    give(world, world.pupil_a, "vedtak")
    assert make(world, vedtak).is_made


def test_a_refusal_is_made_without_consent_to_the_teaching_it_refuses(world: World) -> None:
    vedtak = draft_vedtak(world)
    vedtak.subjects.all().delete()
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(
        outcome=Enkeltvedtak.Outcome.REFUSED, deviation_reason="Godt utbytte med tilpasning i klassen."
    )
    vedtak.refresh_from_db()
    assert not CaseConsent.objects.filter(pupil=world.pupil_a, kind="vedtak").exists()
    made = make(world, vedtak)
    assert made.is_made and made.is_refusal


def test_a_consent_dated_after_the_decision_does_not_count(world: World) -> None:
    vedtak = draft_vedtak(world)
    give(world, world.pupil_a, "vedtak")
    vedtak.refresh_from_db()
    with pytest.raises(ValidationError):
        services.vedtak_make(
            actor=world.user("coordinator"),
            vedtak=vedtak,
            version=vedtak.version,
            made_on=today() - datetime.timedelta(days=1),
        )


def test_a_pupil_of_fifteen_consents_alone(world: World) -> None:
    make_fifteen(world.pupil_a)
    vedtak = draft_vedtak(world)
    with pytest.raises(ValidationError) as wrong_party:
        give(world, world.pupil_a, "vedtak")
    assert "Eleven er 15 år eller eldre og samtykker selv." in wrong_party.value.messages
    CaseConsent.objects.create(
        pupil=world.pupil_a, kind="vedtak", name="Foresatt", date=today(), method="signed", given_by="guardian"
    )
    with pytest.raises(ValidationError) as refused:
        make(world, vedtak)
    assert any("Eleven er 15 år eller eldre og samtykker selv" in m for m in refused.value.messages)
    give(world, world.pupil_a, "vedtak", given_by="pupil", name=world.pupil_a.full_name)
    assert make(world, vedtak).is_made


def test_a_child_under_fifteen_does_not_consent_alone(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        give(world, world.pupil_a, "sv", given_by="pupil")
    assert "For elever under 15 år samtykker de foresatte." in refused.value.messages


def test_one_guardian_is_enough_unless_the_setting_asks_for_all(world: World, settings: Any) -> None:
    second = UserFactory(full_name="Ola Foresatt")
    guardian_of(second, world.pupil_a)
    without = UserFactory(full_name="Uten Foreldreansvar")
    GuardianLink.objects.create(user=without, pupil=world.pupil_a, parental_responsibility=False)
    give(world, world.pupil_a, "vedtak", guardian=world.user("guardian_a"))
    assert services.consent_problem(world.pupil_a, "vedtak", today()) is None

    settings.IOP_VEDTAK_CONSENT = "all"
    problem = services.consent_problem(world.pupil_a, "vedtak", today())
    assert problem is not None and "Ola Foresatt" in problem
    assert "Aud Foresatt" not in problem and "Uten Foreldreansvar" not in problem
    vedtak = draft_vedtak(world)
    give(world, world.pupil_a, "vedtak", guardian=world.user("guardian_a"))
    with pytest.raises(ValidationError):
        make(world, vedtak)
    give(world, world.pupil_a, "vedtak", guardian=second, name="Ola Foresatt")
    assert make(world, vedtak).is_made
    # The assessment never asks for all of them.
    give(world, world.pupil_a, "sv")
    assert services.consent_problem(world.pupil_a, "sv", today()) is None


def test_only_a_guardian_with_parental_responsibility_is_named(world: World) -> None:
    without = UserFactory()
    GuardianLink.objects.create(user=without, pupil=world.pupil_a, parental_responsibility=False)
    with pytest.raises(ValidationError) as refused:
        give(world, world.pupil_a, "vedtak", guardian=without)
    assert "Velg en av elevens foresatte med foreldreansvar." in refused.value.messages


def test_a_consent_is_not_dated_in_the_future(world: World) -> None:
    with pytest.raises(ValidationError):
        give(world, world.pupil_a, "sv", date=today() + datetime.timedelta(days=1))
    assert not CaseConsent.objects.filter(pupil=world.pupil_a, kind="sv", date__gt=today()).exists()


# --- withdrawal -----------------------------------------------------------------------------


def test_withdrawing_stops_the_case_and_ends_ppt_access_at_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    sv = draft_sv(world)
    consent = give(world, world.pupil_a, "sv")
    referral = Referral.objects.create(
        pupil=world.pupil_a, question="Q", report="R", status=Referral.Status.SENT, sent_at=timezone.now()
    )
    Consent.objects.create(referral=referral, pupil=world.pupil_a, name="Aud Foresatt", date=today(), method="signed")
    assert access.can(world.user("ppt"), access.Action.VIEW, world.pupil_a)

    with django_capture_on_commit_callbacks(execute=True):
        services.case_consent_withdraw(
            actor=world.user("coordinator"), consent=consent, withdrawn_on=today(), method="meeting", note="I møte"
        )

    consent.refresh_from_db()
    assert consent.withdrawn_on == today() and consent.withdrawal_method == "meeting"
    assert SakkyndigVurdering.objects.get(pk=sv.pk).stopped_on == today()
    assert not PptGrant.objects.filter(pupil=world.pupil_a, revoked_at__isnull=True).exists()
    assert not access.can(world.user("ppt"), access.Action.VIEW, Pupil.objects.get(pk=world.pupil_a.pk))
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.STOPPED
    assert not Consent.objects.filter(referral=referral, withdrawn_at__isnull=True).exists()
    with pytest.raises(PermissionDenied):
        complete(world, sv)
    # A new referral gives PPT access again; the stopped assessment stays stopped.
    access.grant_ppt_access(pupil=world.pupil_a, granted_by=world.user("coordinator"))
    give(world, world.pupil_a, "sv")
    with pytest.raises(ValidationError) as refused:
        complete(world, sv)
    assert any("stanset" in m for m in refused.value.messages)


def test_a_withdrawn_consent_no_longer_counts_for_the_decision(world: World) -> None:
    vedtak = draft_vedtak(world)
    consent = give(world, world.pupil_a, "vedtak")
    services.case_consent_withdraw(
        actor=world.user("coordinator"), consent=consent, withdrawn_on=today(), method="signed"
    )
    with pytest.raises(ValidationError):
        make(world, vedtak)


def test_without_withdrawal_ppt_keeps_access(world: World) -> None:
    give(world, world.pupil_a, "sv")
    assert PptGrant.objects.filter(pupil=world.pupil_a, revoked_at__isnull=True).exists()


def test_a_withdrawal_is_dated_between_the_consent_and_today(world: World) -> None:
    consent = give(world, world.pupil_a, "sv", date=today() - datetime.timedelta(days=3))
    for day in (today() + datetime.timedelta(days=1), today() - datetime.timedelta(days=4)):
        with pytest.raises(ValidationError):
            services.case_consent_withdraw(
                actor=world.user("coordinator"), consent=consent, withdrawn_on=day, method="signed"
            )
    assert CaseConsent.objects.get(pk=consent.pk).withdrawn_on is None
    assert PptGrant.objects.filter(pupil=world.pupil_a, revoked_at__isnull=True).exists()


# --- the page -------------------------------------------------------------------------------


def test_the_coordinator_records_and_withdraws_on_the_page(world: World) -> None:
    client = world.client("coordinator")
    url = reverse("iop:consents", args=[world.pupil_a.pk])
    page = client.get(url).content.decode()
    assert "Registrer et samtykke" in page and "Ingen samtykker er registrert ennå." in page
    bad = client.post(url, {"kind": "sv", "given_by": "pupil", "name": "Anna", "date": today(), "method": "signed"})
    assert bad.status_code == 400
    assert "For elever under 15 år samtykker de foresatte." in bad.content.decode()
    assert 'value="Anna"' in bad.content.decode()
    ok = client.post(url, {"kind": "sv", "given_by": "guardian", "name": "Aud", "date": today(), "method": "signed"})
    assert ok.status_code == 302
    consent = CaseConsent.objects.get(pupil=world.pupil_a, name="Aud")
    future = client.post(
        reverse("iop:consent_withdraw", args=[consent.pk]),
        {"withdrawn_on": today() + datetime.timedelta(days=1), "method": "signed"},
    )
    assert future.status_code == 400
    assert "Tilbaketrekkingen kan ikke dateres fram i tid." in future.content.decode()
    # One press asks first: withdrawing stops the case and ends PPT's access.
    asked = client.post(
        reverse("iop:consent_withdraw", args=[consent.pk]), {"withdrawn_on": today(), "method": "signed"}
    )
    assert asked.status_code == 200 and "Trekke tilbake samtykket?" in asked.content.decode()
    assert CaseConsent.objects.get(pk=consent.pk).withdrawn_on is None
    done = client.post(
        reverse("iop:consent_withdraw", args=[consent.pk]),
        {"withdrawn_on": today(), "method": "signed", "note": "", "confirm": "1"},
    )
    assert done.status_code == 302
    assert CaseConsent.objects.get(pk=consent.pk).withdrawn_on == today()


def test_the_name_of_a_consent_is_the_guardians_who_is_named(world: World) -> None:
    """ "Ola Nordmann" consenting as guardian Aud Foresatt would leave it unclear who consented."""
    with pytest.raises(ValidationError) as refused:
        give(world, world.pupil_a, "vedtak", guardian=world.user("guardian_a"), name="Ola Nordmann")
    assert refused.value.message_dict["name"] == [
        "Foresatt som er valgt, er Aud Foresatt: skriv det navnet, eller velg ingen foresatt."
    ]
    assert not CaseConsent.objects.filter(pupil=world.pupil_a, name="Ola Nordmann").exists()
    consent = give(world, world.pupil_a, "vedtak", guardian=world.user("guardian_a"), name=" aud  foresatt ")
    assert consent.guardian == world.user("guardian_a")
    assert give(world, world.pupil_a, "vedtak", name="Ola Nordmann").name == "Ola Nordmann"  # no guardian named


def test_a_pupil_of_15_consents_under_their_own_name_without_typing_it(world: World) -> None:
    """Choosing "the pupil" names the pupil: nothing to type, and no other name (not "Tobias" alone)."""
    Pupil.objects.filter(pk=world.pupil_a.pk).update(birth_date=today() - datetime.timedelta(days=365 * 16))
    client = world.client("coordinator")
    url = reverse("iop:consents", args=[world.pupil_a.pk])
    form = {"kind": "vedtak", "given_by": "pupil", "name": "", "date": today(), "method": "signed"}
    refused = client.post(url, {**form, "name": "Anna"})
    assert refused.status_code == 400
    assert "Eleven heter Anna Aasen: skriv det navnet, eller la feltet stå tomt." in refused.content.decode()
    assert not CaseConsent.objects.filter(pupil=world.pupil_a, kind="vedtak", given_by="pupil").exists()
    assert client.post(url, form).status_code == 302
    assert CaseConsent.objects.get(pupil=world.pupil_a, kind="vedtak", given_by="pupil").name == "Anna Aasen"
    nameless = client.post(url, {**form, "given_by": "guardian"})  # someone who is not named by the choice
    assert nameless.status_code == 400
    assert "Skriv navnet på den som samtykket, eller velg den foresatte." in nameless.content.decode()
