from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from students import access
from students.demo import DEMO_PASSWORD
from students.models import Pupil, School, StaffMembership, User


@pytest.mark.django_db
def test_it_creates_a_realistic_demo_once_and_prints_the_logins() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert "demo-passord" in printed
    assert "foresatt.1@demo.example" in printed and "koordinator.skole@demo.example" in printed

    assert 60 <= Pupil.objects.count() <= 80
    assert School.objects.filter(kind=School.Kind.VGS, skoleeier__kind="fylkeskommune").exists()
    assert set(StaffMembership.objects.values_list("role", flat=True)) == set(StaffMembership.Role.values)

    parent = User.objects.get(email="foresatt.1@demo.example")
    assert access.pupils_for(parent).count() == 2
    vikar = User.objects.get(email="vikar.skole@demo.example")
    assert access.pupils_for(vikar).count() == 1

    client = Client()
    client.post("/konto/logg-inn/", {"username": "koordinator.skole@demo.example", "password": DEMO_PASSWORD})
    assert "_auth_user_id" in client.session

    # Seeding the demo costs seconds: its chain is checked on this seed.
    check_the_demo_chain_is_dated_in_order_and_passes_the_iop_timing()

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "exists already" in again.getvalue()
    assert 60 <= Pupil.objects.count() <= 80

    # A Swedish grundskola whose pages are in Swedish
    school = School.objects.get(skoleeier__country="SE")
    assert school.language == "sv"
    client = Client()
    client.post("/konto/logg-inn/", {"username": "rektor.alvby@demo.example", "password": DEMO_PASSWORD})
    page = client.get("/elever/").content.decode()
    assert 'lang="sv"' in page and "Sök på namn" in page


@pytest.mark.django_db
def test_it_refuses_to_seed_a_production_database(settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run in production"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.filter(email__endswith="@demo.example").exists()


def check_the_demo_chain_is_dated_in_order_and_passes_the_iop_timing() -> None:
    """The demo's sakkyndig vurdering is completed before the decision made on it, and each
    published IOP is first published within the school's limit: the key figures measure no
    negative time and the tilsyn check finds no late IOP."""
    from django.utils import timezone

    from followup import tilsyn
    from followup.kpi import selectors as kpi
    from iop.models import Enkeltvedtak

    made = Enkeltvedtak.objects.filter(status=Enkeltvedtak.Status.MADE, vurdering__completed_at__isnull=False)
    assert made.exists()
    for vedtak in made.select_related("vurdering"):
        assert timezone.localdate(vedtak.vurdering.completed_at) <= vedtak.made_on
    today = timezone.localdate()
    schools = School.objects.filter(pupils__enkeltvedtak__isnull=False).distinct()
    for figures in kpi.key_figures(schools, today):
        for row in figures.timed_rows:
            assert all(span.excluded == 0 and (span.median or 0) >= 0 for span in row.spans.values()), row
    published = Pupil.objects.filter(iops__published_at__isnull=False).distinct()
    assert published.exists()
    for checked in tilsyn.check_pupils(published, today):
        (iop_made,) = [r for r in checked.results if r.requirement.code == "iop_made"]
        assert iop_made.status == tilsyn.Status.OK, iop_made.findings
