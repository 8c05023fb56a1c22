"""Reports store whether the fault endangers people (the queue ranks them first): set for
the reports already there from their category, their answers and the reports merged into
them, as reports/priority.py is_dangerous() does for new ones."""

from django.db import migrations, models


def _marks_danger(questions, answers):
    answers = answers if isinstance(answers, dict) else {}
    return any(
        isinstance(q, dict) and q.get("key") in answers and answers[q["key"]] in q["danger_when"]
        for q in questions
        if isinstance(q, dict) and q.get("danger_when")
    )


def mark_dangerous_reports(apps, schema_editor):
    FaultCategory = apps.get_model("assets", "FaultCategory")
    Report = apps.get_model("reports", "Report")
    Report.objects.filter(category__danger=True).update(danger=True)
    for category in FaultCategory.objects.filter(danger=False):
        questions = category.questions if isinstance(category.questions, list) else []
        if not any(isinstance(q, dict) and q.get("danger_when") for q in questions):
            continue
        ids = [
            pk
            for pk, answers in Report.objects.filter(category=category)
            .exclude(answers={})
            .values_list("pk", "answers")
            .iterator(chunk_size=2000)
            if _marks_danger(questions, answers)
        ]
        for start in range(0, len(ids), 500):
            Report.objects.filter(pk__in=ids[start : start + 500]).update(danger=True)
    kept = Report.objects.filter(duplicates__danger=True).values_list("pk", flat=True)
    Report.objects.filter(pk__in=list(kept)).update(danger=True)


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0008_category_danger_business_days'),
        ('reports', '0011_channels_line_email'),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='danger',
            field=models.BooleanField(db_default=False, default=False, editable=False, verbose_name='danger to people'),
        ),
        migrations.RunPython(mark_dangerous_reports, migrations.RunPython.noop),
    ]
