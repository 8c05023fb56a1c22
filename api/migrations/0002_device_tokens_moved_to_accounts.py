"""Device tokens are in accounts now, in the same table (state only)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_device_tokens"),
        ("accounts", "0002_device_tokens"),
        ("inspections", "0002_people_moved_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DeviceToken")],
            database_operations=[],
        ),
    ]
