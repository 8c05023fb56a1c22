# The old shared tracking tokens live on as receipts (0006); the column goes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_receipts_from_tracking"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="report",
            name="tracking",
        ),
    ]
