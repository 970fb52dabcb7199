"""Permission-matrix rows for the chain's URLs (see tests/matrix.py).

Pupil A (school 1) has a completed SV, a made vedtak and a published IOP
(two published versions), plus a draft SV and a draft vedtak.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from iop import services
from iop.models import (
    AdvanceNotice,
    AdvanceNoticeComment,
    Appeal,
    BankEntry,
    CaseConsent,
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Goal,
    Iop,
    IopSubject,
    IopVersion,
    SakkyndigVurdering,
    SakkyndigVurderingSubject,
    TeachingLog,
)
from tests.conftest import World
from tests.factories import SkoleeierFactory
from tests.iop.factories import VedtakFactory, VurderingFactory, add_goals, aim, chain, iup
from tests.matrix import MISSING_INT, MISSING_UUID, READ_ONLY_WRITE, Row, expect, only

VIEW_A = ("teacher", "faglaerer", "coordinator", "ppt", "vikar", "guardian_a")
STAFF_A = ("teacher", "faglaerer", "coordinator", "ppt", "vikar")
WORK_A = ("teacher", "faglaerer", "coordinator", "ppt")
EDIT_A = ("teacher", "coordinator")
LOG_A = ("teacher", "faglaerer", "coordinator")
READ_ONLY = ("guardian_a", "guardian_b", "operator")


def changed_then_publish(w: World) -> dict[str, Any]:
    """The "yes" of the publishing question, after a change to pupil A's
    published IOP (a goal's text), so that publishing it again has something
    to publish; it carries the content the question was about."""
    Goal.objects.filter(iop=c(w).iop).update(text="Endret etter forrige publisering.")
    return {"version": "1", "confirm": "1", "seen": services.content_stamp(c(w).iop)}


def c(w: World) -> SimpleNamespace:
    """Pupil A's chain, made once per test."""
    if "chain" not in w.extra:
        ppt = w.user("ppt")
        ch = chain(w.pupil_a, author=ppt, goals=2, logs_per_goal=2)
        assert ch.iop is not None
        for number in (1, 2):
            IopVersion.objects.create(iop=ch.iop, number=number, snapshot=services.snapshot(ch.iop))
        w.extra["chain"] = SimpleNamespace(
            sv=ch.sv,
            vedtak=ch.vedtak,
            iop=ch.iop,
            section=ch.sections[0],
            goal=ch.goals[0],
            draft_sv=VurderingFactory(pupil=w.pupil_a, author=ppt, status=SakkyndigVurdering.Status.DRAFT),
            draft_vedtak=VedtakFactory(vurdering=ch.sv, status=Enkeltvedtak.Status.DRAFT),
        )
    return w.extra["chain"]


def ready(w: World) -> SimpleNamespace:
    """Pupil A's documents that the status changes accept, so a writer's
    request changes them: a draft SV that may be completed, a draft vedtak
    that may be made, and a made vedtak without an IOP (an IOP is made on it
    where pupil A has no IOP yet: in the row's own world)."""
    if "ready" not in w.extra:
        ppt = w.user("ppt")
        sv = VurderingFactory(pupil=w.pupil_a, author=ppt, status=SakkyndigVurdering.Status.DRAFT)
        SakkyndigVurderingSubject.objects.create(vurdering=sv, subject="Norsk", hours=38)
        made = VurderingFactory(pupil=w.pupil_a, author=ppt)
        SakkyndigVurderingSubject.objects.create(vurdering=made, subject="Matematikk", hours=76)
        draft = VedtakFactory(vurdering=made, status=Enkeltvedtak.Status.DRAFT, appeal_info="Klage innen tre uker.")
        EnkeltvedtakSubject.objects.create(vedtak=draft, subject="Matematikk", hours=76)
        vedtak = VedtakFactory(vurdering=made, appeal_info="Klage innen tre uker.")
        EnkeltvedtakSubject.objects.create(vedtak=vedtak, subject="Matematikk", hours=76)
        w.extra["ready"] = SimpleNamespace(sv=sv, draft_vedtak=draft, vedtak=vedtak)
    return w.extra["ready"]


def newer_vedtak(w: World) -> Enkeltvedtak:
    """A vedtak made today for pupil A, newer than the one the IOP rests on
    (maths cut from 76 to 40 årstimer)."""
    if "newer_vedtak" not in w.extra:
        vedtak = VedtakFactory(vurdering=c(w).sv, made_on=today(), appeal_info="Klage innen tre uker.")
        EnkeltvedtakSubject.objects.create(vedtak=vedtak, subject="Matematikk", hours=40)
        w.extra["newer_vedtak"] = vedtak
    return w.extra["newer_vedtak"]


def _moved(w: World, persona: str) -> None:
    rests_on = Iop.objects.get(pk=c(w).iop.pk).vedtak_id
    wanted = newer_vedtak(w).pk if persona in EDIT_A else c(w).vedtak.pk
    assert rests_on == wanted, f"the IOP rests on {rests_on}, expected {wanted}"


def b_draft_vedtak(w: World) -> Enkeltvedtak:
    """Pupil B's draft vedtak: only staff who manage pupil B see it (a decision letter renders once)."""
    if "b_vedtak" not in w.extra:
        w.extra["b_vedtak"] = chain(w.pupil_b, vedtak_status=Enkeltvedtak.Status.DRAFT, iop_status=None).vedtak
    return w.extra["b_vedtak"]


def appeal(w: World) -> Appeal:
    """An open appeal against pupil A's made vedtak."""
    if "appeal" not in w.extra:
        w.extra["appeal"] = Appeal.objects.create(vedtak=c(w).vedtak, received_on=today(), appellant="Foreldrene")
    return w.extra["appeal"]


def appeal_data(w: World) -> dict[str, Any]:
    return {"received_on": today(), "appellant": "Foreldrene", "summary": "Ønsker mer tid i liten gruppe."}


def _notified(w: World, persona: str, writers: tuple[str, ...]) -> None:
    notified_on = Enkeltvedtak.objects.get(pk=ready(w).vedtak.pk).notified_on
    assert (notified_on is not None) == (persona in writers), f"notified_on {notified_on}"


def _appeals(w: World, persona: str, writers: tuple[str, ...]) -> None:
    count = Appeal.objects.filter(vedtak=c(w).vedtak).count()
    assert count == int(persona in writers), f"{count} appeals"


def case_consent(w: World) -> CaseConsent:
    """A guardian's consent to pupil A's decision, not withdrawn."""
    if "case_consent" not in w.extra:
        w.extra["case_consent"] = CaseConsent.objects.create(
            pupil=w.pupil_a,
            kind=CaseConsent.Kind.VEDTAK,
            given_by=CaseConsent.GivenBy.GUARDIAN,
            name="Foresatt",
            date=today(),
            method=CaseConsent.Method.SIGNED,
        )
    return w.extra["case_consent"]


def consent_data(w: World) -> dict[str, Any]:
    return {"kind": "sv", "given_by": "guardian", "name": "Foresatt", "date": today(), "method": "signed"}


def _consents(w: World, persona: str, writers: tuple[str, ...]) -> None:
    count = CaseConsent.objects.filter(pupil=w.pupil_a, name="Foresatt", kind="sv", date=today()).count()
    assert count == int(persona in writers), f"{count} consents"


def _withdrawn(w: World, persona: str, writers: tuple[str, ...]) -> None:
    withdrawn_on = CaseConsent.objects.get(pk=case_consent(w).pk).withdrawn_on
    assert (withdrawn_on is not None) == (persona in writers), f"withdrawn_on {withdrawn_on}"


def notice(w: World) -> AdvanceNotice:
    """An advance notice on pupil A's draft vedtak, open for comments for two weeks."""
    if "notice" not in w.extra:
        w.extra["notice"] = AdvanceNotice.objects.create(
            vedtak=c(w).draft_vedtak, sent_on=today(), comment_deadline=today() + datetime.timedelta(days=14)
        )
    return w.extra["notice"]


def _noticed(w: World, persona: str, writers: tuple[str, ...]) -> None:
    count = AdvanceNotice.objects.filter(vedtak=ready(w).draft_vedtak).count()
    assert count == int(persona in writers), f"{count} advance notices"


def _commented(w: World, persona: str, writers: tuple[str, ...]) -> None:
    count = AdvanceNoticeComment.objects.filter(notice=notice(w)).count()
    assert count == int(persona in writers), f"{count} comments"


def norsk(w: World) -> SimpleNamespace:
    """A Norsk section of pupil A's IOP with one goal: a subject the faglærer
    (matematikk) does not teach, where they read but do not log."""
    if "norsk" not in w.extra:
        section = IopSubject.objects.create(iop=c(w).iop, subject="Norsk", hours=38, order=1)
        [goal] = add_goals(c(w).iop, section, 1)
        w.extra["norsk"] = SimpleNamespace(section=section, goal=goal)
    return w.extra["norsk"]


def bare_goal(w: World) -> Goal:
    """A goal of pupil A's IOP without logs (one with logs is never deleted)."""
    if "bare_goal" not in w.extra:
        [w.extra["bare_goal"]] = add_goals(c(w).iop, c(w).section, 1)
    return w.extra["bare_goal"]


def teacher_log(w: World) -> TeachingLog:
    """Two hours in pupil A's first IOP subject, logged by the kontaktlærer
    (only the author corrects or deletes it)."""
    if "teacher_log" not in w.extra:
        iop = c(w).iop
        w.extra["teacher_log"] = TeachingLog.objects.create(
            section=c(w).section,
            author=w.user("teacher"),
            period_start=iop.period_start,
            period_end=iop.period_start,
            hours=2,
        )
    return w.extra["teacher_log"]


def log_url(name: str) -> Any:
    return lambda w: reverse(f"iop:{name}", args=[teacher_log(w).pk])


def log_data(w: World) -> dict[str, Any]:
    entry = teacher_log(w)
    return {
        "section": str(entry.section_id),
        "period_start": entry.period_start,
        "period_end": entry.period_end,
        "hours": "3",
        "note": "Rettet",
    }


def status_is(model: type, obj: Any, changed: str, unchanged: str, writers: tuple[str, ...]) -> Any:
    """A check: the object's status is CHANGED after a writer's request, UNCHANGED after anyone else's."""

    def check(w: World, persona: str, response: Any) -> None:
        status = model.objects.get(pk=obj(w).pk).status
        wanted = changed if persona in writers else unchanged
        assert status == wanted, f"status {status}, expected {wanted}"

    return check


def post(writers: tuple[str, ...], forbidden: tuple[str, ...] = (), status: int = 302, **overrides: int) -> dict:
    """POST expectations: WRITERS get STATUS, FORBIDDEN (visible, not allowed) 403,
    guardians and the operator 403 (read-only users), everyone else 404."""
    table = only(status, writers)
    for persona in forbidden:
        table[persona] = 403
    table.update(READ_ONLY_WRITE)
    table.update(overrides)
    return table


def get(allowed: tuple[str, ...], forbidden: tuple[str, ...] = (), **overrides: int) -> dict:
    table = only(200, allowed)
    for persona in forbidden:
        table[persona] = 403
    table.update(overrides)
    return table


def _not(*personas: str, among: tuple[str, ...] = VIEW_A) -> tuple[str, ...]:
    return tuple(p for p in among if p not in personas)


def today() -> datetime.date:
    return timezone.localdate()


def sv_data(w: World) -> dict[str, Any]:
    return {
        "assessed_on": today(),
        "valid_from": today(),
        "valid_to": today() + datetime.timedelta(days=200),
        "benefit_from_ordinary": "Lite",
        "fag-TOTAL_FORMS": "1",
        "fag-INITIAL_FORMS": "0",
        "fag-0-subject": "Norsk",
        "fag-0-hours": "38",
    }


def vedtak_data(w: World) -> dict[str, Any]:
    return {
        "valid_from": today(),
        "valid_to": today() + datetime.timedelta(days=200),
        "appeal_info": "Klage innen tre uker.",
        "legal_basis": "Opplæringslova § 11-6.",
        "facts": "Eleven har lite utbytte.",
        "main_considerations": "Til elevens beste.",
        "pupil_view": "Eleven ønsker liten gruppe.",
        "version": "1",
        "fag-TOTAL_FORMS": "1",
        "fag-INITIAL_FORMS": "0",
        "fag-0-subject": "Matematikk",
        "fag-0-hours": "76",
        "fag-0-organisation": "class",
        "fag-0-staff_competence": "teacher",
    }


def prefixed(pk: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {f"{pk}-{k}": v for k, v in data.items()}


def url(name: str, attr: str | None = None) -> Any:
    return lambda w: reverse(f"iop:{name}", args=[getattr(c(w), attr).pk] if attr else [])


def pupil_url(name: str, pupil: str = "pupil_a") -> Any:
    return lambda w: reverse(f"iop:{name}", args=[getattr(w, pupil).pk])


def bank(w: World) -> dict[str, Any]:
    """A læringsbank entry of pupil A's skoleeier on an aim of pupil A's first goal."""
    goal = c(w).goal
    shared = aim()
    goal.competence_aims.add(shared)
    entry = BankEntry.objects.create(skoleeier=w.school1.skoleeier, text="Eleven teller til 100.")
    entry.competence_aims.add(shared)
    return {"source": str(entry.pk)}


def share(w: World) -> dict[str, Any]:
    """Pupil A's first goal (in a published IOP) with an aim: ready to share."""
    goal = c(w).goal
    goal.competence_aims.add(aim())
    return {"version": str(goal.version)}


def bank_entry(w: World, foreign: bool = False) -> BankEntry:
    """A læringsbank entry of pupil A's skoleeier (FOREIGN: of another skoleeier)."""
    key = "foreign_entry" if foreign else "bank_entry"
    if key not in w.extra:
        owner = SkoleeierFactory() if foreign else w.school1.skoleeier
        w.extra[key] = BankEntry.objects.create(skoleeier=owner, text="Eleven leser 100 ord.")
    return w.extra[key]


def bank_remove_url(foreign: bool = False) -> Any:
    return lambda w: reverse("iop:bank_entry_remove", args=[bank_entry(w, foreign).pk])


BANK_COORDINATORS = ("coordinator", "coordinator_other")
BANK_TEACHERS = ("teacher", "faglaerer", "ppt", "vikar", "vikar_expired")


def u(w: World) -> SimpleNamespace:
    """Pupil A's published IUP (assessments in Matematikk, the faglærer's
    subject, and Norsk; one goal) and pupil B's draft IUP, made once per test."""
    if "iup" not in w.extra:
        plan = iup(w.pupil_a)
        draft = iup(w.pupil_b, status="draft")
        w.extra["iup"] = SimpleNamespace(
            iup=plan,
            draft=draft,
            maths=plan.assessments.get(subject="Matematikk"),
            norsk=plan.assessments.get(subject="Norsk"),
            goal=plan.goals.get(),
        )
    return w.extra["iup"]


def iup_url(name: str, attr: str = "iup", *extra: str) -> Any:
    return lambda w: reverse(f"iop:{name}", args=[*extra, getattr(u(w), attr).pk])


STAFF = ("teacher", "faglaerer", "coordinator", "coordinator_other", "ppt", "vikar", "vikar_expired")
SCHOOL1_MEMBERS = ("teacher", "faglaerer", "ppt", "vikar", "vikar_expired")


def school1_settings(w: World) -> str:
    return reverse("iop:iup_settings_edit", args=[w.school1.pk])


def settings_data(w: World) -> dict[str, Any]:
    return {
        "version": "0",
        "use_goals": "on",
        "use_planning": "on",
        "scale": "Lav\nMiddels\nHøy",
        "subjects": "Norsk\nMatematikk",
    }


def school1_criteria(w: World) -> str:
    return reverse("iop:criteria_template_edit", args=[w.school1.pk])


def criteria_data(w: World) -> dict[str, Any]:
    return {"version": "0", "independence_1": "Med voksen hele veien."}


def _made_iop(w: World, made: bool) -> None:
    count = Iop.objects.filter(vedtak=ready(w).vedtak).count()
    assert count == int(made), f"{count} IOPs on the vedtak"


def _gone(model: type, obj: Any, gone: bool) -> None:
    exists = model.objects.filter(pk=obj.pk).exists()
    assert exists != gone, "still there" if exists else "deleted"


ROWS = {
    "iop:vurdering_create": [
        Row(pupil_url("vurdering_create"), get(("ppt",), _not("ppt"))),
        Row(pupil_url("vurdering_create", "pupil_c"), expect(404, coordinator_other=403), label="pupil C"),
        Row(pupil_url("vurdering_create"), post(("ppt",), _not("ppt", "guardian_a")), "post", sv_data),
    ],
    "iop:vurdering_detail": [
        Row(url("vurdering_detail", "sv"), get(_not("vikar"))),
        Row(url("vurdering_detail", "draft_sv"), get(WORK_A), label="draft"),
        Row(url("vurdering_detail", "sv"), expect(405, **READ_ONLY_WRITE), "post"),
    ],
    "iop:vurdering_edit": [
        Row(url("vurdering_edit", "draft_sv"), get(("ppt",), ("teacher", "faglaerer", "coordinator"))),
        Row(
            url("vurdering_edit", "draft_sv"),
            post(("ppt",), ("teacher", "faglaerer", "coordinator")),
            "post",
            lambda w: {**sv_data(w), "version": "1"},
        ),
    ],
    "iop:vurdering_complete": [
        Row(
            lambda w: reverse("iop:vurdering_complete", args=[ready(w).sv.pk]),
            post(("ppt",), ("teacher", "faglaerer", "coordinator")),
            "post",
            lambda w: {"version": "1", "confirm": "1"},
            check=status_is(SakkyndigVurdering, lambda w: ready(w).sv, "completed", "draft", writers=("ppt",)),
        ),
    ],
    "iop:vurdering_delete": [
        Row(
            lambda w: reverse("iop:vurdering_delete", args=[ready(w).sv.pk]),
            post(("ppt",), ("teacher", "faglaerer", "coordinator"), status=200),
            "post",
            lambda w: {},
            label="a draft: the confirmation page",
            check=lambda w, persona, response: _gone(SakkyndigVurdering, ready(w).sv, False),
        ),
        Row(
            lambda w: reverse("iop:vurdering_delete", args=[ready(w).sv.pk]),
            post(("ppt",), ("teacher", "faglaerer", "coordinator")),
            "post",
            lambda w: {"confirm": "1"},
            label="a draft, confirmed",
            check=lambda w, persona, response: _gone(SakkyndigVurdering, ready(w).sv, persona == "ppt"),
        ),
        Row(
            url("vurdering_delete", "sv"),
            post(("ppt",), ("teacher", "faglaerer", "coordinator"), status=200),  # the page says it can not be
            "post",
            lambda w: {"confirm": "1"},
            label="a completed assessment: kept",
            check=lambda w, persona, response: _gone(SakkyndigVurdering, c(w).sv, False),
        ),
    ],
    "iop:vedtak_create": [
        Row(url("vedtak_create", "sv"), get(("coordinator",), _not("coordinator", "vikar"))),
        Row(url("vedtak_create", "sv"), post(("coordinator",), ("teacher", "faglaerer", "ppt")), "post", vedtak_data),
    ],
    "iop:vedtak_detail": [
        Row(url("vedtak_detail", "vedtak"), get(VIEW_A)),
        Row(url("vedtak_detail", "draft_vedtak"), get(STAFF_A), label="draft"),
    ],
    "iop:vedtak_edit": [
        Row(url("vedtak_edit", "draft_vedtak"), get(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar"))),
        Row(
            url("vedtak_edit", "draft_vedtak"),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
            "post",
            vedtak_data,
        ),
    ],
    "iop:vedtak_make": [
        Row(
            lambda w: reverse("iop:vedtak_make", args=[ready(w).draft_vedtak.pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"version": "1", "confirm": "1"},
            check=status_is(Enkeltvedtak, lambda w: ready(w).draft_vedtak, "made", "draft", writers=("coordinator",)),
        ),
    ],
    "iop:vedtak_delete": [
        Row(
            lambda w: reverse("iop:vedtak_delete", args=[ready(w).draft_vedtak.pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar"), status=200),
            "post",
            lambda w: {},
            label="a draft: the confirmation page",
            check=lambda w, persona, response: _gone(Enkeltvedtak, ready(w).draft_vedtak, False),
        ),
        Row(
            lambda w: reverse("iop:vedtak_delete", args=[ready(w).draft_vedtak.pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"confirm": "1"},
            label="a draft, confirmed",
            check=lambda w, persona, response: _gone(Enkeltvedtak, ready(w).draft_vedtak, persona == "coordinator"),
        ),
        Row(
            lambda w: reverse("iop:vedtak_delete", args=[ready(w).vedtak.pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar"), status=200),  # the page says it is kept
            "post",
            lambda w: {"confirm": "1"},
            label="a decision made: kept",
            check=lambda w, persona, response: _gone(Enkeltvedtak, ready(w).vedtak, False),
        ),
    ],
    "iop:vedtak_pdf": [  # one rendering only (WeasyPrint is slow); made and refused letters: tests/iop/test_law.py
        Row(
            lambda w: reverse("iop:vedtak_pdf", args=[b_draft_vedtak(w).pk]),
            only(302, ("coordinator",)),
            label="draft B (made on a worker: a redirect to its job)",
        ),
    ],
    "iop:vedtak_notified": [
        Row(
            lambda w: reverse("iop:vedtak_notified", args=[ready(w).vedtak.pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"version": "1", "notified_on": today()},
            check=lambda w, persona, response: _notified(w, persona, ("coordinator",)),
        ),
    ],
    "iop:appeal_create": [
        Row(url("appeal_create", "vedtak"), get(("coordinator",), _not("coordinator"))),
        Row(
            url("appeal_create", "vedtak"),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
            "post",
            appeal_data,
            check=lambda w, persona, response: _appeals(w, persona, ("coordinator",)),
        ),
    ],
    "iop:consents": [
        Row(lambda w: reverse("iop:consents", args=[w.pupil_a.pk]), get(("coordinator",), _not("coordinator"))),
        Row(
            lambda w: reverse("iop:consents", args=[w.pupil_a.pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
            "post",
            consent_data,
            check=lambda w, persona, response: _consents(w, persona, ("coordinator",)),
        ),
        Row(lambda w: reverse("iop:consents", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "iop:consent_withdraw": [
        Row(
            lambda w: reverse("iop:consent_withdraw", args=[case_consent(w).pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"withdrawn_on": today(), "method": "signed", "note": "", "confirm": "1"},
            check=lambda w, persona, response: _withdrawn(w, persona, ("coordinator",)),
        ),
        Row(
            lambda w: reverse("iop:consent_withdraw", args=[case_consent(w).pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar"), status=200),
            "post",
            lambda w: {"withdrawn_on": today(), "method": "signed", "note": ""},
            label="confirmation page",
            writes=(),
            check=lambda w, persona, response: _withdrawn(w, persona, ()),
        ),
        Row(
            lambda w: reverse("iop:consent_withdraw", args=[MISSING_UUID]),
            expect(404),
            "post",
            lambda w: {"withdrawn_on": today(), "method": "signed"},
            label="missing",
        ),
    ],
    "iop:advance_notice_send": [
        Row(
            lambda w: reverse("iop:advance_notice_send", args=[ready(w).draft_vedtak.pk]),
            get(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
        ),
        Row(
            lambda w: reverse("iop:advance_notice_send", args=[ready(w).draft_vedtak.pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {
                "comment_deadline": today() + datetime.timedelta(days=14),
                "message": "Merknader innen fristen.",
            },
            check=lambda w, persona, response: _noticed(w, persona, ("coordinator",)),
        ),
        Row(lambda w: reverse("iop:advance_notice_send", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "iop:advance_notice_comment": [
        Row(
            lambda w: reverse("iop:advance_notice_comment", args=[notice(w).pk]),
            get(("coordinator",), _not("coordinator")),
        ),
        Row(
            lambda w: reverse("iop:advance_notice_comment", args=[notice(w).pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"party": "guardian", "name": "Aud Foresatt", "received_on": today(), "text": "Enig."},
            check=lambda w, persona, response: _commented(w, persona, ("coordinator",)),
        ),
        Row(lambda w: reverse("iop:advance_notice_comment", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "iop:appeal_edit": [
        Row(
            lambda w: reverse("iop:appeal_edit", args=[appeal(w).pk]),
            get(("coordinator",), ("teacher", "faglaerer", "ppt")),
        ),
        Row(
            lambda w: reverse("iop:appeal_edit", args=[appeal(w).pk]),
            post(("coordinator",), ("teacher", "faglaerer", "ppt")),
            "post",
            lambda w: {**appeal_data(w), "version": "1", "owner_reviewed_on": today(), "owner_outcome": "upheld"},
        ),
        Row(lambda w: reverse("iop:appeal_edit", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "iop:iop_create": [
        Row(
            lambda w: reverse("iop:iop_create", args=[ready(w).vedtak.pk]),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            check=lambda w, persona, response: _made_iop(w, persona in EDIT_A),
        ),
    ],
    "iop:iop_detail": [
        Row(url("iop_detail", "iop"), get(VIEW_A)),
        Row(lambda w: reverse("iop:iop_detail", args=[c(w).iop.pk]) + "?visning=les", get(VIEW_A), label="read"),
        Row(lambda w: reverse("iop:iop_detail", args=[MISSING_UUID]), expect(404), label="missing"),
        Row(url("iop_detail", "iop"), expect(405, **READ_ONLY_WRITE), "post"),
    ],
    "iop:iop_update": [
        Row(
            url("iop_update", "iop"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {
                "version": "1",
                "period_start": c(w).iop.period_start,
                "period_end": c(w).iop.period_end,
                "ordinary_teaching": "Ordinær",
                "class_plan_coordination": "Ukeplan",
            },
        ),
    ],
    "iop:iop_publish": [
        Row(
            url("iop_publish", "iop"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            changed_then_publish,
            "publish a change",
        ),
        Row(
            url("iop_publish", "iop"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar"), status=200),
            "post",
            lambda w: {"version": "1"},
            "confirmation page",
        ),
    ],
    "iop:iop_move_to_vedtak": [
        Row(
            url("iop_move_to_vedtak", "iop"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"version": "1", "confirm": "1", "vedtak": str(newer_vedtak(w).pk)},
            "move onto the newer vedtak",
            check=lambda w, persona, response: _moved(w, persona),
        ),
        Row(
            url("iop_move_to_vedtak", "iop"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar"), status=200),
            "post",
            lambda w: {"version": "1", "vedtak": str(newer_vedtak(w).pk)},
            "confirmation page",
        ),
    ],
    "iop:iop_archive": [
        Row(
            url("iop_archive", "iop"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"version": "1", "confirm": "1"},
        ),
    ],
    "iop:goal_create": [
        Row(
            url("goal_create", "iop"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"section": str(c(w).section.pk)},
        ),
    ],
    "iop:teaching_log_create": [
        Row(
            url("teaching_log_create", "iop"),
            post(LOG_A, ("ppt", "vikar")),
            "post",
            lambda w: {
                "undervisning-section": str(c(w).section.pk),
                "undervisning-period_start": today(),
                "undervisning-period_end": today(),
                "undervisning-hours": "3",
            },
        ),
        Row(
            url("teaching_log_create", "iop"),
            post(EDIT_A, ("ppt", "vikar"), faglaerer=200),  # the form again: Norsk is not among its subjects
            "post",
            lambda w: {
                "undervisning-section": str(norsk(w).section.pk),
                "undervisning-period_start": today(),
                "undervisning-period_end": today(),
                "undervisning-hours": "3",
            },
            label="Norsk (not the faglærer's subject)",
        ),
    ],
    "iop:teaching_log_list": [
        Row(url("teaching_log_list", "iop"), get(LOG_A, ("ppt", "vikar", "guardian_a"))),
        Row(lambda w: reverse("iop:teaching_log_list", args=[MISSING_UUID]), expect(404), label="missing IOP"),
    ],
    "iop:teaching_log_update": [
        Row(log_url("teaching_log_update"), get(("teacher",), _not("teacher"))),
        Row(log_url("teaching_log_update"), post(("teacher",), _not("teacher")), "post", log_data),
        Row(lambda w: reverse("iop:teaching_log_update", args=[MISSING_UUID]), expect(404), label="missing log"),
    ],
    "iop:teaching_log_delete": [
        Row(
            log_url("teaching_log_delete"),
            post(("teacher",), _not("teacher"), status=200),
            "post",
            lambda w: {},
            "confirmation page",
            writes=(),
        ),
        Row(
            log_url("teaching_log_delete"),
            post(("teacher",), _not("teacher")),
            "post",
            lambda w: {"confirm": "1"},
            "delete own log",
            check=lambda w, persona, response: _gone(TeachingLog, teacher_log(w), persona == "teacher"),
        ),
    ],
    "iop:iop_compare": [
        Row(url("iop_compare", "iop"), get(WORK_A, ("vikar", "guardian_a"))),
        Row(
            lambda w: reverse("iop:iop_compare", args=[c(w).iop.pk]) + "?upublisert=1",
            get(WORK_A, ("vikar", "guardian_a")),
            label="unpublished changes",
        ),
    ],
    "iop:section_update": [
        Row(
            url("section_update", "section"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: prefixed(c(w).section.pk, {"version": "1", "hours": "70", "content": "Nytt innhold"}),
        ),
    ],
    "iop:goal_detail": [
        Row(url("goal_detail", "goal"), get(VIEW_A)),
    ],
    "iop:goal_update": [
        Row(
            url("goal_update", "goal"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: prefixed(c(w).goal.pk, {"version": "1", "text": "Eleven leser 120 ord."}),
        ),
        Row(
            url("goal_update", "goal"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"close": "1", **prefixed(c(w).goal.pk, {"version": "1", "text": "Eleven leser 121 ord."})},
            label="closing the editor",
        ),
    ],
    "iop:goal_move": [
        Row(
            url("goal_move", "goal"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"direction": "down"},
        ),
    ],
    "iop:goal_delete": [
        Row(
            lambda w: reverse("iop:goal_delete", args=[bare_goal(w).pk]),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            label="a goal without logs",
            check=lambda w, persona, response: _gone(Goal, bare_goal(w), persona in EDIT_A),
        ),
    ],
    "iop:goal_log_create": [
        Row(
            url("goal_log_create", "goal"),
            post(LOG_A, ("ppt", "vikar")),
            "post",
            lambda w: {"date": today(), "quality": "2", "independence": "3"},
        ),
        Row(
            lambda w: reverse("iop:goal_log_create", args=[norsk(w).goal.pk]),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"date": today(), "quality": "2"},
            label="a goal in Norsk (not the faglærer's subject)",
        ),
    ],
    "iop:goal_editor": [
        Row(url("goal_editor", "goal"), get(EDIT_A, ("faglaerer", "ppt", "vikar", "guardian_a"))),
        Row(iup_url("goal_editor", "goal"), get((), ("faglaerer", "ppt", "vikar", "guardian_a")), label="IUP goal"),
    ],
    "iop:goal_aims": [
        Row(url("goal_aims", "goal"), get(EDIT_A, ("faglaerer", "ppt", "vikar", "guardian_a"))),
    ],
    "iop:goal_aims_update": [
        Row(
            url("goal_aims_update", "goal"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"add": str(aim().pk)},
        ),
    ],
    "iop:goal_criteria_fill": [
        Row(
            url("goal_criteria_fill", "goal"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: prefixed(c(w).goal.pk, {"version": "1", "text": "Eleven leser 120 ord.", "axis": "independence"}),
        ),
        Row(
            iup_url("goal_criteria_fill", "goal"),
            post((), ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"axis": "all"},
            label="IUP goal",
        ),
    ],
    "iop:goal_bank": [
        Row(url("goal_bank", "goal"), get(EDIT_A, ("faglaerer", "ppt", "vikar", "guardian_a"))),
    ],
    "iop:goal_bank_use": [
        Row(url("goal_bank_use", "goal"), post(EDIT_A, ("faglaerer", "ppt", "vikar")), "post", bank),
    ],
    "iop:goal_share": [
        Row(url("goal_share", "goal"), get(EDIT_A, ("faglaerer", "ppt", "vikar", "guardian_a"))),
        Row(url("goal_share", "goal"), post(EDIT_A, ("faglaerer", "ppt", "vikar")), "post", share),
        Row(iup_url("goal_share", "goal"), get((), ("faglaerer", "ppt", "vikar", "guardian_a")), label="IUP goal"),
    ],
    "iop:bank_list": [
        Row(lambda w: reverse("iop:bank_list"), get(STAFF, (), guardian_a=403, guardian_b=403, operator=403)),
    ],
    "iop:bank_entry_remove": [
        Row(bank_remove_url(), get(BANK_COORDINATORS, BANK_TEACHERS)),
        Row(
            bank_remove_url(),
            only(302, BANK_COORDINATORS, **dict.fromkeys(BANK_TEACHERS, 403), **READ_ONLY_WRITE),
            "post",
        ),
        Row(bank_remove_url(foreign=True), expect(404), label="another skoleeier"),
        Row(
            bank_remove_url(foreign=True),
            expect(404),
            "post",
            label="another skoleeier (read-only users are refused before)",
        ),
    ],
    "iop:history": [
        Row(lambda w: reverse("iop:history", args=["iop", c(w).iop.pk]), get(WORK_A, ("vikar", "guardian_a"))),
        Row(
            lambda w: reverse("iop:history", args=["vedtak", c(w).vedtak.pk]),
            get(WORK_A, ("vikar", "guardian_a")),
            label="vedtak",
        ),
        Row(
            lambda w: reverse("iop:history", args=["vurdering", c(w).sv.pk]),
            get(WORK_A, ("guardian_a",)),
            label="vurdering",
        ),
        Row(lambda w: reverse("iop:history", args=["nothing", c(w).sv.pk]), expect(404), label="bad kind"),
    ],
    "iop:access_log": [
        Row(pupil_url("access_log"), get(("coordinator", "guardian_a"), ("teacher", "faglaerer", "ppt", "vikar"))),
    ],
    "iop:vikar_access": [
        Row(pupil_url("vikar_access"), get(("coordinator",), _not("coordinator"))),
        Row(pupil_url("vikar_access", "pupil_c"), get(("coordinator_other",)), label="pupil C"),
        Row(
            pupil_url("vikar_access"),
            post(("coordinator",), _not("coordinator", "guardian_a")),
            "post",
            lambda w: {"user": str(w.user("vikar").pk), "until": today() + datetime.timedelta(days=5)},
        ),
    ],
    "iop:vikar_revoke": [
        Row(
            pupil_url("vikar_revoke"),
            post(("coordinator",), _not("coordinator", "guardian_a")),
            "post",
            lambda w: {"user": str(w.user("vikar").pk)},
        ),
    ],
    "iop:overview": [
        Row(
            lambda w: reverse("iop:overview"),
            get(
                ("coordinator", "coordinator_other"),
                (),
                **dict.fromkeys(
                    ("teacher", "faglaerer", "ppt", "vikar", "vikar_expired", "guardian_a", "guardian_b", "operator"),
                    403,
                ),
            ),
        ),
    ],
    # --- IUP ---
    "iop:iup_create": [
        Row(pupil_url("iup_create"), post(EDIT_A, ("faglaerer", "ppt", "vikar")), "post"),
        Row(pupil_url("iup_create", "pupil_c"), post(("coordinator_other",)), "post", label="pupil C"),
    ],
    "iop:iup_list": [
        Row(lambda w: reverse("iop:iup_list"), get(STAFF, (), guardian_a=403, guardian_b=403, operator=403)),
        Row(
            lambda w: reverse("iop:iup_list") + "?mangler=1&side=x",
            get(STAFF, (), guardian_a=403, guardian_b=403, operator=403),
            label="missing only, bad page",
        ),
    ],
    "iop:iup_settings": [
        Row(
            lambda w: reverse("iop:iup_settings"),
            get(
                ("coordinator", "coordinator_other"),
                (),
                **dict.fromkeys((*SCHOOL1_MEMBERS, "guardian_a", "guardian_b", "operator"), 403),
            ),
        ),
    ],
    "iop:iup_settings_edit": [
        Row(school1_settings, get(("coordinator",), SCHOOL1_MEMBERS)),
        Row(school1_settings, post(("coordinator",), SCHOOL1_MEMBERS), "post", settings_data),
        Row(lambda w: reverse("iop:iup_settings_edit", args=[MISSING_INT]), expect(404), label="missing school"),
    ],
    "iop:criteria_template_edit": [
        Row(school1_criteria, get(("coordinator",), SCHOOL1_MEMBERS)),
        Row(school1_criteria, post(("coordinator",), SCHOOL1_MEMBERS), "post", criteria_data),
        Row(lambda w: reverse("iop:criteria_template_edit", args=[MISSING_INT]), expect(404), label="missing school"),
    ],
    "iop:iup_detail": [
        Row(iup_url("iup_detail"), get(VIEW_A)),
        Row(lambda w: reverse("iop:iup_detail", args=[u(w).iup.pk]) + "?visning=les", get(VIEW_A), label="read"),
        Row(iup_url("iup_detail", "draft"), get(("coordinator",)), label="draft of pupil B"),
        Row(lambda w: reverse("iop:iup_detail", args=[MISSING_UUID]), expect(404), label="missing"),
        Row(iup_url("iup_detail"), expect(405, **READ_ONLY_WRITE), "post"),
    ],
    "iop:iup_pdf": [  # one rendering only (WeasyPrint is slow); guardians' PDFs: tests/iop/test_iup.py
        Row(iup_url("iup_pdf", "draft"), only(302, ("coordinator",)), label="draft of pupil B (made on a worker)"),
    ],
    "iop:iup_compare": [
        Row(iup_url("iup_compare"), get(WORK_A, ("vikar", "guardian_a"))),
        Row(iup_url("iup_compare", "draft"), get(("coordinator",)), label="draft of pupil B"),
        Row(lambda w: reverse("iop:iup_compare", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "iop:iup_update": [
        Row(
            iup_url("iup_update"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"version": "1", "talk_date": today(), "school_contribution": "Mer lesing", "agreements": "Ny"},
        ),
    ],
    "iop:iup_publish": [
        Row(
            iup_url("iup_publish"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"version": "1", "confirm": "1", "seen": services.content_stamp(u(w).iup)},
        ),
        Row(
            iup_url("iup_publish", "draft"),
            post(("coordinator",)),
            "post",
            lambda w: {"version": "1", "confirm": "1", "seen": services.content_stamp(u(w).draft)},
            "draft B",
        ),
    ],
    "iop:iup_archive": [
        Row(
            iup_url("iup_archive"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: {"version": "1", "confirm": "1"},
        ),
    ],
    "iop:iup_goal_create": [
        Row(iup_url("iup_goal_create"), post(EDIT_A, ("faglaerer", "ppt", "vikar")), "post", lambda w: {"subject": ""}),
    ],
    "iop:assessment_update": [
        Row(
            iup_url("assessment_update", "maths"),
            post(LOG_A, ("ppt", "vikar")),
            "post",
            lambda w: prefixed(u(w).maths.pk, {"version": "1", "level": "3", "text": "Bra", "self_level": "2"}),
            label="Matematikk (the faglærer's subject)",
        ),
        Row(
            iup_url("assessment_update", "norsk"),
            post(EDIT_A, ("faglaerer", "ppt", "vikar")),
            "post",
            lambda w: prefixed(u(w).norsk.pk, {"version": "1", "level": "3"}),
            label="Norsk (not the faglærer's subject)",
        ),
    ],
}

ROWS["iop:history"].append(
    Row(lambda w: reverse("iop:history", args=["iup", u(w).iup.pk]), get(WORK_A, ("vikar", "guardian_a")), label="iup")
)
ROWS["iop:goal_detail"].append(Row(iup_url("goal_detail", "goal"), get(VIEW_A), label="IUP goal"))
ROWS["iop:goal_update"].append(
    Row(
        iup_url("goal_update", "goal"),
        post(EDIT_A, ("faglaerer", "ppt", "vikar")),
        "post",
        lambda w: prefixed(u(w).goal.pk, {"version": "1", "text": "Eleven leser 120 ord.", "subject": "Norsk"}),
        label="IUP goal",
    )
)
ROWS["iop:goal_log_create"].append(
    Row(
        iup_url("goal_log_create", "goal"),
        post(LOG_A, ("ppt", "vikar")),
        "post",
        lambda w: {"date": today(), "quality": "2"},
        label="IUP goal",
    )
)
