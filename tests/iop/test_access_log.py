"""The access log: every read URL of the permission matrix that shows a
pupil's data writes one entry naming the reader; the log is append-only (the
admin offers no add, change or delete, and on PostgreSQL the database refuses
UPDATE and DELETE); a guardian never sees another guardian's name."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from iop import selectors, services
from iop.models import AccessLogEntry, Iop, Iup
from students.models import GuardianLink
from tests import factories as f
from tests.conftest import PERSONAS, World
from tests.iop.factories import chain, iup
from tests.matrix import Row, row_groups
from tests.queries import assert_same_queries, page_queries

# GET URLs some persona reads (status 200) that do not show a pupil's
# confidential data, each with the reason. Every other such URL must log.
EXEMPT = {
    "favicon": "a static icon",
    "healthz": "the service's health",
    "home": "the start page: links and counts",
    "login": "the login form",
    "password_change": "the user's own account",
    "password_change_done": "the user's own account",
    "password_reset": "the user's own account",
    "password_reset_done": "the user's own account",
    "password_reset_confirm": "the user's own account",
    "password_reset_complete": "the user's own account",
    "pupil_list": "a list of names and groups",
    "pupil_move": "a form for a pupil's move (the pupil's name and school only)",
    "pupil_archive": "the question whether to archive the pupil (the pupil's name only)",
    "followup:aarshjul": "the school's duties, no pupil",
    "followup:aarshjul_choices": "the årshjul each school follows, no pupil",
    "roster_imports": "the import history (who, when, counts), no pupil's plans",
    "roster_import_detail": "the roster's changes (names, groups, guardianships), no pupil's plans",
    "school_years": "the schools' school years, no pupil",
    "school_year_edit": "a school year's dates, no pupil",
    "followup:aarshjul_pdf": "the school's duties and counts of their deadlines, no pupil",
    "followup:duty_create": "the school's duties, no pupil",
    "followup:duty_edit": "the school's duties, no pupil",
    "followup:dashboard": "a list of deadlines (names and dates)",
    "followup:tilsyn_school": "counts per legal requirement and the names of pupils to follow up (each one logged)",
    "followup:notifications": "a list of notifications (names and titles)",
    "followup:ical": "deadline titles for the user's calendar",
    "followup:preferences": "the user's own settings",
    "followup:meeting_list": "a list of meetings (groups and dates)",
    "followup:meeting_create": "an empty form for a new meeting",
    "followup:talk_overview": "counts of talks per pupil",
    "followup:concern_create": "an empty form for a new record (the pupil's name only)",
    "followup:kartlegging_create": "an empty form for a new record (the pupil's name only)",
    "followup:referral_create": "an empty form for a new record (the pupil's name only)",
    "followup:talk_create": "an empty form for a new record (the pupil's name only)",
    "followup:tiltak_create": "an empty form for a new record (the pupil's name only)",
    "iop:vurdering_create": "an empty form for a new record (the pupil's name only)",
    "iop:access_log": "the log itself: who read, not what was read",
    "iop:vikar_access": "the substitutes' grants on a pupil (names only)",
    "iop:overview": "a list of pupils with missing or late documents",
    "iop:iup_list": "a list of pupils and the status of their IUPs",
    "iop:iup_settings": "the school's IUP forms, no pupil",
    "iop:iup_settings_edit": "the school's IUP forms, no pupil",
    "iop:criteria_template_edit": "the school's criteria templates, no pupil",
    "iop:bank_list": "the learning bank's de-identified goals, no pupil",
    "iop:bank_entry_remove": "one de-identified goal of the learning bank, no pupil",
    "kpi:key_figures": "figures summed over the school",
    "kpi:key_figures_csv": "figures summed over the school",
    "kpi:adapted_teaching": "figures summed over the school and the school owner",
    "kpi:adapted_teaching_csv": "figures summed over the school and the school owner",
    "kpi:term_talks": "counts of talks per group",
    "reports:batch_list": "the school's batches (counts and status)",
    "reports:batch_detail": "a batch's progress (names and status)",
    "reports:batch_progress": "a batch's progress (names and status)",
    "reports:pdf_job": "where a large PDF is being made (the pupil's name and the status); fetching it logs",
}
# Pages about several pupils write one entry per pupil, and the archive export
# one per document it holds: at least one here.
PER_PUPIL = {"followup:meeting_detail", "reports:batch_zip", "reports:pupil_archive_zip"}


def readers(row: Row) -> list[str]:
    """The personas to read ROW as: the first that gets 200, and each guardian who does."""
    ok = [p for p in PERSONAS if row.expect[p] == 200]
    return [*ok[:1], *(p for p in ok[1:] if p.startswith("guardian"))]


@pytest.mark.parametrize("module", sorted(row_groups()))
def test_every_read_url_of_the_matrix_writes_an_entry_naming_the_reader(world: World, module: str) -> None:
    """Every GET row of MODULE's permission matrix rows that some persona
    reads (200) writes exactly one access-log entry naming that persona
    (pages about several pupils: one or more, each naming them), unless its
    URL name is exempt above with a reason. A new read URL fails here until
    it logs its reads or is exempted. Each app's rows run as a test of their
    own, so they spread over the test workers."""
    wrong: list[str] = []
    with transaction.atomic():
        for name, rows in sorted(row_groups()[module].items()):
            if name in EXEMPT:
                continue
            for row in rows:
                if row.method != "get":
                    continue
                url = row.url(world)
                for persona in readers(row):
                    user = world.user(persona)
                    assert user is not None
                    with transaction.atomic():
                        before = set(AccessLogEntry.objects.values_list("pk", flat=True))
                        status = world.client(persona).get(url).status_code
                        new = list(AccessLogEntry.objects.exclude(pk__in=before))
                        transaction.set_rollback(True)
                    label = f"GET {url} ({name} {row.label}) as {persona}"
                    if status != 200:
                        wrong.append(f"{label}: {status}")
                    elif not new or (len(new) != 1 and name not in PER_PUPIL):
                        wrong.append(f"{label}: {len(new)} entries")
                    elif any(e.user_id != user.pk or not e.role for e in new):
                        wrong.append(f"{label}: entries name {[(e.user_id, e.role) for e in new]}")
        transaction.set_rollback(True)
        world.extra.clear()
    assert not wrong, f"Reads without exactly one access-log entry naming the reader: {wrong}"


def test_the_walk_reads_enough_and_every_exemption_names_a_url_with_rows() -> None:
    rows = [row for group in row_groups().values() for entries in group.values() for row in entries]
    names = {name for group in row_groups().values() for name in group}
    assert sum(len(readers(row)) for row in rows if row.method == "get") > 30
    assert not set(EXEMPT) - names, f"Exempt URL names without rows: {sorted(set(EXEMPT) - names)}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_an_entry(world: World) -> None:
    entry = services.log_read(
        actor=world.user("coordinator"),  # type: ignore[arg-type]
        pupil=world.pupil_a,
        kind=AccessLogEntry.Kind.PUPIL,
        object_id=world.pupil_a.pk,
    )
    assert entry.role == "koordinator"
    attempts = {
        "update": lambda: AccessLogEntry.objects.filter(pk=entry.pk).update(purpose="edit"),
        "save": lambda: entry.save(),
        "delete": lambda: AccessLogEntry.objects.filter(pk=entry.pk).delete(),
        "raw delete": lambda: connection.cursor().execute("DELETE FROM iop_accesslogentry"),
    }
    for label, attempt in attempts.items():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
            pytest.fail(f"{label} went through")
    assert AccessLogEntry.objects.get(pk=entry.pk).purpose == "read"
    # Entries outlive what they name: deleting the pupil leaves them as they were.
    pupil_id = world.pupil_a.pk
    world.pupil_a.delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk, pupil_id=pupil_id).exists()


def test_the_admin_shows_entries_and_offers_no_add_change_or_delete(world: World) -> None:
    entry = services.log_read(
        actor=world.user("teacher"),  # type: ignore[arg-type]
        pupil=world.pupil_a,
        kind=AccessLogEntry.Kind.PUPIL,
        object_id=world.pupil_a.pk,
    )
    client = world.client("operator")
    changelist = reverse("admin:iop_accesslogentry_changelist")
    response = client.get(changelist)
    body = response.content.decode()
    assert response.status_code == 200 and "Tone Lærer" in body and "Anna Aasen" in body
    assert "delete_selected" not in body
    change = client.get(reverse("admin:iop_accesslogentry_change", args=[entry.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:iop_accesslogentry_add")).status_code == 403
    delete = reverse("admin:iop_accesslogentry_delete", args=[entry.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_a_guardian_sees_staff_by_name_and_not_the_other_guardians_reads(world: World) -> None:
    ch = chain(world.pupil_a)
    other = f.UserFactory(email="annen.forelder@test.example", full_name="Per Annenforelder")
    GuardianLink.objects.create(
        user=other, pupil=world.pupil_a, relation=GuardianLink.Relation.FATHER, parental_responsibility=True
    )
    other_client = world.client("guardian_a")
    other_client.force_login(other, backend="django.contrib.auth.backends.ModelBackend")
    for client in (other_client, world.client("guardian_a"), world.client("teacher")):
        assert client.get(reverse("pupil_detail", args=[world.pupil_a.pk])).status_code == 200
    assert other_client.get(reverse("iop:iop_detail", args=[ch.iop.pk])).status_code == 200
    url = reverse("iop:access_log", args=[world.pupil_a.pk])
    body = world.client("guardian_a").get(url).content.decode()
    assert "Per Annenforelder" not in body and "annen.forelder" not in body
    assert "Foresatt" in body and "<td>Du</td>" in body
    assert "Tone Lærer" in body and "Kontaktlærer" in body
    # Not even nameless: when and what the other parent read is theirs.
    rows = body.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == 2, "the guardian's own read and the teacher's, not the other guardian's two"
    # The coordinator, who manages the pupil, sees every reader by name.
    assert "Per Annenforelder" in world.client("coordinator").get(url).content.decode()
    # Guardian B (of another pupil) gets nothing.
    assert world.client("guardian_b").get(url).status_code == 404


def test_the_log_is_shown_whole_page_by_page(world: World) -> None:
    url = reverse("iop:access_log", args=[world.pupil_a.pk])
    client = world.client("coordinator")
    now = timezone.now()

    def reads(first: int, last: int) -> None:
        AccessLogEntry.objects.bulk_create(
            AccessLogEntry(
                user=world.user("teacher"),
                pupil=world.pupil_a,
                kind=AccessLogEntry.Kind.PUPIL,
                object_id=str(world.pupil_a.pk),
                at=now - datetime.timedelta(minutes=n),
            )
            for n in range(first, last)
        )

    reads(0, 3)
    small = page_queries(client, url, warm=True)
    reads(3, selectors.ACCESS_LOG_PAGE + 5)
    assert_same_queries(small, page_queries(client, url))
    first = client.get(url).content.decode()
    assert first.count("<td>Tone Lærer</td>") == selectors.ACCESS_LOG_PAGE and "Side 1 av 2" in first
    last = client.get(url, {"side": "2"}).content.decode()
    assert last.count("<td>Tone Lærer</td>") == 5 and "Side 2 av 2" in last
    assert client.get(url, {"side": "99999999999999999999999"}).status_code == 200


def test_a_teacher_looking_at_a_plan_reads_it_and_only_an_edit_form_opens_it_for_editing(world: World) -> None:
    """The IUP and IOP pages offer their forms inline to a teacher who may
    edit, yet opening the page is a look: the guardians read "Read", and
    "Open for editing" only where an edit form was fetched (a goal's editor)."""
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    plan = iup(world.pupil_a, status=Iup.Status.PUBLISHED)
    teacher = world.client("teacher")
    page = teacher.get(reverse("iop:iup_detail", args=[plan.pk])).content.decode()
    assert f'data-draft="iup:{plan.pk}"' in page, "the teacher is offered the IUP's form"
    assert teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).status_code == 200
    logged = {e.kind: e.purpose for e in AccessLogEntry.objects.filter(user=world.user("teacher"))}
    assert logged == {AccessLogEntry.Kind.IUP: "read", AccessLogEntry.Kind.IOP: "read"}
    url = reverse("iop:access_log", args=[world.pupil_a.pk])
    rows = world.client("guardian_a").get(url).content.decode().split("<tbody>")[1]
    assert rows.count("<td>Lest</td>") == 2 and "Åpnet for redigering" not in rows

    teacher.get(reverse("iop:goal_editor", args=[ch.goals[0].pk]), HTTP_HX_REQUEST="true")
    rows = world.client("guardian_a").get(url).content.decode().split("<tbody>")[1]
    assert rows.count("<td>Åpnet for redigering</td>") == 1
