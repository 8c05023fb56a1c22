"""Fault categories say whether they endanger people and which answers do (danger_when), and
give their response target in hours or in business days, never both; staff set them in the
admin, and the standard catalogue sets them for a new city."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from assets import fieldspecs
from assets.models import FaultCategory
from tests import factories

WHEEL = {"key": "wheel_hole", "kind": "boolean", "danger_when": [True]}
WIDTH = {"key": "width", "kind": "choice", "choices": ["lt30", "gt100"], "danger_when": ["gt100"]}


def category(**fields):
    values = {
        "code": "test-hole",
        "group": "road",
        "name_ja": "穴",
        "name_en": "Hole",
        "severity": 4,
        "response_hours": 72,
    }
    values.update(fields)
    return FaultCategory(**values)


def test_the_standard_catalogue_marks_danger_and_counts_routine_targets_in_business_days(
    catalogue,
):
    by_code = {c.code: c for c in FaultCategory.objects.all()}
    assert [code for code, c in by_code.items() if c.danger] == ["exposed-wiring"]
    assert (by_code["exposed-wiring"].response_hours, by_code["lamp-out"].response_hours) == (
        4,
        None,
    )
    assert by_code["lamp-out"].response_business_days == 5
    assert by_code["exposed-wiring"].response_business_days is None
    pole = by_code["pole-damaged"]
    assert pole.answers_mark_danger({"danger_now": True})
    assert not pole.answers_mark_danger({"danger_now": False})
    assert not pole.answers_mark_danger({})
    assert by_code["pothole"].answers_mark_danger({"wheel_hole": True, "width": "lt30"})
    for c in by_code.values():
        c.full_clean()  # every standard category passes its own checks


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"response_hours": None}, "in hours or in business days"),
        ({"response_hours": 24, "response_business_days": 3}, "in hours or in business days"),
        ({"response_hours": 0}, "zero cannot be met"),
        ({"response_hours": None, "response_business_days": 0}, "zero cannot be met"),
    ],
)
def test_a_category_needs_exactly_one_response_target(targets, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        category(**targets).full_clean()
    with translation.override("en"):
        assert message in str(error.value.message_dict["response_hours"])


@pytest.mark.django_db
def test_the_database_refuses_two_targets_or_none():
    for targets in ({"response_hours": 24, "response_business_days": 3}, {"response_hours": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            category(**targets).save()
    category(response_hours=None, response_business_days=3).save()


@pytest.mark.django_db
def test_danger_when_is_checked_against_the_question():
    category(questions=[WHEEL, WIDTH]).full_clean()
    bad = [
        ({**WHEEL, "danger_when": []}, "non-empty list"),
        ({**WHEEL, "danger_when": True}, "non-empty list"),
        ({**WHEEL, "danger_when": [1]}, "cannot have: [1]"),  # 1 is not yes
        ({**WIDTH, "danger_when": ["huge"]}, "cannot have: ['huge']"),
        ({"key": "depth_cm", "kind": "integer", "danger_when": [50]}, "boolean or a choice"),
    ]
    for spec, problem in bad:
        with pytest.raises(ValidationError) as error:
            category(questions=[spec]).full_clean()
        assert problem in " ".join(error.value.message_dict["questions"]), spec


def test_danger_when_is_not_an_asset_attribute():
    problems = fieldspecs.validate_specs([WHEEL], allow_internal=True)
    assert problems == ["field 'wheel_hole': 'danger_when' is only for a category's questions"]


def test_checked_answers_mark_danger_only_with_a_listed_answer():
    specs = [WHEEL, WIDTH, {"key": "part", "kind": "text"}]
    answers = fieldspecs.coerce_values(specs, {"wheel_hole": "はい"})
    assert answers == {"wheel_hole": True}
    assert fieldspecs.marks_danger(specs, answers)
    assert fieldspecs.marks_danger(specs, {"width": "gt100"})
    assert not fieldspecs.marks_danger(specs, {"wheel_hole": False, "width": "lt30"})
    assert not fieldspecs.marks_danger(specs, {"part": "gt100"})
    assert not fieldspecs.marks_danger(specs, {})


# --- The admin -------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(factories.user(username="root", is_staff=True, is_superuser=True))
    return client


def _form(c: FaultCategory, **changes) -> dict:
    data = {
        "code": c.code,
        "group": c.group,
        "name_ja": c.name_ja,
        "name_en": c.name_en,
        "names": json.dumps(c.names),
        "severity": c.severity,
        "response_hours": c.response_hours or "",
        "response_business_days": c.response_business_days or "",
        "questions": json.dumps(c.questions),
        "sort_order": c.sort_order,
        "is_active": "on",
    }
    if c.danger:
        data["danger"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_see_danger_and_both_targets_in_the_admin(admin_client, catalogue, settings):
    settings.LANGUAGE_CODE = "en"
    listing = admin_client.get("/admin/assets/faultcategory/?danger__exact=1")
    assert listing.status_code == 200
    assert [c.code for c in listing.context["cl"].result_list] == ["exposed-wiring"]
    html = listing.content.decode()
    assert "response target (business days)" in html.lower()

    lamp_out = FaultCategory.objects.get(code="lamp-out")
    page = admin_client.get(f"/admin/assets/faultcategory/{lamp_out.pk}/change/")
    fields = page.context["adminform"].form.fields
    assert {"danger", "response_hours", "response_business_days"} <= set(fields)


def test_staff_switch_a_category_to_hours_and_mark_it_dangerous(admin_client, catalogue):
    lamp_out = FaultCategory.objects.get(code="lamp-out")
    response = admin_client.post(
        f"/admin/assets/faultcategory/{lamp_out.pk}/change/",
        _form(lamp_out, response_hours=48, response_business_days="", danger="on"),
    )
    assert response.status_code == 302
    lamp_out.refresh_from_db()
    assert (lamp_out.response_hours, lamp_out.response_business_days, lamp_out.danger) == (
        48,
        None,
        True,
    )


def test_the_admin_gives_the_form_back_when_both_targets_are_given(
    admin_client, catalogue, settings
):
    settings.LANGUAGE_CODE = "en"
    lamp_out = FaultCategory.objects.get(code="lamp-out")
    response = admin_client.post(
        f"/admin/assets/faultcategory/{lamp_out.pk}/change/",
        _form(lamp_out, response_hours=48, response_business_days=5),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "in hours or in business days" in " ".join(errors["response_hours"])
    lamp_out.refresh_from_db()
    assert (lamp_out.response_hours, lamp_out.response_business_days) == (None, 5)


def test_a_section_manager_cannot_edit_categories(client, manager, catalogue):
    lamp_out = FaultCategory.objects.get(code="lamp-out")
    client.force_login(manager)
    response = client.post(
        f"/admin/assets/faultcategory/{lamp_out.pk}/change/",
        _form(lamp_out, response_hours=1, response_business_days="", danger="on"),
    )
    assert response.status_code in (302, 403)
    lamp_out.refresh_from_db()
    assert (lamp_out.response_business_days, lamp_out.danger) == (5, False)
