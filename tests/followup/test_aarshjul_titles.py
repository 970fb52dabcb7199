"""The built-in duties' titles: a reminder says "Frist" once."""

from __future__ import annotations

import importlib

import time_machine
from django.apps import apps

from followup import deadlines
from followup.aarshjul_data import BUILTIN_SETS, copy_to_skoleeier
from followup.models import Aarshjul, Deadline, Duty
from tests import factories as f
from tests.followup.conftest import YearSchool

RETITLE = importlib.import_module("followup.migrations.0022_privatist_title_says_frist_once")
OLD = "Oppmelding til privatisteksamen (frist 15. september)"
NEW = "Oppmelding til privatisteksamen innen 15. september"


def test_no_built_in_title_says_frist_a_reminder_says_it_before_the_title() -> None:
    titles = [spec["title"] for _name, _description, duties in BUILTIN_SETS.values() for spec in duties]
    assert NEW in titles
    assert not [title for title in titles if "frist" in title.lower()]


def test_the_data_migration_retitles_the_built_in_duty_and_its_open_deadlines(vgs: YearSchool) -> None:
    builtin = Duty.objects.filter(aarshjul__builtin_key="trondelag-vgs", key="privatist-host")
    builtin.update(title=OLD)  # a database from before the fix
    own = copy_to_skoleeier(Aarshjul, Duty, builtin_key="trondelag-vgs", skoleeier=f.SkoleeierFactory())
    own.duties.filter(key="privatist-host").update(title=OLD)  # the school owner's copy is theirs
    with time_machine.travel("2026-08-01T09:00:00+01:00", tick=False):
        deadlines.deadlines_generate(school_year=vgs.year)
    deadline = Deadline.objects.get(duty__key="privatist-host", school_year=vgs.year)
    assert deadline.title == OLD
    RETITLE.forwards(apps, None)
    assert builtin.get().title == NEW
    deadline.refresh_from_db()
    assert deadline.title == NEW
    assert own.duties.get(key="privatist-host").title == OLD
    RETITLE.backwards(apps, None)
    assert builtin.get().title == OLD
