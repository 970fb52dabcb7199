"""Guardians read plans as they were last published; staff read them live.

A kontaktlærer changes a published IOP (a goal's text, a new goal, a
deleted goal, the plan's texts) and a published IUP without publishing: the
guardian's IOP page, goal pages, pupil page, IUP page and both PDFs still say
what was published, while staff see the live text with the "unpublished
changes" banner and the changes. Publishing again shows the new text and
notifies each guardian once (by e-mail only when they chose it)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from followup.models import Notification, Preference
from iop import services
from iop.models import Goal, Iop, Iup, IupVersion
from tests.conftest import World
from tests.iop.factories import chain
from tests.iop.factories import iup as make_iup
from tests.notification_links import notification_targets
from tests.queries import assert_same_queries, page_queries
from tests.reports.conftest import pdf_text
from tests.worker_files import fetched_from_worker


def _publish(plan: Iop | Iup, actor: object, capture: object) -> None:
    with capture(execute=True):  # type: ignore[operator]
        plan.refresh_from_db()
        if isinstance(plan, Iop):
            services.iop_publish(actor=actor, iop=plan, version=plan.version)  # type: ignore[arg-type]
        else:
            services.iup_publish(actor=actor, iup=plan, version=plan.version)  # type: ignore[arg-type]


def test_guardians_read_the_published_iop_until_it_is_published_again(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: object
) -> None:
    teacher = world.user("teacher")
    ch = chain(world.pupil_a, goals=2, logs_per_goal=2)
    iop = ch.iop
    assert iop is not None
    kept, doomed = ch.goals
    doomed_id = doomed.pk
    Iop.objects.filter(pk=iop.pk).update(ordinary_teaching="PUBLISHED-ORDINARY")
    type(kept).objects.filter(pk=kept.pk).update(text="PUBLISHED-GOAL")
    type(doomed).objects.filter(pk=doomed.pk).update(text="DELETED-LATER")
    doomed.logs.all().delete()
    _publish(iop, teacher, django_capture_on_commit_callbacks)
    guardian = world.client("guardian_a")
    assert Notification.objects.filter(recipient=world.user("guardian_a"), kind="published").count() == 1
    small = page_queries(guardian, reverse("iop:iop_detail", args=[iop.pk]))

    # The teacher edits without publishing: a goal's text, a new goal, a deletion, the plan's text.
    iop.refresh_from_db()
    services.iop_update(actor=teacher, iop=iop, version=iop.version, data={"ordinary_teaching": "LIVE-ORDINARY"})
    kept.refresh_from_db()
    services.goal_update(actor=teacher, goal=kept, version=kept.version, data={"text": "LIVE-GOAL"})
    new = services.goal_create(actor=teacher, iop=iop, section=ch.sections[0], text="LIVE-NEW-GOAL")
    services.goal_delete(actor=teacher, goal=doomed)

    def guardian_sees(*texts: str, absent: tuple[str, ...]) -> None:
        for url in (
            reverse("iop:iop_detail", args=[iop.pk]),
            reverse("pupil_detail", args=[world.pupil_a.pk]),
        ):
            html = guardian.get(url).content.decode()
            for text in texts[:2]:
                assert text in html, (url, text)
            for text in absent:
                assert text not in html, (url, text)
        pdf = guardian.get(reverse("reports:iop_pdf", args=[iop.pk]))
        assert pdf.status_code == 200
        words = pdf_text(pdf.content, tmp_path)
        assert all(t in words for t in texts) and not any(t in words for t in absent), words

    guardian_sees("PUBLISHED-GOAL", "DELETED-LATER", "PUBLISHED-ORDINARY", absent=("LIVE-",))
    goal_page = guardian.get(reverse("iop:goal_detail", args=[kept.pk])).content.decode()
    assert "PUBLISHED-GOAL" in goal_page and "LIVE-GOAL" not in goal_page and "Neste steg" in goal_page
    assert guardian.get(reverse("iop:goal_detail", args=[new.pk])).status_code == 404
    assert "DELETED-LATER" in guardian.get(reverse("iop:goal_detail", args=[doomed_id])).content.decode()
    # A fixed number of queries, whatever was added since.
    assert_same_queries(small, page_queries(guardian, reverse("iop:iop_detail", args=[iop.pk])))

    # Staff read the live plan, told that it differs from what guardians see, and can see how.
    staff = world.client("teacher")
    html = staff.get(reverse("iop:iop_detail", args=[iop.pk])).content.decode()
    assert 'id="unpublished-changes"' in html and "LIVE-ORDINARY" in html and "LIVE-NEW-GOAL" in html
    assert "Loggføringer ser de så snart de er lagret." in html
    assert "?upublisert=1" in html
    diff = staff.get(reverse("iop:iop_compare", args=[iop.pk]) + "?upublisert=1").content.decode()
    assert "LIVE-GOAL" in diff.split("<ins>", 1)[1] and "DELETED-LATER" in diff.split("<del>", 1)[1]
    staff_goal = staff.get(reverse("iop:goal_detail", args=[doomed_id]))
    assert staff_goal.status_code == 404

    _publish(iop, teacher, django_capture_on_commit_callbacks)
    guardian_sees("LIVE-GOAL", "LIVE-NEW-GOAL", "LIVE-ORDINARY", absent=("PUBLISHED-", "DELETED-LATER"))
    assert guardian.get(reverse("iop:goal_detail", args=[doomed_id])).status_code == 404
    assert 'id="unpublished-changes"' not in staff.get(reverse("iop:iop_detail", args=[iop.pk])).content.decode()
    notes = Notification.objects.filter(recipient=world.user("guardian_a")).order_by("send_after")
    # The first publication is "published", the next one "changes published"; in the app only: no e-mail chosen.
    assert [n.kind for n in notes] == ["published", "updated"] and not mail.outbox
    assert [n.read_at is None for n in notes] == [False, True]  # the earlier one, not opened, is superseded
    listed = guardian.get(reverse("followup:notifications")).content.decode()
    assert "Plan publisert" in listed and "Endringer i en plan publisert" in listed
    assert reverse("iop:iop_detail", args=[iop.pk]) in notification_targets(guardian)


def test_guardians_read_the_published_iup_and_may_choose_email(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: object
) -> None:
    teacher = world.user("teacher")
    plan = make_iup(world.pupil_a, status=Iup.Status.DRAFT, goals=1)
    Iup.objects.filter(pk=plan.pk).update(agreements="PUBLISHED-AGREEMENT")
    guardian_user = world.user("guardian_a")
    guardian = world.client("guardian_a")
    saved = guardian.post(reverse("followup:preferences"), {"plan_emails": "on", "language": ""})
    assert saved.status_code == 302 and Preference.objects.get(user=guardian_user).plan_emails
    _publish(plan, teacher, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):  # re-publishing unchanged is refused: no version, no e-mail
        _publish(plan, teacher, django_capture_on_commit_callbacks)
    assert IupVersion.objects.filter(iup=plan).count() == 1
    assert [m.to for m in mail.outbox] == [[guardian_user.email]]  # type: ignore[union-attr]

    plan.refresh_from_db()
    services.iup_update(actor=teacher, iup=plan, version=plan.version, data={"agreements": "LIVE-AGREEMENT"})
    services.goal_create(actor=teacher, iup=plan, subject="Norsk", text="LIVE-IUP-GOAL")
    html = guardian.get(reverse("iop:iup_detail", args=[plan.pk])).content.decode()
    assert "PUBLISHED-AGREEMENT" in html and "LIVE-" not in html
    words = pdf_text(fetched_from_worker(guardian, reverse("iop:iup_pdf", args=[plan.pk]))[1], tmp_path)
    assert "PUBLISHED-AGREEMENT" in words and "LIVE-" not in words
    staff = world.client("teacher").get(reverse("iop:iup_detail", args=[plan.pk])).content.decode()
    assert 'id="unpublished-changes"' in staff and "LIVE-AGREEMENT" in staff
    diff = world.client("teacher").get(reverse("iop:iup_compare", args=[plan.pk])).content.decode()
    assert "LIVE-IUP-GOAL" in diff.split("<ins>", 1)[1]

    _publish(plan, teacher, django_capture_on_commit_callbacks)
    html = guardian.get(reverse("iop:iup_detail", args=[plan.pk])).content.decode()
    assert "LIVE-AGREEMENT" in html and "LIVE-IUP-GOAL" in html
    first, second = mail.outbox  # type: ignore[misc]
    assert first.subject.startswith("En plan er publisert ved ")
    assert second.subject.startswith("Endringer i en plan er publisert ved ")
    assert "publisert endringer i en plan for barnet ditt" in second.body


@pytest.mark.parametrize("repeat", [2])
def test_a_publication_notifies_each_guardian_once(
    world: World, repeat: int, django_capture_on_commit_callbacks: object
) -> None:
    """The signal for the same publication, sent again, makes no second notification."""
    from followup import plan_notices

    ch = chain(world.pupil_a)
    assert ch.iop is not None
    for _ in range(repeat):
        plan_notices.notify_published(plan=ch.iop, number=1)
    assert Notification.objects.filter(kind="published").count() == 1
    assert Notification.objects.get(kind="published").recipient == world.user("guardian_a")


def test_versions_published_before_ids_were_kept_get_them(world: World) -> None:
    """Migration 0009: an old IOP version gains the ids of the goals it still
    matches (so guardians' goal pages work); a published IUP without versions gets one."""
    import importlib

    from django.apps import apps

    from iop.models import IopVersion

    migration = importlib.import_module("iop.migrations.0009_iupversion")
    ch = chain(world.pupil_a, goals=1)
    assert ch.iop is not None
    old = {
        "period": ["2026-08-20", "2027-06-20"],
        "sections": [{"subject": "matematikk", "goals": [{"text": ch.goals[0].text, "competence_aims": []}]}],
        "general_goals": [{"text": "Deleted since", "competence_aims": []}],
    }
    version = IopVersion.objects.create(iop=ch.iop, number=1, snapshot=old)
    plan = make_iup(world.pupil_a)
    migration.backfill(apps, None)
    version.refresh_from_db()
    goal = version.snapshot["sections"][0]["goals"][0]
    assert version.snapshot["format"] == 2 and goal["id"] == str(ch.goals[0].pk)
    assert version.snapshot["sections"][0]["id"] == str(ch.sections[0].pk)
    assert "id" not in version.snapshot["general_goals"][0]
    assert IupVersion.objects.get(iup=plan).snapshot["agreements"] == plan.agreements
    page = world.client("guardian_a").get(reverse("iop:goal_detail", args=[ch.goals[0].pk]))
    assert page.status_code == 200


def test_guardians_see_the_competence_aims_that_were_published(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    from tests.iop.factories import aim

    teacher = world.user("teacher")
    ch = chain(world.pupil_a, goals=1)
    assert ch.iop is not None
    goal = ch.goals[0]
    services.goal_aims_update(actor=teacher, goal=goal, add=aim("KM7001", "lese korte tekster"))  # type: ignore[arg-type]
    _publish(ch.iop, teacher, django_capture_on_commit_callbacks)
    services.goal_aims_update(actor=teacher, goal=goal, add=aim("KM7002", "skrive setninger"))  # type: ignore[arg-type]
    guardian = world.client("guardian_a")
    for url in (reverse("iop:iop_detail", args=[ch.iop.pk]), reverse("iop:goal_detail", args=[goal.pk])):
        html = guardian.get(url).content.decode()
        assert "lese korte tekster" in html and "skrive setninger" not in html, url
        assert "KM7001" not in html  # a parent reads the aim's words, not its code
    staff = world.client("teacher").get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()
    assert "KM7002" in staff and 'id="unpublished-changes"' in staff


def test_a_typed_aim_prefix_is_left_out_on_the_guardians_goal_page_as_for_staff(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    teacher = world.user("teacher")
    ch = chain(world.pupil_a, goals=1)
    assert ch.iop is not None
    goal = ch.goals[0]
    Goal.objects.filter(pk=goal.pk).update(competence_aim="KM: utforske og beskrive tallmønster")
    ch.iop.refresh_from_db()
    _publish(ch.iop, teacher, django_capture_on_commit_callbacks)
    for persona in ("guardian_a", "teacher"):
        for url in (reverse("iop:iop_detail", args=[ch.iop.pk]), reverse("iop:goal_detail", args=[goal.pk])):
            html = world.client(persona).get(url).content.decode()
            assert "utforske og beskrive tallmønster" in html, (persona, url)
            assert "KM: utforske" not in html, (persona, url)


def test_publishing_again_without_a_change_is_refused_and_tells_nobody(world: World) -> None:
    from django.core.exceptions import ValidationError

    teacher = world.user("teacher")
    ch = chain(world.pupil_a, goals=1)
    assert ch.iop is not None
    iop = services.iop_publish(actor=teacher, iop=ch.iop, version=ch.iop.version)  # type: ignore[arg-type]
    before = (iop.versions.count(), Notification.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.iop_publish(actor=teacher, iop=iop, version=iop.version)  # type: ignore[arg-type]
    assert refused.value.messages == ["Ingenting er endret siden forrige publisering: foresatte leser allerede dette."]
    assert (iop.versions.count(), Notification.objects.count()) == before
    ch.goals[0].__class__.objects.filter(pk=ch.goals[0].pk).update(text="Eleven leser 90 ord.")
    iop.refresh_from_db()
    assert services.iop_publish(actor=teacher, iop=iop, version=iop.version).versions.count() == before[0] + 1  # type: ignore[arg-type]


def test_the_differences_since_published_show_dates_as_the_reader_writes_them(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    ch = chain(world.pupil_a, goals=1)
    iop = ch.iop
    assert iop is not None
    Iop.objects.filter(pk=iop.pk).update(ordinary_teaching="Før endringen.")
    _publish(iop, world.user("teacher"), django_capture_on_commit_callbacks)
    start, end = iop.period_start, iop.period_end
    earlier = end - datetime.timedelta(days=7)
    Iop.objects.filter(pk=iop.pk).update(period_end=earlier)

    url = reverse("iop:iop_compare", args=[iop.pk]) + "?upublisert=1"
    html = world.client("teacher").get(url).content.decode()
    removed, added = html.split("<del>", 1)[1].split("</del>", 1)[0], html.split("<ins>", 1)[1].split("</ins>", 1)[0]
    months = [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ]

    def norwegian(day: datetime.date) -> str:
        return f"{day.day}. {months[day.month - 1]} {day.year}"

    assert f"{norwegian(start)} – {norwegian(end)}" in removed
    assert f"{norwegian(start)} – {norwegian(earlier)}" in added
    assert end.isoformat() not in html and earlier.isoformat() not in html


def test_publishing_unchanged_content_is_refused_on_the_question_page(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    teacher = world.user("teacher")
    client = world.client("teacher")
    ch = chain(world.pupil_a)
    plan = make_iup(world.pupil_a)
    for doc, url_name, detail in (
        (ch.iop, "iop:iop_publish", "iop:iop_detail"),
        (plan, "iop:iup_publish", "iop:iup_detail"),
    ):
        assert doc is not None
        _publish(doc, teacher, django_capture_on_commit_callbacks)
        doc.refresh_from_db()
        page = client.post(reverse(url_name, args=[doc.pk]), {"version": doc.version}).content.decode()
        assert "Ingenting er endret siden forrige publisering" in page, url_name
        assert "til foresatte?" not in page and 'name="confirm"' not in page  # no question, no "Ja"
        assert reverse(detail, args=[doc.pk]) in page
        with pytest.raises(ValidationError):
            _publish(doc, teacher, django_capture_on_commit_callbacks)


def test_the_teacher_is_told_that_log_entries_reach_guardians_once_saved(world: World) -> None:
    """Goal logs are not part of the published version: the guardian reads an
    entry (not its internal note) as soon as it is saved, and the teacher is
    told so where they log and in the unpublished-changes banner."""
    teacher = world.client("teacher")
    told = "Foresatte ser en loggføring så snart den er lagret. En intern merknad ser de aldri."
    ch = chain(world.pupil_a, iop_status=Iop.Status.PUBLISHED)
    assert ch.iop is not None
    url = reverse("iop:goal_detail", args=[ch.goals[0].pk])
    page = teacher.get(url).content.decode()
    assert told in page
    assert page.index("Logg progresjon") < page.index(told) < page.index("Lagre logg")
    Iop.objects.filter(pk=ch.iop.pk).update(status=Iop.Status.DRAFT)  # guardians read nothing of a draft
    assert told not in teacher.get(url).content.decode()


def test_yes_on_an_old_publishing_question_does_not_publish_a_colleagues_newer_edit(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    """The question carries the content it asked about: a goal a colleague
    changed after the teacher opened it (the page kept open, or reached with
    Back) is not published unseen. Asked again, the teacher publishes it."""
    import re

    teacher = world.client("teacher")
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    plans = ((ch.iop, "iop:iop_publish"), (make_iup(world.pupil_a, status=Iup.Status.DRAFT), "iop:iup_publish"))
    for plan, url_name in plans:
        assert plan is not None
        goal = Goal.objects.filter(iop=plan).first() if isinstance(plan, Iop) else Goal.objects.filter(iup=plan).first()
        assert goal is not None
        url = reverse(url_name, args=[plan.pk])
        question = teacher.post(url, {"version": plan.version}).content.decode()
        seen = re.search(r'name="seen" value="([0-9a-f]{64})"', question)
        assert seen, url_name
        services.goal_update(
            actor=world.user("coordinator"), goal=goal, version=goal.version, data={"text": "Koordinatorens tekst."}
        )
        notified = Notification.objects.count()
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            answer = teacher.post(url, {"version": plan.version, "confirm": "1", "seen": seen[1]}, follow=True)
        assert "Noen andre endret planen" in answer.content.decode(), url_name
        plan.refresh_from_db()
        assert plan.status == plan.Status.DRAFT and not plan.versions.exists()
        assert Notification.objects.count() == notified
        # Asked again, with the colleague's text in it: published.
        question = teacher.post(url, {"version": plan.version}).content.decode()
        seen = re.search(r'name="seen" value="([0-9a-f]{64})"', question)
        assert seen
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            teacher.post(url, {"version": plan.version, "confirm": "1", "seen": seen[1]})
        plan.refresh_from_db()
        assert plan.status == plan.Status.PUBLISHED, url_name
        assert "Koordinatorens tekst." in str(plan.versions.get().snapshot), url_name


def test_the_publish_button_is_offered_only_when_there_is_something_to_publish(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    teacher = world.client("teacher")
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    plans = (
        (ch.iop, "iop:iop_detail", "iop:iop_publish"),
        (make_iup(world.pupil_a, status=Iup.Status.DRAFT), "iop:iup_detail", "iop:iup_publish"),
    )
    nothing = "Ingenting å publisere: foresatte leser planen slik den er nå."
    for plan, detail, publish in plans:
        assert plan is not None
        url, action = reverse(detail, args=[plan.pk]), reverse(publish, args=[plan.pk])
        page = teacher.get(url).content.decode()
        assert "Publiser til foresatte" in page and action in page and nothing not in page
        assert "data-publish-form hidden" not in page
        _publish(plan, world.user("teacher"), django_capture_on_commit_callbacks)
        page = teacher.get(url).content.decode()
        assert nothing in page and "data-publish-form hidden" in page, detail  # shown again when changed in the page
        goal = Goal.objects.filter(**({"iop": plan} if isinstance(plan, Iop) else {"iup": plan})).first()
        assert goal is not None
        Goal.objects.filter(pk=goal.pk).update(text="En ny tekst etter publiseringen.")
        page = teacher.get(url).content.decode()
        assert "Publiser endringene" in page and "data-publish-form hidden" not in page and nothing not in page, detail


def test_the_question_links_to_the_changes_and_a_colleagues_publication_meanwhile_is_told(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    """Publishing again, the question links to what changes for the
    guardians; when a colleague published the same changes while the
    question was open, "yes" publishes nothing and says there is nothing to publish."""
    import re

    teacher = world.client("teacher")
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    iop = ch.iop
    assert iop is not None
    url = reverse("iop:iop_publish", args=[iop.pk])
    first = teacher.post(url, {"version": iop.version}).content.decode()
    assert "Se hva som endres for foresatte" not in first  # a first publication changes everything
    _publish(iop, world.user("teacher"), django_capture_on_commit_callbacks)
    Goal.objects.filter(pk=ch.goals[0].pk).update(text="Eleven leser 70 ord i minuttet.")
    iop.refresh_from_db()
    question = teacher.post(url, {"version": iop.version}).content.decode()
    assert reverse("iop:iop_compare", args=[iop.pk]) + "?upublisert=1" in question
    seen = re.search(r'name="seen" value="([0-9a-f]{64})"', question)
    assert seen
    _publish(iop, world.user("coordinator"), django_capture_on_commit_callbacks)  # the colleague, meanwhile
    versions = iop.versions.count()
    answer = teacher.post(url, {"version": iop.version, "confirm": "1", "seen": seen[1]}, follow=True)
    assert "Ingenting er endret siden forrige publisering" in answer.content.decode()
    assert "Noen andre endret planen" not in answer.content.decode()
    assert iop.versions.count() == versions


def test_the_changes_page_folds_what_is_unchanged_and_says_when_nothing_changed(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    from iop import history

    assert history.fold_unchanged([(" ", f"linje {i}") for i in range(10)]) == [("…", 10)]
    lines = [(" ", f"linje {i}") for i in range(10)]
    lines[5] = ("+", "ny")
    assert history.fold_unchanged(lines) == [("…", 3), *lines[3:8], ("…", 2)]

    teacher = world.client("teacher")
    ch = chain(world.pupil_a, goals=3)
    iop = ch.iop
    assert iop is not None
    _publish(iop, world.user("teacher"), django_capture_on_commit_callbacks)
    url = reverse("iop:iop_compare", args=[iop.pk]) + "?upublisert=1"
    page = teacher.get(url).content.decode()
    assert "Ingenting er endret siden da" in page and "iop-diff__same" not in page
    # The crumbs lead back to the plan; the page itself is the last one.
    start = page.index('class="ds-breadcrumbs"')
    crumbs = page[start : page.index("</nav>", start)]
    assert f'href="{iop.get_absolute_url()}"' in crumbs and ">Endringer som ikke er publisert ennå</a>" in crumbs
    Goal.objects.filter(pk=ch.goals[1].pk).update(text="Eleven skriver tre setninger.")
    page = teacher.get(url).content.decode()
    assert "Ingenting er endret siden da" not in page and "<ins>" in page and "uendrede linjer" in page
