from django.urls import reverse

from tests.matrix import MISSING_UUID, SCHOOL1_STAFF_OF_A, Row, expect, only

from .fixtures import batch, draft_report, iop_of, published_report

EDITORS_OF_A = ("teacher", "coordinator")
# Writes: guardians and the operator are refused by the read-only middleware (403);
# staff who see pupil A but may not edit get 403; strangers 404.
WRITE_A = only(302, EDITORS_OF_A, faglaerer=403, ppt=403, vikar=403, guardian_a=403, guardian_b=403, operator=403)
POST_ONLY = expect(405)
GET_ONLY = expect(405, guardian_a=403, guardian_b=403, operator=403)


def _update_data(w):
    report = draft_report(w)
    return {
        "version": report.version,
        "summary": "Anna leser nå korte tekster selv.",
        "organisation": "",
        "recipients": "Eleven og foresatte",
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
            expect(404, guardian_a=403, guardian_b=403, operator=403),
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
            data=lambda w: {"version": draft_report(w).version},
            label="finalise a draft without summary (refused)",
        ),
        Row(lambda w: reverse("reports:report_finalise", args=[draft_report(w).pk]), POST_ONLY, label="GET"),
    ],
    "reports:report_publish": [
        Row(
            lambda w: reverse("reports:report_publish", args=[published_report(w).pk]),
            WRITE_A,
            method="post",
            label="publish an already published report",
        ),
        Row(lambda w: reverse("reports:report_publish", args=[draft_report(w).pk]), POST_ONLY, label="GET"),
    ],
    "reports:report_pdf": [
        Row(
            lambda w: reverse("reports:report_pdf", args=[published_report(w).pk]),
            only(200, (*SCHOOL1_STAFF_OF_A, "guardian_a")),
            label="published report of pupil A",
        ),
        Row(
            lambda w: reverse("reports:report_pdf", args=[draft_report(w).pk]),
            only(200, SCHOOL1_STAFF_OF_A),
            label="draft of pupil A (rendered): never guardians",
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
}
