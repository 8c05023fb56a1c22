"""Which column of a ledger fills which asset field: header names, --map and --set."""

import unicodedata
from collections.abc import Iterable

from assets.ledger.problems import Problem, UsageError
from assets.models import AssetType

FIELDS = (
    "ledger_id",
    "name",
    "address",
    "install_date",
    "criticality",
    "lat",
    "lon",
    "geom",
    "parent_ledger_id",
)
IGNORE = "-"
LOCATION_FIELDS = ("lat", "lon", "geom")

# Header names recognised without --map (compared after NFKC and case folding).
_SYNONYMS = {
    "lat": ("lat", "latitude", "緯度", "y"),
    "lon": ("lon", "lng", "long", "longitude", "経度", "x"),
    "geom": ("geom", "geometry", "wkt"),
    "ledger_id": ("ledger_id", "台帳番号"),
    "name": ("name", "名称"),
    "address": ("address", "住所", "所在地", "所在地_連結表記"),
    "install_date": ("install_date", "設置年月日"),
}


def parse_assignments(items: Iterable[str], *, option: str) -> list[tuple[str, str]]:
    """`left=right` pairs from repeated options; --map splits at the last `=`, --set the first."""
    pairs = []
    for item in items:
        left, sep, right = item.rpartition("=") if option == "--map" else item.partition("=")
        if not sep or not left.strip() or (option == "--map" and not right.strip()):
            form = "COLUMN=FIELD" if option == "--map" else "FIELD=VALUE"
            raise UsageError(f"{option} {item!r}: expected {form}", code="bad_assignment")
        pairs.append((left.strip(), right.strip() if option == "--map" else right))
    return pairs


def _target_help(asset_type: AssetType) -> str:
    keys = ", ".join(spec["key"] for spec in asset_type.attribute_schema) or "none"
    return (
        f"use one of {', '.join(FIELDS)}, attr.KEY (keys of {asset_type.code}: {keys}), "
        f"or {IGNORE} to ignore the column"
    )


def _check_target(target: str, asset_type: AssetType, *, option: str) -> str:
    if target in FIELDS or (target == IGNORE and option == "--map"):
        return target
    if target.startswith("attr."):
        keys = {spec["key"] for spec in asset_type.attribute_schema}
        if target[5:] in keys:
            return target
    raise UsageError(
        f"{option}: unknown field {target!r}; {_target_help(asset_type)}", code="unknown_field"
    )


def checked_options(
    asset_type: AssetType,
    mapping: Iterable[tuple[str, str]],
    constants: Iterable[tuple[str, str]],
    ledger_column: str | None,
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """--map pairs (with --ledger-column) and --set values, each target checked."""
    mapping = [(column, _check_target(t, asset_type, option="--map")) for column, t in mapping]
    if ledger_column:
        mapping.append((ledger_column, "ledger_id"))
    targets = [t for _, t in mapping if t != IGNORE]
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    if doubled:
        raise UsageError(f"more than one column maps to {', '.join(doubled)}", code="mapped_twice")
    if "geom" in targets and {"lat", "lon"} & set(targets):
        raise UsageError("map either lat/lon or geom, not both", code="mapped_twice")
    values: dict[str, str] = {}
    for target, value in constants:
        target = _check_target(target, asset_type, option="--set")
        if target in ("ledger_id", *LOCATION_FIELDS):
            raise UsageError(f"--set cannot give every row the same {target}", code="bad_constant")
        if target in targets:
            raise UsageError(f"--set {target} and --map …={target} both given", code="mapped_twice")
        values[target] = value
    return mapping, values


def normalized(text: str) -> str:
    """`text` as names are compared: NFKC (full-width to half-width), trimmed, case-folded."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def find_column(columns: list[str], target: str) -> str | None:
    """The column of a header that holds `target` (lat, lon, name, address…) by its usual
    names in English and Japanese, ignoring case and full-width forms."""
    names = {normalized(name) for name in _SYNONYMS.get(target, (target,))}
    return next((column for column in columns if normalized(column) in names), None)


def header_names(
    asset_type: AssetType | None = None, mapping: Iterable[tuple[str, str]] = ()
) -> set[str]:
    """Every column name that marks a header row (normalized): the fields' usual names, the
    asset type's attribute labels and the columns named by --map and --ledger-column."""
    return set(_auto_targets(asset_type)) | {normalized(column) for column, _ in mapping}


def _auto_targets(asset_type: AssetType | None) -> dict[str, str]:
    index = {}
    for spec in asset_type.attribute_schema if asset_type else ():
        labels = spec.get("label") or {}
        if isinstance(labels, str):
            labels = {"ja": labels}
        for text in (labels.get("en"), labels.get("ja"), spec["key"], f"attr.{spec['key']}"):
            if text:
                index[normalized(text)] = f"attr.{spec['key']}"
    index.update({target: target for target in FIELDS})
    for target, names in _SYNONYMS.items():
        for name in names:
            index[normalized(name)] = target
    return index


def map_columns(
    columns: list[str],
    *,
    asset_type: AssetType,
    mapping: list[tuple[str, str]],
    constants: dict[str, str],
    has_geometry: bool,
) -> tuple[dict[str, str], list[str], list[Problem]]:
    """(column → target, ignored columns, whole-file problems) for a file's header."""
    chosen: dict[str, str] = {}
    problems = []
    for column, target in mapping:
        if column not in columns:
            reason = f"missing column: {column}"
            problems.append(Problem(None, column, "", reason, "missing_column"))
        elif target != IGNORE:
            chosen[column] = target
    taken = set(chosen.values()) | set(constants)
    index = _auto_targets(asset_type)
    auto: dict[str, str] = {}
    explicit = {column for column, _ in mapping}
    for column in columns:
        target = index.get(normalized(column))
        if column in explicit or target is None or target in taken:
            continue
        if has_geometry and target in LOCATION_FIELDS:
            continue
        auto[column] = target
        taken.add(target)
    if "geom" in taken:
        auto = {c: t for c, t in auto.items() if t not in ("lat", "lon")}
    chosen.update(auto)
    ignored = [c for c in columns if c not in chosen and c not in explicit]
    return chosen, ignored, problems


def location_problems(
    targets: set[str], asset_type: AssetType, *, has_geometry: bool
) -> list[Problem]:
    """Whole-file problems: no ledger id column, no way to place a row, points for areas."""
    found = []
    by_lat_lon = not has_geometry and "geom" not in targets
    if "ledger_id" not in targets:
        how = "--map COLUMN=ledger_id or --ledger-column COLUMN"
        found.append(("ledger_id", f"missing column: ledger_id (name it with {how})"))
    if by_lat_lon:
        for target, words in (("lat", "latitude"), ("lon", "longitude")):
            if target not in targets:
                names = ", ".join(_SYNONYMS[target])
                how = f"a header named {names}, or --map COLUMN={target}"
                found.append((target, f"missing column: {words} ({how})"))
    problems = [Problem(None, column, "", reason, "missing_column") for column, reason in found]
    if not problems and by_lat_lon and asset_type.geometry_kind != AssetType.Geometry.POINT:
        reason = (
            f"{asset_type.code} is drawn as a {asset_type.geometry_kind}, but latitude and "
            "longitude give a point: map a WKT column to geom, or import as a point type"
        )
        problems.append(Problem(None, "lat/lon", "", reason, "wrong_geometry_kind"))
    return problems
