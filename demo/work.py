"""The demo city's working life: five years of playground inspections (and of lights and
roads, in demo/history.py) with their deterioration models, schools and stations, and a
morning's queue of faults — so the managers' screens have something true to show.

Everything goes through the real services (sync_batch, the intake door, transitions), so the
demo is also a smoke test of them. Deterministic for a seed.
"""

import datetime
import random
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from accounts import policy
from accounts.models import Organization
from assets.models import Asset
from assets.selectors import fault_categories_for_type
from config.progress import Progress, silent
from demo import history as demo_history
from demo.city import CENTER_LAT, CENTER_LON
from inspections import assignments, payload, sync
from inspections import selectors as inspections_selectors
from inspections.models import ChecklistTemplate, Inspection
from planning import forecasting, plans
from reports import intake
from reports import services as report_services
from reports.models import ContextPlace, Report

JST = datetime.timezone(datetime.timedelta(hours=9))
YEARS = 5
PLACES = [
    ("school", "今市小学校", 0.004, 0.003),
    ("school", "塩冶小学校", -0.012, -0.006),
    ("school", "出雲第一中学校", 0.015, 0.010),
    ("school", "四絡小学校", -0.020, 0.014),
    ("hospital", "県立中央病院", -0.008, -0.012),
    ("hospital", "出雲市民病院", 0.022, -0.004),
    ("station", "出雲市駅", 0.001, -0.002),
    ("station", "電鉄出雲市駅", 0.003, -0.001),
]
PARK_SCALE = ["A", "B", "C", "D"]
RESIDENT_LANGUAGES = ["ja", "ja", "ja", "ja", "en", "pt-br", "vi", "zh-hans", "ko"]
RESIDENT_WORDS = {
    "ja": "夜に通ったら気づきました。",
    "en": "Noticed it walking home last night.",
    "pt-br": "Vi quando voltava para casa ontem à noite.",
    "vi": "Tôi thấy khi đi về tối qua.",
    "zh-hans": "昨晚回家时看到的。",
    "ko": "어젯밤 집에 가다가 봤어요.",
}


def places_install() -> int:
    created = 0
    for kind, name, dlon, dlat in PLACES:
        _, made = ContextPlace.objects.get_or_create(
            kind=kind,
            name=name,
            source="demo",
            defaults={"location": Point(CENTER_LON + dlon, CENTER_LAT + dlat, srid=4326)},
        )
        created += made
    return created


def _answers(template: ChecklistTemplate | None, rng: random.Random, worn: bool) -> dict:
    answers = {}
    for item in template.items if template else []:
        kind = item["kind"]
        if kind == "ok_defect":
            answers[item["key"]] = "defect" if worn and rng.random() < 0.3 else "ok"
        elif kind == "number":
            low, high = item.get("min", 0), item.get("max", 10)
            answers[item["key"]] = round(rng.uniform(low, low + (high - low) / 4), 1)
        elif kind == "choice" and item.get("choices"):
            answers[item["key"]] = item["choices"][0]
    return answers


def inspections_install(*, seed: int, assets: int = 240, progress: Progress = silent) -> int:
    """Yearly periodic inspections of playground equipment over five years: most age slowly,
    some get worse fast, repairs bring a few back. Grades that call for action raise faults
    (the services do it); those of past years were repaired since."""
    User = get_user_model()
    inspector = User.objects.filter(username="inspector").first()
    if inspector is None:
        return 0
    rng = random.Random(seed)
    sample = list(
        Asset.objects.filter(
            owner__code="izumo-koen",
            status=Asset.Status.IN_SERVICE,
            asset_type__scale="park",
        )
        .select_related("asset_type")
        .order_by("id")[:assets]
    )
    templates = {t.asset_type_id: t for t in ChecklistTemplate.objects.filter(is_current=True)}
    this_year = timezone.localdate().year
    state = {asset.pk: rng.choice([0, 0, 0, 1]) for asset in sample}
    recorded = 0
    years = range(this_year - YEARS + 1, this_year + 1)
    for year in progress(years, total=len(years), desc="inspections", unit="year"):
        items, found = [], {}
        for asset in sample:
            rank = state[asset.pk]
            if rank >= 2 and rng.random() < 0.6:
                rank = rng.choice([0, 1])  # repaired or replaced
            elif rng.random() < 0.25:
                rank = min(rank + 1, 3)
            state[asset.pk] = rank
            grade = PARK_SCALE[rank]
            template = templates.get(asset.asset_type_id)
            performed = datetime.datetime(year, 6, 1, 9, tzinfo=JST) + datetime.timedelta(
                days=rng.randint(0, 120), minutes=rng.randint(0, 480)
            )
            if year == this_year:
                performed = min(
                    performed, timezone.now() - datetime.timedelta(days=rng.randint(1, 60))
                )
            defects = []
            if rank >= 2:
                kinds = [c.code for c in fault_categories_for_type(asset.asset_type)]
                kind = next((k for k in ("broken-part", "loose-part", "rust") if k in kinds), None)
                if kind:
                    defects.append(
                        {"component": "本体", "kind": kind, "grade": grade, "notes": "要補修"}
                    )
            raw = {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                "asset": asset.pk,
                "kind": "periodic",
                "performed_at": performed.isoformat(),
                "overall_grade": grade,
                "template_version": template.version if template else None,
                "answers": _answers(template, rng, rank >= 1),
                "notes": "",
                "defects": defects,
            }
            items.append(payload.parse_item(raw)[0])
            found[asset.pk] = performed
        results = sync.sync_batch(items=items, inspector=inspector)
        recorded += sum(result.status == "created" for result in results)
        # Faults come in at their inspection; last years' were dealt with within weeks.
        demo_history.backdate_found(found)
        if year < this_year:
            for fault in Report.objects.filter(
                source=Report.Source.INSPECTION,
                status__in=Report.OPEN_STATUSES,
                created_at__lt=datetime.datetime(year + 1, 1, 1, tzinfo=JST),
            ):
                report_services.report_fix(report=fault, note="補修済み", acting_user=policy.SYSTEM)
                fault.refresh_from_db(fields=["created_at"])
                fixed = min(
                    fault.created_at + datetime.timedelta(days=rng.randint(10, 90)),
                    timezone.now() - datetime.timedelta(days=1),
                )
                demo_history.backdate(fault, created=fault.created_at, fixed=fixed)
    return recorded


def resident_reports_install(*, seed: int, count: int = 36) -> int:
    """A morning's queue: reports from stickers and the web in several languages, some seen
    by neighbours too, a few already accepted and given to the contractor."""
    rng = random.Random(seed + 1)
    User = get_user_model()
    staff = User.objects.filter(username="staff").first()
    contractor = Organization.objects.filter(code="izumo-densetsu").first()
    assets = list(
        Asset.objects.filter(status=Asset.Status.IN_SERVICE, asset_type__geometry_kind="point")
        .select_related("asset_type", "owner")
        .order_by("id")
    )
    rng.shuffle(assets)
    made = 0
    for asset in assets:
        if made >= count:
            break
        categories = fault_categories_for_type(asset.asset_type)
        if not categories:
            continue
        category = rng.choice(categories)
        language = rng.choice(RESIDENT_LANGUAGES)
        channel = rng.choice(["qr", "qr", "qr", "web", "staff"])
        report = intake.report_intake(
            channel=channel,
            acting_user=policy.SYSTEM if channel == "staff" else AnonymousUser(),
            category=category,
            language=language,
            asset=asset,
            description=RESIDENT_WORDS[language] if rng.random() < 0.7 else "",
            contact=intake.Contact(
                email=f"resident{made}@example.com" if rng.random() < 0.5 else ""
            ),
        ).report
        made += 1
        # Reported over the last three weeks, so the dashboard has weeks and the queue has
        # faults past their target.
        demo_history.backdate(
            report,
            created=timezone.now()
            - datetime.timedelta(days=rng.uniform(0, 21), hours=rng.uniform(0, 8)),
        )
        report.refresh_from_db()
        for _ in range(rng.choice([0, 0, 0, 1, 3])):
            intake.me_too_intake(report=report, acting_user=AnonymousUser())
        if staff and asset.owner.code == "izumo-doro" and rng.random() < 0.4:
            report_services.report_accept(report=report, acting_user=staff)
            if contractor and rng.random() < 0.6:
                report_services.report_assign(report=report, assignee=contractor, acting_user=staff)
    return made


@transaction.atomic
def demo_work_install(*, seed: int = 1, progress: Progress = silent) -> dict[str, int]:
    history = demo_history.history_install(seed=seed, progress=progress)
    counts = {
        "places": places_install(),
        "inspections": inspections_install(seed=seed, progress=progress) + history["inspections"],
        "works": history["works"],
        "reports": resident_reports_install(seed=seed),
        "priorities": report_services.priorities_refresh(),
    }
    counts["models"] = sum(
        stored.enough for models in forecasting.fit_all().values() for stored in models
    )
    counts["plan"] = demo_plan_install()
    counts["assignments"] = assignments_install()
    return counts


def assignments_install(*, per_inspector: int = 24) -> int:
    """An open assignment for each demo inspector: the assets of their organisation nearest
    the town centre, in a walking order (west to east), due in two weeks, so that the field
    app (/field/) has a day's work to download."""
    manager = get_user_model().objects.filter(username="manager").first()
    if manager is None:
        return 0
    centre = Point(CENTER_LON, CENTER_LAT, srid=4326)
    made = 0
    for username, title in (("inspector", "公園 定期点検"), ("inspector-city", "今市町 定期点検")):
        inspector = get_user_model().objects.filter(username=username).first()
        if inspector is None:
            continue
        scope = inspections_selectors.assets_for_inspector(inspector)
        nearest = sorted(
            scope.filter(status=Asset.Status.IN_SERVICE, geom__dwithin=(centre, 0.02))
            .order_by("id")
            .only("id", "geom")[:2000],
            key=lambda asset: asset.geom.centroid.distance(centre),
        )[:per_inspector]
        if not nearest:
            continue
        route = sorted(nearest, key=lambda asset: asset.geom.centroid.x)
        assignments.assignment_create(
            name=title,
            inspector=inspector,
            assets=[asset.pk for asset in route],
            due_on=timezone.localdate() + datetime.timedelta(days=14),
            acting_user=manager,
        )
        made += 1
    return made


def demo_plan_install() -> int:
    """The city's first long-life plan, from example inputs a manager would then change."""
    city = Organization.objects.filter(code="izumo").first()
    manager = get_user_model().objects.filter(username="manager").first()
    if city is None or manager is None:
        return 0
    settings = plans.settings_of(city)
    plans.inputs_update(
        organisation=city,
        acting_user=manager,
        first_year=settings.first_year,
        horizon=10,
        budget=40_000_000,
        levelling=10_000_000,
    )
    return plans.plan_make(organisation=city, acting_user=manager).works.count()


def demo_work_exists() -> bool:
    return Inspection.objects.exists() or Report.objects.exists()
