"""The årsrapport goes to the pupil and guardians and to the school owner
(opplæringslova § 11-10): each sending is recorded with its date on the finalised report."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from iop.reports import services
from iop.reports.models import Report
from tests.conftest import World

from .conftest import pdf_text
from .factories import make_iop

NOW = datetime.datetime(2027, 6, 14, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def finalised(world: World) -> Report:
    with time_machine.travel(NOW, tick=False):
        iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=2)
        draft = services.report_create(actor=world.user("teacher"), iop=iop)
        draft = services.report_update(
            actor=world.user("teacher"), report=draft, version=draft.version, data={"summary": "Anna leser selv."}
        )
        draft.pupil = world.pupil_a
        return services.report_finalise(actor=world.user("teacher"), report=draft, version=draft.version)


def test_the_finalised_report_records_each_recipient_with_its_date(world: World, finalised: Report) -> None:
    url = reverse("reports:report_sent", args=[finalised.pk])
    with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
        teacher = world.client("teacher")
        page = teacher.get(reverse("reports:report_detail", args=[finalised.pk])).content.decode()
        assert page.count("Ikke registrert ennå") == 2 and "Sendt til skoleeier (Testkommune)" in page
        assert 'value="2027-06-16"' in page  # today is the date offered
        answer = teacher.post(url, {"recipient": "guardians", "sent_on": "2027-06-15"}, follow=True).content.decode()
        assert "Registrert: sendt til eleven og foresatte 15. juni 2027." in answer
        teacher.post(url, {"recipient": "school_owner", "sent_on": "2027-06-16"})
    finalised.refresh_from_db()
    assert finalised.sent_to_guardians_on == datetime.date(2027, 6, 15)
    assert finalised.sent_to_school_owner_on == datetime.date(2027, 6, 16)
    assert finalised.sent_on(Report.Recipient.SCHOOL_OWNER) == datetime.date(2027, 6, 16)
    page = world.client("teacher").get(reverse("reports:report_detail", args=[finalised.pk])).content.decode()
    assert "15. juni 2027" in page and "16. juni 2027" in page and "Ikke registrert ennå" not in page
    assert finalised.history.first().history_user == world.user("teacher")


@pytest.mark.parametrize(
    ("sent_on", "message"),
    [
        ("2027-06-20", "Datoen rapporten ble sendt kan ikke være fram i tid."),
        ("2027-06-13", "Rapporten ble ferdigstilt 14. juni 2027; den kan ikke være sendt før det."),
        ("15.06.2027x", "Oppgi en gyldig dato."),
    ],
)
def test_a_bad_date_is_refused_with_a_message(world: World, finalised: Report, sent_on: str, message: str) -> None:
    url = reverse("reports:report_sent", args=[finalised.pk])
    with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
        page = world.client("teacher").post(url, {"recipient": "guardians", "sent_on": sent_on}, follow=True)
    assert message in page.content.decode()
    finalised.refresh_from_db()
    assert finalised.sent_to_guardians_on is None


def test_a_draft_can_not_be_recorded_as_sent(world: World) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=1)
    draft = services.report_create(actor=world.user("teacher"), iop=iop)
    with pytest.raises(ValidationError, match="Ferdigstill rapporten"):
        services.report_record_sent(
            actor=world.user("teacher"), report=draft, recipient="guardians", sent_on=timezone.localdate()
        )
    page = world.client("teacher").get(reverse("reports:report_detail", args=[draft.pk])).content.decode()
    assert "Registrer som sendt" not in page
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=draft.pk).update(sent_to_guardians_on=timezone.localdate())


def test_an_unknown_recipient_and_a_reader_are_refused(world: World, finalised: Report) -> None:
    with pytest.raises(ValidationError, match="Velg hvem"):
        services.report_record_sent(
            actor=world.user("teacher"), report=finalised, recipient="press", sent_on=timezone.localdate()
        )
    with pytest.raises(PermissionDenied):
        services.report_record_sent(
            actor=world.user("faglaerer"), report=finalised, recipient="guardians", sent_on=timezone.localdate()
        )
    page = world.client("faglaerer").get(reverse("reports:report_detail", args=[finalised.pk])).content.decode()
    assert "Registrer som sendt" not in page


def test_the_report_pdf_names_its_recipients_with_the_school_owner(
    world: World, finalised: Report, tmp_path: Path
) -> None:
    text = pdf_text(Path(finalised.pdf.path).read_bytes(), tmp_path)
    assert "Rapporten går til eleven og foresatte, og til skoleeier (Testkommune)." in text
