"""The roster as CSV files (documented in docs/roster-import.md).

Five files, each optional, named by what they hold: ``schools.csv``,
``groups.csv``, ``pupils.csv``, ``guardians.csv``, ``staff.csv``. UTF-8
(a byte-order mark is allowed), comma or semicolon separated, a header row
with the column names below; other columns are not read (a note names them). Each file is
parsed row by row: a bad row is rejected with its reason, the others count.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

from django.utils import timezone

from students.models import Group, GuardianLink, School, Skoleeier, StaffMembership
from students.sso import national_id_hash

from .rows import GroupRow, OwnerRow, PersonRow, PupilRow, Roster, SchoolRow, check_national_ids

FILES = ("schools.csv", "groups.csv", "pupils.csv", "guardians.csv", "staff.csv")
COLUMNS = {
    "schools.csv": ["school_id", "school_name", "school_kind", "language", "owner_id", "owner_name", "owner_kind",
                    "country", "owner_org_number"],
    "groups.csv": ["group_id", "school_id", "group_name", "group_kind", "year_level", "school_year", "year_start",
                   "year_end"],
    "pupils.csv": ["pupil_id", "school_id", "first_name", "last_name", "birth_date", "national_id", "groups"],
    "guardians.csv": ["guardian_id", "email", "full_name", "pupil_id", "relation", "parental_responsibility",
                      "national_id"],
    "staff.csv": ["staff_id", "email", "full_name", "school_id", "role", "groups", "subject", "sso_issuer",
                  "sso_subject"],
}  # fmt: skip
REQUIRED = {
    "schools.csv": ["school_id", "school_name", "owner_id"],
    "groups.csv": ["group_id", "school_id", "group_name", "year_level", "school_year"],
    "pupils.csv": ["pupil_id", "school_id", "first_name", "last_name", "birth_date"],
    "guardians.csv": ["guardian_id", "email", "pupil_id"],
    "staff.csv": ["staff_id", "email", "school_id", "role"],
}
#: The columns that take one of a few values: column → the values, the default first where there is one.
CHOICES: dict[str, list[str]] = {
    "school_kind": School.Kind.values,
    "language": School.Language.values,
    "owner_kind": Skoleeier.Kind.values,
    "country": Skoleeier.Country.values,
    "group_kind": Group.Kind.values,
    "relation": GuardianLink.Relation.values,
    "role": StaffMembership.Role.values,
}
YES = {"1", "ja", "yes", "true", "j", "y", "x"}
NO = {"0", "nei", "nej", "no", "false", "n", ""}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SPLIT = re.compile(r"[\s|,]+")


def parse(files: dict[str, str]) -> Roster:
    """FILES (file name → text) → :class:`Roster`. Never raises for bad
    content: unknown files and bad rows are in ``Roster.rejected``."""
    roster = Roster()
    known = {name.rsplit("/", 1)[-1].lower(): text for name, text in files.items()}
    for name in sorted(set(known) - set(FILES)):
        roster.reject(name, 0, "", "unknown_file", name=name, choices=", ".join(FILES))
    for name in FILES:
        if name in known:
            rows = _rows(known[name])
            absent = [c for c in REQUIRED[name] if rows and c not in rows[0]]
            unread = [c for c in rows[0] if c and c not in COLUMNS[name]] if rows else []
            if unread:  # a misspelt or foreign column: its values would be left out unnoticed
                roster.reject(name, 0, "", "unknown_columns", name=name, columns=", ".join(unread))
            if absent:  # the file's header lacks columns: said once, not on every row
                roster.reject(name, 0, "", "missing_columns", name=name, columns=", ".join(absent))
                continue
            roster.kinds.add(name.removesuffix(".csv"))
            _PARSERS[name](roster, name, rows)
    check_national_ids(roster)
    return roster


def _rows(text: str) -> list[dict[str, str]]:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]


def _missing(roster: Roster, file: str, line: int, row: dict[str, str], ref: str) -> bool:
    for column in REQUIRED[file]:
        if not row.get(column):
            roster.reject(file, line, ref, "missing", column=column)
            return True
    return False


def _date(roster: Roster, file: str, line: int, ref: str, row: dict[str, str], column: str) -> datetime.date | None:
    """The column's date; None when empty. Raises ValueError (rejected) when bad."""
    value = row.get(column, "")
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        roster.reject(file, line, ref, "bad_date", column=column, value=value)
        raise


def _choice(roster: Roster, file: str, line: int, ref: str, value: str, column: str, choices: list[str]) -> bool:
    if value in choices:
        return True
    roster.reject(file, line, ref, "bad_choice", column=column, value=value, choices=", ".join(choices))
    return False


def _schools(roster: Roster, file: str, rows: list[dict[str, str]]) -> None:
    for line, row in enumerate(rows, 1):
        ref = row.get("school_id", "")
        if _missing(roster, file, line, row, ref):
            continue
        kind = row.get("school_kind") or School.Kind.BARNE_UNGDOM
        language = row.get("language") or School.Language.NB
        owner_kind = row.get("owner_kind") or Skoleeier.Kind.KOMMUNE
        country = (row.get("country") or "NO").upper()
        if not (
            _choice(roster, file, line, ref, kind, "school_kind", CHOICES["school_kind"])
            and _choice(roster, file, line, ref, language, "language", CHOICES["language"])
            and _choice(roster, file, line, ref, owner_kind, "owner_kind", CHOICES["owner_kind"])
            and _choice(roster, file, line, ref, country, "country", CHOICES["country"])
        ):
            continue
        if ref in roster.schools:
            roster.reject(file, line, ref, "duplicate", ref=ref)
            continue
        owner = row["owner_id"]
        if owner not in roster.owners and row.get("owner_name"):
            roster.owners[owner] = OwnerRow(
                owner, row["owner_name"], owner_kind, country, row.get("owner_org_number", "")
            )
        roster.schools[ref] = SchoolRow(ref, owner, row["school_name"], kind, language, (file, line))


def _groups(roster: Roster, file: str, rows: list[dict[str, str]]) -> None:
    for line, row in enumerate(rows, 1):
        ref = row.get("group_id", "")
        if _missing(roster, file, line, row, ref):
            continue
        kind = row.get("group_kind") or Group.Kind.CLASS
        if not _choice(roster, file, line, ref, kind, "group_kind", CHOICES["group_kind"]):
            continue
        try:
            level = int(row["year_level"])
        except ValueError:
            level = 0
        if not 1 <= level <= 13:
            roster.reject(file, line, ref, "bad_year_level", value=row["year_level"])
            continue
        try:
            start = _date(roster, file, line, ref, row, "year_start")
            end = _date(roster, file, line, ref, row, "year_end")
        except ValueError:
            continue
        if start and end and start >= end:
            roster.reject(file, line, ref, "year_dates")
            continue
        if ref in roster.groups:
            roster.reject(file, line, ref, "duplicate", ref=ref)
            continue
        roster.groups[ref] = GroupRow(
            ref, row["school_id"], row["group_name"], kind, level, row["school_year"], start, end, (file, line)
        )


def _pupils(roster: Roster, file: str, rows: list[dict[str, str]]) -> None:
    for line, row in enumerate(rows, 1):
        ref = row.get("pupil_id", "")
        if _missing(roster, file, line, row, ref):
            continue
        try:
            birth = _date(roster, file, line, ref, row, "birth_date")
        except ValueError:
            continue
        if birth is not None and birth > timezone.localdate():
            roster.reject(file, line, ref, "future_date", column="birth_date", value=row["birth_date"])
            continue
        if ref in roster.pupils:
            roster.reject(file, line, ref, "duplicate", ref=ref)
            continue
        groups = [g for g in SPLIT.split(row.get("groups", "")) if g]
        roster.pupils[ref] = PupilRow(
            ref,
            row["school_id"],
            row["first_name"],
            row["last_name"],
            birth,  # type: ignore[arg-type]  # required above
            row.get("national_id", ""),
            groups,
            (file, line),
        )


def _person(roster: Roster, file: str, line: int, ref: str, row: dict[str, str]) -> PersonRow | None:
    email = row["email"].lower()
    if not EMAIL.match(email):
        roster.reject(file, line, ref, "bad_email", value=row["email"])
        return None
    person = roster.people.get(ref)
    if person is None:
        person = roster.people[ref] = PersonRow(ref, email, row.get("full_name", ""), where=(file, line))
    return person


def _guardians(roster: Roster, file: str, rows: list[dict[str, str]]) -> None:
    relations = CHOICES["relation"]
    for line, row in enumerate(rows, 1):
        ref = row.get("guardian_id", "")
        if _missing(roster, file, line, row, ref):
            continue
        relation = row.get("relation") or GuardianLink.Relation.OTHER
        responsibility = row.get("parental_responsibility", "ja").lower()
        if not _choice(roster, file, line, ref, relation, "relation", relations):
            continue
        if responsibility not in YES | NO:
            roster.reject(file, line, ref, "bad_choice", column="parental_responsibility", value=responsibility,
                          choices="ja, nei")  # fmt: skip
            continue
        person = _person(roster, file, line, ref, row)
        if person is not None:
            person.children[row["pupil_id"]] = (relation, responsibility in YES or responsibility == "")
            if row.get("national_id", "").strip():
                person.national_id_hash = national_id_hash(row["national_id"])


def _staff(roster: Roster, file: str, rows: list[dict[str, str]]) -> None:
    teaching = {StaffMembership.Role.KONTAKTLAERER, StaffMembership.Role.FAGLAERER}
    for line, row in enumerate(rows, 1):
        ref = row.get("staff_id", "")
        if _missing(roster, file, line, row, ref):
            continue
        role = row["role"]
        if not _choice(roster, file, line, ref, role, "role", CHOICES["role"]):
            continue
        groups = [g for g in SPLIT.split(row.get("groups", "")) if g] if role in teaching else []
        subject = row.get("subject", "") if role == StaffMembership.Role.FAGLAERER else ""
        if groups and role == StaffMembership.Role.FAGLAERER and not subject:
            roster.reject(file, line, ref, "subject_needed")
            continue
        person = _person(roster, file, line, ref, row)
        if person is None:
            continue
        person.roles.add((row["school_id"], role))
        if row.get("sso_issuer", "").strip() and row.get("sso_subject", "").strip():
            person.identities.add((row["sso_issuer"].strip(), row["sso_subject"].strip()))
        person.assignments |= {(g, role, subject) for g in groups}


_PARSERS = {
    "schools.csv": _schools,
    "groups.csv": _groups,
    "pupils.csv": _pupils,
    "guardians.csv": _guardians,
    "staff.csv": _staff,
}
