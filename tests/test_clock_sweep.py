"""The clock sweep: what depends on the date and the hour, checked at the
moments where naive date code breaks.

Every rule here reads "today" as the date in Oslo (``timezone.localdate()``),
and reminders go out at 07:00 Oslo time. The sweep runs each rule at 00:30
(the previous day in UTC), 06:59 and 07:01 (either side of the reminder hour)
and 23:59, on an ordinary day, on both days the clocks change, on 29 February
and on New Year's Day, plus New Year's Eve at 23:59. Each point asserts the
exact answer, written out by hand below, so an expectation cannot follow the
code it checks.

- Deadline generation from the årshjul: the due date and the first reminder
  after "now" (the "7 days before" reminder is at 07:00 today until 07:00,
  then the next one is "1 day before"), and the in-process reminder sweep
  sends it at that instant, not a minute earlier.
- The age-18 rule of the access layer: a guardian no longer sees a pupil from
  the pupil's 18th birthday. A pupil born on 29 February turns 18 on 1 March
  in a common year (18 full years have passed at the end of 28 February); on
  29 February of a leap year the cut-off is 28 February 18 years earlier.
- School-year boundaries: the current school year changes at midnight in
  Oslo, and a teacher's access through a group lasts to the end of the school
  year's last day. The demo always has a school year under way.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from followup import deadlines
from followup.models import Aarshjul, Deadline, Duty, Notification
from followup.reminders import sweep_deadlines
from students import access
from students.demo import current_school_year_dates
from students.models import Group, Pupil, School, SchoolYear, StaffMembership, TeachingAssignment
from tests import factories as f

OSLO = ZoneInfo("Europe/Oslo")
D = datetime.date.fromisoformat
T = datetime.datetime.fromisoformat

DAYS = {
    "2026-09-14": "an ordinary Monday",
    "2026-10-25": "summer time ends (03:00 becomes 02:00)",
    "2027-03-28": "summer time begins (02:00 becomes 03:00)",
    "2028-02-29": "leap day",
    "2027-01-01": "New Year's Day",
}
TIMES = ("00:30", "06:59", "07:01", "23:59")
MOMENTS = [f"{day} {time}" for day in DAYS for time in TIMES] + ["2026-12-31 23:59"]


def oslo(moment: str) -> datetime.datetime:
    """'2026-10-25 06:59' as a moment in Oslo."""
    return T(moment).replace(tzinfo=OSLO)


def at(moment: datetime.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def before_reminder_hour(moment: str) -> bool:
    return moment.split()[1] < "07:00"


def test_the_sweep_covers_both_sides_of_midnight_in_utc_and_both_clock_changes() -> None:
    assert oslo("2027-01-01 00:30").astimezone(datetime.UTC).date() == D("2026-12-31")
    assert oslo("2026-10-25 00:30").utcoffset() == datetime.timedelta(hours=2)
    assert oslo("2026-10-25 06:59").utcoffset() == datetime.timedelta(hours=1)
    assert oslo("2027-03-28 00:30").utcoffset() == datetime.timedelta(hours=1)
    assert oslo("2027-03-28 06:59").utcoffset() == datetime.timedelta(hours=2)
    assert len(MOMENTS) == len(set(MOMENTS)) == 21


# --- deadline generation and the reminder hour -------------------------------------------

#: The school year each day falls in: (name, first day, last day).
YEAR_2026 = ("2026/27", D("2026-08-17"), D("2027-06-18"))
YEAR_2027 = ("2027/28", D("2027-08-16"), D("2028-06-16"))

#: A duty due one week after the day (fixed date, reminders 7 and 1 day before):
#: day -> (school year, due, first reminder before 07:00, first reminder after 07:00).
WEEK_AHEAD = {
    "2026-09-14": (YEAR_2026, "2026-09-21", "2026-09-14T07:00+02:00", "2026-09-20T07:00+02:00"),
    "2026-10-25": (YEAR_2026, "2026-11-01", "2026-10-25T07:00+01:00", "2026-10-31T07:00+01:00"),
    "2027-03-28": (YEAR_2026, "2027-04-04", "2027-03-28T07:00+02:00", "2027-04-03T07:00+02:00"),
    "2028-02-29": (YEAR_2027, "2028-03-07", "2028-02-29T07:00+01:00", "2028-03-06T07:00+01:00"),
    "2027-01-01": (YEAR_2026, "2027-01-08", "2027-01-01T07:00+01:00", "2027-01-07T07:00+01:00"),
    "2026-12-31": (YEAR_2026, "2027-01-07", "2026-12-31T07:00+01:00", "2027-01-06T07:00+01:00"),
}
#: A duty on 29 February (reminder 1 day before): its due date in each school
#: year, and its first reminder at each day (before 07:00, after 07:00).
LEAP_DUE = {"2026/27": "2027-02-28", "2027/28": "2028-02-29"}
LEAP_NEXT = {
    "2026-09-14": ("2027-02-27T07:00+01:00", "2027-02-27T07:00+01:00"),
    "2026-10-25": ("2027-02-27T07:00+01:00", "2027-02-27T07:00+01:00"),
    "2027-03-28": (None, None),  # due, on the day and overdue reminders are all past
    "2028-02-29": ("2028-02-29T07:00+01:00", "2028-03-01T07:00+01:00"),  # on the day, then overdue
    "2027-01-01": ("2027-02-27T07:00+01:00", "2027-02-27T07:00+01:00"),
    "2026-12-31": ("2027-02-27T07:00+01:00", "2027-02-27T07:00+01:00"),
}


def _school_with_own_aarshjul(due: datetime.date, year: tuple[str, datetime.date, datetime.date]) -> SchoolYear:
    school = f.SchoolFactory(kind=School.Kind.BARNE_UNGDOM)
    f.member(f.UserFactory(), school, StaffMembership.Role.KOORDINATOR)
    wheel = Aarshjul.objects.create(name="Årshjul for klokketesten", skoleeier=school.skoleeier)
    common = {
        "aarshjul": wheel,
        "responsible_role": Duty.Role.KOORDINATOR,
        "applies_to": Duty.AppliesTo.SCHOOL,
        "anchor": Duty.Anchor.FIXED_DATE,
        "weekend_to_monday": False,
    }
    Duty.objects.create(key="om-en-uke", title="Om en uke", month=due.month, day=due.day, reminder_days="7,1", **common)
    Duty.objects.create(key="skuddag", title="Skuddagen", month=2, day=29, reminder_days="1", **common)
    name, start, end = year
    return SchoolYear.objects.create(school=school, name=name, start=start, end=end)


@pytest.mark.django_db
@override_settings(FOLLOWUP_REMINDER_HOUR=7, FOLLOWUP_ESCALATE_AFTER_DAYS=1)
@pytest.mark.parametrize("moment", MOMENTS)
def test_deadlines_and_their_first_reminder_follow_the_oslo_clock(moment: str) -> None:
    day = moment.split()[0]
    year, due, early, late = WEEK_AHEAD[day]
    expected_next = T(early if before_reminder_hour(moment) else late)
    expected_days_before = 7 if before_reminder_hour(moment) else 1
    leap_next = LEAP_NEXT[day][0 if before_reminder_hour(moment) else 1]
    school_year = _school_with_own_aarshjul(D(due), year)

    with at(oslo(moment)):
        result = deadlines.deadlines_generate(school_year=school_year)

    assert result.created == 2
    week = Deadline.objects.get(duty__key="om-en-uke")
    leap = Deadline.objects.get(duty__key="skuddag")
    assert (week.due, week.state, week.next_reminder_at) == (D(due), Deadline.State.OPEN, expected_next)
    assert leap.due == D(LEAP_DUE[school_year.name])
    assert leap.next_reminder_at == (T(leap_next) if leap_next else None)

    # The in-process sweep sends that reminder at 07:00, not a minute before.
    for not_yet in (oslo(moment), expected_next - datetime.timedelta(minutes=1)):
        with at(not_yet):
            sweep_deadlines()
        assert not Notification.objects.filter(deadline=week).exists(), not_yet
    with at(expected_next):
        sweep_deadlines()
    sent = Notification.objects.get(deadline=week)
    assert (sent.kind, sent.days_before) == (Notification.Kind.BEFORE, expected_days_before)


# --- the age-18 rule ---------------------------------------------------------------------

#: day -> (the latest birth date of a pupil who is 18, the earliest of one who is not).
AGE_18 = {
    "2026-09-14": ("2008-09-14", "2008-09-15"),
    "2026-10-25": ("2008-10-25", "2008-10-26"),
    "2027-03-28": ("2009-03-28", "2009-03-29"),
    "2028-02-29": ("2010-02-28", "2010-03-01"),  # no 29 February in 2010
    "2027-01-01": ("2009-01-01", "2009-01-02"),
    "2026-12-31": ("2008-12-31", "2009-01-01"),
}


def _children(*born: str) -> tuple[object, list[Pupil]]:
    guardian = f.UserFactory()
    school = f.SchoolFactory()
    pupils = [f.PupilFactory(school=school, birth_date=D(day)) for day in born]
    for pupil in pupils:
        f.guardian_of(guardian, pupil)
    return guardian, pupils


@pytest.mark.django_db
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_guardian_loses_access_on_the_pupils_18th_birthday_in_oslo(moment: str) -> None:
    adult_born, minor_born = AGE_18[moment.split()[0]]
    guardian, (adult, minor) = _children(adult_born, minor_born)

    with at(oslo(moment)):
        assert list(access.pupils_for(guardian)) == [minor]
        assert not access.can(guardian, access.Action.VIEW, adult)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "visible"),
    [
        ("2026-02-28 00:30", {"2008-02-29", "2010-02-28", "2010-03-01"}),
        ("2026-02-28 23:59", {"2008-02-29", "2010-02-28", "2010-03-01"}),  # 17 until the day is over
        ("2026-03-01 00:30", {"2010-02-28", "2010-03-01"}),  # 18 on 1 March (still 28 February in UTC)
        ("2028-02-28 23:59", {"2010-03-01"}),  # born 28 February 2010: 18 today
        ("2028-02-29 00:30", {"2010-03-01"}),
        ("2028-02-29 23:59", {"2010-03-01"}),
        ("2028-03-01 00:30", set()),
    ],
)
def test_a_pupil_born_on_29_february_turns_18_on_1_march(moment: str, visible: set[str]) -> None:
    guardian, _pupils = _children("2008-02-29", "2010-02-28", "2010-03-01")

    with at(oslo(moment)):
        assert {p.birth_date.isoformat() for p in access.pupils_for(guardian)} == visible


# --- school-year boundaries -----------------------------------------------------------------


def _year(school: School, start: datetime.date, end: datetime.date) -> SchoolYear:
    return SchoolYear.objects.create(school=school, name=f"{start.year}/{end.year}", start=start, end=end)


def _taught_pupil(year: SchoolYear) -> tuple[object, Pupil]:
    group = Group.objects.create(school_year=year, name="5A", year_level=5)
    teacher = f.UserFactory()
    f.member(teacher, year.school, StaffMembership.Role.KONTAKTLAERER)
    f.assign(teacher, group, TeachingAssignment.Role.KONTAKTLAERER)
    return teacher, f.pupil_in(group)


@pytest.mark.django_db
@pytest.mark.parametrize("moment", MOMENTS)
def test_the_current_school_year_changes_at_midnight_in_oslo(moment: str) -> None:
    today = D(moment.split()[0])
    day = datetime.timedelta(days=1)
    # School 1: today is the last day of a school year. School 2: today is the first day of one.
    school1, school2 = f.SchoolFactory(), f.SchoolFactory()
    ending = _year(school1, today - 300 * day, today)
    following = _year(school1, today + day, today + 300 * day)
    ended = _year(school2, today - 300 * day, today - day)
    starting = _year(school2, today, today + 300 * day)
    teacher_ending, pupil_ending = _taught_pupil(ending)
    teacher_ended, _pupil_ended = _taught_pupil(ended)

    with at(oslo(moment)):
        assert deadlines.current_school_year(school1.pk) == ending
        assert deadlines.current_school_year(school2.pk) == starting
        generated = set(deadlines.school_years_to_generate())
        assert {ending, following, starting} <= generated and ended not in generated
        assert list(access.pupils_for(teacher_ending)) == [pupil_ending]
        assert not access.pupils_for(teacher_ended).exists()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-06-19", ("2025-08-18", "2026-06-19", "2025/26")),  # the last school day
        ("2026-06-20", ("2025-08-18", "2026-06-20", "2025/26")),  # summer: the year just ended, until today
        ("2026-08-17", ("2025-08-18", "2026-08-17", "2025/26")),
        ("2026-08-18", ("2026-08-18", "2027-06-19", "2026/27")),  # the first school day
        ("2026-12-31", ("2026-08-18", "2027-06-19", "2026/27")),
        ("2027-01-01", ("2026-08-18", "2027-06-19", "2026/27")),
        ("2028-02-29", ("2027-08-18", "2028-06-19", "2027/28")),
    ],
)
def test_the_demo_always_has_a_school_year_under_way(today: str, expected: tuple[str, str, str]) -> None:
    start, end, name = current_school_year_dates(D(today))
    assert (start.isoformat(), end.isoformat(), name) == expected
    assert start <= D(today) <= end
