import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from iop.models import Iop
from iop.reports.models import PdfJob, Report
from tests.conftest import World
from tests.matrix import MISSING_UUID, READ_ONLY_WRITE, SCHOOL1_STAFF_OF_A, Row, expect, only

from .factories import make_iop
from .fixtures import FAKE_NAME, FAKE_PDF, batch, draft_report, iop_of, published_report

EDITORS_OF_A = ("teacher", "coordinator")
# Writes: guardians and the operator are refused by the read-only middleware (403);
# staff who see pupil A but may not edit get 403; strangers 404.
WRITE_A = only(302, EDITORS_OF_A, faglaerer=403, ppt=403, vikar=403, **READ_ONLY_WRITE)
POST_ONLY = expect(405)
GET_ONLY = expect(405, **READ_ONLY_WRITE)
# Pupil A's whole file: the coordinator; those who see pupil A without managing get 403.
# The whole file and the archive export are made on a worker: a redirect to the job's page.
FILE_A = only(302, ("coordinator",), teacher=403, faglaerer=403, ppt=403, vikar=403, guardian_a=403)


def finalised_report(w: World) -> Report:
    """A finalised, unpublished report of pupil A (on an archived IOP of its
    own: one report per IOP and kind), its stored file a tiny stand-in."""
    if "reports_finalised" not in w.extra:
        published_report(w)  # stores the stand-in file
        iop = make_iop(
            w.pupil_a, goals_per_subject=0, teaching_weeks=0, subjects=(("Norsk", 76),), status=Iop.Status.ARCHIVED
        )
        w.extra["reports_finalised"] = Report.objects.create(
            pupil=w.pupil_a,
            iop=iop,
            period_start=iop.period_start,
            period_end=iop.period_end,
            status=Report.Status.FINALISED,
            summary="Godt år.",
            finalised_at=timezone.now(),
            pdf=FAKE_NAME,
            pdf_sha256=hashlib.sha256(FAKE_PDF).hexdigest(),
            language="nb",
        )
    return w.extra["reports_finalised"]


def pdf_job(w: World) -> PdfJob:
    """A finished worker-made PDF of pupil A's IOP, asked for by the teacher (its file a tiny stand-in)."""
    if "reports_pdf_job" not in w.extra:
        iop = iop_of(w, w.pupil_a)
        published_report(w)  # stores the stand-in file
        w.extra["reports_pdf_job"] = PdfJob.objects.create(
            document="iop",
            object_id=str(iop.pk),
            pupil=w.pupil_a,
            requested_by=w.user("teacher"),
            status=PdfJob.Status.DONE,
            pdf=FAKE_NAME,
            filename="iop-a.pdf",
            log_kind="iop",
            finished_at=timezone.now(),
        )
    return w.extra["reports_pdf_job"]


def published_by(writers: tuple[str, ...]) -> Any:
    def check(w: World, persona: str, response: Any) -> None:
        status = Report.objects.get(pk=finalised_report(w).pk).status
        wanted = Report.Status.PUBLISHED if persona in writers else Report.Status.FINALISED
        assert status == wanted, f"the report is {status}"

    return check


def sent_recorded_by(writers: tuple[str, ...]) -> Any:
    def check(w: World, persona: str, response: Any) -> None:
        sent = Report.objects.get(pk=finalised_report(w).pk).sent_to_guardians_on
        assert (sent is not None) == (persona in writers), f"sent to the guardians: {sent}"

    return check


def refused_by_the_domain_rule(writers: tuple[str, ...]) -> Any:
    """A check: the WRITERS' request passed the permission check and was
    refused by a domain rule (an error message on the redirect); the report
    stays a draft for everyone."""

    def check(w: World, persona: str, response: Any) -> None:
        assert Report.objects.get(pk=draft_report(w).pk).is_draft, "the report is no longer a draft"
        errors = [m for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
        if persona in writers:
            assert errors and response.status_code == 302, "not refused by a domain rule"

    return check


def _update_data(w):
    report = draft_report(w)
    return {
        "version": report.version,
        "summary": "Anna leser nå korte tekster selv.",
        "organisation": "",
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
    }


ROWS = {
    "reports:report_detail": [
        Row(
            lambda w: reverse("reports:report_detail", args=[draft_report(w).pk]),
            only(200, SCHOOL1_STAFF_OF_A),
            label="draft of pupil A: never guardians",
        ),
        Row(
            lambda w: reverse("reports:report_detail", args=[published_report(w).pk]),
            only(200, (*SCHOOL1_STAFF_OF_A, "guardian_a")),
            label="published report of pupil A",
        ),
        Row(
            lambda w: reverse("reports:report_detail", args=[draft_report(w, w.pupil_b).pk]),
            only(200, ("coordinator",)),
            label="draft of pupil B",
        ),
        Row(
            lambda w: reverse("reports:report_detail", args=[published_report(w, w.pupil_c).pk]),
            only(200, ("coordinator_other",)),
            label="published report of pupil C (school 2)",
        ),
        Row(lambda w: reverse("reports:report_detail", args=[MISSING_UUID]), expect(404), label="missing"),
        Row(
            lambda w: reverse("reports:report_detail", args=[draft_report(w).pk]), GET_ONLY, method="post", label="post"
        ),
    ],
    "reports:report_update": [
        Row(
            lambda w: reverse("reports:report_update", args=[draft_report(w).pk]),
            WRITE_A,
            method="post",
            data=_update_data,
            label="save texts on a draft of pupil A",
        ),
        Row(
            lambda w: reverse("reports:report_update", args=[MISSING_UUID]),
            expect(404),
            method="post",
            label="missing",
        ),
        Row(lambda w: reverse("reports:report_update", args=[draft_report(w).pk]), POST_ONLY, label="GET"),
    ],
    "reports:report_finalise": [
        Row(
            lambda w: reverse("reports:report_finalise", args=[draft_report(w).pk]),
            WRITE_A,
            method="post",
            data=lambda w: {"version": draft_report(w).version, "confirm": "1"},
            label="finalise a draft without summary (refused)",
            writes=(),
            check=refused_by_the_domain_rule(EDITORS_OF_A),
        ),
        Row(
            lambda w: reverse("reports:report_finalise", args=[draft_report(w).pk]),
            only(200, EDITORS_OF_A, faglaerer=403, ppt=403, vikar=403, **READ_ONLY_WRITE),
            method="post",
            data=lambda w: {"version": draft_report(w).version},
            label="confirmation page",
            writes=(),
        ),
        Row(lambda w: reverse("reports:report_finalise", args=[draft_report(w).pk]), POST_ONLY, label="GET"),
    ],
    "reports:report_publish": [
        Row(
            lambda w: reverse("reports:report_publish", args=[finalised_report(w).pk]),
            WRITE_A,
            method="post",
            data=lambda w: {"confirm": "1"},
            label="publish a finalised report",
            check=published_by(EDITORS_OF_A),
        ),
        Row(lambda w: reverse("reports:report_publish", args=[draft_report(w).pk]), POST_ONLY, label="GET"),
    ],
    "reports:report_sent": [
        Row(
            lambda w: reverse("reports:report_sent", args=[finalised_report(w).pk]),
            WRITE_A,
            method="post",
            data=lambda w: {"recipient": "guardians", "sent_on": timezone.localdate().isoformat()},
            label="record a finalised report as sent to the guardians",
            check=sent_recorded_by(EDITORS_OF_A),
        ),
        Row(
            lambda w: reverse("reports:report_sent", args=[MISSING_UUID]),
            expect(404),
            method="post",
            data=lambda w: {"recipient": "guardians", "sent_on": timezone.localdate().isoformat()},
            label="missing",
        ),
        Row(lambda w: reverse("reports:report_sent", args=[finalised_report(w).pk]), POST_ONLY, label="GET"),
    ],
    "reports:report_pdf": [
        Row(
            lambda w: reverse("reports:report_pdf", args=[published_report(w).pk]),
            only(200, (*SCHOOL1_STAFF_OF_A, "guardian_a")),
            label="published report of pupil A",
        ),
        Row(
            lambda w: reverse("reports:report_pdf", args=[draft_report(w).pk]),
            only(302, SCHOOL1_STAFF_OF_A),
            label="draft of pupil A (rendered on a worker: a redirect to its job): never guardians",
        ),
        Row(
            lambda w: reverse("reports:report_pdf", args=[published_report(w, w.pupil_b).pk]),
            only(200, ("coordinator", "guardian_b")),
            label="published report of pupil B",
        ),
        Row(lambda w: reverse("reports:report_pdf", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "reports:report_create": [
        Row(
            lambda w: reverse("reports:report_create", args=[iop_of(w, w.pupil_a).pk]),
            WRITE_A,
            method="post",
            data=lambda w: {"kind": "aarsrapport"},
            label="make a draft on pupil A's IOP",
        ),
        Row(lambda w: reverse("reports:report_create", args=[iop_of(w, w.pupil_a).pk]), POST_ONLY, label="GET"),
    ],
    "reports:iop_pdf": [
        Row(
            lambda w: reverse("reports:iop_pdf", args=[iop_of(w, w.pupil_b).pk]),
            only(200, ("coordinator", "guardian_b")),
            label="published IOP of pupil B",
        ),
        Row(lambda w: reverse("reports:iop_pdf", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "reports:pdf_job": [
        Row(
            lambda w: reverse("reports:pdf_job", args=[pdf_job(w).pk]),
            only(200, ("teacher",)),
            label="the teacher's own job: nobody else's",
        ),
        Row(lambda w: reverse("reports:pdf_job", args=[MISSING_UUID]), expect(404), label="missing"),
        Row(lambda w: reverse("reports:pdf_job", args=[pdf_job(w).pk]), GET_ONLY, method="post", label="post"),
    ],
    "reports:pdf_job_file": [
        Row(
            lambda w: reverse("reports:pdf_job_file", args=[pdf_job(w).pk]),
            only(200, ("teacher",)),
            label="the teacher's own PDF: nobody else's",
        ),
        Row(lambda w: reverse("reports:pdf_job_file", args=[MISSING_UUID]), expect(404), label="missing"),
        Row(lambda w: reverse("reports:pdf_job_file", args=[pdf_job(w).pk]), GET_ONLY, method="post", label="post"),
    ],
    "reports:batch_list": [
        Row(lambda w: reverse("reports:batch_list"), only(200, ("coordinator", "coordinator_other"))),
        Row(
            lambda w: reverse("reports:batch_list"),
            only(200, ("coordinator", "coordinator_other"), guardian_a=403, guardian_b=403, operator=403),
            method="post",
            data=lambda w: {"job": "nonsense"},
            label="post an invalid form",
        ),
    ],
    "reports:batch_detail": [
        Row(
            lambda w: reverse("reports:batch_detail", args=[batch(w).pk]),
            only(200, ("coordinator",)),
            label="batch of school 1",
        ),
        Row(
            lambda w: reverse("reports:batch_detail", args=[batch(w, school_2=True).pk]),
            only(200, ("coordinator_other",)),
            label="batch of school 2",
        ),
        Row(lambda w: reverse("reports:batch_detail", args=[MISSING_UUID]), expect(404), label="missing"),
    ],
    "reports:batch_progress": [
        Row(
            lambda w: reverse("reports:batch_progress", args=[batch(w).pk]),
            only(200, ("coordinator",)),
            label="batch of school 1",
        ),
    ],
    "reports:batch_zip": [
        Row(
            lambda w: reverse("reports:batch_zip", args=[batch(w).pk]),
            expect(404),
            label="a drafts batch has no ZIP file",
        ),
    ],
    # The whole file and the archive export: those who manage the pupil's school only
    # (teachers, PPT, the vikar and the guardian see pupil A but are refused); one
    # rendering per row. Contents, PDF/A and the access log: tests/reports/test_innsyn.py.
    **{
        name: [
            Row(lambda w, name=name: reverse(name, args=[w.pupil_a.pk]), FILE_A, label="pupil A"),
            Row(
                lambda w, name=name: reverse(name, args=[w.pupil_c.pk]),
                only(302, ("coordinator_other",)),
                label="pupil C (school 2)",
            ),
            Row(lambda w, name=name: reverse(name, args=[MISSING_UUID]), expect(404), label="missing"),
        ]
        for name in ("reports:pupil_file_pdf", "reports:pupil_file_json", "reports:pupil_archive_zip")
    },
}
