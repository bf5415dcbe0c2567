"""Name keys made again: `fold` now reads "O’Brien" as "O'Brien" and collapses runs of any
white space ("Mary  Ann", a no-break space beside a space) to one space. Every person is
read once (a million in some seconds) and only the keys that change are written."""

import unicodedata

from django.db import migrations

_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u00b4`", "'"))


def _fold(text):  # as `portfolio.models.fold` is now; a migration keeps its own copy
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(folded.split())


def refold(apps, schema_editor):
    Consumer = apps.get_model("portfolio", "Consumer")
    changed = []
    people = Consumer.objects.only("id", "first_name", "last_name", "name_key").order_by("id")
    for consumer in people.iterator(chunk_size=5000):
        key = f"{_fold(consumer.last_name)} {_fold(consumer.first_name)}"[:210]
        if key != consumer.name_key:
            consumer.name_key = key
            changed.append(consumer)
        if len(changed) >= 5000:
            Consumer.objects.bulk_update(changed, ["name_key"])
            changed = []
    Consumer.objects.bulk_update(changed, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0008_bytewise_keys")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
