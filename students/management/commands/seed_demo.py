from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from students import demo


class Command(BaseCommand):
    help = "Create the demo data (once) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run in production (IOP_ENV=production): it creates accounts with a public "
                "password. Use IOP_ENV=demo on a machine of its own."
            )
        if demo.exists():
            self.stdout.write("The demo data exists already.")
            demo.print_logins(demo.known_logins(), self.stdout.write)
            return
        with transaction.atomic():
            logins = demo.create()
            # Other apps add their demo records (plans, deadlines, curriculum)
            # through settings.DEMO_BUILDERS; students depends on none of them.
            for path in settings.DEMO_BUILDERS:
                import_string(path)()
        self.stdout.write(self.style.SUCCESS("Demo data created."))
        demo.print_logins(logins, self.stdout.write)
