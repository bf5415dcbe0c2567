import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Min, OuterRef, Subquery


def credit_placed_contact_points(apps, schema_editor):
    """Contact points imported before this field existed came from a placement file. When all
    of the person's debts are one creditor's, that creditor gave them. A person several
    creditors placed is left without one: which file gave which number is not known, and a
    client user must never see another creditor's (staff still see them all)."""
    ContactPoint = apps.get_model("portfolio", "ContactPoint")
    Debt = apps.get_model("portfolio", "Debt")
    one_creditor = (
        Debt.objects.values("consumer_id")
        .annotate(creditors=Count("creditor_id", distinct=True), creditor=Min("creditor_id"))
        .filter(creditors=1)
    )
    creditor_of_person = one_creditor.filter(consumer_id=OuterRef("consumer_id")).values(
        "creditor"
    )
    ContactPoint.objects.filter(source="PLACEMENT", creditor__isnull=True).update(
        creditor_id=Subquery(creditor_of_person[:1])
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
