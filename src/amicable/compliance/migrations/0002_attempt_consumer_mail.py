"""A partial index for the letters and bureau reports of one consumer.

The chokepoint reads a consumer's calls, texts and emails of the last days (a range of
``attempt_consumer_time``) and their letters and bureau reports from all time (passive
collection, 1006.30(a)). Without this index the second part walks every attempt the consumer
ever had and reads each row to check its channel: the cost grew with the ledger. The index
holds only allowed letters and bureau reports, so it is small and the read stays a few rows.

Raw SQL (valid on PostgreSQL and SQLite) because the model declares no partial index: the
index serves one query in `compliance/facts.py` and nothing in Django's state depends on it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX attempt_consumer_mail ON compliance_contactattempt "
                "(consumer_id, requested_at) "
                "WHERE allowed AND channel IN ('LETTER', 'BUREAU_REPORT')"
            ),
            reverse_sql="DROP INDEX attempt_consumer_mail",
        )
    ]
