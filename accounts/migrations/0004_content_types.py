"""The moved models' content types follow them (permissions and admin history point at
content types). On a new database there are none yet: nothing to do."""

from django.db import migrations

MOVED = [("assets", "user"), ("assets", "organization"), ("api", "devicetoken"), ("reports", "apiclient")]


def follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model in MOVED:
        old = ContentType.objects.filter(app_label=app_label, model=model)
        if ContentType.objects.filter(app_label="accounts", model=model).exists():
            continue  # made already by a migrate that ran after the move: keep that one
        old.update(app_label="accounts")


def back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model in MOVED:
        ContentType.objects.filter(app_label="accounts", model=model).update(app_label=app_label)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_clients"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(follow, back)]
