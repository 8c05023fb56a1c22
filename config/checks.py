"""The settings check: every value read from the environment is usable, or nothing starts.

Registered by config/apps.py; run by `manage.py check` (and so by migrate and runserver) and
by the app server's start (config/wsgi.py), so a bad value stops the deploy instead of
turning into a 500 on the first request that needs it.
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register

TAG = "machimori_settings"


@register(TAG)
def settings_usable(app_configs=None, **kwargs) -> list[Error]:
    from config import env

    errors = [
        Error(message, hint="See README.md, Production settings.", obj=name, id="machimori.E001")
        for name, message in env.PROBLEMS
    ]
    errors += _priority_weights() + _service_area() + _map_tiles() + _label_font()
    return errors


def _priority_weights() -> list[Error]:
    from reports.priority import DEFAULT_WEIGHTS

    weights = getattr(settings, "PRIORITY_WEIGHTS", {})
    unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
    not_numbers = sorted(
        name
        for name, value in weights.items()
        if isinstance(value, bool) or not isinstance(value, int) or not -1000 <= value <= 1000
    )
    errors = []
    if unknown:
        errors.append(
            Error(
                f"PRIORITY_WEIGHTS names unknown weights: {', '.join(unknown)}",
                hint=f"Known weights: {', '.join(DEFAULT_WEIGHTS)}.",
                obj="PRIORITY_WEIGHTS",
                id="machimori.E002",
            )
        )
    if not_numbers:
        errors.append(
            Error(
                f"PRIORITY_WEIGHTS values must be whole numbers from -1000 to 1000: "
                f"{', '.join(not_numbers)}",
                obj="PRIORITY_WEIGHTS",
                id="machimori.E002",
            )
        )
    return errors


def _service_area() -> list[Error]:
    """Parsed here once; the parsed area is kept for the process (reports.selectors)."""
    from reports.selectors import service_area

    try:
        area = service_area()
    except Exception as exc:  # a missing file, bad JSON, bad WKT: all the same to an operator
        return [
            Error(
                f"SERVICE_AREA cannot be read: {exc}",
                hint="A GeoJSON file path, GeoJSON text or WKT of a polygon.",
                obj="SERVICE_AREA",
                id="machimori.E003",
            )
        ]
    if area is not None and (area.geom_type not in ("Polygon", "MultiPolygon") or area.empty):
        return [
            Error(
                f"SERVICE_AREA must be a polygon or multipolygon, not {area.geom_type}",
                obj="SERVICE_AREA",
                id="machimori.E003",
            )
        ]
    return []


def _map_tiles() -> list[Error]:
    url = settings.MAP_TILE_URL
    if url and not all(part in url for part in ("{z}", "{x}", "{y}")):
        return [
            Error(
                "MAP_TILE_URL must be a tile template with {z}, {x} and {y}",
                obj="MAP_TILE_URL",
                id="machimori.E004",
            )
        ]
    return []


def _label_font() -> list[Warning]:
    path = settings.LABEL_FONT_PATH
    if not Path(path).is_file():
        return [
            Warning(
                f"LABEL_FONT_PATH {path} is not a file: label sheets and QR images cannot be made",
                hint="Install Debian's fonts-ipaexfont, or point LABEL_FONT_PATH at a Japanese "
                "TrueType/OpenType font.",
                obj="LABEL_FONT_PATH",
                id="machimori.W001",
            )
        ]
    return []


def ensure_settings_usable() -> None:
    """Stop the app server's start when a setting is unusable (the server does not run the
    system checks by itself)."""
    from django.core.checks import run_checks
    from django.core.exceptions import ImproperlyConfigured

    errors = run_checks(tags=[TAG])
    if errors:
        raise ImproperlyConfigured("\n".join(str(error) for error in errors))
