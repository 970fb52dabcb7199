"""Dates that must make sense, the appeal register read by the staff, and
who is told of a decision in the Swedish support chain."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone, translation

from followup.models import Deadline, Notification
from followup.selectors import deadline_link
from iop.atgardsprogram import services
from iop.atgardsprogram.models import Atgardsprogram, Utredning
from tests.atgardsprogram.factories import Sweden, anpassning, decided, draft, refusal, sweden, utredning
from tests.notification_links import notification_targets

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def s() -> Sweden:
    return sweden()


def test_the_decision_is_not_dated_before_the_investigation_was_concluded_or_in_the_future(s: Sweden) -> None:
    programme = draft(s)
    concluded = programme.utredning.concluded_on
    assert concluded is not None
    for day in (concluded - DAY, timezone.localdate() + DAY):
        with pytest.raises(ValidationError) as refused:
            services.atgardsprogram_decide(actor=s.rektor, programme=programme, decided_on=day)
        assert "decided_on" in refused.value.message_dict
        assert Atgardsprogram.objects.get(pk=programme.pk).is_draft
    services.atgardsprogram_decide(actor=s.rektor, programme=programme, decided_on=concluded)
    assert Atgardsprogram.objects.get(pk=programme.pk).decided_on == concluded


def test_the_page_says_why_an_early_decision_date_is_refused(s: Sweden) -> None:
    programme = draft(s)
    early = programme.utredning.concluded_on - DAY
    url = reverse("atgardsprogram:programme_decide", args=[programme.pk])
    page = s.client("rektor").post(url, {"decided_on": early.isoformat()}, follow=True).content.decode()
    assert "Beslutet kan inte dateras före den dag utredningen avslutades" in page
    assert Atgardsprogram.objects.get(pk=programme.pk).is_draft


def test_the_notification_day_is_not_in_the_future_and_is_recorded_once(s: Sweden) -> None:
    programme = decided(s)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as future:
        services.atgardsprogram_notified(actor=s.rektor, programme=programme, notified_on=today + DAY)
    assert "notified_on" in future.value.message_dict
    services.atgardsprogram_notified(actor=s.rektor, programme=programme, notified_on=today)
    with pytest.raises(ValidationError) as again:  # the appeal time is not moved silently
        services.atgardsprogram_notified(actor=s.rektor, programme=programme, notified_on=today)
    assert "notified_on" in again.value.message_dict
    assert Atgardsprogram.objects.get(pk=programme.pk).notified_on == today


def test_once_recorded_the_notification_day_is_shown_without_a_form(s: Sweden) -> None:
    programme = decided(s)
    rektor = s.client("rektor")
    page_url = reverse("atgardsprogram:programme", args=[programme.pk])
    notified = reverse("atgardsprogram:programme_notified", args=[programme.pk])
    assert notified in rektor.get(page_url).content.decode()
    today = timezone.localdate()
    assert rektor.post(notified, {"notified_on": today.isoformat()}).status_code == 302
    assert notified not in rektor.get(page_url).content.decode()
    yesterday = (today - DAY).isoformat()
    page = rektor.post(notified, {"notified_on": yesterday}, follow=True).content.decode()
    assert "Dagen för delgivningen är redan registrerad och kan inte ändras." in page
    assert Atgardsprogram.objects.get(pk=programme.pk).notified_on == today


def _appeal(**data: Any) -> dict[str, Any]:
    return {"received_on": timezone.localdate(), "received_from": "Vera Vårdnadshavare", "outcome": "pending"} | data


def test_an_appeal_is_received_after_the_decision_and_not_in_the_future(s: Sweden) -> None:
    programme = decided(s)
    today = timezone.localdate()
    for day in (today - DAY, today + DAY):  # decided today
        with pytest.raises(ValidationError) as refused:
            services.overklagande_create(actor=s.rektor, programme=programme, data=_appeal(received_on=day))
        assert "received_on" in refused.value.message_dict
    assert not programme.overklaganden.exists()


def test_an_appeal_not_decided_yet_has_no_outcome_date(s: Sweden) -> None:
    programme = decided(s)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.overklagande_create(actor=s.rektor, programme=programme, data=_appeal(decided_on=today))
    assert "decided_on" in refused.value.message_dict
    url = reverse("atgardsprogram:overklagande_create", args=[programme.pk])
    data = {k: str(v) for k, v in _appeal(decided_on=today).items()}
    page = s.client("rektor").post(url, data).content.decode()
    assert "Ett överklagande som inte är avgjort har inget datum för avgörandet" in page
    with pytest.raises(ValidationError) as future:
        services.overklagande_create(
            actor=s.rektor, programme=programme, data=_appeal(outcome="rejected", decided_on=today + DAY)
        )
    assert "decided_on" in future.value.message_dict
    assert not programme.overklaganden.exists()


def test_an_outcome_of_the_board_needs_the_day_the_appeal_was_forwarded(s: Sweden) -> None:
    programme = decided(s)
    today = timezone.localdate()
    for outcome in ("granted", "referred_back", "rejected", "dismissed"):
        with pytest.raises(ValidationError) as refused:
            services.overklagande_create(
                actor=s.rektor, programme=programme, data=_appeal(outcome=outcome, decided_on=today)
            )
        assert list(refused.value.message_dict) == ["forwarded_on"]
    assert not programme.overklaganden.exists()
    url = reverse("atgardsprogram:overklagande_create", args=[programme.pk])
    data = {k: str(v) for k, v in _appeal(outcome="rejected", decided_on=today).items()}
    page = s.client("rektor").post(url, data).content.decode()
    assert "ange det datum då överklagandet lämnades över till nämnden" in page
    assert 'value="Vera Vårdnadshavare"' in page  # what was typed is kept
    assert not programme.overklaganden.exists()
    # The rektor's own change, or an appeal not decided yet, need not have gone to the board.
    services.overklagande_create(
        actor=s.rektor, programme=programme, data=_appeal(outcome="changed_by_school", decided_on=today)
    )
    services.overklagande_create(actor=s.rektor, programme=programme, data=_appeal())
    services.overklagande_create(
        actor=s.rektor, programme=programme, data=_appeal(outcome="rejected", decided_on=today, forwarded_on=today)
    )
    assert programme.overklaganden.count() == 3


def test_the_mentor_reads_an_appeal_but_does_not_change_it(s: Sweden) -> None:
    programme = decided(s)
    appeal = services.overklagande_create(actor=s.rektor, programme=programme, data=_appeal())
    url = reverse("atgardsprogram:overklagande", args=[appeal.pk])
    mentor = s.client("mentor")
    page = mentor.get(reverse("atgardsprogram:programme", args=[programme.pk])).content.decode()
    assert url in page
    response = mentor.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Vera Vårdnadshavare" in content and 'name="received_from"' not in content
    assert mentor.post(url, {k: str(v) for k, v in _appeal(outcome="rejected").items()}).status_code == 403
    assert 'name="received_from"' in s.client("rektor").get(url).content.decode()
    assert s.client("guardian").get(url).status_code == 404


def test_a_decision_tells_the_mentor_and_the_guardians(s: Sweden, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        programme = decided(s)
    guardian = Notification.objects.get(recipient=s.guardian)
    assert guardian.kind == Notification.Kind.DECISION and guardian.atgardsprogram_id == programme.pk
    assert guardian.state == Notification.State.IN_APP
    assert not Notification.objects.filter(recipient=s.other_guardian).exists()
    task = Notification.objects.get(recipient=s.mentor, kind=Notification.Kind.TASK)
    assert task.deadline is not None and task.deadline.record_id == str(programme.pk)
    assert reverse("atgardsprogram:programme", args=[programme.pk]) in notification_targets(s.client("guardian"))
    with django_capture_on_commit_callbacks(execute=True):  # drafts tell no guardian
        draft(s)
    assert Notification.objects.filter(atgardsprogram__isnull=False).count() == 1


def test_a_draft_is_the_rektors_decision_to_make_until_decided(
    s: Sweden, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        programme = draft(s)
    waiting = Deadline.objects.get(duty__key="atgardsprogram-beslut", record_id=str(programme.pk))
    assert waiting.state == Deadline.State.OPEN and waiting.responsible_id == s.rektor.pk
    assert today + datetime.timedelta(days=7) <= waiting.due <= today + datetime.timedelta(days=9)  # to a Monday
    assert deadline_link(waiting) == reverse("atgardsprogram:programme", args=[programme.pk])
    task = Notification.objects.get(kind=Notification.Kind.TASK, deadline=waiting)
    assert task.recipient == s.rektor  # the one who decides, and no one else
    assert Notification.objects.filter(kind=Notification.Kind.TASK).count() == 1
    home = s.client("rektor").get(reverse("home")).content.decode()
    assert "Beslut om åtgärdsprogram" in home and reverse("atgardsprogram:programme", args=[programme.pk]) in home

    with django_capture_on_commit_callbacks(execute=True):
        services.atgardsprogram_decide(actor=s.rektor, programme=programme)
    waiting.refresh_from_db()
    assert waiting.state == Deadline.State.DONE


def test_an_investigation_is_not_concluded_in_the_future_or_before_it_began(s: Sweden) -> None:
    """A mistyped year would date the rektor's decision months ahead: it could not be made until then."""
    open_one = utredning(s, needs=None)
    url = reverse("atgardsprogram:utredning_conclude", args=[open_one.pk])
    mentor = s.client("mentor")
    for day, message in (
        (timezone.localdate() + 90 * DAY, "En utredning kan inte avslutas framåt i tiden."),
        (open_one.started_on - DAY, "Utredningen påbörjades "),
    ):
        page = mentor.post(url, {"needs_support": "yes", "concluded_on": day.isoformat()}, follow=True)
        assert message in page.content.decode()
        open_one.refresh_from_db()
        assert not open_one.is_concluded
    mentor.post(url, {"needs_support": "yes", "concluded_on": timezone.localdate().isoformat()})
    open_one.refresh_from_db()
    assert open_one.concluded_on == timezone.localdate()


def test_an_investigation_begun_in_the_future_is_refused_on_the_page_and_on_change(s: Sweden) -> None:
    """A mistyped year would hold the chain: it could be neither followed up nor concluded until then."""
    url = reverse("atgardsprogram:utredning_create", args=[s.pupil.pk])
    ahead = (timezone.localdate() + 60 * DAY).isoformat()
    data = {"started_on": ahead, "reason": "Räcker inte.", "pedagogisk_bedomning": ""}
    page = s.client("mentor").post(url, data).content.decode()
    assert "En utredning registreras när den har inletts: inte i framtiden." in page and "Räcker inte." in page
    assert not Utredning.objects.filter(pupil=s.pupil).exists()
    begun = utredning(s, needs=None)
    with pytest.raises(ValidationError) as refused:
        services.utredning_update(actor=s.mentor, utredning=begun, data={"started_on": timezone.localdate() + 60 * DAY})
    assert list(refused.value.message_dict) == ["started_on"]


def test_concluding_tells_every_reason_at_once_beside_its_field_and_keeps_the_answers(s: Sweden) -> None:
    """A date before the start and no pedagogical assessment: both told on the first try, nothing typed lost."""
    with time_machine.travel(datetime.datetime(2027, 3, 10, 10, tzinfo=datetime.UTC), tick=False):
        open_one = utredning(s, needs=None)
        Utredning.objects.filter(pk=open_one.pk).update(pedagogisk_bedomning="")
        early = open_one.started_on - DAY
        url = reverse("atgardsprogram:utredning_conclude", args=[open_one.pk])
        response = s.client("mentor").post(url, {"needs_support": "no", "concluded_on": early.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'id="id_concluded_on_error">Utredningen påbörjades [^<]*', page)
    assert re.search(r'id="id_pedagogisk_bedomning_error">Skriv den pedagogiska bedömningen innan du avslutar\.', page)
    assert "Skriv den pedagogiska bedömningen innan du avslutar." in page.split('id="conclude-heading"')[1]
    assert re.search(r'<input[^>]*value="no"[^>]*checked', page)
    assert f'value="{early.isoformat()}"' in page
    open_one.refresh_from_db()
    assert not open_one.is_concluded


def test_a_new_investigation_tells_a_missing_reason_and_a_future_start_at_once(s: Sweden) -> None:
    url = reverse("atgardsprogram:utredning_create", args=[s.pupil.pk])
    ahead = (timezone.localdate() + 60 * DAY).isoformat()
    page = s.client("mentor").post(url, {"started_on": ahead, "reason": "", "pedagogisk_bedomning": "Text."})
    html = page.content.decode()
    assert re.search(r'id="id_started_on_error">En utredning registreras när den har inletts: inte i framtiden\.', html)
    assert 'id="id_reason_error"' in html and ahead in html and "Text." in html
    assert not Utredning.objects.filter(pupil=s.pupil).exists()


def test_a_programme_whose_follow_up_or_evaluation_date_has_passed_is_not_decided(s: Sweden) -> None:
    """It would never be followed up: the draft says what is missing and the rektor's button waits."""
    stale = draft(s, follow_up_on=timezone.localdate() - 400 * DAY, evaluate_on=timezone.localdate() - 300 * DAY)
    rektor = s.client("rektor").get(reverse("atgardsprogram:programme", args=[stale.pk])).content.decode()
    assert "Datumet för uppföljning har passerat: välj ett senare datum." in rektor
    assert "Datumet för utvärdering har passerat: välj ett senare datum." in rektor
    [button] = re.findall(r"<button[^>]*>Fatta beslut</button>", rektor)
    assert " disabled" in button
    with pytest.raises(ValidationError) as refused:
        services.atgardsprogram_decide(actor=s.rektor, programme=stale)
    assert {"follow_up_on", "evaluate_on"} <= set(refused.value.message_dict)
    assert Atgardsprogram.objects.get(pk=stale.pk).is_draft


def test_the_draft_page_lists_what_is_missing_before_the_decision(s: Sweden) -> None:
    incomplete = draft(s, evaluate_on=None, guardians_took_part=None)
    page = s.client("mentor").get(reverse("atgardsprogram:programme", args=[incomplete.pk])).content.decode()
    assert 'id="missing"' in page
    assert "Välj när åtgärdsprogrammet ska utvärderas." in page
    rektor = s.client("rektor").get(reverse("atgardsprogram:programme", args=[incomplete.pk])).content.decode()
    [button] = re.findall(r"<button[^>]*>Fatta beslut</button>", rektor)
    assert " disabled" in button and "missing" in button  # what is missing is said, and the button waits for it
    complete = draft(s)
    page = s.client("mentor").get(reverse("atgardsprogram:programme", args=[complete.pk])).content.decode()
    assert 'id="missing"' not in page


def test_a_new_draft_offers_as_many_measure_rows_as_the_edit_page(s: Sweden) -> None:
    programme = draft(s)
    mentor = s.client("mentor")
    create = mentor.get(reverse("atgardsprogram:programme_create", args=[programme.utredning_id])).content.decode()
    assert create.count("data-measure") == 4


def test_a_new_programme_decided_ends_the_one_in_force_and_its_draft_says_so(s: Sweden) -> None:
    """One programme is in force at a time: the guardians never read two
    decided programmes without knowing which applies."""
    first = decided(s)
    second = draft(s)
    page = s.client("rektor").get(reverse("atgardsprogram:programme", args=[second.pk])).content.decode()
    assert 'id="replaces"' in page and reverse("atgardsprogram:programme", args=[first.pk]) in page
    services.atgardsprogram_decide(actor=s.rektor, programme=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Atgardsprogram.Status.ENDED and second.previous_id == first.pk
    assert list(services.in_force(s.pupil)) == [second]
    # A decision not to draw one up ends nothing.
    refusal(s)
    assert list(services.in_force(s.pupil)) == [second]


def test_the_investigation_lists_each_adaptation_tried_in_full(s: Sweden) -> None:
    long = "Uppgifterna delas upp i kortare delar med en checklista; extra genomgång i början av varje lektion."
    u = services.utredning_create(
        actor=s.mentor,
        pupil=s.pupil,
        data={"started_on": timezone.localdate(), "reason": "Räcker inte.", "pedagogisk_bedomning": "Behöver stöd."},
        anpassningar=[anpassning(s, description=long), anpassning(s, subject="Svenska", description="Inläsning.")],
    )
    services.utredning_conclude(actor=s.mentor, utredning=u, needs_support=True, concluded_on=timezone.localdate())
    page = s.client("mentor").get(reverse("atgardsprogram:utredning", args=[u.pk])).content.decode()
    assert f"<li>Matematik: {long}</li>" in page and "<li>Svenska: Inläsning.</li>" in page


def test_the_decision_still_reads_its_dates_as_decided_after_an_evaluation_sets_the_next(s: Sweden) -> None:
    programme = decided(s)
    decided_evaluation = programme.evaluate_on
    assert decided_evaluation is not None
    url = reverse("atgardsprogram:programme", args=[programme.pk])
    assert "(i beslutet)" not in s.client("guardian").get(url).content.decode()
    next_time = timezone.localdate() + 120 * DAY
    services.atgardsprogram_evaluate(
        actor=s.mentor,
        programme=programme,
        date=timezone.localdate(),
        text="Bra.",
        outcome="continue",
        next_evaluation=next_time,
    )
    for who in ("guardian", "mentor"):
        page = " ".join(s.client(who).get(url).content.decode().split())
        dates = page.split("data-dates>")[1].split("</dl>")[0]
        assert "Utvärdering (i beslutet)" in dates and "Nästa utvärdering, satt vid en utvärdering" in dates, who
        with translation.override("sv"):  # the Swedish school's pages
            assert formats.date_format(decided_evaluation) in dates and formats.date_format(next_time) in dates, who
