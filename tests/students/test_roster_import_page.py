"""The operators' roster import page with a real Celery worker: upload, the
dry run worked out in the background, apply with its progress polled by
htmx, and the import history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from students.models import Pupil, RosterImport, User
from tests.celery_harness import CeleryHarness

DATA = Path(__file__).parent / "roster"
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture
def celery(tmp_path: Path) -> Iterator[CeleryHarness]:
    with (
        time_machine.travel("2026-10-05T10:00:00+02:00", tick=True),
        CeleryHarness("tests.students.worker_settings", tmp_path, name="roster-import") as harness,
        harness.publishing(),
    ):
        yield harness


@committed
def test_an_operator_uploads_sees_the_dry_run_and_applies_it(celery: CeleryHarness) -> None:
    operator = User.objects.create_user("drift@test.example", full_name="Olga Operatør", is_staff=True)
    client = Client()
    client.force_login(operator)
    celery.start_worker()
    uploads = [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv") for p in sorted((DATA / "csv").iterdir())
    ]
    response = client.post(reverse("roster_imports"), {"format": "csv", "roster_files": uploads})
    assert response.status_code == 302, response.content.decode()[:2000]
    record = RosterImport.objects.get()
    assert response["Location"] == reverse("roster_import_detail", args=[record.pk])

    celery.drain()
    page = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'id="import-summary"' in page and "hx-trigger" not in page
    assert "Ta importen i bruk" in page  # the dry run waits for the operator, in Norwegian
    assert not Pupil.objects.exists(), "the dry run changes nothing"

    response = client.post(reverse("roster_import_apply", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    if record.busy:  # the worker may have finished already
        page = client.get(reverse("roster_import_detail", args=[record.pk]), headers={"HX-Request": "true"})
        assert b"<progress" in page.content and b'hx-trigger="every 1s"' in page.content
    celery.drain()
    record.refresh_from_db()
    assert (record.status, record.applied_by, record.progress_done) == (
        RosterImport.Status.APPLIED,
        operator,
        record.progress_total,
    )
    assert Pupil.objects.count() == 3
    assert record.summary["pupil"]["created"] == 3
    page = client.get(reverse("roster_import_detail", args=[record.pk])).content.decode()
    assert "Tatt i bruk" in page and "Olga Operatør" in page
    # A second click applies nothing twice.
    again = client.post(reverse("roster_import_apply", args=[record.pk]), follow=True).content.decode()
    assert "Denne importen venter ikke på å bli tatt i bruk." in again
    history = client.get(reverse("roster_imports")).content.decode()
    assert reverse("roster_import_detail", args=[record.pk]) in history and "Olga Operatør" in history


@pytest.mark.django_db
def test_a_dry_run_made_before_another_import_was_applied_is_not_applied() -> None:
    """What the operator saw must be what applying does: a dry run uploaded
    before another import was applied is refused, with what to do instead."""
    operator = User.objects.create_user("drift@test.example", full_name="Olga Operatør", is_staff=True)
    client = Client()
    client.force_login(operator)
    with time_machine.travel("2026-10-05T10:00:00+02:00"):
        old = RosterImport.objects.create(format="csv", status=RosterImport.Status.PLANNED, created_by=operator)
    with time_machine.travel("2026-10-05T10:05:00+02:00"):
        RosterImport.objects.create(
            format="csv",
            status=RosterImport.Status.APPLIED,
            created_by=operator,
            applied_at="2026-10-05T10:06:00+02:00",
        )
    page = client.post(reverse("roster_import_apply", args=[old.pk]), follow=True).content.decode()
    assert "En annen import er tatt i bruk etter denne prøvekjøringen" in page
    old.refresh_from_db()
    assert old.status == RosterImport.Status.PLANNED and old.applied_by is None
    assert "Ta importen i bruk" not in page and "Last opp filene på nytt" in page  # no button to apply it


@pytest.mark.django_db
@time_machine.travel("2026-10-05T10:00:00+02:00", tick=False)
def test_a_dry_run_not_to_be_applied_is_discarded_and_its_files_deleted() -> None:
    """ "Forkast" does what it says: the dry run is never applied, its files
    (personal data of a whole school) are deleted, and the history says who
    discarded it, when."""
    operator = User.objects.create_user("drift@test.example", full_name="Olga Operatør", is_staff=True)
    client = Client()
    client.force_login(operator)
    record = RosterImport.objects.create(
        format="csv",
        filename="pupils.csv",
        status=RosterImport.Status.PLANNED,
        created_by=operator,
        source={"pupils.csv": "Anna;Aasen"},
        changes=[{"op": "create", "kind": "pupil", "ref": "1", "label": "Anna Aasen", "fields": []}],
        summary={"pupil": {"created": 1, "changed": 0, "ended": 0}},
        rejected=[
            {"file": "pupils.csv", "line": 2, "ref": "P-2", "code": "missing", "params": {"column": "birth_date"}}
        ],
    )
    detail = reverse("roster_import_detail", args=[record.pk])
    page = client.get(detail).content.decode()
    assert f'formaction="{reverse("roster_import_discard", args=[record.pk])}"' in page
    assert "Forkast prøvekjøringen" in page

    response = client.post(reverse("roster_import_discard", args=[record.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("roster_imports")
    assert "Prøvekjøringen er forkastet og filene slettet; ingenting ble endret." in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.discarded_by, record.source, record.changes) == (
        RosterImport.Status.DISCARDED,
        operator,
        {},
        [],
    )
    assert record.summary["pupil"]["created"] == 1  # the counts stay in the history
    assert "Prøvekjøringen er forkastet" in response.content.decode().split("<table", 1)[1]

    page = client.get(detail).content.decode()
    assert "Prøvekjøringen ble forkastet 05.10.2026 10:00 av Olga Operatør" in page
    assert "Ta importen i bruk" not in page and "Anna Aasen" not in page
    # Why rows were rejected stays readable, in the past tense.
    assert "P-2" in page and "Kolonnen birth_date er tom." in page and "Disse radene ble utelatt." in page
    # Discarded is final: it is neither applied nor discarded again.
    again = client.post(reverse("roster_import_apply", args=[record.pk]), follow=True).content.decode()
    assert "Denne importen venter ikke på å bli tatt i bruk." in again
    again = client.post(reverse("roster_import_discard", args=[record.pk]), follow=True).content.decode()
    assert "Denne importen venter ikke på å bli tatt i bruk." in again
    assert RosterImport.objects.get(pk=record.pk).status == RosterImport.Status.DISCARDED


@pytest.mark.django_db
def test_a_dry_run_with_nothing_to_apply_offers_no_apply_button() -> None:
    """A file whose every row is rejected changes nothing: the page says so and offers only to discard it."""
    operator = User.objects.create_user("drift@test.example", full_name="Olga Operatør", is_staff=True)
    client = Client()
    client.force_login(operator)
    record = RosterImport.objects.create(
        format="csv",
        status=RosterImport.Status.PLANNED,
        created_by=operator,
        rejected=[{"file": "pupils.csv", "line": 0, "ref": "", "code": "missing", "params": {"column": "pupil_id"}}],
    )
    page = client.get(reverse("roster_import_detail", args=[record.pk])).content.decode()
    assert "Ta importen i bruk" not in page and "Forkast prøvekjøringen" in page
    assert "Det er ingenting å ta i bruk: rett de avviste radene og last opp filene på nytt." in page


@pytest.mark.django_db
def test_the_upload_page_tells_the_csv_files_and_their_columns() -> None:
    """An operator learns the format on the page, not by failing: every file, its required columns in bold."""
    operator = User.objects.create_user("drift@test.example", full_name="Olga Operatør", is_staff=True)
    client = Client()
    client.force_login(operator)
    page = client.get(reverse("roster_imports")).content.decode()
    help_text = page.split('id="csv-format"', 1)[1].split("</details>", 1)[0]
    assert "CSV-filene: navn og kolonner" in help_text
    for name in ("schools.csv", "groups.csv", "pupils.csv", "guardians.csv", "staff.csv"):
        assert f"<code>{name}</code>" in help_text
    assert "<strong><code>pupil_id</code></strong>" in help_text and "<code>national_id</code>," in help_text
    assert "<strong><code>owner_name</code></strong>" not in help_text and "owner_name" in help_text
    assert "ÅÅÅÅ-MM-DD" in help_text and "hele listen for skolene den nevner" in help_text
    values = help_text.split('id="csv-values"', 1)[1]
    for column, value in (("role", "kontaktlaerer"), ("relation", "mother"), ("group_kind", "teaching")):
        assert f"<dt><code>{column}</code></dt>" in values and f"<code>{value}</code>" in values
