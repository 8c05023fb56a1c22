# Receipts per person: the new fields and table (the data follows in 0006).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import reports.models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_api_clients"),
    ]

    operations = [
        migrations.AddField(
            model_name="metoo",
            name="api_client",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="reports.apiclient",
            ),
        ),
        migrations.AddField(
            model_name="metoo",
            name="consent",
            field=models.BooleanField(default=False, verbose_name="may be contacted"),
        ),
        migrations.AddField(
            model_name="metoo",
            name="description",
            field=models.TextField(blank=True, max_length=4000, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="metoo",
            name="name",
            field=models.CharField(blank=True, max_length=200, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="metoo",
            name="phone",
            field=models.CharField(blank=True, max_length=40, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name="metoo",
            name="source",
            field=models.CharField(
                choices=[
                    ("qr", "QR sticker"),
                    ("web", "web form"),
                    ("open311", "Open311"),
                    ("inspection", "inspection"),
                    ("staff", "staff intake"),
                ],
                default="web",
                max_length=12,
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="photo",
            name="origin",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="reports.report",
            ),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("submitted", "submitted"),
                    ("status", "status changed"),
                    ("note", "note"),
                    ("me_too", "me too"),
                    ("moderated", "made public or hidden"),
                    ("merged", "merged"),
                    ("assigned", "assigned"),
                    ("forwarded", "forwarded"),
                    ("priority", "priority changed"),
                    ("contact_deleted", "contact details deleted"),
                    ("data_disclosed", "personal data disclosed on request"),
                    ("data_erased", "personal data erased on request"),
                ],
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="Receipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "token",
                    models.CharField(
                        default=reports.models.new_receipt_token,
                        editable=False,
                        max_length=40,
                        unique=True,
                    ),
                ),
                ("public_only", models.BooleanField(default=False)),
                ("announce", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "me_too",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="receipt",
                        to="reports.metoo",
                    ),
                ),
                (
                    "origin",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reports.report",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="receipts",
                        to="reports.report",
                    ),
                ),
            ],
            options={
                "verbose_name": "receipt",
                "verbose_name_plural": "receipts",
                "indexes": [models.Index(fields=["report", "created_at"], name="receipt_report")],
            },
        ),
    ]
