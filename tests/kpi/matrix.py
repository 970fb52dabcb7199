from django.urls import reverse

from tests.matrix import READ_ONLY_WRITE_NO_RECORD, Row, expect

STAFF_WITH_PUPILS = ("teacher", "faglaerer", "coordinator", "coordinator_other", "ppt", "vikar", "vikar_expired")

ROWS = {
    "kpi:key_figures": [Row(lambda w: reverse("kpi:key_figures"), expect(404, coordinator=200, coordinator_other=200))],
    "kpi:key_figures_csv": [
        Row(lambda w: reverse("kpi:key_figures_csv"), expect(404, coordinator=200, coordinator_other=200))
    ],
    "kpi:adapted_teaching": [
        Row(lambda w: reverse("kpi:adapted_teaching"), expect(404, coordinator=200, coordinator_other=200)),
        Row(
            lambda w: reverse("kpi:adapted_teaching") + "?ar=2026&side=2",
            expect(404, coordinator=200, coordinator_other=200),
            label="a year and a page",
        ),
    ],
    "kpi:adapted_teaching_csv": [
        Row(lambda w: reverse("kpi:adapted_teaching_csv"), expect(404, coordinator=200, coordinator_other=200))
    ],
    "kpi:term_talks": [
        Row(lambda w: reverse("kpi:term_talks"), expect(404, **dict.fromkeys(STAFF_WITH_PUPILS, 200))),
        Row(
            lambda w: reverse("kpi:term_talks"),
            expect(405, **READ_ONLY_WRITE_NO_RECORD),
            method="post",
            label="post",
        ),
    ],
}
