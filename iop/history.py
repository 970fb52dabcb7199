"""Readable history of a document (from django-simple-history) and the
difference between two published versions of an IOP."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from students.dates import short

from .models import (
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Goal,
    GoalLog,
    Iop,
    IopSubject,
    Iup,
    IupAssessment,
    Level,
    SakkyndigVurdering,
    SakkyndigVurderingSubject,
    TeachingLog,
)
from .published import local_date

HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "order", "parts", "scale"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    when: datetime.datetime
    who: str
    what: str
    kind: str  # "+", "~", "-"
    fields: list[FieldChange]
    since: datetime.datetime | None = None  # the first save of a collapsed series (iop.collapse)
    saves: int = 1  # how many saves the entry holds

    @property
    def same_day(self) -> bool:
        """Whether the series began on the day it ended (local time)."""
        return self.since is None or timezone.localdate(self.since) == timezone.localdate(self.when)

    @property
    def kind_label(self) -> str:
        return {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}[self.kind]


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields  # type: ignore[attr-defined]
        if not f.is_relation and f.name not in HIDDEN_FIELDS
    ]


def _display(record: Any, field: models.Field) -> str:
    value = getattr(record, field.attname)
    if value is None or value == "":
        return "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return (
            date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
            if timezone.is_aware(value)
            else date_format(value, "SHORT_DATETIME_FORMAT")
        )
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


#: The attribute that names a record in words, per model (first non-empty wins).
NAMING: dict[type[models.Model], tuple[str, ...]] = {Goal: ("text", "subject")}

#: How many characters of a record's words an entry shows.
LABEL_CHARS = 80


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _label(model: type[models.Model], record: Any, goal_texts: dict[Any, str]) -> str:
    """The record named in words: "Learning goal: Reads short texts …",
    "Goal log 01.02.2026 – Reads short texts …" (a deleted goal keeps its text)."""
    name = str(model._meta.verbose_name).capitalize()
    if model is GoalLog:
        goal = goal_texts.get(record.goal_id, "")
        return f"{name} {short(record.date)}" + (f" – {_short(goal)}" if goal else "")
    if model is TeachingLog:
        return f"{name} {short(record.period_start)}–{short(record.period_end)}"
    for attr in NAMING.get(model, ("subject", "text")):
        value = str(getattr(record, attr, "") or "")
        if value.strip():
            return f"{name}: {_short(value)}"
    return name


def _aims(record: Any) -> str:
    """The competence aims attached to a historical goal, one per line."""
    rows = record.historicalgoal_competence_aims_set.all()
    return "\n".join(sorted(str(row.competenceaim) for row in rows if row.competenceaim is not None))


def _vedtak(record: Any) -> str:
    """The vedtak a historical IOP rested on, in words (``vedtak`` joined)."""
    vedtak = getattr(record, "vedtak", None)
    if vedtak is None:
        return "–"
    if vedtak.made_on is None:
        return str(vedtak)
    return _("%(decision)s, made %(date)s") % {
        "decision": vedtak,
        "date": date_format(vedtak.made_on, "SHORT_DATE_FORMAT"),
    }


def changes(sources: list[tuple[type[models.Model], models.QuerySet[Any]]]) -> list[Change]:
    """Every recorded change of the given historical querysets, newest first.

    An entry that holds a series of one user's saves (:mod:`iop.collapse`)
    compares the series' last state with the state before it, and carries
    when the series began (``since``) and how many saves it holds."""
    out: list[Change] = []
    dropped: set[int] = set()  # entries of a series' first save, shown with the series
    goal_texts: dict[Any, str] = {}
    aims_label = str(_("Competence aims"))
    vedtak_label = str(_("Individual decision"))
    for model, records in sources:
        fields = _fields(model)
        previous: dict[Any, Any] = {}
        records = records.select_related("history_user").order_by("history_date", "history_id")
        if model is Goal:
            records = records.prefetch_related("historicalgoal_competence_aims_set__competenceaim")
        if model is Iop:
            records = records.select_related("vedtak")
        earlier: dict[Any, Any] = {}  # the row before ``previous``
        entry: dict[Any, Change] = {}  # the entry made of ``previous``
        for record in records:
            before = previous.get(record.id)
            since = getattr(record, "history_first_date", None)
            saves = getattr(record, "history_saves", 1)
            if _first_of_series(before, record):  # the series' first save and this one: one entry
                first = entry.pop(record.id, None)
                if first is not None:
                    dropped.add(id(first))
                saves += getattr(before, "history_saves", 1)
                before = earlier.get(record.id)
            earlier[record.id] = previous.get(record.id)
            if model is Goal and record.text.strip():
                goal_texts[record.id] = record.text
            diffs = []
            if record.history_type == "+" or before is None:
                diffs = [
                    FieldChange(capfirst(str(f.verbose_name)), "", _display(record, f))
                    for f in fields
                    if _display(record, f) != "–"
                ]
            elif record.history_type == "~":
                for f in fields:
                    old, new = _display(before, f), _display(record, f)
                    if old != new:
                        diffs.append(FieldChange(capfirst(str(f.verbose_name)), old, new))
                if model is Goal and _aims(before) != _aims(record):
                    diffs.append(FieldChange(aims_label, _aims(before) or "–", _aims(record) or "–"))
                if model is Iop and before.vedtak_id != record.vedtak_id:
                    diffs.append(FieldChange(vedtak_label, _vedtak(before), _vedtak(record)))
                if not diffs:
                    previous[record.id] = record
                    continue
            previous[record.id] = record
            user = record.history_user
            change = Change(
                when=record.history_date,
                who=user.full_name if user else _("(system)"),
                what=_label(model, record, goal_texts),
                kind=record.history_type,
                fields=diffs,
                since=since,
                saves=saves,
            )
            entry[record.id] = change
            out.append(change)
    out = [c for c in out if id(c) not in dropped]
    out.sort(key=lambda c: c.when, reverse=True)
    return out


def _first_of_series(before: Any, record: Any) -> bool:
    """Whether BEFORE is the kept first save of the series RECORD ends
    (see :mod:`iop.collapse`)."""
    since = getattr(record, "history_first_date", None)
    return (
        since is not None
        and before is not None
        and before.history_type == "~"
        and before.history_user_id == record.history_user_id
        and before.history_date == since
    )


def vurdering_changes(pk: Any) -> list[Change]:
    return changes(
        [
            (SakkyndigVurdering, SakkyndigVurdering.history.filter(id=pk)),
            (SakkyndigVurderingSubject, SakkyndigVurderingSubject.history.filter(vurdering_id=pk)),
        ]
    )


def vedtak_changes(pk: Any) -> list[Change]:
    return changes(
        [
            (Enkeltvedtak, Enkeltvedtak.history.filter(id=pk)),
            (EnkeltvedtakSubject, EnkeltvedtakSubject.history.filter(vedtak_id=pk)),
        ]
    )


def iop_changes(pk: Any) -> list[Change]:
    goal_ids = Goal.history.filter(iop_id=pk).values("id")
    section_ids = IopSubject.history.filter(iop_id=pk).values("id")
    return changes(
        [
            (Iop, Iop.history.filter(id=pk)),
            (IopSubject, IopSubject.history.filter(iop_id=pk)),
            (Goal, Goal.history.filter(iop_id=pk)),
            (GoalLog, GoalLog.history.filter(goal_id__in=goal_ids)),
            (TeachingLog, TeachingLog.history.filter(section_id__in=section_ids)),
        ]
    )


def iup_changes(pk: Any) -> list[Change]:
    goal_ids = Goal.history.filter(iup_id=pk).values("id")
    return changes(
        [
            (Iup, Iup.history.filter(id=pk)),
            (IupAssessment, IupAssessment.history.filter(iup_id=pk)),
            (Goal, Goal.history.filter(iup_id=pk)),
            (GoalLog, GoalLog.history.filter(goal_id__in=goal_ids)),
        ]
    )


# --- comparing published versions --------------------------------------------------


def _goal_lines(goal: dict[str, Any]) -> list[str]:
    lines = [f"{_('Learning goal')}: {goal['text']}"]
    if goal.get("competence_aim"):
        lines.append(f"  {_('Competence aim')}: {goal['competence_aim']}")
    for aim in goal.get("competence_aims", []):
        lines.append(f"  {_('Competence aim')}: {aim}")
    for axis, axis_label in (("quality", _("Quality")), ("independence", _("Independence"))):
        for level in Level:
            text = goal.get(f"{axis}_{level.value}", "")
            if text:
                lines.append(f"  {axis_label} – {level.label}: {text}")
    return lines


def snapshot_lines(snapshot: dict[str, Any]) -> list[str]:
    start, end = snapshot.get("period", ["", ""])
    lines = [
        f"{_('Period')}: {local_date(start)} – {local_date(end)}",
        f"{_('Ordinary teaching')}: {snapshot.get('ordinary_teaching', '')}",
        f"{_('Coordination with the class plan')}: {snapshot.get('class_plan_coordination', '')}",
        _("The pupil's own view and how it was weighed") + f": {snapshot.get('pupil_view', '')}",
    ]
    # newer texts only when written, so a version published before they existed compares equal
    for key, label in (
        ("participants", _("Who took part in making the plan")),
        ("strengths", _("The pupil's strengths and interests")),
        ("aids", _("Aids and learning materials")),
        ("evaluation", _("When and how the plan is evaluated")),
    ):
        if snapshot.get(key):
            lines.append(f"{label}: {snapshot[key]}")
    for section in snapshot.get("sections", []):
        lines.append(f"== {section['subject']} ({section.get('hours') or '–'} {_('hours per year')})")
        if section.get("dropped_on"):
            lines.append(f"{_('No longer in the decision from')}: {section['dropped_on']}")
        for key, label in (
            ("hours_teacher", _("Hours with a teacher")),
            ("hours_special_needs_teacher", _("Hours with a special-needs teacher")),
            ("hours_assistant", _("Hours with an assistant")),
        ):
            if section.get(key) is not None:
                lines.append(f"{label}: {section[key]}")
        lines.append(f"{_('Content')}: {section.get('content', '')}")
        lines.append(f"{_('Working methods')}: {section.get('working_methods', '')}")
        lines.append(f"{_('How the teaching is carried out')}: {section.get('organisation', '')}")
        for goal in section.get("goals", []):
            lines.extend(_goal_lines(goal))
    if snapshot.get("general_goals"):
        lines.append(f"== {_('Social and general goals')}")
        for goal in snapshot["general_goals"]:
            lines.extend(_goal_lines(goal))
    return lines


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """[(op, line)] with op "+" (added), "-" (removed) or " " (unchanged)."""
    return diff_lines(snapshot_lines(old), snapshot_lines(new))


def diff_lines(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """[(op, line)] from OLD to NEW lines, as :func:`diff`."""
    out: list[tuple[str, str]] = []
    for line in difflib.ndiff(old, new):
        op, text = line[:1], line[2:]
        if op in "+- ":
            out.append((op, text))
    return out
