"""Organisations and device tokens are in accounts now (same tables): the foreign keys
point there. State only: the database already has these columns and constraints."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_checklists_inspections"),
        ("accounts", "0002_device_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assignment",
                    name="organization",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="assignments", to="accounts.organization", verbose_name="organisation"),
                ),
                migrations.AlterField(
                    model_name="inspection",
                    name="organization",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="inspections", to="accounts.organization", verbose_name="organisation"),
                ),
                migrations.AlterField(
                    model_name="quarantine",
                    name="organization",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organization"),
                ),
                migrations.AlterField(
                    model_name="inspection",
                    name="device",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="accounts.devicetoken"),
                ),
                migrations.AlterField(
                    model_name="quarantine",
                    name="device",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="accounts.devicetoken"),
                ),
            ],
            database_operations=[],
        ),
    ]
