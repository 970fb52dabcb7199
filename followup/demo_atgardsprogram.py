"""Demo deadlines of the Swedish support chain (``settings.DEMO_BUILDERS``,
after :mod:`iop.atgardsprogram.demo`): the Swedish demo school's deadlines
are generated again, so its åtgärdsprogram's follow-up and evaluation dates
and its extra adaptations' follow-up dates (duties of the Swedish årshjul)
are on them."""

from __future__ import annotations

from django.db import transaction

from students.models import School, SchoolYear

from . import deadlines


@transaction.atomic
def create() -> None:
    for school in School.objects.filter(skoleeier__country="SE", name__endswith="(demo)"):
        year = SchoolYear.objects.filter(school=school).order_by("-start").first()
        if year is not None:
            deadlines.deadlines_generate(school_year=year)
