"""An index in the register's default order (highest score, then EMV, unassessed last) on PostgreSQL.

The organisation's register sorts thousands of risks by ``score DESC NULLS LAST, emv DESC NULLS
LAST``; with this index its first page is read in order instead of scanned and sorted. SQLite cannot
declare NULLS LAST in an index (and serves small databases), so the index is PostgreSQL's only and
is not part of the model's state.
"""

from django.db import migrations

INDEX = "risk_org_score_order"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON risks_risk "
            "(organization_id, score DESC NULLS LAST, emv DESC NULLS LAST)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("risks", "0002_risk_percent_is_default")]

    operations = [migrations.RunPython(create, drop)]
