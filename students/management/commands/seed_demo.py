from typing import Any

from django.core.management.base import BaseCommand

from students import demo


class Command(BaseCommand):
    help = "Create the demo data (once) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.exists():
            self.stdout.write("The demo data exists already.")
            logins = demo.known_logins()
        else:
            logins = demo.create()
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        demo.print_logins(logins, self.stdout.write)
