"""A saved plan as files: CSV, Excel laid out as a 長寿命化修繕計画 table (the inputs on a
first sheet, then asset, ledger id, location, grade now, action, fiscal year and cost with
the totals per fiscal year), and GeoJSON for its map. Column names are Japanese, as the
city's own tables are; action names in Japanese beside their codes."""

import io
import itertools

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from assets import csvfiles
from planning import selectors
from planning.models import Action, Policy, SavedPlan

ACTION_JA = {"preventive": "予防保全", "repair": "補修", "renewal": "更新"}
POLICY_JA = {
    Policy.PREVENTIVE_II: "予防保全（II/B 段階から）",
    Policy.PREVENTIVE_III: "予防保全（III/C 段階から）",
    Policy.REACTIVE: "事後保全（IV/D 段階で更新）",
}
HEADER = ["年度", "施設種別", "台帳番号", "名称・所在地", "緯度", "経度", "現在の健全度",
          "実施時の想定健全度", "措置", "措置コード", "概算費用（円）"]  # fmt: skip


def _rows(saved: SavedPlan):
    for work in selectors.planned_works(saved).iterator(chunk_size=2000):
        asset = work.asset
        point = asset.geom.point_on_surface
        yield [
            work.fiscal_year,
            asset.asset_type.name_ja,
            asset.ledger_id,
            asset.address or asset.name,
            round(point.y, 6),
            round(point.x, 6),
            work.grade_now,
            work.grade_then,
            ACTION_JA.get(work.action, work.action),
            work.action,
            work.cost_yen,
        ]


def csv_chunks(saved: SavedPlan):
    """The plan's works, one row each, in fiscal year order (UTF-8 with a BOM for Excel)."""
    yield from csvfiles.csv_chunks(itertools.chain([HEADER], _rows(saved)), bom=True)


def _inputs_sheet(sheet, saved: SavedPlan) -> None:
    inputs = saved.inputs
    sheet.title = "入力条件"
    sheet.append(["長寿命化修繕計画（案）", saved.organisation.name])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    made_by = saved.made_by.get_username() if saved.made_by else "system"
    for label, value in (
        ("作成日時", saved.made_at.strftime("%Y-%m-%d %H:%M")),
        ("作成者", made_by),
        ("計画期間", f"{inputs['first_year']}年度から{inputs['horizon']}年間"),
        ("方針", POLICY_JA.get(inputs["policy"], inputs["policy"])),
        ("平準化の上限（前年度との差、円）", inputs.get("levelling") or "なし"),
        ("比較する予算水準（円／年）", inputs.get("second_budget")),
        ("計画の可否", "作成できました" if saved.feasible else f"作成できません：{saved.why_not}"),
    ):
        sheet.append([label, value])
    sheet.append([])
    sheet.append(["年度", "予算（円）"])
    for index, budget in enumerate(inputs["budgets"]):
        sheet.append([inputs["first_year"] + index, budget])
    sheet.append([])
    sheet.append(["単価（円）", "措置", "金額"])
    for key, yen in sorted(inputs.get("unit_costs", {}).items()):
        code, action = key.rsplit(" ", 1)
        sheet.append([code, ACTION_JA.get(action, action), yen])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 40


def workbook(saved: SavedPlan) -> bytes:
    """The inputs on a first sheet; the works on a second with each fiscal year's total
    after its rows; the totals per fiscal year and action on a third."""
    book = Workbook(write_only=False)
    _inputs_sheet(book.active, saved)
    works = book.create_sheet("長寿命化修繕計画")
    works.append(HEADER)
    for cell in works[1]:
        cell.font = Font(bold=True)
    year, total = None, 0
    for row in _rows(saved):
        if year is not None and row[0] != year:
            works.append([f"{year}年度 計", *[None] * 9, total])
            works.cell(works.max_row, 1).font = Font(bold=True)
            total = 0
        year = row[0]
        works.append(row)
        total += row[-1]
    if year is not None:
        works.append([f"{year}年度 計", *[None] * 9, total])
        works.cell(works.max_row, 1).font = Font(bold=True)
    for column, width in enumerate([10, 16, 14, 28, 11, 11, 12, 16, 10, 12, 16], start=1):
        works.column_dimensions[get_column_letter(column)].width = width
    works.freeze_panes = "A2"
    years = book.create_sheet("年度別集計")
    years.append(["年度", *[ACTION_JA[a] + "（件）" for a in Action.values],
                  *[ACTION_JA[a] + "（円）" for a in Action.values], "合計（件）", "合計（円）",
                  "予算（円）"])  # fmt: skip
    for row in selectors.plan_years(saved):
        years.append(
            [
                row["year"],
                *[a["count"] for a in row["actions"]],
                *[a["cost"] for a in row["actions"]],
                row["count"],
                row["cost"],
                row["budget"],
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def geojson(saved: SavedPlan, *, limit: int = 50_000) -> dict:
    """The works as points for the plan's map (at most `limit`, the earliest years first)."""
    features = []
    for work in selectors.planned_works(saved)[:limit]:
        point = work.asset.geom.point_on_surface
        features.append(
            {
                "type": "Feature",
                "id": work.asset_id,
                "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
                "properties": {
                    "asset": work.asset_id,
                    "ledger_id": work.asset.ledger_id,
                    "fiscal_year": work.fiscal_year,
                    "action": work.action,
                    "cost_yen": work.cost_yen,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
