from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followup.aarshjul_data import BUILTIN_SETS, copy_to_skoleeier, load_builtin
from followup.models import Aarshjul, Duty
from students.models import Skoleeier


class Command(BaseCommand):
    help = (
        "Load (or refresh) the built-in årshjul sets; with --skoleeier, give a school owner its own "
        "copy of one set to edit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skoleeier", type=int, help="School owner id to copy a set to.")
        parser.add_argument("--set", default="trondelag-vgs", choices=sorted(BUILTIN_SETS))

    def handle(self, *args: Any, **options: Any) -> None:
        count = load_builtin(Aarshjul, Duty)
        self.stdout.write(f"Built-in sets loaded ({count} duties).")
        if options["skoleeier"]:
            owner = Skoleeier.objects.filter(pk=options["skoleeier"]).first()
            if owner is None:
                raise CommandError("No school owner with that id.")
            wheel = copy_to_skoleeier(Aarshjul, Duty, builtin_key=options["set"], skoleeier=owner)
            self.stdout.write(f"{owner} now has its own årshjul: {wheel}.")
