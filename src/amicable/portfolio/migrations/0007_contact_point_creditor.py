import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def credit_placed_contact_points(apps, schema_editor):
    """Contact points imported before this field existed came from a placement file: give
    them the creditor of the person's first debt (the file that created the person)."""
    ContactPoint = apps.get_model("portfolio", "ContactPoint")
    Debt = apps.get_model("portfolio", "Debt")
    first_creditor = (
        Debt.objects.filter(consumer_id=OuterRef("consumer_id"))
        .order_by("id")
        .values("creditor_id")
    )
    ContactPoint.objects.filter(source="PLACEMENT", creditor__isnull=True).update(
        creditor_id=Subquery(first_creditor[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0006_placement_total_digits"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactpoint",
            name="creditor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The creditor whose placement file gave it",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portfolio.creditor",
            ),
        ),
        migrations.RunPython(credit_placed_contact_points, migrations.RunPython.noop),
    ]
