"""Constraints and small methods of the curriculum models."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from curriculum.models import CompetenceAim, CompetenceAimSet, Curriculum, GrepStatus, year_level_label

pytestmark = pytest.mark.django_db


def make_aim(code: str = "KM9001") -> CompetenceAim:
    curriculum = Curriculum.objects.create(code="TST01-01", title="Læreplan i testfag")
    aim_set = CompetenceAimSet.objects.create(code="KV9001", curriculum=curriculum, title="Etter 4. trinn")
    return CompetenceAim.objects.create(code=code, curriculum=curriculum, aim_set=aim_set, text="telle til ti")


def test_it_keeps_grep_codes_unique() -> None:
    make_aim()

    with pytest.raises(IntegrityError, match="curriculum_curriculum_code_unique"), transaction.atomic():
        Curriculum.objects.create(code="TST01-01", title="Duplikat")


def test_it_keeps_grep_uris_unique_but_allows_many_without_one() -> None:
    Curriculum.objects.create(code="TST01-01", title="a", uri="http://psi.udir.no/kl06/TST01-01")
    Curriculum.objects.create(code="TST01-02", title="b")
    Curriculum.objects.create(code="TST01-03", title="c")

    with pytest.raises(IntegrityError, match="curriculum_curriculum_uri_unique"), transaction.atomic():
        Curriculum.objects.create(code="TST01-04", title="d", uri="http://psi.udir.no/kl06/TST01-01")


def test_it_refuses_a_validity_period_that_ends_before_it_starts() -> None:
    with pytest.raises(IntegrityError, match="curriculum_curriculum_valid_range"), transaction.atomic():
        Curriculum.objects.create(
            code="TST01-01", title="a", valid_from=datetime.date(2020, 8, 1), valid_to=datetime.date(2020, 7, 31)
        )


def test_an_aim_cannot_replace_itself() -> None:
    aim = make_aim()
    aim.replaced_by = aim

    with pytest.raises(IntegrityError, match="curriculum_competenceaim_not_self_replaced"), transaction.atomic():
        aim.save()


def test_it_describes_records_and_year_levels() -> None:
    aim = make_aim()

    assert str(aim) == "KM9001 telle til ti"
    assert str(aim.curriculum) == "TST01-01 Læreplan i testfag"
    assert aim.is_published and aim.status == GrepStatus.PUBLISHED
    aim.status = CompetenceAim.Status.EXPIRED
    aim.save(update_fields=["status"])
    aim.refresh_from_db()
    assert not aim.is_published
    assert list(CompetenceAim.objects.filter(status="expired")) == [aim]  # the value stored for Grep's "utgått"
    assert [year_level_label(level) for level in (1, 10, 11, 13)] == ["1", "10", "Vg1", "Vg3"]
    aim.aim_set.year_levels = [7, 11]
    assert aim.aim_set.year_level_labels == ["7", "Vg1"]
