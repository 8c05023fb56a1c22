"""A report's values as a reader says them, in the active language: a distance ("350 m",
"1.2 km", "7,559 km") and the answers to a category's extra questions ("いつからですか:
今日"), never the codes they are stored as. Screens, e-mails and exports share these; the
words for a report's status, category and organisations in bulk are reports/labels.py's."""

from django.utils import formats
from django.utils.translation import gettext as _

from assets import fieldspecs


def distance(value) -> str:
    """Metres (a number, or a GeoDjango Distance) in words: metres below a kilometre,
    kilometres with one decimal below ten, whole kilometres with grouping above."""
    if value is None or value == "":
        return ""
    metres = float(getattr(value, "m", value))
    if abs(metres) < 999.5:
        return f"{formats.number_format(round(metres), 0)} m"
    kilometres = metres / 1000
    places = 1 if abs(kilometres) < 9.95 else 0
    number = formats.number_format(round(kilometres, places), places, force_grouping=True)
    return f"{number} km"  # SI units read the same in every language


def _answer(spec: dict, value) -> str:
    kind = spec.get("kind")
    if kind == "boolean" and isinstance(value, bool):
        return _("Yes") if value else _("No")
    if kind == "choice":
        for choice in spec.get("choices", []):
            if isinstance(choice, dict) and choice.get("value") == value:
                return fieldspecs.label(choice)
    if kind in ("integer", "decimal") and isinstance(value, int | float):
        number = formats.number_format(value, force_grouping=True)
        return f"{number} {spec['unit']}" if spec.get("unit") else number
    return str(value)


def answers(questions: list, values: dict) -> list[tuple[str, str]]:
    """(question, answer) in words, in the order the category asks them; an answer to a
    question the category no longer asks keeps its key, as nothing else names it."""
    values = values or {}
    specs = [spec for spec in questions or [] if isinstance(spec, dict) and "key" in spec]
    lines = [
        (fieldspecs.label(spec), _answer(spec, values[spec["key"]]))
        for spec in specs
        if spec["key"] in values and values[spec["key"]] not in (None, "")
    ]
    asked = {spec["key"] for spec in specs}
    lines += [(key, str(value)) for key, value in values.items() if key not in asked]
    return lines
