"""Clear-line checks: "a clear, direct line from the sakkyndig vurdering, to
the enkeltvedtak, to the IOP" (DOMAIN.md, seed 000).

Each check reads rows the caller has already loaded (``subjects``,
``sections`` and ``goals`` prefetched), so a page showing the flags runs a
fixed number of queries. Settings:

* ``IOP_MISSING_AFTER_DAYS`` – days after a vedtak is made before a missing
  IOP is flagged (default 30);
* ``IOP_VAGUE_PHRASES`` – phrases that make a goal "not measurable".

The competence-aim checks (:func:`aim_flags`, :func:`iop_aim_flags`) need
``goal.competence_aims`` prefetched with ``replaced_by`` joined.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from curriculum.models import GrepStatus
from students.dates import short

from . import rebase
from .models import Enkeltvedtak, Goal, Iop, IopSubject, Iup, IupSettings, StaffCompetence

DEFAULT_MISSING_AFTER_DAYS = 30
DEFAULT_VAGUE_PHRASES = (
    "bli bedre",
    "bli flinkere",
    "jobbe med",
    "jobber med",
    "arbeide med",
    "øke forståelse",
    "øke forståelsen",
    "få bedre",
    "forbedre",
    "utvikle forståelse",
    "bli tryggere",
)


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    hint: str = ""
    blocks_publishing: bool = False
    #: A warning to look into; it does not stop the vedtak from being made.
    advisory: bool = False


def missing_after_days() -> int:
    return int(getattr(settings, "IOP_MISSING_AFTER_DAYS", DEFAULT_MISSING_AFTER_DAYS))


def default_goal_texts() -> frozenset[str]:
    """The text a new IOP goal gets before anyone writes it (``_("New learning
    goal")`` in :func:`iop.services.goal_create`), in every language of
    ``settings.LANGUAGES`` and in English, lower-cased: a goal with only this
    text is not yet a learning goal."""
    texts = {"new learning goal"}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(str(_("New learning goal")).strip().lower())
    return frozenset(texts)


def has_real_text(goal: Goal, defaults: frozenset[str] | None = None) -> bool:
    """True when GOAL's text is written: not empty and not the default text
    (DEFAULTS, else :func:`default_goal_texts`)."""
    text = goal.text.strip().lower()
    return bool(text) and text not in (default_goal_texts() if defaults is None else defaults)


def vague_phrases() -> tuple[str, ...]:
    return tuple(p.lower() for p in getattr(settings, "IOP_VAGUE_PHRASES", DEFAULT_VAGUE_PHRASES))


def _key(subject: str) -> str:
    return subject.strip().lower()


def vedtak_flags(vedtak: Enkeltvedtak) -> list[Flag]:
    """Flags on a vedtak: hours per subject, appeal information, its reasons
    (legal basis, facts, main considerations: forvaltningsloven §§ 24–25),
    and a reason wherever it deviates from the expert assessment (in
    subjects, hours, organisation or staff competence: :func:`deviations`);
    "partly refused" where it follows the assessment in everything (it refuses nothing)."""
    flags: list[Flag] = []
    lines = list(vedtak.subjects.all())
    without_hours = [line.subject for line in lines if not line.hours]
    if without_hours:
        flags.append(
            Flag(
                "vedtak_missing_hours",
                _("The decision gives no hours per year in: %(subjects)s.") % {"subjects": ", ".join(without_hours)},
                _("State the scope in hours per school year (årstimer) for every subject."),
            )
        )
    if not vedtak.appeal_info.strip():
        flags.append(
            Flag(
                "vedtak_missing_appeal",
                _("The decision lacks information about the right to appeal."),
                _("Tell the pupil and guardians they may appeal within three weeks (to Statsforvalteren)."),
            )
        )
    if not vedtak.pupil_view.strip() and not vedtak.pupil_not_heard_reason.strip():
        flags.append(
            Flag(
                "vedtak_missing_pupil_view",
                _("The decision does not say what the pupil thinks, nor why the pupil could not be heard."),
                _("Record the pupil's own view and how it was weighed, or why the pupil could not be heard."),
            )
        )
    missing = vedtak.missing_reasons()
    if missing:
        flags.append(
            Flag(
                "vedtak_missing_reasons",
                _("The decision lacks its reasons: %(fields)s.") % {"fields": ", ".join(missing)},
                _("A decision states its legal basis, the facts and the main considerations (forvaltningsloven § 25)."),
            )
        )
    assistants = [line.subject for line in lines if line.staff_competence == StaffCompetence.ASSISTANT]
    if assistants and not vedtak.vurdering.staff_competence.strip():
        flags.append(
            Flag(
                "vedtak_assistant_without_competence",
                _(
                    "The decision lets an assistant teach (%(subjects)s), but the expert assessment says nothing "
                    "about the staff's competence."
                )
                % {"subjects": ", ".join(assistants)},
                _(
                    "Teaching by staff without teacher qualifications needs PPT's assessment of their competence "
                    "(opplæringslova §§ 11-8 and 11-9). Ask PPT, or let a teacher teach."
                ),
                advisory=True,
            )
        )
    differences = deviations(vedtak)
    if differences and not vedtak.deviation_reason.strip():
        flags.append(
            Flag(
                "vedtak_deviation_without_reason",
                _("The decision deviates from the expert assessment without giving a reason: %(differences)s.")
                % {"differences": "; ".join(differences)},
                _("Explain why the decision differs from what PPT recommends (forvaltningsloven § 25)."),
            )
        )
    sv = vedtak.vurdering
    if vedtak.valid_from and vedtak.valid_to and (vedtak.valid_from < sv.valid_from or vedtak.valid_to > sv.valid_to):
        flags.append(
            Flag(
                "vedtak_outside_vurdering",
                _(
                    "The decision's period (%(start)s–%(end)s) goes beyond the period the expert assessment "
                    "covers (%(sv_start)s–%(sv_end)s)."
                )
                % {
                    "start": short(vedtak.valid_from),
                    "end": short(vedtak.valid_to),
                    "sv_start": short(sv.valid_from),
                    "sv_end": short(sv.valid_to),
                },
                _(
                    "A decision rests on a current expert assessment (opplæringslova §§ 11-6 and 11-8): keep to "
                    "its period, or ask PPT for a new assessment."
                ),
            )
        )
    if vedtak.outcome == Enkeltvedtak.Outcome.PARTLY_REFUSED and not differences:
        flags.append(
            Flag(
                "vedtak_partly_refused_as_recommended",
                _(
                    "The decision says it grants less than the expert assessment recommends, but its subjects, "
                    "hours and organisation are those the assessment recommends."
                ),
                _(
                    "Write the subjects and hours the school decides, or choose the outcome that the teaching "
                    "is granted."
                ),
            )
        )
    return flags


def deviations(vedtak: Enkeltvedtak) -> list[str]:
    """How VEDTAK departs from its expert assessment, one sentence per
    difference: subjects (content), hours, organisation and staff competence
    per subject; empty when it follows it. Organisation and competence count
    only where the assessment recommends one (rows loaded, no queries when
    ``subjects`` and ``vurdering__subjects`` are prefetched)."""
    recommended = {_key(s.subject): s for s in vedtak.vurdering.subjects.all()}
    decided = {_key(line.subject): line for line in vedtak.subjects.all()}
    found: list[str] = []
    added = [line.subject for key, line in decided.items() if key not in recommended]
    left_out = [s.subject for key, s in recommended.items() if key not in decided]
    if added:
        found.append(_("subjects not in the assessment: %(subjects)s") % {"subjects": ", ".join(added)})
    if left_out:
        found.append(_("recommended subjects left out: %(subjects)s") % {"subjects": ", ".join(left_out)})
    for key, line in decided.items():
        advice = recommended.get(key)
        if advice is None:
            continue
        if advice.hours != line.hours:
            found.append(
                _("%(subject)s: %(decided)s hours per year, recommended %(recommended)s")
                % {"subject": line.subject, "decided": line.hours or "–", "recommended": advice.hours or "–"}
            )
        if advice.organisation and advice.organisation != line.organisation:
            found.append(
                _("%(subject)s: organisation %(decided)s, recommended %(recommended)s")
                % {
                    "subject": line.subject,
                    "decided": line.get_organisation_display().lower(),
                    "recommended": advice.get_organisation_display().lower(),
                }
            )
        if advice.staff_competence and advice.staff_competence != line.staff_competence:
            found.append(
                _("%(subject)s: staff competence %(decided)s, recommended %(recommended)s")
                % {
                    "subject": line.subject,
                    "decided": line.get_staff_competence_display().lower(),
                    "recommended": advice.get_staff_competence_display().lower(),
                }
            )
    return found


def newer_vedtak_flag(iop: Iop, newer: Enkeltvedtak) -> Flag:
    """The flag of an IOP whose pupil has a newer vedtak than the IOP's own
    (:mod:`iop.rebase`): what changed, and publishing refused until the plan
    is moved onto it. Both vedtak's ``subjects`` loaded."""
    listed = [change.message for change in rebase.changes(iop.vedtak, newer)]
    made = date_format(newer.made_on, "SHORT_DATE_FORMAT") if newer.made_on else ""
    if not newer.subjects.all():
        listed.insert(0, _("It grants no individually adapted teaching."))
    message = _("A newer decision was made on %(date)s.") % {"date": made}
    if listed:
        message = f"{message} {' '.join(listed)}"
    return Flag(
        "iop_newer_vedtak",
        message,
        _(
            "The plan can not be published on the old decision. Move the IOP to the new decision: "
            "its goals, logs and history are kept."
        ),
        blocks_publishing=True,
    )


def on_iop_page(flags: list[Flag]) -> list[Flag]:
    """FLAGS without the newer-vedtak flag, which the IOP page shows in a
    section of its own (what changed, and the move)."""
    return [flag for flag in flags if flag.code != "iop_newer_vedtak"]


#: What an IOP records besides its goals and hours (the supervision's
#: checklist, followup.tilsyn; opplæringslova § 11-10 and the guide to it).
CONTENT_FIELDS = ("participants", "strengths", "aids", "evaluation", "pupil_view")


def missing_content(iop: Iop) -> list[str]:
    """The labels of IOP's :data:`CONTENT_FIELDS` left empty, in that order."""
    return [
        str(getattr(Iop._meta.get_field(name), "verbose_name", name))
        for name in CONTENT_FIELDS
        if not getattr(iop, name).strip()
    ]


def iop_flags(
    iop: Iop, newer: Enkeltvedtak | None = None, candidates: Iterable[Enkeltvedtak] | None = None
) -> list[Flag]:
    """Flags on an IOP against its vedtak: subjects, hours (in all and split
    by staff type), period, a learning goal in every subject, and NEWER (a
    newer vedtak of the pupil, see :mod:`iop.rebase`) when given. A goal
    counts only when its text is written (:func:`has_real_text`). A period
    starting before the vedtak is valid is fine where a vedtak it replaced
    covers the earlier part (:func:`iop.rebase.start_covered`, read from
    CANDIDATES, the pupil's vedtak, or one query when they are not given and
    the start comes before the vedtak's). Sections dropped when the plan moved
    onto a newer vedtak are kept (with their goals and logs) and flagged
    without blocking.

    Reads ``iop.sections``, ``iop.goals`` and ``iop.vedtak.subjects`` (prefetch
    them for a page of many plans). The IOP gives teaching within the vedtak
    (opplæringslova § 11-10 with § 11-6); every blocking flag stops publishing."""
    flags: list[Flag] = []
    vedtak = iop.vedtak
    if newer is not None:
        flags.append(newer_vedtak_flag(iop, newer))
    if vedtak.is_refusal:
        flags.append(
            Flag(
                "iop_on_refusal",
                _(
                    "The new decision is a refusal: it gives no individually adapted teaching, so no IOP rests on "
                    "it. Archive the plan when the teaching under the old decision has ended; its goals, logs and "
                    "history are kept."
                ),
                blocks_publishing=True,
            )
        )
    empty = missing_content(iop)
    if empty:
        flags.append(
            Flag(
                "iop_content_missing",
                _("The plan does not record yet: %(fields)s.") % {"fields": ", ".join(empty)},
                _("An IOP says who took part, the pupil's strengths and view, the aids, and how it is evaluated."),
                advisory=True,
            )
        )
    lines = {_key(line.subject): line for line in vedtak.subjects.all()}
    allowed = {key: line.hours for key, line in lines.items()}
    sections = list(iop.sections.all())
    defaults = default_goal_texts()
    with_goals = {goal.section_id for goal in iop.goals.all() if has_real_text(goal, defaults)}
    without_goals = [s.subject for s in sections if s.pk not in with_goals and s.dropped_on is None]
    if without_goals:
        flags.append(
            Flag(
                "iop_subject_without_goals",
                _("No learning goal yet in: %(subjects)s.") % {"subjects": ", ".join(without_goals)},
                _("Every subject of the plan needs at least one learning goal before the plan is published."),
                blocks_publishing=True,
            )
        )
    unwritten = [goal for goal in iop.goals.all() if not has_real_text(goal, defaults)]
    if unwritten:
        names: dict[Any, str] = {s.pk: s.subject for s in sections}
        places = sorted({names.get(goal.section_id) or str(_("Social and general goals")) for goal in unwritten})
        flags.append(
            Flag(
                "iop_goal_without_text",
                ngettext(
                    "%(count)s learning goal has no text yet (%(places)s).",
                    "%(count)s learning goals have no text yet (%(places)s).",
                    len(unwritten),
                )
                % {"count": len(unwritten), "places": ", ".join(places)},
                _("Write the goal or delete it before the plan is published."),
                blocks_publishing=True,
            )
        )
    for section in sections:
        key = _key(section.subject)
        if section.dropped_on is not None and key not in allowed:
            flags.append(
                Flag(
                    "iop_subject_dropped",
                    _("%(subject)s is no longer in the decision (from %(date)s).")
                    % {"subject": section.subject, "date": date_format(section.dropped_on, "SHORT_DATE_FORMAT")},
                    _("Its goals and logs are kept as a record of the teaching given."),
                )
            )
            continue
        if key not in allowed:
            flags.append(
                Flag(
                    "iop_subject_not_in_vedtak",
                    _("%(subject)s is not a subject of the decision.") % {"subject": section.subject},
                    _("An IOP can never give more or other teaching than the decision."),
                    blocks_publishing=True,
                )
            )
            continue
        granted = allowed[key]
        if section.hours and granted is not None and section.hours > granted:
            flags.append(
                Flag(
                    "iop_hours_exceed_vedtak",
                    _("%(subject)s: the plan has %(planned)s hours per year, the decision %(granted)s.")
                    % {"subject": section.subject, "planned": section.hours, "granted": granted},
                    _("Lower the hours, or make a new decision first."),
                    blocks_publishing=True,
                )
            )
        split = section.staff_hours
        if split is not None and granted is not None and split > granted:
            flags.append(
                Flag(
                    "iop_staff_hours_exceed_vedtak",
                    _(
                        "%(subject)s: the hours with teacher, special-needs teacher and assistant add up to "
                        "%(planned)s per year, the decision gives %(granted)s."
                    )
                    % {"subject": section.subject, "planned": split, "granted": granted},
                    _("Lower the hours split by staff, or make a new decision first."),
                    blocks_publishing=True,
                )
            )
        elif split is not None and section.hours and split != section.hours:
            flags.append(
                Flag(
                    "iop_staff_hours_differ",
                    _(
                        "%(subject)s: the hours with teacher, special-needs teacher and assistant add up to "
                        "%(split)s per year, the plan gives %(planned)s."
                    )
                    % {"subject": section.subject, "split": split, "planned": section.hours},
                    _("Split all of the subject's hours by staff, so the plan says who gives them."),
                    advisory=True,
                )
            )
        line = lines[key]
        if section.hours_assistant and line.staff_competence and line.staff_competence != StaffCompetence.ASSISTANT:
            flags.append(
                Flag(
                    "iop_assistant_against_vedtak",
                    _(
                        "%(subject)s: the plan gives %(hours)s hours with an assistant, but the decision says the "
                        "teaching is given by: %(competence)s."
                    )
                    % {
                        "subject": section.subject,
                        "hours": section.hours_assistant,
                        "competence": line.get_staff_competence_display().lower(),
                    },
                    _("Give the hours with the staff the decision names, or make a new decision first."),
                    advisory=True,
                )
            )
    start_ok = iop.period_start >= vedtak.valid_from or rebase.start_covered(
        iop, rebase.replaced_vedtak(iop) if candidates is None else candidates
    )
    if not start_ok or iop.period_end > vedtak.valid_to:
        flags.append(
            Flag(
                "iop_period_outside_vedtak",
                _("The plan's period goes beyond the decision's validity (%(start)s–%(end)s).")
                % {
                    "start": date_format(vedtak.valid_from, "SHORT_DATE_FORMAT"),
                    "end": date_format(vedtak.valid_to, "SHORT_DATE_FORMAT"),
                },
                _("Shorten the plan's period."),
                blocks_publishing=True,
            )
        )
    return flags


def goal_flags(goal: Goal) -> list[Flag]:
    """Flags on a goal: criteria on every level (IOP goals only) and measurable wording."""
    flags: list[Flag] = []
    if goal.iop_id and goal.missing_criteria():
        flags.append(
            Flag(
                "goal_missing_criteria",
                _("Not measurable: criteria are missing on some levels."),
                _("Describe all four levels for both quality and independence, positively, also at beginner level."),
            )
        )
    text = goal.text.lower()
    vague = [phrase for phrase in vague_phrases() if phrase in text]
    if vague:
        flags.append(
            Flag(
                "goal_vague",
                _("Not measurable: “%(phrase)s” is too general to evaluate.") % {"phrase": vague[0]},
                _(
                    "Say what the pupil will be able to do, so that it can be observed, e.g. "
                    "“reads a text of 100 words aloud with at most three errors”."
                ),
            )
        )
    return flags


def missing_iop_flags(
    vedtak_list: Iterable[Enkeltvedtak], iops: Iterable[Iop], today: datetime.date | None = None
) -> list[Flag]:
    """A made, still valid vedtak without an IOP N days after it was made.
    VEDTAK_LIST is all the pupil's vedtak: one replaced by a newer made
    vedtak (:func:`iop.rebase.replaces`; its IOP moved onto the newer one)
    asks for no IOP of its own. No queries."""
    today = today or timezone.localdate()
    vedtak_list = list(vedtak_list)
    with_iop = {iop.vedtak_id for iop in iops}
    limit = missing_after_days()
    flags: list[Flag] = []
    for vedtak in vedtak_list:
        if not vedtak.is_made or vedtak.made_on is None or vedtak.valid_to < today or vedtak.pk in with_iop:
            continue
        if any(rebase.replaces(other, vedtak) for other in vedtak_list):
            continue
        days = (today - vedtak.made_on).days
        if days > limit:
            flags.append(
                Flag(
                    "vedtak_without_iop",
                    ngettext(
                        "The decision was made %(days)s day ago, but the pupil has no IOP.",
                        "The decision was made %(days)s days ago, but the pupil has no IOP.",
                        days,
                    )
                    % {"days": days},
                    _("Make the IOP (opplæringslova § 11-10)."),
                )
            )
    return flags


def iup_problems(iup: Iup) -> list[str]:
    """What stops the IUP from being published (rows already loaded or one query each)."""
    problems: list[str] = []
    if iup.talk_date is None:
        problems.append(_("Enter the date of the development talk at which the plan was agreed."))
    elif iup.talk_date > timezone.localdate():
        date = short(iup.talk_date)
        problems.append(_("The plan can be published after the talk (%(date)s).") % {"date": date})
    if iup.is_written:
        return problems + _written_iup_problems(iup)
    if iup.uses(IupSettings.Part.PLANNING) and not iup.school_contribution.strip():
        problems.append(_("Describe what the school will do."))
    return problems


def _written_iup_problems(iup: Iup) -> list[str]:
    """A written IUP (skollagen 10 kap. 13 §) holds an assessment (omdöme) in
    every subject the pupil is taught — every subject row of the plan — the
    forward-looking planning (the school, the pupil, the guardians) and the
    agreements made at the talk, whatever the school's form says."""
    problems: list[str] = []
    rows = list(iup.assessments.all())
    missing = [a.subject for a in rows if not (a.level or a.text.strip())]
    if not rows:
        problems.append(_("A written IUP holds an assessment in every subject the pupil is taught: it has no subject."))
    elif missing:
        problems.append(
            _("A written IUP holds an assessment in every subject the pupil is taught. Not assessed yet: %(subjects)s.")
            % {"subjects": ", ".join(missing)}
        )
    if not iup.school_contribution.strip():
        problems.append(_("Describe what the school will do."))
    if not (iup.pupil_contribution.strip() and iup.guardian_contribution.strip()):
        problems.append(
            _("A written IUP holds forward-looking planning: describe what the pupil and the guardians can do.")
        )
    if not iup.agreements.strip():
        problems.append(_("A written IUP documents the agreements made at the talk: write them down."))
    return problems


def _names_code(text: str, code: str) -> bool:
    return bool(code) and re.search(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![0-9])", text, re.IGNORECASE) is not None


def aim_flags(goal: Goal, deviations: str = "") -> list[Flag]:
    """Flags on a goal's competence aims: aims the decision's deviations from
    the curriculum name (left out or changed) for the goal's subject, and aims
    that Grep has expired or replaced (with the replacing aim suggested)."""
    flags: list[Flag] = []
    for aim in goal.competence_aims.all():
        if deviations and _names_code(deviations, aim.code):
            flags.append(
                Flag(
                    "goal_aim_in_vedtak_deviations",
                    _("The competence aim %(code)s is named among the decision's deviations from the curriculum.")
                    % {"code": aim.code},
                    _("Check that the goal follows what the decision says: the aim may be left out or changed."),
                )
            )
        replacement = aim.replaced_by
        if replacement is not None or aim.replaced_by_code or aim.status != GrepStatus.PUBLISHED:
            if replacement is not None:
                hint = _("Replaced by %(code)s: %(text)s") % {"code": replacement.code, "text": replacement.text}
            elif aim.replaced_by_code:
                hint = _("Replaced by %(code)s.") % {"code": aim.replaced_by_code}
            else:
                hint = _("Choose a current aim instead.")
            flags.append(
                Flag(
                    "goal_aim_expired",
                    _("The competence aim %(code)s is no longer current in the curriculum.") % {"code": aim.code},
                    hint,
                )
            )
    return flags


def deviations_by_section(iop: Iop, sections: Iterable[IopSubject]) -> Mapping[Any, str]:
    """{section id: the vedtak's deviations from the curriculum for its subject} (vedtak subjects loaded)."""
    text = {_key(line.subject): line.curriculum_deviations for line in iop.vedtak.subjects.all()}
    return {section.pk: text.get(_key(section.subject), "") for section in sections}


def iop_aim_flags(iop: Iop) -> list[Flag]:
    """The aim flags of every goal of IOP, for the coordinator's overview
    (``sections``, ``goals`` with their aims and the vedtak's ``subjects`` loaded)."""
    deviations = deviations_by_section(iop, iop.sections.all())
    flags: list[Flag] = []
    for goal in iop.goals.all():
        for flag in aim_flags(goal, deviations.get(goal.section_id, "")):
            message = _("Goal “%(goal)s”: %(message)s") % {"goal": goal.text[:60], "message": flag.message}
            flags.append(Flag(flag.code, f"{message} {flag.hint}".strip(), flag.hint))
    return flags
