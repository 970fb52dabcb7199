"""The access log may be pruned, by one sanctioned path only.

The trigger of migration 0004 keeps refusing every UPDATE, and every DELETE
except one made through ``iop_access_log_prune(before)``: that function marks
its own transaction with the cut-off (a transaction-local setting) and deletes
the entries written before it; the trigger lets a DELETE through only for an
entry older than the cut-off so marked. The retention job
(``iop.retention.access_log_prune``, reading ``RETENTION_ACCESS_LOG_YEARS``)
is its only caller. SQLite (the demo) has no trigger.
"""

from django.db import migrations

PRUNE = """
CREATE OR REPLACE FUNCTION iop_accesslogentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cutoff text := current_setting('iop.access_log_prune_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> '' AND OLD.at < cutoff::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The access log is append-only: % of an entry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE OR REPLACE FUNCTION iop_access_log_prune(before timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted integer;
BEGIN
    PERFORM set_config('iop.access_log_prune_before', before::text, true);
    DELETE FROM iop_accesslogentry WHERE at < before;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('iop.access_log_prune_before', '', true);
    RETURN deleted;
END
$$;
"""
APPEND_ONLY = """
DROP FUNCTION IF EXISTS iop_access_log_prune(timestamptz);
CREATE OR REPLACE FUNCTION iop_accesslogentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The access log is append-only: % of an entry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("iop", "0023_history_series")]

    operations = [migrations.RunPython(_on_postgresql(PRUNE), _on_postgresql(APPEND_ONLY))]
