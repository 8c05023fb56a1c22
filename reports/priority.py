"""An explainable repair priority: a sum of named parts, each shown with its reason.

Parts that do not change with time (how severe, how critical the asset, what is around it,
how many people saw it) are computed when they change and stored on the report with their
reasons. The part that grows as the category's response target nears is computed in the
query from two epochs, so a page of 100,000 faults sorts without re-scoring every row.
Weights are settings (PRIORITY_WEIGHTS); a manager's override is added on top, audited.

Above the score stands one rule: a fault that endangers people (its category says so, an
answer says so, or a report merged into it did) comes before every fault that does not,
whatever their scores and due times; among themselves, and among the others, the score
decides. The flag is stored on the report (Report.danger) and the queue sorts on it first.
"""

import datetime
import math

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assets.selectors import bbox_around
from reports import business_days
from reports.models import ContextPlace, Report

DEFAULT_WEIGHTS = {
    "severity": 8,  # per severity step of the category (1..5)
    "grade_action": 30,  # an inspection defect graded for action (III, C, III-1)
    "grade_urgent": 40,  # an urgent grade (IV, D, III-2)
    "criticality": 4,  # per step of the asset's criticality (1..5)
    "road_national": 12,
    "road_prefectural": 8,
    "school": 10,
    "hospital": 8,
    "station": 6,
    "me_too": 3,  # per resident who saw it too
    "me_too_cap": 15,
    "still_broken": 20,  # per resident who said a fix did not hold
    "still_broken_cap": 40,
    "time": 15,  # grows to this as the response target nears
    "overdue": 25,  # past the response target
}


def weights() -> dict:
    return {**DEFAULT_WEIGHTS, **getattr(settings, "PRIORITY_WEIGHTS", {})}


def respond_by(category, reported_at: datetime.datetime) -> datetime.datetime:
    """When the category's response target falls for a report made at `reported_at`: so
    many hours later, or the end of so many business days after the day of the report."""
    if category.response_business_days:
        return business_days.deadline(reported_at, category.response_business_days)
    return reported_at + datetime.timedelta(hours=category.response_hours)


def is_dangerous(report) -> bool:
    """Danger to people: the category says so, one of the answers does, or a report merged
    into this one did (a `merged_danger` annotation saves the query when refreshing many)."""
    category = report.category
    if category.danger or category.answers_mark_danger(report.answers):
        return True
    merged = getattr(report, "merged_danger", None)
    if merged is None and report.pk:
        merged = Report.objects.filter(duplicate_of_id=report.pk, danger=True).exists()
    return bool(merged)


def static_parts(report, places: list | None = None) -> list[list]:
    """[points, code, params] for each part that does not change with time. `places` are the
    context places to consider (all of them, when refreshing many reports); None looks up
    those near the report."""
    w = weights()
    parts = []
    if report.defect_rank and report.defect_rank >= 3:
        urgent = report.defect_rank >= 4
        parts.append(
            [
                w["grade_urgent" if urgent else "grade_action"],
                "grade",
                {"grade": report.defect_grade},
            ]
        )
    else:
        parts.append(
            [
                w["severity"] * report.category.severity,
                "severity",
                {"severity": report.category.severity},
            ]
        )
    asset = report.asset
    if asset is not None:
        parts.append(
            [
                w["criticality"] * asset.criticality,
                "criticality",
                {"criticality": asset.criticality},
            ]
        )
        road_class = (asset.attributes or {}).get("road_class")
        if road_class in ("national", "prefectural"):
            parts.append([w[f"road_{road_class}"], "road", {"road_class": road_class}])
    parts += _context_parts(report.location, w, places)
    if report.me_too_count:
        parts.append(
            [
                min(w["me_too"] * report.me_too_count, w["me_too_cap"]),
                "me_too",
                {"count": report.me_too_count},
            ]
        )
    if getattr(report, "still_broken_count", 0):
        parts.append(
            [
                min(w["still_broken"] * report.still_broken_count, w["still_broken_cap"]),
                "still_broken",
                {"count": report.still_broken_count},
            ]
        )
    return [part for part in parts if part[0]]


def places_near(point) -> list[ContextPlace]:
    """The context places that may lie within reach of a point (a box around it)."""
    box = bbox_around(point, settings.PRIORITY_CONTEXT_DISTANCE_M)
    return list(ContextPlace.objects.filter(location__intersects=Polygon.from_bbox(box)))


def _metres(a, b) -> float:
    """Great-circle distance; at a few hundred metres it agrees with the spheroid to <0.5%."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _context_parts(point, w, places) -> list[list]:
    if point is None:
        return []
    reach = settings.PRIORITY_CONTEXT_DISTANCE_M
    nearest: dict[str, tuple[float, ContextPlace]] = {}
    for place in places_near(point) if places is None else places:
        metres = _metres(point, place.location)
        if metres <= reach and (place.kind not in nearest or metres < nearest[place.kind][0]):
            nearest[place.kind] = (metres, place)
    return [
        [w[kind], kind, {"name": place.name, "metres": round(metres)}]
        for kind, (metres, place) in sorted(nearest.items())
    ]


def time_expression(now: datetime.datetime | None = None):
    """The part of the priority that grows with time, as a database expression."""
    w = weights()
    now_epoch = int((now or timezone.now()).timestamp())
    return Case(
        When(respond_epoch__lte=now_epoch, respond_epoch__gt=0, then=Value(w["overdue"])),
        When(
            respond_epoch__gt=F("created_epoch"),
            then=Cast(
                (Value(w["time"]) * (Value(now_epoch) - F("created_epoch")))
                / (F("respond_epoch") - F("created_epoch")),
                IntegerField(),
            ),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )


def score_expression(now=None):
    return F("priority_base") + F("priority_override") + time_expression(now)


def time_part(report, now=None) -> list | None:
    """The part that grows with time, in whole seconds exactly as time_expression does."""
    w = weights()
    if not report.respond_epoch:
        return None
    now_epoch = int((now or timezone.now()).timestamp())
    if report.respond_epoch <= now_epoch:
        return [w["overdue"], "overdue", {}]
    total = report.respond_epoch - report.created_epoch
    points = w["time"] * (now_epoch - report.created_epoch) // total if total > 0 else 0
    hours = (report.respond_epoch - now_epoch) // 3600
    return [points, "time_left", {"hours": hours}] if points else None


def reasons(report, now=None) -> list[tuple[int, str]]:
    """(points, sentence) for every part, the largest first, in the active language; the
    danger rule, which ranks rather than adds points, first of all with 0 points."""
    parts = list(report.priority_reasons or [])
    if (time := time_part(report, now)) is not None:
        parts.append(time)
    if report.priority_override:
        parts.append(
            [report.priority_override, "override", {"reason": report.priority_override_reason}]
        )
    scored = sorted(
        ((points, describe(code, params)) for points, code, params in parts),
        key=lambda item: -abs(item[0]),
    )
    return [(0, describe("danger", {})), *scored] if report.danger else scored


def describe(code: str, params: dict) -> str:
    if code == "danger":
        return _("danger to people: ranked before faults without danger")
    if code == "severity":
        return _("severity %(severity)s of the fault") % params
    if code == "grade":
        return _("inspection defect graded %(grade)s") % params
    if code == "criticality":
        return _("asset criticality %(criticality)s") % params
    if code == "road":
        return {"national": _("on a national road"), "prefectural": _("on a prefectural road")}.get(
            params["road_class"], ""
        )
    if code in ("school", "hospital", "station"):
        label = {
            "school": _("near a school"),
            "hospital": _("near a hospital"),
            "station": _("near a station"),
        }[code]
        return f"{label} ({params['name']}, {params['metres']} m)"
    if code == "me_too":
        return (
            ngettext("%(count)s person saw it too", "%(count)s people saw it too", params["count"])
            % params
        )
    if code == "still_broken":
        return (
            ngettext(
                "%(count)s resident said it is still broken after the fix",
                "%(count)s residents said it is still broken after the fix",
                params["count"],
            )
            % params
        )
    if code == "time_left":
        return _("%(hours)s hours left to the response target") % params
    if code == "overdue":
        return _("past its response target")
    if code == "override":
        return _("changed by a manager: %(reason)s") % params
    return code


def score(report, now=None) -> int:
    part = time_part(report, now)
    return report.priority_base + report.priority_override + (part[0] if part else 0)
