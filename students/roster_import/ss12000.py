"""The roster as SS 12000 JSON (Swedish standard SS 12000:2020, the
information exchange API version 2.0 and its JSON shapes).

The files are what the API's list endpoints answer, each either
``{"data": [...]}`` or a bare list, named by the endpoint:
``organisations.json``, ``persons.json``, ``groups.json``, ``duties.json``
(a single bundle ``{"organisations": ..., "persons": ..., ...}`` works too).
What is read of each (see docs/roster-import.md):

* Organisation: ``organisationType`` *Huvudman* → school owner (country SE;
  a municipality when its ``organisationNumber`` starts with 212, a private
  owner otherwise), *Skolenhet* → school (its owner is the first *Huvudman*
  up the ``parentOrganisation`` chain; ``schoolTypes`` with GY → upper
  secondary, else grundskola; language Swedish).
* Person: with a current ``enrolments`` entry at an imported school unit →
  pupil (birth date and personnummer from ``civicNo``); its ``responsibles``
  (``{"person": {"id"}, "relationType"}``) → guardians, with parental
  responsibility for *Vårdnadshavare*. A guardian's or staff member's login is
  the first of ``emails`` (else ``eduPersonPrincipalNames``). A guardian's
  ``civicNo`` is kept as its hash on the guardian links (for ID-porten /
  BankID); a staff member's ``eduPersonPrincipalNames`` become external
  identities at each configured staff issuer whose claim is the
  eduPersonPrincipalName.
* Group: ``groupType`` *Klass* → class, *Undervisning* → teaching group,
  others are not read; ``organisation`` → school; the school year from
  ``startDate``/``endDate``; its members from ``groupMemberships`` current
  today; the year level from the members' enrolments (``schoolYear``, GY
  years 1–3 → Vg1–Vg3).
* Duty: current on today (``startDate``/``endDate``); ``dutyRole`` *Rektor* →
  rektor, *Lärare*, *Förstelärare*, *Lärarassistent*, *Övrig pedagogisk
  personal* → subject teacher, *Speciallärare/specialpedagog* → coordinator,
  *Skolpsykolog* → PPT; other roles give no access and are listed as
  rejected. ``assignmentRole`` *Mentor* of a group → its contact teacher.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from typing import Any

from django.utils import timezone

from students import sso
from students.models import Group, GuardianLink, School, Skoleeier, StaffMembership

from .rows import GroupRow, OwnerRow, PersonRow, PupilRow, Roster, SchoolRow, check_national_ids

VERSION = "SS 12000:2020, API 2.0"
FILES = ("organisations.json", "persons.json", "groups.json", "duties.json")
R = StaffMembership.Role
DUTY_ROLES = {
    "Rektor": R.REKTOR,
    "Lärare": R.FAGLAERER,
    "Förstelärare": R.FAGLAERER,
    "Lärarassistent": R.FAGLAERER,
    "Övrig pedagogisk personal": R.FAGLAERER,
    "Speciallärare/specialpedagog": R.KOORDINATOR,
    "Skolpsykolog": R.PPT,
}
GROUP_KINDS = {"Klass": Group.Kind.CLASS, "Undervisning": Group.Kind.TEACHING}
GUARDIAN = "Vårdnadshavare"


def parse(files: dict[str, str], today: datetime.date | None = None) -> Roster:
    """FILES (file name → JSON text) → :class:`Roster`, as of TODAY (default:
    the local date). Never raises for bad content: see ``Roster.rejected``."""
    today = today or timezone.localdate()
    roster = Roster()
    data: dict[str, list[dict[str, Any]]] = {}
    for name, text in files.items():
        short = name.rsplit("/", 1)[-1].lower()
        try:
            loaded = json.loads(text)
        except ValueError:
            roster.reject(short, 0, "", "not_json", name=short)
            continue
        if short in FILES:
            data[short] = _items(loaded)
        elif isinstance(loaded, dict) and any(f"{k}.json" in FILES for k in loaded):
            for key, value in loaded.items():
                if f"{key}.json" in FILES:
                    data[f"{key}.json"] = _items(value)
        else:
            roster.reject(short, 0, "", "unknown_file", name=short, choices=", ".join(FILES))
    orgs = {o.get("id", ""): o for o in data.get("organisations.json", [])}
    _organisations(roster, orgs)
    persons = {p.get("id", ""): p for p in data.get("persons.json", [])}
    groups = data.get("groups.json", [])
    members = _members(groups, today)
    levels = _pupils(roster, persons, members, today)
    _groups(roster, groups, levels)
    if "persons.json" in data:
        roster.kinds |= {"pupils", "guardians"}
        _guardians(roster, persons, today)
    if "duties.json" in data:
        roster.kinds.add("staff")
        _duties(roster, data["duties.json"], persons, today)
    if orgs:
        roster.kinds.add("schools")
    if groups:
        roster.kinds.add("groups")
    check_national_ids(roster)
    return roster


def _items(loaded: Any) -> list[dict[str, Any]]:
    items = loaded.get("data", []) if isinstance(loaded, dict) else loaded
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _ref(value: Any) -> str:
    """The id of a reference: ``{"id": ...}`` or a bare id."""
    return str(value.get("id", "")) if isinstance(value, dict) else str(value or "")


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _current(item: dict[str, Any], today: datetime.date) -> bool:
    start, end = _date(item.get("startDate")), _date(item.get("endDate"))
    return (start is None or start <= today) and (end is None or end >= today)


def _organisations(roster: Roster, orgs: dict[str, dict[str, Any]]) -> None:
    file = "organisations.json"
    for line, (ext, org) in enumerate(orgs.items(), 1):
        kind = org.get("organisationType")
        name = org.get("displayName") or ""
        if kind == "Huvudman":
            number = str(org.get("organisationNumber") or "")
            owner_kind = Skoleeier.Kind.KOMMUNE if number.startswith("212") else Skoleeier.Kind.PRIVATE
            roster.owners[ext] = OwnerRow(ext, name, owner_kind, Skoleeier.Country.SE, number)
        elif kind == "Skolenhet":
            owner, seen = _ref(org.get("parentOrganisation")), {ext}
            while owner in orgs and orgs[owner].get("organisationType") != "Huvudman" and owner not in seen:
                seen.add(owner)
                owner = _ref(orgs[owner].get("parentOrganisation"))
            if not name:
                roster.reject(file, line, ext, "missing", column="displayName")
                continue
            if not owner:
                roster.reject(file, line, ext, "missing", column="parentOrganisation")
                continue
            school_kind = School.Kind.VGS if "GY" in (org.get("schoolTypes") or []) else School.Kind.GRUNDSKOLA
            roster.schools[ext] = SchoolRow(ext, owner, name, school_kind, School.Language.SV, (file, line))


def _members(groups: list[dict[str, Any]], today: datetime.date) -> dict[str, list[str]]:
    """Person id → the ids of the groups they are a current member of."""
    out: dict[str, list[str]] = {}
    for group in groups:
        if group.get("groupType") not in GROUP_KINDS:
            continue
        for member in group.get("groupMemberships") or []:
            if isinstance(member, dict) and _current(member, today):
                out.setdefault(_ref(member.get("person")), []).append(str(group.get("id", "")))
    return out


def _level(enrolment: dict[str, Any]) -> int:
    try:
        year = int(enrolment.get("schoolYear") or 0)
    except (TypeError, ValueError):
        return 0
    if enrolment.get("schoolType") == "GY":
        return 10 + year if 1 <= year <= 3 else 0
    return year if 1 <= year <= 10 else 0


def _pupils(
    roster: Roster, persons: dict[str, dict[str, Any]], members: dict[str, list[str]], today: datetime.date
) -> dict[str, Counter[int]]:
    """Pupils from persons with a current enrolment; returns group id → the
    members' year levels (to give each group its level)."""
    file = "persons.json"
    levels: dict[str, Counter[int]] = {}
    for line, (ext, person) in enumerate(persons.items(), 1):
        enrolments = [
            e
            for e in person.get("enrolments") or []
            if isinstance(e, dict) and _current(e, today) and not e.get("cancelled")
        ]
        if not enrolments:
            continue
        enrolment = next((e for e in enrolments if _ref(e.get("enroledAt")) in roster.schools), None)
        if enrolment is None:
            roster.reject(file, line, ext, "no_enrolment")
            continue
        civic = str((person.get("civicNo") or {}).get("value") or "")
        birth = _date(person.get("birthDate")) or _date(f"{civic[:4]}-{civic[4:6]}-{civic[6:8]}" if civic else None)
        if birth is None:
            roster.reject(file, line, ext, "missing", column="civicNo / birthDate")
            continue
        if not person.get("givenName") or not person.get("familyName"):
            roster.reject(file, line, ext, "missing", column="givenName / familyName")
            continue
        groups = members.get(ext, [])
        for group in groups:
            levels.setdefault(group, Counter())[_level(enrolment)] += 1
        roster.pupils[ext] = PupilRow(
            ext,
            _ref(enrolment.get("enroledAt")),
            str(person["givenName"]),
            str(person["familyName"]),
            birth,
            civic,
            groups,
            (file, line),
        )
    return levels


def _groups(roster: Roster, groups: list[dict[str, Any]], levels: dict[str, Counter[int]]) -> None:
    file = "groups.json"
    for line, group in enumerate(groups, 1):
        ext, kind = str(group.get("id", "")), GROUP_KINDS.get(group.get("groupType", ""))
        if kind is None:
            continue
        start, end = _date(group.get("startDate")), _date(group.get("endDate"))
        if start is None or end is None:
            roster.reject(file, line, ext, "missing", column="startDate / endDate")
            continue
        if start >= end:
            roster.reject(file, line, ext, "year_dates")
            continue
        counted = Counter({k: v for k, v in levels.get(ext, Counter()).items() if k})
        if not counted:
            roster.reject(file, line, ext, "group_no_level")
            continue
        first = start.year if start.month >= 7 else start.year - 1
        roster.groups[ext] = GroupRow(
            ext,
            _ref(group.get("organisation")),
            str(group.get("displayName") or ext),
            kind,
            counted.most_common(1)[0][0],
            f"{first}/{(first + 1) % 100:02d}",
            start,
            end,
            (file, line),
        )


def _login(person: dict[str, Any]) -> str:
    for key in ("emails", "eduPersonPrincipalNames"):
        for entry in person.get(key) or []:
            if isinstance(entry, dict) and entry.get("value"):
                return str(entry["value"]).lower()
    return ""


def _identities(person: dict[str, Any]) -> set[tuple[str, str]]:
    """(issuer id, eduPersonPrincipalName) for every configured staff issuer
    whose identifying claim is the eduPersonPrincipalName (Feide and the
    like), for each of the person's ``eduPersonPrincipalNames``."""
    issuers = [i.id for i in sso.issuers() if not i.for_guardians and i.claim.endswith("eduPersonPrincipalName")]
    names = [
        str(e["value"]).strip()
        for e in person.get("eduPersonPrincipalNames") or []
        if isinstance(e, dict) and e.get("value")
    ]
    return {(i, n) for i in issuers for n in names}


def _name(person: dict[str, Any]) -> str:
    return " ".join(str(person.get(k) or "") for k in ("givenName", "familyName")).strip()


def _guardians(roster: Roster, persons: dict[str, dict[str, Any]], today: datetime.date) -> None:
    file = "persons.json"
    lines = {ext: n for n, ext in enumerate(persons, 1)}
    for pupil_ext in roster.pupils:
        for responsible in persons[pupil_ext].get("responsibles") or []:
            if not isinstance(responsible, dict):
                continue
            ext = _ref(responsible.get("person") or responsible.get("id"))
            adult = persons.get(ext)
            if adult is None:
                roster.reject(file, lines[pupil_ext], ext, "unknown_person", ref=ext)
                continue
            email = _login(adult)
            if not email:
                roster.reject(file, lines[ext], ext, "no_email")
                continue
            person = roster.people.setdefault(ext, PersonRow(ext, email, _name(adult), where=(file, lines[ext])))
            responsible_ = responsible.get("relationType") == GUARDIAN
            person.children[pupil_ext] = (GuardianLink.Relation.OTHER, responsible_)
            civic = str((adult.get("civicNo") or {}).get("value") or "")
            if civic:
                person.national_id_hash = sso.national_id_hash(civic)


def _duties(
    roster: Roster, duties: list[dict[str, Any]], persons: dict[str, dict[str, Any]], today: datetime.date
) -> None:
    file = "duties.json"
    for line, duty in enumerate(duties, 1):
        if not _current(duty, today):
            continue
        ext = _ref(duty.get("person"))
        role = DUTY_ROLES.get(str(duty.get("dutyRole") or ""))
        if role is None:
            roster.reject(file, line, ext, "role_not_used", value=duty.get("dutyRole") or "")
            continue
        staff = persons.get(ext)
        if staff is None:
            roster.reject(file, line, ext, "unknown_person", ref=ext)
            continue
        email = _login(staff)
        if not email:
            roster.reject(file, line, ext, "no_email")
            continue
        person = roster.people.setdefault(ext, PersonRow(ext, email, _name(staff), where=(file, line)))
        person.identities |= _identities(staff)
        school = _ref(duty.get("dutyAt"))
        person.roles.add((school, role))
        for assignment in duty.get("assignmentRole") or []:
            if (
                isinstance(assignment, dict)
                and assignment.get("assignmentRoleType") == "Mentor"
                and _current(assignment, today)
            ):
                person.roles.add((school, R.KONTAKTLAERER))
                person.assignments.add((_ref(assignment.get("group")), R.KONTAKTLAERER, ""))
