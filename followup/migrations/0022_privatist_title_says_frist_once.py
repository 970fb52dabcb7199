"""The built-in privatist duties said "frist" in their title, so a reminder
read "Frist om 7 dager: Oppmelding til privatisteksamen (frist 15. september)".
They now say "innen", as the Vigo duties do.

Only the built-in duties' titles change (a school owner's own copy is
theirs), and the open deadlines made from them; the next generation would
bring the same.
"""

from django.db import migrations

TITLES = {
    "privatist-host": (
        "Oppmelding til privatisteksamen (frist 15. september)",
        "Oppmelding til privatisteksamen innen 15. september",
    ),
    "privatist-var": (
        "Oppmelding til privatisteksamen (frist 15. februar)",
        "Oppmelding til privatisteksamen innen 15. februar",
    ),
}


def _retitle(apps, *, forwards: bool) -> None:
    duty_model = apps.get_model("followup", "Duty")
    deadline_model = apps.get_model("followup", "Deadline")
    for key, (old, new) in TITLES.items():
        if not forwards:
            old, new = new, old
        duties = duty_model.objects.exclude(aarshjul__builtin_key="").filter(aarshjul__isnull=False, key=key, title=old)
        deadline_model.objects.filter(duty__in=duties, state="open", title=old).update(title=new)
        duties.update(title=new)


def forwards(apps, schema_editor):
    _retitle(apps, forwards=True)


def backwards(apps, schema_editor):
    _retitle(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [("followup", "0021_notification_about_a_support_decision")]

    operations = [migrations.RunPython(forwards, backwards)]
