"""Organisations and API keys are in accounts now (same tables): the foreign keys point
there, and reports no longer holds the API client model. State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_remove_report_tracking"),
        ("accounts", "0003_api_clients"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="report",
                    name="owner",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="reports", to="accounts.organization", verbose_name="responsible organisation"),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="assignee",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="assigned_reports", to="accounts.organization", verbose_name="assigned to"),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="api_client",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="reports", to="accounts.apiclient", verbose_name="sent by system"),
                ),
                migrations.AlterField(
                    model_name="metoo",
                    name="api_client",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.apiclient"),
                ),
                migrations.DeleteModel(name="ApiClient"),
            ],
            database_operations=[],
        ),
    ]
