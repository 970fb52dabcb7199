from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from followup import deadlines
from students.models import SchoolYear


class Command(BaseCommand):
    help = "Generate the årshjul's deadlines for current school years (or one, by id). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school-year", type=int, help="Only this school year (id).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["school_year"]:
            years = list(SchoolYear.objects.filter(pk=options["school_year"]).select_related("school"))
        else:
            years = deadlines.school_years_to_generate()
        for year in years:
            r = deadlines.deadlines_generate(school_year=year)
            self.stdout.write(
                f"{year}: created={r.created} updated={r.updated} cancelled={r.cancelled} fulfilled={r.fulfilled}"
            )
