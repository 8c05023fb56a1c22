"""An asset's condition history as the tablets and the managers' screen show it: every
inspection newest first, what corrected it, and the effective ones in order."""

import itertools
from dataclasses import dataclass

from assets.models import Asset
from inspections.models import Inspection
from inspections.selectors import asset_history, with_effective
from reports.models import Report
from reports.selectors import reports_for_user


@dataclass(frozen=True)
class Entry:
    inspection: Inspection
    corrected_by: Inspection | None  # the correction that supersedes this record
    previous: Inspection | None  # the effective inspection before this one, if this counts


@dataclass(frozen=True)
class Timeline:
    entries: list[Entry]  # every inspection, the newest first
    effective: list[Inspection]  # those that count, the oldest first


def asset_timeline(asset: Asset) -> Timeline:
    """Every inspection of the asset with its defects and photos, each with the correction
    that superseded it and the effective inspection it followed."""
    inspections = list(with_effective(asset_history(asset)))
    corrected_by = {i.supersedes_id: i for i in inspections if i.supersedes_id}
    effective = [i for i in inspections if i.is_effective]
    previous = {a.pk: b for a, b in itertools.pairwise(effective)}
    return Timeline(
        entries=[Entry(i, corrected_by.get(i.pk), previous.get(i.pk)) for i in inspections],
        effective=effective[::-1],
    )


def faults_visible(user, timeline: Timeline) -> set[int]:
    """The ids of the faults the timeline's defects raised that the user may read."""
    fault_ids = {
        d.fault_id for e in timeline.entries for d in e.inspection.defects.all() if d.fault_id
    }
    return set(reports_for_user(user).filter(pk__in=fault_ids).values_list("pk", flat=True))


def asset_reports(user, asset: Asset, *, limit: int) -> list[Report]:
    """The asset's reports the user may read, the newest first."""
    return list(
        reports_for_user(user)
        .filter(asset=asset)
        .select_related("category")
        .order_by("-created_at")[:limit]
    )
