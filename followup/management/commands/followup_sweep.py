from typing import Any

from django.core.management.base import BaseCommand

from followup import reminders


class Command(BaseCommand):
    help = "Run the reminder sweep once (what the beat task does every few minutes); works without a broker."

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders.sweep()
        self.stdout.write(
            f"deadlines={result.deadlines} notifications_created={result.created} "
            f"claimed={result.claimed} digests={result.digests}"
        )
