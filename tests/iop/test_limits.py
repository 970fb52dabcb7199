"""Limits on what a person enters: text length, date windows and periods, refused with a clear message."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation

from iop.limits import DATE_MAX, DATE_MIN, TEXT_MAX_LENGTH, FreeTextField, validate_date_window
from iop.models import Iop, TeachingLog
from tests.conftest import World
from tests.iop.factories import chain

# Text written by the system, not by a person (a worker's error message, imported curriculum texts).
NOT_FREE_TEXT = {
    ("reports", "reportbatch", "error"),
    ("reports", "reportbatchitem", "message"),
    ("reports", "pdfjob", "error"),
}
# Dates the system computes (a deadline's due date follows its rule, not a person's typing).
COMPUTED_DATES = {("followup", "deadline", "due"), ("iop", "iopsubject", "dropped_on")}


def _fields(kind: type[models.Field]) -> list[tuple[str, str, models.Field]]:
    out = []
    for label in ("iop", "reports", "followup"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                if isinstance(field, kind) and not isinstance(field, models.DateTimeField):
                    out.append((label, model._meta.model_name, field))
    return out


def test_every_free_text_field_of_the_plans_and_follow_up_is_bounded() -> None:
    unbounded = [
        f"{label}.{model}.{field.name}"
        for label, model, field in _fields(models.TextField)
        if (label, model, field.name) not in NOT_FREE_TEXT
        and not (isinstance(field, FreeTextField) and field.max_length and field.max_length <= 50_000)
    ]
    assert unbounded == []
    assert len(_fields(models.TextField)) > 40  # the walk found the fields


def test_every_entered_date_has_the_window() -> None:
    open_ended = [
        f"{label}.{model}.{field.name}"
        for label, model, field in _fields(models.DateField)
        if (label, model, field.name) not in COMPUTED_DATES and validate_date_window not in field.validators
    ]
    assert open_ended == []
    assert len(_fields(models.DateField)) > 15


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", "Skriv en dato mellom 01.01.2000 og 31.12.2100."),
        ("sv", "Ange ett datum mellan 2000-01-01 och 2100-12-31."),
    ],
)
def test_the_date_window_speaks_the_users_language(language: str, expected: str) -> None:
    with translation.override(language):
        for bad in (datetime.date(1, 1, 1), datetime.date(1999, 12, 31), datetime.date(2101, 1, 1)):
            with pytest.raises(ValidationError) as caught:
                validate_date_window(bad)
            assert caught.value.messages == [expected]
    for good in (DATE_MIN, DATE_MAX, None):
        validate_date_window(good)


def test_a_pasted_document_is_refused_and_nothing_is_saved(world: World) -> None:
    ch = chain(world.pupil_a)
    assert ch.iop is not None
    url = reverse("iop:iop_update", args=[ch.iop.pk])
    data = {"version": "1", "period_start": ch.iop.period_start, "period_end": ch.iop.period_end}
    client = world.client("teacher")

    response = client.post(url, {**data, "ordinary_teaching": "x" * 60_000})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sørg for at denne verdien har 20000 eller færre tegn (den har nå 60000)." in body
    # The browser is told the limit but does not enforce it: maxlength would
    # cut pasted text silently, and the words past the limit would be lost.
    assert f'data-max-chars="{TEXT_MAX_LENGTH}"' in body and "maxlength" not in body
    assert "x" * 60_000 in body, "every pasted character is still in the form"
    iop = Iop.objects.get(pk=ch.iop.pk)
    assert iop.version == 1 and len(iop.ordinary_teaching) < 1000

    assert client.post(url, {**data, "ordinary_teaching": "y" * TEXT_MAX_LENGTH}).status_code == 302
    assert Iop.objects.get(pk=ch.iop.pk).ordinary_teaching == "y" * TEXT_MAX_LENGTH


def test_an_autosaved_goal_is_refused_too(world: World) -> None:
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    url = reverse("iop:goal_update", args=[goal.pk])
    data = {f"{goal.pk}-version": 1, f"{goal.pk}-text": "z" * (TEXT_MAX_LENGTH + 1)}
    response = world.client("teacher").post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code < 500
    assert "20000 eller færre tegn (den har nå 20001)" in response.content.decode()
    goal.refresh_from_db()
    assert goal.version == 1 and not goal.text.startswith("z")


def test_the_service_refuses_what_no_form_checked(world: World) -> None:
    from iop import services

    ch = chain(world.pupil_a)
    with pytest.raises(ValidationError) as caught:
        services.goal_log_create(
            actor=world.user("teacher"), goal=ch.goals[0], data={"note": "n" * (TEXT_MAX_LENGTH + 1)}
        )
    assert "note" in caught.value.message_dict


def test_a_plan_period_stays_within_its_school_year_and_within_the_window(world: World) -> None:
    ch = chain(world.pupil_a)
    assert ch.iop is not None
    url = reverse("iop:iop_update", args=[ch.iop.pk])
    client = world.client("teacher")
    year = ch.iop.school_year
    within = f"Velg en dato fra {year.start:%d.%m.%Y} til {year.end:%d.%m.%Y}."
    for start, end in (
        ("0001-01-01", ch.iop.period_end),
        (year.start - datetime.timedelta(days=1), ch.iop.period_end),
        (ch.iop.period_start, "9999-12-31"),
        (ch.iop.period_start, year.end + datetime.timedelta(days=1)),
    ):
        response = client.post(url, {"version": "1", "period_start": start, "period_end": end})
        assert response.status_code == 200, (start, end)
        assert within in response.content.decode(), (start, end)
    iop = Iop.objects.get(pk=ch.iop.pk)
    assert (iop.period_start, iop.period_end, iop.version) == (ch.iop.period_start, ch.iop.period_end, 1)


def test_teaching_is_logged_only_within_the_plans_period(world: World) -> None:
    ch = chain(world.pupil_a)
    assert ch.iop is not None
    url = reverse("iop:teaching_log_create", args=[ch.iop.pk])
    before = ch.iop.period_start - datetime.timedelta(days=1)
    data = {
        "undervisning-section": str(ch.sections[0].pk),
        "undervisning-period_start": before,
        "undervisning-period_end": ch.iop.period_start,
        "undervisning-hours": "3",
    }
    response = world.client("teacher").post(url, data)
    assert response.status_code < 500
    assert not TeachingLog.objects.exists()
    inside = {**data, "undervisning-period_start": ch.iop.period_start}
    assert world.client("teacher").post(url, inside).status_code in (200, 302)
    assert TeachingLog.objects.count() == 1
