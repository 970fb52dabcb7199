"""Publishing a report (årsrapport, halvårsrapport) tells the guardians who
may read the pupil, as publishing an IOP does: in the app, and by e-mail for
those who chose plan e-mails; publishing it again tells nobody twice."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from followup.models import Notification, Preference
from iop.reports import services
from iop.reports.models import Report
from tests import factories as f
from tests.conftest import World
from tests.notification_links import notification_targets

from .matrix import finalised_report


def _publish(world: World, report: Report, capture: object) -> Report:
    with capture(execute=True):  # type: ignore[operator]
        return services.report_publish(actor=world.user("teacher"), report=report)  # type: ignore[arg-type]


def test_publishing_a_report_tells_the_guardians_once(world: World, django_capture_on_commit_callbacks: object) -> None:
    guardian_user = world.user("guardian_a")
    assert guardian_user is not None
    report = finalised_report(world)
    _publish(world, report, django_capture_on_commit_callbacks)
    _publish(world, Report.objects.get(pk=report.pk), django_capture_on_commit_callbacks)  # already published
    notes = Notification.objects.filter(kind=Notification.Kind.REPORT)
    assert [(n.recipient, n.report_id, n.state) for n in notes] == [
        (guardian_user, report.pk, Notification.State.IN_APP)
    ]
    assert not mail.outbox  # no e-mail chosen
    guardian = world.client("guardian_a")
    assert reverse("reports:report_detail", args=[report.pk]) in notification_targets(guardian)
    page = guardian.get(reverse("followup:notifications")).content.decode()
    assert "Rapport publisert" in page or "Report published" in page
    assert not Notification.objects.filter(recipient=world.user("guardian_b")).exists()


def test_guardians_who_chose_plan_emails_get_one_about_the_report(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    guardian_user = world.user("guardian_a")
    assert guardian_user is not None
    Preference.objects.update_or_create(user=guardian_user, defaults={"plan_emails": True})
    report = finalised_report(world)
    _publish(world, report, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[guardian_user.email]]  # type: ignore[union-attr]
    assert reverse("reports:report_detail", args=[report.pk]) in mail.outbox[0].body  # type: ignore[union-attr]
    assert Notification.objects.get(kind=Notification.Kind.REPORT).state == Notification.State.SENT


@pytest.mark.parametrize("why", ["no_parental_responsibility", "adult_pupil"])
def test_a_guardian_who_may_not_see_the_pupil_hears_nothing(
    world: World, why: str, django_capture_on_commit_callbacks: object
) -> None:
    Preference.objects.update_or_create(user=world.user("guardian_a"), defaults={"plan_emails": True})
    if why == "no_parental_responsibility":
        world.pupil_a.guardian_links.update(parental_responsibility=False)
    else:
        world.pupil_a.birth_date = datetime.date(2000, 1, 1)
        world.pupil_a.save()
    report = finalised_report(world)
    _publish(world, report, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind=Notification.Kind.REPORT).exists()
    assert not mail.outbox


def test_a_second_guardian_with_responsibility_is_told_too(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    other = f.UserFactory(email="far@test.example", full_name="Finn Far")
    f.guardian_of(other, world.pupil_a)
    report = finalised_report(world)
    _publish(world, report, django_capture_on_commit_callbacks)
    assert set(Notification.objects.filter(kind="report").values_list("recipient_id", flat=True)) == {
        world.user("guardian_a").pk,  # type: ignore[union-attr]
        other.pk,
    }
