"""The årshjul as a wheel: each duty of a school's årshjul at its real date in
the school year, with the status of its deadlines at the school.

The dates come from :func:`followup.schedule.due_date`, the rule the deadline
engine uses, so the wheel and the deadlines agree. A duty that follows a
record (a concern, a referral, a vedtak...) has no date of its own: it is
listed apart, without a mark on the wheel. Switched-off duties are listed
but have no mark.

The status is the coordinator's view of the school's deadlines of the duty
in the school year (cancelled ones left out): ``overdue`` when one is open
past its date, else ``open`` when one is open, else ``done`` when there
are deadlines, else ``none``. Counted in one aggregating query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from students.models import School, SchoolYear

from . import schedule
from .deadlines import EffectiveDuty, current_school_year, effective_duties, rule_of
from .models import Deadline, Duty

#: The wheel's drawing, in SVG user units: a square of SIZE with its centre in the middle.
SIZE = 460
CENTRE = SIZE / 2
RIM = 180  # the outer circle
HUB = 118  # the inner circle: the months lie between HUB and RIM
MONTH_LABEL = 200  # where month names stand
MARK = 166  # the first ring of marks
RING_STEP = 13  # rings inwards for duties whose dates lie close together
RINGS = 4
CLOSE = 4.0  # degrees: marks closer than this go on separate rings

STATUSES: tuple[tuple[str, Promise], ...] = (
    ("overdue", _("Overdue")),
    ("open", _("Open")),
    ("done", _("Done")),
    ("none", _("No deadlines")),
)
STATUS_LABEL = dict(STATUSES)
#: The month names round the wheel, all twelve abbreviated alike in every
#: language (Django's short names are "Mars", "April", "Juni" in nynorsk).
MONTH_LABELS: tuple[Promise, ...] = (
    pgettext_lazy("month on the årshjul", "Jan"),
    pgettext_lazy("month on the årshjul", "Feb"),
    pgettext_lazy("month on the årshjul", "Mar"),
    pgettext_lazy("month on the årshjul", "Apr"),
    pgettext_lazy("month on the årshjul", "May"),
    pgettext_lazy("month on the årshjul", "Jun"),
    pgettext_lazy("month on the årshjul", "Jul"),
    pgettext_lazy("month on the årshjul", "Aug"),
    pgettext_lazy("month on the årshjul", "Sep"),
    pgettext_lazy("month on the årshjul", "Oct"),
    pgettext_lazy("month on the årshjul", "Nov"),
    pgettext_lazy("month on the årshjul", "Dec"),
)


@dataclass
class Mark:
    """One duty with a date in the school year."""

    number: int  # the duty's place in the list, 1 first
    duty: Duty
    origin: str  # EffectiveDuty.origin
    due: datetime.date | None  # None: the duty follows a record, or it is switched off with no rule date
    moved_from: datetime.date | None  # the weekend day the date moved from, else None
    status: str  # a key of STATUSES
    done: int = 0
    open: int = 0
    overdue: int = 0
    angle: float | None = None  # degrees clockwise from the top; None: no mark
    x: float = 0.0
    y: float = 0.0

    @property
    def status_label(self) -> Promise:
        return STATUS_LABEL[self.status]

    @property
    def on_wheel(self) -> bool:
        return self.angle is not None

    @property
    def rect_x(self) -> float:
        return round(self.x - 4.5, 1)

    @property
    def rect_y(self) -> float:
        return round(self.y - 4.5, 1)

    @property
    def triangle(self) -> str:
        """The SVG points of an overdue mark (a triangle round (x, y))."""
        x, y = self.x, self.y
        return f"{x:.1f},{y - 6.5:.1f} {x + 6:.1f},{y + 4:.1f} {x - 6:.1f},{y + 4:.1f}"


@dataclass(frozen=True)
class Month:
    first: datetime.date
    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float

    @property
    def label(self) -> Promise:
        return MONTH_LABELS[self.first.month - 1]


@dataclass
class Wheel:
    """What the årshjul page and its PDF draw (sizes in SVG user units)."""

    school: School
    year: SchoolYear | None
    today: datetime.date
    dated: list[Mark] = field(default_factory=list)  # sorted by date: the list and the wheel
    following: list[Mark] = field(default_factory=list)  # duties that follow a record
    switched_off: list[Mark] = field(default_factory=list)
    months: list[Month] = field(default_factory=list)
    today_angle: float | None = None
    today_x: float = 0.0
    today_y: float = 0.0
    today_hub_x: float = 0.0
    today_hub_y: float = 0.0
    size: int = SIZE
    centre: float = CENTRE
    rim: int = RIM
    hub: int = HUB
    statuses: tuple[tuple[str, Promise], ...] = STATUSES

    @property
    def name_y(self) -> float:
        return self.centre - 6

    @property
    def today_label_y(self) -> float:
        return self.centre + 18

    @property
    def today_index(self) -> int:
        """How many dated duties fall before today (where the list shows today)."""
        return sum(1 for m in self.dated if m.due is not None and m.due < self.today)

    @property
    def any_moved(self) -> bool:
        return any(m.moved_from for m in self.dated)

    @property
    def any_changed(self) -> bool:
        """Whether any duty is the school's own or changed for it (else the origin is not worth a word)."""
        return any(m.origin != "aarshjul" for m in [*self.dated, *self.following, *self.switched_off])


def _status_counts(school: School, year: SchoolYear, today: datetime.date) -> dict[str, tuple[int, int, int]]:
    """{duty key: (done, open not yet due, open overdue)} of SCHOOL's deadlines in YEAR. One query."""
    open_ = Q(state=Deadline.State.OPEN)
    rows = (
        Deadline.objects.filter(school=school, school_year=year, duty__isnull=False)
        .exclude(state=Deadline.State.CANCELLED)
        .values("duty__key")
        .annotate(
            done=Count("pk", filter=Q(state=Deadline.State.DONE)),
            waiting=Count("pk", filter=open_ & Q(due__gte=today)),
            late=Count("pk", filter=open_ & Q(due__lt=today)),
        )
        .order_by()
        .values_list("duty__key", "done", "waiting", "late")
    )
    return {key: (done, waiting, late) for key, done, waiting, late in rows}


def _status(done: int, waiting: int, late: int) -> str:
    if late:
        return "overdue"
    if waiting:
        return "open"
    return "done" if done else "none"


def _place(marks: list[Mark], year: SchoolYear) -> None:
    """Give each dated mark its angle and point; marks whose dates lie close go on inner rings."""
    rings: list[list[float]] = [[] for _ring in range(RINGS)]
    for mark in marks:
        assert mark.due is not None
        angle = schedule.wheel_angle(mark.due, year.start)
        ring = next(
            (i for i, taken in enumerate(rings) if all(abs(angle - a) >= CLOSE for a in taken)),
            len(marks) % RINGS,
        )
        rings[ring].append(angle)
        mark.angle = round(angle, 2)
        mark.x, mark.y = schedule.wheel_point(angle, MARK - RING_STEP * ring, CENTRE)


def _months(year: SchoolYear) -> list[Month]:
    origin = schedule.wheel_origin(year.start)
    out = []
    for i in range(12):
        first = datetime.date(origin.year + (origin.month - 1 + i) // 12, (origin.month - 1 + i) % 12 + 1, 1)
        angle = schedule.wheel_angle(first, year.start)
        following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        middle = first + (following - first) / 2
        x1, y1 = schedule.wheel_point(angle, HUB, CENTRE)
        x2, y2 = schedule.wheel_point(angle, RIM, CENTRE)
        lx, ly = schedule.wheel_point(schedule.wheel_angle(middle, year.start), MONTH_LABEL, CENTRE)
        out.append(Month(first, x1, y1, x2, y2, lx, ly + 4))
    return out


def build(school: School, today: datetime.date) -> Wheel:
    """The wheel of SCHOOL's current school year on TODAY (or the next one when
    none is under way; ``year`` None when the school has none). The dated
    duties come sorted by date, then title. A fixed number of queries."""
    year = current_school_year(school.pk, today)
    wheel = Wheel(school=school, year=year, today=today)
    duties: list[EffectiveDuty] = effective_duties(school, include_inactive=True)
    counts = _status_counts(school, year, today) if year else {}
    for e in duties:
        duty = e.duty
        due = moved_from = None
        if year is not None and duty.anchor != Duty.Anchor.RECORD:
            due = schedule.due_date(rule_of(duty), start=year.start, end=year.end)
            plain = schedule.due_date(
                schedule.Rule(duty.anchor, duty.month, duty.day, duty.offset_days, weekend_to_monday=False),
                start=year.start,
                end=year.end,
            )
            moved_from = plain if plain != due else None
        done, waiting, late = counts.get(duty.key, (0, 0, 0))
        mark = Mark(0, duty, e.origin, due, moved_from, _status(done, waiting, late), done, waiting, late)
        if not duty.active:
            wheel.switched_off.append(mark)
        elif due is None:
            wheel.following.append(mark)
        else:
            wheel.dated.append(mark)
    wheel.dated.sort(key=lambda m: (m.due, m.duty.title))
    # Without a school year every duty is listed by its rule; with one, those that follow a record.
    wheel.following.sort(key=lambda m: (m.duty.anchor == Duty.Anchor.RECORD, m.duty.offset_days, m.duty.title))
    for number, mark in enumerate([*wheel.dated, *wheel.following, *wheel.switched_off], start=1):
        mark.number = number
    if year is not None:
        _place(wheel.dated, year)
        wheel.months = _months(year)
        origin = schedule.wheel_origin(year.start)
        if origin <= today < datetime.date(origin.year + 1, origin.month, 1):
            wheel.today_angle = round(schedule.wheel_angle(today, year.start), 2)
            wheel.today_x, wheel.today_y = schedule.wheel_point(wheel.today_angle, RIM + 6, CENTRE)
            wheel.today_hub_x, wheel.today_hub_y = schedule.wheel_point(wheel.today_angle, HUB - 8, CENTRE)
    return wheel
