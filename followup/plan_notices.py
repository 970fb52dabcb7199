"""Guardians hear that a plan of their child was published, or that a draft
decision is shared with them for comment (forhåndsvarsel:
:func:`notify_advance_notice`, in the app).

``iop`` sends :data:`iop.signals.plan_published` after the commit of every
publication of an IOP or IUP; :func:`on_plan_published` (connected in
``FollowupConfig.ready``) makes one :class:`followup.models.Notification` of
kind ``published`` per guardian who may read the plan (the access layer:
parental responsibility, not an adult pupil who has not allowed it). Each is
shown in the app at once; guardians who chose "e-mail me when a plan is
published" (:attr:`followup.models.Preference.plan_emails`) also get an
e-mail through the same outbox as reminders (claimed → sent, once).

The key ``published:<iop|iup>:<plan id>:<version number>:<user id>`` makes a
repeated signal for the same publication create nothing new.

A report (årsrapport, halvårsrapport) published to the guardians
(:data:`iop.signals.report_published`) is told the same way
(:func:`notify_report_published`): the same readers, in the app and by
e-mail for those who chose plan e-mails, keyed
``report:<report id>:<user id>`` (a report is published once).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from iop.atgardsprogram.models import Atgardsprogram
from iop.models import AdvanceNotice, Enkeltvedtak, Iop, Iup
from iop.reports.models import Report
from iop.signals import advance_notice_sent, atgardsprogram_decided, plan_published, report_published, vedtak_made
from students import access
from students.access import Action
from students.models import User

from .models import Notification, Preference


def connect_signals() -> None:
    plan_published.connect(on_plan_published, dispatch_uid="followup-plan-published")
    advance_notice_sent.connect(on_advance_notice_sent, dispatch_uid="followup-advance-notice-sent")
    vedtak_made.connect(on_vedtak_made, dispatch_uid="followup-vedtak-made-guardians")
    atgardsprogram_decided.connect(on_atgardsprogram_decided, dispatch_uid="followup-atgardsprogram-guardians")
    report_published.connect(on_report_published, dispatch_uid="followup-report-published-guardians")


def on_plan_published(sender: Any, *, plan: Iop | Iup, number: int | None = None, **kwargs: Any) -> None:
    notify_published(plan=plan, number=number)


def on_report_published(sender: Any, *, report: Report, **kwargs: Any) -> None:
    notify_report_published(report=report)


def on_advance_notice_sent(sender: Any, *, notice: AdvanceNotice, **kwargs: Any) -> None:
    notify_advance_notice(notice=notice)


def on_vedtak_made(sender: Any, *, vedtak: Enkeltvedtak, **kwargs: Any) -> None:
    notify_decision(vedtak=vedtak)


def notify_decision(*, vedtak: Enkeltvedtak) -> list[uuid.UUID]:
    """One in-app notification per guardian who may read the pupil: VEDTAK
    is made, and its letter with the reasons and the appeal information
    (forvaltningsloven §§ 24–27) is theirs to read. The key
    ``decision:<vedtak id>:<user id>`` makes a repeated signal create
    nothing new. Returns the ids created."""
    return _tell_guardians(
        guardian_readers(vedtak), f"decision:{vedtak.pk}", Notification.Kind.DECISION, vedtak_id=vedtak.pk
    )


def on_atgardsprogram_decided(sender: Any, *, programme: Atgardsprogram, **kwargs: Any) -> None:
    notify_support_decision(programme=programme)


def notify_support_decision(*, programme: Atgardsprogram) -> list[uuid.UUID]:
    """One in-app notification per guardian who may read the pupil: the
    rektor decided on an åtgärdsprogram (or not to draw one up), with the
    appeal information, for them to read (skollagen 3 kap. 9 §, 28 kap.
    16 §). The key ``support-decision:<programme id>:<user id>`` makes a
    repeated signal create nothing new. Returns the ids created."""
    return _tell_guardians(
        guardian_readers(programme),
        f"support-decision:{programme.pk}",
        Notification.Kind.DECISION,
        atgardsprogram_id=programme.pk,
    )


def notify_advance_notice(*, notice: AdvanceNotice) -> list[uuid.UUID]:
    """One in-app notification per guardian who may read the pupil: the
    draft decision of NOTICE (a forhåndsvarsel, forvaltningsloven § 16) is
    theirs to read and comment on by its deadline. The key
    ``notice:<notice id>:<user id>`` makes a repeated signal create nothing
    new. Returns the ids created."""
    readers = guardian_readers(notice.vedtak)
    return _tell_guardians(readers, f"notice:{notice.pk}", Notification.Kind.NOTICE, vedtak_id=notice.vedtak_id)


def _tell_guardians(readers: list[User], key: str, kind: str, **about: Any) -> list[uuid.UUID]:
    """One in-app notification of KIND per user of READERS, about the record
    named in ABOUT (``vedtak_id=...`` or ``atgardsprogram_id=...``), keyed
    ``<KEY>:<user id>`` so that a repeated signal creates nothing new.
    Returns the ids created."""
    now = timezone.now()
    rows = [
        Notification(
            key=f"{key}:{user.pk}",
            recipient=user,
            kind=kind,
            send_after=now,
            state=Notification.State.IN_APP,
            **about,
        )
        for user in readers
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return list(Notification.objects.filter(pk__in=[n.pk for n in rows]).values_list("pk", flat=True))


def guardian_readers(plan: Iop | Iup | Any) -> list[User]:
    """The active guardians of PLAN's pupil who may read it (one query per guardian for the access check)."""
    guardians = User.objects.filter(is_active=True, guardian_links__pupil_id=plan.pupil_id).distinct().order_by("pk")
    pupil = plan.pupil
    return [user for user in guardians if access.can(user, Action.VIEW, pupil)]


def notify_published(*, plan: Iop | Iup, number: int | None) -> list[uuid.UUID]:
    """One notification per guardian who may read PLAN (an Iop or Iup just
    published as version NUMBER): in the app at once, by e-mail after the
    commit for those who opted in; "plan published" for the first version,
    "changes to a plan published" for a later one. An earlier one about the
    same plan that the guardian has not opened yet is marked read: the new
    one leads to the same plan, so a day of publishing counts once. Returns
    the ids created (none when they exist already)."""
    kind = "iop" if isinstance(plan, Iop) else "iup"
    readers = guardian_readers(plan)
    about = {"iop": plan} if isinstance(plan, Iop) else {"iup": plan}
    created = _tell_by_email_too(
        readers,
        f"published:{kind}:{plan.pk}:{number or 0}",
        Notification.Kind.UPDATED if (number or 0) > 1 else Notification.Kind.PUBLISHED,
        **about,
    )
    if created:
        Notification.objects.filter(
            recipient__in=readers,
            read_at__isnull=True,
            kind__in=[Notification.Kind.PUBLISHED, Notification.Kind.UPDATED],
            **about,
        ).exclude(pk__in=created).update(read_at=timezone.now())
    return created


def notify_report_published(*, report: Report) -> list[uuid.UUID]:
    """One notification per guardian who may read REPORT (just published to
    them): in the app at once, by e-mail after the commit for those who
    chose plan e-mails. Nothing for a report not (or no longer) published.
    Returns the ids created (none when they exist already)."""
    if report.status != Report.Status.PUBLISHED:
        return []
    return _tell_by_email_too(guardian_readers(report), f"report:{report.pk}", Notification.Kind.REPORT, report=report)


def _tell_by_email_too(readers: list[User], key: str, kind: str, **about: Any) -> list[uuid.UUID]:
    """One notification of KIND per user of READERS about ABOUT, keyed
    ``<KEY>:<user id>``: in the app, and claimed for an e-mail after the
    commit for those who chose plan e-mails (and have an address). Returns
    the ids created (none when they exist already)."""
    from . import reminders, tasks

    if not readers:
        return []
    emails = set(
        Preference.objects.filter(user_id__in=[u.pk for u in readers], plan_emails=True).values_list(
            "user_id", flat=True
        )
    )
    now = timezone.now()
    rows = []
    for user in readers:
        by_email = user.pk in emails and bool(user.email)
        rows.append(
            Notification(
                key=f"{key}:{user.pk}",
                recipient=user,
                kind=kind,
                send_after=now,
                state=Notification.State.CLAIMED if by_email else Notification.State.IN_APP,
                claimed_at=now if by_email else None,
                **about,
            )
        )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        # Rows whose key existed were not inserted: only the ids made here are new.
        fresh = dict(Notification.objects.filter(pk__in=[n.pk for n in rows]).values_list("pk", "state"))
        to_send = [pk for pk, state in fresh.items() if state == Notification.State.CLAIMED]
        if to_send:
            reminders._enqueue_after_commit(tasks.enqueue_send, to_send)
    return list(fresh)
