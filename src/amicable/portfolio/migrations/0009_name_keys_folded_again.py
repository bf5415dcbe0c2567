"""Name keys of people whose names hold a typographic apostrophe or several spaces in a row:
`fold` now reads "O’Brien" as "O'Brien" and "Mary  Ann" as "Mary Ann", so their keys are
made again (only those rows: the others fold as before)."""

import unicodedata

from django.db import migrations
from django.db.models import Q

_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u00b4`", "'"))


def _fold(text):  # as `portfolio.models.fold` is now; a migration keeps its own copy
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(folded.split())


def refold(apps, schema_editor):
    Consumer = apps.get_model("portfolio", "Consumer")
    odd = Q()
    for mark in ("\u2019", "\u2018", "\u02bc", "\u00b4", "`", "  ", "\t"):
        odd |= Q(first_name__contains=mark) | Q(last_name__contains=mark)
    for consumer in Consumer.objects.filter(odd).only("id", "first_name", "last_name").iterator():
        key = f"{_fold(consumer.last_name)} {_fold(consumer.first_name)}"[:210]
        Consumer.objects.filter(pk=consumer.pk).update(name_key=key)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0008_bytewise_keys")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
