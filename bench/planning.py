"""The long-life repair plan at two sizes: an organisation with 5,000 assets and one with
50,000 (security lights with simulated histories, 10 % misread, a fitted model and a
forecast each), a 10-year preventive plan within a budget and a levelling limit.

Timed: making the plan (`planning.plans.plan_make`: forecasts read, the program solved for
the plan and the second budget, the do-nothing and reactive scenarios, the plan's works
written) — budget: 50,000 assets at most 12× the time of 5,000 in the same run; and the
plan's page (/manage/plan/plans/<id>/, signed in, the median of 15 renders) — budget: within
2× for 50,000 of 5,000. Plans are made when a manager asks and saved with their yearly
totals, so the page reads what was saved: one page of works and the saved figures. Prints
one JSON line. Run by bench/run.py.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import setup_django
from deterioration import load

SIZES = (("bench-small", 5_000), ("bench-large", 50_000))


def prepare() -> None:
    from django.core.management import call_command

    from assets.models import Asset, AssetType
    from planning import forecasting

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_catalogue", verbosity=0)
    if Asset.objects.exists():
        raise SystemExit("the planning bench needs an empty database")
    for code, assets in SIZES:
        load("security-light", assets, owner_code=code)
    forecasting.models_fit(AssetType.objects.get(code="security-light"))


def timed_plan(code: str, assets: int) -> dict:
    from django.test import Client

    from accounts.models import Organization, User
    from planning import plans

    organisation = Organization.objects.get(code=code)
    manager = User.objects.create_user(
        f"{code}-manager", password="bench-Machimori-2026", organization=organisation,
        role="manager",
    )  # fmt: skip
    plans.inputs_update(
        organisation=organisation,
        acting_user=manager,
        first_year=2027,
        horizon=10,
        budget=assets * 3_000,
        budgets=[assets * 300_000],  # the urgent renewals of old histories, and more
        levelling=assets * 1_000,
    )
    started = time.perf_counter()
    saved = plans.plan_make(organisation=organisation, acting_user=manager)
    make = time.perf_counter() - started
    client = Client()
    client.force_login(manager)
    url = f"/manage/plan/plans/{saved.pk}/"
    assert client.get(url).status_code == 200  # warm
    renders = []
    for _ in range(15):
        started = time.perf_counter()
        response = client.get(url)
        renders.append(time.perf_counter() - started)
        assert response.status_code == 200
    return {
        "assets": assets,
        "planned": saved.assets,
        "feasible": saved.feasible,
        "why_not": saved.why_not[:160],
        "works": saved.works.count(),
        "make_seconds": round(make, 2),
        "page_ms": round(1000 * statistics.median(renders), 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    setup_django(args.database_url)
    prepare()
    small, large = (timed_plan(code, assets) for code, assets in SIZES)
    print(
        json.dumps(
            {
                "small": small,
                "large": large,
                "make_ratio": round(large["make_seconds"] / small["make_seconds"], 2),
                "page_ratio": round(large["page_ms"] / small["page_ms"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
