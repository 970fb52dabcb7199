"""The Swedish support chain's dated records, for the deadline engine.

A decided åtgärdsprogram states when it is followed up and when it is
evaluated (skollagen 3 kap. 9 §); each date becomes a deadline through a
duty of the school's årshjul (or the school's own duty) following the record
events ``ap_follow_up`` and ``ap_evaluation``:

* the follow-up is done once the programme is evaluated, changed or ended;
* the evaluation is done once an evaluation is recorded (whatever its
  outcome), or the programme is no longer in force.

:data:`DUTIES` are those duties, in Swedish, for a Swedish årshjul (and the
demo school's own duties, :mod:`iop.atgardsprogram.demo`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Exists, OuterRef

from iop.atgardsprogram.models import Atgardsprogram, AtgardsprogramUtvardering
from students.models import SchoolYear

from .sources import Record, _only

FOLLOW_UP = "ap_follow_up"
EVALUATION = "ap_evaluation"
KIND = "atgardsprogram"

DUTIES: list[dict[str, Any]] = [
    {
        "key": "atgardsprogram-uppfoljning",
        "title": "Uppföljning av åtgärdsprogram",
        "description": "Följ upp åtgärderna i elevens åtgärdsprogram den dag programmet anger (skollagen 3 kap. 9 §).",
        "responsible_role": "kontaktlaerer",
        "anchor": "record",
        "record_event": FOLLOW_UP,
        "offset_days": 0,
        "weekend_to_monday": False,  # the date the programme itself states
        "applies_to": "record",
        "fulfilment": "manual",
        "reminder_days": "7,1",
    },
    {
        "key": "atgardsprogram-utvardering",
        "title": "Utvärdering av åtgärdsprogram",
        "description": "Utvärdera om åtgärderna har tillgodosett elevens behov; rektorn beslutar om ändringar "
        "(skollagen 3 kap. 9 §).",
        "responsible_role": "rektor",
        "anchor": "record",
        "record_event": EVALUATION,
        "offset_days": 0,
        "weekend_to_monday": False,  # the date the programme itself states
        "applies_to": "record",
        "fulfilment": "ap_evaluated",
        "reminder_days": "14,7,1",
    },
]


def records(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    """The follow-up and evaluation dates of the decided programmes at the
    school of SCHOOL_YEAR (of PUPIL_IDS when given), in one query."""
    evaluated = AtgardsprogramUtvardering.objects.filter(programme_id=OuterRef("pk"))
    qs = (
        Atgardsprogram.objects.filter(pupil__school_id=school_year.school_id, kind=Atgardsprogram.Kind.UPPRATTA)
        .exclude(status=Atgardsprogram.Status.DRAFT)
        .annotate(evaluated=Exists(evaluated))
    )
    out: list[Record] = []
    rows = _only(qs, pupil_ids).values_list("pk", "pupil_id", "status", "follow_up_on", "evaluate_on", "evaluated")
    for pk, pupil_id, status, follow_up_on, evaluate_on, was_evaluated in rows:
        in_force = status == Atgardsprogram.Status.DECIDED
        if follow_up_on is not None:
            out.append(Record(FOLLOW_UP, KIND, str(pk), pupil_id, follow_up_on, done=was_evaluated or not in_force))
        if evaluate_on is not None:
            out.append(Record(EVALUATION, KIND, str(pk), pupil_id, evaluate_on, done=was_evaluated or not in_force))
    return out
