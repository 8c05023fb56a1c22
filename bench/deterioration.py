"""Estimating a deterioration model at two sizes: 5,000 and 50,000 assets, five inspections
each on average (every 1–5 years over 15 years), 10 % of readings one grade off.

The estimate is the joint one (hazards and misreading, a hidden Markov model over every
asset's runs) with the plain exponential-hazard fit it starts from. Budget: 50,000 assets take
at most 12× the time of 5,000 in the same run (the work is linear in the runs; what is fixed
per estimate must stay small). Absolute times printed too.

With --database-url the same two sizes are also stored as condition histories (each
simulated asset an asset, a work between its runs) and fitted the way the nightly command
does: the history read from the database, the model fitted and stored, and every asset's
forecast written (planning.forecasting.models_fit), with the same budget. Prints one JSON
line. Run by bench/run.py.
"""

import argparse
import datetime
import json
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import setup_django

from planning import deterioration, simulation

CODES = ["I", "II", "III", "IV"]


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


def load(type_code: str, assets: int, owner_code: str = "bench") -> int:
    """Store `assets` simulated histories of the type, owned by `owner_code`; returns the
    inspections stored."""
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from accounts.models import Organization, User
    from assets.models import Asset, AssetType
    from inspections.models import Inspection
    from planning.models import Work

    asset_type = AssetType.objects.get(code=type_code)
    owner, _ = Organization.objects.get_or_create(
        code=owner_code, defaults={"name": owner_code, "kind": "city"}
    )
    inspector, _ = User.objects.get_or_create(
        username=f"{owner_code}-inspector", defaults={"organization": owner, "role": "inspector"}
    )
    histories = simulation.simulate(assets=assets, misread=0.10, seed=assets, by_asset=True)
    rows = [
        Asset(
            asset_type=asset_type,
            owner=owner,
            ledger_id=f"{type_code}-{index}",
            geom=Point(132.75 + index * 1e-6, 35.36, srid=4326),
        )
        for index in range(len(histories))
    ]
    made = Asset.objects.bulk_create(rows, batch_size=2000)
    start = timezone.make_aware(datetime.datetime(2011, 4, 1, 10))
    inspections, works = [], []
    for asset, runs in zip(made, histories, strict=True):
        when = start
        for number, run in enumerate(runs):
            if number:  # repaired after the last run: a work, then two years on
                works.append(Work(asset=asset, kind="repair", done_on=when.date()))
                when += datetime.timedelta(days=730)
            for position, grade in enumerate(run.grades):
                if position:
                    when += datetime.timedelta(days=round(run.gaps[position - 1] * 365.25))
                inspections.append(
                    Inspection(
                        uuid=uuid.uuid4(),
                        asset=asset,
                        inspector=inspector,
                        organization=owner,
                        kind="periodic",
                        performed_at=when,
                        overall_grade=CODES[grade],
                        grade_rank=grade + 1,
                    )
                )
            when += datetime.timedelta(days=1)
    Inspection.objects.bulk_create(inspections, batch_size=5000)
    Work.objects.bulk_create(works, batch_size=5000)
    return len(inspections)


def timed_database_fit(type_code: str, assets: int) -> dict:
    from assets.models import AssetType
    from planning import forecasting
    from planning.models import Forecast

    inspections = load(type_code, assets)
    started = time.perf_counter()
    stored = forecasting.models_fit(AssetType.objects.get(code=type_code))
    seconds = time.perf_counter() - started
    return {
        "assets": assets,
        "inspections": inspections,
        "seconds": round(seconds, 2),
        "method": stored[0].method,
        "forecasts": Forecast.objects.filter(asset__asset_type__code=type_code).count(),
    }


def database_fits(database_url: str) -> dict:
    setup_django(database_url)
    from django.core.management import call_command

    from assets.models import Asset

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_catalogue", verbosity=0)
    if Asset.objects.exists():
        raise SystemExit("the deterioration bench needs an empty database")
    small = timed_database_fit("streetlight", 5_000)
    large = timed_database_fit("security-light", 50_000)
    return {"small": small, "large": large, "ratio": round(large["seconds"] / small["seconds"], 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    args = parser.parse_args()
    small, large = timed_fit(5_000), timed_fit(50_000)
    result = {
        "small": small,
        "large": large,
        "ratio": round(large["seconds"] / small["seconds"], 2),
    }
    if args.database_url:
        result["database"] = database_fits(args.database_url)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
