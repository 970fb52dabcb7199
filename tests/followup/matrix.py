"""Permission-matrix rows for every follow-up URL (see tests/matrix.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from followup import services
from followup.models import Aarshjul, AarshjulChoice, Deadline, Duty, InterimReply, Notification, Referral
from followup.selectors import deadline_link
from tests.conftest import World
from tests.followup.fixtures import records, tiltak_data
from tests.matrix import MISSING_INT, MISSING_UUID, READ_ONLY_WRITE, READ_ONLY_WRITE_NO_RECORD, Row, expect, only

R = records
STAFF = ("teacher", "faglaerer", "coordinator", "coordinator_other", "ppt", "vikar", "vikar_expired")
NON_STAFF_403 = {"guardian_a": 403, "guardian_b": 403, "operator": 403}
# Pupil A: who may see the follow-up (LOG), who sees the pupil but not its follow-up (403).
LOG_A = ("teacher", "faglaerer", "coordinator")
SEES_A_ONLY = {"ppt": 403, "vikar": 403, "guardian_a": 403}
EDIT_A = ("teacher", "coordinator")
# Writes: the read-only middleware answers guardians and the operator 403 first.
WRITE_DENIED = READ_ONLY_WRITE


def pupil_a_page(status_for_allowed: int, allowed: tuple[str, ...], post: bool = False) -> dict[str, int]:
    overrides = dict(SEES_A_ONLY)
    if "faglaerer" not in allowed:
        overrides["faglaerer"] = 403
    if post:
        overrides.update(WRITE_DENIED)
    return only(status_for_allowed, allowed, **overrides)


def record_page(
    allowed: tuple[str, ...], status: int = 200, denied: tuple[str, ...] = (), post: bool = False
) -> dict[str, int]:
    """A record of pupil A: LOG-holders see it, the rest get 404 (writes: 403
    for those who see it but may not do the action)."""
    overrides = dict.fromkeys(denied, 403)
    if post:
        overrides.update(WRITE_DENIED)
    return only(status, allowed, **overrides)


def draft_referral(w: World) -> Referral:
    """A draft referral of pupil A begun by mistake: no consent recorded yet."""
    return Referral.objects.create(
        pupil=w.pupil_a, question="Begynt ved en feil", report="", created_by=w.user("teacher")
    )


def today() -> str:
    return timezone.localdate().isoformat()


def unread_for_everyone(w: World) -> dict[str, Any]:
    """An unread notification for every persona with an account (no form data)."""
    deadline = R(w).deadline_a
    for persona, user in w.users.items():
        if user is not None:
            Notification.objects.get_or_create(
                key=f"matrix:{persona}",
                defaults={"recipient": user, "kind": "before", "deadline": deadline, "send_after": timezone.now()},
            )
    return {}


def _done_by_hand(w: World) -> Deadline:
    """Pupil A's deadline, marked done by hand (with a note) by the coordinator."""
    deadline = R(w).deadline_a
    Deadline.objects.filter(pk=deadline.pk).update(
        state=Deadline.State.DONE,
        done_at=timezone.now(),
        done_by=w.user("coordinator"),
        done_note="Gjort",
        next_reminder_at=None,
    )
    return deadline


def read_only_by(readers: tuple[str, ...]) -> Any:
    """A check: the persona's notifications are read after its request iff it is one of READERS."""

    def check(w: World, persona: str, response: Any) -> None:
        user = w.user(persona)
        if user is not None:
            unread = Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
            assert unread != (persona in readers), "notifications still unread" if unread else "notifications read"

    return check


def coordinators_notification(w: World) -> Notification:
    """An unread notification to the coordinator about school 1's deadline A."""
    if "notification" not in w.extra:
        w.extra["notification"] = Notification.objects.create(
            key="matrix:open",
            recipient=w.user("coordinator"),
            kind="before",
            deadline=R(w).deadline_a,
            send_after=timezone.now(),
        )
    return w.extra["notification"]


def opened_by(owner: str) -> Any:
    """A check: the notification of :func:`coordinators_notification` is read
    after the request iff PERSONA is OWNER, who is sent to its deadline's page."""

    def check(w: World, persona: str, response: Any) -> None:
        notification = coordinators_notification(w)
        notification.refresh_from_db()
        assert (notification.read_at is not None) == (persona == owner), f"read_at {notification.read_at}"
        if persona == owner:
            assert response["Location"] == deadline_link(R(w).deadline_a), response["Location"]

    return check


SEES_A_MANAGES_NOT = {"teacher": 403, "faglaerer": 403, "ppt": 403, "vikar": 403, "guardian_a": 403}


def interim(w: World) -> InterimReply:
    """An interim reply to pupil A's sent referral."""
    if "interim" not in w.extra:
        w.extra["interim"] = InterimReply.objects.create(
            pupil=w.pupil_a,
            referral=R(w).referral_a_sent,
            reason="PPT har lang ventetid.",
            expected_by=timezone.localdate(),
            sent_on=timezone.localdate(),
        )
    return w.extra["interim"]


def _interim_recorded(w: World, persona: str, response: Any) -> None:
    count = InterimReply.objects.filter(referral=R(w).referral_a_sent, reason="Venter på PPT").count()
    assert count == int(persona == "coordinator"), f"{count} interim replies"


DUTY = "oppfolgingsmoter-host"


def school_duty(w: World) -> str:
    """School 1 overrides the årshjul's duty DUTY (so resetting it changes something)."""
    if not Duty.objects.filter(school=w.school1, key=DUTY).exists():
        services.duty_save(actor=w.user("coordinator"), school=w.school1, key=DUTY, title="Oppfølgingsmøter (skolen)")
    return reverse("followup:duty_reset", args=[w.school1.pk, DUTY])


def duty_data(w: World, title: str = "Oppfølgingsmøter") -> dict[str, Any]:
    return {
        "title": title,
        "responsible_role": "rektor",
        "applies_to": "each_group",
        "anchor": "fixed",
        "month": 10,
        "day": 20,
        "offset_days": 0,
        "reminder_days": "7,1",
        "fulfilment": "meeting_held",
        "active": "on",
        "weekend_to_monday": "on",
        "order": 5,
    }


def school_has_duty(title: str, writers: tuple[str, ...]) -> Any:
    def check(w: World, persona: str, response: Any) -> None:
        exists = Duty.objects.filter(school=w.school1, title=title).exists()
        assert exists == (persona in writers), "the duty is saved" if exists else "no duty saved"

    return check


def _overridden(w: World, expected: bool) -> None:
    overridden = Duty.objects.filter(school=w.school1, key=DUTY).exists()
    assert overridden == expected, "the school's override is still there" if overridden else "the override is gone"


def wheel_chosen(w: World, persona: str, response: Any) -> None:
    chosen = AarshjulChoice.objects.filter(school=w.school1).exists()
    assert chosen == (persona == "operator"), chosen


def choose_wheel(w: World) -> dict[str, Any]:
    wheel = Aarshjul.objects.get_or_create(builtin_key="matrix-wheel", defaults={"name": "Matrisehjul"})[0]
    return {"school": str(w.school1.pk), "aarshjul": str(wheel.pk)}


ROWS = {
    "followup:aarshjul_choices": [
        Row(lambda w: reverse("followup:aarshjul_choices"), only(200, ("operator",))),
        Row(
            lambda w: reverse("followup:aarshjul_choices"),
            only(302, ("operator",), guardian_a=403, guardian_b=403, operator=400),
            method="post",
            label="no school",
            writes=(),
        ),
        Row(
            lambda w: reverse("followup:aarshjul_choices"),
            only(302, ("operator",), guardian_a=403, guardian_b=403),
            method="post",
            data=choose_wheel,
            label="choose an årshjul for school 1",
            check=wheel_chosen,
        ),
    ],
    "followup:dashboard": [
        Row(lambda w: reverse("followup:dashboard"), expect(200, **NON_STAFF_403)),
    ],
    "followup:pipeline": [
        Row(lambda w: (R(w), reverse("followup:pipeline"))[1], expect(200, **NON_STAFF_403)),
        Row(
            lambda w: reverse("followup:pipeline") + f"?school={w.school1.pk}&group=x&side=9",
            expect(200, **NON_STAFF_403),
            label="filtered, a bad group and a page past the end",
        ),
    ],
    "followup:deadline_complete": [
        Row(
            lambda w: reverse("followup:deadline_complete", args=[R(w).deadline_a.pk]),
            only(302, ("teacher", "coordinator"), **WRITE_DENIED),
            method="post",
            data=lambda w: {"note": "Gjort"},
        ),
        Row(
            lambda w: reverse("followup:deadline_complete", args=[MISSING_UUID]),
            expect(404, **WRITE_DENIED),
            method="post",
            label="missing",
        ),
    ],
    "followup:deadline_reopen": [
        Row(
            lambda w: reverse("followup:deadline_reopen", args=[_done_by_hand(w).pk]),
            only(302, ("teacher", "coordinator"), **WRITE_DENIED),
            method="post",
        ),
        Row(
            lambda w: reverse("followup:deadline_reopen", args=[MISSING_UUID]),
            expect(404, **WRITE_DENIED),
            method="post",
            label="missing",
        ),
    ],
    "followup:notifications": [
        Row(lambda w: reverse("followup:notifications"), expect(200)),
        Row(lambda w: reverse("followup:notifications") + "?side=abc", expect(200), label="a page that is no number"),
        Row(lambda w: reverse("followup:notifications") + "?side=999", expect(200), label="a page past the end"),
    ],
    "followup:notification_open": [
        Row(
            lambda w: reverse("followup:notification_open", args=[coordinators_notification(w).pk]),
            only(302, ("coordinator",)),
            check=opened_by("coordinator"),
            label="the coordinator's own: read, and on to its deadline's page",
        ),
        Row(lambda w: reverse("followup:notification_open", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "followup:notifications_read": [
        Row(
            lambda w: reverse("followup:notifications_read"),
            expect(302, operator=403),
            method="post",
            data=unread_for_everyone,
            check=read_only_by((*STAFF, "guardian_a", "guardian_b")),
        )
    ],
    "followup:preferences": [
        Row(lambda w: reverse("followup:preferences"), expect(200, operator=403)),
        Row(
            lambda w: reverse("followup:preferences"),
            expect(302, operator=403),
            method="post",
            data=lambda w: {"daily_digest": "on", "language": "nb", "plan_emails": "on"},
            label="save (guardians: e-mail when a plan is published)",
        ),
    ],
    "followup:ical_renew": [
        Row(lambda w: reverse("followup:ical_renew"), expect(302, **READ_ONLY_WRITE_NO_RECORD), method="post"),
    ],
    "followup:ical": [
        Row(
            lambda w: reverse("followup:ical", args=[R(w).token]),
            expect(200, anonymous=200, deactivated=200),
            label="valid token, no login needed",
        ),
        Row(
            lambda w: reverse("followup:ical", args=["wrong-token"]),
            expect(404, anonymous=404, deactivated=404),
            label="wrong token",
        ),
    ],
    "followup:pupil": [
        Row(lambda w: reverse("followup:pupil", args=[w.pupil_a.pk]), pupil_a_page(200, LOG_A), label="pupil A"),
        Row(
            lambda w: reverse("followup:pupil", args=[w.pupil_b.pk]),
            only(200, ("coordinator",), guardian_b=403),
            label="pupil B",
        ),
        Row(lambda w: reverse("followup:pupil", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "followup:tilsyn_pupil": [
        Row(
            lambda w: reverse("followup:tilsyn_pupil", args=[w.pupil_a.pk]),
            only(200, ("coordinator",), **SEES_A_MANAGES_NOT),
            label="pupil A",
        ),
        Row(
            lambda w: reverse("followup:tilsyn_pupil", args=[w.pupil_c.pk]),
            only(200, ("coordinator_other",)),
            label="pupil C of school 2",
        ),
        Row(lambda w: reverse("followup:tilsyn_pupil", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "followup:tilsyn": [
        Row(lambda w: reverse("followup:tilsyn"), only(302, ("coordinator", "coordinator_other")), label="menu"),
        Row(
            lambda w: reverse("followup:tilsyn"),
            expect(405, **READ_ONLY_WRITE_NO_RECORD),
            method="post",
            label="post",
        ),
    ],
    "followup:tilsyn_school": [
        Row(lambda w: reverse("followup:tilsyn_school", args=[w.school1.pk]), only(200, ("coordinator",))),
        Row(
            lambda w: reverse("followup:tilsyn_school", args=[w.school2.pk]),
            only(200, ("coordinator_other",)),
            label="school 2",
        ),
        Row(lambda w: reverse("followup:tilsyn_school", args=[MISSING_INT]), expect(404), label="missing"),
    ],
    "followup:concern_create": [
        Row(lambda w: reverse("followup:concern_create", args=[w.pupil_a.pk]), pupil_a_page(200, LOG_A)),
        Row(
            lambda w: reverse("followup:concern_create", args=[w.pupil_a.pk]),
            pupil_a_page(302, LOG_A, post=True),
            method="post",
            data=lambda w: {"insufficient_benefit": "on", "description": "Henger etter i lesing"},
            label="file",
        ),
    ],
    "followup:kartlegging_create": [
        Row(lambda w: reverse("followup:kartlegging_create", args=[w.pupil_a.pk]), pupil_a_page(200, LOG_A)),
        Row(
            lambda w: reverse("followup:kartlegging_create", args=[w.pupil_a.pk]),
            pupil_a_page(302, LOG_A, post=True),
            method="post",
            data=lambda w: {"kind": "academic", "date": today(), "conducted_by": "Frode", "result": "Under forventet"},
            label="save",
        ),
    ],
    "followup:plan_edit": [
        Row(lambda w: reverse("followup:plan_edit", args=[w.pupil_a.pk]), pupil_a_page(200, EDIT_A)),
        Row(
            lambda w: reverse("followup:plan_edit", args=[w.pupil_a.pk]),
            pupil_a_page(302, EDIT_A, post=True),
            method="post",
            data=lambda w: {"main_challenges": "Lesing og skriving"},
            label="save",
        ),
    ],
    "followup:tiltak_create": [
        Row(lambda w: reverse("followup:tiltak_create", args=[w.pupil_a.pk]), pupil_a_page(200, EDIT_A)),
        Row(
            lambda w: reverse("followup:tiltak_create", args=[w.pupil_a.pk]),
            pupil_a_page(302, EDIT_A, post=True),
            method="post",
            data=tiltak_data,
            label="save",
        ),
    ],
    "followup:referral_create": [
        Row(lambda w: reverse("followup:referral_create", args=[w.pupil_a.pk]), pupil_a_page(200, EDIT_A)),
        Row(
            lambda w: reverse("followup:referral_create", args=[w.pupil_a.pk]),
            pupil_a_page(302, EDIT_A, post=True),
            method="post",
            data=lambda w: {"question": "Har eleven lesevansker?"},
            label="start",
        ),
    ],
    "followup:talk_create": [
        Row(lambda w: reverse("followup:talk_create", args=[w.pupil_a.pk]), pupil_a_page(200, EDIT_A)),
        Row(
            lambda w: reverse("followup:talk_create", args=[w.pupil_a.pk]),
            pupil_a_page(302, EDIT_A, post=True),
            method="post",
            data=lambda w: {"kind": "oppstartsamtale", "status": "held", "date": today(), "pupil_present": "on"},
            label="save",
        ),
    ],
    "followup:concern_detail": [
        Row(lambda w: reverse("followup:concern_detail", args=[R(w).concern_a.pk]), record_page(LOG_A), label="A"),
        Row(
            lambda w: reverse("followup:concern_detail", args=[R(w).concern_b.pk]),
            record_page(("coordinator",)),
            label="B",
        ),
        Row(lambda w: reverse("followup:concern_detail", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "followup:concern_receive": [
        Row(
            lambda w: reverse("followup:concern_receive", args=[R(w).concern_a.pk]),
            record_page(("coordinator",), 302, denied=("teacher", "faglaerer"), post=True),
            method="post",
        )
    ],
    "followup:concern_close": [
        Row(
            lambda w: reverse("followup:concern_close", args=[R(w).concern_a.pk]),
            record_page(("coordinator",), 302, denied=("teacher", "faglaerer"), post=True),
            method="post",
            data=lambda w: {"note": "Fulgt opp"},
        ),
        Row(
            lambda w: reverse("followup:concern_close", args=[R(w).concern_a.pk]),
            record_page(("coordinator",), 400, denied=("teacher", "faglaerer"), post=True),
            method="post",
            data=lambda w: {"note": ""},
            label="without note",
        ),
    ],
    "followup:tiltak_detail": [
        Row(lambda w: reverse("followup:tiltak_detail", args=[R(w).tiltak_a.pk]), record_page(LOG_A)),
    ],
    "followup:tiltak_evaluate": [
        Row(
            lambda w: reverse("followup:tiltak_evaluate", args=[R(w).tiltak_a.pk]),
            record_page(EDIT_A, denied=("faglaerer",)),
        ),
        Row(
            lambda w: reverse("followup:tiltak_evaluate", args=[R(w).tiltak_a.pk]),
            record_page(EDIT_A, 302, denied=("faglaerer",), post=True),
            method="post",
            data=lambda w: {"date": today(), "outcome": "ended", "effect": "Bedre lesing"},
            label="evaluate",
        ),
    ],
    "followup:referral_detail": [
        Row(
            lambda w: reverse("followup:referral_detail", args=[R(w).referral_a.pk]), record_page(LOG_A), label="draft"
        ),
        Row(
            lambda w: reverse("followup:referral_detail", args=[R(w).referral_a_sent.pk]),
            record_page((*LOG_A, "ppt")),
            label="sent: PPT sees it",
        ),
    ],
    "followup:referral_pdf": [
        Row(
            lambda w: reverse("followup:referral_pdf", args=[R(w).referral_a_sent.pk]),
            record_page((*LOG_A, "ppt")),
            label="sent: PPT sees it",
        ),
    ],
    "followup:referral_edit": [
        Row(
            lambda w: reverse("followup:referral_edit", args=[R(w).referral_a.pk]),
            record_page(EDIT_A, denied=("faglaerer",)),
        ),
        Row(
            lambda w: reverse("followup:referral_edit", args=[R(w).referral_a.pk]),
            record_page(EDIT_A, 302, denied=("faglaerer",), post=True),
            method="post",
            data=lambda w: {"question": "Q2", "report": "Rapport 2", "version": "1"},
            label="save",
        ),
    ],
    "followup:consent_create": [
        Row(
            lambda w: reverse("followup:consent_create", args=[R(w).referral_a.pk]),
            record_page(EDIT_A, 302, denied=("faglaerer",), post=True),
            method="post",
            data=lambda w: {
                "given_by": "guardian",
                "guardian": w.user("guardian_a").pk,  # type: ignore[union-attr]
                "date": today(),
                "method": "signed",
            },
        ),
    ],
    "followup:interim_reply": [
        Row(
            lambda w: reverse("followup:interim_reply", args=["referral", R(w).referral_a_sent.pk]),
            only(200, ("coordinator",), **SEES_A_MANAGES_NOT),
        ),
        Row(
            lambda w: reverse("followup:interim_reply", args=["referral", R(w).referral_a_sent.pk]),
            only(302, ("coordinator",), **{**SEES_A_MANAGES_NOT, **WRITE_DENIED}),
            method="post",
            data=lambda w: {"reason": "Venter på PPT", "expected_by": today(), "sent_on": today()},
            check=_interim_recorded,
        ),
        Row(lambda w: reverse("followup:interim_reply", args=["referral", MISSING_UUID]), expect(404), label="missing"),
        Row(
            lambda w: reverse("followup:interim_reply", args=["tiltak", R(w).referral_a_sent.pk]),
            expect(404),
            label="unknown kind",
        ),
    ],
    "followup:interim_letter": [
        Row(
            lambda w: reverse("followup:interim_letter", args=[interim(w).pk]),
            only(200, ("coordinator",), **SEES_A_MANAGES_NOT),
        ),
        Row(lambda w: reverse("followup:interim_letter", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "followup:referral_delete": [
        Row(
            lambda w: reverse("followup:referral_delete", args=[draft_referral(w).pk]),
            record_page(EDIT_A, 200, denied=("faglaerer",), post=True),
            method="post",
            label="confirmation page",
        ),
        Row(
            lambda w: reverse("followup:referral_delete", args=[draft_referral(w).pk]),
            record_page(EDIT_A, 302, denied=("faglaerer",), post=True),
            method="post",
            data=lambda w: {"confirm": "1"},
            label="delete a draft",
        ),
        Row(
            lambda w: reverse("followup:referral_delete", args=[R(w).referral_a.pk]),
            record_page(EDIT_A, 200, denied=("faglaerer",), post=True),
            method="post",
            data=lambda w: {"confirm": "1"},
            label="kept: consent recorded",
        ),
    ],
    "followup:referral_send": [
        Row(
            lambda w: reverse("followup:referral_send", args=[R(w).referral_a.pk]),
            record_page(("coordinator",), 302, denied=("teacher", "faglaerer"), post=True),
            method="post",
        ),
    ],
    "followup:talk_edit": [
        Row(lambda w: reverse("followup:talk_edit", args=[R(w).talk_a.pk]), record_page(LOG_A)),
        Row(
            lambda w: reverse("followup:talk_edit", args=[R(w).talk_a.pk]),
            record_page(EDIT_A, 302, denied=("faglaerer",), post=True),
            method="post",
            data=lambda w: {"kind": "elevsamtale", "status": "held", "date": today(), "agreements": "Lese hver dag"},
            label="save",
        ),
    ],
    "followup:talk_overview": [
        Row(lambda w: reverse("followup:talk_overview", args=[w.group_a.pk]), only(200, LOG_A)),
    ],
    "followup:meeting_list": [Row(lambda w: reverse("followup:meeting_list"), expect(200, **NON_STAFF_403))],
    "followup:meeting_create": [
        Row(
            lambda w: reverse("followup:meeting_create"),
            expect(200, ppt=403, vikar=403, vikar_expired=403, **NON_STAFF_403),
        ),
        Row(
            lambda w: reverse("followup:meeting_create"),
            expect(302, coordinator_other=200, ppt=403, vikar=403, vikar_expired=403, **READ_ONLY_WRITE_NO_RECORD),
            method="post",
            data=lambda w: {"group": w.group_a.pk, "kind": "iko", "date": today(), "agenda": "1. Resultater"},
            label="save for group A (school 2's coordinator: not a choice → form)",
        ),
    ],
    "followup:meeting_detail": [
        Row(lambda w: reverse("followup:meeting_detail", args=[R(w).meeting_a.pk]), only(200, LOG_A)),
    ],
    "followup:meeting_decision": [
        Row(
            lambda w: reverse("followup:meeting_decision", args=[R(w).meeting_a.pk, w.pupil_a.pk]),
            only(302, LOG_A, **WRITE_DENIED),
            method="post",
            data=lambda w: {"decision": "Nytt tiltak i lesing"},
        )
    ],
    "followup:aarshjul": [
        Row(lambda w: reverse("followup:aarshjul"), only(200, ("coordinator", "coordinator_other"), other=403)),
    ],
    "followup:aarshjul_pdf": [
        Row(lambda w: reverse("followup:aarshjul_pdf", args=[w.school1.pk]), only(200, ("coordinator",))),
        Row(
            lambda w: reverse("followup:aarshjul_pdf", args=[w.school1.pk]),
            expect(405, **READ_ONLY_WRITE),
            method="post",
            label="post",
        ),
        Row(lambda w: reverse("followup:aarshjul_pdf", args=[MISSING_INT]), expect(404), label="missing"),
    ],
    "followup:duty_edit": [
        Row(
            lambda w: reverse("followup:duty_edit", args=[w.school1.pk, "oppfolgingsmoter-host"]),
            only(200, ("coordinator",)),
        ),
        Row(
            lambda w: reverse("followup:duty_edit", args=[w.school1.pk, "oppfolgingsmoter-host"]),
            only(302, ("coordinator",), **WRITE_DENIED),
            method="post",
            data=duty_data,
            label="override",
            check=school_has_duty("Oppfølgingsmøter", ("coordinator",)),
        ),
    ],
    "followup:duty_create": [
        Row(lambda w: reverse("followup:duty_create", args=[w.school1.pk]), only(200, ("coordinator",))),
        Row(
            lambda w: reverse("followup:duty_create", args=[w.school1.pk]),
            only(302, ("coordinator",), **WRITE_DENIED),
            method="post",
            data=lambda w: duty_data(w, "Skolens egen plikt"),
            label="add the school's own duty",
            check=school_has_duty("Skolens egen plikt", ("coordinator",)),
        ),
    ],
    "followup:duty_reset": [
        Row(
            school_duty,
            only(302, ("coordinator",), **WRITE_DENIED),
            method="post",
            label="school 1 overrides the duty",
            check=lambda w, persona, response: _overridden(w, persona != "coordinator"),
        )
    ],
    "followup:deadlines_regenerate": [
        Row(
            lambda w: reverse("followup:deadlines_regenerate", args=[w.school1.pk]),
            only(302, ("coordinator",), **WRITE_DENIED),
            method="post",
        )
    ],
}
