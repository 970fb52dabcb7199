"""The chain through the services and pages: SV → vedtak → IOP → logs."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from iop import services
from iop.charts import progression_svg
from iop.models import AccessLogEntry, Enkeltvedtak, Goal, GoalLog, Iop, IopVersion, SakkyndigVurdering
from students import access
from tests.conftest import World
from tests.iop.factories import CRITERIA, VEDTAK_REASONS, chain, consent

TODAY = timezone.localdate
D = datetime.date.fromisoformat


def resolved(world: World, persona: str, pupil=None):  # type: ignore[no-untyped-def]
    return access.get_pupil(world.user(persona), (pupil or world.pupil_a).pk)


def test_it_runs_the_whole_chain_through_the_services(world: World) -> None:
    ppt, coordinator, teacher = world.user("ppt"), world.user("coordinator"), world.user("teacher")
    today = TODAY()
    sv = services.vurdering_create(
        actor=ppt,
        pupil=resolved(world, "ppt"),
        data={
            "assessed_on": today,
            "valid_from": today,
            "valid_to": today + datetime.timedelta(days=200),
            "benefit_from_ordinary": "Noe",
            "why_insufficient": "Fordi",
            "realistic_goals": "Lese",
            "recommended_measures": "Liten gruppe",
            "pupil_view": "Eleven vil helst være i klassen; det er lagt vekt på.",
        },
        subjects=[{"subject": "Matematikk", "hours": 76}, {"subject": "Norsk", "hours": 38}],
    )
    consent(world.pupil_a, "sv", on=today)
    sv = services.vurdering_complete(actor=ppt, vurdering=sv, version=sv.version)
    assert sv.status == SakkyndigVurdering.Status.COMPLETED
    vedtak = services.vedtak_create(
        actor=coordinator,
        pupil=resolved(world, "coordinator"),
        vurdering=sv,
        data={"valid_from": today, "valid_to": today + datetime.timedelta(days=200), **VEDTAK_REASONS},
        subjects=[{"subject": "Matematikk", "hours": 76}, {"subject": "Norsk", "hours": 38}],
    )
    consent(world.pupil_a, "vedtak", on=today)
    vedtak = services.vedtak_make(actor=coordinator, vedtak=vedtak, version=vedtak.version)
    assert vedtak.is_made and vedtak.made_by == coordinator
    with pytest.raises(ValidationError):
        services.vedtak_update(actor=coordinator, vedtak=vedtak, version=vedtak.version, data={}, subjects=[])

    vedtak.pupil = resolved(world, "teacher")
    iop = services.iop_create(actor=teacher, vedtak=vedtak)
    assert [(s.subject, s.hours) for s in iop.sections.all()] == [("Matematikk", 76), ("Norsk", 38)]
    goal = services.goal_create(actor=teacher, iop=iop, section=iop.sections.first())
    goal = services.goal_update(
        actor=teacher, goal=goal, version=goal.version, data={"text": "Eleven leser 100 ord.", **CRITERIA}
    )
    assert goal.version == 2
    services.goal_log_create(actor=world.user("faglaerer"), goal=goal, data={"date": today, "quality": 2})
    with pytest.raises(ValidationError) as refused:  # every subject needs a goal first
        services.iop_publish(actor=teacher, iop=iop, version=iop.version)
    assert refused.value.messages == ["Ingen læringsmål ennå i: Norsk."]
    norsk = iop.sections.get(subject="Norsk")
    services.goal_create(actor=teacher, iop=iop, section=norsk, text="Eleven leser korte tekster høyt.")
    iop = services.iop_publish(actor=teacher, iop=iop, version=iop.version)
    assert iop.status == Iop.Status.PUBLISHED
    version = IopVersion.objects.get(iop=iop)
    assert version.snapshot["sections"][0]["goals"][0]["text"] == "Eleven leser 100 ord."
    # History keeps who changed what.
    last = Goal.history.filter(id=goal.pk).first()
    assert last.history_user == teacher and last.text == "Eleven leser 100 ord."
    assert GoalLog.history.filter(goal_id=goal.pk).count() == 1


def test_it_refuses_writes_by_the_wrong_role(world: World) -> None:
    ch = chain(world.pupil_a)
    ch.vedtak.pupil = resolved(world, "faglaerer")
    with pytest.raises(PermissionDenied):
        services.iop_create(actor=world.user("faglaerer"), vedtak=ch.vedtak)
    with pytest.raises(PermissionDenied):
        services.vurdering_create(actor=world.user("teacher"), pupil=resolved(world, "teacher"), data={}, subjects=[])


def test_it_refuses_to_make_a_vedtak_across_school_stages(world: World) -> None:
    world.group_a.year_level = 7
    world.group_a.save()
    ch = chain(world.pupil_a, vedtak_status=Enkeltvedtak.Status.DRAFT, iop_status=None)
    end = world.group_a.school_year.end
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(valid_to=end + datetime.timedelta(days=60))
    ch.vedtak.refresh_from_db()
    with pytest.raises(ValidationError, match="skolenivå"):
        services.vedtak_make(actor=world.user("coordinator"), vedtak=ch.vedtak, version=ch.vedtak.version)


def test_it_refuses_to_publish_an_iop_granting_more_than_the_vedtak(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    section = ch.sections[0]
    services.section_update(actor=world.user("teacher"), section=section, version=section.version, data={"hours": 500})
    with pytest.raises(ValidationError, match="500"):
        services.iop_publish(actor=world.user("teacher"), iop=ch.iop, version=ch.iop.version)


# --- pages -------------------------------------------------------------------------------


def test_it_walks_the_chain_through_the_pages(world: World) -> None:
    today = TODAY()
    ppt = world.client("ppt")
    response = ppt.post(
        reverse("iop:vurdering_create", args=[world.pupil_a.pk]),
        {
            "assessed_on": today,
            "valid_from": today,
            "valid_to": today + datetime.timedelta(days=200),
            "benefit_from_ordinary": "Noe",
            "why_insufficient": "Fordi",
            "realistic_goals": "Lese",
            "recommended_measures": "Liten gruppe",
            "pupil_view": "Eleven vil helst være i klassen; det er lagt vekt på.",
            "fag-TOTAL_FORMS": "1",
            "fag-INITIAL_FORMS": "0",
            "fag-0-subject": "Matematikk",
            "fag-0-hours": "76",
        },
    )
    assert response.status_code == 302
    sv = SakkyndigVurdering.objects.get(pupil=world.pupil_a)
    coordinator = world.client("coordinator")
    for kind in ("sv", "vedtak"):  # the guardians' consent, recorded by the school
        response = coordinator.post(
            reverse("iop:consents", args=[world.pupil_a.pk]),
            {"kind": kind, "given_by": "guardian", "name": "Aud Foresatt", "date": today, "method": "signed"},
        )
        assert response.status_code == 302
    assert (
        ppt.post(reverse("iop:vurdering_complete", args=[sv.pk]), {"version": sv.version, "confirm": "1"}).status_code
        == 302
    )
    page = coordinator.get(reverse("iop:vedtak_create", args=[sv.pk]))
    assert 'value="Matematikk"' in page.content.decode()
    response = coordinator.post(
        reverse("iop:vedtak_create", args=[sv.pk]),
        {
            "valid_from": today,
            "valid_to": today + datetime.timedelta(days=200),
            "appeal_info": "Klage innen tre uker til Statsforvalteren.",
            "legal_basis": "Opplæringslova § 11-6.",
            **VEDTAK_REASONS,
            "fag-TOTAL_FORMS": "1",
            "fag-INITIAL_FORMS": "0",
            "fag-0-subject": "Matematikk",
            "fag-0-hours": "76",
            "fag-0-organisation": "small_group",
            "fag-0-staff_competence": "special_needs_teacher",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    vedtak = Enkeltvedtak.objects.get(pupil=world.pupil_a)
    coordinator.post(reverse("iop:vedtak_make", args=[vedtak.pk]), {"version": vedtak.version, "confirm": "1"})
    vedtak.refresh_from_db()
    assert vedtak.is_made
    teacher = world.client("teacher")
    response = teacher.post(reverse("iop:iop_create", args=[vedtak.pk]))
    iop = Iop.objects.get(pupil=world.pupil_a)
    assert response.url == reverse("iop:iop_detail", args=[iop.pk])
    # The guardian does not see the draft.
    assert world.client("guardian_a").get(reverse("iop:iop_detail", args=[iop.pk])).status_code == 404
    section = iop.sections.get()
    response = teacher.post(reverse("iop:goal_create", args=[iop.pk]), {"section": section.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "autofocus" in response.content.decode()
    goal = iop.goals.get()
    response = teacher.post(
        reverse("iop:goal_update", args=[goal.pk]),
        {f"{goal.pk}-{k}": v for k, v in {"version": 1, "text": "Eleven jobber med lesing", **CRITERIA}.items()},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "hx-swap-oob" in body and 'value="2"' in body
    assert "goal_vague" in body  # the check shows as soon as it is saved
    assert (
        teacher.post(
            reverse("iop:iop_publish", args=[iop.pk]),
            {"version": 1, "confirm": "1", "seen": services.content_stamp(iop)},
        ).status_code
        == 302
    )
    iop.refresh_from_db()
    assert iop.status == Iop.Status.PUBLISHED
    faglaerer = world.client("faglaerer")
    response = faglaerer.post(
        reverse("iop:goal_log_create", args=[goal.pk]),
        {"date": today, "quality": "2", "independence": "3", "feed_forward": "Les høyt hver dag"},
    )
    assert response.status_code == 302
    guardian_page = world.client("guardian_a").get(reverse("iop:goal_detail", args=[goal.pk])).content.decode()
    assert "Les høyt hver dag" in guardian_page and "<svg" in guardian_page


@pytest.mark.parametrize(
    ("moment", "today", "valid_to"),
    [
        ("2028-02-29T12:00:00+01:00", "2028-02-29", "2029-02-28"),  # no 29 February in 2029
        ("2027-02-28T12:00:00+01:00", "2027-02-28", "2028-02-28"),
        ("2027-01-01T00:30:00+01:00", "2027-01-01", "2028-01-01"),  # still 2026 in UTC
    ],
)
def test_a_new_vurdering_is_offered_as_valid_for_a_year_from_today(
    world: World, moment: str, today: str, valid_to: str
) -> None:
    with time_machine.travel(moment, tick=False):
        response = world.client("ppt").get(reverse("iop:vurdering_create", args=[world.pupil_a.pk]))
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["valid_from"], initial["valid_to"]) == (D(today), D(valid_to))


def test_it_shows_guardians_published_documents_only_and_never_internal_text(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, logs_per_goal=3)
    guardian = world.client("guardian_a")
    for url in (
        reverse("iop:vurdering_detail", args=[ch.sv.pk]),
        reverse("iop:vedtak_detail", args=[ch.vedtak.pk]),
        reverse("iop:iop_detail", args=[ch.iop.pk]),
        reverse("iop:goal_detail", args=[ch.goals[0].pk]),
        reverse("pupil_detail", args=[world.pupil_a.pk]),
    ):
        body = guardian.get(url).content.decode()
        assert "INTERNAL" not in body, url
        assert body.count('method="post"') == 1 and "hx-post" not in body, url  # only "log out"
    staff = world.client("teacher").get(reverse("iop:goal_detail", args=[ch.goals[0].pk])).content.decode()
    assert "INTERNAL-LOG-NOTE" in staff
    draft = chain(world.pupil_b, iop_status=Iop.Status.DRAFT, vedtak_status=Enkeltvedtak.Status.MADE)
    guardian_b = world.client("guardian_b")
    assert guardian_b.get(reverse("iop:iop_detail", args=[draft.iop.pk])).status_code == 404
    assert guardian_b.get(reverse("iop:goal_detail", args=[draft.goals[0].pk])).status_code == 404


def test_a_guardian_reads_a_log_entrys_note_unless_it_is_internal_and_never_an_empty_row(world: World) -> None:
    """A note not marked internal is the guardian's to read; an entry that
    holds only an internal note is not listed to the guardian at all."""
    ch = chain(world.pupil_a, goals=1)
    goal = ch.goals[0]
    day = timezone.localdate()
    GoalLog.objects.create(goal=goal, date=day, note="Leste høyt for klassen")
    GoalLog.objects.create(goal=goal, date=day, note="Bekymret for hjemmesituasjonen", note_internal=True)
    guardian = world.client("guardian_a").get(reverse("iop:goal_detail", args=[goal.pk])).content.decode()
    rows = guardian.split('id="log-entries"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert "Leste høyt for klassen" in rows and "hjemmesituasjonen" not in guardian
    assert rows.count("<tr>") == 1
    staff = world.client("teacher").get(reverse("iop:goal_detail", args=[goal.pk])).content.decode()
    rows = staff.split('id="log-entries"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 2 and "hjemmesituasjonen" in rows


def test_a_guardians_write_changes_nothing(world: World) -> None:
    ch = chain(world.pupil_a, goals=1)
    goal = ch.goals[0]
    before = Goal.history.count(), GoalLog.objects.count()
    guardian = world.client("guardian_a")
    data = {f"{goal.pk}-version": 1, f"{goal.pk}-text": "Hacked"}
    assert guardian.post(reverse("iop:goal_update", args=[goal.pk]), data).status_code == 404
    assert (
        guardian.post(reverse("iop:goal_log_create", args=[goal.pk]), {"date": TODAY(), "quality": 4}).status_code
        == 404
    )
    goal.refresh_from_db()
    assert goal.text != "Hacked" and (Goal.history.count(), GoalLog.objects.count()) == before


def test_it_keeps_bad_input_and_answers_in_norwegian(world: World) -> None:
    ch = chain(world.pupil_a, goals=1)
    goal = ch.goals[0]
    response = world.client("faglaerer").post(
        reverse("iop:goal_log_create", args=[goal.pk]), {"date": "32.13.2020", "feed_forward": "Min tekst"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Min tekst" in body and "gyldig dato" in body
    response = world.client("faglaerer").post(reverse("iop:goal_log_create", args=[goal.pk]), {"date": TODAY()})
    assert "Skriv noe eller velg et nivå" in response.content.decode()


def test_it_logs_every_read_and_shows_guardians_who_read(world: World) -> None:
    ch = chain(world.pupil_a)
    world.client("teacher").get(reverse("iop:iop_detail", args=[ch.iop.pk]))
    world.client("coordinator").get(reverse("iop:vedtak_detail", args=[ch.vedtak.pk]))
    entries = AccessLogEntry.objects.filter(pupil=world.pupil_a)
    assert {(e.user.email, e.kind) for e in entries} == {
        ("teacher@test.example", "iop"),
        ("coordinator@test.example", "vedtak"),
    }
    body = world.client("guardian_a").get(reverse("iop:access_log", args=[world.pupil_a.pk])).content.decode()
    assert "Tone Lærer" in body and "Kari Koordinator" in body


def test_a_coordinator_grants_a_substitute_read_access_until_a_date(world: World) -> None:
    ch = chain(world.pupil_a)
    vikar = world.user("vikar_expired")
    url = reverse("iop:iop_detail", args=[ch.iop.pk])
    assert world.client("vikar_expired").get(url).status_code == 404
    until = TODAY() + datetime.timedelta(days=3)
    response = world.client("coordinator").post(
        reverse("iop:vikar_access", args=[world.pupil_a.pk]), {"user": vikar.pk, "until": until}
    )
    assert response.status_code == 302
    assert world.client("vikar_expired").get(url).status_code == 200
    # After the date: 404 again.
    grant = access.PupilUserObjectPermission.objects.get(user=vikar, content_object=world.pupil_a)
    assert timezone.localdate(grant.expires_at) == until
    grant.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    grant.save()
    assert world.client("vikar_expired").get(url).status_code == 404
    # A date in the past is refused with a message; nothing is granted.
    response = world.client("coordinator").post(
        reverse("iop:vikar_access", args=[world.pupil_a.pk]),
        {"user": vikar.pk, "until": TODAY() - datetime.timedelta(days=1)},
    )
    assert response.status_code == 200 and "Datoen har passert" in response.content.decode()


def test_it_shows_history_and_compares_published_versions(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    teacher = world.user("teacher")
    ch.iop.pupil = resolved(world, "teacher")
    iop = services.iop_publish(actor=teacher, iop=ch.iop, version=ch.iop.version)
    goal = ch.goals[0]
    goal.iop.pupil = ch.iop.pupil
    services.goal_update(actor=teacher, goal=goal, version=goal.version, data={"text": "Eleven leser 200 ord."})
    services.iop_publish(actor=teacher, iop=iop, version=iop.version)
    client = world.client("teacher")
    body = client.get(reverse("iop:history", args=["iop", iop.pk])).content.decode()
    assert "Eleven leser 200 ord." in body and "Tone Lærer" in body
    body = client.get(reverse("iop:iop_compare", args=[iop.pk])).content.decode()
    assert "<del>" in body and "<ins>" in body and "Eleven leser 200 ord." in body


def test_the_chart_escapes_text_and_describes_the_progression() -> None:
    entries = [
        GoalLog(date=datetime.date(2026, 9, 1), quality=1, independence=2),
        GoalLog(date=datetime.date(2026, 10, 1), quality=3, independence=None),
    ]
    svg = progression_svg(entries, title="<script>alert(1)</script>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<polyline") == 2 and 'role="img"' in svg
    assert "<polyline" not in progression_svg([])


def test_the_chart_shows_both_lines_when_the_levels_are_equal_and_words_when_empty() -> None:
    entries = [
        GoalLog(date=datetime.date(2026, 9, 1), quality=2, independence=2),
        GoalLog(date=datetime.date(2026, 10, 1), quality=3, independence=3),
    ]
    for small in (False, True):
        svg = str(progression_svg(entries, small=small))
        lines = re.findall(r'<polyline points="([^"]+)"', svg)
        assert len(lines) == 2 and lines[0] != lines[1], "equal levels: the lines are drawn apart"
        assert "stroke-dasharray" in svg and "<circle" in svg and "<rect" in svg  # dash and marks tell them apart
    empty = str(progression_svg([GoalLog(date=datetime.date(2026, 9, 1))]))
    assert "<svg" not in empty and 'class="progression-empty"' in empty


def test_the_demo_builder_adds_chains(db: None) -> None:
    from iop import demo
    from students import demo as students_demo

    students_demo.create()
    demo.create()
    assert Iop.objects.filter(status=Iop.Status.PUBLISHED).count() >= 2
    assert GoalLog.objects.exists()
    # Teaching given is logged up to today, so "Årstimer gitt" is not 0 in the demo's key figures.
    from iop.models import TeachingLog

    started = Iop.objects.filter(period_start__lte=TODAY()).exists()
    assert TeachingLog.objects.exists() == started, started
    assert not TeachingLog.objects.filter(period_end__gt=TODAY()).exists()
    later = Goal.objects.get(text__endswith="(utkast).")  # an edit after publishing: guardians do not see it yet
    assert later.iop is not None and "(utkast)" not in str(later.iop.versions.order_by("-number")[0].snapshot)
    demo.create()  # a second run changes nothing
    assert SakkyndigVurdering.objects.count() == 4


def test_goals_are_reordered_and_deleted_inline(world: World) -> None:
    ch = chain(world.pupil_a, goals=3)
    first, second, third = ch.goals
    teacher = world.client("teacher")
    response = teacher.post(reverse("iop:goal_move", args=[first.pk]), {"direction": "down"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="goals-{ch.sections[0].pk}"' in response.content.decode()
    assert list(Goal.objects.filter(iop=ch.iop).order_by("order")) == [second, first, third]
    first.refresh_from_db()
    assert first.version == 1  # moving does not make anybody's open edit stale
    teacher.post(reverse("iop:goal_delete", args=[third.pk]), HTTP_HX_REQUEST="true")
    assert not Goal.objects.filter(pk=third.pk).exists()
    GoalLog.objects.create(goal=second, date=TODAY(), quality=2)
    teacher.post(reverse("iop:goal_delete", args=[second.pk]))
    assert Goal.objects.filter(pk=second.pk).exists()
    # Refused inline: the reason is shown in place, above the goals.
    refused = teacher.post(reverse("iop:goal_delete", args=[second.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in refused and "kan ikke slettes" in refused


def test_a_posted_form_count_beyond_the_subject_rows_is_refused_with_a_message(world: World) -> None:
    """A forged TOTAL_FORMS must not make the server build thousands of rows."""
    today = TODAY()
    response = world.client("ppt").post(
        reverse("iop:vurdering_create", args=[world.pupil_a.pk]),
        {
            "assessed_on": today,
            "valid_from": today,
            "valid_to": today + datetime.timedelta(days=200),
            "benefit_from_ordinary": "Noe",
            "fag-TOTAL_FORMS": str(10**25),
            "fag-INITIAL_FORMS": "0",
            "fag-0-subject": "Matematikk",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "maks 40 skjemaer" in body and "Noe" in body
    assert len(re.findall(r'name="fag-\d+-subject"', body)) <= 40
    assert not SakkyndigVurdering.objects.filter(pupil=world.pupil_a).exists()


SUBJECT_DEFAULTS = {"organisation": "class", "staff_competence": "teacher"}


def test_hours_typed_in_a_subject_row_without_a_name_are_refused_not_dropped(world: World) -> None:
    """A decision's (and an assessment's) subject row left without a name is
    dropped only when nothing else was typed in it; hours typed in a nameless
    row are an error that names the field, and the form keeps what was typed."""
    ch = chain(world.pupil_a, vedtak_status=Enkeltvedtak.Status.DRAFT, iop_status=None)
    vedtak = ch.vedtak
    today = timezone.localdate()
    before = sorted(vedtak.subjects.values_list("subject", "hours"))
    data = {
        "valid_from": today,
        "valid_to": today + datetime.timedelta(days=200),
        "appeal_info": "Klage innen tre uker.",
        "legal_basis": "Opplæringslova § 11-6.",
        "outcome": "granted",
        **VEDTAK_REASONS,
        "version": str(vedtak.version),
        "fag-TOTAL_FORMS": "3",
        "fag-INITIAL_FORMS": "0",
        "fag-0-subject": "Matematikk",
        "fag-0-hours": "76",
        "fag-1-subject": "",
        "fag-1-hours": "10",
        "fag-2-subject": "",  # an empty extra row: dropped, as before
        # The choices as the browser sends them: the named row's, and "– velg –" in the new rows.
        **{f"fag-0-{name}": value for name, value in SUBJECT_DEFAULTS.items()},
        **{f"fag-{i}-{name}": "" for i in (1, 2) for name in SUBJECT_DEFAULTS},
    }
    response = world.client("coordinator").post(reverse("iop:vedtak_edit", args=[vedtak.pk]), data)
    body = response.content.decode()
    assert response.status_code in (200, 400) and "Skriv navnet på faget, eller tøm raden." in body
    hours = re.search(r'<input[^>]*name="fag-1-hours"[^>]*>', body)
    assert hours and 'value="10"' in hours[0]  # kept as typed
    assert sorted(vedtak.subjects.values_list("subject", "hours")) == before
    data["fag-1-hours"] = ""
    assert world.client("coordinator").post(reverse("iop:vedtak_edit", args=[vedtak.pk]), data).status_code == 302
