"""A believable synthetic Izumo for the demo and the benchmarks.

Streets on a slightly irregular grid around central Izumo (35.367 N, 132.755 E): every block
edge is a road segment lit by security lights (local streets) or streetlights (main roads);
some blocks are parks with playground equipment. Owners are split between the city's
sections, the prefecture's road office and neighbourhood associations, and conditions spread
over the grades with age. The same seed always gives the same city.

Rows are generated lazily and written in batches with COPY (PostGIS) or executemany
(SpatiaLite), so a million assets take about a minute and little memory.
"""

import itertools
import math

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Organization
from assets.models import Asset, AssetType
from config.progress import Progress, silent
from demo.streets import (
    ASSETS_PER_BLOCK,
    ASSOCIATIONS,
    BLOCK_M,
    CENTER_LAT,
    CENTER_LON,
    TOWN_READINGS,
    TOWNS,
    demo_rows,
    lonlat,
)

__all__ = ["CENTER_LAT", "CENTER_LON"]  # the city's centre, for the demo work and benches


ORGANIZATIONS = [
    # code, name, English name, kind, parent code, contact
    ("izumo", "出雲市", "Izumo City", "city", None, "info@city.izumo.example"),
    (
        "izumo-doro",
        "道路河川維持課",
        "Road and River Maintenance Division",
        "section",
        "izumo",
        "doro@city.izumo.example",
    ),
    (
        "izumo-koen",
        "公園緑地課",
        "Parks and Green Spaces Division",
        "section",
        "izumo",
        "koen@city.izumo.example",
    ),
    (
        "izumo-bosai",
        "防災安全課",
        "Disaster Prevention and Safety Division",
        "section",
        "izumo",
        "bosai@city.izumo.example",
    ),
    (
        "izumo-densetsu",
        "出雲電設株式会社（委託業者）",
        "Izumo Densetsu (contractor)",
        "contractor",
        "izumo-doro",
        "office@densetsu.example",
    ),
    ("shimane", "島根県", "Shimane Prefecture", "prefecture", None, "info@pref.shimane.example"),
    (
        "shimane-izumo-doboku",
        "出雲県土整備事務所",
        "Izumo Prefectural Civil Engineering Office",
        "section",
        "shimane",
        "izumo-doboku@pref.shimane.example",
    ),
]


# Names for readers of the other languages (English is in the rows above); a city enters
# its own in the admin. Residents read them on their receipts ("looked after by").
ORGANIZATION_NAMES = {
    "izumo": {
        "pt-br": "Cidade de Izumo",
        "zh-hans": "出云市",
        "ko": "이즈모시",
        "vi": "Thành phố Izumo",
    },
    "izumo-doro": {
        "pt-br": "Divisão de Manutenção de Estradas e Rios",
        "zh-hans": "道路河川维护科",
        "ko": "도로하천유지과",
        "vi": "Phòng Bảo trì Đường bộ và Sông ngòi",
    },
    "izumo-koen": {
        "pt-br": "Divisão de Parques e Áreas Verdes",
        "zh-hans": "公园绿地科",
        "ko": "공원녹지과",
        "vi": "Phòng Công viên và Cây xanh",
    },
    "izumo-bosai": {
        "pt-br": "Divisão de Prevenção de Desastres e Segurança",
        "zh-hans": "防灾安全科",
        "ko": "방재안전과",
        "vi": "Phòng Phòng chống Thiên tai và An toàn",
    },
    "izumo-densetsu": {
        "pt-br": "Izumo Densetsu (empresa contratada)",
        "zh-hans": "出云电设（承包商）",
        "ko": "이즈모 전설 (위탁업체)",
        "vi": "Izumo Densetsu (nhà thầu)",
    },
    "shimane": {
        "pt-br": "Província de Shimane",
        "zh-hans": "岛根县",
        "ko": "시마네현",
        "vi": "Tỉnh Shimane",
    },
    "shimane-izumo-doboku": {
        "pt-br": "Escritório Provincial de Obras Civis de Izumo",
        "zh-hans": "出云县土整备事务所",
        "ko": "이즈모 현토정비사무소",
        "vi": "Văn phòng Công trình Dân dụng Tỉnh tại Izumo",
    },
    "jichikai-imaichi": {
        "pt-br": "Associação de Moradores de Imaichi-cho",
        "zh-hans": "今市町自治会",
        "ko": "이마이치초 자치회",
        "vi": "Hội dân phố Imaichi-cho",
    },
    "jichikai-enya": {
        "pt-br": "Associação de Moradores de Enya-cho",
        "zh-hans": "盐冶町自治会",
        "ko": "엔야초 자치회",
        "vi": "Hội dân phố Enya-cho",
    },
    "jichikai-otsu": {
        "pt-br": "Associação de Moradores de Otsu-cho",
        "zh-hans": "大津町自治会",
        "ko": "오쓰초 자치회",
        "vi": "Hội dân phố Otsu-cho",
    },
    "jichikai-tenjin": {
        "pt-br": "Associação de Moradores de Tenjin-cho",
        "zh-hans": "天神町自治会",
        "ko": "덴진초 자치회",
        "vi": "Hội dân phố Tenjin-cho",
    },
}


def categories_route() -> None:
    """Who handles reports that name no asset: roads and lights the road section, parks the
    parks section."""
    from assets.models import FaultCategory

    orgs = {o.code: o for o in Organization.objects.filter(code__in=["izumo-doro", "izumo-koen"])}
    for group, code in (("road", "izumo-doro"), ("lighting", "izumo-doro"), ("park", "izumo-koen")):
        FaultCategory.objects.filter(group=group, default_owner__isnull=True).update(
            default_owner=orgs[code]
        )


def organizations_install() -> dict[str, Organization]:
    """The demo's city, sections, prefecture, contractor and associations (idempotent)."""
    result = {}
    for code, name, name_en, kind, parent, email in ORGANIZATIONS:
        result[code], _ = Organization.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "names": ORGANIZATION_NAMES.get(code, {}),
                "kind": kind,
                "parent": result.get(parent),
                "contact_email": email,
                "phone": "0853-21-2211" if parent == "izumo" or code == "izumo" else "",
            },
        )
    for code, name, name_en in ASSOCIATIONS:
        result[code], _ = Organization.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "names": ORGANIZATION_NAMES.get(code, {}),
                "kind": "association",
                "contact_email": f"{code}@jichikai.example",
            },
        )
    return result


def towns_install(*, assets: int) -> int:
    """The towns of the demo city, each centred on the first 6 × 6 blocks that carry its name."""
    from django.contrib.gis.geos import Point

    from assets.models import Town

    side = max(2, math.ceil(math.sqrt(assets / ASSETS_PER_BLOCK)))
    half, regions = side // 2, max(1, math.ceil(side / 6))
    placed = {}
    for a in range(regions):
        for b in range(regions * 4):
            name = TOWNS[(a * 7 + b) % len(TOWNS)]
            if name not in placed:
                placed[name] = lonlat((a * 6 + 3 - half) * BLOCK_M, (b * 6 + 3 - half) * BLOCK_M)
    for name, (lon, lat) in placed.items():
        kana, english = TOWN_READINGS[name]
        Town.objects.update_or_create(
            name=name,
            defaults={
                "name_kana": kana,
                "name_en": english,
                "centre": Point(lon, lat, srid=4326),
                "radius_m": int(BLOCK_M * 6 * 0.75),
            },
        )
    return len(placed)


COLUMNS = (
    "id",
    "asset_type_id",
    "owner_id",
    "parent_id",
    "ledger_id",
    "name",
    "address",
    "geom",
    "attributes",
    "internal_attributes",
    "install_date",
    "status",
    "criticality",
    "condition_grade",
    "condition_rank",
    "last_inspected_on",
    "next_inspection_due",
)


def _insert_postgis(rows, now) -> int:
    table = Asset._meta.db_table
    count = 0
    columns = ", ".join((*COLUMNS, "created_at", "updated_at"))
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3: COPY is ten times faster than INSERT
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                row = list(row)
                row[7] = "SRID=4326;" + row[7]
                copy.write_row((*row, now, now))
                count += 1
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
    return count


def _insert_spatialite(rows, now, batch=5000) -> int:
    table = Asset._meta.db_table
    placeholders = ", ".join(
        "GeomFromText(%s, 4326)" if column == "geom" else "%s" for column in COLUMNS
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(COLUMNS)}, created_at, updated_at) "
        f"VALUES ({placeholders}, %s, %s)"
    )
    count = 0
    with connection.cursor() as cursor:
        while chunk := [(*row, now, now) for row in itertools.islice(rows, batch)]:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


@transaction.atomic
def demo_assets_install(*, assets: int, seed: int, progress: Progress = silent) -> int:
    """Write `assets` synthetic assets after those already there; returns how many."""
    types = {t.code: t for t in AssetType.objects.all()}
    orgs = dict(Organization.objects.values_list("code", "pk"))
    last = Asset.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rows = progress(
        demo_rows(assets=assets, seed=seed, first_id=last + 1, types=types, orgs=orgs),
        total=assets,
        desc="demo assets",
        unit="asset",
    )
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _insert_postgis(rows, now)
    return _insert_spatialite(rows, now)


DEMO_ACCOUNTS = [
    # username, role, organisation, description
    ("admin", None, None, "superuser: /admin/"),
    ("manager", "manager", "izumo", "manager, 出雲市 (all city sections)"),
    ("staff", "section_staff", "izumo-doro", "section staff, 道路河川維持課"),
    ("inspector", "inspector", "izumo-koen", "inspector, 公園緑地課"),
    ("inspector-city", "inspector", "izumo", "inspector, 出雲市 (lights and roads)"),
    ("viewer", "viewer", "izumo", "viewer, 出雲市"),
]


def demo_accounts_install(path) -> list[tuple[str, str, str]]:
    """Demo users with random passwords, remembered in `path` (never in the repository).

    Returns (username, password, description) for each, to be printed.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()
    known = {}
    if path.exists():
        for line in path.read_text().splitlines():
            username, _, password = line.partition(" ")
            known[username] = password
    result = []
    for username, role, org_code, description in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        password = known.get(username)
        if user is None or password is None or not user.check_password(password):
            password = password if user is None and password else _password()
            if user is None:
                user = User(username=username)
            user.is_superuser = user.is_staff = role is None
            user.role = role or ""
            user.organization = Organization.objects.get(code=org_code) if org_code else None
            user.email = f"{username}@demo.machimori.example"
            user.set_password(password)
            user.full_clean()
            user.save()
        known[username] = password
        result.append((username, password, description))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{u} {p}\n" for u, p, _ in result))
    path.chmod(0o600)
    return result


def _password() -> str:
    import secrets

    return "-".join(secrets.token_hex(2) for _ in range(3))
