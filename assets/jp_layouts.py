"""Assets in Japan's standard open-data layouts (自治体標準オープンデータセット, デジタル庁).

Each layout is a fixed list of columns, spelled exactly as the Digital Agency's definition
(a portal validates files by their header). Where the registry holds no value for a column
(a reading in kana, an English name), the cell is left empty, as the layout allows.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import QuerySet

from assets.models import Asset, AssetType, Town
from config import city

# デジタル庁 自治体標準オープンデータセット（正式版） 13. 公衆トイレ一覧: 39 columns.
PUBLIC_TOILET_COLUMNS = (
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "名称",
    "名称_カナ",
    "名称_英語",
    "所在地_全国地方公共団体コード",
    "町字ID",
    "所在地_連結表記",
    "所在地_都道府県",
    "所在地_市区町村",
    "所在地_町字",
    "所在地_番地以下",
    "建物名等(方書)",
    "設置位置",
    "緯度",
    "経度",
    "高度の種別",
    "高度の値",
    "男性トイレ総数",
    "男性トイレ数（小便器）",
    "男性トイレ数（和式）",
    "男性トイレ数（洋式）",
    "女性トイレ総数",
    "女性トイレ数（和式）",
    "女性トイレ数（洋式）",
    "男女共用トイレ総数",
    "男女共用トイレ数（和式）",
    "男女共用トイレ数（洋式）",
    "バリアフリートイレ数",
    "車椅子使用者用トイレ有無",
    "乳幼児用設備設置トイレ有無",
    "オストメイト設置トイレ有無",
    "利用開始時間",
    "利用終了時間",
    "利用可能時間特記事項",
    "画像",
    "画像_ライセンス",
    "備考",
)


# 政府CIO 推奨データセット 公共施設一覧 (the older recommended layout, still what many
# cities publish parks in): 24 columns.
PUBLIC_FACILITY_COLUMNS = (
    "都道府県コード又は市区町村コード",
    "NO",
    "都道府県名",
    "市区町村名",
    "名称",
    "名称_カナ",
    "名称_通称",
    "POIコード",
    "住所",
    "方書",
    "緯度",
    "経度",
    "電話番号",
    "内線番号",
    "法人番号",
    "団体名",
    "利用可能曜日",
    "開始時間",
    "終了時間",
    "利用可能日時特記事項",
    "説明",
    "バリアフリー情報",
    "URL",
    "備考",
)


@dataclass(frozen=True)
class _Address:
    full: str
    town: str
    rest: str


def split_address(address: str, towns: list[str], here: city.City | None = None) -> _Address:
    """The whole address (prefecture and city added when missing), its 町字 and the rest; the
    city is `here` (the settings' by default)."""
    here = here or city.current()
    prefecture, city_name = here.prefecture, here.name
    text = address.strip()
    local = text.removeprefix(prefecture).removeprefix(city_name)
    if not text:
        return _Address("", "", "")
    full = prefecture + city_name + local
    town = max((t for t in towns if local.startswith(t)), key=len, default="")
    return _Address(full, town, local[len(town) :].strip() if town else "")


def _yes_no(value) -> str:
    if value is None:
        return ""
    return "有" if value else "無"


def _count(value) -> str:
    return "" if value is None else str(value)


def public_toilet_rows(qs: QuerySet[Asset], here: city.City | None = None) -> Iterator[list[str]]:
    """The header, then one row per toilet of qs (Layout.assets()), as the city `here`
    publishes them (the settings' by default)."""
    here = here or city.current()
    yield list(PUBLIC_TOILET_COLUMNS)
    code = here.local_government_code
    government = here.prefecture + here.name
    towns = list(Town.of(here).values_list("name", flat=True))
    rows = qs.annotate(_point=PointOnSurface("geom")).select_related("parent").order_by("id")
    for asset in rows.iterator(chunk_size=2000):
        attributes = asset.attributes or {}
        address = split_address(asset.address, towns, here)
        point = asset._point
        yield [
            code,
            asset.ledger_id or str(asset.pk),
            government,
            asset.name or (asset.parent.name if asset.parent else ""),
            "",
            "",
            code,
            "",
            address.full,
            here.prefecture if address.full else "",
            here.name if address.full else "",
            address.town,
            address.rest,
            "",
            f"{asset.parent.name}内" if asset.parent and asset.parent.name else "",
            f"{point.y:.7f}" if point else "",
            f"{point.x:.7f}" if point else "",
            "",
            "",
            _count(attributes.get("male_wc")),
            "",
            "",
            "",
            _count(attributes.get("female_wc")),
            "",
            "",
            _count(attributes.get("unisex_wc")),
            "",
            "",
            _count(attributes.get("barrier_free_wc")),
            _yes_no(attributes.get("wheelchair")),
            _yes_no(attributes.get("baby_changing")),
            _yes_no(attributes.get("ostomate")),
            "",
            "",
            attributes.get("hours", ""),
            "",
            "",
            "",
        ]


def _park_kinds() -> dict[str, str]:
    """Japanese names of the park kinds (街区公園 …), from the park type's attributes."""
    park = AssetType.objects.filter(code="park").first()
    return {
        choice["value"]: choice["label"]["ja"]
        for spec in (park.attribute_schema if park else [])
        if spec["key"] == "park_kind"
        for choice in spec.get("choices", [])
    }


def _park_description(kinds: dict[str, str], attributes: dict) -> str:
    parts = [kinds.get(attributes.get("park_kind"), "")]
    if attributes.get("area_m2"):
        parts.append(f"面積 {attributes['area_m2']:,.0f} m²")
    if attributes.get("has_toilet") is not None:
        parts.append("トイレあり" if attributes["has_toilet"] else "トイレなし")
    return "、".join(p for p in parts if p)


def public_facility_rows(qs: QuerySet[Asset], here: city.City | None = None) -> Iterator[list[str]]:
    """The header, then one row per park of qs (Layout.assets()), as the city `here`
    publishes them (the settings' by default)."""
    here = here or city.current()
    yield list(PUBLIC_FACILITY_COLUMNS)
    rows = qs.annotate(_point=PointOnSurface("geom")).select_related("owner").order_by("id")
    towns = list(Town.of(here).values_list("name", flat=True))
    kinds = _park_kinds()
    for asset in rows.iterator(chunk_size=2000):
        point = asset._point
        yield [
            here.local_government_code,
            asset.ledger_id or str(asset.pk),
            here.prefecture,
            here.name,
            asset.name,
            "",
            "",
            "",
            split_address(asset.address, towns, here).full,
            "",
            f"{point.y:.7f}" if point else "",
            f"{point.x:.7f}" if point else "",
            asset.owner.phone,
            "",
            "",
            asset.owner.name,
            "",
            "",
            "",
            "",
            _park_description(kinds, asset.attributes or {}),
            "",
            "",
            "",
        ]


@dataclass(frozen=True)
class Layout:
    code: str  # in URLs: /open-data/jp/<code>.csv
    title: str
    asset_types: tuple[str, ...]
    columns: tuple[str, ...]
    rows: Callable[..., Iterator[list[str]]]  # (assets, here=city) -> the header and rows

    def assets(self) -> QuerySet[Asset]:
        """The assets this layout publishes: those of its types in service."""
        return Asset.objects.filter(
            asset_type__code__in=self.asset_types, status=Asset.Status.IN_SERVICE
        )


LAYOUTS = {
    "public-toilets": Layout(
        "public-toilets",
        "公衆トイレ一覧（自治体標準オープンデータセット 13）",
        ("toilet",),
        PUBLIC_TOILET_COLUMNS,
        public_toilet_rows,
    ),
    "parks": Layout(
        "parks",
        "公共施設一覧：公園（推奨データセット 公共施設一覧）",
        ("park",),
        PUBLIC_FACILITY_COLUMNS,
        public_facility_rows,
    ),
}
