"""Fault categories say whether they endanger people (and which answers do), and may give
their response target in business days instead of hours.

Existing rows get the standard danger marks: exposed wiring, and a yes to the standard
question "about to fall?" (danger_now). Targets stay as the city set them: `manage.py
load_catalogue` brings the standard business-day targets and the wheel question."""

from django.db import migrations, models


def mark_standard_dangers(apps, schema_editor):
    FaultCategory = apps.get_model("assets", "FaultCategory")
    FaultCategory.objects.filter(code="exposed-wiring").update(danger=True)
    for category in FaultCategory.objects.all():
        questions = category.questions if isinstance(category.questions, list) else []
        marked = False
        for question in questions:
            if (
                isinstance(question, dict)
                and question.get("key") == "danger_now"
                and question.get("kind") == "boolean"
                and "danger_when" not in question
            ):
                question["danger_when"] = [True]
                marked = True
        if marked:
            category.save(update_fields=["questions"])


def back_to_hours(apps, schema_editor):
    """Undone: a target in business days becomes hours again (a week of five is 168 h), and
    questions lose the setting the older code does not know."""
    FaultCategory = apps.get_model("assets", "FaultCategory")
    for category in FaultCategory.objects.all():
        if category.response_hours is None:
            category.response_hours = -(-category.response_business_days * 168 // 5)
        if isinstance(category.questions, list):
            for question in category.questions:
                if isinstance(question, dict):
                    question.pop("danger_when", None)
        category.save(update_fields=["response_hours", "questions"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_organisation_names'),
        ('assets', '0007_people_moved_to_accounts'),
    ]

    operations = [
        migrations.AddField(
            model_name='faultcategory',
            name='danger',
            field=models.BooleanField(db_default=False, default=False, help_text='Faults of this category come before every fault without danger in the queue. A question can mark danger by its answer too (danger_when).', verbose_name='danger to people'),
        ),
        migrations.AddField(
            model_name='faultcategory',
            name='response_business_days',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Instead of hours: business days after the day of the report (weekends, national holidays and 29 December to 3 January do not count).', null=True, verbose_name='response target (business days)'),
        ),
        migrations.AlterField(
            model_name='faultcategory',
            name='response_hours',
            field=models.PositiveIntegerField(blank=True, help_text='Time to act from the report, round the clock.', null=True, verbose_name='response target (hours)'),
        ),
        # Before the constraint, so that undoing runs after it is gone.
        migrations.RunPython(mark_standard_dangers, back_to_hours),
        migrations.AddConstraint(
            model_name='faultcategory',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('response_business_days__isnull', True), ('response_hours__gt', 0), ('response_hours__isnull', False)), models.Q(('response_business_days__gt', 0), ('response_business_days__isnull', False), ('response_hours__isnull', True)), _connector='OR'), name='faultcategory_one_response_target'),
        ),
    ]
