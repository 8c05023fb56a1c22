"""Organisations and users are in accounts now (same tables): the assets' foreign keys
point there and assets no longer holds them. State only; runs after every other app has
pointed its keys at accounts."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0006_organisation_kind_utility"),
        ("accounts", "0004_content_types"),
        ("api", "0002_device_tokens_moved_to_accounts"),
        ("inspections", "0002_people_moved_to_accounts"),
        ("reports", "0008_people_moved_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="asset",
                    name="owner",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="assets", to="accounts.organization", verbose_name="owner"),
                ),
                migrations.AlterField(
                    model_name="faultcategory",
                    name="default_owner",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organization", verbose_name="handled by, when no asset is known"),
                ),
                migrations.DeleteModel(name="User"),
                migrations.DeleteModel(name="Organization"),
            ],
            database_operations=[],
        ),
    ]
