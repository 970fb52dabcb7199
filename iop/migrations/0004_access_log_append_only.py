"""The access log becomes append-only and outlives what it names.

Entries keep the pupil's and the user's ids without a database constraint, so
deleting either leaves the log untouched (a cascade or SET NULL would have to
change or delete entries). On PostgreSQL a trigger refuses every UPDATE and
DELETE of the table, whoever asks; SQLite (the demo) relies on the app and the
admin, which never change an entry. A later migration that must rewrite the
table drops the trigger first and creates it again afterwards.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRIGGER = """
CREATE OR REPLACE FUNCTION iop_accesslogentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The access log is append-only: % of an entry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER iop_accesslogentry_append_only
    BEFORE UPDATE OR DELETE ON iop_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION iop_accesslogentry_append_only();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS iop_accesslogentry_append_only ON iop_accesslogentry;
DROP FUNCTION IF EXISTS iop_accesslogentry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("iop", "0003_goal_competence_aims"),
        ("students", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslogentry",
            name="role",
            field=models.CharField(blank=True, default="", max_length=20, verbose_name="role"),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("vurdering", "Expert assessment"),
                    ("vedtak", "Individual decision"),
                    ("iop", "IOP"),
                    ("iup", "IUP"),
                    ("goal", "Learning goal and log"),
                    ("pupil", "Pupil page"),
                    ("report", "Report"),
                    ("referral", "Referral and pedagogisk rapport"),
                    ("concern", "Concern"),
                    ("tiltak", "Measure"),
                    ("talk", "Talk"),
                    ("plan", "Follow-up plan"),
                    ("meeting", "Follow-up meeting"),
                ],
                max_length=20,
                verbose_name="document",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="pupil",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="students.pupil",
                verbose_name="pupil",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("read", "Read"),
                    ("edit", "Open for editing"),
                    ("history", "Read the history"),
                    ("compare", "Compare versions"),
                    ("pdf", "Download as PDF"),
                    ("zip", "Download in a ZIP file"),
                ],
                default="read",
                max_length=20,
                verbose_name="purpose",
            ),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.RunPython(_on_postgresql(TRIGGER), _on_postgresql(DROP_TRIGGER)),
    ]
