"""The sakkyndig vurdering and the vedtak draft save themselves while the
author types (htmx, 2 s after the last keystroke), like the plans: an
accepted save answers "Saved hh:mm" with the new version out of band; a
refused one says so in the status area and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from iop.models import Enkeltvedtak, SakkyndigVurdering
from students.models import StaffMembership
from tests import factories as f
from tests.conftest import LOGIN_BACKEND, World
from tests.followup.test_referral_edit import _Inputs
from tests.iop.matrix import ready, sv_data, vedtak_data

HTMX = {"HTTP_HX_REQUEST": "true"}


def version_sent_back(body: str) -> int:
    match = re.search(r'<input type="hidden" name="version" id="id_version" value="(\d+)" hx-swap-oob="true">', body)
    assert match, body
    return int(match.group(1))


@pytest.mark.parametrize(
    ("persona", "record", "url_name", "data", "field", "model"),
    [
        ("ppt", "sv", "iop:vurdering_edit", sv_data, "benefit_from_ordinary", SakkyndigVurdering),
        ("coordinator", "draft_vedtak", "iop:vedtak_edit", vedtak_data, "appeal_info", Enkeltvedtak),
    ],
)
def test_the_draft_saves_itself_while_the_author_types(
    world: World, persona: str, record: str, url_name: str, data: Any, field: str, model: Any
) -> None:
    doc = getattr(ready(world), record)
    url = reverse(url_name, args=[doc.pk])
    client = world.client(persona)
    page = client.get(url).content.decode()
    assert 'hx-trigger="input delay:2s"' in page and 'id="autosave-status"' in page

    first = client.post(url, {**data(world), "version": "1", field: "Første utkast."}, **HTMX)
    assert first.status_code == 200 and "Lagret" in first.content.decode()
    assert version_sent_back(first.content.decode()) == 2
    assert getattr(model.objects.get(pk=doc.pk), field) == "Første utkast."

    # The author's next keystrokes go with the version the save sent back: no conflict.
    again = client.post(url, {**data(world), "version": "2", field: "Andre utkast."}, **HTMX)
    assert "Lagret" in again.content.decode()
    assert getattr(model.objects.get(pk=doc.pk), field) == "Andre utkast."

    refused = client.post(url, {**data(world), "version": "3", "valid_to": "9999-12-31", field: "Tredje."}, **HTMX)
    body = refused.content.decode()
    assert refused.status_code == 200 and 'role="alert"' in body and "Ikke lagret" in body and "<form" not in body
    assert getattr(model.objects.get(pk=doc.pk), field) == "Andre utkast."


@pytest.mark.parametrize(
    ("persona", "role", "record", "url_name", "data", "field", "model"),
    [
        (
            "ppt",
            StaffMembership.Role.PPT,
            "sv",
            "iop:vurdering_edit",
            sv_data,
            "benefit_from_ordinary",
            SakkyndigVurdering,
        ),
        (
            "coordinator",
            StaffMembership.Role.KOORDINATOR,
            "draft_vedtak",
            "iop:vedtak_edit",
            vedtak_data,
            "appeal_info",
            Enkeltvedtak,
        ),
    ],
)
def test_a_merge_chosen_after_a_refused_autosave_keeps_both_colleagues_lines(
    world: World, persona: str, role: str, record: str, url_name: str, data: Any, field: str, model: Any
) -> None:
    doc = getattr(ready(world), record)
    url = reverse(url_name, args=[doc.pk])
    colleague = f.UserFactory(email=f"{persona}-2@test.example", full_name="Kollega To")
    f.member(colleague, world.school1, role)
    a, b = world.client(persona), Client()
    b.force_login(colleague, backend=LOGIN_BACKEND)
    base = "Første avsnitt.\n\nAndre avsnitt.\n\nTredje avsnitt."
    assert "Lagret" in a.post(url, {**data(world), "version": "1", field: base}, **HTMX).content.decode()

    # Both open the page at version 2; A adds a line at the start and is saved.
    start = "Ny første linje.\n" + base
    assert "Lagret" in a.post(url, {**data(world), "version": "2", field: start}, **HTMX).content.decode()
    # B adds a line at the end: refused, the box comes in place with the merge chosen.
    end = base + "\nNy siste linje."
    refused = b.post(url, {**data(world), "version": "2", field: end}, **HTMX)
    parsed = _Inputs()
    parsed.feed(refused.content.decode())
    assert parsed.checked.get(f"choice-{field}") == "merge", refused.content.decode()

    # B types on and presses Save with what the page holds.
    form = {**data(world), field: end + " Mer.", "version": "2", **parsed.values, **parsed.checked}
    answer = b.post(url, form)
    assert answer.status_code == 302, answer.content.decode()
    text = getattr(model.objects.get(pk=doc.pk), field)
    assert text == "Ny første linje.\n" + base + "\nNy siste linje. Mer."
