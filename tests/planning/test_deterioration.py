"""The deterioration model recovers known hazards from a simulated history.

10,000 assets over 15 years on four grades (I–IV) with known hazard rates, inspected every
1–5 years (any day), repaired back to grade I when an inspection reads grade IV. Without
misreads the plain exponential-hazard estimate recovers the one-year matrix within 0.02 in
every cell and the expected years from I to IV within 5 %. With 10 % of readings one grade
off, the joint estimate (hidden Markov model) recovers them within 0.03 and 10 %, while the
plain estimate and a naive count of observed moves on the same data are visibly worse.
Seeded: the same history every run."""

import numpy as np
import pytest

from planning import deterioration as d
from planning.simulation import TRUE, simulate

GRADES = 4
TRUE_HAZARDS = np.array(TRUE)
WORST = GRADES - 1


TRUTH = d.transition(TRUE_HAZARDS, 1.0)
TRUE_YEARS = float(sum(1 / TRUE_HAZARDS))


def _errors(model):
    cells = np.abs(model.matrix(1.0) - TRUTH).max()
    years = abs(model.expected_years(0, WORST) - TRUE_YEARS) / TRUE_YEARS
    return float(cells), float(years)


@pytest.fixture(scope="module")
def clean():
    return simulate()


@pytest.fixture(scope="module")
def misread():
    return simulate(misread=0.10, seed=7)


def test_without_misreads_the_hazard_model_recovers_the_truth(clean):
    model = d.fit_hazards(d.pairs_of(clean), GRADES)

    cells, years = _errors(model)
    assert model.enough and model.improvements == 0
    assert cells <= 0.02, (model.matrix(1.0).round(3), TRUTH.round(3))
    assert years <= 0.05
    assert all(model.low[g] <= TRUE_HAZARDS[g] <= model.high[g] for g in range(WORST))


def test_without_misreads_the_joint_model_finds_none_and_agrees(clean):
    model = d.fit_joint(clean, GRADES)

    cells, years = _errors(model)
    assert model.misread < 0.01
    assert cells <= 0.02 and years <= 0.05


def test_with_misreads_the_joint_model_recovers_the_truth_and_the_others_do_not(misread):
    joint = d.fit_joint(misread, GRADES)
    plain = d.fit_hazards(d.pairs_of(misread), GRADES)
    naive = d.fit_naive(d.pairs_of(misread), GRADES)

    joint_cells, joint_years = _errors(joint)
    plain_cells, plain_years = _errors(plain)
    naive_cells, naive_years = _errors(naive)
    assert joint.method == "joint" and joint.misread == pytest.approx(0.10, abs=0.02)
    assert joint_cells <= 0.03 and joint_years <= 0.10
    assert plain.improvements > 0  # the visible sign of misgrading
    assert plain_cells > 1.5 * joint_cells or plain_years > 1.5 * joint_years
    assert naive_cells > 2 * joint_cells and naive_years > 2 * joint_years


def test_too_little_data_gives_no_curve():
    sequences = simulate(assets=20, seed=3)

    model = d.fit_joint(sequences, GRADES)

    assert not model.enough and "too few inspection pairs" in model.why_not
    assert np.isnan(model.hazards).all()


def test_a_forecast_is_the_chance_of_reaching_the_action_grade(clean):
    model = d.fit_hazards(d.pairs_of(clean), GRADES)

    chances = [model.reach_probability(1, 2, years) for years in (1, 5, 10)]

    assert chances == sorted(chances) and 0 < chances[0] < chances[-1] < 1
    assert model.reach_probability(2, 2, 1) == pytest.approx(1.0)
    truth = d.transition(TRUE_HAZARDS, 5.0)[1, 2:].sum()
    assert chances[1] == pytest.approx(truth, abs=0.03)


def test_the_matrix_is_the_same_by_either_way_of_computing_it():
    days = np.array([1, 365, 1000])

    fast = d._matrices(TRUE_HAZARDS, days)
    equal = d._matrices(np.array([0.3, 0.3, 0.3]), days)  # no eigenbasis: expm per interval

    for index, day in enumerate(days):
        assert fast[index] == pytest.approx(d.transition(TRUE_HAZARDS, day / 365.25), abs=1e-9)
    assert equal[1].sum(axis=1) == pytest.approx(np.ones(GRADES))
    assert equal[1][0, 0] == pytest.approx(np.exp(-0.3), abs=1e-3)
