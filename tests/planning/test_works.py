"""Work done on an asset: who may record it (managers and staff of the owner, nobody else),
what is refused with a clear code and saves nothing, and how a recorded work splits the
condition history the deterioration model reads."""

import datetime

import pytest
from django.utils import timezone

from accounts import policy
from assets.models import AssetType
from planning import services
from planning.history import runs_of_type
from planning.models import Work
from tests import factories
from tests.planning.conftest import _inspection


@pytest.fixture
def asset(catalogue, city):
    return factories.asset("security-light", owner=city["road"])


DAY = datetime.date(2025, 6, 1)


def _record(asset, actor, **fields):
    return services.work_record(
        asset=asset,
        kind=fields.pop("kind", "repair"),
        done_on=fields.pop("done_on", DAY),
        acting_user=actor,
        **fields,
    )


def test_managers_and_staff_of_the_owner_record_works(asset, manager, section_staff, city):
    work = _record(asset, manager, cost_yen=38_500, contractor=city["contractor"], grade_after="I")
    other = _record(asset, section_staff, kind="renewal")

    assert (work.cost_yen, work.grade_after, work.recorded_by) == (38_500, "I", manager)
    assert other.recorded_by == section_staff
    assert asset.works.count() == 2


@pytest.mark.parametrize(
    "who", ["inspector", "viewer", "other_city_manager", "association", "nobody"]
)
def test_who_may_not_record_a_work(asset, request, who, catalogue):
    if who == "association":
        actor = factories.user(factories.org("jichikai", kind="association"), "manager")
    elif who == "nobody":
        actor = None
    else:
        actor = request.getfixturevalue(who)

    with pytest.raises(services.WorkError) as caught:
        _record(asset, actor)

    assert caught.value.code == "forbidden"
    assert not Work.objects.exists()


def test_the_system_records_works_for_imports(asset):
    assert _record(asset, policy.SYSTEM).recorded_by is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "painting"}, "bad_kind"),
        ({"done_on": timezone.localdate() + datetime.timedelta(days=1)}, "future_date"),
        ({"grade_after": "A"}, "bad_grade"),  # the park scale's, not the lights'
        ({"cost_yen": -1}, "bad_cost"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_saves_nothing(asset, manager, fields, code):
    with pytest.raises(services.WorkError) as caught:
        _record(asset, manager, **fields)

    assert caught.value.code == code
    assert not Work.objects.exists()


def test_a_report_on_another_asset_is_refused(asset, manager, submit, lamp_out, light):
    report = submit(lamp_out, asset=light)

    with pytest.raises(services.WorkError) as caught:
        _record(asset, manager, reports=[report])

    assert caught.value.code == "other_asset" and not Work.objects.exists()


def test_the_same_work_twice_is_refused(asset, manager, submit, lamp_out):
    report = submit(lamp_out, asset=asset)
    first = _record(asset, manager, reports=[report])

    with pytest.raises(services.WorkError) as caught:
        _record(asset, manager)

    assert caught.value.code == "duplicate_work"
    assert list(first.reports.all()) == [report] and Work.objects.count() == 1


def test_a_recorded_work_splits_the_history(asset, manager, city):
    inspector = factories.user(city["road"], "inspector", username="tenken")
    readings = [(2019, 0), (2021, 1), (2023, 2), (2024, 1), (2025, 1), (2026, 2)]
    for year, grade in readings:
        when = timezone.make_aware(datetime.datetime(year, 5, 1, 10))
        _inspection(asset, inspector, city["road"], when, grade).save()
    _record(asset, manager, done_on=datetime.date(2023, 5, 1))  # the day of an inspection: after it
    _record(asset, manager, done_on=datetime.date(2025, 5, 2), kind="preventive")

    runs = list(runs_of_type(AssetType.objects.get(code="security-light")))

    assert [r.grades for r in runs] == [(0, 1, 2), (1, 1), (2,)]


def test_the_condition_history_csv_shows_works_beside_inspections(
    asset, manager, section_staff, other_city_manager, city
):
    from tests.conftest import client_for

    inspector = factories.user(city["road"], "inspector", username="tenken")
    for year, grade in [(2022, 1), (2023, 2), (2024, 0)]:
        when = timezone.make_aware(datetime.datetime(year, 5, 1, 10))
        _inspection(asset, inspector, city["road"], when, grade).save()
    _record(asset, manager, done_on=datetime.date(2023, 5, 1), cost_yen=38_500, grade_after="I")

    def csv_of(user):
        response = client_for(user).get("/api/v1/condition-history.csv")
        return b"".join(response.streaming_content).decode().splitlines()

    lines = csv_of(section_staff)
    stranger = csv_of(other_city_manager)

    ledger = asset.ledger_id
    assert lines == [
        "asset_id,ledger_id,type,event,date,grade,grade_rank,work_kind,cost_yen",
        f"{asset.pk},{ledger},security-light,inspection,2022-05-01,II,2,,",
        f"{asset.pk},{ledger},security-light,inspection,2023-05-01,III,3,,",
        f"{asset.pk},{ledger},security-light,work,2023-05-01,I,1,repair,38500",
        f"{asset.pk},{ledger},security-light,inspection,2024-05-01,I,1,,",
    ]
    assert stranger == lines[:1]


def test_a_work_is_recorded_on_the_assets_page_and_shown_on_its_timeline(
    asset, manager, inspector, city
):
    from django.test import Client

    staff, looker = Client(), Client()
    staff.force_login(manager)
    looker.force_login(factories.user(city["road"], "viewer", username="miru"))
    page = f"/manage/inspections/assets/{asset.pk}/"
    fields = {
        "kind": "repair",
        "done_on": "2025-06-01",
        "cost_yen": "38500",
        "contractor": city["contractor"].pk,
        "grade_after": "I",
        "note": "灯具交換",
    }

    bad = staff.post(page + "works/", {**fields, "done_on": "2099-01-01"})
    refused = looker.post(page + "works/", fields)
    done = staff.post(page + "works/", fields)
    again = staff.post(page + "works/", fields)
    shown = staff.get(page).content.decode()

    assert bad.status_code == 400 and "灯具交換" in bad.content.decode()
    assert refused.status_code == 403
    assert done.status_code == 302 and Work.objects.count() == 1
    assert again.status_code == 400 and Work.objects.count() == 1
    assert "38500" in shown and "灯具交換" in shown and 'class="work"' in shown
    assert f'action="{page}works/"' in shown
    assert f'action="{page}works/"' not in looker.get(page).content.decode()  # not for a viewer
