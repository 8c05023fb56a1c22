"""The streets of the synthetic Izumo: blocks on a slightly irregular grid, their road
segments, security lights and streetlights, parks with their fixtures, each with an age
and a condition. A generator of plain rows (demo/city.py writes them)."""

import datetime
import itertools
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from assets.models import Asset, AssetType

CENTER_LON, CENTER_LAT = 132.7550, 35.3670
BLOCK_M = 120.0  # street spacing
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(CENTER_LAT))
ASSETS_PER_BLOCK = 8.6  # measured from the generator; sizes the grid for a wanted total

TOWNS = [
    "今市町",
    "塩冶町",
    "大津町",
    "渡橋町",
    "高岡町",
    "天神町",
    "姫原町",
    "白枝町",
    "荻杼町",
    "古志町",
    "下古志町",
    "知井宮町",
    "神西沖町",
    "小山町",
    "矢野町",
    "高西",
    "武志町",
    "上塩冶町",
    "中野町",
    "稗原町",
    "朝山町",
    "松寄下町",
    "四絡",
    "八島町",
    "浜町",
]
TOWN_READINGS = {
    "今市町": ("いまいちちょう", "Imaichi-cho"),
    "塩冶町": ("えんやちょう", "Enya-cho"),
    "大津町": ("おおつちょう", "Otsu-cho"),
    "渡橋町": ("わたりはしちょう", "Watarihashi-cho"),
    "高岡町": ("たかおかちょう", "Takaoka-cho"),
    "天神町": ("てんじんちょう", "Tenjin-cho"),
    "姫原町": ("ひめばらちょう", "Himebara-cho"),
    "白枝町": ("しろえだちょう", "Shiroeda-cho"),
    "荻杼町": ("おぎとちょう", "Ogito-cho"),
    "古志町": ("こしちょう", "Koshi-cho"),
    "下古志町": ("しもこしちょう", "Shimokoshi-cho"),
    "知井宮町": ("ちいみやちょう", "Chiimiya-cho"),
    "神西沖町": ("じんざいおきちょう", "Jinzaioki-cho"),
    "小山町": ("こやまちょう", "Koyama-cho"),
    "矢野町": ("やのちょう", "Yano-cho"),
    "高西": ("たかにし", "Takanishi"),
    "武志町": ("たけしちょう", "Takeshi-cho"),
    "上塩冶町": ("かみえんやちょう", "Kamienya-cho"),
    "中野町": ("なかのちょう", "Nakano-cho"),
    "稗原町": ("ひえばらちょう", "Hiebara-cho"),
    "朝山町": ("あさやまちょう", "Asayama-cho"),
    "松寄下町": ("まつよりしもちょう", "Matsuyorishimo-cho"),
    "四絡": ("よつがね", "Yotsugane"),
    "八島町": ("やしまちょう", "Yashima-cho"),
    "浜町": ("はまちょう", "Hama-cho"),
}
ASSOCIATIONS = [
    ("jichikai-imaichi", "今市町自治会", "Imaichi-cho Neighbourhood Association"),
    ("jichikai-enya", "塩冶町自治会", "Enya-cho Neighbourhood Association"),
    ("jichikai-otsu", "大津町自治会", "Otsu-cho Neighbourhood Association"),
    ("jichikai-tenjin", "天神町自治会", "Tenjin-cho Neighbourhood Association"),
]
SUPPLIERS = ["出雲電設株式会社", "山陰照明工業", "島根設備サービス", "斐川電気工事"]
PLAY_MAKERS = ["日都産業", "コトブキ", "ジャクエツ", "タカオ"]
FIXTURE_CHOICES = [
    "swing",
    "slide",
    "climbing-frame",
    "horizontal-bar",
    "seesaw",
    "sandbox",
    "combination-play",
    "bench",
    "bench",
    "toilet",
    "drinking-fountain",
    "park-light",
    "park-light",
]


@dataclass
class _Context:
    rng: random.Random
    types: dict[str, AssetType]
    orgs: dict[str, int]
    today: datetime.date
    next_id: int


def lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    return (
        round(CENTER_LON + x_m / _M_PER_DEG_LON, 7),
        round(CENTER_LAT + y_m / _M_PER_DEG_LAT, 7),
    )


def _point(x, y) -> str:
    lon, lat = lonlat(x, y)
    return f"POINT({lon} {lat})"


def _line(points) -> str:
    return "LINESTRING(" + ",".join("{} {}".format(*lonlat(x, y)) for x, y in points) + ")"


def _polygon(x0, y0, x1, y1) -> str:
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    return "POLYGON((" + ",".join("{} {}".format(*lonlat(x, y)) for x, y in ring) + "))"


def _condition(ctx: _Context, asset_type: AssetType, install: datetime.date):
    """A grade that worsens with age, a last inspection and the next due date."""
    rng, cycle = ctx.rng, asset_type.inspection_cycle_months
    if not cycle or rng.random() < 0.08:  # never inspected yet
        return "", None, None, None
    age = (ctx.today - install).days / 365.25
    weights = [max(0.05, 1.0 - age / 25), 0.5, min(0.6, age / 40), min(0.25, age / 120)]
    grades = asset_type.grading_scale.grades
    grade = rng.choices(grades, weights=weights)[0]
    # Most assets are within their cycle; about one in eight is overdue.
    months_ago = (
        rng.randint(0, cycle - 1) if rng.random() > 0.12 else rng.randint(cycle, cycle + 18)
    )
    inspected = max(ctx.today - relativedelta(months=months_ago, days=rng.randint(0, 27)), install)
    return grade.code, grade.rank, inspected, inspected + relativedelta(months=cycle)


def _row(
    ctx: _Context,
    type_code: str,
    owner: str,
    geom: str,
    *,
    prefix: str,
    name="",
    address="",
    attributes=None,
    internal=None,
    parent=None,
    retired=False,
):
    asset_type = ctx.types[type_code]
    rng = ctx.rng
    install = datetime.date(rng.randint(1985, ctx.today.year - 1), rng.randint(1, 12), 1)
    grade, rank, inspected, due = _condition(ctx, asset_type, install)
    row = (
        ctx.next_id,
        asset_type.pk,
        ctx.orgs[owner],
        parent,
        f"{prefix}-{ctx.next_id:07d}",
        name,
        address,
        geom,
        json.dumps(attributes or {}, ensure_ascii=False),
        json.dumps(internal or {}, ensure_ascii=False),
        install,
        Asset.Status.RETIRED if retired else Asset.Status.IN_SERVICE,
        asset_type.default_criticality if rng.random() > 0.2 else rng.randint(1, 5),
        grade,
        rank,
        inspected,
        due,
    )
    ctx.next_id += 1
    return row


def _light_attributes(rng, *, street: bool):
    attributes = {
        "lamp_type": rng.choices(
            ["led", "fluorescent", "mercury", "sodium"],
            weights=[80, 12, 3, 5] if not street else [60, 0, 15, 25],
        )[0],
        "wattage": rng.choice([10, 15, 20, 30]) if not street else rng.choice([60, 100, 150, 250]),
        "pole_material": rng.choices(
            ["utility_pole", "steel", "concrete", "aluminium"],
            weights=[50, 35, 10, 5] if not street else [5, 70, 15, 10],
        )[0],
        "pole_height_m": round(rng.uniform(4, 6) if not street else rng.uniform(8, 12), 1),
    }
    internal = {
        "procurement_cost": rng.randrange(30_000, 90_000, 1000)
        if not street
        else rng.randrange(250_000, 600_000, 5000),
        "supplier": rng.choice(SUPPLIERS),
    }
    return attributes, internal


def _block_rows(ctx: _Context, i: int, j: int, half: int) -> Iterator[tuple]:
    rng = ctx.rng
    x0, y0 = (i - half) * BLOCK_M, (j - half) * BLOCK_M
    town = TOWNS[((i // 6) * 7 + (j // 6)) % len(TOWNS)]
    chome = (i % 6) // 2 + 1
    association = ASSOCIATIONS[((i // 4) + (j // 4)) % len(ASSOCIATIONS)]
    for horizontal in (True, False):
        line_index = j if horizontal else i
        main = line_index % 5 == 0
        prefectural = line_index % 10 == 0
        road_owner = "shimane-izumo-doboku" if prefectural else "izumo-doro"
        route = (
            f"県道{200 + line_index % 97}号線"
            if prefectural
            else f"市道{town}{'幹' if main else ''}{line_index % 50 + 1}号線"
        )

        def at(t, offset=0.0, horizontal=horizontal):
            # A point t metres along this block edge, `offset` metres beside it.
            return (x0 + t, y0 + offset) if horizontal else (x0 + offset, y0 + t)

        wiggle = [at(t, rng.uniform(-1.5, 1.5)) for t in (0, 40, 80)] + [at(BLOCK_M)]
        yield _row(
            ctx,
            "road-segment",
            road_owner,
            _line(wiggle),
            prefix="RD",
            address=route,
            attributes={
                "road_class": "prefectural" if prefectural else "city",
                "route_name": route,
                "width_m": round(rng.uniform(9, 14) if main else rng.uniform(4, 7), 1),
                "lanes": 2 if main else rng.choice([0, 1, 2]),
                "pavement": "asphalt" if main or rng.random() > 0.08 else "concrete",
            },
            internal={"procurement_cost": rng.randrange(2_000_000, 9_000_000, 10_000)},
        )
        for t in (15.0, 50.0, 85.0):
            position = at(t + rng.uniform(-4, 4), 6.0 if rng.random() > 0.5 else -6.0)
            address = f"{town}{chome}丁目{int(t) // 10 + (i % 2) * 10 + 1}"
            attributes, internal = _light_attributes(rng, street=main)
            if main:
                yield _row(
                    ctx,
                    "streetlight",
                    road_owner,
                    _point(*position),
                    prefix="GL",
                    address=address,
                    attributes={**attributes, "route_name": route},
                    internal=internal,
                    retired=rng.random() < 0.01,
                )
            else:
                owned_by_association = rng.random() < 0.4
                owner = association[0] if owned_by_association else "izumo-bosai"
                if owned_by_association:
                    attributes["association"] = association[1]
                yield _row(
                    ctx,
                    "security-light",
                    owner,
                    _point(*position),
                    prefix="BH",
                    address=address,
                    attributes=attributes,
                    internal=internal,
                    retired=rng.random() < 0.01,
                )
    if (i * 7 + j * 13) % 11 == 0:
        yield from _park_rows(ctx, x0, y0, town, chome)


def _park_rows(ctx: _Context, x0: float, y0: float, town: str, chome: int) -> Iterator[tuple]:
    rng = ctx.rng
    width, height = rng.uniform(40, 90), rng.uniform(40, 90)
    px, py = x0 + 15 + rng.uniform(0, 90 - width), y0 + 15 + rng.uniform(0, 90 - height)
    park_id = ctx.next_id
    name = f"{town}{rng.choice(['', '第二', '中央', 'ふれあい', 'ひまわり', 'さくら'])}公園"
    address = f"{town}{chome}丁目"
    yield _row(
        ctx,
        "park",
        "izumo-koen",
        _polygon(px, py, px + width, py + height),
        prefix="PK",
        name=name,
        address=address,
        attributes={
            "area_m2": round(width * height, 1),
            "park_kind": "block" if width * height < 4000 else "neighbourhood",
            "has_toilet": False,
        },
        internal={"management_contractor": "出雲市シルバー人材センター"},
    )
    kinds = rng.sample(FIXTURE_CHOICES, rng.randint(2, 7))
    for kind in kinds:
        position = (px + rng.uniform(3, width - 3), py + rng.uniform(3, height - 3))
        asset_type = ctx.types[kind]
        if kind == "park-light":
            attributes, internal = _light_attributes(rng, street=False)
        elif asset_type.attribute_schema and asset_type.attribute_schema[0]["key"] == "material":
            attributes = {"material": rng.choice(["steel", "wood", "concrete"])}
            internal = {"procurement_cost": rng.randrange(50_000, 3_000_000, 10_000)}
            if kind not in ("bench", "drinking-fountain"):
                attributes.update(
                    manufacturer=rng.choice(PLAY_MAKERS),
                    age_group=rng.choice(["3-6", "6-12", "all"]),
                    sp_mark=rng.random() > 0.3,
                )
        else:
            accessible = rng.random() > 0.4
            attributes, internal = (
                {
                    "wheelchair": accessible,
                    "baby_changing": rng.random() > 0.5,
                    "ostomate": accessible and rng.random() > 0.5,
                    "male_wc": rng.randint(1, 3),
                    "female_wc": rng.randint(1, 3),
                    "unisex_wc": rng.randint(0, 1),
                    "barrier_free_wc": int(accessible),
                },
                {},
            )
        label = asset_type.name_ja
        yield _row(
            ctx,
            kind,
            "izumo-koen",
            _point(*position),
            prefix="PF",
            name=f"{name} {label}",
            address=address,
            attributes=attributes,
            internal=internal,
            parent=park_id,
        )
    fence = [(px, py), (px + width, py)]
    yield _row(
        ctx,
        "fence",
        "izumo-koen",
        _line(fence),
        prefix="PF",
        name=f"{name} フェンス",
        address=address,
        attributes={"material": "steel"},
        parent=park_id,
    )


def demo_rows(*, assets: int, seed: int, first_id: int, types, orgs) -> Iterator[tuple]:
    """Exactly `assets` rows (ids from first_id), block by block from the south-west."""
    side = max(2, math.ceil(math.sqrt(assets / ASSETS_PER_BLOCK)))
    ctx = _Context(random.Random(seed), types, orgs, datetime.date(2026, 4, 1), first_id)
    blocks = ((i, j) for j in range(side * 4) for i in range(side))
    rows = itertools.chain.from_iterable(_block_rows(ctx, i, j, side // 2) for i, j in blocks)
    # A fixture always follows its park in the stream, so any cut keeps parents valid.
    return itertools.islice(rows, assets)
