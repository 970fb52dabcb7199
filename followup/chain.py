"""The chain carries the work forward: each step of ``iop`` tells the next
person and brings the next deadline.

``iop`` announces its steps through :mod:`iop.signals` (sent after commit);
:func:`connect` (called from ``FollowupConfig.ready``) listens:

* sakkyndig vurdering completed → the referral is marked assessed, open
  concerns about the pupil close, the vedtak deadline appears and the rektor
  and coordinators are told;
* vedtak made → the "IOP ready" deadline appears (counted from the vedtak) and
  the kontaktlærer is told;
* a consent to the assessment or the decision withdrawn → the pupil's open
  referrals stop and their consents count as withdrawn;
* an appeal registered → the school owner's review appears as a deadline
  (forvaltningsloven § 33) and the rektor and coordinators are told; a step
  of the appeal recorded (sent to Statsforvalteren, settled) closes it;
* IOP or IUP published, årsrapport finalised or published → the pupil's
  deadlines are brought up to date (duties fulfilled);
* an åtgärdsprogram decided → its mentor is told of its follow-up (a new
  task);
* a dated record of the Swedish support chain changed (an extra adaptation,
  an åtgärdsprogram decided or evaluated) → the pupil's deadlines are brought
  up to date (its follow-up and evaluation dates).

A receiver runs after the commit of the change it follows. It never undoes
that change: when it fails, it logs, and the nightly regeneration of the
deadlines catches up.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from iop import signals
from iop.atgardsprogram.models import Atgardsprogram
from iop.models import Appeal, CaseConsent, Enkeltvedtak, SakkyndigVurdering
from students.models import Pupil, StaffMembership, TeachingAssignment, User

from . import deadlines as engine
from . import reminders
from .atgardsprogram_sources import KIND as ATGARDSPROGRAM_KIND
from .models import Concern, Consent, Deadline, Duty, Notification, Referral

logger = logging.getLogger(__name__)


def refresh_pupil(pupil_id: uuid.UUID) -> None:
    """Bring one pupil's deadlines of the current school year up to date now."""
    pupil = Pupil.objects.filter(pk=pupil_id).only("pk", "school_id").first()
    if pupil is None:
        return
    year = engine.current_school_year(pupil.school_id)
    if year is not None:
        engine.deadlines_generate(school_year=year, pupil_ids={pupil.pk})


def _leaders(school_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__school_id=school_id,
            memberships__active=True,
            memberships__role__in=(StaffMembership.Role.KOORDINATOR, StaffMembership.Role.REKTOR),
        )
        .distinct()
        .order_by("pk")
    )


def _kontaktlaerere(pupil_id: uuid.UUID) -> list[User]:
    today = timezone.localdate()
    return list(
        User.objects.filter(
            Q(assignments__group__enrolments__end__isnull=True) | Q(assignments__group__enrolments__end__gte=today),
            is_active=True,
            assignments__role=TeachingAssignment.Role.KONTAKTLAERER,
            assignments__group__enrolments__pupil_id=pupil_id,
            assignments__group__school_year__end__gte=today,
        )
        .distinct()
        .order_by("pk")
    )


def tell(deadlines: list[Deadline], also: list[User]) -> int:
    """A "new task" notification for each of DEADLINES to its responsible
    people and to ALSO. Returns how many notifications were created."""
    created = 0
    for d in deadlines:
        recipients = {u.pk: u for u in [*engine.responsible_users(d), *also]}
        created += len(reminders.notify_now(recipients=recipients.values(), kind=Notification.Kind.TASK, deadline=d))
    return created


def _open_for(pupil_id: uuid.UUID, condition: Q) -> list[Deadline]:
    return list(
        Deadline.objects.filter(condition, pupil_id=pupil_id, state=Deadline.State.OPEN)
        .select_related("responsible", "school")
        .order_by("due", "pk")
    )


def _safely(step: str, run: Any) -> None:
    try:
        with transaction.atomic():
            run()
    except Exception:  # the change itself is committed; the nightly regeneration catches up
        logger.exception("The follow-up of %s failed.", step)


# --- receivers ------------------------------------------------------------------------------


def on_vurdering_completed(sender: Any, *, vurdering: SakkyndigVurdering, actor: User, **kwargs: Any) -> None:
    """PPT completed the sakkyndig vurdering: the referral moves on, open
    concerns close, the rektor and coordinators get the vedtak to make."""

    def run() -> None:
        now = timezone.now()
        answered = Referral.objects.filter(
            pupil_id=vurdering.pupil_id, status=Referral.Status.SENT, sent_at__lte=vurdering.completed_at or now
        )
        last_sent = answered.aggregate(last=Max("sent_at"))["last"]
        answered.update(status=Referral.Status.ASSESSED)
        with translation.override(vurdering.pupil.school.language or settings.LANGUAGE_CODE):  # the school's record
            note = gettext("Closed when PPT completed the sakkyndig vurdering (%(date)s).") % {
                "date": date_format(timezone.localdate(vurdering.completed_at or now), "SHORT_DATE_FORMAT")
            }
        # The concerns that led to the referral; a concern filed since is a new matter.
        behind = Concern.objects.none()
        if last_sent is not None:
            behind = Concern.objects.filter(pupil_id=vurdering.pupil_id, filed_at__lte=last_sent)
        for concern in behind.exclude(status=Concern.Status.CLOSED):
            concern.status = Concern.Status.CLOSED
            concern.closed_note = note
            if concern.received_at is None:
                concern.received_at = now
            concern.save(update_fields=["status", "closed_note", "received_at"])
        refresh_pupil(vurdering.pupil_id)
        due = _open_for(vurdering.pupil_id, Q(record_kind="vurdering", record_id=str(vurdering.pk)))
        tell(due, _leaders(vurdering.pupil.school_id))

    _safely("a completed sakkyndig vurdering", run)


def on_vedtak_made(sender: Any, *, vedtak: Enkeltvedtak, actor: User, **kwargs: Any) -> None:
    """A vedtak was made: the IOP is due a number of days after it and the
    kontaktlærer (who writes the IOP) is told."""

    def run() -> None:
        refresh_pupil(vedtak.pupil_id)
        due = _open_for(vedtak.pupil_id, Q(duty__fulfilment=Duty.Fulfilment.IOP_PUBLISHED))
        tell(due[:1], _kontaktlaerere(vedtak.pupil_id))

    _safely("a made vedtak", run)


def on_atgardsprogram_decided(sender: Any, *, programme: Atgardsprogram, actor: User, **kwargs: Any) -> None:
    """The rektor decided on an åtgärdsprogram: its follow-up is due (the
    pupil's deadlines were brought up to date by ``support_record_changed``,
    sent first) and the mentor, who follows it up, is told."""

    def run() -> None:
        due = _open_for(programme.pupil_id, Q(record_kind=ATGARDSPROGRAM_KIND, record_id=str(programme.pk)))
        tell(due[:1], _kontaktlaerere(programme.pupil_id))

    _safely("a decided åtgärdsprogram", run)


def on_atgardsprogram_drafted(sender: Any, *, programme: Atgardsprogram, actor: User, **kwargs: Any) -> None:
    """A draft decision on an åtgärdsprogram was written: the rektor, who
    decides (skollagen 3 kap. 9 §), is told of the decision to make (the
    pupil's deadlines were brought up to date by ``support_record_changed``,
    sent first)."""

    def run() -> None:
        due = _open_for(
            programme.pupil_id,
            Q(
                record_kind=ATGARDSPROGRAM_KIND,
                record_id=str(programme.pk),
                duty__record_event=Duty.RecordEvent.AP_DRAFT,
            ),
        )
        tell(due, [])

    _safely("a drafted åtgärdsprogram", run)


def on_utredning_started(sender: Any, *, utredning: Any, actor: User, **kwargs: Any) -> None:
    """An investigation of särskilt stöd started: the rektor, who sees to it
    that it is done promptly (skollagen 3 kap. 7 §), is told of the deadline
    (the pupil's deadlines were brought up to date by
    ``support_record_changed``, sent first)."""

    def run() -> None:
        tell(_open_for(utredning.pupil_id, Q(record_kind="utredning", record_id=str(utredning.pk))), [])

    _safely("a started utredning", run)


def on_utredning_concluded(sender: Any, *, utredning: Any, actor: User, **kwargs: Any) -> None:
    """An investigation was concluded: the draft decision that is now due
    (skollagen 3 kap. 9 §) is told to whoever writes it."""

    def run() -> None:
        tell(_open_for(utredning.pupil_id, Q(record_kind="utredning", record_id=str(utredning.pk))), [])

    _safely("a concluded utredning", run)


def on_appeal_recorded(sender: Any, *, appeal: Appeal, actor: User, created: bool = False, **kwargs: Any) -> None:
    """An appeal was registered: its review by the school owner is due (the
    rektor and coordinators are told). A later step recorded closes that
    deadline when it ends the school owner's part."""

    def run() -> None:
        pupil = Pupil.objects.filter(enkeltvedtak__appeals=appeal.pk).only("pk", "school_id").first()
        if pupil is None:
            return
        refresh_pupil(pupil.pk)
        if created:
            due = _open_for(pupil.pk, Q(record_kind="appeal", record_id=str(appeal.pk)))
            tell(due, _leaders(pupil.school_id))

    _safely("a recorded appeal", run)


def on_record_changed(sender: Any, **kwargs: Any) -> None:
    """An IOP or IUP published, an årsrapport finalised or published: the
    duties it fulfils are done."""
    record = kwargs.get("plan") or kwargs.get("report")
    pupil_id = getattr(record, "pupil_id", None)
    if pupil_id is not None:
        _safely("a published plan or report", lambda: refresh_pupil(pupil_id))


def on_support_record_changed(sender: Any, *, pupil_id: uuid.UUID, **kwargs: Any) -> None:
    """A dated record of the Swedish support chain changed: its dates are the
    pupil's deadlines now, not after the nightly regeneration."""
    _safely("a record of the support chain", lambda: refresh_pupil(pupil_id))


def on_case_consent_withdrawn(sender: Any, *, consent: CaseConsent, actor: User, **kwargs: Any) -> None:
    """A consent was withdrawn: the pupil's sent referrals not yet answered
    stop (PPT's access has ended already), and the consents of those and of
    drafts count as withdrawn."""

    def run() -> None:
        open_referrals = Referral.objects.filter(
            pupil_id=consent.pupil_id, status__in=(Referral.Status.DRAFT, Referral.Status.SENT)
        )
        Consent.objects.filter(referral__in=open_referrals, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        # A draft was never sent: without its consent it cannot be; a sent one stops.
        open_referrals.filter(status=Referral.Status.SENT).update(status=Referral.Status.STOPPED)
        refresh_pupil(consent.pupil_id)

    _safely("a withdrawn consent", run)


def connect() -> None:
    """Listen to the chain's signals (idempotent)."""
    signals.vurdering_completed.connect(on_vurdering_completed, dispatch_uid="followup-vurdering-completed")
    signals.vedtak_made.connect(on_vedtak_made, dispatch_uid="followup-vedtak-made")
    signals.case_consent_withdrawn.connect(on_case_consent_withdrawn, dispatch_uid="followup-consent-withdrawn")
    signals.appeal_recorded.connect(on_appeal_recorded, dispatch_uid="followup-appeal-recorded")
    signals.plan_published.connect(on_record_changed, dispatch_uid="followup-chain-plan-published")
    signals.report_finalised.connect(on_record_changed, dispatch_uid="followup-report-finalised")
    signals.report_published.connect(on_record_changed, dispatch_uid="followup-report-published")
    signals.support_record_changed.connect(on_support_record_changed, dispatch_uid="followup-support-record")
    signals.atgardsprogram_decided.connect(on_atgardsprogram_decided, dispatch_uid="followup-atgardsprogram-decided")
    signals.atgardsprogram_drafted.connect(on_atgardsprogram_drafted, dispatch_uid="followup-atgardsprogram-drafted")
    signals.utredning_started.connect(on_utredning_started, dispatch_uid="followup-utredning-started")
    signals.utredning_concluded.connect(on_utredning_concluded, dispatch_uid="followup-utredning-concluded")
