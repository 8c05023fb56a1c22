"""The stored models and each asset's forecast, on both databases: what the fit stores and
what it forecasts, a work after the last inspection, strata, a type with too little history;
the model screens and who may not see them; the "likely to need work" filters of the queue
and the inspection planning; the forecast in the API; a fault fixed with its work."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset
from planning import deterioration, forecasting, simulation
from planning.history import runs_of_type
from planning.models import DeteriorationModel, Forecast, Work
from reports.models import Report
from tests import factories
from tests.conftest import client_for


@pytest.fixture
def fitted(load, light_type):
    load(simulation.simulate(assets=300, seed=5))
    return forecasting.models_fit(light_type)


def test_the_fit_stores_the_model_and_a_forecast_for_every_inspected_asset(fitted, light_type):
    whole = fitted[0]
    assets = Asset.objects.count()  # the loader makes each run an asset of its own
    assert whole.enough and whole.stratum_key == "" and whole.assets == assets
    direct = deterioration.fit_joint(list(runs_of_type(light_type)), 4)
    assert whole.hazards == pytest.approx(list(direct.hazards), rel=1e-6)
    assert whole.pairs == direct.pairs

    model = forecasting.as_model(whole)
    forecasts = list(Forecast.objects.all())
    assert len(forecasts) == assets
    for forecast in forecasts[:25]:
        grade = ["I", "II", "III", "IV"].index(forecast.grade)
        assert forecast.within_1 == pytest.approx(model.reach_probability(grade, 2, 1.0), abs=1e-3)
        assert forecast.within_10 == pytest.approx(model.reach_probability(grade, 2, 10), abs=1e-3)
        assert forecast.within_1 <= forecast.within_5 <= forecast.within_10
        if grade >= 2:  # already at the action grade
            assert forecast.within_1 == pytest.approx(1.0) and forecast.next_2 == pytest.approx(1)


def test_a_work_after_the_last_inspection_starts_the_forecast_afresh(fitted, light_type):
    worn = Forecast.objects.filter(grade__in=["III", "IV"]).first()
    day = timezone.localdate() - datetime.timedelta(days=10)
    Work.objects.create(asset_id=worn.asset_id, kind="renewal", done_on=day)

    forecasting.models_fit(light_type)

    fresh = Forecast.objects.get(asset_id=worn.asset_id)
    assert (fresh.grade, fresh.since) == ("I", day)
    assert fresh.within_1 < 0.2


def test_a_stratum_with_enough_history_gets_its_own_model(load, light_type):
    load(simulation.simulate(assets=300, seed=5))
    ids = list(Asset.objects.order_by("pk").values_list("pk", flat=True))
    Asset.objects.filter(pk__in=ids[:-60]).update(attributes={"lamp_type": "led"})
    Asset.objects.filter(pk__in=ids[-60:]).update(attributes={"lamp_type": "sodium"})

    whole, *strata = forecasting.models_fit(light_type)

    by_value = {m.stratum_value: m for m in strata}
    assert set(by_value) == {"led", "sodium"}
    assert by_value["led"].enough and by_value["led"].assets == len(ids) - 60
    assert not by_value["sodium"].enough and "too few" in by_value["sodium"].why_not
    assert Forecast.objects.get(asset_id=ids[0]).model == by_value["led"]
    assert Forecast.objects.get(asset_id=ids[-1]).model == whole  # the type's, as a fallback


def test_too_little_history_stores_why_and_forecasts_nothing(load, light_type):
    load(simulation.simulate(assets=8, seed=5))
    (whole,) = forecasting.models_fit(light_type)
    assert not whole.enough and whole.hazards == [] and "too few" in whole.why_not
    assert not Forecast.objects.exists()


def test_the_command_saves_the_models_and_a_refit_replaces_them(load, light_type):
    load(simulation.simulate(assets=300, seed=5))
    out = StringIO()
    call_command("deterioration_models", "--save", "--type", "security-light", stdout=out)
    call_command("deterioration_models", "--save", "--type", "security-light", stdout=out)
    assets = Asset.objects.count()
    assert f"{assets} forecasts" in out.getvalue()
    assert DeteriorationModel.objects.filter(asset_type=light_type).count() == 1
    assert Forecast.objects.count() == assets


# --- Screens ---------------------------------------------------------------------------------


def test_staff_of_the_owner_see_the_models_with_curve_and_tables(fitted, client, manager, viewer):
    for account in (manager, viewer):
        client.force_login(account)
        listing = client.get(reverse("manage-plan-models"))
        assert listing.status_code == 200
        assert reverse("manage-plan-model", args=["security-light"]) in listing.text
        page = client.get(reverse("manage-plan-model", args=["security-light"]))
        assert page.status_code == 200
        assert "<svg" in page.text and 'role="img"' in page.text
        hazard = forecasting.as_model(fitted[0]).hazards[0]
        assert f"{hazard:.3f}" in page.text  # the hazard table
        assert "95" in page.text and str(fitted[0].pairs) in page.text


def test_a_type_with_too_little_history_says_so(load, light_type, client, manager):
    load(simulation.simulate(assets=8, seed=5))
    forecasting.models_fit(light_type)
    client.force_login(manager)
    page = client.get(reverse("manage-plan-model", args=["security-light"]))
    assert page.status_code == 200
    assert '<svg class="step"' not in page.text
    assert "(at least 30 each are needed)" in page.text


def test_who_may_not_see_the_models(fitted, client, city):
    detail = reverse("manage-plan-model", args=["security-light"])
    assert client.get(reverse("manage-plan-models")).status_code == 302  # sign in first
    assert client.get(detail).status_code == 302
    contractor = factories.user(city["contractor"], "section_staff", username="densetsu")
    client.force_login(contractor)  # owns no assets: not an owner's staff
    assert client.get(reverse("manage-plan-models")).status_code == 403
    assert client.get(detail).status_code == 404
    parks = factories.user(city["parks"], "manager", username="parks")
    factories.asset("bench", owner=city["parks"])
    client.force_login(parks)  # owns benches, not lights
    listing = client.get(reverse("manage-plan-models"))
    assert listing.status_code == 200 and detail not in listing.text
    assert client.get(detail).status_code == 404
    resident = factories.user(username="resident")
    client.force_login(resident)
    assert client.get(detail).status_code == 403


# --- Filters, API, the status form ------------------------------------------------------------


@pytest.fixture
def likely_and_not(fitted):
    likely = Forecast.objects.filter(next_2__gte=forecasting.LIKELY).first()
    unlikely = Forecast.objects.filter(next_2__lt=0.2).first()
    return likely.asset, unlikely.asset


def test_the_queue_filter_keeps_faults_on_assets_likely_to_need_work(
    likely_and_not, submit, lamp_out, client, manager
):
    on_likely = submit(lamp_out, asset=likely_and_not[0])
    on_unlikely = submit(lamp_out, asset=likely_and_not[1])
    client.force_login(manager)
    every = client.get(reverse("manage-queue")).text
    assert on_likely.number in every and on_unlikely.number in every
    page = client.get(reverse("manage-queue"), {"likely": "on"}).text
    assert on_likely.number in page and on_unlikely.number not in page


def test_the_inspection_planning_filter_lists_assets_likely_to_need_work(
    likely_and_not, client, manager
):
    client.force_login(manager)
    page = client.get(reverse("manage-inspection-assets"), {"likely": "on", "due": "all"}).text
    likely_count = Forecast.objects.filter(next_2__gte=forecasting.LIKELY).count()
    assert likely_and_not[0].ledger_id in page and likely_and_not[1].ledger_id not in page
    assert f"<strong>{likely_count}</strong>" in page or str(likely_count) in page
    mapped = client.get(reverse("manage-inspection-assets-map"), {"likely": "on"}).json()
    assert len(mapped["features"]) == likely_count


def test_the_api_and_the_asset_page_give_the_forecast(likely_and_not, manager, client):
    asset = likely_and_not[0]
    body = client_for(manager).get(f"/api/v1/assets/{asset.pk}/history/").json()
    forecast = body["forecast"]
    stored = Forecast.objects.get(asset=asset)
    assert forecast["within_5_years"] == pytest.approx(stored.within_5, abs=1e-4)
    assert forecast["likely_within_2_years"] is True and forecast["action_grade"] == "III"
    client.force_login(manager)
    page = client.get(reverse("manage-asset-history", args=[asset.pk])).text
    assert f"{round(stored.within_5 * 100)}%" in page
    bare = factories.asset("security-light", owner=asset.owner)
    assert client_for(manager).get(f"/api/v1/assets/{bare.pk}/history/").json()["forecast"] is None


def test_a_fault_marked_fixed_records_the_work_that_fixed_it(
    submit, lamp_out, light, client, section_staff, city
):
    report = submit(lamp_out, asset=light)
    report.assignee = city["contractor"]
    report.save()
    client.force_login(section_staff)
    url = reverse("manage-report-status", args=[report.number])

    refused = client.post(url, {"to": "accepted", "work_kind": "repair"})
    assert refused.status_code == 400 and not Work.objects.exists()
    bad_cost = client.post(url, {"to": "fixed", "work_kind": "repair", "work_cost_yen": "-5"})
    assert bad_cost.status_code == 400 and not Work.objects.exists()
    report.refresh_from_db()
    assert report.status == Report.Status.NEW

    done = client.post(url, {"to": "fixed", "work_kind": "repair", "work_cost_yen": "42000"})
    assert done.status_code == 302
    work = Work.objects.get()
    assert (work.asset, work.kind, work.cost_yen) == (light, "repair", 42000)
    assert work.done_on == timezone.localdate() and work.contractor == city["contractor"]
    assert list(work.reports.all()) == [report]
    report.refresh_from_db()
    assert report.status == Report.Status.FIXED

    second = submit(lamp_out, asset=light, description="もう一件")
    client.post(
        reverse("manage-report-status", args=[second.number]),
        {"to": "fixed", "work_kind": "repair", "work_cost_yen": "8000"},
    )
    work.refresh_from_db()  # the same day's repair: one work, both faults, both costs
    assert work.cost_yen == 50000 and work.reports.count() == 2


def test_who_may_not_record_a_work_with_a_fix(submit, lamp_out, light, client, viewer, inspector):
    report = submit(lamp_out, asset=light)
    url = reverse("manage-report-status", args=[report.number])
    for account in (viewer, inspector):
        client.force_login(account)
        assert client.post(url, {"to": "fixed", "work_kind": "repair"}).status_code == 403
    assert not Work.objects.exists()
