"""Name search is a prefix match ordered by name (`name_key LIKE 'smith%' ORDER BY name_key`).

On PostgreSQL with a language collation (en_US.UTF-8) one b-tree cannot serve both: the
planner then walks the ordering index and filters most of the table (seconds on a million
consumers). The column is folded to plain lower-case ASCII-ish text anyway, so it gets the
"C" collation: byte order, where a single b-tree serves the prefix and the order. SQLite
compares bytes already."""

from django.db import migrations


def use_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE portfolio_consumer ALTER COLUMN name_key TYPE varchar(210) COLLATE "C"'
        )


def use_default_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE portfolio_consumer ALTER COLUMN name_key TYPE varchar(210) "
            'COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]
    operations = [migrations.RunPython(use_c_collation, use_default_collation)]
