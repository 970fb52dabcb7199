"""No input breaks a form of the Swedish support chain.

The permission matrix's world is a Norwegian kommune's, where every page of
the chain answers 404 before any form is read, so tests/test_input_fuzz.py
leaves the chain's rows out. Here a Swedish school (``sweden()``) has every
record a URL of the ``atgardsprogram`` namespace needs, made through the
services, and the same walk sends the same classes of bad input to every
query parameter and every form, as the rektor and as the mentor: no server
error; a refused write changes nothing and tells the person why; a write
answered with a redirect either saved something or left a message. The ids
of another school's records (of the same kind) in the URL answer 404.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from iop.atgardsprogram import services
from iop.atgardsprogram.models import Atgardsprogram, Overklagande, Utredning
from tests import factories as f
from tests.atgardsprogram.factories import Sweden, anpassning, decided, draft, sweden, utredning
from tests.matrix import url_patterns
from tests.test_input_fuzz import VALUES, Sender, walk

pytestmark = pytest.mark.django_db

PERSONAS = ("rektor", "mentor")


def records(s: Sweden) -> SimpleNamespace:
    """The records of S's pupil each URL names: an extra adaptation in use,
    an open and a concluded investigation, a draft, a decided programme
    and an appeal against it (S's mentor drafts, its rektor decides)."""
    programme = decided(s)
    appeal = services.overklagande_create(
        actor=s.rektor,
        programme=programme,
        data={"received_on": timezone.localdate(), "received_from": "Vera Vårdnadshavare"},
    )
    return SimpleNamespace(
        pupil=s.pupil,
        anpassning=anpassning(s),
        open=utredning(s, needs=None),
        concluded=utredning(s),
        draft=draft(s),
        decided=programme,
        appeal=appeal,
    )


def foreign(s: Sweden) -> SimpleNamespace:
    """The same records of a pupil of S's other school, kept by its rektor."""
    group = f.GroupFactory(school_year=f.SchoolYearFactory(school=s.other_school), name="5B", year_level=5)
    pupil = f.pupil_in(group, first_name="Ebba", last_name="Ek")
    other = Sweden(
        school=s.other_school,
        other_school=s.school,
        pupil=pupil,
        other_pupil=pupil,
        users={"mentor": s.other_rektor, "rektor": s.other_rektor},
    )
    return records(other)


def _days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def _anpassning(r: SimpleNamespace) -> dict[str, Any]:
    return {
        "subject": "Svenska",
        "description": "Inläst läromedel.",
        "responsible": "Maja Mentor",
        "start_date": _days(0),
        "follow_up_on": _days(14),
    }


def _follow_up(r: SimpleNamespace) -> dict[str, Any]:
    return {"date": _days(0), "effect": "Räcker inte.", "outcome": "not_enough", "next_follow_up": _days(7)}


def _utredning(r: SimpleNamespace) -> dict[str, Any]:
    return {
        "started_on": _days(0),
        "reason": "De extra anpassningarna räcker inte.",
        "anpassningar": [str(r.anpassning.pk)],
        "pedagogisk_bedomning": "Alva behöver stöd i matematik.",
        **dict.fromkeys(Utredning.ELEVHALSA_FIELDS, "Inget att tillägga."),
    }


def _programme(r: SimpleNamespace) -> dict[str, Any]:
    return {
        "needs": "Stöd i taluppfattning.",
        "subjects": "Matematik",
        **dict.fromkeys(Atgardsprogram.SPECIAL_FORMS, ""),
        "follow_up_on": _days(30),
        "evaluate_on": _days(90),
        "pupil_took_part": "true",
        "pupil_comment": "Vill ha hjälp.",
        "guardians_took_part": "false",
        "guardians_comment": "",
        "atgard-TOTAL_FORMS": "2",
        "atgard-INITIAL_FORMS": "0",
        "atgard-MIN_NUM_FORMS": "0",
        "atgard-MAX_NUM_FORMS": "20",
        "atgard-0-what": "Speciallärare tre gånger i veckan.",
        "atgard-0-responsible": "Speciallärare",
        "atgard-0-subject": "Matematik",
        "atgard-1-what": "",
        "atgard-1-responsible": "",
        "atgard-1-subject": "",
    }


def _refusal(r: SimpleNamespace) -> dict[str, Any]:
    return {
        "reason": "Extra anpassningar räcker.",
        "pupil_took_part": "true",
        "pupil_comment": "",
        "guardians_took_part": "true",
        "guardians_comment": "",
    }


def _appeal(r: SimpleNamespace) -> dict[str, Any]:
    return {
        "received_on": _days(0),
        "received_from": "Vera Vårdnadshavare",
        "forwarded_on": _days(0),
        "outcome": "rejected",
        "decided_on": _days(0),
    }


@dataclass(frozen=True)
class Page:
    """A URL pattern of the chain: the record its URL names, the form data of
    its write (None: it takes no form), whether it is read with GET, and a
    query string of the URL written to (a second kind of the same form)."""

    record: str
    data: Callable[[SimpleNamespace], dict[str, Any]] | None
    get: bool = True
    query: str = ""
    #: Whether each field alone gets every value class too (not for a page
    #: whose form another page's walk already sends field by field).
    alone: bool = True


PAGES: dict[str, list[Page]] = {
    "support": [Page("pupil", None)],
    "anpassning_create": [Page("pupil", _anpassning)],
    "utredning_create": [Page("pupil", _utredning)],
    "anpassning": [Page("anpassning", _anpassning)],
    "anpassning_follow_up": [Page("anpassning", _follow_up)],
    "utredning": [Page("open", _utredning)],
    "utredning_conclude": [Page("open", lambda r: {"needs_support": "yes", "concluded_on": _days(0)}, get=False)],
    "programme_create": [
        Page("concluded", _programme),
        Page("concluded", _refusal, get=False, query="?slag=inte_upprata"),
    ],
    "programme": [Page("decided", None)],
    "programme_edit": [Page("draft", _programme, alone=False)],
    "programme_decide": [Page("draft", lambda r: {"decided_on": _days(0)}, get=False)],
    "programme_notified": [Page("decided", lambda r: {"notified_on": _days(0)}, get=False)],
    "programme_evaluate": [
        Page("decided", lambda r: {"date": _days(0), "text": "Behöver mer tid.", "outcome": "change"})
    ],
    "programme_pdf": [Page("decided", None)],
    "overklagande_create": [Page("decided", _appeal)],
    "overklagande": [Page("appeal", _appeal)],
}


CHECKBOXES = set(Atgardsprogram.SPECIAL_FORMS)


def each_alone(send: Sender, persona: str, url: str, data: dict[str, Any], classes: list[tuple[str, str]]) -> None:
    """Every field of DATA gets every value class while the others keep
    their valid values: the bad value alone reaches the service (sent all at
    once, some field always stops it in the form). The formset's management
    fields, its empty rows and the checkboxes (any value ticks one) are
    left to :func:`walk`."""
    for field in sorted(data):
        if "FORMS" in field or (field.startswith("atgard-") and not data[field]) or field in CHECKBOXES:
            continue
        for label, value in classes:
            send(persona, "post", url, {**data, field: value}, f"{field}: {label}")


def test_every_url_of_the_chain_is_walked() -> None:
    names = {p.pattern.name for p in url_patterns() if p.namespace == "atgardsprogram"}
    assert names == set(PAGES)


#: The walk in parts, each with its own records, so test workers share it.
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_input_breaks_a_form_of_the_swedish_chain(shard: int) -> None:
    s = sweden()
    mine, theirs = records(s), foreign(s)
    values = {**VALUES, "foreign UUID": str(theirs.anpassning.pk)}
    classes = list(values.items())
    # Logged in before any request: a session made inside a request's
    # rolled-back transaction would be lost.
    clients: dict[str, Client] = {persona: s.client(persona) for persona in PERSONAS}
    send = Sender(clients, redirects_tell=True)
    not_found: list[str] = []
    not_saved: list[str] = []
    for name, pages in sorted(PAGES.items())[shard::SHARDS]:
        for page in pages:
            url = reverse(f"atgardsprogram:{name}", args=[getattr(mine, page.record).pk]) + page.query
            other = reverse(f"atgardsprogram:{name}", args=[getattr(theirs, page.record).pk]) + page.query
            for persona in PERSONAS:
                if page.get:
                    send(persona, "get", url, {}, "the page")
                    walk(send, persona, "get", url, {}, classes, uuid.uuid4())
                    if send(persona, "get", other, {}, "another school's record").status_code != 404:
                        not_found.append(f"GET {other} as {persona}")
                if page.data is not None:
                    if persona == "rektor":  # the form's own data is saved: the walk reaches past the form
                        saved = send(persona, "post", url, page.data(mine), "the form's own data")
                        if saved.status_code != 302:
                            not_saved.append(f"POST {url}: {saved.status_code}")
                    walk(send, persona, "post", url, page.data(mine), classes, uuid.uuid4())
                    if persona == "rektor" and page.alone:
                        each_alone(send, persona, url, page.data(mine), classes)
                    answer = send(persona, "post", other, page.data(theirs), "another school's record")
                    if answer.status_code != 404:
                        not_found.append(f"POST {other} as {persona}: {answer.status_code}")
    send.check()
    assert not not_saved, "The walk's own data is refused:\n" + "\n".join(not_saved)
    assert not not_found, "Another school's record answered other than 404:\n" + "\n".join(not_found)
    # The walk was rolled back: the records are as the services made them.
    assert Overklagande.objects.get(pk=mine.appeal.pk).outcome == Overklagande.Outcome.PENDING
    assert Atgardsprogram.objects.get(pk=mine.draft.pk).is_draft
