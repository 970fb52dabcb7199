"""Bring the database in line with a :class:`~.rows.Roster`: what to create,
change and end, written with bulk operations in one transaction.

Records are matched on their source id (``external_id``); a record without
one is adopted the first time when it matches naturally (a school owner by
name and country, a school by owner and name, a group by school year and
name, a person by e-mail address, a pupil by national identity number).

What the source no longer has is ended, never deleted — and only what the
import manages: records of people and pupils with a source id, at the
schools the source names, of the parts the source covers (``Roster.kinds``):

* an enrolment ends yesterday (the group's teachers lose the pupil today);
* a guardianship gets ``ended_at`` (the guardian loses the child at once);
* a staff membership is deactivated;
* a teaching assignment is removed (it has no end of its own).

Applying the same source twice changes nothing the second time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from students.models import (
    Enrolment,
    ExternalIdentity,
    Group,
    GuardianLink,
    Pupil,
    PupilIdentity,
    School,
    SchoolYear,
    Skoleeier,
    StaffMembership,
    TeachingAssignment,
    User,
)
from students.signals import roster_imported

from .rows import NOTE_CODES, PupilRow, Rejected, Roster

BATCH = 2000
Progress = Callable[[int, int], None]


@dataclass
class Result:
    """What an import does (or, in a dry run, would do).

    ``changes``: ``{"op": "created" | "changed" | "ended", "kind": str,
    "ref": source id, "label": str, "fields": [str]}`` per record;
    ``summary``: kind → op → count; ``rejected``: the rows left out."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    school_year_ids: set[int] = field(default_factory=set)
    school_ids: set[int] = field(default_factory=set)

    def add(self, op: str, kind: str, ref: str, label: str, fields: Iterable[str] = (), *, role: str = "") -> None:
        """Record a change: OP (created/changed/ended) of a KIND (rows.KINDS)
        with the source id REF, a LABEL, the model FIELDS that changed, and a
        staff ROLE code (shown with its display label)."""
        change = {"op": op, "kind": kind, "ref": ref, "label": label, "fields": sorted(fields)}
        if role:
            change["role"] = role
        self.changes.append(change)

    @property
    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for change in self.changes:
            counts = out.setdefault(change["kind"], {"created": 0, "changed": 0, "ended": 0})
            counts[change["op"]] += 1
        return out

    @property
    def changed_anything(self) -> bool:
        return bool(self.changes)


class _DryRun(Exception):
    pass


def run(roster: Roster, *, apply: bool, progress: Progress | None = None) -> Result:
    """Work out (and with APPLY, commit) what ROSTER changes. A dry run does the
    same work in a transaction it rolls back: its result is exactly what
    applying would do, and the database is left as it was. PROGRESS(done,
    total) is called after each step. Rejected rows are in the result; the
    others are imported. After an applied import's commit,
    :data:`students.signals.roster_imported` names the school years and
    schools whose deadlines may have changed."""
    result = Result(rejected=list(roster.rejected))
    try:
        with transaction.atomic():
            _Sync(roster, result, progress or (lambda done, total: None)).run()
            if not apply:
                raise _DryRun
            years, schools = set(result.school_year_ids), set(result.school_ids)
            if years or schools:
                transaction.on_commit(
                    lambda: roster_imported.send_robust(Pupil, school_year_ids=years, school_ids=schools)
                )
    except _DryRun:
        pass
    return result


def _changed(obj: Model, values: dict[str, Any]) -> list[str]:
    """Set VALUES on OBJ; the names of the fields that changed."""
    fields = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in fields:
        setattr(obj, k, values[k])
    return fields


class _Sync:
    STEPS = 11

    def __init__(self, roster: Roster, result: Result, progress: Progress) -> None:
        self.r, self.result, self.progress = roster, result, progress
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.owners: dict[str, int] = {}
        self.schools: dict[str, School] = {}
        self.groups: dict[str, Group] = {}
        self.users: dict[str, int] = {}
        self.pupils: dict[str, _P] = {}
        # Pupils and people whose row is rejected: nothing of theirs is ended
        # (a typo in one cell must not take a pupil from their teachers).
        self.left_out: set[str] = _rejected_refs(roster, PUPIL_FILES)
        self.people_left_out: set[str] = _rejected_refs(roster, PERSON_FILES)
        self.rejected_rows: set[tuple[str, str]] = {(r.file, r.ref) for r in roster.rejected if r.ref}
        self.step = 0

    def done(self) -> None:
        self.step += 1
        self.progress(self.step, self.STEPS)

    def reject(self, where: tuple[str, int], ref: str, code: str, /, **params: Any) -> None:
        self.result.rejected.append(Rejected(where[0], where[1], ref, code, {k: str(v) for k, v in params.items()}))
        self.rejected_rows.add((where[0], ref))

    def _missing(self, where: tuple[str, int], ref: str, kind: str, missing: str) -> None:
        """Reject the row WHERE (id REF) for naming the school or group MISSING (KIND: "school" or
        "group"), saying whether that one's own row was left out or is unknown altogether."""
        files = SCHOOL_FILES if kind == "school" else GROUP_FILES
        left_out = any((f, missing) in self.rejected_rows for f in files)
        self.reject(where, ref, f"{kind}_left_out" if left_out else f"unknown_{kind}", ref=missing)

    def run(self) -> None:
        for step in (
            self.sync_owners,
            self.sync_schools,
            self.sync_groups,
            self.sync_users,
            self.sync_identities,
            self.sync_pupils,
            self.sync_enrolments,
            self.sync_guardianships,
            self.sync_memberships,
            self.sync_assignments,
        ):
            step()
            self.done()
        self.done()

    # --- organisation --------------------------------------------------------------

    def sync_owners(self) -> None:
        rows = self.r.owners
        existing = {o.external_id: o for o in Skoleeier.objects.filter(external_id__in=list(rows))}
        unmatched = {(o.name, o.country): o for o in Skoleeier.objects.filter(external_id="")}
        new, update = [], []
        for ext, row in rows.items():
            obj = existing.get(ext) or unmatched.pop((row.name, row.country), None)
            values = {"name": row.name, "kind": row.kind, "country": row.country, "org_number": row.org_number}
            if obj is None:
                new.append(Skoleeier(external_id=ext, **values))
                self.result.add("created", "owner", ext, row.name)
                continue
            fields = _changed(obj, {"external_id": ext, **values})
            if fields:
                update.append(obj)
                self.result.add("changed", "owner", ext, row.name, fields)
        Skoleeier.objects.bulk_create(new)
        _bulk_update(Skoleeier, update, ["external_id", "name", "kind", "country", "org_number"])
        referenced = {s.owner for s in self.r.schools.values()}
        self.owners = dict(
            Skoleeier.objects.filter(external_id__in=list(referenced | set(rows))).values_list("external_id", "pk")
        )

    def sync_schools(self) -> None:
        rows = self.r.schools
        existing = {s.external_id: s for s in School.objects.filter(external_id__in=list(rows))}
        unmatched = {(s.skoleeier_id, s.name): s for s in School.objects.filter(external_id="")}
        new, update = [], []
        for ext, row in rows.items():
            owner = self.owners.get(row.owner)
            if owner is None:
                self.reject(row.where, ext, "unknown_owner", ref=row.owner)
                continue
            obj = existing.get(ext) or unmatched.pop((owner, row.name), None)
            values = {"skoleeier_id": owner, "name": row.name, "kind": row.kind, "language": row.language}
            if obj is None:
                new.append(School(external_id=ext, **values))
                self.result.add("created", "school", ext, row.name)
                continue
            fields = _changed(obj, {"external_id": ext, **values})
            if fields:
                update.append(obj)
                self.result.add("changed", "school", ext, row.name, fields)
                if {"skoleeier_id", "kind"} & set(fields):
                    self.result.school_ids.add(obj.pk)
        School.objects.bulk_create(new)
        _bulk_update(School, update, ["external_id", "skoleeier_id", "name", "kind", "language"])
        refs = set(rows) | {g.school for g in self.r.groups.values()} | {p.school for p in self.r.pupils.values()}
        refs |= {school for person in self.r.people.values() for school, _role in person.roles}
        self.schools = {s.external_id: s for s in School.objects.filter(external_id__in=list(refs))}

    def sync_groups(self) -> None:
        rows = {ext: row for ext, row in self.r.groups.items() if self._school(row.where, ext, row.school)}
        schools = {self.schools[row.school].pk for row in rows.values()}
        years = {(y.school_id, y.name): y for y in SchoolYear.objects.filter(school_id__in=schools)}
        new_years: dict[tuple[int, str], SchoolYear] = {}
        for ext, row in list(rows.items()):
            key = (self.schools[row.school].pk, row.year_name)
            if key in years or key in new_years:
                continue
            if row.year_start is None or row.year_end is None:
                self.reject(row.where, ext, "no_school_year", name=row.year_name)
                del rows[ext]
                continue
            new_years[key] = SchoolYear(school_id=key[0], name=row.year_name, start=row.year_start, end=row.year_end)
            self.result.add("created", "school_year", "", f"{self.schools[row.school].name} {row.year_name}")
        SchoolYear.objects.bulk_create(list(new_years.values()))
        years.update(new_years)
        existing = {g.external_id: g for g in Group.objects.filter(external_id__in=list(rows))}
        year_ids = [y.pk for y in years.values()]
        unmatched = {
            (g.school_year_id, g.name): g for g in Group.objects.filter(school_year_id__in=year_ids, external_id="")
        }
        new, update = [], []
        for ext, row in rows.items():
            year = years[(self.schools[row.school].pk, row.year_name)]
            obj = existing.get(ext) or unmatched.pop((year.pk, row.name), None)
            values = {"school_year_id": year.pk, "name": row.name, "kind": row.kind, "year_level": row.year_level}
            if obj is None:
                new.append(Group(external_id=ext, **values))
                self.result.add("created", "group", ext, row.name)
                self.result.school_year_ids.add(year.pk)
                continue
            before = obj.school_year_id
            fields = _changed(obj, {"external_id": ext, **values})
            if fields:
                update.append(obj)
                self.result.add("changed", "group", ext, row.name, fields)
                self.result.school_year_ids |= {before, year.pk}
        Group.objects.bulk_create(new)
        _bulk_update(Group, update, ["external_id", "school_year_id", "name", "kind", "year_level"])
        refs = set(rows) | {g for p in self.r.pupils.values() for g in p.groups}
        refs |= {g for person in self.r.people.values() for g, _r, _s in person.assignments}
        self.groups = {
            g.external_id: g for g in Group.objects.filter(external_id__in=list(refs)).select_related("school_year")
        }

    def _school(self, where: tuple[str, int], ref: str, school: str) -> bool:
        if school in self.schools:
            return True
        self._missing(where, ref, "school", school)
        return False

    # --- people --------------------------------------------------------------------

    # The people and their relations are compared as plain tuples (values_list):
    # model instances are made only for what changes (an unchanged re-run of
    # 25,000 people makes none).

    def _orphans(self) -> set[str]:
        """The people of the source none of whose rows would hold: each of
        their children unknown (neither in the source nor from an earlier
        import) and each of their schools unknown. Their rows are rejected,
        so no account is made for them (at most one query)."""
        people = {ext: row for ext, row in self.r.people.items() if row.children or row.roles}
        children = {c for row in people.values() for c in row.children} - set(self.r.pupils)
        known = set(self.r.pupils)
        if children:
            known |= set(Pupil.objects.filter(external_id__in=children).values_list("external_id", flat=True))
        return {
            ext
            for ext, row in people.items()
            if not known & set(row.children) and not any(school in self.schools for school, _role in row.roles)
        }

    def sync_users(self) -> None:
        rows = self.r.people
        have = {
            ext: (pk, email, name)
            for pk, ext, email, name in User.objects.filter(external_id__gt="").values_list(
                "pk", "external_id", "email", "full_name"
            )
        }
        lookup = [row.email for ext, row in rows.items() if ext not in have or have[ext][1] != row.email]
        by_email = {
            email: (pk, ext)
            for pk, email, ext in User.objects.filter(email__in=lookup).values_list("pk", "email", "external_id")
        }
        orphans = self._orphans()
        new, update, claimed = [], [], set()
        for ext, row in rows.items():
            if ext in orphans:  # the row is rejected whole: no account is made for it
                for child in row.children:
                    self.reject(row.where, ext, "unknown_pupil", ref=child)
                for school in sorted({school for school, _role in row.roles}):
                    self._missing(row.where, ext, "school", school)
                continue
            mine = have.get(ext)
            pk = mine[0] if mine else None
            other = by_email.get(row.email)
            if pk is None and other is not None and other[1] == "":
                pk = other[0]  # an account typed in by hand: adopted
            if row.email in claimed or (other is not None and other[0] != pk):
                self.reject(row.where, ext, "email_taken", value=row.email)
                continue
            claimed.add(row.email)
            name = row.full_name or row.email
            if pk is None:
                new.append(User(external_id=ext, password=make_password(None), email=row.email, full_name=name))
                self.result.add("created", "person", ext, name)
                continue
            fields = [f for f, a, b in (("email", mine and mine[1], row.email), ("full_name", mine and mine[2], name))
                      if a != b] if mine else ["external_id"]  # fmt: skip
            if fields:
                update.append(User(pk=pk, external_id=ext, email=row.email, full_name=name))
                self.result.add("changed", "person", ext, name, fields)
        User.objects.bulk_create(new, batch_size=BATCH)
        _bulk_update(User, update, ["external_id", "email", "full_name"])
        self.users = dict(User.objects.filter(external_id__gt="").values_list("external_id", "pk"))
        self.users = {ext: pk for ext, pk in self.users.items() if ext in rows}

    def sync_pupils(self) -> None:
        rows = {
            ext: row
            for ext, row in self.r.pupils.items()
            if self._school(row.where, ext, row.school) and self._groups_fit(ext, row)
        }
        have: dict[str, tuple[Any, ...]] = {
            p[1]: p
            for p in Pupil.objects.filter(external_id__gt="").values_list(
                "pk", "external_id", "school_id", "first_name", "last_name", "birth_date"
            )
        }
        ids = [row.national_id for ext, row in rows.items() if row.national_id and ext not in have]
        adoptable = {
            nid: (pk, *rest)
            for pk, nid, *rest in PupilIdentity.objects.filter(national_id__in=ids, pupil__external_id="").values_list(
                "pupil_id", "national_id", "pupil__school_id", "pupil__first_name", "pupil__last_name",
                "pupil__birth_date",
            )
        }  # fmt: skip
        new, update = [], []
        self.pupils = {ext: _P(p[0], p[2], f"{p[3]} {p[4]}") for ext, p in have.items()}
        names = ("school_id", "first_name", "last_name", "birth_date")
        for ext, row in rows.items():
            values = (self.schools[row.school].pk, row.first_name, row.last_name, row.birth_date)
            label = f"{row.first_name} {row.last_name}"
            if ext in have:
                pk, before = have[ext][0], have[ext][2:]
                fields = [n for n, a, b in zip(names, before, values, strict=True) if a != b]
            elif row.national_id in adoptable:
                found: tuple[Any, ...] = adoptable.pop(row.national_id)
                pk, before = found[0], found[1:]
                fields = ["external_id", *(n for n, a, b in zip(names, before, values, strict=True) if a != b)]
            else:
                pupil = Pupil(external_id=ext, **dict(zip(names, values, strict=True)))
                new.append(pupil)
                self.pupils[ext] = _P(pupil.pk, values[0], label)
                self.result.add("created", "pupil", ext, label)
                continue
            self.pupils[ext] = _P(pk, values[0], label)
            if fields:
                update.append(Pupil(pk=pk, external_id=ext, **dict(zip(names, values, strict=True))))
                self.result.add("changed", "pupil", ext, label, fields)
                if "school_id" in fields:
                    self.result.school_ids |= {before[0], values[0]}
        Pupil.objects.bulk_create(new, batch_size=BATCH)
        _bulk_update(Pupil, update, ["external_id", *names])
        # The national identity number, kept apart.
        wanted = {self.pupils[ext].pk: row.national_id for ext, row in rows.items() if row.national_id}
        known = dict(PupilIdentity.objects.filter(pupil__external_id__gt="").values_list("pupil_id", "national_id"))
        adopted = {u.pk for u in update} - set(known)
        if adopted:
            known.update(PupilIdentity.objects.filter(pupil_id__in=adopted).values_list("pupil_id", "national_id"))
        # A number given or corrected for a pupil already there is a change of the pupil (the number not shown).
        made = {pupil.pk for pupil in new}
        for ext, shown in self.pupils.items():
            nid = wanted.get(shown.pk)
            if nid and shown.pk not in made and known.get(shown.pk) != nid:
                self.result.add("changed", "pupil", ext, shown.name, ["national_id"])
        PupilIdentity.objects.bulk_create(
            [PupilIdentity(pupil_id=pk, national_id=nid) for pk, nid in wanted.items() if pk not in known],
            batch_size=BATCH,
        )
        _bulk_update(
            PupilIdentity,
            [
                PupilIdentity(pupil_id=pk, national_id=nid)
                for pk, nid in wanted.items()
                if pk in known and known[pk] != nid
            ],
            ["national_id"],
        )

    def _managed_schools(self) -> set[int]:
        return {s.pk for s in self.schools.values()}

    def _groups_fit(self, ext: str, row: PupilRow) -> bool:
        """Whether every group of the pupil's row is known and at the pupil's
        school; if not, the row is rejected and left out entirely."""
        school = self.schools[row.school].pk
        fits = True
        for g in row.groups:
            group = self.groups.get(g)
            if group is None:
                self._missing(row.where, ext, "group", g)
                fits = False
            elif group.school_year.school_id != school:
                self.reject(row.where, ext, "group_other_school", ref=g)
                fits = False
        if not fits:
            self.left_out.add(ext)
        return fits

    def sync_enrolments(self) -> None:
        if "pupils" not in self.r.kinds:
            return
        wanted: dict[tuple[Any, int], str] = {}
        for ext, row in self.r.pupils.items():
            pupil = self.pupils.get(ext)
            if pupil is None or ext in self.left_out:
                continue
            for g in row.groups:
                wanted[(pupil.pk, self.groups[g].pk)] = ext
        existing = {
            (e[1], e[2]): e
            for e in Enrolment.objects.filter(pupil__external_id__gt="").values_list(
                "pk", "pupil_id", "group_id", "start", "end", "pupil__external_id", "pupil__first_name",
                "pupil__last_name", "group__name", "group__school_year_id", "group__school_year__end",
                "group__school_year__school_id",
            )
        }  # fmt: skip
        managed = self._managed_schools()
        new, update = [], []
        yesterday = self.today - datetime.timedelta(days=1)
        groups = {g.pk: g for g in self.groups.values()}
        for key, ext in wanted.items():
            group = groups[key[1]]
            e = existing.get(key)
            label = f"{self.pupils[ext].name} – {group.name}"
            if e is None:
                new.append(Enrolment(pupil_id=key[0], group_id=key[1]))
                self.result.add("created", "enrolment", ext, label)
            elif e[4] is not None and e[4] < self.today:
                update.append(Enrolment(pk=e[0], start=e[3], end=None))
                self.result.add("changed", "enrolment", ext, label, ["end"])
            else:
                continue
            self.result.school_year_ids.add(group.school_year_id)
        for key, e in existing.items():
            pk, _pupil, _group, start, end, ext, first, last, group_name, year_id, year_end, school_id = e
            if key in wanted or (end is not None and end < self.today) or year_end < self.today:
                continue  # wanted, ended already, or a past year's (history)
            if ext in self.left_out:
                continue  # the pupil's row was rejected: nothing of it changes
            if school_id not in managed:
                continue
            start = yesterday if start is not None and start > yesterday else start
            update.append(Enrolment(pk=pk, start=start, end=yesterday))
            self.result.add("ended", "enrolment", ext, f"{first} {last} – {group_name}")
            self.result.school_year_ids.add(year_id)
        Enrolment.objects.bulk_create(new, batch_size=BATCH)
        _bulk_update(Enrolment, update, ["start", "end"])

    def sync_identities(self) -> None:
        """Add the sign-on identities (issuer, subject) the source names to
        its people; one that belongs to another user is rejected. Identities
        are never removed here (an operator does that in the admin)."""
        wanted = {(i, s): ext for ext, row in self.r.people.items() if ext in self.users for i, s in row.identities}
        if not wanted:
            return
        subjects = {s for _i, s in wanted}
        existing = {
            (i, s): u
            for i, s, u in ExternalIdentity.objects.filter(subject__in=subjects).values_list(
                "issuer", "subject", "user_id"
            )
        }
        new = []
        for (issuer, subject), ext in wanted.items():
            owner, user = existing.get((issuer, subject)), self.users[ext]
            if owner == user:
                continue
            if owner is not None:
                self.reject(self.r.people[ext].where, ext, "identity_taken", ref=f"{issuer}:{subject}")
                continue
            new.append(ExternalIdentity(user_id=user, issuer=issuer, subject=subject))
            self.result.add("created", "identity", ext, f"{self.r.people[ext].full_name} – {issuer}")
        ExternalIdentity.objects.bulk_create(new, batch_size=BATCH)

    def sync_guardianships(self) -> None:
        if "guardians" not in self.r.kinds:
            return
        wanted: dict[tuple[int, Any], tuple[str, bool, str, str, str]] = {}
        for ext, row in self.r.people.items():
            user = self.users.get(ext)
            if user is None:
                continue
            for child, (relation, responsibility) in row.children.items():
                pupil = self.pupils.get(child)
                if pupil is None:
                    self.reject(row.where, ext, "unknown_pupil", ref=child)
                    continue
                label = f"{row.full_name} → {pupil.name}"
                wanted[(user, pupil.pk)] = (relation, responsibility, ext, label, row.national_id_hash)
        existing = {
            (g[1], g[2]): g
            for g in GuardianLink.all_objects.filter(user__external_id__gt="").values_list(
                "pk", "user_id", "pupil_id", "relation", "parental_responsibility", "ended_at", "user__external_id",
                "user__full_name", "pupil__first_name", "pupil__last_name", "pupil__school_id", "national_id_hash",
            )
        }  # fmt: skip
        managed, sourced = self._managed_schools(), set(self.users.values())
        new, update = [], []
        for key, (relation, responsibility, ext, label, id_hash) in wanted.items():
            g = existing.get(key)
            if g is None:
                new.append(GuardianLink(user_id=key[0], pupil_id=key[1], relation=relation,
                                        parental_responsibility=responsibility, national_id_hash=id_hash))  # fmt: skip
                self.result.add("created", "guardianship", ext, label)
                continue
            id_hash = id_hash or g[11]  # a source without the number keeps the one known
            compared = (
                ("relation", g[3], relation),
                ("parental_responsibility", g[4], responsibility),
                ("ended_at", g[5], None),
                ("national_id_hash", g[11], id_hash),
            )
            fields = [f for f, a, b in compared if a != b]
            if fields:
                update.append(GuardianLink(pk=g[0], relation=relation, parental_responsibility=responsibility,
                                           national_id_hash=id_hash))  # fmt: skip
                self.result.add("changed", "guardianship", ext, label, fields)
        for key, g in existing.items():
            pk, user, _pupil, relation, responsibility, ended_at, ext, name, first, last, school_id, id_hash = g
            if key in wanted or ended_at is not None or (school_id not in managed and user not in sourced):
                continue
            if ext in self.people_left_out:
                continue  # the guardian's row was rejected: nothing of it ends
            update.append(
                GuardianLink(
                    pk=pk,
                    relation=relation,
                    parental_responsibility=responsibility,
                    ended_at=self.now,
                    national_id_hash=id_hash,
                )
            )
            self.result.add("ended", "guardianship", ext, f"{name} → {first} {last}")
        GuardianLink.objects.bulk_create(new, batch_size=BATCH)
        _bulk_update(GuardianLink, update, ["relation", "parental_responsibility", "ended_at", "national_id_hash"])

    def sync_memberships(self) -> None:
        if "staff" not in self.r.kinds:
            return
        leadership = {StaffMembership.Role.KOORDINATOR, StaffMembership.Role.REKTOR}
        wanted: dict[tuple[int, int, str], tuple[str, str]] = {}
        for ext, row in self.r.people.items():
            user = self.users.get(ext)
            if user is None:
                continue
            for school, role in row.roles:
                if self._school(row.where, ext, school):
                    wanted[(user, self.schools[school].pk, role)] = (ext, f"{row.full_name} – {self.schools[school]}")
        existing = {
            (m[1], m[2], m[3]): m
            for m in StaffMembership.objects.filter(user__external_id__gt="").values_list(
                "pk", "user_id", "school_id", "role", "active", "user__external_id", "user__full_name", "school__name"
            )
        }
        managed, sourced = self._managed_schools(), set(self.users.values())
        new, update = [], []
        for key, (ext, label) in wanted.items():
            m = existing.get(key)
            if m is None:
                new.append(StaffMembership(user_id=key[0], school_id=key[1], role=key[2]))
                self.result.add("created", "membership", ext, label, role=key[2])
            elif not m[4]:
                update.append(StaffMembership(pk=m[0], active=True))
                self.result.add("changed", "membership", ext, label, ["active"], role=key[2])
            else:
                continue
            if key[2] in leadership:
                self.result.school_ids.add(key[1])
        for key, m in existing.items():
            pk, user, school_id, role, active, ext, name, school_name = m
            if key in wanted or not active or (school_id not in managed and user not in sourced):
                continue
            if ext in self.people_left_out:
                continue  # the person's row was rejected: nothing of it ends
            update.append(StaffMembership(pk=pk, active=False))
            self.result.add("ended", "membership", ext, f"{name} – {school_name}", role=role)
            if role in leadership:
                self.result.school_ids.add(school_id)
        StaffMembership.objects.bulk_create(new, batch_size=BATCH)
        _bulk_update(StaffMembership, update, ["active"])

    def sync_assignments(self) -> None:
        if "staff" not in self.r.kinds:
            return
        wanted: dict[tuple[int, int, str, str], str] = {}
        for ext, row in self.r.people.items():
            user = self.users.get(ext)
            if user is None:
                continue
            for g, role, subject in row.assignments:
                group = self.groups.get(g)
                if group is None:
                    self._missing(row.where, ext, "group", g)
                    continue
                wanted[(user, group.pk, role, subject)] = ext
        existing = {
            (a[1], a[2], a[3], a[4]): a
            for a in TeachingAssignment.objects.filter(
                user__external_id__gt="", group__school_year__end__gte=self.today
            ).values_list(
                "pk", "user_id", "group_id", "role", "subject", "user__external_id", "user__full_name", "group__name",
                "group__school_year_id", "group__school_year__school_id",
            )
        }  # fmt: skip
        managed, sourced = self._managed_schools(), set(self.users.values())
        groups = {g.pk: g for g in self.groups.values()}
        new = []
        for key, ext in wanted.items():
            if key in existing:
                continue
            group = groups[key[1]]
            new.append(TeachingAssignment(user_id=key[0], group_id=key[1], role=key[2], subject=key[3]))
            self.result.add("created", "assignment", ext, f"{self.r.people[ext].full_name} – {group.name} {key[3]}")
            if key[2] == TeachingAssignment.Role.KONTAKTLAERER:
                self.result.school_year_ids.add(group.school_year_id)
        gone = []
        for key, a in existing.items():
            pk, user, _group, role, subject, ext, name, group_name, year_id, school_id = a
            if key in wanted or (school_id not in managed and user not in sourced) or ext in self.people_left_out:
                continue
            gone.append(pk)
            self.result.add("ended", "assignment", ext, f"{name} – {group_name} {subject}".strip())
            if role == TeachingAssignment.Role.KONTAKTLAERER:
                self.result.school_year_ids.add(year_id)
        TeachingAssignment.objects.bulk_create(new, batch_size=BATCH)
        if gone:
            TeachingAssignment.objects.filter(pk__in=gone).delete()


#: The files whose rows are schools, and those whose rows are groups (CSV and SS 12000).
SCHOOL_FILES = ("schools.csv", "organisations.json")
GROUP_FILES = ("groups.csv", "groups.json")

#: The CSV files whose rows are pupils, and those whose rows are people. (SS 12000 rejects a
#: person without a current enrolment or duty on purpose: what they had is ended.)
PUPIL_FILES = frozenset({"pupils.csv"})
PERSON_FILES = frozenset({"guardians.csv", "staff.csv"})


def _rejected_refs(roster: Roster, files: frozenset[str]) -> set[str]:
    """The source ids of the rows of FILES that were rejected whole (notes, which leave out one value, are not)."""
    return {r.ref for r in roster.rejected if r.ref and r.file in files and r.code not in NOTE_CODES}


@dataclass(frozen=True)
class _P:
    """A pupil as the later steps need it."""

    pk: Any
    school_id: int
    name: str


def _bulk_update(model: type[Model], objs: list[Any], fields: list[str]) -> None:
    if objs:
        model._base_manager.bulk_update(objs, fields, batch_size=BATCH)  # type: ignore[attr-defined]
