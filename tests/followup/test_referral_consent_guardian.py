"""The consent to a referral to PPT follows the rule of the consents to the
assessment and the decision (opplæringslova chapter 11): a guardian's consent
names one of the pupil's registered guardians with parental responsibility,
chosen from a list; a pupil of 15 or more consents as the pupil. Consents
recorded earlier as a typed name are still shown, but no longer let the
referral be sent or count in the tilsyn check."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from followup import services, tilsyn
from followup.models import Consent, Referral
from students import access
from students.models import GuardianLink, Pupil
from tests.conftest import World

from .fixtures import finish_report


def referral_of(world: World, pupil: Pupil | None = None) -> Referral:
    return services.referral_create(
        actor=world.user("coordinator"), pupil=pupil or world.pupil_a, question="Lesevansker?"
    )


def record(world: World, referral: Referral, **data: object) -> Consent:
    values: dict[str, object] = {"date": timezone.localdate(), "method": "signed", **data}
    return services.consent_record(actor=world.user("coordinator"), referral=referral, **values)  # type: ignore[arg-type]


def errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- the service -----------------------------------------------------------------------------


def test_a_guardians_consent_names_a_registered_guardian_and_keeps_their_name(world: World) -> None:
    consent = record(world, referral_of(world), guardian=world.user("guardian_a"))
    assert consent.guardian == world.user("guardian_a") and consent.name == "Aud Foresatt"


def test_a_guardians_consent_without_a_guardian_is_refused(world: World) -> None:
    referral = referral_of(world)
    with translation.override("nb"), pytest.raises(ValidationError) as refused:
        record(world, referral)
    assert errors(refused) == {"guardian": ["Velg en av elevens foresatte med foreldreansvar."]}
    assert not referral.consents.exists()


def test_someone_not_the_pupils_guardian_cannot_consent(world: World) -> None:
    referral = referral_of(world)
    with pytest.raises(ValidationError) as refused:
        record(world, referral, guardian=world.user("guardian_b"))  # pupil B's guardian, not pupil A's
    assert "guardian" in errors(refused)
    with pytest.raises(ValidationError):
        record(world, referral, guardian=world.user("teacher"))
    assert not referral.consents.exists()


def test_a_guardian_without_parental_responsibility_or_no_longer_a_guardian_cannot_consent(world: World) -> None:
    referral = referral_of(world)
    link = GuardianLink.objects.get(pupil=world.pupil_a, user=world.user("guardian_a"))
    GuardianLink.objects.filter(pk=link.pk).update(parental_responsibility=False)
    with pytest.raises(ValidationError):
        record(world, referral, guardian=world.user("guardian_a"))
    GuardianLink.all_objects.filter(pk=link.pk).update(parental_responsibility=True, ended_at=timezone.now())
    with pytest.raises(ValidationError):
        record(world, referral, guardian=world.user("guardian_a"))
    assert not referral.consents.exists()


def test_a_pupil_of_15_consents_as_the_pupil_and_names_no_guardian(world: World) -> None:
    pupil = world.pupil_a
    Pupil.objects.filter(pk=pupil.pk).update(birth_date=timezone.localdate() - datetime.timedelta(days=16 * 366))
    pupil.refresh_from_db()
    referral = referral_of(world, pupil)
    with pytest.raises(ValidationError) as refused:
        record(world, referral, given_by="pupil", guardian=world.user("guardian_a"))
    assert "guardian" in errors(refused)
    with pytest.raises(ValidationError) as refused:
        record(world, referral, guardian=world.user("guardian_a"))  # the guardian, for a pupil of 16
    assert "given_by" in errors(refused)
    consent = record(world, referral, given_by="pupil")
    assert consent.guardian is None and consent.name == pupil.full_name


def test_a_referral_with_only_a_typed_name_as_consent_is_not_sent(world: World) -> None:
    """A consent recorded before the guardian was chosen from a list: shown,
    but it does not show who consented, so it does not let the referral go."""
    coordinator, ppt = world.user("coordinator"), world.user("ppt")
    referral = referral_of(world, world.pupil_b)
    finish_report(referral)
    Consent.objects.create(
        referral=referral, pupil=world.pupil_b, name="Ukjent Person", date=timezone.localdate(), method="signed"
    )
    with translation.override("nb"), pytest.raises(ValidationError) as refused:
        services.referral_send(actor=coordinator, referral=referral)
    assert any("oppgir ikke en av elevens foresatte med foreldreansvar" in m for m in refused.value.messages)
    referral.refresh_from_db()
    assert not referral.is_sent and not access.pupils_for(ppt).filter(pk=world.pupil_b.pk).exists()
    record(world, referral, guardian=world.user("guardian_b"))
    services.referral_send(actor=coordinator, referral=referral)
    referral.refresh_from_db()
    assert referral.is_sent


# --- the page --------------------------------------------------------------------------------


def test_the_referral_page_offers_the_pupils_guardians_not_a_name_field(world: World) -> None:
    referral = referral_of(world)
    Consent.objects.create(
        referral=referral, pupil=world.pupil_a, name="Gammel Fritekst", date=timezone.localdate(), method="signed"
    )
    body = world.client("teacher").get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
    assert 'name="guardian"' in body and f'value="{world.user("guardian_a").pk}"' in body  # type: ignore[union-attr]
    assert "Aud Foresatt" in body and "Bent Foresatt" not in body
    assert 'name="name"' not in body
    assert "Gammel Fritekst" in body  # a consent recorded as a typed name is still shown


def test_the_page_refuses_someone_else_and_keeps_what_was_typed(world: World) -> None:
    referral = referral_of(world)
    url = reverse("followup:consent_create", args=[referral.pk])
    data = {
        "given_by": "guardian",
        "guardian": str(world.user("guardian_b").pk),  # type: ignore[union-attr]
        "date": timezone.localdate().isoformat(),
        "method": "meeting",
        "note": "Samtykket i møte med kontaktlærer",
    }
    response = world.client("teacher").post(url, data)
    body = response.content.decode()
    assert response.status_code == 400 and "Velg et gyldig valg" in body
    assert "Samtykket i møte med kontaktlærer" in body
    response = world.client("teacher").post(url, {**data, "guardian": ""})
    body = response.content.decode()
    assert response.status_code == 400 and "Velg den foresatte som samtykket." in body
    assert "Samtykket i møte med kontaktlærer" in body
    assert not referral.consents.exists()
    response = world.client("teacher").post(url, {**data, "guardian": str(world.user("guardian_a").pk)})  # type: ignore[union-attr]
    assert response.status_code == 302
    assert [(c.guardian, c.name) for c in referral.consents.all()] == [(world.user("guardian_a"), "Aud Foresatt")]


def test_the_page_says_so_when_the_pupil_has_no_guardian_to_choose(world: World) -> None:
    referral = referral_of(world)
    GuardianLink.objects.filter(pupil=world.pupil_a).update(parental_responsibility=False)
    response = world.client("teacher").post(
        reverse("followup:consent_create", args=[referral.pk]),
        {"given_by": "guardian", "date": timezone.localdate().isoformat(), "method": "signed"},
    )
    assert response.status_code == 400
    assert "Eleven har ingen registrert foresatt med foreldreansvar" in response.content.decode()


# --- the tilsyn check ------------------------------------------------------------------------


def referral_consent_result(pupil: Pupil) -> tilsyn.Result:
    with translation.override(None):
        checked = tilsyn.check_pupils(Pupil.objects.filter(pk=pupil.pk), timezone.localdate())[0]
    return next(r for r in checked.results if r.requirement.code == "referral_consent")


def test_tilsyn_counts_a_guardians_consent_only_when_it_names_a_guardian_with_parental_responsibility(
    world: World,
) -> None:
    pupil = world.pupil_b
    referral = Referral.objects.create(
        pupil=pupil, question="Q", report="R", status=Referral.Status.SENT, sent_at=timezone.now()
    )
    consent = Consent.objects.create(
        referral=referral, pupil=pupil, name="Ukjent Person", date=timezone.localdate(), method="signed"
    )
    result = referral_consent_result(pupil)
    assert result.status == tilsyn.Status.MISSING
    assert "named among the pupil's guardians" in " ".join(f.message for f in result.findings)

    Consent.objects.filter(pk=consent.pk).update(guardian=world.user("guardian_a"))  # another pupil's guardian
    assert referral_consent_result(pupil).status == tilsyn.Status.MISSING

    Consent.objects.filter(pk=consent.pk).update(guardian=world.user("guardian_b"), name="Bent Foresatt")
    assert referral_consent_result(pupil).status == tilsyn.Status.OK

    GuardianLink.objects.filter(pupil=pupil).update(parental_responsibility=False)
    assert referral_consent_result(pupil).status == tilsyn.Status.MISSING


# --- one form, both consents --------------------------------------------------------------


def test_the_consent_to_the_referral_is_recorded_as_the_assessments_too_when_ticked(world: World) -> None:
    from iop.models import CaseConsent
    from iop.services import consent_problem

    referral = referral_of(world)
    coordinator = world.client("coordinator")
    page = coordinator.get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
    [box] = re.findall(r'<input[^>]*name="also_assessment"[^>]*>', page)
    assert " checked" in box  # ticked to begin with
    today = timezone.localdate()
    assert consent_problem(world.pupil_a, CaseConsent.Kind.SV, today)
    data = {
        "given_by": "guardian",
        "guardian": world.user("guardian_a").pk,
        "date": today.isoformat(),
        "method": "signed",
        "also_assessment": "on",
    }
    assert coordinator.post(reverse("followup:consent_create", args=[referral.pk]), data).status_code == 302
    [case] = CaseConsent.objects.filter(pupil=world.pupil_a)
    assert (case.kind, case.guardian, case.name, case.date) == ("sv", world.user("guardian_a"), "Aud Foresatt", today)
    assert case.note == "Registrert sammen med samtykket til henvisningen."
    assert consent_problem(world.pupil_a, CaseConsent.Kind.SV, today) is None  # PPT may complete the assessment

    # Unticked: the referral's consent only.
    other = referral_of(world, world.pupil_b)
    data["guardian"] = world.user("guardian_b").pk
    del data["also_assessment"]
    assert coordinator.post(reverse("followup:consent_create", args=[other.pk]), data).status_code == 302
    assert not CaseConsent.objects.filter(pupil=world.pupil_b).exists()


def test_who_may_not_record_the_cases_consents_is_not_offered_the_box(world: World) -> None:
    referral = services.referral_create(actor=world.user("teacher"), pupil=world.pupil_a, question="Lesevansker?")
    page = world.client("teacher").get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
    assert 'name="also_assessment"' not in page
    data = {
        "given_by": "guardian",
        "guardian": world.user("guardian_a").pk,
        "date": timezone.localdate(),
        "method": "signed",
    }
    response = world.client("teacher").post(
        reverse("followup:consent_create", args=[referral.pk]), {**data, "also_assessment": "on"}
    )
    assert response.status_code == 302 and referral.consents.count() == 1  # the box is not theirs: ignored
    from iop.models import CaseConsent

    assert not CaseConsent.objects.exists()


def test_the_referral_page_tells_a_teacher_who_sends_it_and_shows_who_sent_it(world: World) -> None:
    referral = services.referral_create(actor=world.user("teacher"), pupil=world.pupil_a, question="Lesevansker?")
    teacher = world.client("teacher").get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
    assert "sender koordinatoren eller rektor henvisningen til PPT" in teacher
    coordinator = world.client("coordinator").get(reverse("followup:referral_detail", args=[referral.pk]))
    assert "data-sent-by-leaders" not in coordinator.content.decode()  # they send it themselves
    Referral.objects.filter(pk=referral.pk).update(
        status=Referral.Status.ASSESSED, sent_at=timezone.now(), sent_by=world.user("coordinator")
    )
    page = world.client("coordinator").get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
    assert "<dt>Sendt til PPT</dt>" in page  # who sent it, apart from the status (PPT completed the assessment)


def test_a_pupil_of_15_is_offered_as_the_one_who_consents_and_a_guardian_is_refused_first_by_the_age_rule(
    world: World,
) -> None:
    """For a pupil of 17 the form starts at "the pupil"; a consent recorded
    as a guardian's is refused for the age, not for the missing guardian."""
    today = timezone.localdate()
    Pupil.objects.filter(pk=world.pupil_a.pk).update(
        birth_date=today.replace(year=today.year - 17) - datetime.timedelta(days=3)
    )
    referral = referral_of(world)
    url = reverse("followup:consent_create", args=[referral.pk])
    body = world.client("teacher").get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
    assert re.search(r'<option value="pupil" selected>', body), "the pupil is chosen"
    data = {"given_by": "guardian", "date": today.isoformat(), "method": "signed", "note": "Levert på kontoret"}
    body = world.client("teacher").post(url, data).content.decode()
    assert "Eleven er 15 år eller eldre og samtykker selv." in body
    assert "Velg den foresatte som samtykket." not in body and "Levert på kontoret" in body
    assert world.client("teacher").post(url, {**data, "given_by": "pupil"}).status_code == 302
    assert [c.given_by for c in referral.consents.all()] == ["pupil"]
