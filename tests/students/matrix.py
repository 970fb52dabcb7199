from typing import Any

from django.urls import reverse
from django.utils import timezone

from students.models import Pupil
from tests.conftest import World
from tests.matrix import MISSING_UUID, Row, expect, only


def logged_out(w: World, persona: str, response: Any) -> None:
    assert not response.wsgi_request.user.is_authenticated, "still logged in"


def archived_by(writers: tuple[str, ...], pupil: str) -> Any:
    def check(w: World, persona: str, response: Any) -> None:
        archived = Pupil.objects.get(pk=getattr(w, pupil).pk).archived_at
        assert (archived is not None) == (persona in writers), f"archived: {archived}"

    return check


MANAGERS_OF_A_WRITE = only(302, ("coordinator",), teacher=403, faglaerer=403, ppt=403, vikar=403)
READ_ONLY = {"guardian_a": 403, "guardian_b": 403, "operator": 403}


def forms(name: str, table: dict[str, int], label: str, *args: str) -> list[Row]:
    """POST and PUT (a form view takes both) of an empty form: nothing saved."""
    return [
        Row(lambda w: reverse(name, args=list(args)), table, method=method, label=f"{label} ({method})", writes=())
        for method in ("post", "put")
    ]


# Moving pupil A (school 1): its coordinator only; the school's other staff and
# guardian A see the pupil (403); the operator moves pupils in the admin.
MOVE_GET = only(200, ("coordinator",), teacher=403, faglaerer=403, ppt=403, vikar=403, guardian_a=403)
MOVE_POST = {**MOVE_GET, "guardian_a": 403, "guardian_b": 403, "operator": 403}


def move_data(confirm: bool) -> Any:
    def data(w: World) -> dict[str, Any]:
        values = {"to_group": str(w.group_c.pk), "date": timezone.localdate().isoformat(), "note": "Flytter"}
        return {**values, "confirm": "1"} if confirm else values

    return data


def moved(w: World, persona: str, response: Any) -> None:
    school = Pupil.objects.get(pk=w.pupil_a.pk).school_id
    wanted = w.school2.pk if persona == "coordinator" else w.school1.pk
    assert school == wanted, f"pupil A at school {school}, expected {wanted}"


ROWS = {
    "home": [Row(lambda w: reverse("home"), expect(200))],
    "pupil_list": [
        Row(lambda w: reverse("pupil_list"), expect(200)),
        Row(lambda w: reverse("pupil_list") + "?q=Aasen&group=999999", expect(200), label="bad filter"),
        Row(
            lambda w: reverse("pupil_list"),
            expect(405, guardian_a=403, guardian_b=403, operator=403),
            method="post",
            label="post",
        ),
    ],
    "pupil_detail": [
        Row(
            lambda w: reverse("pupil_detail", args=[w.pupil_a.pk]),
            only(200, ("teacher", "faglaerer", "coordinator", "ppt", "vikar", "guardian_a")),
            label="pupil A",
        ),
        Row(
            lambda w: reverse("pupil_detail", args=[w.pupil_b.pk]),
            only(200, ("coordinator", "guardian_b")),
            label="pupil B",
        ),
        Row(
            lambda w: reverse("pupil_detail", args=[w.pupil_c.pk]),
            only(200, ("coordinator_other",)),
            label="pupil C (school 2)",
        ),
        Row(lambda w: reverse("pupil_detail", args=[MISSING_UUID]), expect(404), label="missing pupil"),
        Row(
            lambda w: reverse("pupil_detail", args=[w.pupil_a.pk]),
            expect(405, guardian_a=403, guardian_b=403, operator=403),
            method="post",
            label="post pupil A",
        ),
    ],
    "pupil_move": [
        Row(lambda w: reverse("pupil_move", args=[w.pupil_a.pk]), MOVE_GET, label="form"),
        Row(lambda w: reverse("pupil_move", args=[MISSING_UUID]), expect(404), label="missing pupil"),
        Row(
            lambda w: reverse("pupil_move", args=[w.pupil_a.pk]),
            {**MOVE_POST, "coordinator": 200},
            method="post",
            data=move_data(confirm=False),
            label="confirmation page",
        ),
        Row(
            lambda w: reverse("pupil_move", args=[w.pupil_a.pk]),
            {**MOVE_POST, "coordinator": 302},
            method="post",
            data=move_data(confirm=True),
            label="move pupil A to school 2",
            check=moved,
        ),
    ],
    "pupil_archive": [
        Row(
            lambda w: reverse("pupil_archive", args=[w.pupil_a.pk]),
            {**MANAGERS_OF_A_WRITE, **READ_ONLY},
            method="post",
            label="archive pupil A",
            check=archived_by(("coordinator",), "pupil_a"),
        ),
        Row(
            lambda w: reverse("pupil_archive", args=[w.pupil_c.pk]),
            only(302, ("coordinator_other",), **READ_ONLY),
            method="post",
            label="archive pupil C (school 2)",
            check=archived_by(("coordinator_other",), "pupil_c"),
        ),
        Row(
            lambda w: reverse("pupil_archive", args=[MISSING_UUID]),
            expect(404, **READ_ONLY),
            method="post",
            label="missing pupil",
        ),
        Row(lambda w: reverse("pupil_archive", args=[w.pupil_a.pk]), expect(405), label="GET"),
    ],
    "healthz": [Row(lambda w: reverse("healthz"), expect(200, anonymous=200, deactivated=200))],
    "favicon": [Row(lambda w: reverse("favicon"), expect(200, anonymous=200, deactivated=200))],
    "login": [
        Row(lambda w: reverse("login"), expect(302, anonymous=200, deactivated=200)),
        *forms("login", expect(302, anonymous=200, deactivated=200), "no credentials"),
    ],
    "logout": [
        Row(lambda w: reverse("logout"), expect(302, anonymous=302), method="post", writes=(), check=logged_out),
        Row(lambda w: reverse("logout"), expect(405, anonymous=405, deactivated=405), label="GET not allowed"),
    ],
    # Single sign-on: an issuer that is not configured is not found, for
    # everyone (tests/e2e/test_sso.py signs in through a real provider).
    "openid_connect_login": [
        Row(
            lambda w: reverse("openid_connect_login", args=["missing"]),
            expect(404, anonymous=404, deactivated=404),
            method="post",
            label="unknown issuer",
            writes=(),
        ),
        Row(
            lambda w: reverse("openid_connect_login", args=["missing"]),
            expect(405, anonymous=405, deactivated=405),
            label="GET not allowed",
        ),
    ],
    "openid_connect_callback": [
        Row(
            lambda w: reverse("openid_connect_callback", args=["missing"]),
            expect(404, anonymous=404, deactivated=404),
            label="unknown issuer",
        ),
    ],
    "password_change": [
        Row(lambda w: reverse("password_change"), expect(200)),
        *forms("password_change", expect(200), "empty form"),
    ],
    "password_change_done": [Row(lambda w: reverse("password_change_done"), expect(200))],
    "password_reset": [
        Row(lambda w: reverse("password_reset"), expect(200, anonymous=200, deactivated=200)),
        *forms("password_reset", expect(200, anonymous=200, deactivated=200), "empty form"),
    ],
    "password_reset_done": [Row(lambda w: reverse("password_reset_done"), expect(200, anonymous=200, deactivated=200))],
    "password_reset_confirm": [
        Row(
            lambda w: reverse("password_reset_confirm", args=["MQ", "bad-token"]),
            expect(200, anonymous=200, deactivated=200),
            label="invalid link",
        ),
        *forms(
            "password_reset_confirm", expect(200, anonymous=200, deactivated=200), "invalid link", "MQ", "bad-token"
        ),
    ],
    "password_reset_complete": [
        Row(lambda w: reverse("password_reset_complete"), expect(200, anonymous=200, deactivated=200))
    ],
}
