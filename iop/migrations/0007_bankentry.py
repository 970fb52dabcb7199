import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The læringsbank holds de-identified copies of shared goals. Nothing is
    migrated: the bank used to read live goal texts, and starts empty."""

    dependencies = [
        ("curriculum", "0003_aim_search_vector"),
        ("iop", "0006_constraint_messages"),
        ("students", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BankEntry",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("text", models.TextField(verbose_name="learning goal")),
                (
                    "criteria",
                    models.JSONField(
                        blank=True, default=dict, help_text="Criteria by field name.", verbose_name="criteria"
                    ),
                ),
                ("shared_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="shared")),
                ("uses", models.PositiveIntegerField(default=0, verbose_name="times copied")),
                (
                    "competence_aims",
                    models.ManyToManyField(
                        related_name="bank_entries", to="curriculum.competenceaim", verbose_name="competence aims"
                    ),
                ),
                (
                    "shared_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="shared by",
                    ),
                ),
                (
                    "skoleeier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bank_entries",
                        to="students.skoleeier",
                        verbose_name="school owner",
                    ),
                ),
                (
                    "source_goal",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="bank_entries",
                        to="iop.goal",
                        verbose_name="shared from the goal",
                    ),
                ),
            ],
            options={
                "verbose_name": "learning bank entry",
                "verbose_name_plural": "learning bank entries",
                "ordering": ["-uses", "-shared_at"],
                "indexes": [
                    models.Index(fields=["skoleeier", "-uses", "-shared_at"], name="bankentry_skoleeier_idx")
                ],
            },
        ),
    ]
