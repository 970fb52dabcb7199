"""The read-mostly curriculum admin: every model listed and searchable, nothing added or deleted."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from curriculum import grep
from curriculum.models import CompetenceAim, CompetenceAimSet, CoreElement, Curriculum, SubjectCode

pytestmark = pytest.mark.django_db

MODELS = [Curriculum, CoreElement, CompetenceAimSet, CompetenceAim, SubjectCode]


@pytest.fixture
def operator_client() -> Client:
    user_model = get_user_model()
    user = user_model._default_manager.create_superuser(  # type: ignore[attr-defined]
        **{user_model.USERNAME_FIELD: "operator@example.com", "password": "a-long-password"}
    )
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_registers_every_model(model: type) -> None:
    assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_lists_and_searches_every_model(operator_client: Client, model: type) -> None:
    grep.import_demo()
    url = reverse(f"admin:curriculum_{model._meta.model_name}_changelist")

    assert operator_client.get(url).status_code == 200
    assert operator_client.get(url, {"q": "demo"}).status_code == 200


def test_it_shows_an_aim_read_only(operator_client: Client) -> None:
    grep.import_demo()
    aim = CompetenceAim.objects.get(code="KMDEMO1")

    page = operator_client.get(reverse("admin:curriculum_competenceaim_change", args=[aim.pk]))

    assert page.status_code == 200
    assert aim.text in page.content.decode()
    assert operator_client.get(reverse("admin:curriculum_competenceaim_add")).status_code == 403
    assert operator_client.post(reverse("admin:curriculum_competenceaim_delete", args=[aim.pk])).status_code == 403
