"""A newer enkeltvedtak re-bases the IOP.

An IOP is built on one vedtak and can never grant more or other than it
(opplæringslova § 11-10). A made vedtak never changes; a change (maths cut
from 76 to 40 årstimer, a subject added, one-to-one teaching instead of
teaching in class) is a *new* vedtak. While a newer vedtak than the IOP's
exists, the IOP page shows what changed, publishing is refused, and the
teacher moves the plan onto the new vedtak (:func:`iop.services.iop_move_to_vedtak`),
keeping goals, logs, sections and history.

*Newer* means: made, for the same pupil, made after the IOP's vedtak (a
later ``made_on``, or the same day and created later), and valid during some
part of the IOP's school year. A vedtak for a later school year asks for a
new IOP, not a move. A refusal (a made vedtak with no subjects) is newer like
any other: moving onto it leaves every subject of the plan as no longer
granted, and the plan is then archived by hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from .models import Enkeltvedtak, EnkeltvedtakSubject, Iop


@dataclass(frozen=True)
class VedtakChange:
    """One difference between the IOP's vedtak and a newer one.

    ``kind`` is one of "added", "removed", "hours", "organisation",
    "competence", "organisation_note"; ``subject`` is empty for a change of the
    whole decision; ``old``/``new`` are display texts ("76", "Liten gruppe")."""

    kind: str
    subject: str
    old: str = ""
    new: str = ""

    @property
    def message(self) -> str:
        """The change in the user's language, e.g. "Matematikk: 76 → 40 hours per year"."""
        if self.kind == "added":
            return _("%(subject)s is added (%(hours)s hours per year).") % {
                "subject": self.subject,
                "hours": self.new or "–",
            }
        if self.kind == "removed":
            return _("%(subject)s is no longer in the decision.") % {"subject": self.subject}
        if self.kind == "hours":
            return _("%(subject)s: %(old)s → %(new)s hours per year.") % {
                "subject": self.subject,
                "old": self.old or "–",
                "new": self.new or "–",
            }
        if self.kind == "organisation":
            return _("%(subject)s: organisation changed from %(old)s to %(new)s.") % {
                "subject": self.subject,
                "old": self.old,
                "new": self.new,
            }
        if self.kind == "competence":
            return _("%(subject)s: staff competence changed from %(old)s to %(new)s.") % {
                "subject": self.subject,
                "old": self.old,
                "new": self.new,
            }
        return _("The decision's description of the organisation has changed.")


def key(subject: str) -> str:
    return subject.strip().lower()


def is_newer(candidate: Enkeltvedtak, iop: Iop) -> bool:
    """Whether CANDIDATE is a vedtak the IOP should move onto (module docstring).
    Needs ``iop.vedtak`` and ``iop.school_year`` loaded; no queries."""
    old = iop.vedtak
    if candidate.pk == old.pk or not candidate.is_made or candidate.made_on is None or old.made_on is None:
        return False
    if candidate.pupil_id != iop.pupil_id:
        return False
    year = iop.school_year
    if candidate.valid_from > year.end or candidate.valid_to < year.start:
        return False
    return (candidate.made_on, candidate.created_at) > (old.made_on, old.created_at)


def replaces(candidate: Enkeltvedtak, vedtak: Enkeltvedtak) -> bool:
    """Whether CANDIDATE replaces VEDTAK: a made vedtak of the same pupil,
    made after it (a later ``made_on``, or the same day and created later),
    valid for some part of VEDTAK's period. A replaced vedtak asks for no IOP
    of its own (the plan moves onto the newer one). No queries."""
    if candidate.pk == vedtak.pk or candidate.pupil_id != vedtak.pupil_id:
        return False
    if not candidate.is_made or candidate.made_on is None or vedtak.made_on is None:
        return False
    if candidate.valid_from > vedtak.valid_to or candidate.valid_to < vedtak.valid_from:
        return False
    return (candidate.made_on, candidate.created_at) > (vedtak.made_on, vedtak.created_at)


def replaced_exists() -> Exists:
    """:func:`replaces` as a subquery on a vedtak queryset (``annotate(replaced=replaced_exists())``)."""
    later = Q(made_on__gt=OuterRef("made_on")) | Q(made_on=OuterRef("made_on"), created_at__gt=OuterRef("created_at"))
    return Exists(
        Enkeltvedtak.objects.filter(
            later,
            pupil_id=OuterRef("pupil_id"),
            status=Enkeltvedtak.Status.MADE,
            valid_from__lte=OuterRef("valid_to"),
            valid_to__gte=OuterRef("valid_from"),
        )
    )


def start_covered(iop: Iop, candidates: Iterable[Enkeltvedtak]) -> bool:
    """Whether the IOP's ``period_start`` is covered by a vedtak its own
    vedtak replaced (:func:`replaces`): a plan moved onto a newer vedtak keeps
    its start, since the older vedtak covered the earlier part (valid from
    ``period_start`` up to at least the day before the newer one's
    ``valid_from``). CANDIDATES are the pupil's vedtak, loaded; no queries."""
    vedtak = iop.vedtak
    if iop.period_start >= vedtak.valid_from:
        return True
    day_before = vedtak.valid_from - datetime.timedelta(days=1)
    return any(
        replaces(vedtak, old) and old.valid_from <= iop.period_start and old.valid_to >= day_before
        for old in candidates
    )


def replaced_vedtak(iop: Iop) -> list[Enkeltvedtak]:
    """The made vedtak of the IOP's pupil made before the IOP's own (candidates
    for :func:`start_covered`). One query."""
    return list(
        Enkeltvedtak.objects.filter(
            pupil_id=iop.pupil_id, status=Enkeltvedtak.Status.MADE, made_on__lte=iop.vedtak.made_on
        ).exclude(pk=iop.vedtak_id)
    )


def newest_of(iop: Iop, candidates: Iterable[Enkeltvedtak]) -> Enkeltvedtak | None:
    """The newest of CANDIDATES (the pupil's vedtak, already loaded) newer than the IOP's own, or None."""
    newer = [v for v in candidates if is_newer(v, iop)]
    return max(newer, key=lambda v: (v.made_on, v.created_at)) if newer else None


def newer_vedtak(iop: Iop) -> Enkeltvedtak | None:
    """The newest made vedtak of the IOP's pupil that is newer than the IOP's
    own (see the module docstring), with ``subjects`` prefetched, or None.
    Needs ``iop.vedtak`` and ``iop.school_year`` loaded; two queries (one
    when there is none)."""
    old = iop.vedtak
    if old.made_on is None:
        return None
    later = Q(made_on__gt=old.made_on) | Q(made_on=old.made_on, created_at__gt=old.created_at)
    return (
        Enkeltvedtak.objects.filter(later, pupil_id=iop.pupil_id, status=Enkeltvedtak.Status.MADE)
        .filter(valid_from__lte=iop.school_year.end, valid_to__gte=iop.school_year.start)
        .exclude(pk=old.pk)
        .prefetch_related("subjects")
        .order_by("-made_on", "-created_at")
        .first()
    )


def _hours(value: int | None) -> str:
    return "" if value is None else str(value)


def changes(old: Enkeltvedtak, new: Enkeltvedtak) -> list[VedtakChange]:
    """What NEW changes against OLD: subjects added or removed, hours,
    organisation and staff competence per subject, the organisation note.
    Reads ``subjects`` of both (prefetch them for a fixed query count)."""
    before = {key(line.subject): line for line in old.subjects.all()}
    after = {key(line.subject): line for line in new.subjects.all()}
    out: list[VedtakChange] = []
    for name, line in after.items():
        was: EnkeltvedtakSubject | None = before.get(name)
        if was is None:
            out.append(VedtakChange("added", line.subject, new=_hours(line.hours)))
            continue
        if was.hours != line.hours:
            out.append(VedtakChange("hours", line.subject, _hours(was.hours), _hours(line.hours)))
        if was.organisation != line.organisation:
            out.append(
                VedtakChange(
                    "organisation",
                    line.subject,
                    str(was.get_organisation_display()),
                    str(line.get_organisation_display()),
                )
            )
        if was.staff_competence != line.staff_competence:
            out.append(
                VedtakChange(
                    "competence",
                    line.subject,
                    str(was.get_staff_competence_display()),
                    str(line.get_staff_competence_display()),
                )
            )
    for name, line in before.items():
        if name not in after:
            out.append(VedtakChange("removed", line.subject))
    if old.organisation_note.strip() != new.organisation_note.strip():
        out.append(VedtakChange("organisation_note", ""))
    return out


def organisation_text(line: EnkeltvedtakSubject) -> str:
    """How a vedtak line reads in an IOP section's "how the teaching is
    carried out" when the IOP is made: "Liten gruppe, spesialpedagog"."""
    return f"{line.get_organisation_display()}, {line.get_staff_competence_display().lower()}"


def subjects_of(lines: Iterable[EnkeltvedtakSubject]) -> dict[str, EnkeltvedtakSubject]:
    return {key(line.subject): line for line in lines}
