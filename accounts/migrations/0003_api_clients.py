"""Open311 API keys move here from reports, keeping their tables (state only)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_device_tokens"),
        ("assets", "0006_organisation_kind_utility"),
        ("reports", "0007_remove_report_tracking"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiClient",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("prefix", models.CharField(editable=False, max_length=10, unique=True)),
                        ("key_hash", models.CharField(editable=False, max_length=64)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="system")),
                        ("contact_email", models.EmailField(blank=True, max_length=254, verbose_name="contact email")),
                        ("rate_limit", models.CharField(blank=True, help_text="Requests per period in seconds, e.g. 600/3600. Empty: the default.", max_length=20, verbose_name="rate limit")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("revoked_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("services", models.ManyToManyField(blank=True, help_text="None chosen: all services.", related_name="+", to="assets.faultcategory", verbose_name="services it may post to")),
                        ("organization", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organization", verbose_name="issued by")),
                    ],
                    options={
                        "verbose_name": "API client",
                        "verbose_name_plural": "API clients",
                        "db_table": "reports_apiclient",
                        "ordering": ["name"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
