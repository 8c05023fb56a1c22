"""Reading one inspection record as a tablet sends it (JSON), fast.

A sync batch holds up to a thousand records: DRF's serializers would spend 0.4 ms on each,
more than the database does. This reads the same shape in plain Python; the serializer in
api/tablet/sync.py documents it (with an example per grading scale in
api/tablet/examples.py), and a test keeps the two in step.

A record: `uuid`, `asset`, `kind`, `performed_at` (with its time zone), `overall_grade`
(a code of the asset type's scale), optional `gps` {lat, lon, accuracy}, `template_version`,
`answers`, `notes`, `defects` [{component, kind, grade, measurement, unit, notes}],
`supersedes`, `report`, `assignment` and `pack_cursor`.

`answers` is an object keyed by checklist item `key`. Here it is only checked to be an
object; inspections/checklists.py checks each value against its item in the version named
by `template_version` (needed with answers): `ok_defect` takes "ok", "defect" or "n/a",
`number` a number within the item's min..max, `choice` one of its choices, `text` a string
of at most 1,000 characters. Items left out are unanswered.
"""

import datetime
import math
import re
import uuid

KINDS = ("routine", "periodic", "follow_up", "after_report")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_DEFECTS = 50


def _text(value, limit, errors, key, *, required=False, default=""):
    if value is None:
        if required:
            errors[key] = ["This field is required."]
        return default
    if not isinstance(value, str):
        errors[key] = ["Not a valid string."]
        return default
    if len(value) > limit:
        errors[key] = [f"Ensure this field has no more than {limit} characters."]
    if required and not value.strip():
        errors[key] = ["This field may not be blank."]
    return value


def _number(value, errors, key, *, low=None, high=None, integer=False, required=False):
    if value is None:
        if required:
            errors[key] = ["This field is required."]
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        errors[key] = ["A valid number is required."]
        return None
    if integer and (isinstance(value, float) and not value.is_integer()):
        errors[key] = ["A valid integer is required."]
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        errors[key] = [f"Ensure this value is within {low}..{high}."]
        return None
    return int(value) if integer else float(value)


def _uuid(value, errors, key, *, required=False):
    if value is None:
        if required:
            errors[key] = ["This field is required."]
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        errors[key] = ["Must be a valid UUID."]
        return None


def _moment(value, errors, key):
    if not isinstance(value, str) or not _OFFSET.search(value.strip()):
        errors[key] = ["Datetime with a time zone, e.g. 2026-11-20T10:00:00+09:00."]
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        errors[key] = ["Datetime with a time zone, e.g. 2026-11-20T10:00:00+09:00."]
        return None
    if moment > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1):
        errors[key] = ["is in the future: check the tablet's clock."]
        return None
    return moment


def parse_item(raw) -> tuple[dict | None, dict]:
    """(the record, {}) or (None, field errors)."""
    if not isinstance(raw, dict):
        return None, {"non_field_errors": ["Expected an object."]}
    errors: dict = {}
    item = {
        "uuid": _uuid(raw.get("uuid"), errors, "uuid", required=True),
        "asset": _number(raw.get("asset"), errors, "asset", integer=True, required=True, low=1),
        "kind": raw.get("kind"),
        "performed_at": _moment(raw.get("performed_at"), errors, "performed_at"),
        "overall_grade": _text(raw.get("overall_grade"), 8, errors, "overall_grade", required=True),
        "template_version": _number(
            raw.get("template_version"), errors, "template_version", integer=True, low=1
        ),
        "notes": _text(raw.get("notes"), 4000, errors, "notes"),
        "supersedes": _uuid(raw.get("supersedes"), errors, "supersedes"),
        "report": _text(raw.get("report"), 20, errors, "report", default=None),
        "assignment": _number(raw.get("assignment"), errors, "assignment", integer=True, low=1),
        "pack_cursor": _number(raw.get("pack_cursor"), errors, "pack_cursor", integer=True, low=0),
    }
    if item["kind"] not in KINDS:
        errors["kind"] = [f"Must be one of {', '.join(KINDS)}."]
    answers = raw.get("answers", {})
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        errors["answers"] = ["Expected a dictionary of items."]
        answers = {}
    item["answers"] = answers
    gps = raw.get("gps")
    if gps is not None:
        if not isinstance(gps, dict):
            errors["gps"] = ["Expected an object with lat, lon and accuracy."]
            gps = None
        else:
            gps_errors: dict = {}
            gps = {
                "lat": _number(gps.get("lat"), gps_errors, "lat", low=-90, high=90, required=True),
                "lon": _number(
                    gps.get("lon"), gps_errors, "lon", low=-180, high=180, required=True
                ),
                "accuracy": _number(gps.get("accuracy"), gps_errors, "accuracy", low=0),
            }
            if gps_errors:
                errors["gps"] = gps_errors
    item["gps"] = gps
    defects = raw.get("defects", [])
    if defects is None:
        defects = []
    if not isinstance(defects, list) or len(defects) > MAX_DEFECTS:
        errors["defects"] = [f"Expected a list of at most {MAX_DEFECTS} defects."]
        defects = []
    parsed = []
    for index, defect in enumerate(defects):
        defect_errors: dict = {}
        if not isinstance(defect, dict):
            errors[f"defects.{index}"] = ["Expected an object."]
            continue
        kind = _text(defect.get("kind"), 60, defect_errors, "kind", required=True)
        if kind and not _SLUG.match(kind):
            defect_errors["kind"] = ["Enter a valid slug."]
        parsed.append(
            {
                "component": _text(defect.get("component"), 100, defect_errors, "component"),
                "kind": kind,
                "grade": _text(defect.get("grade"), 8, defect_errors, "grade", required=True),
                "measurement": _number(defect.get("measurement"), defect_errors, "measurement"),
                "unit": _text(defect.get("unit"), 20, defect_errors, "unit"),
                "notes": _text(defect.get("notes"), 2000, defect_errors, "notes"),
            }
        )
        if defect_errors:
            errors[f"defects.{index}"] = defect_errors
    item["defects"] = parsed
    if errors:
        return None, errors
    return item, {}
