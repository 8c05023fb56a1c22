"""Small typed field lists: an asset type's attributes and a fault category's extra questions.

A spec is a dict kept in a JSONField so a city can add an attribute without a migration:

    {"key": "wattage", "kind": "integer", "label": {"ja": "消費電力", "en": "Wattage"},
     "unit": "W", "min": 0, "max": 2000, "required": false, "internal": false}

kinds: text, integer, decimal, boolean, date, choice (with "choices": [value | {"value",
"label"}]). `internal` (attributes only) keeps a value away from the public and other
organisations: such values are stored apart from the public ones (Asset.internal_attributes).
`danger_when` (a category's questions only, boolean or choice) lists the answers that say the
fault endangers people: {"key": "danger_now", "kind": "boolean", "danger_when": [true]}.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language

KINDS = ("text", "integer", "decimal", "boolean", "date", "choice")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
_TRUE = {"true", "1", "yes", "y", "on", "はい", "有", "あり", "○", "◯"}
_FALSE = {"false", "0", "no", "n", "off", "いいえ", "無", "なし", "×", "-"}


class FieldErrors(ValueError):
    """Values that do not fit their specs: {key: message}."""

    code = "invalid_attributes"

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in errors.items()))


def label(spec_or_choice: dict, language: str | None = None) -> str:
    """The label in the active language, falling back to English, then Japanese."""
    labels = spec_or_choice.get("label") or {}
    if isinstance(labels, str):
        return labels
    language = (language or get_language() or "ja").lower()
    for candidate in (language, language.split("-")[0], "en", "ja"):
        if labels.get(candidate):
            return labels[candidate]
    return str(spec_or_choice.get("key") or spec_or_choice.get("value") or "")


def choice_values(spec: dict) -> list[str]:
    return [c["value"] if isinstance(c, dict) else c for c in spec.get("choices", [])]


def validate_specs(specs, *, allow_internal: bool) -> list[str]:
    """Problems with a list of specs, as sentences; empty when it is fine."""
    if not isinstance(specs, list):
        return ["must be a list of field definitions"]
    problems = []
    seen = set()
    for index, spec in enumerate(specs, start=1):
        where = f"field {index}"
        if not isinstance(spec, dict):
            problems.append(f"{where}: must be an object")
            continue
        key = spec.get("key")
        if not isinstance(key, str) or not _KEY_RE.match(key):
            problems.append(f"{where}: key must be lower-case letters, digits and _")
        elif key in seen:
            problems.append(f"{where}: key {key!r} is used twice")
        else:
            seen.add(key)
            where = f"field {key!r}"
        kind = spec.get("kind")
        if kind not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        if kind == "choice":
            values = choice_values(spec)
            if not values or not all(isinstance(v, str) and v for v in values):
                problems.append(f"{where}: a choice needs a non-empty list of choices")
            elif len(set(values)) != len(values):
                problems.append(f"{where}: choices repeat")
        if spec.get("internal") and not allow_internal:
            problems.append(f"{where}: 'internal' is only for asset attributes")
        if "danger_when" in spec:
            problems += _danger_when_problems(spec, where, allow_internal)
        unknown = set(spec) - {
            "key",
            "kind",
            "label",
            "unit",
            "required",
            "internal",
            "choices",
            "min",
            "max",
            "help",
            "danger_when",
        }
        if unknown:
            problems.append(f"{where}: unknown settings {', '.join(sorted(unknown))}")
    return problems


def _danger_when_problems(spec: dict, where: str, attributes: bool) -> list[str]:
    if attributes:
        return [f"{where}: 'danger_when' is only for a category's questions"]
    values, kind = spec["danger_when"], spec.get("kind")
    if kind not in ("boolean", "choice"):
        return [f"{where}: 'danger_when' needs a boolean or a choice"]
    if not isinstance(values, list) or not values:
        return [f"{where}: 'danger_when' must be a non-empty list of answers"]
    allowed = [True, False] if kind == "boolean" else choice_values(spec)
    # `True == 1` in Python: a boolean answer must be a JSON true or false, not a number.
    wrong = [v for v in values if not any(v == a and type(v) is type(a) for a in allowed)]
    if wrong:
        return [f"{where}: 'danger_when' holds answers it cannot have: {wrong!r}"]
    return []


def marks_danger(specs: list[dict], answers: dict) -> bool:
    """Whether checked answers (coerce_values) include one a question marks as danger."""
    answers = answers or {}
    return any(
        spec.get("key") in answers and answers[spec["key"]] in spec["danger_when"]
        for spec in specs or []
        if isinstance(spec, dict) and spec.get("danger_when")
    )


def _coerce(spec: dict, value):
    """One value into its kind's JSON form; raises ValueError with a short reason."""
    kind = spec["kind"]
    if isinstance(value, str):
        value = value.strip()
    if kind == "text":
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("must be text")
        value = str(value)
        if len(value) > 2000:
            raise ValueError("is longer than 2000 characters")
        return value
    if kind in ("integer", "decimal"):
        if isinstance(value, bool):
            raise ValueError("must be a number")
        if isinstance(value, str):
            text = value.replace(",", "").replace("，", "")
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValueError("must be a number") from None
        elif isinstance(value, int | float):
            number = Decimal(str(value))
        else:
            raise ValueError("must be a number")
        if not number.is_finite():
            raise ValueError("must be a number")
        if kind == "integer":
            if number != number.to_integral_value():
                raise ValueError("must be a whole number")
            result = int(number)
        else:
            result = float(number)
        if spec.get("min") is not None and result < spec["min"]:
            raise ValueError(f"must be at least {spec['min']}")
        if spec.get("max") is not None and result > spec["max"]:
            raise ValueError(f"must be at most {spec['max']}")
        return result
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in _TRUE:
            return True
        if str(value).strip().lower() in _FALSE:
            return False
        raise ValueError("must be yes or no")
    if kind == "date":
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).replace("/", "-")).isoformat()
        except ValueError:
            raise ValueError("must be a date (YYYY-MM-DD)") from None
    if kind == "choice":
        allowed = choice_values(spec)
        if value in allowed:
            return value
        # Accept a choice's label too: ledgers often hold "LED" where the value is "led".
        for choice in spec.get("choices", []):
            if isinstance(choice, dict) and value in (choice.get("label") or {}).values():
                return choice["value"]
        raise ValueError(f"must be one of {', '.join(allowed)}")
    raise ValueError(f"unknown kind {kind!r}")


def coerce_values(specs: list[dict], data: dict, *, require: bool = True) -> dict:
    """Check and convert `data` against `specs`; raise FieldErrors listing every problem."""
    if not isinstance(data, dict):
        raise FieldErrors({"__all__": "must be an object"})
    by_key = {spec["key"]: spec for spec in specs}
    errors, result = {}, {}
    for key, value in data.items():
        spec = by_key.get(key)
        if spec is None:
            errors[key] = "is not an attribute of this type"
            continue
        if value is None or value == "":
            continue
        try:
            result[key] = _coerce(spec, value)
        except ValueError as exc:
            errors[key] = str(exc)
    if require:
        for key, spec in by_key.items():
            if spec.get("required") and key not in result and key not in errors:
                errors[key] = "is required"
    if errors:
        raise FieldErrors(errors)
    return result


def split_internal(specs: list[dict], values: dict) -> tuple[dict, dict]:
    """Split checked values into (public, internal) by each spec's `internal` flag."""
    internal_keys = {spec["key"] for spec in specs if spec.get("internal")}
    public = {k: v for k, v in values.items() if k not in internal_keys}
    internal = {k: v for k, v in values.items() if k in internal_keys}
    return public, internal
