"""Reminders and notifications, sent exactly once.

Two steps, both claiming rows with ``SELECT … FOR UPDATE SKIP LOCKED`` so two
sweeps running at once never take the same row:

1. :func:`sweep_deadlines` — open deadlines whose ``next_reminder_at`` has come
   (a partial index holds only those) get their notifications created. Each
   has a unique key per (deadline, recipient, kind): creating it twice is a
   no-op.
2. :func:`sweep_notifications` — pending notifications that are due are
   claimed and a send task is enqueued for each after the commit. Claims whose
   worker died are taken again after a lease longer than the task time limit.

:func:`send_notification` locks the row, sends the email and marks it sent in
one transaction, so a duplicate task (a redelivered message, a second sweep)
finds it sent and does nothing. Without a broker the tasks run in-process.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from students import access
from students.context_processors import site_name
from students.models import User

from . import deadlines as engine
from . import schedule
from .models import Concern, Deadline, Notification, Preference, Referral

logger = logging.getLogger(__name__)


def _prefers_digest(user_ids: Iterable[int]) -> set[int]:
    return set(
        Preference.objects.filter(user_id__in=list(user_ids), daily_digest=True).values_list("user_id", flat=True)
    )


def language_of(user: User) -> str:
    """The recipient's language: their own choice (``User.language``), else
    their school's (the access layer's profile), else the site's default."""
    from students import access

    return user.language or getattr(access.profile(user), "language", None) or settings.LANGUAGE_CODE


# --- step 1: deadlines → notifications -----------------------------------------


@dataclass
class SweepResult:
    deadlines: int = 0
    created: int = 0
    claimed: int = 0
    digests: int = 0


class _Recipients:
    """Who gets a deadline's reminder, cached across one batch of the sweep
    (the queries follow the number of schools and roles, not of deadlines)."""

    def __init__(self) -> None:
        self.by_role: dict[tuple[int, str], list[User]] = {}
        self.leaders: dict[int, list[User]] = {}

    def of(self, deadline: Deadline, stage: schedule.Stage) -> dict[int, User]:
        out: dict[int, User] = {}
        if deadline.responsible_id and deadline.responsible and deadline.responsible.is_active:
            out[deadline.responsible.pk] = deadline.responsible
        else:
            key = (deadline.school_id, deadline.responsible_role)
            if key not in self.by_role:
                self.by_role[key] = engine.responsible_users(deadline)
            out.update({u.pk: u for u in self.by_role[key]})
        if stage.kind == Notification.Kind.OVERDUE:
            if deadline.school_id not in self.leaders:
                self.leaders[deadline.school_id] = engine.coordinators(deadline.school_id)
            out.update({u.pk: u for u in self.leaders[deadline.school_id]})
        return out


def _notifications_for(
    deadline: Deadline, stage: schedule.Stage, recipients: dict[int, User], digest: set[int], now: datetime.datetime
) -> list[Notification]:
    return [
        Notification(
            key=f"d:{deadline.pk}:{uid}:{stage.kind}:{stage.days_before}",
            recipient_id=uid,
            kind=stage.kind,
            days_before=stage.days_before,
            deadline=deadline,
            digest=uid in digest and stage.kind != Notification.Kind.OVERDUE,
            send_after=now,
        )
        for uid in recipients
    ]


def sweep_deadlines(*, now: datetime.datetime | None = None, batch: int = 500) -> SweepResult:
    """Create the notifications of deadlines whose next reminder has come."""
    now = now or timezone.now()
    result = SweepResult()
    while True:
        with transaction.atomic():
            rows = list(
                Deadline.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=Deadline.State.OPEN, next_reminder_at__isnull=False, next_reminder_at__lte=now)
                # An archived pupil (who left) gets no reminders (followup.archived ends such deadlines).
                .filter(Q(pupil__isnull=True) | Q(pupil__archived_at__isnull=True))
                .select_related("responsible")
                .order_by("next_reminder_at")[:batch]
            )
            if not rows:
                return result
            people = _Recipients()
            planned: list[tuple[Deadline, schedule.Stage, dict[int, User]]] = []
            for d in rows:
                stages = schedule.reminder_stages(d.due, _days(d.reminder_days))
                stage = schedule.due_stage(stages, d.reminded_through, now)
                if stage is not None:
                    planned.append((d, stage, people.of(d, stage)))
                following = schedule.next_stage_after(stages, now)
                d.reminded_through = now
                d.next_reminder_at = following.at if following else None
            digest = _prefers_digest({uid for _d, _s, who in planned for uid in who})
            new = [n for d, stage, who in planned for n in _notifications_for(d, stage, who, digest, now)]
            created = Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
            # Reminder times fall on a few distinct moments: one UPDATE per moment.
            by_next: dict[datetime.datetime | None, list[uuid.UUID]] = defaultdict(list)
            for d in rows:
                by_next[d.next_reminder_at].append(d.pk)
            for moment, ids in by_next.items():
                Deadline.objects.filter(pk__in=ids).update(reminded_through=now, next_reminder_at=moment)
            result.deadlines += len(rows)
            result.created += len(created)
        if len(rows) < batch:
            return result


def _days(raw: str) -> list[int]:
    try:
        from .models import parse_reminder_days

        return parse_reminder_days(raw)
    except ValueError:
        return [7, 1]


# --- step 2: claim and send ------------------------------------------------------


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.FOLLOWUP_CLAIM_LEASE_SECONDS)


@dataclass
class _Enqueue:
    failed: bool = False


def _enqueue_after_commit(
    send: Callable[[list[uuid.UUID]], None], ids: list[uuid.UUID], status: _Enqueue | None = None
) -> None:
    def run() -> None:
        try:
            send(ids)
        except Exception:  # the broker is down: release the claim, the next sweep retries
            logger.warning("Could not enqueue %d notification(s); they stay pending.", len(ids), exc_info=True)
            Notification.objects.filter(pk__in=ids, state=Notification.State.CLAIMED).update(
                state=Notification.State.PENDING, claimed_at=None
            )
            if status is not None:
                status.failed = True

    transaction.on_commit(run)


def sweep_notifications(
    *, now: datetime.datetime | None = None, batch: int = 500, enqueue: Callable[[list[uuid.UUID]], None] | None = None
) -> SweepResult:
    """Claim due notifications (and stale claims) and enqueue their sending."""
    from . import tasks

    now = now or timezone.now()
    enqueue = enqueue or tasks.enqueue_send
    result = SweepResult()
    status = _Enqueue()
    due = Q(state=Notification.State.PENDING, send_after__lte=now, digest=False) | Q(
        state=Notification.State.CLAIMED, claimed_at__lt=now - _lease()
    )
    while True:
        with transaction.atomic():
            ids = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(due)
                .order_by("send_after")
                .values_list("pk", flat=True)[:batch]
            )
            if ids:
                Notification.objects.filter(pk__in=ids).update(state=Notification.State.CLAIMED, claimed_at=now)
                for start in range(0, len(ids), 50):
                    _enqueue_after_commit(enqueue, ids[start : start + 50], status)
            result.claimed += len(ids)
        if len(ids) < batch or status.failed:  # nothing more, or the broker is down: stop, retry next time
            break
    result.digests = sweep_digests(now=now)
    return result


def sweep_digests(*, now: datetime.datetime | None = None) -> int:
    """Once the day's digest hour has passed, claim each digest reader's due
    notifications and enqueue one summary email per person."""
    from . import tasks

    now = now or timezone.now()
    if timezone.localtime(now).hour < settings.FOLLOWUP_DIGEST_HOUR:
        return 0
    count = 0
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state=Notification.State.PENDING, digest=True, send_after__lte=now)
            .values_list("pk", "recipient_id")[:5000]
        )
        by_user: dict[int, list[uuid.UUID]] = defaultdict(list)
        for pk, user_id in rows:
            by_user[user_id].append(pk)
        if rows:
            Notification.objects.filter(pk__in=[r[0] for r in rows]).update(
                state=Notification.State.CLAIMED, claimed_at=now
            )
        for ids in by_user.values():
            _enqueue_after_commit(tasks.enqueue_digest, ids)
            count += 1
    return count


def sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    first = sweep_deadlines(now=now)
    second = sweep_notifications(now=now)
    logger.info(
        "Reminder sweep: %d deadline(s) due, %d notification(s) created, %d claimed for sending, %d digest(s).",
        first.deadlines,
        first.created,
        second.claimed,
        second.digests,
    )
    return SweepResult(deadlines=first.deadlines, created=first.created, claimed=second.claimed, digests=second.digests)


# --- sending --------------------------------------------------------------------------


def _link(path: str) -> str:
    return settings.FOLLOWUP_SITE_URL.rstrip("/") + path


def _subject_and_context(n: Notification) -> tuple[str, dict[str, Any]]:
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    ctx: dict[str, Any] = {"notification": n, "recipient": n.recipient}
    if n.deadline_id:
        d = n.deadline
        assert d is not None
        ctx.update(deadline=d, link=_link(reverse("followup:dashboard")))
        if n.kind == Notification.Kind.TASK:
            from .selectors import deadline_link  # selectors import services, which import this module

            ctx.update(link=_link(deadline_link(d)))  # straight to the record the task is about
            subject = _("New task: %(title)s") % {"title": d.shown_title}
        elif n.kind == Notification.Kind.OVERDUE:
            subject = _("Overdue: %(title)s") % {"title": d.shown_title}
        elif n.kind == Notification.Kind.ON_DAY:
            subject = _("Due today: %(title)s") % {"title": d.shown_title}
        else:
            subject = ngettext("Due in %(days)s day: %(title)s", "Due in %(days)s days: %(title)s", n.days_before) % {
                "days": n.days_before,
                "title": d.shown_title,
            }
    elif n.concern_id:
        c = n.concern
        assert c is not None
        ctx.update(concern=c, link=_link(reverse("followup:concern_detail", args=[c.pk])))
        subject = _("New concern about a pupil at %(school)s") % {"school": c.pupil.school.name}
    elif n.iop_id or n.iup_id:
        plan = n.iop or n.iup
        assert plan is not None
        ctx.update(plan=plan, link=_link(plan.get_absolute_url()))
        if n.kind == Notification.Kind.UPDATED:
            subject = _("Changes to a plan have been published at %(school)s") % {"school": plan.pupil.school.name}
        else:
            subject = _("A plan has been published at %(school)s") % {"school": plan.pupil.school.name}
    elif n.vedtak_id:
        v = n.vedtak
        assert v is not None
        ctx.update(plan=v, link=_link(reverse("iop:vedtak_detail", args=[v.pk])))
        subject = _("A draft decision for comment from %(school)s") % {"school": v.pupil.school.name}
    elif n.report_id:
        rep = n.report
        assert rep is not None
        ctx.update(report=rep, link=_link(reverse("reports:report_detail", args=[rep.pk])))
        subject = _("A report has been published at %(school)s") % {"school": rep.pupil.school.name}
    elif n.atgardsprogram_id:
        p = n.atgardsprogram
        assert p is not None
        ctx.update(plan=p, link=_link(reverse("atgardsprogram:programme", args=[p.pk])))
        subject = _("A decision on särskilt stöd from %(school)s") % {"school": p.pupil.school.name}
    else:
        r = n.referral
        assert r is not None
        ctx.update(referral=r, link=_link(reverse("followup:referral_detail", args=[r.pk])))
        subject = _("New referral to PPT from %(school)s") % {"school": r.pupil.school.name}
    return subject, ctx


def _send_mail(to: User, subject: str, template: str, ctx: dict[str, Any]) -> None:
    ctx = {**ctx, "site_name": site_name(access.profile(to))}  # no IOP named to a Swedish school's staff
    text = render_to_string(f"followup/email/{template}.txt", ctx)
    html = render_to_string(f"followup/email/{template}.html", ctx)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to.email])
    message.attach_alternative(html, "text/html")
    message.send()


def _visible_to_recipient(ids: Sequence[uuid.UUID], recipient: User) -> set[uuid.UUID]:
    """Which of IDS the recipient may still see (the access layer, asked at send time:
    a membership ended or a group lost since the notification was made means no email)."""
    from .selectors import visible_notifications

    return set(visible_notifications(recipient).filter(pk__in=list(ids)).values_list("pk", flat=True))


def send_notification(notification_id: uuid.UUID | str) -> str:
    """Send one claimed notification; does nothing when it is no longer
    claimed (already sent by a duplicate task, or cancelled). Cancels it
    instead of sending when the deadline is closed, the recipient inactive, or
    the recipient may no longer see what it is about (membership ended, group
    lost): returns ``"sent"``, ``"skipped"``, ``"cancelled"`` or ``"failed"``."""
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(of=("self",))
            .select_related(
                "recipient",
                "deadline",
                "concern__pupil__school",
                "referral__pupil__school",
                "iop__pupil__school",
                "iup__pupil__school",
                "report__pupil__school",
            )
            .filter(pk=notification_id)
            .first()
        )
        if n is None or n.state != Notification.State.CLAIMED:
            logger.info("Notification %s skipped: already sent or no longer claimed.", notification_id)
            return "skipped"
        if (n.deadline_id and n.deadline and n.deadline.state != Deadline.State.OPEN) or not n.recipient.is_active:
            n.state = Notification.State.CANCELLED
            n.save(update_fields=["state"])
            logger.info("Notification %s cancelled: its deadline is closed or its recipient inactive.", n.pk)
            return "cancelled"
        if not _visible_to_recipient([n.pk], n.recipient):
            n.state = Notification.State.CANCELLED
            n.save(update_fields=["state"])
            logger.info("Notification %s cancelled: its recipient may no longer see what it is about.", n.pk)
            return "cancelled"
        n.attempts += 1
        try:
            with translation.override(language_of(n.recipient)):
                subject, ctx = _subject_and_context(n)
                _send_mail(n.recipient, subject, "notification", ctx)
        except Exception as exc:  # SMTP trouble: retry later, give up after a few attempts
            logger.warning("Sending notification %s failed: %s", n.pk, exc)
            n.last_error = str(exc)[:300]
            if n.attempts >= settings.FOLLOWUP_MAX_ATTEMPTS:
                n.state = Notification.State.FAILED
            else:
                n.state = Notification.State.PENDING
                n.send_after = timezone.now() + datetime.timedelta(minutes=5 * n.attempts)
            n.claimed_at = None
            n.save(update_fields=["attempts", "last_error", "state", "send_after", "claimed_at"])
            return "failed"
        n.state = Notification.State.SENT
        n.sent_at = timezone.now()
        n.save(update_fields=["state", "sent_at", "attempts"])
        logger.info("Notification %s (%s) sent.", n.pk, n.kind)
        return "sent"


def send_digest(notification_ids: Sequence[uuid.UUID | str]) -> str:
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(pk__in=notification_ids, state=Notification.State.CLAIMED)
            .select_related("recipient", "deadline")
            .order_by("deadline__due")
        )
        if not rows:
            return "skipped"
        recipient = rows[0].recipient
        rows = [n for n in rows if n.recipient_id == recipient.pk]
        visible = _visible_to_recipient([n.pk for n in rows], recipient)
        live = [n for n in rows if n.pk in visible and (n.deadline is None or n.deadline.state == Deadline.State.OPEN)]
        now = timezone.now()
        if live and recipient.is_active:
            from django.utils.translation import gettext as _

            with translation.override(language_of(recipient)):
                subject = _("Your deadlines: daily summary")
                ctx = {"rows": live, "recipient": recipient, "link": _link(reverse("followup:dashboard"))}
                _send_mail(recipient, subject, "digest", ctx)
        Notification.objects.filter(pk__in=[n.pk for n in live]).update(state=Notification.State.SENT, sent_at=now)
        Notification.objects.filter(pk__in=[n.pk for n in rows if n not in live]).update(
            state=Notification.State.CANCELLED
        )
        logger.info("Daily summary: %d notification(s) sent, %d cancelled.", len(live), len(rows) - len(live))
        return "sent"


# --- immediate notices (concern filed, referral sent) --------------------------------


def notify_now(
    *,
    recipients: Iterable[User],
    kind: str,
    concern: Concern | None = None,
    referral: Referral | None = None,
    deadline: Deadline | None = None,
) -> list[uuid.UUID]:
    """In-app at once; the email is enqueued after the commit (or picked up by
    the next sweep when the broker is down). One notification per (KIND,
    subject, recipient): calling it again for the same ones creates nothing.
    Returns the ids of the notifications created."""
    from . import tasks

    now = timezone.now()
    subject = concern or referral or deadline
    assert subject is not None, "a notification is about a concern, a referral or a deadline"
    rows = [
        Notification(
            key=f"{kind}:{subject.pk}:{user.pk}",
            recipient=user,
            kind=kind,
            concern=concern,
            referral=referral,
            deadline=deadline,
            send_after=now,
            state=Notification.State.CLAIMED,
            claimed_at=now,
        )
        for user in {u.pk: u for u in recipients}.values()
    ]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    ids = [n.pk for n in created]
    if ids:
        _enqueue_after_commit(tasks.enqueue_send, ids)
    return ids


def cancel_for_deadline(deadline: Deadline) -> None:
    Notification.objects.filter(deadline=deadline, state=Notification.State.PENDING).update(
        state=Notification.State.CANCELLED
    )
