"""Records the deadline engine follows, read straight from the models.

Deadlines that follow a record (a concern's kartlegging, PPT's assessment of a
sent referral, the vedtak after a sakkyndig vurdering, the IOP after a vedtak,
a vedtak's end of validity, a tiltak's evaluation date, an appeal's review
by the school owner) and the duties that
apply to "pupils with a vedtak / an IOP" read the records here. Three
questions, each for a school year and (optionally) a set of pupils:

* :func:`all_records` — dated records, one :class:`Record` per record event,
* :func:`pupil_sets` — which pupils have a vedtak / an IOP this year,
* :func:`fulfilled` — which pupils' duties a record fulfils (IOP published,
  årsrapport finalised or published, IUP published).

``followup`` imports ``iop``'s models; ``iop`` never imports ``followup`` and
announces its events through :mod:`iop.signals`, which :mod:`followup.chain`
receives.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, Min, OuterRef, QuerySet
from django.utils import timezone

from iop import rebase
from iop.models import Appeal, Enkeltvedtak, Iop, Iup, SakkyndigVurdering
from iop.reports.models import Report
from students.models import SchoolYear

from .models import Concern, InterimReply, Kartlegging, Referral, Tiltak

# Pupil sets and fulfilment names (Duty.AppliesTo / Duty.Fulfilment values).
WITH_VEDTAK = "with_vedtak"
WITH_IOP = "with_iop"
IOP_PUBLISHED = "iop_published"
ARSRAPPORT = "arsrapport"
NEW_VEDTAK = "new_vedtak"
IUP_PUBLISHED = "iup_published"


@dataclass(frozen=True)
class Record:
    """One dated record a duty can follow.

    ``event`` is a ``Duty.RecordEvent`` value, ``kind`` a short name of the
    record type ("tiltak", "vedtak", ...), ``id`` stable per record (it is part
    of the deadline's key), ``date`` the day the rule counts from."""

    event: str
    kind: str
    id: str
    pupil_id: uuid.UUID
    date: datetime.date
    label: str = ""
    responsible_id: int | None = None
    # Fulfilled already (e.g. the IOP of a vedtak is published).
    done: bool = False


def _local(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _only(qs: QuerySet, pupil_ids: set[uuid.UUID] | None, path: str = "pupil_id") -> QuerySet:
    return qs if pupil_ids is None else qs.filter(**{f"{path}__in": pupil_ids})


def _tiltak(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    qs = Tiltak.objects.filter(
        status=Tiltak.Status.ACTIVE,
        pupil__school_id=school_year.school_id,
        evaluation_date__gte=school_year.start,
        evaluation_date__lte=school_year.end,
    )
    return [
        Record(
            event="tiltak_evaluation",
            kind="tiltak",
            id=f"{t.pk}:{t.evaluation_date.isoformat()}",
            pupil_id=t.pupil_id,
            date=t.evaluation_date,
            label=t.description[:80],
            responsible_id=t.responsible_id,
        )
        for t in _only(qs, pupil_ids).only("id", "pupil_id", "evaluation_date", "description", "responsible_id")
    ]


def _concerns(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    """A filed concern asks for a kartlegging; a kartlegging of the concern
    (or closing the concern) fulfils it."""
    mapped = Kartlegging.objects.filter(concern_id=OuterRef("pk"))
    qs = Concern.objects.filter(pupil__school_id=school_year.school_id).annotate(mapped=Exists(mapped))
    return [
        Record(
            event="concern_filed",
            kind="concern",
            id=str(pk),
            pupil_id=pupil_id,
            date=_local(filed_at),
            done=mapped or status == Concern.Status.CLOSED,
        )
        for pk, pupil_id, filed_at, status, mapped in _only(qs, pupil_ids).values_list(
            "pk", "pupil_id", "filed_at", "status", "mapped"
        )
    ]


def _referrals(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    """A sent referral asks PPT for a sakkyndig vurdering (PPT's waiting
    time); a vurdering completed after the referral fulfils it."""
    assessed = SakkyndigVurdering.objects.filter(
        pupil_id=OuterRef("pupil_id"),
        status=SakkyndigVurdering.Status.COMPLETED,
        completed_at__gte=OuterRef("sent_at"),
    )
    qs = (
        Referral.objects.filter(pupil__school_id=school_year.school_id)
        .exclude(status=Referral.Status.DRAFT)
        .annotate(assessed=Exists(assessed))
    )
    return [
        Record(
            event="referral_sent",
            kind="referral",
            id=str(pk),
            pupil_id=pupil_id,
            date=_local(sent_at),
            done=assessed or status == Referral.Status.ASSESSED,
        )
        for pk, pupil_id, sent_at, status, assessed in _only(qs, pupil_ids).values_list(
            "pk", "pupil_id", "sent_at", "status", "assessed"
        )
    ]


def _waiting(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    """A sent referral not assessed, and a completed vurdering not decided,
    ask after a month for an interim reply (forvaltningsloven § 11 a): done
    once one is recorded, or the case is answered or stopped."""
    assessed = SakkyndigVurdering.objects.filter(
        pupil_id=OuterRef("pupil_id"),
        status=SakkyndigVurdering.Status.COMPLETED,
        completed_at__gte=OuterRef("sent_at"),
    )
    replied = InterimReply.objects.filter(referral_id=OuterRef("pk"))
    referrals = (
        Referral.objects.filter(pupil__school_id=school_year.school_id)
        .exclude(status=Referral.Status.DRAFT)
        .annotate(assessed=Exists(assessed), replied=Exists(replied))
    )
    out = [
        Record(
            event="referral_waiting",
            kind="interim_referral",
            id=str(pk),
            pupil_id=pupil_id,
            date=_local(sent_at),
            done=assessed or replied or status != Referral.Status.SENT,
        )
        for pk, pupil_id, sent_at, status, assessed, replied in _only(referrals, pupil_ids).values_list(
            "pk", "pupil_id", "sent_at", "status", "assessed", "replied"
        )
    ]
    decided = Enkeltvedtak.objects.filter(vurdering_id=OuterRef("pk"), status=Enkeltvedtak.Status.MADE)
    replied = InterimReply.objects.filter(vurdering_id=OuterRef("pk"))
    vurderinger = SakkyndigVurdering.objects.filter(
        pupil__school_id=school_year.school_id, status=SakkyndigVurdering.Status.COMPLETED
    ).annotate(decided=Exists(decided), replied=Exists(replied))
    out += [
        Record(
            event="vurdering_waiting",
            kind="interim_vurdering",
            id=str(pk),
            pupil_id=pupil_id,
            date=_local(completed_at),
            done=decided or replied,
        )
        for pk, pupil_id, completed_at, decided, replied in _only(vurderinger, pupil_ids).values_list(
            "pk", "pupil_id", "completed_at", "decided", "replied"
        )
    ]
    return out


def _vurderinger(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    """A completed sakkyndig vurdering asks for the enkeltvedtak; a vedtak
    made on it fulfils it."""
    decided = Enkeltvedtak.objects.filter(vurdering_id=OuterRef("pk"), status=Enkeltvedtak.Status.MADE)
    qs = SakkyndigVurdering.objects.filter(
        pupil__school_id=school_year.school_id, status=SakkyndigVurdering.Status.COMPLETED
    ).annotate(decided=Exists(decided))
    return [
        Record(
            event="vurdering_completed",
            kind="vurdering",
            id=str(pk),
            pupil_id=pupil_id,
            date=_local(completed_at),
            done=decided,
        )
        for pk, pupil_id, completed_at, decided in _only(qs, pupil_ids).values_list(
            "pk", "pupil_id", "completed_at", "decided"
        )
    ]


def _made_vedtak(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> QuerySet[Enkeltvedtak]:
    """Made vedtak that grant teaching (a refusal asks for no IOP and expires into nothing)."""
    return _only(
        Enkeltvedtak.objects.filter(status=Enkeltvedtak.Status.MADE, pupil__school_id=school_year.school_id).exclude(
            outcome=Enkeltvedtak.Outcome.REFUSED
        ),
        pupil_ids,
    )


def _vedtak(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    """A made vedtak asks for its IOP (done once an IOP on it is published,
    or once a newer made vedtak replaces it: :func:`iop.rebase.replaces`)
    and, before it expires, for a new vedtak (done once a later one is made)."""
    published = Iop.objects.filter(vedtak_id=OuterRef("pk"), status=Iop.Status.PUBLISHED)
    rows = list(
        _made_vedtak(school_year, pupil_ids)
        .annotate(published=Exists(published), replaced=rebase.replaced_exists())
        .values_list("pk", "pupil_id", "made_on", "valid_to", "made_by_id", "published", "replaced")
    )
    later: dict[uuid.UUID, datetime.date] = {}
    for _pk, pupil_id, made_on, *_rest in rows:
        if made_on is not None:
            later[pupil_id] = max(later.get(pupil_id, made_on), made_on)
    out: list[Record] = []
    for pk, pupil_id, made_on, valid_to, made_by_id, published_, replaced in rows:
        if made_on is None:  # a made vedtak has its date (constraint vedtak_made_has_date)
            continue
        out.append(
            Record(
                "vedtak_made",
                "vedtak",
                str(pk),
                pupil_id,
                made_on,
                responsible_id=made_by_id,
                done=published_ or replaced,
            )
        )
        out.append(
            Record(
                "vedtak_expiry",
                "vedtak",
                str(pk),
                pupil_id,
                valid_to,
                responsible_id=made_by_id,
                done=later[pupil_id] > made_on,
            )
        )
    return out


def _appeals(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    """An appeal received asks the school owner to review it and, unless the
    decision is changed, to send it to Statsforvalteren without undue delay
    (forvaltningsloven § 33); done once the appeal register records that
    step (:meth:`iop.models.Appeal.owner_step_done`)."""
    qs = Appeal.objects.filter(vedtak__pupil__school_id=school_year.school_id).annotate(
        done=ExpressionWrapper(Appeal.owner_step_done(), output_field=BooleanField())
    )
    return [
        Record(event="appeal_received", kind="appeal", id=str(pk), pupil_id=pupil_id, date=received_on, done=done)
        for pk, pupil_id, received_on, done in _only(qs, pupil_ids, "vedtak__pupil_id").values_list(
            "pk", "vedtak__pupil_id", "received_on", "done"
        )
    ]


def all_records(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> list[Record]:
    """Every dated record of the school of SCHOOL_YEAR (of PUPIL_IDS only when
    given), in a fixed number of queries."""
    from . import atgardsprogram_sources  # the Swedish chain's records (it reads Record from here)

    return [
        *_tiltak(school_year, pupil_ids),
        *_concerns(school_year, pupil_ids),
        *_referrals(school_year, pupil_ids),
        *_vurderinger(school_year, pupil_ids),
        *_waiting(school_year, pupil_ids),
        *_vedtak(school_year, pupil_ids),
        *_appeals(school_year, pupil_ids),
        *atgardsprogram_sources.records(school_year, pupil_ids),
    ]


def vedtak_made_on(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[uuid.UUID, datetime.date]:
    """For each pupil with a made vedtak valid in SCHOOL_YEAR: the day the
    first of them was made (a vedtak made late in the year moves the IOP
    deadline after it)."""
    qs = _made_vedtak(school_year, pupil_ids).filter(valid_from__lte=school_year.end, valid_to__gte=school_year.start)
    return dict(qs.values_list("pupil_id").annotate(first=Min("made_on")).order_by())


def pupil_sets(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]:
    """``{"with_vedtak": {...}, "with_iop": {...}}`` for SCHOOL_YEAR."""
    iops = _only(Iop.objects.filter(school_year=school_year).exclude(status=Iop.Status.ARCHIVED), pupil_ids)
    return {
        WITH_VEDTAK: set(vedtak_made_on(school_year, pupil_ids)),
        WITH_IOP: set(iops.values_list("pupil_id", flat=True)),
    }


def fulfilled(school_year: SchoolYear, pupil_ids: set[uuid.UUID] | None) -> dict[str, set[uuid.UUID]]:
    """Pupils whose duty of each fulfilment kind a record of SCHOOL_YEAR
    fulfils: a published IOP, a finalised or published årsrapport, a published
    IUP."""
    iops = _only(Iop.objects.filter(school_year=school_year, status=Iop.Status.PUBLISHED), pupil_ids)
    iups = _only(
        Iup.objects.filter(school_year=school_year, status__in=[Iup.Status.PUBLISHED, Iup.Status.ARCHIVED]),
        pupil_ids,
    )
    reports = _only(
        Report.objects.filter(
            kind=Report.Kind.AARSRAPPORT,
            iop__school_year=school_year,
            status__in=[Report.Status.FINALISED, Report.Status.PUBLISHED],
        ),
        pupil_ids,
    )
    return {
        IOP_PUBLISHED: set(iops.values_list("pupil_id", flat=True)),
        IUP_PUBLISHED: set(iups.values_list("pupil_id", flat=True)),
        ARSRAPPORT: set(reports.values_list("pupil_id", flat=True)),
    }
