"""The Swedish support chain's dated records, for the deadline engine.

A draft decision waits for the rektor, who alone decides (skollagen 3 kap.
9 §): from the day it is written it is a deadline (event ``ap_draft``) until
it is decided. A decided åtgärdsprogram states when it is followed up and when it is
evaluated (skollagen 3 kap. 9 §); each date becomes a deadline through a
duty of the school's årshjul (or the school's own duty) following the record
events ``ap_follow_up`` and ``ap_evaluation``:

* the follow-up is done once the programme is evaluated on or after its
  date with an outcome other than "change", or once the rektor ends it at an
  evaluation. An evaluation that changes it follows nothing up: the programme
  stays in force until the new one is decided, and so does its follow-up,
  which then no longer applies (no record: the deadline is cancelled);
* the evaluation is done once an evaluation is recorded on or after its
  date, or the programme is no longer in force. An evaluation that
  continues the programme sets the next dates, which are deadlines again.

:data:`followup.aarshjul_data.SE_SUPPORT_DUTIES` are those duties, in the
Swedish årshjul. An extra adaptation's follow-up date (``ea_follow_up``) is a
deadline too, until the adaptation ends: each follow-up moves the date on.
An investigation of the need for särskilt stöd is the rektor's deadline from
the day it starts (``utredning_open``) until it is concluded (3 kap. 7 §);
from then a draft decision is due (``utredning_done``) until one is written.
"""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef
from django.utils import timezone

from iop.atgardsprogram.models import Atgardsprogram, AtgardsprogramUtvardering, ExtraAnpassning, Utredning
from students.models import SchoolYear

from .sources import Record, _only

DRAFT = "ap_draft"
FOLLOW_UP = "ap_follow_up"
EVALUATION = "ap_evaluation"
KIND = "atgardsprogram"
ANPASSNING_FOLLOW_UP = "ea_follow_up"
ANPASSNING_KIND = "anpassning"
UTREDNING_OPEN = "utredning_open"
UTREDNING_DONE = "utredning_done"
UTREDNING_KIND = "utredning"


def records(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    """The dated steps of the Swedish support chain at the school of
    SCHOOL_YEAR (of PUPIL_IDS when given), in two queries: each draft
    decision waiting for the rektor (from the day it was written, done once
    decided), the follow-up and evaluation dates of the decided programmes,
    the follow-up dates of the extra adaptations, and each investigation of
    särskilt stöd from the day it started (done once concluded): three queries."""
    evaluations = AtgardsprogramUtvardering.objects.filter(programme_id=OuterRef("pk"))
    Outcome = AtgardsprogramUtvardering.Outcome
    qs = Atgardsprogram.objects.filter(pupil__school_id=school_year.school_id).annotate(
        followed_up=Exists(evaluations.filter(date__gte=OuterRef("follow_up_on")).exclude(outcome=Outcome.CHANGE)),
        evaluated=Exists(evaluations.filter(date__gte=OuterRef("evaluate_on"))),
        ended_at_evaluation=Exists(evaluations.filter(outcome=Outcome.END)),
    )
    out: list[Record] = []
    fields = ("pk", "pupil_id", "kind", "status", "created_at", "decided_on", "follow_up_on", "evaluate_on")
    for row in _only(qs, pupil_ids).values(*fields, "followed_up", "evaluated", "ended_at_evaluation"):
        pk, pupil_id, kind, status, created_at, decided_on, follow_up_on, evaluate_on = (row[f] for f in fields)
        followed_up, evaluated = row["followed_up"], row["evaluated"]
        is_draft = status == Atgardsprogram.Status.DRAFT
        written = timezone.localdate(created_at)
        if decided_on is not None:  # a decision recorded afterwards, dated the day it was made
            written = min(written, decided_on)
        out.append(Record(DRAFT, KIND, str(pk), pupil_id, written, done=not is_draft))
        if is_draft or kind != Atgardsprogram.Kind.UPPRATTA:
            continue
        in_force = status == Atgardsprogram.Status.DECIDED
        # Being changed, it is in force until the new decision: its follow-up is still due.
        follow_up_due = in_force or status == Atgardsprogram.Status.EVALUATED
        follow_up_done = followed_up or row["ended_at_evaluation"]
        if follow_up_on is not None and (follow_up_due or follow_up_done):  # else replaced: no longer applies
            out.append(Record(FOLLOW_UP, KIND, str(pk), pupil_id, follow_up_on, done=follow_up_done))
        if evaluate_on is not None:
            out.append(Record(EVALUATION, KIND, str(pk), pupil_id, evaluate_on, done=evaluated or not in_force))
    adaptations = ExtraAnpassning.objects.filter(pupil__school_id=school_year.school_id)
    for pk, pupil_id, status, follow_up_on in _only(adaptations, pupil_ids).values_list(
        "pk", "pupil_id", "status", "follow_up_on"
    ):
        ended = status == ExtraAnpassning.Status.ENDED
        out.append(Record(ANPASSNING_FOLLOW_UP, ANPASSNING_KIND, str(pk), pupil_id, follow_up_on, done=ended))
    investigations = Utredning.objects.filter(pupil__school_id=school_year.school_id).annotate(
        drafted=Exists(Atgardsprogram.objects.filter(utredning_id=OuterRef("pk")))
    )
    for pk, pupil_id, started_on, concluded_on, drafted in _only(investigations, pupil_ids).values_list(
        "pk", "pupil_id", "started_on", "concluded_on", "drafted"
    ):
        out.append(Record(UTREDNING_OPEN, UTREDNING_KIND, str(pk), pupil_id, started_on, done=concluded_on is not None))
        if concluded_on is not None:  # then a draft decision, upprätta or not (3 kap. 9 §)
            out.append(Record(UTREDNING_DONE, UTREDNING_KIND, str(pk), pupil_id, concluded_on, done=drafted))
    return out
