"""A pupil moves school mid-year, with the real records of both apps: the
former school's staff lose access at once and its open deadlines end with a
note (no reminder follows), the new school gets the pupil's duties with what
is done counted as done, and the pupil's file follows."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from followup import deadlines, reminders
from followup.models import Deadline, Notification, Talk
from iop import checks
from iop import services as iop_services
from iop.models import Enkeltvedtak, EnkeltvedtakSubject, Iop
from iop.reports import services as report_services
from iop.reports.models import Report
from students import access, transfer
from students.models import (
    Enrolment,
    Group,
    PptGrant,
    Pupil,
    PupilTransfer,
    StaffMembership,
    TeachingAssignment,
    User,
)
from tests import factories as f
from tests.followup.conftest import END, START, YearSchool, build_year_school
from tests.iop.factories import VedtakFactory, chain

MOVE_DAY = datetime.date(2027, 1, 11)


def at(day: str, clock: str = "09:00") -> time_machine.travel:
    return time_machine.travel(f"{day}T{clock}:00+01:00", tick=False)


@pytest.fixture
def schools(db: None) -> tuple[YearSchool, YearSchool]:
    """Two schools of one school owner, the same school year (2026/27)."""
    with at("2026-08-20"):
        old = build_year_school(kind="barne_ungdom", level=9, pupils=2)
        new = build_year_school(kind="barne_ungdom", level=9, pupils=1)
        new.school.skoleeier = old.school.skoleeier
        new.school.save()
    return old, new


def _with_plan(old: YearSchool) -> Pupil:
    """The first pupil of OLD with a vedtak made in September and a published IOP, deadlines generated."""
    pupil = old.pupils[0]
    with at("2026-09-20"):
        ch = chain(pupil, author=old.coordinator, goals=2, logs_per_goal=2)
        assert ch.iop is not None and ch.iop.school_year_id == old.year.pk
        Report.objects.create(
            pupil=pupil,
            iop=ch.iop,
            kind=Report.Kind.HALVAARSRAPPORT,
            period_start=START,
            period_end=datetime.date(2026, 12, 20),
            created_by=old.teacher,
        )
        Talk.objects.create(
            pupil=pupil,
            school_year=old.year,
            kind=Talk.Kind.UTVIKLINGSSAMTALE,
            status=Talk.Status.HELD,
            date=datetime.date(2026, 9, 18),
        )
        deadlines.deadlines_generate(school_year=old.year)
    return pupil


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _move(actor, pupil, group, day=MOVE_DAY, capture=None):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return transfer.pupil_transfer(actor=actor, pupil=pupil, to_group=group, date=day, note="Flytter med familien")


def test_a_move_mid_year_ends_the_former_schools_deadlines_and_brings_the_new_ones(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    old, new = schools
    pupil = _with_plan(old)
    assert Deadline.objects.filter(pupil=pupil, school=old.school, state=Deadline.State.OPEN).exists()
    had = set(Deadline.objects.filter(pupil=pupil, school=old.school).values_list("duty__key", flat=True))
    assert {"iop-etter-vedtak", "arsrapport"} <= had

    with at("2027-01-11", "10:00"):
        moved = _move(old.coordinator, pupil, new.group, capture=django_capture_on_commit_callbacks)
    assert moved.from_group == old.group and moved.to_school == new.school

    # The former school: nothing open, each ended deadline says why.
    assert not Deadline.objects.filter(pupil=pupil, school=old.school, state=Deadline.State.OPEN).exists()
    ended = Deadline.objects.filter(pupil=pupil, school=old.school, state=Deadline.State.CANCELLED)
    assert ended.exists()
    assert {d.done_note for d in ended} == {f"Eleven flyttet til {new.school.name} ({new.group.name}) 11.01.2027."}

    # No reminder reaches the former school's staff, all the way to the end of the year.
    former_staff = [old.teacher, old.coordinator, old.rektor, old.faglaerer]
    before = Notification.objects.filter(recipient__in=former_staff, deadline__pupil=pupil).count()
    day = MOVE_DAY
    while day <= END:
        with at(day.isoformat(), "07:00"):
            reminders.sweep()
        day += datetime.timedelta(days=7)
    fresh = Notification.objects.filter(recipient__in=former_staff, deadline__pupil=pupil)
    assert fresh.count() == before
    assert not fresh.filter(state__in=[Notification.State.PENDING, Notification.State.CLAIMED]).exists()

    # The new school: the pupil's duties, with the IOP that exists counted as done.
    mine = {d.duty.key: d for d in Deadline.objects.filter(pupil=pupil, school=new.school).select_related("duty")}
    assert set(mine) == had
    assert mine["iop-etter-vedtak"].state == Deadline.State.DONE
    assert mine["arsrapport"].state == Deadline.State.OPEN
    assert mine["arsrapport"].responsible == new.coordinator
    # The talk held at the former school counts for the autumn; the spring one is the new kontaktlærer's.
    assert mine["utviklingssamtale-host"].state == Deadline.State.DONE
    assert mine["utviklingssamtale-var"].state == Deadline.State.OPEN
    assert mine["utviklingssamtale-var"].responsible == new.teacher
    assert all(d.school_year_id == new.year.pk for d in mine.values() if not d.record_kind)

    # The file follows: the IOP (with its report) is the new school's year's now.
    iop = Iop.objects.get(pupil=pupil)
    assert iop.school_year_id == new.year.pk
    assert iop.goals.count() == 2 and Report.objects.filter(iop=iop).count() == 1


def test_the_former_staff_lose_access_and_the_new_kontaktlaerer_sees_the_iop(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    old, new = schools
    pupil = _with_plan(old)
    iop = Iop.objects.get(pupil=pupil)
    ppt = f.UserFactory(email="ppt@test.example", full_name="Pia PPT")
    f.member(ppt, old.school, StaffMembership.Role.PPT)
    access.grant_ppt_access(pupil=pupil, granted_by=old.coordinator)
    vikar = f.UserFactory(email="vikar@test.example", full_name="Vera Vikar")
    f.member(vikar, old.school, StaffMembership.Role.VIKAR)
    access.grant_pupil_access(pupil=pupil, user=vikar, granted_by=old.coordinator)

    with at("2027-01-11", "10:00"):
        _move(old.coordinator, pupil, new.group, capture=django_capture_on_commit_callbacks)
        for user in (old.teacher, old.faglaerer, old.coordinator, old.rektor, ppt, vikar):
            client = _client(user)
            assert client.get(reverse("pupil_detail", args=[pupil.pk])).status_code == 404, user
            assert client.get(reverse("iop:iop_detail", args=[iop.pk])).status_code == 404, user
        assert not PptGrant.objects.filter(pupil=pupil, school=old.school, revoked_at__isnull=True).exists()
        assert PptGrant.objects.filter(pupil=pupil, school=new.school, revoked_at__isnull=True).exists()

        teacher = _client(new.teacher)
        page = teacher.get(reverse("iop:iop_detail", args=[iop.pk]))
        assert page.status_code == 200
        assert page.context["page"].can_edit
        detail = teacher.get(reverse("pupil_detail", args=[pupil.pk]))
        assert old.school.name in detail.content.decode()  # the move is on record
        # What the former school wrote is readable at the new school, as archive; not at the former school.
        report = Report.objects.get(pupil=pupil)
        shown = teacher.get(reverse("reports:report_detail", args=[report.pk]))
        assert shown.status_code == 200 and shown.context["written_at"] == old.school
        assert "arkiv: skrevet før eleven flyttet" in shown.content.decode()
        assert _client(old.teacher).get(reverse("reports:report_detail", args=[report.pk])).status_code == 404


def test_the_new_coordinators_page_of_a_moved_pupil_with_the_whole_chain_stays_within_the_budget(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    """A pupil with moves, shared access, the whole chain and open deadlines:
    the new school's coordinator reads the page in at most 20 queries, the
    follow-up counts read with the pupil (students.sections.pupil_page_annotations)."""
    from tests.queries import page_queries
    from tests.test_query_budget import BUDGET

    old, new = schools
    pupil = _with_plan(old)
    with at("2027-01-11", "10:00"):
        _move(old.coordinator, pupil, new.group, capture=django_capture_on_commit_callbacks)
        vikar = f.UserFactory(email="vikar@test.example", full_name="Vera Vikar")
        f.member(vikar, new.school, StaffMembership.Role.VIKAR)
        access.grant_pupil_access(pupil=pupil, user=vikar, granted_by=new.coordinator)
        url = reverse("pupil_detail", args=[pupil.pk])
        client = _client(new.coordinator)
        queries = page_queries(client, url, warm=True)
        assert len(queries.sql) <= BUDGET, "\n".join(queries.sql)
        assert not [q for q in queries.sql if 'FROM "followup_deadline"' in q.split(" WHERE ")[0]]
        page = client.get(url).content.decode()
        assert old.school.name in page and "Vera Vikar" in page  # the move and the shared access are shown
        due = Deadline.objects.filter(pupil=pupil, state=Deadline.State.OPEN)
        assert due.exists()
        overdue = due.filter(due__lt=datetime.date(2027, 1, 11)).count()
        assert f"Åpne frister: {due.count()} ({overdue} forfalt)" in page


def test_a_move_within_the_school_hands_the_pupil_to_the_new_class(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    old, _new = schools
    pupil = _with_plan(old)
    with at("2026-12-01"):
        other = Group.objects.create(school_year=old.year, name="9B", year_level=9)
        second = f.UserFactory(email="kl2@test.example", full_name="Kari Kontakt")
        f.member(second, old.school, StaffMembership.Role.KONTAKTLAERER)
        f.assign(second, other, TeachingAssignment.Role.KONTAKTLAERER)
    with at("2027-01-11", "10:00"):
        _move(old.coordinator, pupil, other, capture=django_capture_on_commit_callbacks)
        assert not access.can(old.teacher, access.Action.VIEW, pupil)
        assert access.can(second, access.Action.EDIT, pupil)
        assert access.can(old.coordinator, access.Action.MANAGE, pupil)
        ended = Enrolment.objects.get(pupil=pupil, group=old.group)
        assert ended.end == MOVE_DAY - datetime.timedelta(days=1)
    talk_duties = Deadline.objects.filter(pupil=pupil, school=old.school, state=Deadline.State.OPEN)
    assert talk_duties.exists()
    assert {d.responsible for d in talk_duties if d.responsible_role == "kontaktlaerer"} <= {second}


def test_the_move_is_refused_clearly(schools: tuple[YearSchool, YearSchool]) -> None:
    old, new = schools
    pupil = old.pupils[0]
    with at("2027-01-11"):
        with pytest.raises(PermissionDenied):
            transfer.pupil_transfer(actor=old.teacher, pupil=pupil, to_group=new.group, date=MOVE_DAY)
        with pytest.raises(ValidationError) as future:
            transfer.pupil_transfer(
                actor=old.coordinator, pupil=pupil, to_group=new.group, date=MOVE_DAY + datetime.timedelta(days=3)
            )
        assert "date" in future.value.message_dict
        with pytest.raises(ValidationError) as same:
            transfer.pupil_transfer(actor=old.coordinator, pupil=pupil, to_group=old.group, date=MOVE_DAY)
        assert "to_group" in same.value.message_dict
        with pytest.raises(ValidationError) as before_year:
            transfer.pupil_transfer(
                actor=old.coordinator, pupil=pupil, to_group=new.group, date=START - datetime.timedelta(days=3)
            )
        assert "date" in before_year.value.message_dict
    assert not PupilTransfer.objects.exists()
    assert Pupil.objects.get(pk=pupil.pk).school_id == old.school.pk


def test_the_coordinator_moves_the_pupil_through_the_pages(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    old, new = schools
    pupil = _with_plan(old)
    url = reverse("pupil_move", args=[pupil.pk])
    with at("2027-01-11", "10:00"):
        client = _client(old.coordinator)
        form = client.get(url)
        assert form.status_code == 200
        assert new.group in form.context["form"].fields["to_group"].queryset
        bad = client.post(url, {"to_group": new.group.pk, "date": "2027-02-30"})
        assert bad.status_code == 200 and bad.context["form"].errors["date"]
        data = {"to_group": new.group.pk, "date": "2027-01-11", "note": "Flytter"}
        confirm = client.post(url, data)
        assert confirm.status_code == 200 and confirm.context["confirming"]
        assert Pupil.objects.get(pk=pupil.pk).school_id == old.school.pk
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(url, {**data, "confirm": "1"})
        assert done.status_code == 302 and done.url == reverse("pupil_list")
        assert Pupil.objects.get(pk=pupil.pk).school_id == new.school.pk
        assert client.get(url).status_code == 404


def test_an_operator_moves_the_pupil_in_the_admin(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    old, new = schools
    pupil = old.pupils[1]
    with at("2027-01-11", "10:00"):
        operator = f.UserFactory(email="drift@test.example", full_name="Drift", is_staff=True, is_superuser=True)
        client = _client(operator)
        url = reverse("admin:students_pupil_move", args=[pupil.pk])
        assert client.get(url).status_code == 200
        assert _client(old.coordinator).get(url).status_code == 302  # the admin's login
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(url, {"to_group": new.group.pk, "date": "2027-01-11"})
        assert done.status_code == 302
    assert Pupil.objects.get(pk=pupil.pk).school_id == new.school.pk
    assert PupilTransfer.objects.get(pupil=pupil).made_by == operator


def test_after_a_rebase_and_a_move_the_replaced_vedtak_asks_for_no_iop(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    """The IOP moved onto a newer vedtak (the old one still valid); at the new
    school neither the deadline engine nor the pupil's checks ask for an IOP
    on the replaced vedtak."""
    old, new = schools
    pupil = _with_plan(old)
    first = Enkeltvedtak.objects.get(pupil=pupil)
    with at("2026-11-20"):
        newer = VedtakFactory(vurdering=first.vurdering, made_on=datetime.date(2026, 11, 20))
        EnkeltvedtakSubject.objects.create(vedtak=newer, subject="Matematikk", hours=40)
        iop = Iop.objects.select_related("vedtak", "school_year").get(pupil=pupil)
        iop.pupil = access.get_pupil(old.coordinator, pupil.pk)
        iop_services.iop_move_to_vedtak(actor=old.coordinator, iop=iop, version=iop.version, vedtak=newer)
        iop_services.iop_publish(actor=old.coordinator, iop=iop, version=Iop.objects.get(pk=iop.pk).version)
        deadlines.deadlines_generate(school_year=old.year)
    with at("2026-11-29", "10:00"):
        day = datetime.date(2026, 11, 29)
        _move(old.coordinator, pupil, new.group, day=day, capture=django_capture_on_commit_callbacks)
        deadlines.deadlines_generate(school_year=new.year)
        after_vedtak = Deadline.objects.filter(pupil=pupil, school=new.school, duty__key="iop-etter-vedtak")
        assert after_vedtak.exists()
        assert not after_vedtak.filter(state=Deadline.State.OPEN).exists()
        both = list(Enkeltvedtak.objects.filter(pupil=pupil))
        assert checks.missing_iop_flags(both, list(Iop.objects.filter(pupil=pupil))) == []
        # Without the newer vedtak the old one would still ask for its IOP.
        assert checks.missing_iop_flags([first], []) != []


def test_duties_due_before_the_pupil_came_are_not_the_new_schools_to_do(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    old, new = schools
    pupil = _with_plan(old)
    with at("2026-11-29", "10:00"):
        _move(
            old.coordinator,
            pupil,
            new.group,
            day=datetime.date(2026, 11, 29),
            capture=django_capture_on_commit_callbacks,
        )
    mine = {d.duty.key: d for d in Deadline.objects.filter(pupil=pupil, school=new.school).select_related("duty")}
    came = datetime.date(2026, 11, 29)
    before = [d for d in mine.values() if not d.record_kind and d.due < came]
    assert before and all(d.state == Deadline.State.DONE for d in before)
    noted = {d.duty.key for d in before if d.done_note == "Før eleven kom (29.11.2026)."}
    assert "elevsamtale-host" in noted
    assert mine["utviklingssamtale-var"].state == Deadline.State.OPEN
    # The other pupils of the new school still have their start talk to hold.
    other = new.pupils[0]
    assert Deadline.objects.get(pupil=other, duty__key="elevsamtale-host").done_note == ""


def test_a_report_the_former_school_wrote_is_read_only_archive_at_the_new_school(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    old, new = schools
    pupil = _with_plan(old)
    report = Report.objects.get(pupil=pupil)
    assert report.is_draft
    with at("2027-01-11", "10:00"):
        _move(old.coordinator, pupil, new.group, capture=django_capture_on_commit_callbacks)
        for user in (new.teacher, new.coordinator):
            client = _client(user)
            shown = client.get(reverse("reports:report_detail", args=[report.pk]))
            assert shown.status_code == 200
            assert shown.context["form"] is None and not shown.context["can_edit"]
            html = shown.content.decode()
            assert reverse("reports:report_update", args=[report.pk]) not in html
            assert reverse("reports:report_finalise", args=[report.pk]) not in html
            school = html.split("<dt>Skole</dt><dd>")[1].split("</dd>")[0]
            assert school == old.school.name
            data = {"version": report.version, "summary": "Overskrevet", "confirm": "1"}
            for name in ("report_update", "report_finalise", "report_publish"):
                assert client.post(reverse(f"reports:{name}", args=[report.pk]), data).status_code == 403, name
        with pytest.raises(PermissionDenied):
            report.pupil = access.get_pupil(new.coordinator, pupil.pk)
            report_services.report_finalise(actor=new.coordinator, report=report, version=report.version)
    report.refresh_from_db()
    assert report.is_draft and report.summary != "Overskrevet"


def test_after_a_move_the_former_kontaktlaerers_home_page_counts_the_pupils_alike(
    schools: tuple[YearSchool, YearSchool], django_capture_on_commit_callbacks
) -> None:
    old, new = schools
    pupil = _with_plan(old)
    with at("2027-01-11", "10:00"):
        _move(old.coordinator, pupil, new.group, capture=django_capture_on_commit_callbacks)
        home = _client(old.teacher).get(reverse("home")).context["home"]
    [group] = home.groups
    assert group.pupil_count == home.pupil_count == 1
