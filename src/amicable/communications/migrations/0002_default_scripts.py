"""Install the default call scripts (administrators may edit them in the admin site)."""

from django.db import migrations

from amicable.communications.default_scripts import SCRIPTS


def add_scripts(apps, schema_editor):
    ScriptTemplate = apps.get_model("communications", "ScriptTemplate")
    for (step, language), body in SCRIPTS.items():
        ScriptTemplate.objects.get_or_create(step=step, language=language,
                                             defaults={"body": body})


class Migration(migrations.Migration):
    dependencies = [("communications", "0001_initial")]
    operations = [migrations.RunPython(add_scripts, migrations.RunPython.noop)]
