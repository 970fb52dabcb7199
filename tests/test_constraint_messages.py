"""A database constraint's name never reaches the user: every named
constraint of the project's models carries its own message, in bokmål and
Swedish, and a form shows it (next to the field where there is one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import BaseConstraint
from django.urls import reverse
from django.utils import timezone, translation

from followup.models import Concern
from iop.models import TeachingLog
from tests.conftest import World
from tests.iop.matrix import c
from tests.matrix import project_models

CONSTRAINTS = [
    (model, constraint)
    for model in project_models()
    if not model._meta.auto_created
    for constraint in model._meta.constraints
]


def has_catalog(model: type, language: str) -> bool:
    """Whether the model's app has a catalog for LANGUAGE (or uses the
    project's catalogs, having none of its own)."""
    folder = Path(apps.get_app_config(model._meta.app_label).path) / "locale"
    return not folder.exists() or (folder / language).exists()


def test_it_finds_the_constraints() -> None:
    names = {constraint.name for _, constraint in CONSTRAINTS}
    assert {"concern_has_a_category", "teachinglog_hours_not_negative", "iop_one_live_per_year"} <= names
    assert len(CONSTRAINTS) > 50


@pytest.mark.parametrize(("model", "constraint"), CONSTRAINTS, ids=lambda v: getattr(v, "name", str(v)))
def test_every_constraint_has_a_translated_message(model: type, constraint: BaseConstraint) -> None:
    message = constraint.violation_error_message
    assert message and message != constraint.default_violation_error_message, (
        f"{model._meta.label}: constraint {constraint.name} has no violation_error_message"
    )
    with translation.override("en"):
        english = str(message)
    assert constraint.name not in english
    for language in ("nb", "sv"):
        if not has_catalog(model, language):
            continue
        with translation.override(language):
            translated = str(constraint.get_violation_error_message())
        assert translated != english, f"{constraint.name}: no {language} translation of {english!r}"


def test_a_concern_without_a_category_is_refused_by_a_message(world: World) -> None:
    """The cited case: "Begrensning «concern_has_a_category» er brutt"."""
    concern = Concern(pupil=world.pupil_a, description="Sovner i timene")
    with translation.override("nb"), pytest.raises(ValidationError) as refused:
        concern.validate_constraints()
    assert refused.value.messages == ["Velg minst én ting du observerte."]
    response = world.client("teacher").post(
        reverse("followup:concern_create", args=[world.pupil_a.pk]), {"description": "Sovner i timene"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "concern_has_a_category" not in page
    assert "Velg minst én ting du observerte." in page
    assert not Concern.objects.filter(pupil=world.pupil_a).exists()


def test_negative_hours_are_refused_next_to_the_field(world: World) -> None:
    """The cited case: "teachinglog_hours_not_negative"."""
    section = c(world).section
    today = timezone.localdate()
    response = world.client("teacher").post(
        reverse("iop:teaching_log_create", args=[section.iop_id]),
        {
            "undervisning-section": str(section.pk),
            "undervisning-period_start": today,
            "undervisning-period_end": today,
            "undervisning-hours": "-2",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["hours"] == ["Timene som er gitt, kan ikke være negative."]
    assert "teachinglog_hours_not_negative" not in response.content.decode()
    assert not TeachingLog.objects.filter(section=section).exists()
