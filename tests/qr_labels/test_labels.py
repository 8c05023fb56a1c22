"""Issuing, replacing, moving and withdrawing labels, and who may do it."""

import pytest

from accounts import policy
from assets.models import Asset
from qr_labels import codes, services
from qr_labels.models import Label, LabelEvent
from qr_labels.selectors import label_resolve
from tests import factories


def test_an_asset_gets_a_valid_code_and_the_issue_is_recorded(light, manager):
    label = services.label_issue(asset=light, acting_user=manager, note="新規設置")

    assert codes.is_valid(label.code)
    assert label.state == Label.State.ACTIVE
    event = label.events.get()
    assert (event.kind, event.to_asset, event.by, event.note) == (
        "issued",
        light,
        manager,
        "新規設置",
    )


def test_an_asset_cannot_get_a_second_label_in_use(label, light):
    with pytest.raises(services.LabelError) as caught:
        services.label_issue(asset=light, acting_user=policy.SYSTEM)

    assert caught.value.code == "already_labelled"
    assert Label.objects.count() == 1


def test_a_retired_asset_gets_no_label(light):
    Asset.objects.filter(pk=light.pk).update(status=Asset.Status.RETIRED)
    light.refresh_from_db()

    with pytest.raises(services.LabelError) as caught:
        services.label_issue(asset=light, acting_user=policy.SYSTEM)

    assert caught.value.code == "asset_retired"


def test_a_replaced_code_says_so_and_still_leads_to_the_asset(label, light):
    new = services.label_replace(label=label, note="落書き", acting_user=policy.SYSTEM)

    label.refresh_from_db()
    assert label.state == Label.State.REPLACED
    assert label.replaced_by == new
    assert new.asset == light and new.code != label.code
    old = label_resolve(label.code)
    assert (old.outcome, old.asset) == ("replaced", light)
    assert label_resolve(new.code).outcome == "ok"


def test_a_replaced_code_can_keep_working_if_staff_allow_it(label, light):
    services.label_replace(label=label, keeps_working=True, acting_user=policy.SYSTEM)

    resolution = label_resolve(label.code)

    assert (resolution.outcome, resolution.asset) == ("ok", light)


def test_staff_can_stop_a_replaced_code_working_later(label):
    services.label_replace(label=label, keeps_working=True, acting_user=policy.SYSTEM)

    services.label_set_keeps_working(label=label, keeps_working=False, acting_user=policy.SYSTEM)

    assert label_resolve(label.code).outcome == "replaced"


def test_a_moved_label_means_the_new_asset_and_keeps_its_history(label, light, city):
    pole = factories.asset("security-light", owner=city["road"], lon=132.756)

    services.label_move(
        label=label, to_asset=pole, note="隣の柱に貼られていた", acting_user=policy.SYSTEM
    )

    assert label_resolve(label.code).asset == pole
    moved = label.events.get(kind=LabelEvent.Kind.MOVED)
    assert (moved.from_asset, moved.to_asset) == (light, pole)
    assert list(label.events.values_list("kind", flat=True)) == ["issued", "moved"]


def test_a_label_cannot_move_to_an_asset_that_has_one(label, city):
    pole = factories.asset("security-light", owner=city["road"], lon=132.756)
    services.label_issue(asset=pole, acting_user=policy.SYSTEM)

    with pytest.raises(services.LabelError) as caught:
        services.label_move(label=label, to_asset=pole, acting_user=policy.SYSTEM)

    assert caught.value.code == "already_labelled"
    label.refresh_from_db()
    assert label.asset_id != pole.pk


def test_a_withdrawn_code_says_so_but_is_never_given_out_again(label, light):
    services.label_retire(label=label, note="撤去", acting_user=policy.SYSTEM)

    assert label_resolve(label.code).outcome == "retired"
    fresh = services.label_issue(asset=light, acting_user=policy.SYSTEM)
    assert fresh.code != label.code
    with pytest.raises(services.LabelError) as caught:
        services.label_replace(label=label, acting_user=policy.SYSTEM)
    assert caught.value.code == "label_not_active"


def test_the_label_of_a_retired_asset_says_the_asset_is_gone(label, light):
    Asset.objects.filter(pk=light.pk).update(status=Asset.Status.RETIRED)

    assert label_resolve(label.code).outcome == "retired"


def test_labels_are_issued_in_bulk_for_assets_without_one(catalogue, city, light, label):
    others = [factories.asset(owner=city["road"]) for _ in range(5)]

    issued = services.labels_issue_missing(assets=Asset.objects.all(), acting_user=policy.SYSTEM)

    assert issued == 5
    assert Label.objects.filter(state="active").count() == 6
    for asset in others:
        assert codes.is_valid(asset.labels.get().code)
    assert services.labels_issue_missing(assets=Asset.objects.all(), acting_user=policy.SYSTEM) == 0


@pytest.mark.parametrize("role", ["inspector", "viewer"])
def test_inspectors_and_viewers_may_not_change_labels(light, city, role):
    account = factories.user(city["road"], role)

    with pytest.raises(services.LabelError) as caught:
        services.label_issue(asset=light, acting_user=account)

    assert caught.value.code == "forbidden"


def test_another_citys_manager_may_not_change_labels(label, other_city_manager):
    with pytest.raises(services.LabelError) as caught:
        services.label_retire(label=label, acting_user=other_city_manager)

    assert caught.value.code == "forbidden"
    label.refresh_from_db()
    assert label.state == Label.State.ACTIVE


def test_a_label_cannot_be_moved_to_another_organisations_asset(label, other_city, section_staff):
    elsewhere = factories.asset("security-light", owner=other_city)

    with pytest.raises(services.LabelError) as caught:
        services.label_move(label=label, to_asset=elsewhere, acting_user=section_staff)

    assert caught.value.code == "forbidden"
