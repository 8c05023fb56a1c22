"""Towns belong to a city: two cities of one deployment may both have a 本町.

Town.city is null for the one city of a deployment without City rows (every existing town);
a town's name is unique within its city, and among the towns of no city (a partial index:
a unique index lets NULLs repeat on both SQLite and PostgreSQL)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_cities"),
        ("assets", "0008_category_danger_business_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="town",
            name="city",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="towns",
                to="accounts.city",
                verbose_name="city",
            ),
        ),
        migrations.AlterField(
            model_name="town",
            name="name",
            field=models.CharField(max_length=60, verbose_name="name"),
        ),
        migrations.AddConstraint(
            model_name="town",
            constraint=models.UniqueConstraint(
                fields=("city", "name"), name="town_name_unique_in_city"
            ),
        ),
        migrations.AddConstraint(
            model_name="town",
            constraint=models.UniqueConstraint(
                condition=models.Q(("city__isnull", True)),
                fields=("name",),
                name="town_name_unique_no_city",
            ),
        ),
    ]
