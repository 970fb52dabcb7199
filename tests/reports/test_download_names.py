"""Downloads keep the pupil's name (RFC 6266/5987) and PDFs show every
character a teacher can type."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from iop.reports.documents import ascii_name, disposition
from tests import factories as f
from tests.conftest import World
from tests.iop.factories import chain
from tests.worker_files import fetched_from_worker

TYPED = "– “sitat” 5 € ≥ 3 ½ time čájá ŋ ø æ å Åse"


def test_a_name_with_nordic_letters_has_an_ascii_fallback_and_the_exact_name() -> None:
    value = disposition("iop-ørnæs-åse-2026.pdf")
    assert value == (
        "attachment; filename=\"iop-ornaes-ase-2026.pdf\"; filename*=utf-8''" + quote("iop-ørnæs-åse-2026.pdf")
    )
    assert disposition("frister.ics", attachment=False) == 'inline; filename="frister.ics"'
    assert ascii_name("Čáŋ Ðø.pdf") == "Cang Do.pdf"
    assert ascii_name("ŋŋ") == "ngng" and ascii_name("😀") == "download"


@pytest.mark.django_db
def test_the_iop_pdf_is_named_after_the_pupil_and_shows_typed_characters(world: World, tmp_path: Path) -> None:
    pupil = f.pupil_in(world.group_a, first_name="Åse", last_name="Ørnæs")
    ch = chain(pupil, goals=1)
    assert ch.iop is not None
    goal = ch.goals[0]
    goal.text = TYPED
    goal.save()

    response = world.client("coordinator").get(f"/rapporter/iop/{ch.iop.pk}/pdf/")
    assert response.status_code == 200
    header = response["Content-Disposition"]
    name = f"iop-ørnæs-åse-{ch.iop.period_start:%Y}.pdf"
    assert f"filename*=utf-8''{quote(name)}" in header, header
    assert f'filename="iop-ornaes-ase-{ch.iop.period_start:%Y}.pdf"' in header, header

    path = tmp_path / "iop.pdf"
    path.write_bytes(response.content)
    out = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    text = " ".join(out.stdout.split())
    for char in "–“”€≥½čŋáøæåÅ":
        assert char in text, f"{char!r} is missing from the PDF"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert "DejaVu" in fonts, fonts


@pytest.mark.django_db
def test_the_innsyn_downloads_keep_the_name(world: World) -> None:
    pupil = f.pupil_in(world.group_a, first_name="Åse", last_name="Ørnæs")
    client = world.client("coordinator")
    for url in (
        f"/rapporter/elev/{pupil.pk}/innsyn.pdf",
        f"/rapporter/elev/{pupil.pk}/innsyn.json",
        f"/rapporter/elev/{pupil.pk}/arkiv.zip",
    ):
        response, _content = fetched_from_worker(client, url)  # made on a worker, fetched from its job's page
        assert (
            "filename*=utf-8''" in response["Content-Disposition"] and quote("ørnæs") in response["Content-Disposition"]
        ), response["Content-Disposition"]
