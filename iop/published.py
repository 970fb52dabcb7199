"""What guardians read: the last published version of a plan.

A guardian never reads the live IOP or IUP. Teachers edit (and autosave)
the live rows; the guardians read what was true when "Publiser endringene"
was last pressed, kept as plain data in :class:`iop.models.IopVersion` and
:class:`iop.models.IupVersion` (``snapshot``). This module writes those
snapshots and turns them back into unsaved model objects (``Iop``,
``IopSubject``, ``Goal``, ``IupAssessment``) so that the guardians' pages and
PDFs are rendered by the same templates as the staff's.

What comes from the snapshot: everything written in the plan – period,
texts, sections, goals (text, criteria, competence aims attached, order),
the IUP's talk date, contributions, agreements, parts, scale and
assessments. What stays live: the goal logs (status, feed-forward, the
pupil's self-assessment) and the charts drawn from them. Logs are progress
records dated by the teacher, not edits of the plan; they reach the
guardians as they are logged today, and a goal's log stays with the goal's
id, so a published goal shows its logs whatever happened to the live text.

Snapshot shapes (``format`` 2; older IOP versions have no ``format`` and no
ids – migration 0009 added them where the rows still exist)::

    IOP: {"format": 2, "period": [iso, iso], "ordinary_teaching": str,
          "class_plan_coordination": str, "pupil_view": str, "participants": str,
          "strengths": str, "aids": str, "evaluation": str,
          "sections": [{"id", "subject", "hours", "hours_teacher",
                        "hours_special_needs_teacher", "hours_assistant", "content",
                        "working_methods", "organisation", "dropped_on": iso (only when set),
                        "goals": [GOAL]}],
          "general_goals": [GOAL]}
    GOAL: {"id", "text", "competence_aim", "competence_aims": ["KM1 text"],
           "aims": [{"id": int, "code", "text"}], "quality_1" … "independence_4"}
    IUP: {"format": 2, "talk_date": iso | None, "school_contribution",
          "pupil_contribution", "guardian_contribution", "agreements",
          "parts": [str], "scale": [str],
          "goals": [{"id", "text", "subject"}],
          "assessments": [{"id", "subject", "level", "text", "self_level", "self_text"}]}
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats

from curriculum.models import CompetenceAim

from .models import Goal, GoalLog, Iop, IopSubject, IopVersion, Iup, IupAssessment, IupVersion

FORMAT = 2
IUP_TEXT_FIELDS = ("school_contribution", "pupil_contribution", "guardian_contribution", "agreements")


# --- writing ------------------------------------------------------------------------


def goal_data(goal: Goal) -> dict[str, Any]:
    """One IOP goal as plain data (its ``competence_aims`` should be prefetched)."""
    aims = sorted(goal.competence_aims.all(), key=lambda aim: (aim.code, aim.pk))
    return {
        "id": str(goal.pk),
        "text": goal.text,
        "competence_aim": goal.competence_aim,
        "competence_aims": [f"{aim.code} {aim.text}" for aim in aims],
        "aims": [{"id": aim.pk, "code": aim.code, "text": aim.text} for aim in aims],
        **{name: getattr(goal, name) for name in Goal.CRITERIA_FIELDS},
    }


def iop_snapshot(iop: Iop, sections: Sequence[IopSubject], goals: Sequence[Goal]) -> dict[str, Any]:
    """The content of IOP as plain data, from its SECTIONS (in order) and
    GOALS (in order, with ``competence_aims`` prefetched). No queries of its own."""
    return {
        "format": FORMAT,
        "period": [iop.period_start.isoformat(), iop.period_end.isoformat()],
        **{name: getattr(iop, name) for name in Iop.TEXT_FIELDS},
        "sections": [
            {
                "id": str(s.pk),
                "subject": s.subject,
                "hours": s.hours,
                **{name: getattr(s, name) for name in IopSubject.STAFF_HOURS_FIELDS},
                "content": s.content,
                "working_methods": s.working_methods,
                "organisation": s.organisation,
                **({"dropped_on": s.dropped_on.isoformat()} if s.dropped_on else {}),
                "goals": [goal_data(g) for g in goals if g.section_id == s.pk],
            }
            for s in sections
        ],
        "general_goals": [goal_data(g) for g in goals if g.section_id is None],
    }


def iup_snapshot(iup: Iup, goals: Sequence[Goal], assessments: Sequence[IupAssessment]) -> dict[str, Any]:
    """The content of IUP as plain data, from its GOALS and ASSESSMENTS (in order). No queries."""
    return {
        "format": FORMAT,
        "talk_date": iup.talk_date.isoformat() if iup.talk_date else None,
        **{name: getattr(iup, name) for name in IUP_TEXT_FIELDS},
        "parts": list(iup.parts),
        "scale": list(iup.scale),
        "goals": [{"id": str(g.pk), "text": g.text, "subject": g.subject} for g in goals],
        "assessments": [
            {
                "id": str(a.pk),
                "subject": a.subject,
                "level": a.level,
                "text": a.text,
                "self_level": a.self_level,
                "self_text": a.self_text,
            }
            for a in assessments
        ],
    }


def load_iup_snapshot(iup: Iup) -> dict[str, Any]:
    """IUP's live content as plain data (two queries)."""
    goals = list(Goal.objects.filter(iup=iup).order_by("order", "created_at"))
    assessments = list(IupAssessment.objects.filter(iup=iup).order_by("order", "subject"))
    return iup_snapshot(iup, goals, assessments)


def local_date(iso: str | None) -> str:
    """A snapshot's ISO date ("2026-08-17") as the reader's language writes it
    ("17. august 2026" in Norwegian); "–" for none, the text as it is when it
    is not a date."""
    if not iso:
        return "–"
    try:
        day = datetime.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return formats.date_format(day, "DATE_FORMAT")


def iup_lines(snapshot: dict[str, Any]) -> list[str]:
    """An IUP snapshot as lines of text to compare (see :func:`iop.history.diff`)."""
    from django.utils.translation import gettext as _

    lines = [
        f"{_('Date of the development talk')}: {local_date(snapshot.get('talk_date'))}",
        f"{_('What the school will do')}: {snapshot.get('school_contribution', '')}",
        f"{_('What the pupil will do')}: {snapshot.get('pupil_contribution', '')}",
        f"{_('What the guardians will do')}: {snapshot.get('guardian_contribution', '')}",
        f"{_('Agreements made at the talk')}: {snapshot.get('agreements', '')}",
    ]
    scale = snapshot.get("scale", [])

    def step(n: int | None) -> str:
        return str(scale[n - 1]) if n and 1 <= n <= len(scale) else "–"

    for a in snapshot.get("assessments", []):
        lines.append(f"== {a['subject']}: {step(a.get('level'))}, {step(a.get('self_level'))}")
        if a.get("text"):
            lines.append(f"  {_('Assessment (text)')}: {a['text']}")
        if a.get("self_text"):
            lines.append("  " + _("The pupil's self-assessment") + f": {a['self_text']}")
    for g in snapshot.get("goals", []):
        lines.append(f"{_('Goal')}: {g['text']} ({g.get('subject') or _('Social goal')})")
    return lines


# --- reading -------------------------------------------------------------------------


def latest_iop_version(iop: Iop) -> IopVersion | None:
    """The last published version of IOP (one query), or None."""
    return IopVersion.objects.filter(iop_id=iop.pk).select_related("published_by").order_by("-number").first()


def latest_iup_version(iup: Iup) -> IupVersion | None:
    """The last published version of IUP (one query), or None."""
    return IupVersion.objects.filter(iup_id=iup.pk).select_related("published_by").order_by("-number").first()


def _date(raw: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _uuid(raw: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return uuid.uuid4()


def _aims(snapshot: dict[str, Any]) -> dict[int, CompetenceAim]:
    """The curriculum's aims named in SNAPSHOT, by id (one query; none without aims)."""
    from .selectors import aims_queryset

    ids = {
        aim["id"]
        for goals in [snapshot.get("general_goals", []), *(s.get("goals", []) for s in snapshot.get("sections", []))]
        for goal in goals
        for aim in goal.get("aims", [])
        if aim.get("id")
    }
    return aims_queryset().in_bulk(list(ids)) if ids else {}


def _goal(data: dict[str, Any], order: int, aims: dict[int, CompetenceAim], **plan: Any) -> Goal:
    goal = Goal(
        id=_uuid(data.get("id")),
        text=data.get("text", ""),
        competence_aim=data.get("competence_aim", ""),
        order=order,
        **{name: data.get(name, "") for name in Goal.CRITERIA_FIELDS},
        **plan,
    )
    attached = [
        aims.get(a.get("id")) or CompetenceAim(code=a.get("code", ""), text=a.get("text", ""))
        for a in data.get("aims", [])
    ]
    goal._prefetched_objects_cache = {"competence_aims": attached}  # type: ignore[attr-defined]
    return goal


@dataclass
class PublishedIop:
    """An IOP as last published: IOP carries the published plan-level texts;
    SECTIONS and GOALS are unsaved objects with the published ids."""

    iop: Iop
    version: IopVersion | None
    sections: list[IopSubject] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)


def apply_iop_version(iop: Iop, version: IopVersion) -> PublishedIop:
    """Put VERSION's content on IOP (in memory, never saved) and build its
    sections and goals. One query when the version names competence aims."""
    snap = version.snapshot
    start, end = snap.get("period", [None, None])
    if start and end:
        iop.period_start = datetime.date.fromisoformat(start)
        iop.period_end = datetime.date.fromisoformat(end)
    for name in Iop.TEXT_FIELDS:
        setattr(iop, name, snap.get(name, ""))
    aims = _aims(snap)
    sections: list[IopSubject] = []
    goals: list[Goal] = []
    for order, s in enumerate(snap.get("sections", [])):
        section = IopSubject(
            id=_uuid(s.get("id")),
            iop=iop,
            subject=s.get("subject", ""),
            hours=s.get("hours"),
            **{name: s.get(name) for name in IopSubject.STAFF_HOURS_FIELDS},
            content=s.get("content", ""),
            working_methods=s.get("working_methods", ""),
            organisation=s.get("organisation", ""),
            dropped_on=_date(s.get("dropped_on")),
            order=order,
        )
        sections.append(section)
        goals += [_goal(g, len(goals) + i, aims, iop=iop, section=section) for i, g in enumerate(s.get("goals", []))]
    goals += [_goal(g, len(goals) + i, aims, iop=iop) for i, g in enumerate(snap.get("general_goals", []))]
    return PublishedIop(iop=iop, version=version, sections=sections, goals=goals)


def published_iop(iop: Iop) -> PublishedIop | None:
    """IOP as last published (one or two queries), or None when it has no
    published version (then the live plan is what was published)."""
    version = latest_iop_version(iop)
    return apply_iop_version(iop, version) if version is not None else None


@dataclass(frozen=True)
class PublishedIds:
    """The ids (as text) of the goals and sections of an IOP's published plan."""

    goals: frozenset[str]
    sections: frozenset[str]


def published_ids(iop: Iop) -> PublishedIds | None:
    """What a report on IOP may cover (:func:`iop.reports.selectors.build_document`):
    the ids of the goals and sections of its last published version (one
    query, reading the snapshot only), whatever the plan's size.

    An IOP never published (a draft with no version) gives no ids: nothing in
    it has reached the guardians. None (no filter) for a published IOP with
    no version, a plan published before versions were kept: its live plan is
    what was published, as :func:`published_iop` reads it."""
    snapshot = IopVersion.objects.filter(iop_id=iop.pk).order_by("-number").values_list("snapshot", flat=True).first()
    if snapshot is None:
        if iop.status == Iop.Status.DRAFT:
            return PublishedIds(goals=frozenset(), sections=frozenset())
        return None
    sections = snapshot.get("sections", [])
    goals = [*snapshot.get("general_goals", []), *(g for s in sections for g in s.get("goals", []))]
    return PublishedIds(
        goals=frozenset(str(g["id"]) for g in goals if g.get("id")),
        sections=frozenset(str(s["id"]) for s in sections if s.get("id")),
    )


@dataclass
class PublishedIup:
    iup: Iup
    version: IupVersion
    goals: list[Goal]
    assessments: list[IupAssessment]


def apply_iup_version(iup: Iup, version: IupVersion) -> PublishedIup:
    """Put VERSION's content on IUP (in memory, never saved) and build its goals and assessments. No queries."""
    snap = version.snapshot
    talk = snap.get("talk_date")
    iup.talk_date = datetime.date.fromisoformat(talk) if talk else None
    for name in IUP_TEXT_FIELDS:
        setattr(iup, name, snap.get(name, ""))
    iup.parts = list(snap.get("parts", iup.parts))
    iup.scale = list(snap.get("scale", iup.scale))
    goals = [
        Goal(id=_uuid(g.get("id")), iup=iup, text=g.get("text", ""), subject=g.get("subject", ""), order=i)
        for i, g in enumerate(snap.get("goals", []))
    ]
    assessments = [
        IupAssessment(
            id=_uuid(a.get("id")),
            iup=iup,
            subject=a.get("subject", ""),
            level=a.get("level"),
            text=a.get("text", ""),
            self_level=a.get("self_level"),
            self_text=a.get("self_text", ""),
            order=i,
        )
        for i, a in enumerate(snap.get("assessments", []))
    ]
    return PublishedIup(iup=iup, version=version, goals=goals, assessments=assessments)


def published_iup(iup: Iup) -> PublishedIup | None:
    """IUP as last published (one query), or None when it has no published version."""
    version = latest_iup_version(iup)
    return apply_iup_version(iup, version) if version is not None else None


def attach_logs(goals: Iterable[Goal], logs: Any = None) -> None:
    """Load the live logs of GOALS (unsaved objects built from a snapshot) in
    one query, as if prefetched: ``goal.logs.all()`` answers from memory.
    LOGS is the GoalLog queryset to draw from (ordered); default: all, by date."""
    goals = list(goals)
    qs = logs if logs is not None else GoalLog.objects.select_related("author").order_by("date", "created_at")
    by_goal: dict[uuid.UUID, list[GoalLog]] = {g.pk: [] for g in goals}
    if goals:
        for entry in qs.filter(goal_id__in=list(by_goal)):
            by_goal[entry.goal_id].append(entry)
    for goal in goals:
        cache = getattr(goal, "_prefetched_objects_cache", {})
        cache["logs"] = by_goal[goal.pk]
        goal._prefetched_objects_cache = cache  # type: ignore[attr-defined]


def find_goal(snapshot: dict[str, Any], goal_id: Any) -> bool:
    """True when SNAPSHOT (IOP or IUP) holds the goal GOAL_ID."""
    wanted = str(goal_id)
    lists = [snapshot.get("goals", []), snapshot.get("general_goals", [])]
    lists += [s.get("goals", []) for s in snapshot.get("sections", [])]
    return any(str(g.get("id")) == wanted for goals in lists for g in goals)
