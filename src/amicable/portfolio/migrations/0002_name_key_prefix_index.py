"""Prefix search on names (`name_key LIKE 'smith%'`) needs a pattern index on PostgreSQL
unless the database uses the C collation; SQLite's LIKE-free `startswith` uses GLOB-style
range scans on the ordinary index created in 0001."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS portfolio_consumer_name_key_pattern "
            "ON portfolio_consumer (name_key varchar_pattern_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS portfolio_consumer_name_key_pattern")


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
