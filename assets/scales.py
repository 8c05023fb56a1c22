"""Grading scales: how an inspector grades an asset's condition.

Defined in code, not in the database: the meaning of "III" must not drift while years of
inspections refer to it. Each asset type names one scale; `inspections` imports this module.
"""

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Grade:
    code: str
    rank: int  # 1 is the best condition; higher is worse
    name_ja: str
    name_en: str
    definition_ja: str
    definition_en: str
    calls_for_action: bool  # a fault is raised for repair
    urgent: bool = False

    @property
    def name(self) -> str:
        return self.name_ja if (get_language() or "ja").startswith("ja") else self.name_en

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "rank": self.rank,
            "name_ja": self.name_ja,
            "name_en": self.name_en,
            "definition_ja": self.definition_ja,
            "definition_en": self.definition_en,
            "calls_for_action": self.calls_for_action,
            "urgent": self.urgent,
        }


class UnknownGrade(ValueError):
    code = "unknown_grade"


@dataclass(frozen=True)
class Scale:
    code: str
    name_ja: str
    name_en: str
    source: str
    grades: tuple[Grade, ...]

    def grade(self, code: str) -> Grade:
        for grade in self.grades:
            if grade.code == code:
                return grade
        raise UnknownGrade(f"{code!r} is not a grade of the {self.name_en} scale")

    def codes(self) -> list[str]:
        return [grade.code for grade in self.grades]

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name_ja": self.name_ja,
            "name_en": self.name_en,
            "source": self.source,
            "grades": [grade.as_dict() for grade in self.grades],
        }


MLIT = Scale(
    code="mlit",
    name_ja="健全性の診断区分（I〜IV）",
    name_en="MLIT soundness (I–IV)",
    source="国土交通省 道路附属物等定期点検要領",
    grades=(
        Grade(
            "I",
            1,
            "健全",
            "Sound",
            "構造物の機能に支障が生じていない状態。",
            "The structure's function is not impaired.",
            calls_for_action=False,
        ),
        Grade(
            "II",
            2,
            "予防保全段階",
            "Preventive maintenance",
            "構造物の機能に支障が生じていないが、予防保全の観点から措置を講ずることが望ましい状態。",
            "Function not impaired, but preventive action is desirable.",
            calls_for_action=False,
        ),
        Grade(
            "III",
            3,
            "早期措置段階",
            "Early action",
            "構造物の機能に支障が生じる可能性があり、早期に措置を講ずべき状態。",
            "Function may become impaired; act early.",
            calls_for_action=True,
        ),
        Grade(
            "IV",
            4,
            "緊急措置段階",
            "Urgent action",
            "構造物の機能に支障が生じている、又は生じる可能性が著しく高く、緊急に措置を講ずべき状態。",
            "Function impaired or very likely to be; act urgently.",
            calls_for_action=True,
            urgent=True,
        ),
    ),
)

PARK = Scale(
    code="park",
    name_ja="公園施設の健全度（A〜D）",
    name_en="Park facility soundness (A–D)",
    source="国土交通省 公園施設長寿命化計画策定指針",
    grades=(
        Grade(
            "A",
            1,
            "健全",
            "Sound",
            "全体的に健全である。",
            "Sound overall.",
            calls_for_action=False,
        ),
        Grade(
            "B",
            2,
            "部分的な劣化（経過観察）",
            "Partly deteriorating (watch)",
            "全体的に健全だが、部分的に劣化が進行している。経過観察する。",
            "Sound overall, but parts are deteriorating; keep watching.",
            calls_for_action=False,
        ),
        Grade(
            "C",
            3,
            "劣化（補修・更新が必要）",
            "Deteriorating (repair needed)",
            "全体的に劣化が進行しており、部分的な補修又は更新が必要である。",
            "Deteriorating overall; partial repair or renewal is needed.",
            calls_for_action=True,
        ),
        Grade(
            "D",
            4,
            "著しい劣化（使用禁止・緊急対応）",
            "Marked deterioration (close now)",
            "著しい劣化があり、使用禁止又は緊急の補修・更新が必要である。",
            "Marked deterioration; close it or renew it urgently.",
            calls_for_action=True,
            urgent=True,
        ),
    ),
)

PAVEMENT = Scale(
    code="pavement",
    name_ja="舗装の診断区分（I・II・III-1・III-2）",
    name_en="Pavement condition (I, II, III-1, III-2)",
    source="国土交通省 舗装点検要領",
    grades=(
        Grade(
            "I",
            1,
            "健全",
            "Sound",
            "損傷レベル小：管理基準に照らし、劣化の程度が小さく、舗装表面が健全な状態。",
            "Little damage; the surface is sound.",
            calls_for_action=False,
        ),
        Grade(
            "II",
            2,
            "表層機能保持段階",
            "Keep the surface functioning",
            "損傷レベル中：管理基準に照らし、劣化の程度が中程度である状態。",
            "Moderate damage; keep the surface functioning.",
            calls_for_action=False,
        ),
        Grade(
            "III-1",
            3,
            "表層等修繕段階",
            "Surface repair",
            "損傷レベル大：表層の供用年数が使用目標年数を下回る、又は表層等の修繕が必要な状態。",
            "Heavy damage; the surface course needs repair.",
            calls_for_action=True,
        ),
        Grade(
            "III-2",
            4,
            "路盤打換等段階",
            "Base course renewal",
            "損傷レベル大：路盤以下の層が損傷していると想定され、路盤打換等が必要な状態。",
            "Heavy damage reaching the base course; rebuild it.",
            calls_for_action=True,
            urgent=True,
        ),
    ),
)

SCALES: dict[str, Scale] = {scale.code: scale for scale in (MLIT, PARK, PAVEMENT)}
SCALE_CHOICES = [(scale.code, scale.name_en) for scale in SCALES.values()]


def get_scale(code: str) -> Scale:
    try:
        return SCALES[code]
    except KeyError:
        raise ValueError(f"unknown grading scale {code!r}") from None
