"""The pipeline: every pupil in the chain with their current step, days in
it, whom it waits for and overdue marked; a fixed number of queries with 10
or 1,000 pupils in the chain."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from followup import pipeline
from followup.models import Concern, Deadline, Duty, Kartlegging, Oppfolgingsplan, Referral, Tiltak
from followup.pipeline import Step
from iop.models import AccessLogEntry, Iop, SakkyndigVurdering
from iop.reports.models import Report
from students.models import Enrolment, Pupil, TeachingAssignment
from tests import factories as f
from tests.conftest import World
from tests.iop.factories import VurderingFactory, chain
from tests.queries import assert_same_queries, page_queries

DAY = datetime.timedelta(days=1)


def ago(days: int) -> datetime.datetime:
    return timezone.now() - days * DAY


def pupils_at_each_step(w: World) -> dict[str, Pupil]:
    """Pupils of group A (the teacher's class) at each step of the chain, with known dates."""
    today = timezone.localdate()
    teacher, ppt = w.user("teacher"), w.user("ppt")
    p = {name: f.pupil_in(w.group_a, last_name=name) for name in ("Bekymring", "Tiltak", "Henvist", "Vurdert")}
    p["Vedtak"], p["Publisert"], p["Kjedefri"] = w.pupil_a, w.pupil_b, f.pupil_in(w.group_a, last_name="Kjedefri")
    Enrolment.objects.create(pupil=w.pupil_b, group=w.group_a)
    Concern.objects.create(
        pupil=p["Bekymring"], filed_by=teacher, description="Uro", high_absence=True, filed_at=ago(5)
    )
    plan = Oppfolgingsplan.objects.create(pupil=p["Tiltak"], main_challenges="Lesing", created_by=teacher)
    Kartlegging.objects.create(pupil=p["Tiltak"], date=today - 20 * DAY, created_by=teacher)
    Tiltak.objects.create(
        plan=plan,
        pupil=p["Tiltak"],
        challenge="Lesing",
        description="Lesekurs",
        organisation=Tiltak.Organisation.GROUP,
        collaboration=Tiltak.Collaboration.SCHOOL,
        start=today - 3 * DAY,
        end=today + 60 * DAY,
        responsible=teacher,
        evaluation_date=today + 30 * DAY,
    )
    Referral.objects.create(
        pupil=p["Henvist"], question="Q", report="R", status=Referral.Status.SENT, sent_at=ago(12), created_at=ago(30)
    )
    duty = Duty.objects.create(
        school=w.school1,
        key="pipeline-sakkyndig-vurdering",
        title="Sakkyndig vurdering",
        responsible_role=Duty.Role.PPT,
        applies_to=Duty.AppliesTo.RECORD,
        anchor=Duty.Anchor.RECORD,
        record_event=Duty.RecordEvent.REFERRAL_SENT,
        fulfilment=Duty.Fulfilment.VURDERING,
    )
    Deadline.objects.create(
        key="pipeline:henvist",
        school=w.school1,
        school_year=w.group_a.school_year,
        duty=duty,
        title="Sakkyndig vurdering",
        pupil=p["Henvist"],
        due=today - DAY,
        responsible_role=Duty.Role.PPT,
    )
    VurderingFactory(pupil=p["Vurdert"], author=ppt, completed_at=ago(4))
    chain(w.pupil_a, author=ppt, iop_status=None)  # vedtak made 10 days ago, no IOP yet
    made = chain(w.pupil_b, author=ppt)  # IOP published
    assert made.iop is not None
    made.iop.published_at = ago(7)
    made.iop.save(update_fields=["published_at"])
    return p


def test_each_pupil_shows_the_step_days_whom_it_waits_for_and_overdue(world: World) -> None:
    p = pupils_at_each_step(world)
    today = timezone.localdate()
    coordinator = world.user("coordinator")
    qs = pipeline.pipeline_pupils(coordinator, today)
    rows = {r.pupil.last_name: r for r in pipeline.pipeline_rows(list(qs), Deadline.objects.all(), today)}
    got = {name: (r.step, r.days, r.waits_for, r.overdue) for name, r in rows.items()}
    assert got == {
        "Bekymring": (Step.CONCERN, 5, Duty.Role.KOORDINATOR, False),
        "Tiltak": (Step.TILTAK, 3, Duty.Role.KOORDINATOR, False),
        "Henvist": (Step.REFERRAL, 12, Duty.Role.PPT, True),
        "Vurdert": (Step.VEDTAK, 4, Duty.Role.REKTOR, False),
        p["Vedtak"].last_name: (Step.IOP, 10, Duty.Role.KONTAKTLAERER, False),
        p["Publisert"].last_name: (Step.AARSRAPPORT, 7, Duty.Role.KONTAKTLAERER, False),
    }
    assert rows[p["Vedtak"].last_name].people == [world.user("teacher").full_name]


def test_a_draft_assessment_waits_for_ppt_and_a_finished_chain_is_not_listed(world: World) -> None:
    today = timezone.localdate()
    pupil = f.pupil_in(world.group_a, last_name="Utkast")
    VurderingFactory(pupil=pupil, author=world.user("ppt"), status=SakkyndigVurdering.Status.DRAFT)
    [row] = pipeline.pipeline_rows(
        list(pipeline.pipeline_pupils(world.user("coordinator"), today)), Deadline.objects.all(), today
    )
    assert (row.pupil, row.step, row.waits_for) == (pupil, Step.SV, Duty.Role.PPT)


def test_a_written_arsrapport_ends_the_round_and_an_old_kartlegging_without_a_concern_is_not_a_step(
    world: World,
) -> None:
    today = timezone.localdate()
    made = chain(world.pupil_a, author=world.user("ppt"))
    assert made.iop is not None
    Report.objects.create(
        kind=Report.Kind.AARSRAPPORT,
        pupil=world.pupil_a,
        iop=made.iop,
        status=Report.Status.FINALISED,
        period_start=made.iop.period_start,
        period_end=made.iop.period_end,
        finalised_at=timezone.now(),
        pdf="reports/aarsrapport.pdf",  # the step reads the report's status, never its file
        pdf_sha256="0" * 64,
    )
    old = f.pupil_in(world.group_a, last_name="Gammel")
    Kartlegging.objects.create(pupil=old, date=today - 400 * DAY, kind=Kartlegging.Kind.ACADEMIC, result="R")
    coordinator = world.user("coordinator")
    assert list(pipeline.pipeline_pupils(coordinator, today)) == []
    # A new round: a concern about the pupil who finished lists them again, at the concern.
    Concern.objects.create(pupil=world.pupil_a, description="Ny uro", high_absence=True)
    [row] = pipeline.pipeline_rows(list(pipeline.pipeline_pupils(coordinator, today)), Deadline.objects.all(), today)
    assert (row.pupil, row.step, row.days) == (world.pupil_a, Step.CONCERN, 0)


def test_the_page_filters_and_shows_each_reader_only_their_pupils(world: World) -> None:
    p = pupils_at_each_step(world)
    url = reverse("followup:pipeline")
    page = world.client("coordinator").get(url).content.decode()
    assert "Elever i tiltakskjeden" in page and "Bekymring" in page and "Venter på" in page
    assert ">Forfalt</span>" in page and "Kjedefri" not in page
    assert "Kontaktlærer: Tone Lærer" in page
    # The teacher of group A sees group A's pupils; pupil B is in group A too here.
    teacher_page = world.client("teacher").get(url).content.decode()
    assert "Henvist" in teacher_page
    # A group filter narrows to the group; another school's coordinator sees none of them.
    other_group = world.client("coordinator").get(url, {"group": world.group_b.pk}).content.decode()
    assert "Bekymring" not in other_group and p["Publisert"].last_name in other_group
    assert "Bekymring" not in world.client("coordinator_other").get(url).content.decode()
    assert world.client("guardian_a").get(url).status_code == 403
    assert world.client("faglaerer").get(url).status_code == 200
    # Each pupil shown is a read in the access log.
    read = AccessLogEntry.objects.filter(user=world.user("coordinator"), kind=AccessLogEntry.Kind.PUPIL)
    assert read.filter(pupil=p["Henvist"]).exists()


def bulk_chain(w: World, n: int, start: int) -> None:
    """N pupils of group A in the chain: open concerns, kartlegginger, sent referrals and draft assessments."""
    school, teacher = w.school1, w.user("teacher")
    pupils = Pupil.objects.bulk_create(
        Pupil(school=school, first_name=f"Elev{i}", last_name="Kjede", birth_date=datetime.date(2016, 1, 1))
        for i in range(start, start + n)
    )
    Enrolment.objects.bulk_create(Enrolment(pupil=p, group=w.group_a) for p in pupils)
    today = timezone.localdate()
    Concern.objects.bulk_create(
        Concern(pupil=p, filed_by=teacher, description="Uro", high_absence=True, filed_at=ago(i % 40))
        for i, p in enumerate(pupils)
    )
    Kartlegging.objects.bulk_create(
        Kartlegging(pupil=p, date=today - (i % 20) * DAY, created_by=teacher) for i, p in enumerate(pupils[::2])
    )
    Referral.objects.bulk_create(
        Referral(pupil=p, question="Q", report="R", status=Referral.Status.SENT, sent_at=ago(3)) for p in pupils[::3]
    )
    SakkyndigVurdering.objects.bulk_create(
        SakkyndigVurdering(
            pupil=p,
            status=SakkyndigVurdering.Status.DRAFT,
            assessed_on=today,
            valid_from=today,
            valid_to=today + 300 * DAY,
        )
        for p in pupils[::5]
    )


def test_the_pipeline_runs_the_same_queries_with_10_or_1000_pupils_in_the_chain(world: World) -> None:
    url = reverse("followup:pipeline")
    urls = [url, url + f"?school={world.school1.pk}&group={world.group_a.pk}", url + "?side=2"]
    pupils_at_each_step(world)
    bulk_chain(world, 4, 0)
    clients = [world.client("coordinator"), world.client("teacher")]
    small = [page_queries(client, u) for client in clients for u in urls]
    bulk_chain(world, 990, 4)
    large = [page_queries(client, u) for client in clients for u in urls]
    assert_same_queries(small, large)
    page = world.client("coordinator").get(url).content.decode()
    assert "Side 1 av 10" in page


def _iop_row(world: World) -> pipeline.PipelineRow:
    today = timezone.localdate()
    qs = pipeline.pipeline_pupils(world.user("coordinator"), today)
    [row] = [r for r in pipeline.pipeline_rows(list(qs), Deadline.objects.all(), today) if r.pupil == world.pupil_a]
    return row


def test_the_iop_step_waits_only_for_the_kontaktlaerer_of_the_current_class(world: World) -> None:
    """The kontaktlærere of the class the pupil left (at another school
    today, or earlier in this school) are not named."""
    today = timezone.localdate()
    chain(world.pupil_a, author=world.user("ppt"), iop_status=None)
    T = TeachingAssignment.Role
    former_other = f.UserFactory(full_name="Gunn Tidligere")
    f.assign(former_other, world.group_c, T.KONTAKTLAERER)
    Enrolment.objects.create(pupil=world.pupil_a, group=world.group_c, start=today - 90 * DAY, end=today)
    former_here = f.UserFactory(full_name="Hans Forrige")
    f.assign(former_here, world.group_b, T.KONTAKTLAERER)
    Enrolment.objects.create(pupil=world.pupil_a, group=world.group_b, start=today - 90 * DAY, end=today - DAY)
    row = _iop_row(world)
    assert row.step == Step.IOP and row.people == [world.user("teacher").full_name]


def test_the_iop_step_counts_from_the_vedtak_also_with_a_draft(world: World) -> None:
    """A draft IOP made today on a vedtak made ten days ago: ten days in the
    step, as for a pupil without a draft."""
    chain(world.pupil_a, author=world.user("ppt"), iop_status=Iop.Status.DRAFT)
    row = _iop_row(world)
    assert (row.step, row.days) == (Step.IOP, 10)


def test_a_filter_that_is_not_one_is_ignored_with_the_same_words_as_on_the_deadline_page(world: World) -> None:
    """``?school=abc&group=999`` typed by hand: the whole list, and one
    sentence saying the filter was not used, not the form's field errors."""
    page = world.client("coordinator").get(reverse("followup:pipeline") + "?school=abc&group=999").content.decode()
    assert "Filteret var ugyldig og er ikke brukt." in page
    assert "Velg et gyldig valg" not in page
