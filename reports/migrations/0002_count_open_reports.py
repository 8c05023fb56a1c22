from django.db import migrations
from django.db.models import Count, Q

OPEN = ("new", "accepted", "in_progress")


def count_open_reports(apps, schema_editor):
    Asset = apps.get_model("assets", "Asset")
    Report = apps.get_model("reports", "Report")
    counts = (
        Report.objects.filter(asset__isnull=False, status__in=OPEN)
        .values("asset_id")
        .annotate(n=Count("id", filter=Q(status__in=OPEN)))
    )
    for row in counts:
        Asset.objects.filter(pk=row["asset_id"]).update(open_reports=row["n"])


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0004_asset_open_reports"),
        ("reports", "0001_reports_photos_events"),
    ]

    operations = [migrations.RunPython(count_open_reports, migrations.RunPython.noop)]
