"""The admin's pupil grants (django-guardian's per-pupil permissions) and
the admin's own frame speak the user's language: column and field names,
what a grant lets its user do, and the strings Django's bokmål and nynorsk
catalogs lack."""

from __future__ import annotations

import datetime

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from students import access
from students.models import PupilUserObjectPermission
from tests.conftest import World


def add_grant(world: World, codename: str, **fields: object) -> HttpResponse:
    """The operator's POST of the admin's "add grant" form: the subject
    teacher gets CODENAME on pupil B, with FIELDS over the empty ones."""
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(content_type__app_label="students", codename=codename)
    data = {
        "user": world.user("faglaerer").pk,
        "content_object": world.pupil_b.pk,
        "permission": permission.pk,
        "expires_at_0": "",
        "expires_at_1": "",
        "reason": "",
        **fields,
    }
    return world.client("operator").post(reverse("admin:students_pupiluserobjectpermission_add"), data)


@pytest.mark.django_db
def test_the_grant_list_and_form_name_what_a_grant_lets_its_user_do(world: World) -> None:
    client = world.client("operator")
    until = timezone.now() + datetime.timedelta(days=3)
    access.grant_pupil_access(pupil=world.pupil_b, user=world.user("teacher"), granted_by=None, expires_at=until)
    page = client.get(reverse("admin:students_pupiluserobjectpermission_changelist")).content.decode()
    for words in ("Bruker", "Elev", "Tilgang", "kan lese", "Vera Vikar", "Berg"):
        assert words in page, words
    for english in ("Can view pupil", "Content object", "Permission", "Start typing to filter", "Model name"):
        assert english not in page, english

    form = client.get(reverse("admin:students_pupiluserobjectpermission_add")).content.decode()
    assert "kan lese og skrive" in form and "kan lese" in form
    assert ">Bruker:</label>" in form and ">Elev:</label>" in form and ">Tilgang:</label>" in form
    assert "Can change pupil" not in form and "Can delete pupil" not in form and "Content object" not in form
    assert "Skriv for å filtrere" in form


@pytest.mark.django_db
def test_an_operator_gives_a_grant_through_the_admin(world: World) -> None:
    from django.contrib.auth.models import Permission

    write = Permission.objects.get(content_type__app_label="students", codename=access.GRANT_WRITE)
    response = add_grant(world, access.GRANT_WRITE, reason="Deler klassen i vår")
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = PupilUserObjectPermission.objects.get(user=world.user("faglaerer"), content_object=world.pupil_b)
    assert grant.permission == write
    with translation.override("nb"):
        assert str(grant) == "Bjørn Berg | Frode Faglærer | kan lese og skrive"  # the admin's messages and titles
    assert world.pupil_b in access.pupils_for(world.user("faglaerer"), access.Action.EDIT)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_admin_strings_django_lacks_are_translated(language: str) -> None:
    with translation.override(language):
        for msgid in (
            "Start typing to filter…",
            "Show counts",
            "Model name",
            "View selected %(model)s",
            "Select all objects on this page for an action",
        ):
            assert translation.gettext(msgid) != msgid, msgid
        plural = ("Please correct the error below.", "Please correct the errors below.")
        assert translation.ngettext(*plural, 2) != plural[1]


@pytest.mark.django_db
def test_the_admin_pupil_list_filters_by_archived_in_words(world: World) -> None:
    from students import services

    coordinator = world.user("coordinator")
    services.pupil_archive(actor=coordinator, pupil=access.get_pupil(coordinator, world.pupil_b.pk))
    client = world.client("operator")
    url = reverse("admin:students_pupil_changelist")
    page = client.get(url).content.decode()
    assert "Ikke arkivert" in page and "Ikke tom" not in page
    archived = {p.last_name for p in client.get(url, {"arkivert": "1"}).context["cl"].result_list}
    current = {p.last_name for p in client.get(url, {"arkivert": "0"}).context["cl"].result_list}
    assert archived == {"Berg"} and "Berg" not in current and {"Aasen", "Carlsen"} <= current


@pytest.mark.django_db
def test_a_second_grant_of_the_same_access_is_refused_in_words(world: World) -> None:
    """The same user, pupil and access twice: the form says so in the
    operator's language (not Django's "… with this User, Permission and
    Content object …") and the first grant stays alone."""
    access.grant_pupil_access(pupil=world.pupil_b, user=world.user("faglaerer"), granted_by=None)
    response = add_grant(world, access.GRANT_READ)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Brukeren har allerede denne tilgangen til eleven." in page
    assert "Content object" not in page and "Permission" not in page
    assert (
        PupilUserObjectPermission.objects.filter(user=world.user("faglaerer"), content_object=world.pupil_b).count()
        == 1
    )


@pytest.mark.django_db
def test_a_new_grant_is_given_by_the_operator_and_may_not_end_before_now(world: World) -> None:
    """The form names the operator as the one who gives the grant, and refuses
    an expiry that has passed (in words beside the field; nothing is saved)."""
    client = world.client("operator")
    operator = world.user("operator")
    form = client.get(reverse("admin:students_pupiluserobjectpermission_add")).content.decode()
    assert f'name="granted_by" value="{operator.pk}"' in form or f'<option value="{operator.pk}" selected>' in form
    response = add_grant(
        world, access.GRANT_READ, expires_at_0="2020-01-01", expires_at_1="12:00", granted_by=operator.pk
    )
    assert response.status_code == 200
    assert "Tilgangen må slutte etter nå." in response.content.decode()
    assert not PupilUserObjectPermission.objects.filter(
        user=world.user("faglaerer"), content_object=world.pupil_b
    ).exists()


@pytest.mark.django_db
def test_the_admin_offers_no_django_groups_or_permissions_that_would_give_nothing(world: World) -> None:
    """Access is decided by the access layer (roles, guardian links, grants):
    the admin offers neither Django's permission groups nor a user's own
    permissions, whose English names ("Can add email address") meant nothing."""
    client = world.client("operator")
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/auth/group/" not in index
    assert client.get("/admin/auth/group/add/").status_code == 404
    user = client.get(reverse("admin:students_user_change", args=[world.user("teacher").pk])).content.decode()
    assert 'name="user_permissions"' not in user and 'name="groups"' not in user
    assert "Can add email address" not in user
