"""Readable history of a document (from django-simple-history) and the
difference between two published versions of an IOP."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from students.dates import short

from .collapse import HistorySeries
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
    if isinstance(value, Decimal):  # hours: 5000 and 0,2 in the reader's language, as the pages write them
        return number_format(int(value) if value == value.to_integral_value() else value)
    return str(value)


#: The attribute that names a record in words, per model (first non-empty wins).
NAMING: dict[type[models.Model], tuple[str, ...]] = {Goal: ("text", "subject")}

#: How many characters of a record's words an entry shows.
LABEL_CHARS = 80


def _short(text: str) -> str:
    text = " ".join(text.split())
    # Cut at the limit, without a full stop or comma just before the ellipsis.
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip(" .,;:") + "…"


#: The records whose history entries are named by another record of the same
#: history: model → (naming model, its key on the record, the naming words).
NAMED_BY: dict[type[models.Model], tuple[type[models.Model], str, str]] = {
    GoalLog: (Goal, "goal_id", "text"),
    TeachingLog: (IopSubject, "section_id", "subject"),
}


def _label(model: type[models.Model], record: Any, names: dict[Any, str]) -> str:
    """The record named in words: "Learning goal: Reads short texts …",
    "Goal log 01.02.2026 – Reads short texts …", "Teaching given
    01.02.2026–14.02.2026 – Mathematics" (NAMES: the newest words of the
    records that name others, see ``NAMED_BY``; a deleted goal keeps its text)."""
    name = capfirst(str(model._meta.verbose_name))
    if model is GoalLog:
        goal = names.get(record.goal_id, "")
        return f"{name} {short(record.date)}" + (f" – {_short(goal)}" if goal else "")
    if model is TeachingLog:
        subject = names.get(record.section_id, "")
        return f"{name} {short(record.period_start)}–{short(record.period_end)}" + (
            f" – {_short(subject)}" if subject else ""
        )
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


#: A history source: a historical model and the queryset of its rows that belong to the document.
Source = tuple[type[models.Model], models.QuerySet[Any]]


def _entry(model: type[models.Model], record: Any, before: Any, earlier: Any, names: dict[Any, str]) -> Change | None:
    """The entry of one historical RECORD, given the row of the same record
    before it (BEFORE) and the one before that (EARLIER), or None when the
    row changes nothing shown. When BEFORE is the kept first save of the
    series RECORD ends, the entry stands for both and compares with EARLIER."""
    since = getattr(record, "history_first_date", None)
    saves = getattr(record, "history_saves", 1)
    if _first_of_series(before, record):  # the series' first save and this one: one entry
        saves += getattr(before, "history_saves", 1)
        before = earlier
    fields = _fields(model)
    diffs = []
    if record.history_type == "+" or before is None:
        diffs = [
            FieldChange(capfirst(str(f.verbose_name)), "", _shown(model, record, f))
            for f in fields
            if _shown(model, record, f) != "–"
        ]
    elif record.history_type == "~":
        for f in fields:
            old, new = _shown(model, before, f), _shown(model, record, f)
            if old != new:
                diffs.append(FieldChange(capfirst(str(f.verbose_name)), old, new))
        if model is Goal and _aims(before) != _aims(record):
            diffs.append(FieldChange(str(_("Competence aims")), _aims(before) or "–", _aims(record) or "–"))
        if model is Iop and before.vedtak_id != record.vedtak_id:
            diffs.append(FieldChange(str(_("Individual decision")), _vedtak(before), _vedtak(record)))
        if not diffs:
            return None
    user = record.history_user
    return Change(
        when=record.history_date,
        who=user.full_name if user else _("(system)"),
        what=_label(model, record, names),
        kind=record.history_type,
        fields=diffs,
        since=since,
        saves=saves,
    )


def _rows(model: type[models.Model], records: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """RECORDS (historical rows of MODEL) with what an entry reads of them preloaded."""
    records = records.select_related("history_user")
    if model is Goal:
        aims: Any = next(r.related_model for r in records.model._meta.related_objects if r.field.name == "history")
        records = records.prefetch_related(
            Prefetch(
                "historicalgoal_competence_aims_set", queryset=aims._default_manager.select_related("competenceaim")
            )
        )
    if model is Iop:
        records = records.select_related("vedtak")
    if model is IupAssessment:
        records = records.select_related("iup")
    return records


#: Fields whose value is a step on the IUP's scale, shown as the step's words.
SCALED_FIELDS: dict[type[models.Model], frozenset[str]] = {IupAssessment: frozenset({"level", "self_level"})}


def _shown(model: type[models.Model], record: Any, field: models.Field) -> str:
    """FIELD of RECORD (a historical row of MODEL) in words: a step on an
    IUP's scale as the step's name ("Når målen"), else :func:`_display`."""
    if field.name in SCALED_FIELDS.get(model, ()):
        plan = getattr(record, "iup", None)
        label = plan.scale_label(getattr(record, field.attname)) if plan is not None else ""
        if label:
            return label
    return _display(record, field)


def changes(sources: list[Source]) -> list[Change]:
    """Every recorded change of the given historical querysets, newest first
    (ties: in the order of SOURCES, then oldest row first), all at once.

    An entry that holds a series of one user's saves (:mod:`iop.collapse`)
    compares the series' last state with the state before it, and carries
    when the series began (``since``) and how many saves it holds.

    Reads every row of the document's history; the history page reads one
    page at a time with :func:`changes_page`, which shows the same entries."""
    out: list[tuple[Key, Change]] = []
    dropped: set[int] = set()  # entries of a series' first save, shown with the series
    names: dict[Any, str] = {}
    for index, (model, records) in enumerate(sources):
        previous: dict[Any, Any] = {}
        earlier: dict[Any, Any] = {}  # the row before ``previous``
        entry: dict[Any, Change] = {}  # the entry made of ``previous``, if it made one
        for record in _rows(model, records).order_by("history_date", "history_id"):
            before = previous.get(record.id)
            if _first_of_series(before, record):
                first = entry.pop(record.id, None)
                if first is not None:
                    dropped.add(id(first))
            for namer, _key, attr in NAMED_BY.values():
                if model is namer and getattr(record, attr).strip():
                    names[record.id] = getattr(record, attr)
            change = _entry(model, record, before, earlier.get(record.id), names)
            earlier[record.id] = before
            previous[record.id] = record
            if change is None:
                entry.pop(record.id, None)
                continue
            entry[record.id] = change
            out.append((Key(record.history_date, index, record.history_id), change))
    out.sort(key=lambda pair: pair[0].order)
    return [change for _key, change in out if id(change) not in dropped]


# --- one page of the history ----------------------------------------------------------

#: How many entries one page of the history shows at most.
PAGE_SIZE = 50

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Key:
    """Where a historical row stands in the history, newest first: its
    ``history_date`` (aware), the index of its source and its ``history_id``."""

    when: datetime.datetime
    source: int
    history_id: int

    @property
    def order(self) -> tuple[datetime.timedelta, int, int]:
        """Sorts ascending in the order the history shows (newest first;
        equal times in the order of the sources, then oldest row first)."""
        return (_EPOCH - self.when, self.source, self.history_id)

    def token(self) -> str:
        """The key as the page's ``?for=`` value: "<UTC ISO datetime>_<source>_<history_id>"."""
        return f"{self.when.astimezone(datetime.UTC).isoformat()}_{self.source}_{self.history_id}"

    @classmethod
    def parse(cls, token: str | None, sources: int) -> Key | None:
        """The key of a ``?for=`` TOKEN (as :meth:`token` writes it), or None
        when TOKEN is missing or not one (not three parts, a naive or bad
        datetime, a source index outside ``range(SOURCES)``, an id below 1
        or beyond 64 bits)."""
        if not token:
            return None
        parts = token.rsplit("_", 2)
        if len(parts) != 3:
            return None
        try:
            when = datetime.datetime.fromisoformat(parts[0])
            source, history_id = int(parts[1]), int(parts[2])
            if timezone.is_naive(when) or not 0 <= source < sources or not 0 < history_id < 2**63:
                return None
            when = when.astimezone(datetime.UTC)  # a zone that puts it beyond year 1 or 9999 is no key
        except (ValueError, OverflowError):
            return None
        return cls(when, source, history_id)

    def after(self, source: int) -> Q:
        """The rows of SOURCE that come after this key in the history (older)."""
        older = Q(history_date__lt=self.when)
        if source > self.source:
            return Q(history_date__lte=self.when)
        if source == self.source:
            return older | Q(history_date=self.when, history_id__gt=self.history_id)
        return older


@dataclass
class Page:
    """One page of a document's history: at most ``PAGE_SIZE`` entries, newest
    first, and the key to pass for the next (older) page, None on the last."""

    changes: list[Change]
    older: Key | None


def _neighbour(records: models.QuerySet[Any], *, newer: bool) -> models.QuerySet[Any]:
    """The rows of RECORDS of the outer row's record, after it (NEWER) or
    before it, the nearest first (for ``Subquery(...)[:1]``)."""
    date, hid = OuterRef("history_date"), OuterRef("history_id")
    if newer:
        return (
            records.filter(id=OuterRef("id"))
            .filter(Q(history_date__gt=date) | Q(history_date=date, history_id__gt=hid))
            .order_by("history_date", "history_id")
        )
    return (
        records.filter(id=OuterRef("id"))
        .filter(Q(history_date__lt=date) | Q(history_date=date, history_id__lt=hid))
        .order_by("-history_date", "-history_id")
    )


@dataclass(frozen=True)
class _Candidate:
    """A row of a source as a page first reads it: where it stands, the
    history_ids of the two rows of its record before it, whether it is the
    kept first save of a series (shown with the series' end), and for a
    record named by another (``NAMED_BY``: a goal log, a teaching log) the
    newest words of the record that names it that are not empty."""

    key: Key
    before: int | None
    earlier: int | None
    series_first: bool
    naming_text: str | None


def _candidates(
    index: int,
    model: type[models.Model],
    records: models.QuerySet[Any],
    namers: dict[type[models.Model], models.QuerySet[Any]],
    after: Key | None,
    limit: int,
) -> list[_Candidate]:
    """The newest LIMIT rows of one source (MODEL's historical RECORDS, the
    INDEXth source) after the key AFTER, newest first; NAMERS the sources
    that name others (``NAMED_BY``: the goals name goal logs). One query; what it reads of the neighbours of a
    row it reads for the LIMIT rows only (subqueries in the select list)."""
    rows = records if after is None else records.filter(after.after(index))
    older = _neighbour(records, newer=False).values("history_id")
    rows = rows.annotate(before_id=Subquery(older[:1]), earlier_id=Subquery(older[1:2]))
    series = issubclass(records.model, HistorySeries)
    if series:
        newer = _neighbour(records, newer=True)
        rows = rows.annotate(
            next_first=Subquery(newer.values("history_first_date")[:1]),
            next_user=Subquery(newer.values("history_user_id")[:1]),
        )
    named = False
    if model in NAMED_BY and NAMED_BY[model][0] in namers:
        named = True
        namer, key, attr = NAMED_BY[model]
        texts = (
            namers[namer].filter(id=OuterRef(key), **{f"{attr}__regex": r"\S"}).order_by("-history_date", "-history_id")
        )
        rows = rows.annotate(naming_text=Subquery(texts.values(attr)[:1]))
    columns = ["history_id", "history_date", "history_type", "history_user_id", "before_id", "earlier_id"]
    columns += ["next_first", "next_user"] if series else []
    columns += ["naming_text"] if named else []
    out = []
    for row in rows.order_by("-history_date", "history_id").values(*columns)[:limit]:
        first = row.get("next_first")
        out.append(
            _Candidate(
                key=Key(row["history_date"], index, row["history_id"]),
                before=row["before_id"],
                earlier=row["earlier_id"],
                # what _first_of_series(this row, the row after it) answers
                series_first=first is not None
                and row["history_type"] == "~"
                and row["history_user_id"] == row["next_user"]
                and row["history_date"] == first,
                naming_text=row.get("naming_text"),
            )
        )
    return out


def changes_page(sources: list[Source], after: Key | None = None, size: int | None = None) -> Page:
    """The newest SIZE (≥ 1; None: ``PAGE_SIZE``) entries of the history of
    SOURCES older than the key AFTER (None: the newest), as :func:`changes`
    shows them. Raises ``ValueError`` for a SIZE below 1.

    The work is bounded by SIZE, not by the length of the history: per
    source one query for its newest 2 × SIZE + 1 rows after the key (with
    the ids of the two rows before each, what tells a series' first save,
    and the words that name goal logs and teaching logs) and one for those rows and
    their predecessors. A page holds fewer than SIZE entries only when rows
    that show nothing of their own (a series' first save, a goal moved)
    fill more than half its window; ``older`` is None only on the last page.
    Paging from None through every ``older`` shows every entry of
    :func:`changes` exactly once, in its order."""
    size = PAGE_SIZE if size is None else size
    if size < 1:
        raise ValueError(f"size must be 1 or more, not {size}")
    limit = 2 * size + 1
    namers = {model: records for model, records in sources if any(model is n for n, _k, _a in NAMED_BY.values())}
    found = [_candidates(index, model, records, namers, after, limit) for index, (model, records) in enumerate(sources)]
    # Rows beyond the last row read of a source that has more are not known yet.
    horizon = min((rows[-1].key.order for rows in found if len(rows) == limit), default=None)
    window = sorted(
        (row for rows in found for row in rows if horizon is None or row.key.order <= horizon),
        key=lambda row: row.key.order,
    )
    more = horizon is not None
    names: dict[Any, str] = {}
    shown: list[_Candidate] = []
    last: Key | None = None
    visible = 0
    for row in window:  # the rows of the page: up to SIZE that may show an entry
        if visible == size:
            more = True
            break
        last = row.key
        if not row.series_first:
            shown.append(row)
            visible += 1
    loaded: dict[int, dict[Any, Any]] = {}
    for index, (model, records) in enumerate(sources):
        wanted = {
            hid for row in shown if row.key.source == index for hid in (row.key.history_id, row.before, row.earlier)
        }
        wanted.discard(None)
        fetched = _rows(model, records.model._default_manager.filter(history_id__in=wanted)) if wanted else []
        loaded[index] = {record.history_id: record for record in fetched}
    out: list[Change] = []
    for row in shown:
        records_of = loaded[row.key.source]
        record = records_of[row.key.history_id]
        if row.naming_text is not None:
            names[getattr(record, NAMED_BY[sources[row.key.source][0]][1])] = row.naming_text
        change = _entry(
            sources[row.key.source][0], record, records_of.get(row.before), records_of.get(row.earlier), names
        )
        if change is not None:
            out.append(change)
    return Page(changes=out, older=last if more else None)


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


def vurdering_sources(pk: Any) -> list[Source]:
    """The history sources of sakkyndig vurdering PK: itself and its subject rows."""
    return [
        (SakkyndigVurdering, SakkyndigVurdering.history.filter(id=pk)),
        (SakkyndigVurderingSubject, SakkyndigVurderingSubject.history.filter(vurdering_id=pk)),
    ]


def vedtak_sources(pk: Any) -> list[Source]:
    """The history sources of enkeltvedtak PK: itself and its subject rows."""
    return [
        (Enkeltvedtak, Enkeltvedtak.history.filter(id=pk)),
        (EnkeltvedtakSubject, EnkeltvedtakSubject.history.filter(vedtak_id=pk)),
    ]


def iop_sources(pk: Any) -> list[Source]:
    """The history sources of IOP PK: itself, its sections, goals (before
    their logs, which are named by them) and teaching logs."""
    goal_ids = Goal.history.filter(iop_id=pk).values("id")
    section_ids = IopSubject.history.filter(iop_id=pk).values("id")
    return [
        (Iop, Iop.history.filter(id=pk)),
        (IopSubject, IopSubject.history.filter(iop_id=pk)),
        (Goal, Goal.history.filter(iop_id=pk)),
        (GoalLog, GoalLog.history.filter(goal_id__in=goal_ids)),
        (TeachingLog, TeachingLog.history.filter(section_id__in=section_ids)),
    ]


def iup_sources(pk: Any) -> list[Source]:
    """The history sources of IUP PK: itself, its assessments, goals and goal logs."""
    goal_ids = Goal.history.filter(iup_id=pk).values("id")
    return [
        (Iup, Iup.history.filter(id=pk)),
        (IupAssessment, IupAssessment.history.filter(iup_id=pk)),
        (Goal, Goal.history.filter(iup_id=pk)),
        (GoalLog, GoalLog.history.filter(goal_id__in=goal_ids)),
    ]


def vurdering_changes(pk: Any) -> list[Change]:
    """Every entry of sakkyndig vurdering PK's history, newest first (:func:`changes`)."""
    return changes(vurdering_sources(pk))


def vedtak_changes(pk: Any) -> list[Change]:
    """Every entry of enkeltvedtak PK's history, newest first (:func:`changes`)."""
    return changes(vedtak_sources(pk))


def iop_changes(pk: Any) -> list[Change]:
    """Every entry of IOP PK's history, newest first (:func:`changes`)."""
    return changes(iop_sources(pk))


def iup_changes(pk: Any) -> list[Change]:
    """Every entry of IUP PK's history, newest first (:func:`changes`)."""
    return changes(iup_sources(pk))


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


#: Unchanged lines shown before and after each change by :func:`fold_unchanged`.
DIFF_CONTEXT = 2


def fold_unchanged(lines: list[tuple[str, str]], context: int = DIFF_CONTEXT) -> list[tuple[str, Any]]:
    """LINES (from :func:`diff`) with each run of unchanged lines farther than
    CONTEXT lines from a change folded into one ``("…", count)`` entry, so
    that the changes of a long plan are found at once. Without any change:
    one ``("…", count)`` for the whole (or [] for no lines)."""
    changed = [i for i, (op, _line) in enumerate(lines) if op != " "]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    out: list[tuple[str, Any]] = []
    folded = 0
    for i, entry in enumerate(lines):
        if i in keep:
            if folded:
                out.append(("…", folded))
                folded = 0
            out.append(entry)
        else:
            folded += 1
    if folded:
        out.append(("…", folded))
    return out


def diff_lines(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """[(op, line)] from OLD to NEW lines, as :func:`diff`."""
    out: list[tuple[str, str]] = []
    for line in difflib.ndiff(old, new):
        op, text = line[:1], line[2:]
        if op in "+- ":
            out.append((op, text))
    return out
