"""The IOP page's clear-line checks ("1 learning goal has no text yet") follow
the goals without a reload: adding, deleting or writing a goal in place sends
the checklist again, out of band, into ``#plan-checklist``."""

from __future__ import annotations

import re

from django.urls import reverse

from iop.models import Goal, Iop
from tests.conftest import World
from tests.iop.factories import chain
from tests.iop.test_goal_editor import _closing

HTMX = {"HTTP_HX_REQUEST": "true"}
OOB = '<div id="plan-checklist" hx-swap-oob="true">'
UNWRITTEN = 'data-flag="iop_goal_without_text"'


def _checklist(body: str) -> str:
    """The out-of-band checklist of BODY (it must be there)."""
    assert body.count(OOB) == 1, body
    return body.split(OOB, 1)[1]


def test_adding_and_deleting_an_empty_goal_updates_the_checklist(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    teacher = world.client("teacher")
    added = teacher.post(reverse("iop:goal_create", args=[ch.iop.pk]), {"section": str(ch.sections[0].pk)}, **HTMX)
    assert UNWRITTEN in _checklist(added.content.decode())
    assert UNWRITTEN in teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()
    empty = ch.iop.goals.exclude(pk=ch.goals[0].pk).get()
    deleted = teacher.post(reverse("iop:goal_delete", args=[empty.pk]), **HTMX).content.decode()
    assert not Goal.objects.filter(pk=empty.pk).exists()
    assert f'id="goals-{ch.sections[0].pk}"' in deleted  # the goals themselves, as before
    assert UNWRITTEN not in _checklist(deleted)
    assert UNWRITTEN not in teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()


def test_closing_the_editor_of_an_empty_goal_with_its_text_clears_the_check(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    teacher = world.client("teacher")
    teacher.post(reverse("iop:goal_create", args=[ch.iop.pk]), {"section": str(ch.sections[0].pk)}, **HTMX)
    empty = ch.iop.goals.exclude(pk=ch.goals[0].pk).get()
    closed = teacher.post(
        reverse("iop:goal_update", args=[empty.pk]), _closing(empty, text="Anna leser 90 ord i minuttet."), **HTMX
    ).content.decode()
    assert "Anna leser 90 ord i minuttet." in closed
    assert UNWRITTEN not in _checklist(closed)
    assert re.search(r'id="plan-checklist"', closed)
