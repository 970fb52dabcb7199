"""Demo deadlines of the Swedish support chain (``settings.DEMO_BUILDERS``,
after :mod:`iop.atgardsprogram.demo`): the Swedish demo school follows its
åtgärdsprogram's follow-up and evaluation dates (its own duties, until a
Swedish årshjul carries them), and its deadlines are generated again."""

from __future__ import annotations

from django.db import transaction

from students.models import School, SchoolYear

from . import deadlines
from .atgardsprogram_sources import DUTIES
from .models import Duty


@transaction.atomic
def create() -> None:
    for school in School.objects.filter(skoleeier__country="SE", name__endswith="(demo)"):
        for duty in DUTIES:
            Duty.objects.get_or_create(school=school, key=duty["key"], defaults=duty)
        year = SchoolYear.objects.filter(school=school).order_by("-start").first()
        if year is not None:
            deadlines.deadlines_generate(school_year=year)
