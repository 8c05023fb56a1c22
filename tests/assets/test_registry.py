"""Organisations, scopes and assets: the rules of the registry."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Organization
from assets import fieldspecs, selectors
from assets.models import Asset, AssetType
from assets.scales import SCALES, get_scale
from assets.services import asset_create, asset_update, catalogue_install, next_inspection_due
from tests import factories


def test_a_scope_holds_the_organisation_and_all_its_descendants(city, other_city):
    scope = selectors.organization_scope_ids(city["city"])

    assert scope == {o.pk for o in city.values()}
    assert other_city.pk not in scope
    assert selectors.organization_scope_ids(city["road"]) == {
        city["road"].pk,
        city["contractor"].pk,
    }


def test_superusers_see_everything_and_residents_no_private_data(db, city):
    admin = factories.user(is_superuser=True)

    assert selectors.user_scope_ids(admin) is None
    assert selectors.user_scope_ids(AnonymousUser()) == frozenset()


def test_a_disabled_staff_member_loses_the_scope_at_once(section_staff):
    section_staff.is_active = False

    assert selectors.user_scope_ids(section_staff) == frozenset()


def test_staff_need_both_an_organisation_and_a_role(city):
    with pytest.raises(ValidationError):
        factories.user(city["road"], "")
    with pytest.raises(ValidationError):
        factories.user(None, "manager")


def test_the_database_refuses_a_role_without_an_organisation(db):
    from accounts.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan", role="manager")


def test_an_organisation_cannot_become_its_own_ancestor(city):
    izumo = city["city"]
    izumo.parent = city["contractor"]

    with pytest.raises(ValidationError) as caught:
        izumo.full_clean()

    assert caught.value.error_dict["parent"][0].code == "cycle"


def test_assets_for_user_gives_the_public_only_assets_in_service(catalogue, city, other_city):
    live = factories.asset(owner=city["road"])
    retired = factories.asset(owner=city["road"])
    Asset.objects.filter(pk=retired.pk).update(status=Asset.Status.RETIRED)
    road_staff = factories.user(city["road"], "section_staff")
    stranger = factories.user(other_city, "manager")

    assert list(selectors.assets_for_user(AnonymousUser())) == [live]
    assert list(selectors.assets_for_user(stranger)) == [live]
    assert set(selectors.assets_for_user(road_staff)) == {live, retired}


def test_internal_attributes_are_visible_only_within_the_owner_scope(catalogue, city, other_city):
    light = factories.asset(owner=city["road"])

    assert selectors.user_sees_internal(factories.user(city["city"], "viewer"), light)
    assert selectors.user_sees_internal(factories.user(city["road"], "inspector"), light)
    assert not selectors.user_sees_internal(factories.user(city["parks"], "manager"), light)
    assert not selectors.user_sees_internal(factories.user(other_city, "manager"), light)
    assert not selectors.user_sees_internal(AnonymousUser(), light)


def test_the_catalogue_installs_every_type_with_a_real_scale_and_categories(db):
    catalogue_install()

    types = AssetType.objects.prefetch_related("categories")
    assert {t.code for t in types} >= {
        "security-light", "streetlight", "park", "swing", "slide", "climbing-frame", "bench",
        "toilet", "fence", "road-segment",
    }  # fmt: skip
    for asset_type in types:
        assert asset_type.scale in SCALES
        assert asset_type.categories.exists(), asset_type.code
        assert not fieldspecs.validate_specs(asset_type.attribute_schema, allow_internal=True)
    assert AssetType.objects.get(code="park").geometry_kind == "polygon"
    assert AssetType.objects.get(code="road-segment").scale == "pavement"


def test_the_catalogue_can_be_installed_twice_without_duplicates(db):
    catalogue_install()
    counts = (AssetType.objects.count(), Organization.objects.count())

    second = catalogue_install()

    assert second == {"categories": 0, "types": 0}
    assert (AssetType.objects.count(), Organization.objects.count()) == counts


def test_every_category_speaks_the_six_resident_languages(catalogue):
    from assets.models import FaultCategory

    for category in FaultCategory.objects.all():
        for language in ("ja", "en", "pt-br", "zh-hans", "ko", "vi"):
            assert category.name_in(language), (category.code, language)
        for question in category.questions:
            labels = question["label"]
            assert set(labels) == {"ja", "en", "pt-br", "zh-hans", "ko", "vi"}, question["key"]


@pytest.mark.parametrize(
    ("scale", "acting"),
    [("mlit", ["III", "IV"]), ("park", ["C", "D"]), ("pavement", ["III-1", "III-2"])],
)
def test_each_scale_says_which_grades_call_for_action(scale, acting):
    grades = get_scale(scale).grades

    assert [g.code for g in grades if g.calls_for_action] == acting
    assert [g.rank for g in grades] == [1, 2, 3, 4]
    assert all(g.definition_ja and g.definition_en for g in grades)


def test_an_asset_must_be_drawn_as_its_type_says(catalogue, city):
    light = AssetType.objects.get(code="security-light")

    with pytest.raises(ValidationError) as caught:
        asset_create(
            asset_type=light,
            owner=city["road"],
            geom=LineString((132.75, 35.36), (132.76, 35.36), srid=4326),
        )
    assert caught.value.error_dict["geom"][0].code == "wrong_geometry_kind"
    assert not Asset.objects.exists()


def test_attributes_are_checked_and_internal_ones_kept_apart(catalogue, city):
    light = factories.asset(
        owner=city["road"],
        attributes={"wattage": "20", "lamp_type": "LED", "procurement_cost": "45,000"},
    )

    assert light.attributes == {"wattage": 20, "lamp_type": "led"}
    assert light.internal_attributes == {"procurement_cost": 45000}


@pytest.mark.parametrize(
    ("attributes", "key"),
    [
        ({"wattage": "lots"}, "wattage"),
        ({"wattage": -5}, "wattage"),
        ({"lamp_type": "candle"}, "lamp_type"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_attributes_are_refused_with_the_key_named(catalogue, city, attributes, key):
    with pytest.raises(fieldspecs.FieldErrors) as caught:
        factories.asset(owner=city["road"], attributes=attributes)

    assert key in caught.value.errors
    assert not Asset.objects.exists()


def test_a_required_attribute_is_required(catalogue, city):
    with pytest.raises(fieldspecs.FieldErrors, match="road_class"):
        factories.asset("road-segment", owner=city["road"], attributes={"lanes": 2})


def test_a_ledger_id_is_unique_per_owner_only(catalogue, city):
    factories.asset(owner=city["road"], ledger_id="L-1")
    factories.asset(owner=city["parks"], ledger_id="L-1")

    with pytest.raises(ValidationError):
        factories.asset(owner=city["road"], ledger_id="L-1")


def test_assets_without_ledger_ids_do_not_collide(catalogue, city):
    factories.asset(owner=city["road"], ledger_id=None)
    factories.asset(owner=city["road"], ledger_id="")

    assert Asset.objects.filter(ledger_id__isnull=True).count() == 2


def test_a_grade_must_belong_to_the_type_scale(catalogue, city):
    light = factories.asset(owner=city["road"])

    with pytest.raises(ValidationError) as caught:
        asset_update(asset=light, condition_grade="C")
    assert caught.value.error_dict["condition_grade"][0].code == "not_in_scale"
    asset_update(asset=light, condition_grade="III")
    light.refresh_from_db()
    assert (light.condition_grade, light.condition_rank) == ("III", 3)


def test_the_next_inspection_falls_due_one_cycle_later(catalogue):
    import datetime

    swing = AssetType.objects.get(code="swing")  # yearly (JPFA-SP-S)

    assert next_inspection_due(swing, datetime.date(2026, 1, 31)) == datetime.date(2027, 1, 31)
    assert next_inspection_due(swing, None) is None


def test_within_uses_metres_on_every_database(catalogue, city):
    origin = Point(132.755, 35.367, srid=4326)
    near = factories.asset(owner=city["road"], lon=132.755, lat=35.3678)  # ~89 m north
    factories.asset(owner=city["road"], lon=132.755, lat=35.3690)  # ~222 m north

    found = selectors.assets_within(Asset.objects.all(), origin, 100)

    assert list(found) == [near]
    assert found[0].distance.m == pytest.approx(88.7, abs=0.5)
