"""Roster import and sync (students.roster_import): CSV and SS 12000 samples
with new, changed, ended and invalid rows; the dry run changes nothing; the
second run changes nothing; what leaves the roster ends access at once."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from students import access, roster_import
from students.models import (
    Enrolment,
    Group,
    GuardianLink,
    Pupil,
    PupilIdentity,
    RosterImport,
    School,
    SchoolYear,
    Skoleeier,
    StaffMembership,
    TeachingAssignment,
    User,
)
from students.roster_import.rows import NOTE_CODES
from students.signals import roster_imported

DATA = Path(__file__).parent / "roster"
MODELS: tuple[type[Model], ...] = (
    Skoleeier,
    School,
    SchoolYear,
    Group,
    Pupil,
    PupilIdentity,
    Enrolment,
    User,
    StaffMembership,
    TeachingAssignment,
)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel("2026-10-05T10:00:00+02:00", tick=False):
        yield


def files(kind: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((DATA / kind).iterdir())}


def snapshot() -> dict[str, Any]:
    """Every row of the roster tables, as they are."""
    out: dict[str, Any] = {m.__name__: sorted(map(str, m._default_manager.values_list())) for m in MODELS}
    out["GuardianLink"] = sorted(map(str, GuardianLink.all_objects.values_list()))
    return out


def csv_v2() -> dict[str, str]:
    """The second week's CSV: a school renamed, a pupil renamed, a new pupil,
    a pupil gone (enrolment ends), a guardianship gone, a teacher's group gone,
    the coordinator gone; and invalid rows."""
    v = files("csv")
    v["schools.csv"] = v["schools.csv"].replace("Sørby skole", "Sørby ungdomsskole")
    v["pupils.csv"] = (
        v["pupils.csv"]
        .replace(";Berg;", ";Berg-Hansen;")
        .replace("P3;S2;Cecilie;Carlsen;2013-01-02;02011350073;G8A\n", "")
        + "P4;S1;Dina;Dahl;2016-07-08;08071650090;G5A\n"
        + "P5;S1;Emil;Eng;31.02.2016;;G5A\n"
        + "P6;S1;Frida;Fjell;2016-01-01;;GX\n"
    )
    v["guardians.csv"] = (
        v["guardians.csv"].replace("F1,aud@foresatt.example,Aud Aasen,P1,mother,ja\n", "")
        + "F4,dag@foresatt.example,Dag Dahl,P4,father,ja\n"
        + "F5,not-an-email,Feil Foresatt,P4,mother,ja\n"
        + "F6,ukjent@foresatt.example,Ukjent Forelder,P9,mother,ja\n"
    )
    v["staff.csv"] = (
        v["staff.csv"]
        .replace("G5A G6A", "G5A")
        .replace("T3,kari@skole.example,Kari Koordinator,S1,koordinator,,\n", "")
        + "T4,vakt@skole.example,Vidar Vakt,S1,vaktmester,,\n"
    )
    return v


def ops(result: roster_import.Result) -> set[tuple[str, str, str]]:
    return {(c["op"], c["kind"], c["ref"]) for c in result.changes}


def run(fmt: str, source: dict[str, str], *, apply: bool) -> roster_import.Result:
    return roster_import.run(roster_import.read(fmt, source), apply=apply)


@pytest.mark.django_db
def test_the_csv_dry_run_changes_nothing_and_says_what_applying_does() -> None:
    before = snapshot()
    result = run("csv", files("csv"), apply=False)
    assert snapshot() == before
    summary = result.summary
    assert summary["pupil"]["created"] == 3
    assert summary["person"]["created"] == 6
    assert summary["enrolment"]["created"] == 3
    assert summary["guardianship"]["created"] == 3
    assert summary["membership"]["created"] == 3
    assert summary["assignment"]["created"] == 3
    assert summary["school_year"]["created"] == 2
    assert result.rejected == []
    applied = run("csv", files("csv"), apply=True)
    assert applied.changes == result.changes


@pytest.mark.django_db
def test_the_csv_import_creates_the_roster_and_a_second_run_changes_nothing() -> None:
    run("csv", files("csv"), apply=True)
    anna = Pupil.objects.get(external_id="P1")
    assert (anna.first_name, anna.school.name, anna.identity.national_id) == ("Anna", "Nordby skole", "04031650084")
    assert list(anna.enrolments.values_list("group__name", flat=True)) == ["5A"]
    aud = User.objects.get(external_id="F1")
    assert aud.email == "aud@foresatt.example" and not aud.has_usable_password()
    assert list(access.pupils_for(aud)) == [anna]
    tone = User.objects.get(external_id="T1")
    assert list(access.pupils_for(tone)) == [anna]
    frode = User.objects.get(external_id="T2")
    assert {p.external_id for p in access.pupils_for(frode)} == {"P1", "P2"}
    assert access.profile(User.objects.get(external_id="T3")).is_coordinator

    before = snapshot()
    again = run("csv", files("csv"), apply=True)
    assert again.changes == [] and again.rejected == []
    assert snapshot() == before


@pytest.mark.django_db
def test_the_next_csv_changes_ends_and_rejects_row_by_row() -> None:
    run("csv", files("csv"), apply=True)
    before = snapshot()
    dry = run("csv", csv_v2(), apply=False)
    assert snapshot() == before
    assert {
        ("changed", "school", "S2"),
        ("changed", "pupil", "P2"),
        ("created", "pupil", "P4"),
        ("ended", "enrolment", "P3"),
        ("created", "enrolment", "P4"),
        ("ended", "guardianship", "F1"),
        ("created", "guardianship", "F4"),
        ("ended", "assignment", "T2"),
        ("ended", "membership", "T3"),
    } <= ops(dry)
    assert not {c for c in ops(dry) if c[2] in ("P1", "T1")}, "unchanged records are not touched"
    assert not {c for c in ops(dry) if c[2] == "P6"}, "a rejected row is left out entirely"
    rejected = {(r.file, r.line, r.ref, r.code) for r in dry.rejected}
    assert rejected == {
        ("pupils.csv", 4, "P5", "bad_date"),
        ("pupils.csv", 5, "P6", "unknown_group"),
        ("guardians.csv", 4, "F5", "bad_email"),
        ("guardians.csv", 5, "F6", "unknown_pupil"),
        ("staff.csv", 3, "T4", "bad_choice"),
    }
    assert not {c for c in ops(dry) if c[2] == "F6"}, "a guardian of no known pupil gets no account"
    bad_date = next(r for r in dry.rejected if r.code == "bad_date")
    with translation.override("nb"):
        norwegian = bad_date.reason
    with translation.override("en"):
        english = bad_date.reason
    assert "31.02.2016" in norwegian and norwegian != english, "the reason is in the user's language"

    result = run("csv", csv_v2(), apply=True)
    assert result.changes == dry.changes
    # Ended, not deleted.
    cecilie = Pupil.objects.get(external_id="P3")
    enrolment = cecilie.enrolments.get()
    assert enrolment.end is not None and enrolment.end.isoformat() == "2026-10-04"
    link = GuardianLink.all_objects.get(user__external_id="F1")
    assert link.ended_at is not None and not GuardianLink.objects.filter(pk=link.pk).exists()
    kari = User.objects.get(external_id="T3")
    assert not StaffMembership.objects.get(user=kari).active and not access.profile(kari).is_coordinator
    assert not TeachingAssignment.objects.filter(user__external_id="T2", group__external_id="G6A").exists()
    assert Pupil.objects.get(external_id="P2").last_name == "Berg-Hansen"
    assert School.objects.get(external_id="S2").name == "Sørby ungdomsskole"

    before = snapshot()
    again = run("csv", csv_v2(), apply=True)
    assert again.changes == []
    assert snapshot() == before
    # The first week's roster again: what ended comes back.
    back = run("csv", files("csv"), apply=True)
    assert {("changed", "guardianship", "F1"), ("changed", "enrolment", "P3"), ("changed", "membership", "T3")} <= ops(
        back
    )
    assert list(access.pupils_for(User.objects.get(external_id="F1"))) == [Pupil.objects.get(external_id="P1")]


@pytest.mark.django_db
def test_a_removed_guardianship_ends_the_guardians_access_in_the_next_request() -> None:
    run("csv", files("csv"), apply=True)
    anna = Pupil.objects.get(external_id="P1")
    client = Client()
    client.force_login(User.objects.get(external_id="F1"), backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("pupil_detail", args=[anna.pk])
    assert client.get(url).status_code == 200
    run("csv", csv_v2(), apply=True)
    assert client.get(url).status_code == 404
    assert client.get(reverse("pupil_list")).status_code == 200


@pytest.mark.django_db
def test_the_import_adopts_records_typed_in_by_hand() -> None:
    owner = Skoleeier.objects.create(name="Nordby kommune", kind="kommune")
    school = School.objects.create(skoleeier=owner, name="Nordby skole", kind="barneskole")
    aud = User.objects.create_user("aud@foresatt.example", full_name="Aud")
    run("csv", files("csv"), apply=True)
    school.refresh_from_db()
    aud.refresh_from_db()
    assert (school.external_id, aud.external_id) == ("S1", "F1")
    assert Skoleeier.objects.count() == 1


@pytest.mark.django_db
def test_an_import_announces_its_school_years_once_after_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        seen.append(kwargs)

    roster_imported.connect(receiver, dispatch_uid="test-roster-imported")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run("csv", files("csv"), apply=True)
        with django_capture_on_commit_callbacks(execute=True):
            run("csv", files("csv"), apply=False)
            run("csv", files("csv"), apply=True)  # nothing changes: nothing to announce
    finally:
        roster_imported.disconnect(dispatch_uid="test-roster-imported")
    assert len(seen) == 1
    years = set(SchoolYear.objects.values_list("pk", flat=True))
    assert seen[0]["school_year_ids"] == years
    assert seen[0]["school_ids"] == {School.objects.get(external_id="S1").pk}


# --- SS 12000 --------------------------------------------------------------------------

P = "5a1e0000-0000-4000-8000-0000000000"


def ss_v2() -> dict[str, str]:
    """Next week: Bo's second guardian is gone, Alva renamed, a new pupil, a
    person without a birth date; the rektor's duty ended."""
    v = {name: json.loads(text) for name, text in files("ss12000").items()}
    persons = v["persons.json"]["data"]
    alva, bo = persons[0], persons[1]
    alva["familyName"] = "Andersson Ek"
    bo["responsibles"] = bo["responsibles"][1:]
    bo["responsibles"][0]["relationType"] = "Vårdnadshavare"
    enrolment = dict(alva["enrolments"][0])
    guardian = {"person": {"id": f"{P}11"}, "relationType": "Vårdnadshavare"}
    persons.append(
        {
            "id": f"{P}03",
            "givenName": "Cim",
            "familyName": "Carlsson",
            "civicNo": {"value": "201607081234"},
            "enrolments": [enrolment],
            "responsibles": [guardian],
        }
    )
    persons.append({"id": f"{P}04", "givenName": "Dan", "familyName": "Dahl", "enrolments": [enrolment]})
    members = v["groups.json"]["data"][0]["groupMemberships"]
    members += [{"person": {"id": f"{P}03"}, "startDate": "2026-08-17"}]
    v["duties.json"]["data"][1]["endDate"] = "2026-09-30"
    return {name: json.dumps(data) for name, data in v.items()}


@pytest.mark.django_db
def test_the_ss12000_import_dry_run_apply_rerun_and_next_week() -> None:
    before = snapshot()
    dry = run("ss12000", files("ss12000"), apply=False)
    assert snapshot() == before
    assert {(r.ref, r.code) for r in dry.rejected} == {(f"{P}23", "role_not_used")}
    run("ss12000", files("ss12000"), apply=True)
    school = School.objects.get(external_id="8e0e1c0a-0000-4000-8000-000000000002")
    assert (school.kind, school.language, school.skoleeier.country, school.skoleeier.kind) == (
        "grundskola",
        "sv",
        "SE",
        "kommune",
    )
    group = Group.objects.get(external_id="6a0c0000-0000-4000-8000-000000000001")
    assert (group.name, group.year_level, group.school_year.name) == ("5A", 5, "2026/27")
    assert not Group.objects.filter(name="Mentorsgrupp").exists()
    alva = Pupil.objects.get(external_id=f"{P}01")
    assert alva.birth_date.isoformat() == "2016-03-04" and alva.identity.national_id == "201603041235"
    lena = User.objects.get(external_id=f"{P}21")
    assert set(access.pupils_for(lena).values_list("external_id", flat=True)) == {f"{P}01", f"{P}02"}
    bertil, berit = User.objects.get(external_id=f"{P}12"), User.objects.get(external_id=f"{P}13")
    assert list(access.pupils_for(bertil).values_list("external_id", flat=True)) == [f"{P}02"]
    assert list(access.pupils_for(berit)) == [], "Annan ansvarig: no parental responsibility"
    rune = User.objects.get(external_id=f"{P}22")
    assert access.profile(rune).is_coordinator

    assert run("ss12000", files("ss12000"), apply=True).changes == []

    result = run("ss12000", ss_v2(), apply=True)
    assert {
        ("changed", "pupil", f"{P}01"),
        ("created", "pupil", f"{P}03"),
        ("created", "enrolment", f"{P}03"),
        ("ended", "guardianship", f"{P}12"),
        ("changed", "guardianship", f"{P}13"),
        ("created", "guardianship", f"{P}11"),
        ("ended", "membership", f"{P}22"),
    } <= ops(result)
    assert (f"{P}04", "missing") in {(r.ref, r.code) for r in result.rejected}
    assert list(access.pupils_for(User.objects.get(external_id=f"{P}12"))) == []
    assert list(access.pupils_for(berit).values_list("external_id", flat=True)) == [f"{P}02"]
    assert not access.profile(User.objects.get(external_id=f"{P}22")).is_coordinator
    assert run("ss12000", ss_v2(), apply=True).changes == []


@pytest.mark.django_db
def test_the_command_dry_runs_and_applies_and_keeps_the_history() -> None:
    out = io.StringIO()
    call_command("import_roster", "--format", "csv", "--dry-run", str(DATA / "csv"), stdout=out)
    assert "Dry run" in out.getvalue() and not Pupil.objects.exists() and not RosterImport.objects.exists()
    out = io.StringIO()
    call_command("import_roster", "--format", "ss12000", str(DATA / "ss12000"), stdout=out)
    assert Pupil.objects.count() == 2
    record = RosterImport.objects.get()
    assert record.status == RosterImport.Status.APPLIED and record.summary["pupil"]["created"] == 2
    out = io.StringIO()
    call_command("import_roster", "--format", "ss12000", str(DATA / "ss12000"), stdout=out)
    assert "No changes." in out.getvalue()


@pytest.mark.django_db
def test_imported_staff_and_guardians_can_be_matched_at_sign_on() -> None:
    """Optional columns: staff.csv ``sso_issuer``/``sso_subject`` give an
    ExternalIdentity; guardians.csv ``national_id`` is kept only as its hash on
    the guardianship."""
    from students.models import ExternalIdentity
    from students.sso import national_id_hash

    source = files("csv")
    source["guardians.csv"] = (
        source["guardians.csv"]
        .replace(
            "guardian_id,email,full_name,pupil_id,relation,parental_responsibility",
            "guardian_id,email,full_name,pupil_id,relation,parental_responsibility,national_id",
        )
        .replace("Aud Aasen,P1,mother,ja", "Aud Aasen,P1,mother,ja,010180 12345")
    )
    source["staff.csv"] = (
        source["staff.csv"]
        .replace(
            "staff_id,email,full_name,school_id,role,groups,subject",
            "staff_id,email,full_name,school_id,role,groups,subject,sso_issuer,sso_subject",
        )
        .replace("Tone Lærer,S1,kontaktlaerer,G5A,", "Tone Lærer,S1,kontaktlaerer,G5A,,feide,tone@skole.no")
    )
    roster_import.run(roster_import.read("csv", source), apply=True)
    link = GuardianLink.objects.get(user__external_id="F1")
    assert link.national_id_hash == national_id_hash("01018012345")
    assert "01018012345" not in str(GuardianLink.objects.values_list())
    identity = ExternalIdentity.objects.get(issuer="feide", subject="tone@skole.no")
    assert identity.user.external_id == "T1"
    again = roster_import.run(roster_import.read("csv", source), apply=True)
    assert not again.changes, again.changes


@pytest.mark.django_db
def test_ss12000_civic_numbers_and_principal_names_let_people_sign_on(settings: Any) -> None:
    """A guardian's civicNo becomes the hash on the guardian links; a staff
    member's eduPersonPrincipalNames an identity at the configured staff
    issuer whose claim is the eduPersonPrincipalName."""
    from iop.sso_config import parse_issuers
    from students.models import ExternalIdentity
    from students.sso import national_id_hash

    settings.OIDC_PROVIDERS = parse_issuers(
        json.dumps(
            [
                {"id": "skolfederation", "name": "Skolfederation", "server_url": "https://idp.example",
                 "client_id": "iop", "secret": "s", "claim": "eduPersonPrincipalName"},
            ]
        )
    )  # fmt: skip
    source = files("ss12000")
    persons = json.loads(source["persons.json"])
    rows = persons["data"] if isinstance(persons, dict) else persons
    teacher = next(p for p in rows if p["id"] == f"{P}21")
    teacher["eduPersonPrincipalNames"] = [{"value": "larare@kommun.se"}]
    source["persons.json"] = json.dumps(persons)
    run("ss12000", source, apply=True)
    identity = ExternalIdentity.objects.get(issuer="skolfederation", subject="larare@kommun.se")
    assert identity.user.external_id == f"{P}21"
    links = GuardianLink.objects.filter(user__external_id=f"{P}11")
    assert links and {link.national_id_hash for link in links} == {national_id_hash("198001011234")}
    assert not run("ss12000", source, apply=True).changes


@pytest.mark.django_db
def test_a_known_pupils_rejected_row_changes_nothing_of_the_pupil() -> None:
    run("csv", files("csv"), apply=True)
    source = files("csv")
    source["pupils.csv"] = source["pupils.csv"].replace("P1;S1;Anna;Aasen;2016-03-04;04031650084;G5A",
                                                        "P1;S1;Anne;Aasen;2016-03-04;04031650084;GX")  # fmt: skip
    result = run("csv", source, apply=True)
    assert {(r.ref, r.code) for r in result.rejected} == {("P1", "unknown_group")}
    assert not {c for c in ops(result) if c[2] == "P1"}
    assert Pupil.objects.get(external_id="P1").first_name == "Anna"
    assert Enrolment.objects.filter(pupil__external_id="P1", end=None).exists()


@pytest.mark.django_db
def test_the_import_page_numbers_rows_as_a_spreadsheet_and_names_fields_and_roles() -> None:
    """Rejected rows sorted by file and row, the header being row 1; changed
    fields by their verbose names, staff roles by their display labels."""
    run("csv", files("csv"), apply=True)
    dry = run("csv", csv_v2(), apply=False)
    operator = User.objects.create_user("drift@test.example", is_staff=True)
    record = RosterImport.objects.create(
        format="csv", filename="x", source={}, status=RosterImport.Status.PLANNED, created_by=operator,
        changes=dry.changes, summary=dry.summary, rejected=[r.as_dict() for r in reversed(dry.rejected)],
    )  # fmt: skip
    client = Client()
    client.force_login(operator)
    with translation.override("nb"):
        page = client.get(reverse("roster_import_detail", args=[record.pk]), headers={"Accept-Language": "nb"})
    html = page.content.decode()
    table = html[html.index('id="import-rejected"') :]
    rows = [(f, int(n)) for f, n in re.findall(r"<tr><td>([a-z]+\.csv)</td><td>(\d+)</td>", table)]
    assert rows == sorted(rows) and ("pupils.csv", 6) in rows, rows  # P6: the 5th data row, spreadsheet row 6
    changes = html[html.index('id="import-changes"') :]
    assert "ended_at" not in changes and "kontaktlaerer)" not in changes and "faglaerer)" not in changes
    assert "avsluttet" in changes.lower()
    with translation.override("sv"):
        shown = roster_import.rows.labelled_change(
            {"op": "changed", "kind": "guardianship", "ref": "F1", "label": "A → B", "fields": ["ended_at"]}
        )
        role = roster_import.rows.labelled_change(
            {"op": "created", "kind": "membership", "ref": "T1", "label": "T", "fields": [], "role": "kontaktlaerer"}
        )
        assert shown["fields"] == [str(GuardianLink._meta.get_field("ended_at").verbose_name)] != ["ended_at"]
        assert role["label"] == f"T ({StaffMembership.Role.KONTAKTLAERER.label})"


@pytest.mark.django_db
def test_a_national_id_that_does_not_add_up_or_that_two_pupils_share_is_not_kept() -> None:
    """Check digits (fødselsnummer / D-number: mod 11; personnummer: Luhn)
    catch a mistyped number, and a number given for two pupils is wrong for
    one of them: either is reported and dropped, and the pupils are
    imported without it. Spaces and hyphens are allowed and not kept."""
    source = files("csv")
    source["pupils.csv"] = (
        source["pupils.csv"]
        .replace(";04031650084;", ";040316 500-84;")  # the same valid number, spaced as on paper
        .replace(";06051550011;", ";06051550012;")  # a digit mistyped
        + "P7;S1;Gro;Gran;2016-01-01;01011650097;G5A\n"
        + "P8;S1;Hege;Hov;2016-01-01;01011650097;G5A\n"  # the same number as P7
        + "P9;S1;Ida;Is;2016-01-01;;G5A\n"  # none given: nothing to say
    )
    result = run("csv", source, apply=True)
    assert {(r.ref, r.code) for r in result.rejected} == {
        ("P2", "bad_national_id"),
        ("P7", "national_id_twice"),
        ("P8", "national_id_twice"),
    }
    identities = dict(PupilIdentity.objects.values_list("pupil__external_id", "national_id"))
    assert identities["P1"] == "04031650084"
    assert not {"P2", "P7", "P8", "P9"} & set(identities)
    assert Pupil.objects.filter(external_id__in=["P2", "P7", "P8", "P9"]).count() == 4  # imported all the same
    with translation.override("nb"):
        twice = next(r for r in result.rejected if r.ref == "P7")
        assert "P8" in twice.reason and "01011650097" not in twice.reason  # the number itself is never shown
    ss = files("ss12000")
    ss["persons.json"] = ss["persons.json"].replace('"201603041235"', '"201603041234"')
    ss_result = run("ss12000", ss, apply=False)
    assert [r.code for r in ss_result.rejected if r.code.endswith("national_id")] == ["bad_national_id"]
    # On the import's page they are notes, apart from the rows left out: the pupils are imported.
    operator = User.objects.create_user("drift@test.example", is_staff=True)
    record = RosterImport.objects.create(
        format="csv", filename="x", source={}, status=RosterImport.Status.APPLIED, created_by=operator,
        changes=result.changes, summary=result.summary, rejected=[r.as_dict() for r in result.rejected],
    )  # fmt: skip
    client = Client()
    client.force_login(operator)
    html = client.get(reverse("roster_import_detail", args=[record.pk])).content.decode()
    assert 'id="import-notes"' in html and "Merknader" in html and 'id="import-rejected"' not in html
    # The corrected number next week is a change of the pupil, its number not shown.
    fixed = run("csv", files("csv"), apply=True)
    assert ("changed", "pupil", "P2") in ops(fixed)
    change = next(c for c in fixed.changes if c["ref"] == "P2")
    with translation.override("nb"):
        assert roster_import.rows.labelled_change(change)["fields"] == ["fødselsnummer"]
    assert "06051550011" not in str(fixed.changes)
    assert PupilIdentity.objects.get(pupil__external_id="P2").national_id == "06051550011"
    assert ops(run("csv", files("csv"), apply=False)) == set()  # and then nothing more
    # CSV sent as SS 12000: the file is not JSON, said in plain words.
    wrong = run("ss12000", {"pupils.csv": files("csv")["pupils.csv"]}, apply=False)
    with translation.override("nb"):
        assert [r.reason for r in wrong.rejected] == [
            "Filen pupils.csv er ikke JSON, slik SS 12000-filer er. Valgte du riktig format?"
        ]


@pytest.mark.django_db
def test_a_staff_row_at_no_known_school_makes_no_account() -> None:
    """A person whose every row is rejected (here: the only school named is
    neither in the files nor imported before) gets no account: the row is
    reported, and nothing of it is created."""
    source = files("csv")
    source["staff.csv"] += "T9,ukjent@skole.example,Uta Ukjent,S7,koordinator,,\n"
    dry = run("csv", source, apply=False)
    assert ("staff.csv", "T9", "unknown_school") in {(r.file, r.ref, r.code) for r in dry.rejected}
    assert not {c for c in ops(dry) if c[2] == "T9"}, ops(dry)
    run("csv", source, apply=True)
    assert not User.objects.filter(email="ukjent@skole.example").exists()


@pytest.mark.django_db
def test_a_file_without_the_formats_columns_is_refused_once_and_ends_nothing() -> None:
    """A pupils.csv with other columns is one message naming the columns it
    lacks, not one per row; and since none of its rows is read, the pupils
    imported before are not taken for gone."""
    run("csv", files("csv"), apply=True)
    source = files("csv")
    source["pupils.csv"] = "navn,alder,farge\nAnna,10,blå\nBjørn,11,grønn\n"
    dry = run("csv", source, apply=False)
    assert [(r.file, r.line, r.code) for r in dry.rejected] == [
        ("pupils.csv", 0, "unknown_columns"),  # what it has instead, named too (a misspelt "birthdate")
        ("pupils.csv", 0, "missing_columns"),
    ]
    with translation.override("nb"):
        assert "navn, alder, farge" in dry.rejected[0].reason
        assert "pupil_id, school_id, first_name, last_name, birth_date" in dry.rejected[1].reason
    assert not {c for c in ops(dry) if c[1] in ("pupil", "enrolment")}, ops(dry)


@pytest.mark.django_db
def test_a_column_the_format_does_not_read_is_noted_not_silently_dropped() -> None:
    """A pupils.csv with "group_id" beside "groups" imports its pupils; the dry run says the column is not read."""
    source = files("csv")
    header, *rows = source["pupils.csv"].splitlines()
    sep = ";" if header.count(";") > header.count(",") else ","
    source["pupils.csv"] = "\n".join([f"{header}{sep}group_id", *(f"{row}{sep}G-XX" for row in rows)]) + "\n"
    dry = run("csv", source, apply=False)
    [note] = [r for r in dry.rejected if r.code == "unknown_columns"]
    assert (note.file, note.line, note.code in NOTE_CODES) == ("pupils.csv", 0, True)
    with translation.override("nb"):
        assert note.reason == "Filen pupils.csv har kolonner som ikke blir lest: group_id."
    assert not [r for r in dry.rejected if r.code == "unknown_columns" and r.file != "pupils.csv"]


@pytest.mark.django_db
def test_a_row_rejected_for_a_typo_ends_nothing_of_its_pupil_or_person() -> None:
    """A bad date in P2's row, a bad role in T1's and a bad relation in F1's: those rows are left out,
    and P2 keeps the enrolment, T1 the role and the group, F1 the child, as before."""
    run("csv", files("csv"), apply=True)
    source = files("csv")
    source["pupils.csv"] = source["pupils.csv"].replace("P2;S1;Bjørn;Berg;2015-05-06", "P2;S1;Bjørn;Berg;06.05.2015")
    source["staff.csv"] = source["staff.csv"].replace(
        "T1,tone@skole.example,Tone Lærer,S1,kontaktlaerer", "T1,tone@skole.example,Tone Lærer,S1,lærer"
    )
    source["guardians.csv"] = source["guardians.csv"].replace(
        "F1,aud@foresatt.example,Aud Aasen,P1,mother", "F1,aud@foresatt.example,Aud Aasen,P1,mamma"
    )
    dry = run("csv", source, apply=False)
    assert {(r.ref, r.code) for r in dry.rejected} >= {("P2", "bad_date"), ("T1", "bad_choice"), ("F1", "bad_choice")}
    assert not [c for c in dry.changes if c["op"] == "ended"], [c for c in dry.changes if c["op"] == "ended"]
    before = snapshot()
    run("csv", source, apply=True)
    assert snapshot() == before


@pytest.mark.django_db
@time_machine.travel("2026-10-05T10:00:00+02:00", tick=False)
def test_a_pupil_born_in_the_future_is_rejected() -> None:
    source = files("csv")
    source["pupils.csv"] = source["pupils.csv"].replace("P2;S1;Bjørn;Berg;2015-05-06", "P2;S1;Bjørn;Berg;2030-01-01")
    dry = run("csv", source, apply=False)
    [rejected] = [r for r in dry.rejected if r.ref == "P2"]
    with translation.override("nb"):
        assert rejected.reason == "2030-01-01 i kolonnen birth_date ligger fram i tid."
    assert ("created", "pupil", "P2") not in ops(dry)


@pytest.mark.django_db
def test_a_row_naming_a_school_whose_own_row_is_rejected_says_so() -> None:
    """Not "neither in the file nor imported before": the school is in the file, its row is rejected."""
    source = files("csv")
    header, *rows = source["schools.csv"].splitlines()
    sep = ";" if header.count(";") > header.count(",") else ","
    first = rows[0].split(sep)
    first[header.split(sep).index("school_kind")] = "grunnskole"  # not one of the kinds
    source["schools.csv"] = "\n".join([header, sep.join(first), *rows[1:]]) + "\n"
    dry = run("csv", source, apply=False)
    school = first[header.split(sep).index("school_id")]
    left_out = [r for r in dry.rejected if r.code == "school_left_out"]
    assert left_out and all(r.params["ref"] == school for r in left_out)
    assert not [r for r in dry.rejected if r.code == "unknown_school" and r.params.get("ref") == school]
    with translation.override("nb"):
        assert left_out[0].reason == f"Skolen {school} er utelatt: dens egen rad er avvist (se den raden)."
