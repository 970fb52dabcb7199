"""The iCalendar feed of a user's deadlines (RFC 5545, all-day events).

Calendar services fetch the feed without logging in, so it names no pupil:
the summary holds the duty and the group, and the link leads into the
application where the access layer decides what the reader sees."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from students.models import User

from .models import Deadline
from .selectors import deadline_scope

PAST_DAYS = 60
FUTURE_DAYS = 400


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (continuation lines start with a space)."""
    out: list[str] = []
    raw = line.encode()
    while len(raw) > 75:
        cut = 75
        while cut > 0 and (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        out.append(raw[:cut].decode())
        raw = b" " + raw[cut:]
    out.append(raw.decode())
    return "\r\n".join(out)


def events(user: User) -> list[Deadline]:
    today = timezone.localdate()
    return list(
        deadline_scope(user)
        .filter(
            responsible_id=user.pk,
            state__in=[Deadline.State.OPEN, Deadline.State.DONE],
            due__gte=today - datetime.timedelta(days=PAST_DAYS),
            due__lte=today + datetime.timedelta(days=FUTURE_DAYS),
        )
        .select_related("group", "school")
        .order_by("due", "pk")[:2000]
    )


def feed(user: User, base_url: str) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    link = base_url.rstrip("/") + reverse("followup:dashboard")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//IOP og IUP//Oppfolging//NO",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _escape("Frister"),
    ]
    for d in events(user):
        where = d.group.name if d.group_id and d.group else d.school.name
        summary = f"{d.shown_title} ({where})" if not d.pupil_id else f"{d.shown_title} ({d.school.name})"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{d.pk}@iop-followup",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{d.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{d.due + datetime.timedelta(days=1):%Y%m%d}",
            "SUMMARY:" + _escape(summary),
            "URL:" + link,
            "STATUS:" + ("CONFIRMED" if d.state == Deadline.State.OPEN else "CANCELLED"),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
