"""The built-in årshjul says what the 2023 act says: individuelt tilrettelagt
opplæring (opplæringslova § 11-6), not the 1998 act's "spesialundervisning".

Only the built-in duties' texts change; a school owner's own copy is theirs.
"""

from django.db import migrations

OLD = (
    "Avklar om det er behov for spesialundervisning etter utprøving av tiltak innenfor ordinær "
    "opplæring."
)
NEW = (
    "Avklar om det er behov for individuelt tilrettelagt opplæring (opplæringslova § 11-6) etter "
    "utprøving av tiltak innenfor ordinær opplæring."
)


def _replace(apps, old: str, new: str) -> None:
    duty_model = apps.get_model("followup", "Duty")
    for duty in duty_model.objects.exclude(aarshjul__builtin_key="").filter(description__contains=old):
        duty.description = duty.description.replace(old, new)
        duty.save(update_fields=["description"])


def forwards(apps, schema_editor):
    _replace(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _replace(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("followup", "0008_referral_version_and_history")]

    operations = [migrations.RunPython(forwards, backwards)]
