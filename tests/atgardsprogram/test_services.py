"""The rules of the Swedish support chain (skollagen 3 kap.), through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from iop.atgardsprogram import services
from iop.atgardsprogram.models import (
    Atgardsprogram,
    AtgardsprogramUtvardering,
    ExtraAnpassning,
    ExtraAnpassningUppfoljning,
    Overklagande,
)
from tests import factories as f
from tests.atgardsprogram.factories import Sweden, anpassning, decided, draft, refusal, sweden, utredning

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def s() -> Sweden:
    return sweden()


def test_it_documents_and_follows_up_an_extra_adaptation(s: Sweden) -> None:
    a = anpassning(s)
    assert a.status == ExtraAnpassning.Status.ACTIVE and a.created_by == s.mentor
    today = timezone.localdate()
    services.anpassning_follow_up(
        actor=s.mentor,
        anpassning=a,
        date=today,
        effect="Hjälper något.",
        outcome=ExtraAnpassningUppfoljning.Outcome.CONTINUE,
        next_follow_up=today + datetime.timedelta(days=30),
    )
    a.refresh_from_db()
    assert a.follow_up_on == today + datetime.timedelta(days=30)
    with pytest.raises(ValidationError):  # the next date is needed unless it ends
        services.anpassning_follow_up(
            actor=s.mentor, anpassning=a, date=today, effect="x", outcome=ExtraAnpassningUppfoljning.Outcome.CHANGE
        )
    services.anpassning_follow_up(
        actor=s.mentor, anpassning=a, date=today, effect="Behövs inte.", outcome=ExtraAnpassningUppfoljning.Outcome.END
    )
    a.refresh_from_db()
    assert a.status == ExtraAnpassning.Status.ENDED
    with pytest.raises(ValidationError):
        services.anpassning_update(actor=s.mentor, anpassning=a, data={"responsible": "Någon"})


def test_a_subject_teacher_and_strangers_may_not_write(s: Sweden) -> None:
    data = {"description": "x", "responsible": "y", "follow_up_on": timezone.localdate()}
    for persona in ("faglarare", "other_rektor", "guardian"):
        with pytest.raises(PermissionDenied):
            services.anpassning_create(actor=s.users[persona], pupil=s.pupil, data=data)


def test_the_investigation_concludes_with_an_answer_and_freezes(s: Sweden) -> None:
    u = utredning(s, needs=None)
    u.pedagogisk_bedomning = ""
    u.save()
    with pytest.raises(ValidationError):  # no conclusion without the pedagogical assessment
        services.utredning_conclude(actor=s.mentor, utredning=u, needs_support=True, concluded_on=timezone.localdate())
    services.utredning_update(actor=s.mentor, utredning=u, data={"pedagogisk_bedomning": "Behöver stöd."})
    services.utredning_conclude(actor=s.mentor, utredning=u, needs_support=True, concluded_on=timezone.localdate())
    assert u.is_concluded and u.needs_support is True
    with pytest.raises(ValidationError):
        services.utredning_update(actor=s.mentor, utredning=u, data={"reason": "Ändrat"})


def test_a_decision_is_drafted_only_after_a_concluded_investigation(s: Sweden) -> None:
    with pytest.raises(ValidationError):
        services.atgardsprogram_create(
            actor=s.mentor, utredning=utredning(s, needs=None), kind=Atgardsprogram.Kind.UPPRATTA, data={}
        )


def test_only_the_rektor_decides(s: Sweden) -> None:
    p = draft(s)
    for persona in ("mentor", "koordinator", "faglarare"):
        with pytest.raises(PermissionDenied):
            services.atgardsprogram_decide(actor=s.users[persona], programme=p)
    with pytest.raises(PermissionDenied):  # another school's rektor does not see the pupil
        services.atgardsprogram_decide(actor=s.other_rektor, programme=p)
    services.atgardsprogram_decide(actor=s.rektor, programme=p)
    p.refresh_from_db()
    assert p.status == Atgardsprogram.Status.DECIDED and p.decided_by == s.rektor
    assert p.decided_on == timezone.localdate()


def test_the_special_forms_are_the_rektors_own_decision(s: Sweden) -> None:
    """3 kap. 11–12 §§: another group, one-to-one, a reduced timetable: never delegated,
    not even to the coordinator who manages the school."""
    p = draft(s, annan_elevgrupp=True, anpassad_studiegang=True)
    with pytest.raises(PermissionDenied) as refused:
        services.atgardsprogram_decide(actor=s.koordinator, programme=p)
    assert "rektor" in str(refused.value)
    services.atgardsprogram_decide(actor=s.rektor, programme=p)
    assert len(p.special_forms) == 2


def test_a_programme_needs_its_content_before_the_decision(s: Sweden) -> None:
    p = draft(s, needs="", evaluate_on=None, pupil_took_part=None)
    with pytest.raises(ValidationError) as refused:
        services.atgardsprogram_decide(actor=s.rektor, programme=p)
    assert {"needs", "evaluate_on", "pupil_took_part"} <= set(refused.value.message_dict)


def test_a_decision_not_to_draw_up_needs_reasons(s: Sweden) -> None:
    p = services.atgardsprogram_create(
        actor=s.mentor,
        utredning=utredning(s, needs=False),
        kind=Atgardsprogram.Kind.INTE_UPPRATTA,
        data={"pupil_took_part": True, "guardians_took_part": True},
    )
    with pytest.raises(ValidationError) as refused:
        services.atgardsprogram_decide(actor=s.rektor, programme=p)
    assert "reason" in refused.value.message_dict
    assert refusal(s).is_decided


def test_a_decided_programme_is_frozen(s: Sweden) -> None:
    p = decided(s)
    with pytest.raises(ValidationError):
        services.atgardsprogram_update(actor=s.mentor, programme=p, data={"needs": "Ändrat"})
    with pytest.raises(ValidationError):
        services.atgardsprogram_decide(actor=s.rektor, programme=p)
    p.refresh_from_db()
    assert p.needs.startswith("Alva behöver")


def test_evaluation_continue_keeps_end_ends(s: Sweden) -> None:
    p = decided(s)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:  # continuing asks when it is evaluated next
        services.atgardsprogram_evaluate(
            actor=s.mentor, programme=p, date=today, text="Bra.", outcome=AtgardsprogramUtvardering.Outcome.CONTINUE
        )
    assert list(refused.value.message_dict) == ["next_evaluation"]
    next_time = today + datetime.timedelta(days=120)
    _e, new = services.atgardsprogram_evaluate(
        actor=s.mentor,
        programme=p,
        date=today,
        text="Bra.",
        outcome=AtgardsprogramUtvardering.Outcome.CONTINUE,
        next_evaluation=next_time,
    )
    assert new is None and p.status == Atgardsprogram.Status.DECIDED
    p.refresh_from_db()
    assert p.evaluate_on == next_time
    # Ending it is the rektor's decision (3 kap. 9 §), as deciding it was: the mentor may not.
    with pytest.raises(ValidationError) as refused:
        services.atgardsprogram_evaluate(
            actor=s.mentor, programme=p, date=today, text="Målen nådda.", outcome=AtgardsprogramUtvardering.Outcome.END
        )
    assert list(refused.value.message_dict) == ["outcome"]
    p.refresh_from_db()
    assert p.status == Atgardsprogram.Status.DECIDED and p.utvarderingar.count() == 1
    services.atgardsprogram_evaluate(
        actor=s.rektor, programme=p, date=today, text="Målen nådda.", outcome=AtgardsprogramUtvardering.Outcome.END
    )
    p.refresh_from_db()
    assert p.status == Atgardsprogram.Status.ENDED
    with pytest.raises(ValidationError):  # an ended programme is not evaluated again
        services.atgardsprogram_evaluate(
            actor=s.mentor, programme=p, date=today, text="x", outcome=AtgardsprogramUtvardering.Outcome.CONTINUE
        )


def test_evaluation_change_makes_a_new_draft_that_replaces_it_when_decided(s: Sweden) -> None:
    p = decided(s)
    today = timezone.localdate()
    _e, new = services.atgardsprogram_evaluate(
        actor=s.mentor, programme=p, date=today, text="Behöver mer.", outcome=AtgardsprogramUtvardering.Outcome.CHANGE
    )
    assert new is not None and new.is_draft and new.previous == p
    assert new.needs == p.needs and [m.what for m in new.atgarder.all()] == [m.what for m in p.atgarder.all()]
    assert p.status == Atgardsprogram.Status.EVALUATED
    services.atgardsprogram_update(
        actor=s.mentor,
        programme=new,
        data={
            "follow_up_on": today + datetime.timedelta(days=20),
            "evaluate_on": today + datetime.timedelta(days=60),
            "pupil_took_part": True,
            "guardians_took_part": True,
        },
    )
    services.atgardsprogram_decide(actor=s.rektor, programme=new)
    p.refresh_from_db()
    assert p.status == Atgardsprogram.Status.ENDED


def test_a_norwegian_pupil_gets_no_swedish_chain() -> None:
    group = f.GroupFactory()
    pupil = f.pupil_in(group)
    coordinator = f.UserFactory()
    f.member(coordinator, pupil.school, "rektor")
    with pytest.raises(PermissionDenied):
        services.anpassning_create(
            actor=coordinator,
            pupil=pupil,
            data={"description": "x", "responsible": "y", "follow_up_on": timezone.localdate()},
        )


def test_the_appeal_register(s: Sweden) -> None:
    p = decided(s)
    today = timezone.localdate()
    services.atgardsprogram_notified(actor=s.rektor, programme=p, notified_on=today)
    assert p.appeal_deadline == today + datetime.timedelta(days=21)
    with pytest.raises(PermissionDenied):  # the mentor does not keep the register
        services.overklagande_create(actor=s.mentor, programme=p, data={"received_on": today, "received_from": "VH"})
    appeal = services.overklagande_create(
        actor=s.rektor, programme=p, data={"received_on": today, "received_from": "Vera Vårdnadshavare"}
    )
    with pytest.raises(ValidationError):  # an outcome has a date
        services.overklagande_update(actor=s.rektor, appeal=appeal, data={"outcome": Overklagande.Outcome.REJECTED})
    services.overklagande_update(
        actor=s.rektor,
        appeal=appeal,
        data={"forwarded_on": today, "outcome": Overklagande.Outcome.REJECTED, "decided_on": today},
    )
    assert Overklagande.objects.get().outcome == Overklagande.Outcome.REJECTED


def test_is_rektor_of_reads_the_profile(s: Sweden) -> None:
    from students import access

    assert access.is_rektor_of(s.rektor, s.pupil)
    assert not access.is_rektor_of(s.koordinator, s.pupil)
    assert not access.is_rektor_of(s.other_rektor, s.pupil)
    s.pupil.archived_at = timezone.now()
    assert not access.is_rektor_of(s.rektor, s.pupil)  # an archived pupil's file is only read
