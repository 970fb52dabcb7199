"""Date rules of the årshjul, free of the database: when a duty falls due in
a school year, weekend moves, and when reminders go out."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

SATURDAY, SUNDAY = 5, 6


def move_weekend_to_monday(day: datetime.date) -> datetime.date:
    if day.weekday() == SATURDAY:
        return day + datetime.timedelta(days=2)
    if day.weekday() == SUNDAY:
        return day + datetime.timedelta(days=1)
    return day


def fixed_date_in_school_year(month: int, day: int, start: datetime.date) -> datetime.date:
    """The date (month, day) inside the school year beginning on START: dates
    from the start's month and day onwards belong to the first calendar year,
    earlier ones to the next. 29 February becomes 28 February in other years."""
    year = start.year if (month, day) >= (start.month, start.day) else start.year + 1
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return datetime.date(year, month, 28)


@dataclass(frozen=True)
class Rule:
    """What a :class:`followup.models.Duty` says about timing."""

    anchor: str  # Duty.Anchor values: fixed, start, end, record
    month: int | None = None
    day: int | None = None
    offset_days: int = 0
    weekend_to_monday: bool = True


def due_date(
    rule: Rule, *, start: datetime.date, end: datetime.date, record_date: datetime.date | None = None
) -> datetime.date | None:
    """The due date of RULE in the school year START–END (None when it has none)."""
    if rule.anchor == "fixed":
        if rule.month is None or rule.day is None:
            return None
        day = fixed_date_in_school_year(rule.month, rule.day, start)
    elif rule.anchor == "start":
        day = start + datetime.timedelta(days=rule.offset_days)
    elif rule.anchor == "end":
        day = end - datetime.timedelta(days=rule.offset_days)
    elif rule.anchor == "record":
        if record_date is None:
            return None
        day = record_date + datetime.timedelta(days=rule.offset_days)
    else:
        return None
    return move_weekend_to_monday(day) if rule.weekend_to_monday else day


# --- reminders ------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    at: datetime.datetime
    kind: str  # Notification.Kind values: before, on_day, overdue
    days_before: int


def _local(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def reminder_stages(due: datetime.date, days_before: list[int]) -> list[Stage]:
    """Reminders N days before, on the day, and the escalation when overdue,
    each at the configured local hour, in time order."""
    hour = settings.FOLLOWUP_REMINDER_HOUR
    stages = [Stage(_local(due - datetime.timedelta(days=d), hour), "before", d) for d in days_before if d > 0]
    stages.append(Stage(_local(due, hour), "on_day", 0))
    stages.append(
        Stage(_local(due + datetime.timedelta(days=settings.FOLLOWUP_ESCALATE_AFTER_DAYS), hour), "overdue", -1)
    )
    return sorted(stages, key=lambda s: s.at)


def next_stage_after(stages: list[Stage], moment: datetime.datetime) -> Stage | None:
    return next((s for s in stages if s.at > moment), None)


def due_stage(stages: list[Stage], after: datetime.datetime | None, now: datetime.datetime) -> Stage | None:
    """The stage to send now: the latest one reached since AFTER. Older ones
    reached while the sweep did not run are skipped (no "7 days before" mail
    the day before)."""
    reached = [s for s in stages if s.at <= now and (after is None or s.at > after)]
    return reached[-1] if reached else None


# --- the wheel ------------------------------------------------------------------------


def wheel_origin(start: datetime.date) -> datetime.date:
    """The top of the wheel of the school year beginning on START: the first
    day of its first month (the wheel shows twelve whole months)."""
    return datetime.date(start.year, start.month, 1)


def wheel_fraction(day: datetime.date, start: datetime.date) -> float:
    """How far round the wheel of the school year beginning on START DAY lies:
    0.0 at the top (the first day of the start month), growing clockwise, below
    1.0 for a day inside the twelve months (a day outside them is wrapped)."""
    origin = wheel_origin(start)
    turn = (datetime.date(origin.year + 1, origin.month, 1) - origin).days
    return ((day - origin).days % turn) / turn


def wheel_angle(day: datetime.date, start: datetime.date) -> float:
    """DAY's angle on the wheel of the school year beginning on START: degrees
    clockwise from the top, 0.0 <= angle < 360.0."""
    return 360.0 * wheel_fraction(day, start)


def wheel_point(angle: float, radius: float, centre: float) -> tuple[float, float]:
    """(x, y) in SVG user units (y grows downwards) of the point RADIUS from
    (CENTRE, CENTRE) at ANGLE degrees clockwise from the top, rounded to 0.1."""
    rad = math.radians(angle)
    return round(centre + radius * math.sin(rad), 1), round(centre - radius * math.cos(rad), 1)
