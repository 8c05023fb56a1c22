"""Five fiscal years of condition history for the demo city's lights and roads: yearly
inspections through the tablet API's sync, faults raised by the grades that call for action,
and the works that fixed them (repairs and renewals with costs and the contractor), so that
the deterioration models and forecasts shown after `make run` rest on believable data.

Each asset's true grade follows a Markov chain with the hazards below (per year, out of
grades I, II and III; the demo's made-up truth), from a random age since its last renewal;
one inspection in twenty reads a grade one step off, as inspectors do. Deterministic for a
seed.
"""

import datetime
import random
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts import policy
from accounts.models import Organization
from assets.models import Asset
from config.progress import Progress, silent
from inspections import payload, sync
from planning import services as planning_services
from planning.models import Work
from reports import services as report_services
from reports.models import Report, ReportEvent

JST = datetime.timezone(datetime.timedelta(hours=9))
YEARS = 5
MISREAD = 0.05
HAZARDS = {
    ("security-light", "izumo-bosai"): (0.12, 0.20, 0.35),
    ("streetlight", "izumo-doro"): (0.10, 0.22, 0.30),
    ("road-segment", "izumo-doro"): (0.15, 0.22, 0.40),
}
# Yen per action: example figures for the demo, not prices.
COSTS = {
    "security-light": {"repair": 38_000, "renewal": 160_000},
    "streetlight": {"repair": 85_000, "renewal": 620_000},
    "road-segment": {"repair": 450_000, "renewal": 2_800_000},
}
REPAIRED = 0.8  # share of faults fixed before the next inspection


def _start_grade(rng: random.Random, hazards) -> int:
    grade, clock, age = 0, 0.0, rng.uniform(0, 15)
    while grade < len(hazards):
        clock += rng.expovariate(hazards[grade])
        if clock > age:
            break
        grade += 1
    return grade


def _move(rng: random.Random, grade: int, hazards, years: float) -> int:
    """Where the chain is `years` later (memoryless: sojourns drawn afresh)."""
    while grade < len(hazards):
        stay = rng.expovariate(hazards[grade])
        if stay > years:
            break
        years -= stay
        grade += 1
    return grade


def _read(rng: random.Random, grade: int, worst: int) -> int:
    if rng.random() >= MISREAD:
        return grade
    return grade + (1 if grade == 0 else -1 if grade == worst else rng.choice([-1, 1]))


def history_install(*, seed: int, progress: Progress = silent) -> dict[str, int]:
    """Inspections, faults and works of the lights and roads; returns what was made."""
    inspector = get_user_model().objects.filter(username="inspector-city").first()
    contractor = Organization.objects.filter(code="izumo-densetsu").first()
    if inspector is None:
        return {"inspections": 0, "works": 0}
    rng = random.Random(seed + 7)
    today = timezone.localdate()
    first_year = today.year - YEARS + 1
    counts = {"inspections": 0, "works": 0}
    groups = list(HAZARDS.items())
    for (type_code, owner_code), hazards in progress(groups, total=len(groups), desc="history"):
        assets = list(
            Asset.objects.filter(
                asset_type__code=type_code,
                owner__code=owner_code,
                status=Asset.Status.IN_SERVICE,
            )
            .select_related("asset_type")
            .order_by("id")
        )
        if not assets:
            continue
        codes = assets[0].asset_type.grading_scale.codes()
        worst = len(codes) - 1
        state = {a.pk: _start_grade(rng, hazards) for a in assets}
        last_day = {}
        for year in range(first_year, first_year + YEARS):
            items, repairs, seen = [], [], {}
            for asset in assets:
                day = datetime.date(year, 5, 1) + datetime.timedelta(days=rng.randint(0, 240))
                if day >= today:
                    day = today - datetime.timedelta(days=rng.randint(1, 30))
                if asset.pk in last_day:
                    years = (day - last_day[asset.pk]).days / 365.25
                    state[asset.pk] = _move(rng, state[asset.pk], hazards, years)
                last_day[asset.pk] = day
                seen[asset] = day
                read = _read(rng, state[asset.pk], worst)
                performed = datetime.datetime.combine(day, datetime.time(9), tzinfo=JST)
                items.append(
                    payload.parse_item(
                        {
                            "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                            "asset": asset.pk,
                            "kind": "periodic",
                            "performed_at": (
                                performed + datetime.timedelta(minutes=rng.randint(0, 480))
                            ).isoformat(),
                            "overall_grade": codes[read],
                            "answers": {},
                            "notes": "",
                            "defects": [],
                        }
                    )[0]
                )
                if read >= 2 and rng.random() < REPAIRED:
                    done_on = day + datetime.timedelta(days=rng.randint(14, 120))
                    if done_on < today:
                        repairs.append((asset, read == worst, day, done_on))
                        state[asset.pk] = 0
                        last_day[asset.pk] = done_on
            results = sync.sync_batch(items=items, inspector=inspector)
            counts["inspections"] += sum(r.status == "created" for r in results)
            backdate_found({asset.pk: _at(day) for asset, day in seen.items()})
            for asset, renew, found_on, done_on in repairs:
                counts["works"] += _repair(
                    asset, renew, found_on, done_on, type_code, contractor, rng
                )
    return counts


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(11), tzinfo=JST)


def backdate_found(found: dict[int, datetime.datetime]) -> None:
    """Open inspection faults just made by a sync of inspections done in the past (asset id
    -> when): each came in when its asset was inspected, not when the demo ran."""
    recent = timezone.now() - datetime.timedelta(minutes=30)
    for fault in Report.objects.filter(
        source=Report.Source.INSPECTION,
        status__in=Report.OPEN_STATUSES,
        asset_id__in=list(found),
        created_at__gt=recent,
    ):
        if found[fault.asset_id] < fault.created_at:
            backdate(fault, created=found[fault.asset_id])


def backdate(report: Report, *, created: datetime.datetime, fixed=None) -> None:
    """Move a report's times to when it came in (and was fixed), as if it had happened then:
    its response target keeps its distance from the report, its events follow."""
    report.refresh_from_db(fields=["created_at", "respond_by"])
    target = created + (report.respond_by - report.created_at) if report.respond_by else None
    Report.objects.filter(pk=report.pk).update(
        created_at=created,
        created_epoch=int(created.timestamp()),
        respond_by=target,
        respond_epoch=int(target.timestamp()) if target else 0,
        ended_at=fixed,
        updated_at=fixed or created,
    )
    ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.SUBMITTED).update(at=created)
    if fixed is not None:
        ReportEvent.objects.filter(
            report=report, kind=ReportEvent.Kind.STATUS, to_value=Report.Status.FIXED
        ).update(at=fixed)


def _repair(asset, renew, found_on, done_on, type_code, contractor, rng) -> int:
    kind = Work.Kind.RENEWAL if renew else Work.Kind.REPAIR
    faults = list(
        Report.objects.filter(
            asset=asset, source=Report.Source.INSPECTION, status__in=Report.OPEN_STATUSES
        )
    )
    for fault in faults:
        report_services.report_fix(report=fault, note="補修済み", acting_user=policy.SYSTEM)
        # The fault was found at the inspection and fixed with the work, years ago perhaps:
        # its times say so, for the dashboard's weeks and times to fix.
        fault.refresh_from_db(fields=["created_at"])
        backdate(
            fault,
            created=min(fault.created_at, _at(found_on)),
            fixed=datetime.datetime.combine(done_on, datetime.time(15), tzinfo=JST),
        )
    planning_services.work_record(
        asset=asset,
        kind=kind,
        done_on=done_on,
        cost_yen=round(COSTS[type_code][kind] * rng.uniform(0.8, 1.3), -3),
        contractor=contractor,
        grade_after="I",
        reports=faults,
        acting_user=policy.SYSTEM,
    )
    return 1
