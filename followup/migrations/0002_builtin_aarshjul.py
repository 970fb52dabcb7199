"""Ship the built-in årshjul sets: Trøndelag (seed 004) and a Norwegian
primary and lower secondary school."""

from django.db import migrations


def load(apps, schema_editor):
    from followup.aarshjul_data import load_builtin

    load_builtin(apps.get_model("followup", "Aarshjul"), apps.get_model("followup", "Duty"))


def unload(apps, schema_editor):
    apps.get_model("followup", "Aarshjul").objects.exclude(builtin_key="").delete()


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
