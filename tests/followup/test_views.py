"""Pages with bad input answer a clear Norwegian message and keep what was
written; meetings, talks and the årshjul editor do what they say."""

from __future__ import annotations

import datetime
import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.models import Concern, Deadline, Duty, Meeting, MeetingPupil, Talk
from iop.models import Iop, Iup
from students.models import StaffMembership, User
from tests import factories as f
from tests.conftest import World
from tests.followup.fixtures import records
from tests.iop.factories import chain, iup


def _pupil_duty(world: World, key: str, fulfilment: str, talk_kind: str = "") -> Duty:
    """A duty of school 1 for every pupil, the kontaktlærer's, due on 1 September."""
    return Duty.objects.create(
        school=world.school1,
        key=key,
        title=key,
        responsible_role=Duty.Role.KONTAKTLAERER,
        applies_to=Duty.AppliesTo.EVERY_PUPIL,
        anchor=Duty.Anchor.FIXED_DATE,
        month=9,
        day=1,
        fulfilment=fulfilment,
        talk_kind=talk_kind,
    )


def test_an_impossible_duty_is_refused_with_messages(world: World) -> None:
    client = world.client("coordinator")
    url = reverse("followup:duty_edit", args=[world.school1.pk, "oppfolgingsmoter-host"])
    response = client.post(
        url,
        {
            "title": "Mitt møte",
            "responsible_role": "rektor",
            "applies_to": "each_group",
            "anchor": "fixed",
            "month": 2,
            "day": 31,
            "offset_days": 0,
            "reminder_days": "sju",
            "fulfilment": "manual",
            "order": 1,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Den dagen finnes ikke i den måneden." in body
    assert "Skriv hele antall dager mellom 0 og 60, skilt med komma." in body
    assert "Mitt møte" in body
    assert not Duty.objects.filter(school=world.school1).exists()


def test_a_coordinator_overrides_and_resets_a_duty_for_the_school(world: World) -> None:
    client = world.client("coordinator")
    url = reverse("followup:duty_edit", args=[world.school1.pk, "utviklingssamtale-host"])
    page = client.get(url).content.decode()
    assert "Utviklingssamtale med elev og foresatte (høst)" in page  # the inherited values
    data = {
        "title": "Utviklingssamtale høst",
        "responsible_role": "kontaktlaerer",
        "applies_to": "every_pupil",
        "anchor": "fixed",
        "month": 11,
        "day": 20,
        "offset_days": 0,
        "reminder_days": "14,1",
        "fulfilment": "talk_held",
        "talk_kind": "utviklingssamtale",
        "active": "on",
        "weekend_to_monday": "on",
        "order": 7,
    }
    assert client.post(url, data).status_code == 302
    own = Duty.objects.get(school=world.school1, key="utviklingssamtale-host")
    assert (own.month, own.day, own.reminder_days) == (11, 20, "14,1")
    aarshjul = client.get(reverse("followup:aarshjul")).content.decode()
    assert "Endret for skolen" in aarshjul
    client.post(reverse("followup:duty_reset", args=[world.school1.pk, "utviklingssamtale-host"]))
    assert not Duty.objects.filter(school=world.school1).exists()


def test_a_referral_without_consent_is_not_sent(world: World) -> None:
    r = records(world)
    response = world.client("coordinator").post(reverse("followup:referral_send", args=[r.referral_b.pk]))
    assert response.status_code == 400
    assert "En henvisning kan ikke sendes uten registrert samtykke." in response.content.decode()


def test_a_child_does_not_consent_for_herself(world: World) -> None:
    r = records(world)
    response = world.client("teacher").post(
        reverse("followup:consent_create", args=[r.referral_a.pk]),
        {"given_by": "pupil", "name": "Anna", "date": timezone.localdate().isoformat(), "method": "signed"},
    )
    assert response.status_code == 400
    assert "For elever under 15 år samtykker de foresatte." in response.content.decode()


def test_a_meeting_fulfils_the_groups_meeting_duty_and_records_decisions(world: World) -> None:
    from followup import deadlines

    year = world.group_a.school_year
    deadlines.deadlines_generate(school_year=year)
    due = Deadline.objects.filter(group=world.group_a, duty__fulfilment="meeting_held").order_by("due").first()
    assert due is not None
    client = world.client("teacher")
    response = client.post(
        reverse("followup:meeting_create"),
        {
            "group": world.group_a.pk,
            "kind": "iko",
            "date": due.due.isoformat(),
            "agenda": "1. Resultater",
            "pupils": [str(world.pupil_a.pk)],
            "participants": [world.user("teacher").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get()
    assert MeetingPupil.objects.filter(meeting=meeting, pupil=world.pupil_a).exists()
    due.refresh_from_db()
    assert due.state == Deadline.State.DONE
    client.post(
        reverse("followup:meeting_decision", args=[meeting.pk, world.pupil_a.pk]), {"decision": "Nytt lesetiltak"}
    )
    page = client.get(reverse("followup:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Nytt lesetiltak" in page and "Nytt tiltak fra dette møtet" in page
    # A faglærer follows the pupil up but starts no tiltak: the page offers none.
    faglaerer = world.client("faglaerer")
    page = faglaerer.get(reverse("followup:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Nytt lesetiltak" in page and "Nytt tiltak fra dette møtet" not in page
    assert faglaerer.get(reverse("followup:tiltak_create", args=[world.pupil_a.pk])).status_code == 403


def test_talks_count_against_the_target(world: World) -> None:
    year = world.group_a.school_year
    for kind in ("oppstartsamtale", "elevsamtale"):
        Talk.objects.create(pupil=world.pupil_a, school_year=year, kind=kind, status="held", date=timezone.localdate())
    page = world.client("teacher").get(reverse("followup:pupil", args=[world.pupil_a.pk])).content.decode()
    assert "2 av minst 4 samtaler gjennomført dette skoleåret." in page
    overview = world.client("coordinator").get(reverse("followup:talk_overview", args=[world.group_a.pk]))
    assert "under målet" in overview.content.decode()


@pytest.mark.parametrize(
    ("language", "one", "of_one"),
    [
        ("nb", "1 samtale gjennomført dette skoleåret.", "1 av minst 1 samtale gjennomført dette skoleåret."),
        ("nn", "1 samtale gjennomført dette skuleåret.", "1 av minst 1 samtale gjennomført dette skuleåret."),
        ("sv", "1 samtal genomfört detta läsår.", "1 av minst 1 samtal genomfört detta läsår."),
        ("en", "1 talk held this school year.", "1 of at least 1 talk held this school year."),
    ],
)
def test_one_talk_held_is_told_in_the_singular(world: World, settings, language: str, one: str, of_one: str) -> None:
    """ "1 samtale gjennomført", not "1 samtaler", with a target of talks or without one."""
    Talk.objects.create(
        pupil=world.pupil_a,
        school_year=world.group_a.school_year,
        kind="elevsamtale",
        status="held",
        date=timezone.localdate(),
    )
    teacher = world.user("teacher")
    type(teacher).objects.filter(pk=teacher.pk).update(language=language)
    client = world.client("teacher")
    url = reverse("followup:pupil", args=[world.pupil_a.pk])
    settings.FOLLOWUP_TALK_TARGETS = []
    assert one in client.get(url).content.decode()
    settings.FOLLOWUP_TALK_TARGETS = [(1, 13, 1)]
    assert of_one in client.get(url).content.decode()


def test_an_iups_talk_date_counts_as_a_held_talk_once(world: World) -> None:
    plan = iup(world.pupil_a)  # published, its development talk yesterday
    pupil_page = reverse("followup:pupil", args=[world.pupil_a.pk])
    overview = reverse("followup:talk_overview", args=[world.group_a.pk])

    def held() -> tuple[str, str]:
        page = world.client("teacher").get(pupil_page).content.decode()
        row = world.client("coordinator").get(overview).content.decode().split(world.pupil_a.full_name)[1]
        return page, row.split("</td><td>")[1].split(" ")[0].split("<")[0]

    page, count = held()
    assert "1 av minst 4 samtaler gjennomført dette skoleåret." in page and count == "1"
    # The same talk recorded as a talk as well: one talk.
    Talk.objects.create(
        pupil=world.pupil_a, school_year=plan.school_year, kind="utviklingssamtale", status="held", date=plan.talk_date
    )
    page, count = held()
    assert "1 av minst 4 samtaler gjennomført dette skoleåret." in page and count == "1"
    # A talk date still to come is no talk held.
    Talk.objects.all().delete()
    Iup.objects.filter(pk=plan.pk).update(talk_date=timezone.localdate() + timedelta(days=1))
    page, count = held()
    assert "0 av minst 4 samtaler gjennomført dette skoleåret." in page and count == "0"


def test_the_home_page_shows_my_deadlines(world: World) -> None:
    records(world)
    page = world.client("teacher").get(reverse("home")).content.decode()
    assert "Mine frister" in page and "0 forfalt</a>" in page and "1 med frist innen 14 dager</a>" in page
    # The numbers open the deadline page on the same set: the user's own.
    assert "?mine=on&amp;status=overdue" in page and "Mine neste oppgaver" in page
    assert "Mine frister" not in world.client("guardian_a").get(reverse("home")).content.decode()


def test_unknown_records_answer_404(world: World) -> None:
    from tests.matrix import MISSING_UUID

    client = world.client("coordinator")
    for url in (
        reverse("followup:duty_edit", args=[world.school1.pk, "no-such-duty"]),
        reverse("followup:meeting_detail", args=[MISSING_UUID]),
        reverse("followup:tiltak_detail", args=[MISSING_UUID]),
        reverse("followup:referral_detail", args=[MISSING_UUID]),
        reverse("followup:talk_edit", args=[MISSING_UUID]),
        reverse("followup:duty_edit", args=[world.school2.pk, "mv1"]),  # another school's årshjul
    ):
        assert client.get(url).status_code == 404, url


def test_completing_a_deadline_never_redirects_off_site(world: World) -> None:
    r = records(world)
    response = world.client("teacher").post(
        reverse("followup:deadline_complete", args=[r.deadline_a.pk]),
        {"note": "Gjort", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("followup:dashboard")


def test_coordinators_see_key_figures_of_their_schools(world: World) -> None:
    from followup.selectors import school_figures

    year = world.group_a.school_year
    for i in range(4):
        Talk.objects.create(
            pupil=world.pupil_a,
            school_year=year,
            kind="elevsamtale",
            status="held",
            date=timezone.localdate() - timezone.timedelta(days=i),
        )
    records(world)
    [figures] = school_figures(world.user("coordinator")).object_list
    assert (figures.pupils, figures.with_target, figures.at_target) == (2, 2, 1)
    assert figures.at_target_pct == 50 and figures.open_concerns == 2 and figures.active_tiltak == 1
    page = world.client("coordinator").get(reverse("followup:dashboard")).content.decode()
    assert "Nøkkeltall dette skoleåret" in page and "1 / 2 (50 %)" in page
    # Rounded as the key-figure pages round: 1 of 40 is 2,5 %, not 2 % here and 2,5 % there.
    assert figures.share(1, 40) == 2.5 and figures.share(1, 8) == 12.5
    assert "Nøkkeltall" not in world.client("teacher").get(reverse("followup:dashboard")).content.decode()
    assert school_figures(world.user("guardian_a")).object_list == []


def test_key_figures_count_a_pupil_in_two_classes_once_and_page_by_school(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figures are counted in the database per school; the schools come a
    page at a time and the page links keep the deadline filters."""
    from followup import selectors

    f.enrol(world.pupil_a, f.GroupFactory(school_year=world.group_a.school_year, name="5B", year_level=5))
    [figures] = selectors.school_figures(world.user("coordinator")).object_list
    assert (figures.pupils, figures.with_target) == (2, 2)
    f.member(world.user("coordinator"), world.school2, StaffMembership.Role.KOORDINATOR)
    coordinator = User.objects.get(email=world.user("coordinator").email)  # a fresh profile
    monkeypatch.setattr(selectors, "FIGURES_PAGE", 1)
    first = selectors.school_figures(coordinator)
    second = selectors.school_figures(coordinator, "2")
    assert first.paginator.num_pages == 2
    assert {first.object_list[0].school, second.object_list[0].school} == {world.school1, world.school2}
    page = world.client("coordinator").get(reverse("followup:dashboard"), {"status": "open"}).content.decode()
    assert "?status=open&amp;skoler=2#figures-heading" in page


def test_the_pedagogisk_rapport_renders_as_pdf(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from followup.models import Referral

    referral = Referral.objects.create(
        pupil=world.pupil_a,
        question="Hvorfor leser Anna sakte?",
        report='Tiltak: lesekurs i 8 uker.\n<img src="file:///etc/passwd">',
        created_by=world.user("teacher"),
    )
    referral.consents.create(
        pupil=world.pupil_a, given_by="pupil", name="Anna Aasen", date=datetime.date(2026, 10, 1), method="signed"
    )
    response = world.client("teacher").get(reverse("followup:referral_pdf", args=[referral.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # Saved under its name like every other download, the exact name for the browsers that read it (RFC 5987).
    assert response["Content-Disposition"].startswith('attachment; filename="pedagogisk-rapport-aasen-anna-')
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert "Anna Aasen" in text and "Hvorfor leser Anna sakte?" in text and "lesekurs i 8 uker" in text
    assert '<img src="file:///etc/passwd">' in text  # shown literally, never fetched
    # Who consented: here the pupil, not "the guardians".
    assert "Samtykke\nAnna Aasen (Eleven selv (15 år eller eldre)) – Signert skjema" in text, text
    assert "foresatte" not in text.split("Samtykke", 1)[1]
    assert world.client("guardian_a").get(reverse("followup:referral_pdf", args=[referral.pk])).status_code == 404
    world.pupil_a.last_name = "Ørnæs"
    world.pupil_a.save()
    header = world.client("teacher").get(reverse("followup:referral_pdf", args=[referral.pk]))["Content-Disposition"]
    assert header.startswith('attachment; filename="pedagogisk-rapport-ornaes-anna-'), header
    assert "; filename*=utf-8''pedagogisk-rapport-%C3%B8rn%C3%A6s-anna-" in header, header


def test_the_calendar_feed_folds_long_lines_at_75_octets_without_splitting_a_letter(world: World) -> None:
    """RFC 5545 § 3.1: lines longer than 75 octets are folded (CRLF and a
    space); unfolding gives the line back. The summary below is 124 octets,
    and its 75th and 76th octets are the two of "æ"."""
    r = records(world)
    title = "Sjekk tiltak i lesing og skriving; møte med foresatte, kontaktlærer og spesialpedagog før høstferien"
    Deadline.objects.filter(pk=r.deadline_a.pk).update(title=title)
    raw = world.client("anonymous").get(reverse("followup:ical", args=[r.token])).content
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    first = next(i for i, line in enumerate(lines) if line.startswith(b"SUMMARY:"))
    folded = [line.decode() for line in lines[first : first + 3]]  # each line is whole UTF-8 on its own
    assert folded[:2] == [
        "SUMMARY:Sjekk tiltak i lesing og skriving\\; møte med foresatte\\, kontaktl",
        " ærer og spesialpedagog før høstferien (Skole 1)",
    ]
    assert not folded[2].startswith(" ")
    unfolded = raw.decode().replace("\r\n ", "").split("\r\n")
    assert (
        "SUMMARY:Sjekk tiltak i lesing og skriving\\; møte med foresatte\\, kontaktlærer og spesialpedagog før "
        "høstferien (Skole 1)"
    ) in unfolded


def test_the_chains_next_step_is_never_crowded_out_of_my_next_tasks(
    world: World, django_assert_max_num_queries
) -> None:
    """Nine old talks overdue, then the IOP due after the vedtak: the IOP is
    listed among the next tasks, and a link shows them all."""
    teacher, year, today = world.user("teacher"), world.group_a.school_year, timezone.localdate()

    def duty(key: str, fulfilment: str) -> Duty:
        return _pupil_duty(world, key, fulfilment)

    talk, iop = (
        duty("elevsamtale-host", Duty.Fulfilment.TALK_HELD),
        duty("iop-etter-vedtak", Duty.Fulfilment.IOP_PUBLISHED),
    )
    for n in range(9):
        Deadline.objects.create(
            key=f"talk:{n}",
            school=world.school1,
            school_year=year,
            duty=talk,
            title="Elevsamtale (høst)",
            pupil=world.pupil_a,
            due=today - datetime.timedelta(days=40 - n),
            responsible=teacher,
        )
    Deadline.objects.create(
        key="iop",
        school=world.school1,
        school_year=year,
        duty=iop,
        title="IOP utarbeidet",
        pupil=world.pupil_a,
        due=today + datetime.timedelta(days=20),
        responsible=teacher,
    )
    client = world.client("teacher")
    page = client.get(reverse("home")).content.decode()
    tasks = page.split('data-testid="my-tasks"')[1].split("</ul>")[0]
    assert "IOP utarbeidet" in tasks and tasks.count("Elevsamtale (høst)") == 7
    assert "Vis alle (10)" in page
    # "Show all" lists all ten, the one due in 20 days too (not only the overdue and soon).
    link = re.search(r'href="([^"]*)" data-testid="all-my-tasks"', page)
    assert link is not None
    listed = client.get(html.unescape(link.group(1))).content.decode()
    assert listed.count('<tr id="deadline-') == 10 and "IOP utarbeidet" in listed


def test_my_next_tasks_list_the_overdue_first_then_by_due_date(world: World) -> None:
    """Eight chain steps due soon for pupils, and two older tasks overdue, one
    about the school and one about a pupil: the two overdue come first, then
    the rest by due date, whatever each is about."""
    coordinator, year, today = world.user("coordinator"), world.group_a.school_year, timezone.localdate()
    kartlegging = Duty.objects.create(
        school=world.school1,
        key="kartlegging",
        title="kartlegging",
        responsible_role=Duty.Role.KOORDINATOR,
        applies_to=Duty.AppliesTo.EVERY_PUPIL,
        anchor=Duty.Anchor.FIXED_DATE,
        month=9,
        day=1,
        fulfilment=Duty.Fulfilment.KARTLEGGING,
    )
    common = {"school": world.school1, "school_year": year, "responsible": coordinator}
    for n in range(8):
        Deadline.objects.create(
            key=f"step:{n}",
            duty=kartlegging,
            title=f"Kartlegging {n}",
            pupil=world.pupil_a,
            due=today + timedelta(days=3 + n),
            **common,
        )
    Deadline.objects.create(
        key="school", title="Gå gjennom overføringsinformasjon", due=today - timedelta(days=100), **common
    )
    Deadline.objects.create(
        key="pupil", title="Vurdere henvisning til PPT", pupil=world.pupil_b, due=today - timedelta(days=5), **common
    )
    page = world.client("coordinator").get(reverse("home")).content.decode()
    assert "2 forfalt" in page
    tasks = page.split('data-testid="my-tasks"')[1].split("</ul>")[0]
    order = [tasks.index(title) for title in ("overføringsinformasjon", "henvisning til PPT", "Kartlegging 0")]
    assert order == sorted(order)
    assert tasks.count("<li>") == 8 and "Kartlegging 5" in tasks and "Kartlegging 6" not in tasks
    assert "Vis alle (10)" in page


def test_the_pupil_pages_open_deadlines_link_elsewhere_and_are_marked_overdue(world: World) -> None:
    """An open deadline about the pupil alone does not link back to the page
    itself; one about a record links to the record; an overdue one is tagged."""
    r = records(world)
    today = timezone.localdate()
    base = {"school": world.school1, "school_year": world.group_a.school_year, "responsible_role": "kontaktlaerer"}
    Deadline.objects.create(
        key="talk", pupil=world.pupil_a, title="Elevsamtale (høst)", due=today - timedelta(days=3), **base
    )
    Deadline.objects.create(
        key="concern",
        pupil=world.pupil_a,
        title="Følge opp bekymringen",
        due=today + timedelta(days=3),
        record_kind="concern",
        record_id=str(r.concern_a.pk),
        **base,
    )
    url = reverse("followup:pupil", args=[world.pupil_a.pk])
    page = world.client("teacher").get(url).content.decode()
    listed = page.split("data-deadlines>")[1].split("</ul>")[0]
    talk, concern = (next(li for li in listed.split("</li>") if title in li) for title in ("Elevsamtale", "Følge opp"))
    assert "Elevsamtale (høst)" in talk and "<a " not in talk and f'href="{url}"' not in listed
    assert '<span class="ds-tag" data-color="danger">Forfalt</span>' in talk
    assert f'href="{reverse("followup:concern_detail", args=[r.concern_a.pk])}">Følge opp bekymringen</a>' in concern
    assert "Forfalt" not in concern


def test_the_pupil_pages_open_deadlines_lead_to_the_iop_begun_and_to_registering_the_talk(world: World) -> None:
    """The IOP due after a decision leads to the IOP draft made from it (to the
    decision while there is none); a talk deadline leads to the form that
    registers that kind of talk, for those who may register talks."""
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    other = chain(world.pupil_a, iop_status=None)  # a second decision, no IOP from it yet
    today = timezone.localdate()

    def duty(key: str, fulfilment: str, talk_kind: str = "") -> Duty:
        return _pupil_duty(world, key, fulfilment, talk_kind)

    iop_duty = duty("iop-etter-vedtak", Duty.Fulfilment.IOP_PUBLISHED)
    base = {"school": world.school1, "school_year": world.group_a.school_year, "pupil": world.pupil_a, "due": today}
    for vedtak, title in ((ch.vedtak, "IOP utarbeidet etter enkeltvedtak"), (other.vedtak, "IOP etter det andre")):
        Deadline.objects.create(
            key=f"iop:{vedtak.pk}", duty=iop_duty, title=title, record_kind="vedtak", record_id=str(vedtak.pk), **base
        )
    for kind, title in (("elevsamtale", "Elevsamtale (høst)"), ("utviklingssamtale", "Utviklingssamtale (høst)")):
        Deadline.objects.create(key=kind, duty=duty(kind, Duty.Fulfilment.TALK_HELD, kind), title=title, **base)
    url = reverse("followup:pupil", args=[world.pupil_a.pk])
    page = world.client("coordinator").get(url).content.decode()
    listed = page.split("data-deadlines>")[1].split("</ul>")[0]
    assert f'href="{reverse("iop:iop_detail", args=[ch.iop.pk])}">IOP utarbeidet etter enkeltvedtak</a>' in listed
    assert f'href="{reverse("iop:vedtak_detail", args=[other.vedtak.pk])}">IOP etter det andre</a>' in listed
    register = reverse("followup:talk_create", args=[world.pupil_a.pk])
    assert f'href="{register}?kind=elevsamtale">Elevsamtale (høst)</a>' in listed
    assert f'href="{register}?kind=utviklingssamtale">Utviklingssamtale (høst)</a>' in listed
    form = world.client("coordinator").get(f"{register}?kind=utviklingssamtale")
    assert form.status_code == 200 and 'value="utviklingssamtale" selected' in form.content.decode()
    faglaerer = world.client("faglaerer").get(url).content.decode()  # logs, registers no talk
    assert register not in faglaerer and "Elevsamtale (høst)" in faglaerer


def test_the_pupil_page_counts_the_open_follow_up(world: World) -> None:
    """Open concerns, active tiltak and open deadlines (overdue among them):
    closed concerns and done deadlines are not counted, nor another pupil's."""
    r = records(world)
    today = timezone.localdate()
    Concern.objects.create(pupil=world.pupil_a, description="Lukket", other=True, status=Concern.Status.CLOSED)
    base = {"school": world.school1, "school_year": world.group_a.school_year, "responsible_role": "kontaktlaerer"}
    Deadline.objects.create(key="count:late", pupil=world.pupil_a, title="Sent", due=today - timedelta(days=2), **base)
    Deadline.objects.create(
        key="count:done", pupil=world.pupil_a, title="Gjort", due=today, state="done", done_at=timezone.now(), **base
    )
    Deadline.objects.create(key="count:b", pupil=world.pupil_b, title="B", due=today - timedelta(days=1), **base)
    assert r.concern_a.status != Concern.Status.CLOSED and r.tiltak_a.status == "active"
    body = world.client("teacher").get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert "Åpne bekymringsmeldinger: 1. Aktive tiltak: 1. Åpne frister: 2 (1 forfalt)." in body


@pytest.mark.parametrize(
    ("language", "one", "tag", "card"),
    [
        ("nn", "1 forfallen</a>", ">Forfallen</span>", "forfallen</a>"),
        ("sv", "1 försenad</a>", ">Försenad</span>", "försenad</a>"),
    ],
)
def test_one_overdue_deadline_is_counted_and_tagged_in_the_singular(
    world: World, language: str, one: str, tag: str, card: str
) -> None:
    """ "1 forfallen", not "1 forfalne" (nynorsk), "1 försenad", not "1 försenade"
    (Swedish): on the home page's count, its task's tag and the deadline page's card."""
    teacher = world.user("teacher")
    Deadline.objects.create(
        key="one-overdue",
        school=world.school1,
        school_year=world.group_a.school_year,
        title="Kartlegging",
        pupil=world.pupil_a,
        due=timezone.localdate() - datetime.timedelta(days=2),
        responsible_role="kontaktlaerer",
        responsible=teacher,
    )
    type(teacher).objects.filter(pk=teacher.pk).update(language=language)
    client = world.client("teacher")
    home = client.get(reverse("home")).content.decode()
    assert one in home and tag in home
    page = client.get(reverse("followup:dashboard") + "?mine=on").content.decode()
    assert f"<strong>1</strong> {card}" in page
