"""Each LINE user, webhook event, month's push count and mail read is of one city's channel
(None: the deployment's one city of the settings). The push count was keyed by the month
alone: it is made again with an id, keeping its rows as the settings' city's."""

import django.db.models.deletion
from django.db import migrations, models


def _copy_push_months(apps, schema_editor):
    old = apps.get_model("channels", "LinePushMonth")
    new = apps.get_model("channels", "LinePushCount")
    new.objects.bulk_create(
        new(city=None, month=row.month, count=row.count, refused=row.refused)
        for row in old.objects.all()
    )


def _copy_push_months_back(apps, schema_editor):
    old = apps.get_model("channels", "LinePushMonth")
    new = apps.get_model("channels", "LinePushCount")
    old.objects.bulk_create(
        old(month=row.month, count=row.count, refused=row.refused)
        for row in new.objects.filter(city=None)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_city_line_and_mailbox"),
        ("channels", "0001_initial"),
    ]

    operations = [
        # LINE users, events and mails: a city, and their keys unique within it.
        migrations.AddField(
            model_name="lineuser",
            name="city",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="line_users",
                to="accounts.city",
                verbose_name="city",
            ),
        ),
        migrations.AddField(
            model_name="lineevent",
            name="city",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="line_events",
                to="accounts.city",
                verbose_name="city",
            ),
        ),
        migrations.AddField(
            model_name="mailseen",
            name="city",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mails_seen",
                to="accounts.city",
                verbose_name="city",
            ),
        ),
        migrations.AlterField(
            model_name="lineuser", name="user_id", field=models.CharField(max_length=64)
        ),
        migrations.AlterField(
            model_name="lineevent", name="event_id", field=models.CharField(max_length=64)
        ),
        migrations.AlterField(
            model_name="mailseen", name="message_id", field=models.CharField(max_length=300)
        ),
        migrations.AddConstraint(
            model_name="lineuser",
            constraint=models.UniqueConstraint(
                fields=("city", "user_id"), name="lineuser_unique_per_city"
            ),
        ),
        migrations.AddConstraint(
            model_name="lineuser",
            constraint=models.UniqueConstraint(
                condition=models.Q(("city__isnull", True)),
                fields=("user_id",),
                name="lineuser_unique_no_city",
            ),
        ),
        migrations.AddConstraint(
            model_name="lineevent",
            constraint=models.UniqueConstraint(
                fields=("city", "event_id"), name="lineevent_unique_per_city"
            ),
        ),
        migrations.AddConstraint(
            model_name="lineevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("city__isnull", True)),
                fields=("event_id",),
                name="lineevent_unique_no_city",
            ),
        ),
        migrations.AddConstraint(
            model_name="mailseen",
            constraint=models.UniqueConstraint(
                fields=("city", "message_id"), name="mailseen_unique_per_city"
            ),
        ),
        migrations.AddConstraint(
            model_name="mailseen",
            constraint=models.UniqueConstraint(
                condition=models.Q(("city__isnull", True)),
                fields=("message_id",),
                name="mailseen_unique_no_city",
            ),
        ),
        # The push count: made again with an id and a city, its rows kept.
        migrations.CreateModel(
            name="LinePushCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "city",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="line_push_months",
                        to="accounts.city",
                        verbose_name="city",
                    ),
                ),
                ("month", models.CharField(max_length=7)),
                ("count", models.PositiveIntegerField(default=0)),
                ("refused", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(_copy_push_months, _copy_push_months_back),
        migrations.DeleteModel(name="LinePushMonth"),
        migrations.RenameModel(old_name="LinePushCount", new_name="LinePushMonth"),
        migrations.AddConstraint(
            model_name="linepushmonth",
            constraint=models.UniqueConstraint(
                fields=("city", "month"), name="linepushmonth_unique_per_city"
            ),
        ),
        migrations.AddConstraint(
            model_name="linepushmonth",
            constraint=models.UniqueConstraint(
                condition=models.Q(("city__isnull", True)),
                fields=("month",),
                name="linepushmonth_unique_no_city",
            ),
        ),
    ]
