"""Search indexes for competence aims, on PostgreSQL only.

* ``pg_trgm`` and a GIN trigram index on ``text`` for partial words;
* a GIN expression index on ``to_tsvector('norwegian', text)`` for Norwegian
  full-text search. It is built from the same ``SearchVector`` expression
  that ``curriculum.selectors.search_aims`` queries with, so the planner uses it.

The indexes are not declared on the model because SQLite (the demo database)
cannot build them; there the search falls back to ``icontains``.

Both indexes were replaced in 0003 (a stored, trigger-kept search vector and a
trigram index on ``UPPER(text)``); the extension stays.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations

FTS_INDEX = "curriculum_aim_text_fts"
TRGM_INDEX = "curriculum_aim_text_trgm"


class PostgresTrigramExtension(TrigramExtension):
    """TrigramExtension, but also a no-op when unapplied on SQLite."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _indexes():
    return [
        GinIndex(SearchVector("text", config="norwegian"), name=FTS_INDEX),
        GinIndex(OpClass("text", name="gin_trgm_ops"), name=TRGM_INDEX),
    ]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("curriculum", "CompetenceAim")
    for index in _indexes():
        schema_editor.add_index(model, index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("curriculum", "CompetenceAim")
    for index in _indexes():
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0001_initial"),
    ]

    operations = [
        PostgresTrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
