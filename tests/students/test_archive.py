"""Archive, not delete: records that document a pupil's rights protect the
pupil from deletion; a pupil who leaves is archived, hidden from lists, the
records kept and readable, read-only, to the coordinator."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from followup import services as followup_services
from followup.models import Referral
from iop.models import Appeal, Enkeltvedtak, Iop, Iup, SakkyndigVurdering
from iop.reports import services as report_services
from iop.reports.models import Report
from students import access, services
from students.access import Action
from students.models import Pupil
from tests.conftest import World
from tests.iop.factories import chain, iup
from tests.worker_files import fetched_from_worker


def _fresh(pupil: Pupil) -> Pupil:
    return Pupil.objects.get(pk=pupil.pk)


@pytest.mark.parametrize(
    ("record", "model"),
    [
        ("vurdering", SakkyndigVurdering),
        ("vedtak", Enkeltvedtak),
        ("iop", Iop),
        ("iup", Iup),
        ("report", Report),
        ("referral", Referral),
    ],
)
def test_a_pupil_with_a_record_of_their_rights_can_not_be_deleted(world: World, record: str, model: type) -> None:
    pupil = world.pupil_b
    if record == "iup":
        iup(pupil)
    elif record == "referral":
        followup_services.referral_create(actor=world.user("coordinator"), pupil=pupil, question="Lesing?")
    else:
        ch = chain(pupil)
        if record == "report":
            assert ch.iop is not None
            report_services.report_create(actor=world.user("coordinator"), iop=ch.iop)
    with pytest.raises(ProtectedError) as refused:
        _fresh(pupil).delete()
    assert any(isinstance(obj, model) for obj in refused.value.protected_objects)
    assert Pupil.objects.filter(pk=pupil.pk).exists()


def test_a_pupil_without_such_records_can_still_be_deleted(world: World) -> None:
    world.pupil_b.delete()
    assert not Pupil.objects.filter(pk=world.pupil_b.pk).exists()


def test_the_admin_refuses_to_delete_a_pupil_with_records_and_says_why(world: World) -> None:
    chain(world.pupil_b)
    operator = world.client("operator")
    url = reverse("admin:students_pupil_delete", args=[world.pupil_b.pk])
    page = operator.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "slettes ikke" in body and "Arkiver eleven i stedet" in body
    answer = operator.post(url, {"post": "yes"})
    assert answer.status_code in (200, 403) and Pupil.objects.filter(pk=world.pupil_b.pk).exists()
    changelist = reverse("admin:students_pupil_changelist")
    bulk = operator.post(changelist, {"action": "delete_selected", "_selected_action": [str(world.pupil_b.pk)]})
    assert bulk.status_code == 200 and "Arkiver eleven i stedet" in bulk.content.decode()
    assert Pupil.objects.filter(pk=world.pupil_b.pk).exists()


def test_the_operator_archives_and_restores_in_the_admin(world: World) -> None:
    operator = world.client("operator")
    changelist = reverse("admin:students_pupil_changelist")
    operator.post(changelist, {"action": "archive", "_selected_action": [str(world.pupil_b.pk)]})
    archived = _fresh(world.pupil_b)
    assert archived.archived_at is not None and archived.archived_by == world.user("operator")
    operator.post(changelist, {"action": "restore", "_selected_action": [str(world.pupil_b.pk)]})
    assert _fresh(world.pupil_b).archived_at is None


def test_an_archived_pupil_is_hidden_from_lists_and_read_only_to_the_coordinator(world: World) -> None:
    ch = chain(world.pupil_a)
    assert ch.iop is not None
    coordinator = world.client("coordinator")
    answer = coordinator.post(reverse("pupil_archive", args=[world.pupil_a.pk]), {"confirm": "1"}, follow=True)
    assert "Eleven er arkivert" in answer.content.decode()
    # hidden from lists
    listed = coordinator.get(reverse("pupil_list")).content.decode()
    assert "Aasen" not in listed and "Berg" in listed
    assert "Aasen" not in coordinator.get(reverse("iop:overview")).content.decode()
    archived_list = coordinator.get(reverse("pupil_list") + "?arkiv=1").content.decode()
    assert "Aasen" in archived_list and "Berg" not in archived_list
    # the records stay readable to the coordinator, read-only
    page = coordinator.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert "Arkivert" in page and "Ta eleven ut av arkivet" in page
    assert coordinator.get(reverse("iop:iop_detail", args=[ch.iop.pk])).status_code == 200
    publish = coordinator.post(reverse("iop:iop_publish", args=[ch.iop.pk]), {"version": ch.iop.version})
    assert publish.status_code == 403
    pupil = access.get_pupil(world.user("coordinator"), world.pupil_a.pk)
    assert pupil.allowed == access.ARCHIVED_ACTIONS  # type: ignore[attr-defined]
    assert not access.pupils_for(world.user("coordinator"), Action.EDIT).filter(pk=world.pupil_a.pk).exists()
    # everyone else loses sight of the pupil
    for persona in ("teacher", "faglaerer", "ppt", "vikar", "guardian_a"):
        response = world.client(persona).get(reverse("pupil_detail", args=[world.pupil_a.pk]))
        assert response.status_code == 404, persona
    # restored: back in the lists, editable again
    coordinator.post(reverse("pupil_archive", args=[world.pupil_a.pk]), {"restore": "1"})
    assert "Aasen" in coordinator.get(reverse("pupil_list")).content.decode()
    assert world.client("teacher").get(reverse("pupil_detail", args=[world.pupil_a.pk])).status_code == 200


def test_archiving_asks_first_and_archives_only_when_confirmed(world: World) -> None:
    """The button on the pupil's page leads to a page that says what archiving
    does; only "Yes, archive the pupil" archives, and "No, go back" leads to
    the pupil's page with nothing changed. Taking the pupil out of the
    archive needs no question."""
    coordinator = world.client("coordinator")
    url = reverse("pupil_archive", args=[world.pupil_a.pk])
    page = coordinator.post(url)
    body = page.content.decode()
    assert page.status_code == 200 and _fresh(world.pupil_a).archived_at is None
    assert "Arkivere Anna Aasen?" in body and "forsvinner fra listene" in body
    assert 'name="confirm" value="1"' in body and "Ja, arkiver eleven" in body
    assert f'href="{reverse("pupil_detail", args=[world.pupil_a.pk])}">Nei, gå tilbake' in body
    assert "Ja, arkiver eleven" in coordinator.get(url).content.decode()  # the address itself (a reload, Back)
    assert _fresh(world.pupil_a).archived_at is None
    coordinator.post(url, {"confirm": "1"})
    assert _fresh(world.pupil_a).archived_at is not None
    assert coordinator.get(url).url == reverse("pupil_detail", args=[world.pupil_a.pk])  # already archived
    coordinator.post(url, {"restore": "1"})
    assert _fresh(world.pupil_a).archived_at is None


def test_archiving_twice_or_by_a_teacher_is_refused(world: World) -> None:
    coordinator = world.user("coordinator")
    pupil = access.get_pupil(coordinator, world.pupil_b.pk)
    services.pupil_archive(actor=coordinator, pupil=pupil)
    pupil = access.get_pupil(coordinator, world.pupil_b.pk)
    with pytest.raises(ValidationError, match="allerede arkivert"):
        services.pupil_archive(actor=coordinator, pupil=pupil)
    services.pupil_restore(actor=coordinator, pupil=pupil)
    with pytest.raises(ValidationError, match="ikke arkivert"):
        services.pupil_restore(actor=coordinator, pupil=_fresh(world.pupil_b))
    with pytest.raises(PermissionDenied):
        services.pupil_archive(actor=world.user("teacher"), pupil=_fresh(world.pupil_a))


def test_an_open_appeal_stops_the_archiving_with_a_message(world: World) -> None:
    """The appeal goes on after the pupil leaves (forvaltningsloven §§ 28–34):
    the pupil is archived once its outcome is recorded, not before."""
    ch = chain(world.pupil_a)
    appeal = Appeal.objects.create(
        vedtak=ch.vedtak, received_on=timezone.localdate(), appellant="Aud Foresatt", summary="Vil ha flere timer."
    )
    coordinator = world.client("coordinator")
    answer = coordinator.post(reverse("pupil_archive", args=[world.pupil_a.pk]), {"confirm": "1"}, follow=True)
    assert "En klage på et vedtak for eleven er fortsatt åpen" in answer.content.decode()
    assert _fresh(world.pupil_a).archived_at is None
    Appeal.objects.filter(pk=appeal.pk).update(
        final_outcome=Appeal.Outcome.WITHDRAWN, final_outcome_on=timezone.localdate()
    )
    coordinator.post(reverse("pupil_archive", args=[world.pupil_a.pk]), {"confirm": "1"})
    assert _fresh(world.pupil_a).archived_at is not None


def test_nothing_is_written_to_an_archived_pupils_file(world: World) -> None:
    """Read-only means read-only: no new decision, no move, no consent; the
    coordinator still reads, exports and restores."""
    ch = chain(world.pupil_a)
    coordinator = world.client("coordinator")
    coordinator.post(reverse("pupil_archive", args=[world.pupil_a.pk]), {"confirm": "1"})
    assert _fresh(world.pupil_a).archived_at is not None
    for url in (
        reverse("iop:vedtak_create", args=[ch.vedtak.vurdering_id]),
        reverse("pupil_move", args=[world.pupil_a.pk]),
        reverse("iop:consents", args=[world.pupil_a.pk]),
    ):
        response = coordinator.post(url, {})
        assert response.status_code in (403, 404), url
    assert coordinator.get(reverse("iop:vedtak_detail", args=[ch.vedtak.pk])).status_code == 200
    response, _content = fetched_from_worker(coordinator, reverse("reports:pupil_file_json", args=[world.pupil_a.pk]))
    assert response.status_code == 200  # the whole file is still made (on a worker) for innsyn
    followup_page = coordinator.get(reverse("followup:pupil", args=[world.pupil_a.pk]))
    assert followup_page.status_code == 200  # read-only: no way in to a new record
    assert reverse("followup:concern_create", args=[world.pupil_a.pk]) not in followup_page.content.decode()
    assert coordinator.get(reverse("followup:tilsyn_pupil", args=[world.pupil_a.pk])).status_code == 200
    page = coordinator.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert "Ta eleven ut av arkivet" in page and "Flytt eleven" not in page
    assert Enkeltvedtak.objects.filter(pupil=world.pupil_a).count() == 1
