"""The language of e-mails moves from the follow-up preference to the user
(``students.User.language``), where it also chooses the interface's
language: one setting. Existing choices are copied before the field goes."""

from django.db import migrations


def to_user(apps, schema_editor):
    Preference = apps.get_model("followup", "Preference")
    User = apps.get_model("students", "User")
    for user_id, language in Preference.objects.exclude(language="").values_list("user_id", "language"):
        User.objects.filter(pk=user_id, language="").update(language=language)


def to_preference(apps, schema_editor):
    Preference = apps.get_model("followup", "Preference")
    User = apps.get_model("students", "User")
    for user_id, language in User.objects.exclude(language="").values_list("pk", "language"):
        Preference.objects.update_or_create(user_id=user_id, defaults={"language": language})


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0018_alter_duty_fulfilment_alter_duty_record_event"),
        ("students", "0008_user_language"),
    ]

    operations = [
        migrations.RunPython(to_user, to_preference),
        migrations.RemoveField(model_name="preference", name="language"),
    ]
