"""How fast a kind of asset wears out: a Markov deterioration model over its grades,
estimated from the condition history.

The exponential-hazard formulation of Japanese infrastructure practice (Tsuda, Kaito, Aoki
and Kobayashi, 2006): an asset in grade i stays there for an exponentially distributed time
with hazard rate θ_i, then moves one grade worse; the worst grade keeps it (until a work).
Over any interval z between two inspections the transition probabilities are the matrix
exponential of the generator, P(z) = expm(Q z), Q_ii = -θ_i, Q_i,i+1 = θ_i, so inspections
need no fixed cycle. The hazards are estimated by maximum likelihood over pairs of
consecutive inspections (pairs that span a work are the caller's to leave out).

Inspectors misgrade by one step now and then: a grade that improves without a work is the
visible sign, and the pair model can only drop such pairs, which biases it (a misread
"worse" counts as deterioration; a misread "better" is thrown away). So the same hazards are
also estimated jointly with a misreading rate as a hidden Markov model over each asset's
sequence of inspections between works: the true grade follows the chain, each inspection
reads it one step off with probability ε (split between the two neighbours, all of it to the
one neighbour of an end grade). Where the data supports a misreading rate, that estimate is
used; a naive count of observed transitions is kept only to show how wrong it is.

95 % intervals for each hazard come from the observed information (the Hessian of the
log-likelihood in log θ). Too few observations of a grade give no curve, and say so.

Why our own code: no maintained Python package estimates the Japanese multi-stage
exponential hazard model, with or without misclassification; scipy gives the pieces (expm,
minimize) and tests/planning/test_deterioration.py checks recovery of known hazards.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import expm
from scipy.optimize import minimize
from scipy.special import expit

DAYS_PER_YEAR = 365.25
# Fewer pairs leaving a grade than this and its hazard is not estimated.
MIN_PAIRS_PER_GRADE = 30
# A misreading rate below this is indistinguishable from none.
MIN_MISREAD = 0.005


@dataclass(frozen=True)
class Pair:
    """Two consecutive inspections of one asset with no work between them: grade indexes
    (0 = best) and the years between."""

    before: int
    after: int
    years: float


@dataclass
class Model:
    """An estimated model: hazards per grade (the worst grade has none), their 95 %
    intervals, and what it rests on."""

    grades: int
    hazards: np.ndarray  # per year, one per grade but the worst
    low: np.ndarray
    high: np.ndarray
    misread: float = 0.0  # probability that an inspection reads one step off
    pairs: int = 0
    pairs_per_grade: list[int] = field(default_factory=list)
    improvements: int = 0  # pairs whose grade got better without a work
    method: str = "hazard"  # "hazard", "joint" or "naive"
    log_likelihood: float = float("nan")
    enough: bool = True
    why_not: str = ""
    naive_matrix: np.ndarray | None = None

    def matrix(self, years: float = 1.0) -> np.ndarray:
        """Transition probabilities over `years` (rows: from, columns: to)."""
        if self.naive_matrix is not None:
            return np.linalg.matrix_power(self.naive_matrix, max(1, round(years)))
        return transition(self.hazards, years)

    def expected_years(self, start: int, action: int) -> float:
        """Expected years from grade `start` until the asset reaches grade `action`."""
        if self.naive_matrix is not None:
            return _expected_steps(self.naive_matrix, start, action)
        return float(sum(1.0 / self.hazards[k] for k in range(start, action)))

    def reach_probability(self, grade: int, action: int, years: float) -> float:
        """The chance that an asset now in `grade` is at `action` or worse in `years`."""
        return float(self.matrix(years)[grade, action:].sum())

    def curve(self, action: int, *, step: float = 0.5, until: float | None = None):
        """(year, expected grade index, probability of `action` or worse) from new."""
        until = until or min(60.0, 2 * self.expected_years(0, self.grades - 1))
        points = []
        for year in np.arange(0.0, until + step / 2, step):
            row = self.matrix(float(year))[0]
            points.append(
                (float(year), float(row @ np.arange(self.grades)), float(row[action:].sum()))
            )
        return points


def generator(hazards: Sequence[float]) -> np.ndarray:
    grades = len(hazards) + 1
    q = np.zeros((grades, grades))
    for i, rate in enumerate(hazards):
        q[i, i], q[i, i + 1] = -rate, rate
    return q


def transition(hazards: Sequence[float], years: float) -> np.ndarray:
    """P(years) = expm(Q years), rows summing to one."""
    p = np.clip(expm(generator(hazards) * years), 0.0, 1.0)
    return p / p.sum(axis=1, keepdims=True)


def _expected_steps(matrix: np.ndarray, start: int, action: int) -> float:
    """Expected steps of a discrete chain from `start` until it first reaches `action` or
    worse (inf when it cannot)."""
    transient = list(range(action))
    if start >= action:
        return 0.0
    q = matrix[np.ix_(transient, transient)]
    try:
        steps = np.linalg.solve(np.eye(len(transient)) - q, np.ones(len(transient)))
    except np.linalg.LinAlgError:
        return math.inf
    return float(steps[start])


# --- Pairs: the plain exponential-hazard estimate --------------------------------------------


def _interval_key(years: float) -> int:
    """Intervals are grouped by whole days: one matrix exponential per distinct interval."""
    return max(1, round(years * DAYS_PER_YEAR))


def _pair_table(pairs: Iterable[Pair], grades: int):
    """Counts of (from, to, days between) of pairs that do not improve; how many improved."""
    counts: dict[tuple[int, int, int], int] = {}
    improvements = 0
    for pair in pairs:
        if pair.after < pair.before:
            improvements += 1
            continue
        key = (pair.before, pair.after, _interval_key(pair.years))
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return np.zeros((0, 3), dtype=int), np.zeros(0), improvements
    keys = np.array(list(counts), dtype=int)
    return keys, np.array(list(counts.values()), dtype=float), improvements


def _matrices(hazards, days: np.ndarray) -> np.ndarray:
    """P for each distinct interval in `days` (whole days), shape (len(days), J, J). The
    generator is triangular with the hazards (and 0) on its diagonal: with distinct hazards
    it diagonalises, and every interval costs one exponential per grade; with (nearly)
    equal hazards, one day's matrix is multiplied up day by day."""
    q = generator(hazards)
    days = np.asarray(days, dtype=int)
    values, vectors = np.linalg.eig(q)
    if np.linalg.cond(vectors) < 1e6:
        years = days / DAYS_PER_YEAR
        inverse = np.linalg.inv(vectors)
        p = np.einsum("ij,dj,jk->dik", vectors, np.exp(np.outer(years, values)), inverse).real
    else:
        one_day = expm(q / DAYS_PER_YEAR)
        powers = np.empty((int(days.max()) + 1, len(q), len(q)))
        powers[0] = np.eye(len(q))
        for day in range(1, len(powers)):
            powers[day] = powers[day - 1] @ one_day
        p = powers[days]
    return np.clip(p, 0.0, 1.0)


def _pair_loglik(log_hazards, keys, weights, grades) -> float:
    hazards = np.exp(log_hazards)
    days, index = np.unique(keys[:, 2], return_inverse=True)
    p = _matrices(hazards, days)
    probabilities = p[index, keys[:, 0], keys[:, 1]]
    return float(weights @ np.log(np.clip(probabilities, 1e-300, None)))


def _hessian(function, x: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Central second differences of a scalar function."""
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            e_i, e_j = np.eye(n)[i] * step, np.eye(n)[j] * step
            value = (
                function(x + e_i + e_j)
                - function(x + e_i - e_j)
                - function(x - e_i + e_j)
                + function(x - e_i - e_j)
            ) / (4 * step * step)
            h[i, j] = h[j, i] = value
    return h


def _intervals(log_hazards: np.ndarray, hessian: np.ndarray, count: int):
    """95 % intervals of the hazards from the observed information in log θ."""
    try:
        covariance = np.linalg.inv(-hessian)
        se = np.sqrt(np.clip(np.diag(covariance)[:count], 0, None))
    except np.linalg.LinAlgError:
        se = np.full(count, np.inf)
    centre = log_hazards[:count]
    return np.exp(centre - 1.96 * se), np.exp(centre + 1.96 * se)


def _per_grade(pairs: Sequence[Pair], grades: int) -> list[int]:
    return np.bincount([p.before for p in pairs], minlength=grades).tolist()


def _not_enough(grades: int, pairs: Sequence[Pair], method: str, per_grade, improvements):
    short = [g for g in range(grades - 1) if per_grade[g] < MIN_PAIRS_PER_GRADE]
    if not short:
        return None
    nan = np.full(grades - 1, np.nan)
    return Model(
        grades=grades,
        hazards=nan,
        low=nan,
        high=nan,
        pairs=len(pairs),
        pairs_per_grade=per_grade,
        improvements=improvements,
        method=method,
        enough=False,
        why_not=(
            f"too few inspection pairs from grade(s) {', '.join(str(g + 1) for g in short)} "
            f"(at least {MIN_PAIRS_PER_GRADE} each are needed)"
        ),
    )


def _start(pairs: Sequence[Pair], grades: int) -> np.ndarray:
    """A starting point: per grade, moves out over years spent in it."""
    moved, years = np.ones(grades - 1) * 0.5, np.ones(grades - 1)
    for pair in pairs:
        if pair.before < grades - 1 and pair.after >= pair.before:
            years[pair.before] += pair.years
            moved[pair.before] += pair.after > pair.before
    return np.log(moved / years)


def fit_hazards(pairs: Sequence[Pair], grades: int) -> Model:
    """The plain exponential-hazard estimate from pairs (improvements dropped)."""
    pairs = list(pairs)
    keys, weights, improvements = _pair_table(pairs, grades)
    per_grade = _per_grade(pairs, grades)
    short = _not_enough(grades, pairs, "hazard", per_grade, improvements)
    if short is not None:
        return short

    def negative(x):
        return -_pair_loglik(x, keys, weights, grades)

    bounds = [(-10.0, 5.0)] * (grades - 1)
    result = minimize(negative, _start(pairs, grades), method="L-BFGS-B", bounds=bounds)
    log_hazards = result.x
    low, high = _intervals(log_hazards, _hessian(lambda x: -negative(x), log_hazards), grades - 1)
    return Model(
        grades=grades,
        hazards=np.exp(log_hazards),
        low=low,
        high=high,
        pairs=len(pairs),
        pairs_per_grade=per_grade,
        improvements=improvements,
        method="hazard",
        log_likelihood=-float(result.fun),
    )


def fit_naive(pairs: Sequence[Pair], grades: int) -> Model:
    """What a spreadsheet does: count each observed move from one inspection to the next as
    one year's transition, improvements as they came. Shown only to compare."""
    counts = np.zeros((grades, grades))
    for pair in pairs:
        counts[pair.before, pair.after] += 1
    counts[grades - 1] = 0
    counts[grades - 1, grades - 1] = 1
    rows = counts.sum(axis=1, keepdims=True)
    matrix = np.divide(counts, rows, out=np.eye(grades), where=rows > 0)
    nan = np.full(grades - 1, np.nan)
    return Model(
        grades=grades,
        hazards=nan,
        low=nan,
        high=nan,
        pairs=len(pairs),
        pairs_per_grade=_per_grade(pairs, grades),
        method="naive",
        naive_matrix=matrix,
    )


# --- Sequences: the joint estimate with misreading (a hidden Markov model) ----------------------


@dataclass(frozen=True)
class Run:
    """One asset's run of inspections between two works: grade indexes, years between."""

    grades: tuple[int, ...]
    gaps: tuple[float, ...]  # len(grades) - 1


def emission(grades: int, misread: float) -> np.ndarray:
    """E[true, read]: read right with 1 - ε, one step off with ε (split in the middle)."""
    e = np.eye(grades) * (1 - misread)
    for g in range(grades):
        neighbours = [n for n in (g - 1, g + 1) if 0 <= n < grades]
        for n in neighbours:
            e[g, n] = misread / len(neighbours)
    return e


def _stack(sequences: Sequence[Run]):
    """Runs padded to the longest: readings (S, T), gap days (S, T-1), their lengths."""
    longest = max(len(s.grades) for s in sequences)
    readings = np.zeros((len(sequences), longest), dtype=int)
    gaps = np.ones((len(sequences), max(1, longest - 1)), dtype=int)
    lengths = np.array([len(s.grades) for s in sequences])
    for row, sequence in enumerate(sequences):
        readings[row, : len(sequence.grades)] = sequence.grades
        gaps[row, : len(sequence.gaps)] = [_interval_key(g) for g in sequence.gaps]
    return readings, gaps, lengths


def _hmm_loglik(params, readings, gaps, lengths, grades, days, gap_index) -> float:
    """Forward algorithm over every sequence at once (scaled, in logs)."""
    hazards = np.exp(params[: grades - 1])
    misread = 0.5 * expit(params[grades - 1])  # in (0, 0.5)
    start = np.exp(np.append(params[grades:], 0.0))
    start /= start.sum()
    e = emission(grades, misread)
    p = _matrices(hazards, days)
    alpha = start[None, :] * e[:, readings[:, 0]].T
    scale = alpha.sum(axis=1)
    total = np.log(scale).sum()
    alpha /= scale[:, None]
    for t in range(1, readings.shape[1]):
        live = lengths > t
        if not live.any():
            break
        moved = np.einsum("sg,sgh->sh", alpha[live], p[gap_index[live, t - 1]])
        moved *= e[:, readings[live, t]].T
        scale = moved.sum(axis=1)
        total += np.log(np.clip(scale, 1e-300, None)).sum()
        alpha[live] = moved / np.clip(scale, 1e-300, None)[:, None]
    return float(total)


def pairs_of(sequences: Iterable[Run]) -> list[Pair]:
    return [
        Pair(s.grades[t], s.grades[t + 1], s.gaps[t]) for s in sequences for t in range(len(s.gaps))
    ]


def fit_joint(sequences: Sequence[Run], grades: int) -> Model:
    """Hazards and the misreading rate together, over whole sequences. When the data shows
    no misreading (the rate's estimate is below MIN_MISREAD) the plain estimate is as good
    and is returned instead."""
    sequences = [s for s in sequences if len(s.grades) >= 2]
    pairs = pairs_of(sequences)
    plain = fit_hazards(pairs, grades)
    if not plain.enough:
        return plain
    readings, gaps, lengths = _stack(sequences)
    days, gap_index = np.unique(gaps, return_inverse=True)
    gap_index = gap_index.reshape(gaps.shape)
    first = np.bincount(readings[:, 0], minlength=grades) + 1.0
    start_logits = np.log(first[:-1] / first[-1])
    x0 = np.concatenate([np.log(plain.hazards), [math.log(0.05 / 0.45)], start_logits])

    def negative(x):
        return -_hmm_loglik(x, readings, gaps, lengths, grades, days, gap_index)

    bounds = [(-10.0, 5.0)] * (grades - 1) + [(-15.0, 15.0)] + [(-20.0, 20.0)] * (grades - 1)
    result = minimize(negative, x0, method="L-BFGS-B", bounds=bounds)
    misread = 0.5 * float(expit(result.x[grades - 1]))
    if misread < MIN_MISREAD:
        return plain
    low, high = _intervals(result.x, _hessian(lambda x: -negative(x), result.x), grades - 1)
    return Model(
        grades=grades,
        hazards=np.exp(result.x[: grades - 1]),
        low=low,
        high=high,
        misread=misread,
        pairs=len(pairs),
        pairs_per_grade=plain.pairs_per_grade,
        improvements=plain.improvements,
        method="joint",
        log_likelihood=-float(result.fun),
    )
