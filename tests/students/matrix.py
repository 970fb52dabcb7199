import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from students.models import Pupil, RosterImport, SchoolYear
from tests.conftest import World
from tests.matrix import MISSING_INT, MISSING_UUID, READ_ONLY_WRITE, Row, expect, only


def logged_out(w: World, persona: str, response: Any) -> None:
    assert not response.wsgi_request.user.is_authenticated, "still logged in"


def archived_by(writers: tuple[str, ...], pupil: str) -> Any:
    def check(w: World, persona: str, response: Any) -> None:
        archived = Pupil.objects.get(pk=getattr(w, pupil).pk).archived_at
        assert (archived is not None) == (persona in writers), f"archived: {archived}"

    return check


MANAGERS_OF_A_WRITE = only(302, ("coordinator",), teacher=403, faglaerer=403, ppt=403, vikar=403)
READ_ONLY = READ_ONLY_WRITE  # writes to a pupil's address


def forms(name: str, table: dict[str, int], label: str, *args: str) -> list[Row]:
    """POST and PUT (a form view takes both) of an empty form: nothing saved."""
    return [
        Row(lambda w: reverse(name, args=list(args)), table, method=method, label=f"{label} ({method})", writes=())
        for method in ("post", "put")
    ]


# Moving pupil A (school 1): its coordinator only; the school's other staff and
# guardian A see the pupil (403); the operator moves pupils in the admin.
MOVE_GET = only(200, ("coordinator",), teacher=403, faglaerer=403, ppt=403, vikar=403, guardian_a=403)
MOVE_POST = {**MOVE_GET, **READ_ONLY_WRITE}


def move_data(confirm: bool) -> Any:
    def data(w: World) -> dict[str, Any]:
        values = {"to_group": str(w.group_c.pk), "date": timezone.localdate().isoformat(), "note": "Flytter"}
        return {**values, "confirm": "1"} if confirm else values

    return data


def moved(w: World, persona: str, response: Any) -> None:
    school = Pupil.objects.get(pk=w.pupil_a.pk).school_id
    wanted = w.school2.pk if persona == "coordinator" else w.school1.pk
    assert school == wanted, f"pupil A at school {school}, expected {wanted}"


# The operators' pages: the operator only; the rest get 404 (guardians' writes
# are refused before any view runs: 403, and 404 at an import's or a year's address).
OPERATOR_GET = only(200, ("operator",))
OPERATOR_WRITE = only(302, ("operator",), guardian_a=403, guardian_b=403)
OPERATOR_WRITE_RECORD = only(302, ("operator",))


class RewindingFile(SimpleUploadedFile):
    """An upload sent once per persona: each request reads it whole."""

    def read(self, *args: Any) -> bytes:
        self.seek(0)
        return super().read(*args)


def upload(w: World) -> dict[str, Any]:
    text = b"school_id,school_name,owner_id,owner_name\nS9,Ny skole,K9,Ny kommune\n"
    return {"format": "csv", "roster_files": [RewindingFile("schools.csv", text, content_type="text/csv")]}


def uploaded(w: World, persona: str, response: Any) -> None:
    assert RosterImport.objects.exists() == (persona == "operator")


def planned_import(w: World) -> RosterImport:
    if "roster_import" not in w.extra:
        w.extra["roster_import"] = RosterImport.objects.create(
            format="csv", filename="schools.csv", source={"schools.csv": ""}, status=RosterImport.Status.PLANNED
        )
    return w.extra["roster_import"]


def claimed(w: World, persona: str, response: Any) -> None:
    status = RosterImport.objects.get(pk=planned_import(w).pk).status
    assert (status == RosterImport.Status.APPLYING) == (persona == "operator"), status


def discarded(w: World, persona: str, response: Any) -> None:
    record = RosterImport.objects.get(pk=planned_import(w).pk)
    assert (record.status == RosterImport.Status.DISCARDED) == (persona == "operator"), record.status
    assert (record.source == {}) == (persona == "operator")


def year_added(w: World, persona: str, response: Any) -> None:
    assert SchoolYear.objects.filter(name="2031/32").exists() == (persona == "operator")


def year_data(w: World) -> dict[str, Any]:
    year = w.group_a.school_year
    return {"school": str(year.school_id), "name": year.name, "start": year.start.isoformat(),
            "end": (year.end + datetime.timedelta(days=1)).isoformat()}  # fmt: skip


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
            expect(405, **READ_ONLY_WRITE),
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
            data=lambda w: {"confirm": "1"},
            label="archive pupil A",
            check=archived_by(("coordinator",), "pupil_a"),
        ),
        Row(
            lambda w: reverse("pupil_archive", args=[w.pupil_c.pk]),
            only(302, ("coordinator_other",), **READ_ONLY),
            method="post",
            data=lambda w: {"confirm": "1"},
            label="archive pupil C (school 2)",
            check=archived_by(("coordinator_other",), "pupil_c"),
        ),
        Row(
            lambda w: reverse("pupil_archive", args=[MISSING_UUID]),
            expect(404, **READ_ONLY),
            method="post",
            label="missing pupil",
        ),
        Row(
            lambda w: reverse("pupil_archive", args=[w.pupil_a.pk]),
            {**only(200, ("coordinator",), teacher=403, faglaerer=403, ppt=403, vikar=403), **READ_ONLY},
            method="post",
            label="archive pupil A: the confirmation page",
            writes=(),
            check=archived_by((), "pupil_a"),
        ),
        Row(
            lambda w: reverse("pupil_archive", args=[w.pupil_a.pk]),
            only(200, ("coordinator",), teacher=403, faglaerer=403, ppt=403, vikar=403, guardian_a=403),
            label="archive pupil A: the confirmation page (GET)",
        ),
        Row(
            lambda w: reverse("pupil_archive", args=[w.pupil_a.pk]),
            expect(405, **READ_ONLY),
            method="put",
            label="PUT",
        ),
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
    "roster_imports": [
        Row(lambda w: reverse("roster_imports"), OPERATOR_GET, label="history and upload form"),
        Row(
            lambda w: reverse("roster_imports"),
            {**OPERATOR_WRITE, "operator": 400},
            method="post",
            data=lambda w: {"format": "csv"},
            label="no files",
            writes=(),
        ),
        Row(
            lambda w: reverse("roster_imports"),
            OPERATOR_WRITE,
            method="post",
            data=upload,
            label="upload a CSV",
            check=uploaded,
        ),
    ],
    "roster_import_detail": [
        Row(lambda w: reverse("roster_import_detail", args=[planned_import(w).pk]), OPERATOR_GET, label="dry run"),
        Row(lambda w: reverse("roster_import_detail", args=[MISSING_UUID]), expect(404), label="missing import"),
    ],
    "roster_import_apply": [
        Row(
            lambda w: reverse("roster_import_apply", args=[planned_import(w).pk]),
            OPERATOR_WRITE_RECORD,
            method="post",
            label="apply",
            check=claimed,
        ),
        Row(
            lambda w: reverse("roster_import_apply", args=[MISSING_UUID]),
            {**OPERATOR_WRITE_RECORD, "operator": 404},
            method="post",
            label="missing import",
            writes=(),
        ),
        Row(lambda w: reverse("roster_import_apply", args=[planned_import(w).pk]), expect(405), label="GET"),
    ],
    "roster_import_discard": [
        Row(
            lambda w: reverse("roster_import_discard", args=[planned_import(w).pk]),
            OPERATOR_WRITE_RECORD,
            method="post",
            label="discard",
            check=discarded,
        ),
        Row(
            lambda w: reverse("roster_import_discard", args=[MISSING_UUID]),
            {**OPERATOR_WRITE_RECORD, "operator": 404},
            method="post",
            label="missing import",
            writes=(),
        ),
        Row(lambda w: reverse("roster_import_discard", args=[planned_import(w).pk]), expect(405), label="GET"),
    ],
    "school_years": [
        Row(lambda w: reverse("school_years"), OPERATOR_GET),
        Row(
            lambda w: reverse("school_years"),
            {**OPERATOR_WRITE, "operator": 400},
            method="post",
            data=lambda w: {"school": str(w.school1.pk), "name": "2031/32", "start": "2031-08-18", "end": "2031-08-01"},
            label="ends before it starts",
            writes=(),
        ),
        Row(
            lambda w: reverse("school_years"),
            OPERATOR_WRITE,
            method="post",
            data=lambda w: {"school": str(w.school1.pk), "name": "2031/32", "start": "2031-08-18", "end": "2032-06-20"},
            label="add a school year",
            check=year_added,
        ),
    ],
    "school_year_edit": [
        Row(lambda w: reverse("school_year_edit", args=[w.group_a.school_year_id]), OPERATOR_GET),
        Row(lambda w: reverse("school_year_edit", args=[MISSING_INT]), expect(404), label="missing year"),
        Row(
            lambda w: reverse("school_year_edit", args=[w.group_a.school_year_id]),
            OPERATOR_WRITE_RECORD,
            method="post",
            data=year_data,
            label="change the dates",
        ),
    ],
}
