"""The roster as the import reads it, whatever the source format: plain rows
keyed by the source system's ids, and the rows rejected with their reason.

Reasons are kept as a code and its parameters (:data:`REASONS`) and worded
when shown, in the reader's language.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum.no import fodselsnummer
from stdnum.se import personnummer

# Reason code → message (parameters by name).
REASONS: dict[str, Any] = {
    "missing": _("The column %(column)s is empty."),
    "missing_columns": _(
        "The file %(name)s lacks the columns %(columns)s in its first row; none of its rows is read. "
        "The columns are listed on the import page."
    ),
    "unknown_columns": _("The file %(name)s has columns that are not read: %(columns)s."),
    "bad_date": _("%(value)s in the column %(column)s is not a date (YYYY-MM-DD)."),
    "future_date": _("%(value)s in the column %(column)s lies in the future."),
    "bad_choice": _("%(value)s in the column %(column)s is not one of: %(choices)s."),
    "bad_year_level": _("The year level must be a whole number from 1 to 13, not %(value)s."),
    "bad_email": _("%(value)s is not an e-mail address."),
    "unknown_owner": _("The school owner %(ref)s is neither in the file nor imported before."),
    "unknown_school": _("The school %(ref)s is neither in the file nor imported before."),
    "unknown_group": _("The group %(ref)s is neither in the file nor imported before."),
    "school_left_out": _("The school %(ref)s is left out: its own row is rejected (see that row)."),
    "group_left_out": _("The group %(ref)s is left out: its own row is rejected (see that row)."),
    "identity_taken": _("The sign-in identity %(ref)s already belongs to another user."),
    "unknown_pupil": _("The pupil %(ref)s is neither in the file nor imported before."),
    "unknown_person": _("The person %(ref)s is not in persons.json."),
    "no_school_year": _(
        "The school has no school year %(name)s: give its first and last day, or create it on the school years page."
    ),
    "year_dates": _("The school year must end after it starts."),
    "duplicate": _("The id %(ref)s occurs more than once; the first row counts."),
    "email_taken": _("The e-mail address %(value)s belongs to another person."),
    "group_other_school": _("The group %(ref)s belongs to another school than the pupil's."),
    "unknown_file": _("The file %(name)s is not part of the format; expected: %(choices)s."),
    "bad_file": _("The file could not be read: %(detail)s"),
    "not_json": _("The file %(name)s is not JSON, as SS 12000 files are. Did you choose the right format?"),
    "no_email": _("The person has no e-mail address to log in with."),
    "no_enrolment": _("The person has no current enrolment at an imported school unit."),
    "role_not_used": _("The duty role %(value)s gives no access here."),
    "group_no_level": _("No year level could be found for the group (none of its members has an enrolment)."),
    "subject_needed": _("A subject teacher's group needs a subject."),
    "bad_national_id": _(
        "The national identity number of the pupil %(ref)s is not a valid fødselsnummer, D-number or "
        "personnummer (its check digits do not add up). The pupil is imported without it."
    ),
    "national_id_twice": _(
        "The pupil %(ref)s has the same national identity number as %(other)s. One of them is wrong, so "
        "neither keeps it; the pupils are imported without it."
    ),
}


#: Reasons that leave out a value only: the row itself is imported (shown
#: apart from the rows left out, as notes).
NOTE_CODES = frozenset({"bad_national_id", "national_id_twice", "unknown_columns"})


@dataclass(frozen=True)
class Rejected:
    """A row left out: FILE and LINE (1 = the first data row; 0 = the whole
    file), the source id when known, and why (a :data:`REASONS` code)."""

    file: str
    line: int
    ref: str
    code: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def row(self) -> int:
        """The row as a spreadsheet numbers it: a CSV file's header is row 1,
        so its first data row is 2; a JSON file's element number as is; 0 for
        the whole file."""
        return self.line + 1 if self.line and self.file.lower().endswith(".csv") else self.line

    @property
    def reason(self) -> str:
        """The reason in the active language."""
        return gettext(str(REASONS[self.code])) % self.params if self.params else gettext(str(REASONS[self.code]))

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "ref": self.ref, "code": self.code, "params": self.params}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Rejected:
        return cls(d["file"], d["line"], d["ref"], d["code"], d.get("params", {}))


@dataclass
class OwnerRow:
    ext: str
    name: str
    kind: str
    country: str
    org_number: str = ""


@dataclass
class SchoolRow:
    ext: str
    owner: str  # OwnerRow.ext
    name: str
    kind: str
    language: str
    where: tuple[str, int] = ("", 0)


@dataclass
class GroupRow:
    ext: str
    school: str  # SchoolRow.ext
    name: str
    kind: str
    year_level: int
    year_name: str  # e.g. "2026/27"
    year_start: datetime.date | None
    year_end: datetime.date | None
    where: tuple[str, int] = ("", 0)


@dataclass
class PupilRow:
    ext: str
    school: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    national_id: str
    groups: list[str]
    where: tuple[str, int] = ("", 0)


@dataclass
class PersonRow:
    """A guardian or a staff member (or both): one user account."""

    ext: str
    email: str
    full_name: str
    children: dict[str, tuple[str, bool]] = field(default_factory=dict)  # pupil ext → (relation, responsibility)
    roles: set[tuple[str, str]] = field(default_factory=set)  # (school ext, StaffMembership.Role)
    assignments: set[tuple[str, str, str]] = field(default_factory=set)  # (group ext, role, subject)
    where: tuple[str, int] = ("", 0)
    national_id_hash: str = ""  # students.sso.national_id_hash of a guardian's number; "" when not given
    identities: set[tuple[str, str]] = field(default_factory=set)  # (OIDC issuer id, subject) for sign-on


@dataclass
class Roster:
    """What one source says. ``kinds`` are the parts it covers ("schools",
    "groups", "pupils", "guardians", "staff"): only those end what is missing."""

    owners: dict[str, OwnerRow] = field(default_factory=dict)
    schools: dict[str, SchoolRow] = field(default_factory=dict)
    groups: dict[str, GroupRow] = field(default_factory=dict)
    pupils: dict[str, PupilRow] = field(default_factory=dict)
    people: dict[str, PersonRow] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)

    def reject(self, file: str, line: int, ref: str, code: str, /, **params: Any) -> None:
        self.rejected.append(Rejected(file, line, ref, code, {k: str(v) for k, v in params.items()}))

    @property
    def size(self) -> int:
        return len(self.owners) + len(self.schools) + len(self.groups) + len(self.pupils) + len(self.people)


# How the kinds of records and what happened to them are named on the pages.
KINDS: dict[str, Any] = {
    "owner": _("school owner"),
    "school": _("school"),
    "school_year": _("school year"),
    "group": _("group"),
    "person": _("person (guardian or staff)"),
    "pupil": _("pupil"),
    "enrolment": _("enrolment"),
    "guardianship": _("guardianship"),
    "membership": _("staff membership"),
    "identity": _("sign-in identity"),
    "assignment": _("teaching assignment"),
}
OPS: dict[str, Any] = {"created": _("created"), "changed": _("changed"), "ended": _("ended")}


def labelled_summary(summary: dict[str, dict[str, int]]) -> list[tuple[str, dict[str, int]]]:
    """SUMMARY (kind → op → count) as (the kind's name, counts), in KINDS' order."""
    order = list(KINDS)
    return [(str(KINDS.get(k, k)), v) for k, v in sorted(summary.items(), key=lambda kv: [*order, kv[0]].index(kv[0]))]


def _models() -> dict[str, type[Model]]:
    from students import models as m

    return {
        "owner": m.Skoleeier, "school": m.School, "school_year": m.SchoolYear, "group": m.Group, "person": m.User,
        "pupil": m.Pupil, "enrolment": m.Enrolment, "guardianship": m.GuardianLink, "membership": m.StaffMembership,
        "assignment": m.TeachingAssignment, "identity": m.ExternalIdentity,
    }  # fmt: skip


def _field_name(model: type[Model] | None, name: str) -> str:
    from students.models import PupilIdentity

    if name == "national_id":  # a pupil's, kept apart (PupilIdentity)
        return str(PupilIdentity._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return name


def labelled_change(change: dict[str, Any]) -> dict[str, Any]:
    """A change of :class:`sync.Result` as shown: the operation, kind, changed
    fields (their verbose names) and staff role (its display label) in the
    active language."""
    from students.models import StaffMembership

    model = _models().get(change["kind"])
    label = change["label"]
    if change.get("role"):
        role = change["role"]
        shown = str(StaffMembership.Role(role).label) if role in StaffMembership.Role.values else role
        label = f"{label} ({shown})"
    return {
        **change,
        "op": str(OPS.get(change["op"], change["op"])),
        "kind": str(KINDS.get(change["kind"], change["kind"])),
        "label": label,
        "fields": [_field_name(model, f) for f in change.get("fields", [])],
    }


def national_id(value: str) -> str | None:
    """VALUE (a national identity number as a source system writes it,
    spaces, hyphens and ``+`` allowed) as digits only: a Norwegian
    fødselsnummer or D-number (11 digits, two mod-11 check digits) or a
    Swedish personnummer or samordningsnummer (10 or 12 digits, Luhn check
    digit); "" for an empty VALUE, None when it is neither (checked with
    python-stdnum: ``stdnum.no.fodselsnummer``, ``stdnum.se.personnummer``)."""
    digits = "".join(ch for ch in value if ch not in " -+\t")
    if not digits:
        return ""
    if fodselsnummer.is_valid(digits) or personnummer.is_valid(digits):
        return digits
    return None


def check_national_ids(roster: Roster) -> None:
    """Check the pupils' national identity numbers of ROSTER (both formats
    call it once they are read): each kept as digits only; a number that is
    not valid (:func:`national_id`), or that two pupils share, is dropped
    and reported (``bad_national_id``, ``national_id_twice``). The pupil is
    imported all the same: the number is not needed to teach, and a wrong
    one is worse than none."""
    holders: dict[str, list[Any]] = {}
    for row in roster.pupils.values():
        number = national_id(row.national_id)
        if number is None:
            roster.reject(row.where[0], row.where[1], row.ext, "bad_national_id", ref=row.ext)
            row.national_id = ""
            continue
        row.national_id = number
        if number:
            holders.setdefault(number, []).append(row)
    for rows in holders.values():
        if len(rows) < 2:
            continue
        for row in rows:
            others = ", ".join(other.ext for other in rows if other is not row)
            roster.reject(row.where[0], row.where[1], row.ext, "national_id_twice", ref=row.ext, other=others)
            row.national_id = ""
