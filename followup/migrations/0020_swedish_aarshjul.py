"""Ship the Swedish grundskola's årshjul (``grundskola-se``): Swedish schools
get it instead of the Norwegian duties."""

from django.db import migrations


def load(apps, schema_editor):
    from followup.aarshjul_data import load_builtin

    load_builtin(apps.get_model("followup", "Aarshjul"), apps.get_model("followup", "Duty"))


def unload(apps, schema_editor):
    apps.get_model("followup", "Aarshjul").objects.filter(builtin_key="grundskola-se").delete()


class Migration(migrations.Migration):
    dependencies = [("followup", "0019_language_on_the_user")]

    operations = [migrations.RunPython(load, unload)]
