"""Estimating a deterioration model at two sizes: 5,000 and 50,000 assets, five inspections
each on average (every 1–5 years over 15 years), 10 % of readings one grade off.

The estimate is the joint one (hazards and misreading, a hidden Markov model over every
asset's runs) with the plain exponential-hazard fit it starts from. Budget: 50,000 assets take
at most 12× the time of 5,000 in the same run (the work is linear in the runs; what is fixed
per estimate must stay small). Absolute times printed too. Prints one JSON line. Run by
bench/run.py.
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planning import deterioration, simulation


def timed_fit(assets: int) -> dict:
    runs = simulation.simulate(assets=assets, misread=0.10, seed=assets)
    started = time.perf_counter()
    model = deterioration.fit_joint(runs, 4)
    seconds = time.perf_counter() - started
    return {
        "assets": assets,
        "inspections": sum(len(run.grades) for run in runs),
        "seconds": round(seconds, 2),
        "method": model.method,
        "misread": round(model.misread, 3),
    }


def main():
    small, large = timed_fit(5_000), timed_fit(50_000)
    print(
        json.dumps(
            {"small": small, "large": large, "ratio": round(large["seconds"] / small["seconds"], 2)}
        )
    )


if __name__ == "__main__":
    main()
