"""Condition histories with known hazard rates, to prove the deterioration model recovers
them (tests), to time it (bench) and to give the demo city believable histories.

Assets start where the chain leaves them after a random time since their last renewal, are
inspected every 1–5 years (any day), and are repaired back to the best grade right after an
inspection reads the worst; with `misread`, an inspection reads one grade off (either way in
the middle, the only way at an end) with that probability. The same seed gives the same
history.
"""

import numpy as np

from planning import deterioration

TRUE = (0.20, 0.30, 0.45)  # per year, out of grades I, II and III of four


def simulate(
    *, assets=10_000, years=15.0, misread=0.0, seed=20261203, hazards=TRUE, by_asset=False
):
    """Each asset's runs of readings between repairs, one list of them (or, `by_asset`, a
    list of runs per asset)."""
    hazards = np.asarray(hazards)
    worst = len(hazards)
    rng = np.random.default_rng(seed)
    sequences, per_asset = [], []
    for _ in range(assets):
        first = len(sequences)
        # Where the asset stands when the history starts: as the chain leaves it after a
        # random time since its last renewal.
        grade, clock = 0, 0.0
        age = rng.uniform(0, 12)
        while grade < worst:
            stay = rng.exponential(1 / hazards[grade])
            if clock + stay > age:
                break
            clock += stay
            grade += 1
        left = rng.exponential(1 / hazards[grade]) if grade < worst else np.inf
        time, simulated = rng.uniform(0, 2), 0.0  # the true grade is known up to `simulated`
        readings, gaps, last = [], [], None
        while time <= years:
            # The true grade moves on until this inspection.
            elapsed, simulated = time - simulated, time
            while grade < worst and left <= elapsed:
                elapsed -= left
                grade += 1
                left = rng.exponential(1 / hazards[grade]) if grade < worst else np.inf
            if grade < worst:
                left -= elapsed
            read = grade
            if misread and rng.random() < misread:
                read = grade + (1 if grade == 0 else -1 if grade == worst else rng.choice([-1, 1]))
            if last is not None:
                gaps.append(time - last)
            readings.append(int(read))
            last = time
            if read == worst:  # repaired right after: a new run starts at grade I
                sequences.append(deterioration.Run(tuple(readings), tuple(gaps)))
                readings, gaps, grade = [], [], 0
                left = rng.exponential(1 / hazards[0])
                last = None
                time += rng.uniform(1, 5)
                continue
            time += rng.uniform(1, 5)
        if readings:
            sequences.append(deterioration.Run(tuple(readings), tuple(gaps)))
        per_asset.append(sequences[first:])
    return per_asset if by_asset else sequences
