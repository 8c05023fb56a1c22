"""Tablets' device tokens move here from api, keeping their table (state only)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_people_and_organisations"),
        ("api", "0001_device_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeviceToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("prefix", models.CharField(editable=False, max_length=10, unique=True)),
                        ("key_hash", models.CharField(editable=False, max_length=64)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("name", models.CharField(max_length=100, verbose_name="device")),
                        ("expires_at", models.DateTimeField()),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="device_tokens", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "device token",
                        "verbose_name_plural": "device tokens",
                        "db_table": "api_devicetoken",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
