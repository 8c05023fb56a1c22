"""The codes of inspection records in words, in the reader's language: a grade with its
name ("C 劣化（補修・更新が必要）"), a defect's kind by its fault category's name, its part by
the checklist's label when the tablet sent the item's key."""

from django.utils.translation import get_language

from assets.models import AssetType
from web_admin.inspection_charts import grade_info


def grade_words(asset_type: AssetType | None, code) -> str:
    """The grade's code and name; a code the scale does not know stays as it was sent."""
    if not isinstance(code, str) or not code:
        return ""
    if asset_type is None:
        return code
    return grade_info(asset_type, code).label


def component_words(items, component) -> str:
    """A part as the checklist names it, when `component` is one of its item keys."""
    text = "" if component is None else str(component)
    language = "ja" if (get_language() or "ja").startswith("ja") else "en"
    for item in items or ():
        if isinstance(item, dict) and item.get("key") == text:
            names = item.get("component")
            if isinstance(names, dict):
                return names.get(language) or names.get("ja") or text
    return text


def defect_words(defect: dict, *, asset_type, categories: dict, items=()) -> str:
    """ "本体 · 部品の破損 · C 劣化（補修・更新が必要）": the part, what is wrong, its grade."""
    kind = defect.get("kind")
    category = categories.get(kind) if isinstance(kind, str) else None
    parts = [
        component_words(items, defect.get("component")),
        category.name if category is not None else ("" if kind is None else str(kind)),
        grade_words(asset_type, defect.get("grade")),
    ]
    return " · ".join(part for part in parts if part)
