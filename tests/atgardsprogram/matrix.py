"""Permission-matrix rows for the Swedish support chain (see tests/matrix.py).

The matrix world is a Norwegian kommune's, so every Swedish URL answers 404
to every logged-in persona, also for records made (directly, as no service
would) for the Norwegian pupil A: the chain is only for pupils of Swedish
schools. Read-only personas (guardians, the operator) are refused every write
with 403 before any view runs. The grants by role are tested with Swedish
personas in tests/atgardsprogram/test_views.py.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from iop.atgardsprogram.models import Atgardsprogram, ExtraAnpassning, Overklagande, Utredning
from tests.conftest import World
from tests.matrix import READ_ONLY_WRITE, Row, expect

NOT_FOUND = expect(404)
WRITE_NOT_FOUND = expect(404, **READ_ONLY_WRITE)
GET_ONLY = expect(405, **READ_ONLY_WRITE)
POST_ONLY = expect(405)
# A new record for pupil A: those who see the pupil but may not write plans
# are refused first (403, the access layer's answer), the others 404.
SEES_A = {"faglaerer": 403, "ppt": 403, "vikar": 403, "guardian_a": 403}
CREATE = expect(404, **SEES_A)
WRITE_CREATE = expect(404, **{**SEES_A, **READ_ONLY_WRITE})


def records(w: World) -> SimpleNamespace:
    """Pupil A's (Norwegian) records of the Swedish chain, made once per test."""
    if "atgardsprogram" not in w.extra:
        today = timezone.localdate()
        a = ExtraAnpassning.objects.create(
            pupil=w.pupil_a, description="Kortere oppgaver.", responsible="Tone", follow_up_on=today
        )
        u = Utredning.objects.create(
            pupil=w.pupil_a,
            reason="Ikke nok.",
            pedagogisk_bedomning="Trenger støtte.",
            needs_support=True,
            concluded_on=today,
        )
        p = Atgardsprogram.objects.create(
            pupil=w.pupil_a,
            utredning=u,
            needs="Lesing.",
            status=Atgardsprogram.Status.DECIDED,
            decided_on=today,
            pupil_took_part=True,
            guardians_took_part=True,
        )
        o = Overklagande.objects.create(programme=p, received_on=today, received_from="Aud Foresatt")
        w.extra["atgardsprogram"] = SimpleNamespace(anpassning=a, utredning=u, programme=p, appeal=o)
    return w.extra["atgardsprogram"]


def url(name: str, attr: str | None = None) -> Any:
    def make(w: World) -> str:
        if attr is None:
            return reverse(f"atgardsprogram:{name}", args=[w.pupil_a.pk])
        return reverse(f"atgardsprogram:{name}", args=[getattr(records(w), attr).pk])

    return make


def _date(w: World) -> dict[str, Any]:
    return {"decided_on": timezone.localdate().isoformat(), "notified_on": timezone.localdate().isoformat()}


def _anpassning(w: World) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "description": "x",
        "responsible": "y",
        "start_date": today.isoformat(),
        "follow_up_on": (today + datetime.timedelta(days=7)).isoformat(),
    }


def form_rows(name: str, attr: str | None, data: Any = None) -> list[Row]:
    read, write = (NOT_FOUND, WRITE_NOT_FOUND) if attr else (CREATE, WRITE_CREATE)
    return [
        Row(url(name, attr), read),
        Row(url(name, attr), write, "post", data=data, writes=(), label="post"),
    ]


ROWS: dict[str, list[Row]] = {
    "atgardsprogram:support": [Row(url("support"), NOT_FOUND), Row(url("support"), GET_ONLY, "post", label="post")],
    "atgardsprogram:anpassning_create": form_rows("anpassning_create", None, _anpassning),
    "atgardsprogram:utredning_create": form_rows("utredning_create", None),
    "atgardsprogram:anpassning": form_rows("anpassning", "anpassning", _anpassning),
    "atgardsprogram:anpassning_follow_up": form_rows("anpassning_follow_up", "anpassning"),
    "atgardsprogram:utredning": form_rows("utredning", "utredning"),
    "atgardsprogram:utredning_conclude": [
        Row(url("utredning_conclude", "utredning"), POST_ONLY),
        Row(url("utredning_conclude", "utredning"), WRITE_NOT_FOUND, "post", writes=(), label="post"),
    ],
    "atgardsprogram:programme_create": form_rows("programme_create", "utredning"),
    "atgardsprogram:programme": [
        Row(url("programme", "programme"), NOT_FOUND),
        Row(url("programme", "programme"), GET_ONLY, "post", label="post"),
    ],
    "atgardsprogram:programme_edit": form_rows("programme_edit", "programme"),
    "atgardsprogram:programme_decide": [
        Row(url("programme_decide", "programme"), POST_ONLY),
        Row(url("programme_decide", "programme"), WRITE_NOT_FOUND, "post", data=_date, writes=(), label="post"),
    ],
    "atgardsprogram:programme_notified": [
        Row(url("programme_notified", "programme"), POST_ONLY),
        Row(url("programme_notified", "programme"), WRITE_NOT_FOUND, "post", data=_date, writes=(), label="post"),
    ],
    "atgardsprogram:programme_evaluate": form_rows("programme_evaluate", "programme"),
    "atgardsprogram:programme_pdf": [
        Row(url("programme_pdf", "programme"), NOT_FOUND),
        Row(url("programme_pdf", "programme"), GET_ONLY, "post", label="post"),
    ],
    "atgardsprogram:overklagande_create": form_rows("overklagande_create", "programme"),
    "atgardsprogram:overklagande": form_rows("overklagande", "appeal"),
}
