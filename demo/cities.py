"""Seeding for the ten-city benchmark (bench/cities.py): cities of the demo's kind on one
deployment, each a City row with its host name, its organisations, the demo's streets of
assets moved to its own place in Shimane, stickers on its lights and open faults.

The streets come from the demo's generator (demo/streets.py) with the organisation codes it
knows mapped to the city's own organisations, and every coordinate moved so that the grid is
centred on the city; the service area is the grid's extent and a margin. Codes are real
municipalities' 地方公共団体コード, their check digits computed (accounts/cities.py).
"""

import re
from dataclasses import dataclass

from django.contrib.gis.geos import Polygon
from django.db import connection, transaction
from django.utils import timezone

from accounts import city_setup, policy
from accounts.cities import check_digit
from accounts.models import City, Organization, User
from assets.models import Asset, AssetType
from assets.selectors import organization_scope_ids
from assets.services import catalogue_install
from demo.benchmark import faults_install
from demo.city import _insert_postgis, _insert_spatialite  # the demo's own bulk writers
from demo.streets import ASSOCIATIONS, demo_rows
from qr_labels import services as label_services

# slug, name, English name, the code's first five digits, centre (longitude, latitude)
CITIES = [
    ("izumo", "出雲市", "Izumo City", "32203", (132.755, 35.367)),
    ("matsue", "松江市", "Matsue City", "32201", (133.049, 35.468)),
    ("hamada", "浜田市", "Hamada City", "32202", (132.080, 34.899)),
    ("masuda", "益田市", "Masuda City", "32204", (131.843, 34.675)),
    ("oda", "大田市", "Oda City", "32205", (132.500, 35.192)),
    ("yasugi", "安来市", "Yasugi City", "32206", (133.250, 35.431)),
    ("gotsu", "江津市", "Gotsu City", "32207", (132.221, 35.011)),
    ("unnan", "雲南市", "Unnan City", "32209", (132.900, 35.288)),
    ("okuizumo", "奥出雲町", "Okuizumo Town", "32343", (133.003, 35.197)),
    ("tsuwano", "津和野町", "Tsuwano Town", "32501", (131.772, 34.467)),
]
HOST_SUFFIX = "bench.test"
AREA_MARGIN = 0.005  # degrees around the grid's extent
STICKERED = ("security-light",)  # the stickers residents scan most (as bench/scan_http.py)
_PAIR = re.compile(r"(-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)")


@dataclass
class BenchCity:
    row: City
    organisation: Organization
    manager: User
    host: str
    centre: tuple[float, float]
    assets: int
    labels: int
    reports: int
    report_prefix: str  # of its faults' numbers


def city_code(index: int) -> str:
    """The 地方公共団体コード of the index-th bench city, with its check digit."""
    first_five = CITIES[index][3]
    return first_five + check_digit(first_five)


def _extent(rows) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for row in rows:
        for x, y in _PAIR.findall(row[7]):
            xs.append(float(x))
            ys.append(float(y))
    return min(xs), min(ys), max(xs), max(ys)


def _moved(rows, dx: float, dy: float) -> list[tuple]:
    def move(match):
        return f"{float(match[1]) + dx:.7f} {float(match[2]) + dy:.7f}"

    return [(*row[:7], _PAIR.sub(move, row[7]), *row[8:]) for row in rows]


def _organisations(slug: str, name: str, city: City, top: Organization) -> dict[str, int]:
    """The city's sections, its prefectural road office and associations, as the demo
    generator's organisation codes to their ids."""

    def made(code, org_name, kind, parent=None):
        return Organization.objects.create(
            code=f"{slug}-{code}",
            name=org_name,
            kind=kind,
            parent=parent,
            city=city,
            contact_email=f"{code}@{slug}.{HOST_SUFFIX}",
        ).pk

    orgs = {
        "izumo-doro": made("doro", f"{name}道路河川維持課", "section", top),
        "izumo-koen": made("koen", f"{name}公園緑地課", "section", top),
        "izumo-bosai": made("bosai", f"{name}防災安全課", "section", top),
        "shimane-izumo-doboku": made("kendoboku", f"{name}県土整備事務所", "prefecture"),
    }
    for n, (code, association, _english) in enumerate(ASSOCIATIONS):
        orgs[code] = made(f"jichikai-{n + 1}", f"{name}{association}", "association")
    return orgs


@transaction.atomic
def bench_city_install(index: int, *, assets: int, reports: int, seed: int = 7) -> BenchCity:
    """The index-th bench city with `assets` assets (its lights stickered) and `reports` open
    faults; its manager is manager@<slug>.bench.test (no usable password)."""
    slug, name, name_en, _five, (lon, lat) = CITIES[index]
    catalogue_install()
    types = {t.code: t for t in AssetType.objects.all()}
    first_id = (Asset.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    # The generator's owner codes stay in the rows until the city's organisations exist.
    by_code = {code: code for code in _demo_codes()}
    rows = list(
        demo_rows(assets=assets, seed=seed + index, first_id=first_id, types=types, orgs=by_code)
    )
    west, south, east, north = _extent(rows)
    rows = _moved(rows, lon - (west + east) / 2, lat - (south + north) / 2)
    west, south, east, north = _extent(rows)
    area = Polygon.from_bbox(
        (west - AREA_MARGIN, south - AREA_MARGIN, east + AREA_MARGIN, north + AREA_MARGIN)
    )
    host = f"{slug}.{HOST_SUFFIX}"
    plan = city_setup.city_check(
        slug=slug,
        name=name,
        name_en=name_en,
        prefecture="島根県",
        local_government_code=city_code(index),
        public_base_url=f"https://{host}",
        phone=f"0850-{index:02d}-0000",
        manager_email=f"manager@{host}",
        area_text=area.wkt,
    )
    row, organisation, manager = city_setup.city_create(plan=plan)
    orgs = _organisations(slug, name, row, organisation)
    rows = [(*r[:2], orgs[r[2]], *r[3:]) for r in rows]  # the owner, third of COLUMNS
    written = _insert(rows)
    lights = Asset.objects.filter(owner__city=row, asset_type__code__in=STICKERED)
    labels = label_services.labels_issue_missing(assets=lights, acting_user=policy.SYSTEM)
    prefix = f"C{index:02d}-2026-"
    faults = faults_install(
        scope=sorted(organization_scope_ids(organisation)), count=reports, prefix=prefix
    )
    return BenchCity(
        row=row,
        organisation=organisation,
        manager=manager,
        host=host,
        centre=(lon, lat),
        assets=written,
        labels=labels,
        reports=faults,
        report_prefix=prefix,
    )


def _demo_codes() -> list[str]:
    return [
        "izumo-doro",
        "izumo-koen",
        "izumo-bosai",
        "shimane-izumo-doboku",
        *(code for code, _name, _english in ASSOCIATIONS),
    ]


def _insert(rows) -> int:
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _insert_postgis(iter(rows), now)
    return _insert_spatialite(iter(rows), now)
