"""The condition history read from the database, on both databases, as the deterioration
model reads it: each asset's inspections in time order, corrections counted once, a jump of
two grades or more taken as an unrecorded repair; the model from the database is the model
from the simulated history it was loaded from; the command prints each type's model."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from assets.models import Asset
from planning import deterioration, simulation
from planning.history import runs_of_type
from tests import factories
from tests.planning.conftest import _inspection

CODES = ["I", "II", "III", "IV"]


def test_the_history_read_back_is_the_history_loaded(load, light_type):
    runs = simulation.simulate(assets=150, seed=11)  # no misreads: no jump of two grades
    load(runs)

    read = list(runs_of_type(light_type))

    assert [r.grades for r in read] == [r.grades for r in runs]
    for got, sent in zip(read, runs, strict=True):
        assert got.gaps == pytest.approx(sent.gaps, abs=1 / 365)
    model = deterioration.fit_hazards(deterioration.pairs_of(read), 4)
    truth = deterioration.fit_hazards(deterioration.pairs_of(runs), 4)
    assert model.hazards == pytest.approx(truth.hazards, rel=0.01)


def test_a_correction_counts_once_and_a_jump_of_two_grades_starts_a_new_run(
    city, light_type, catalogue
):
    inspector = factories.user(city["road"], "inspector", username="tenken")
    asset = factories.asset("security-light", owner=city["road"])
    day = timezone.make_aware(datetime.datetime(2020, 5, 1, 9))
    first = _inspection(asset, inspector, city["road"], day, 0)
    first.save()
    wrong = _inspection(asset, inspector, city["road"], day.replace(year=2022), 3)
    wrong.save()
    fixed = _inspection(asset, inspector, city["road"], day.replace(year=2022), 2)
    fixed.supersedes = wrong
    fixed.save()
    after = _inspection(asset, inspector, city["road"], day.replace(year=2024), 0)  # repaired
    after.save()
    _inspection(asset, inspector, city["road"], day.replace(year=2025), 1).save()

    runs = list(runs_of_type(light_type))

    assert [r.grades for r in runs] == [(0, 2), (0, 1)]
    assert runs[0].gaps == pytest.approx((2 * 365 / 365.25,), abs=0.01)


def test_the_command_prints_each_types_model_or_why_there_is_none(load, light_type):
    load(simulation.simulate(assets=400, seed=5))
    out = StringIO()

    call_command("deterioration_models", "--type", "security-light", "--type", "swing", stdout=out)

    text = out.getvalue()
    assert "security-light (防犯灯)" in text and "I → II: hazard 0." in text
    assert "I to IV:" in text and "years" in text
    assert "swing (ブランコ): 0 pairs\n  no model: too few inspection pairs" in text
    assert Asset.objects.filter(asset_type=light_type).count() > 400


def test_an_unknown_type_is_a_usage_error(catalogue):
    with pytest.raises(CommandError) as caught:
        call_command("deterioration_models", "--type", "teleporter", stdout=StringIO())

    assert caught.value.returncode == 2 and "teleporter" in str(caught.value)
