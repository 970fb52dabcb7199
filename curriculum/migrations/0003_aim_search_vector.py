"""A stored ``search_vector`` for competence aims, kept up to date by PostgreSQL.

The indexes of 0002 let PostgreSQL find matching aims, but ranking and
rechecking them recomputed ``to_tsvector`` and ``word_similarity`` for every
candidate row, which made searches for common words take hundreds of
milliseconds at LK20's full size. Now:

* ``search_vector`` holds ``to_tsvector('norwegian', text)``; a trigger
  (PostgreSQL's own ``tsvector_update_trigger``) fills it on every insert and
  on every update of ``text``, whatever path the write takes; a GIN index on
  it replaces the expression index;
* the trigram index is on ``UPPER(text)``, the expression Django's
  ``icontains`` compares, so parts of words are found by a cheap substring
  test on the few rows the index proposes;
* a ``varchar_pattern_ops`` index on ``code`` serves code prefix searches.

On SQLite (the demo) the column exists but stays empty: only the field is added.
"""

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import Index
from django.db.models.functions import Upper

TABLE = "curriculum_competenceaim"
TRIGGER = "curriculum_aim_search_vector_update"
OLD_INDEXES = [
    GinIndex(SearchVector("text", config="norwegian"), name="curriculum_aim_text_fts"),
    GinIndex(OpClass("text", name="gin_trgm_ops"), name="curriculum_aim_text_trgm"),
]
# fastupdate off: imports are rare, searches are many, and GIN's pending list
# (unindexed until the next vacuum) would make every search after an import slow.
NEW_INDEXES = [
    GinIndex(fields=["search_vector"], name="curriculum_aim_search_vector", fastupdate=False),
    GinIndex(OpClass(Upper("text"), name="gin_trgm_ops"), name="curriculum_aim_text_upper_trgm", fastupdate=False),
    Index(OpClass("code", name="varchar_pattern_ops"), name="curriculum_aim_code_like"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("curriculum", "CompetenceAim")
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OF text, search_vector ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'pg_catalog.norwegian', text)"
    )
    schema_editor.execute(f"UPDATE {TABLE} SET search_vector = to_tsvector('pg_catalog.norwegian', coalesce(text, ''))")
    for index in NEW_INDEXES:
        schema_editor.add_index(model, index)
    for index in OLD_INDEXES:
        schema_editor.remove_index(model, index)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("curriculum", "CompetenceAim")
    for index in OLD_INDEXES:
        schema_editor.add_index(model, index)
    for index in NEW_INDEXES:
        schema_editor.remove_index(model, index)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0002_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="competenceaim",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True, verbose_name="search vector"
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
