"""Field records held in quarantine as a manager reads them: what each says (its payload is
whatever a tablet sent, so it is read defensively) and where it differs from the record with
its id already synced."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from assets.models import Asset
from inspections.models import Inspection, Quarantine
from inspections.selectors import assets_for_inspector, quarantine_for_user

FIELDS = ("performed_at", "kind", "grade", "notes", "defects")
KIND_LABELS = dict(Inspection.Kind.choices)


@dataclass(frozen=True)
class HeldRecord:
    record: Quarantine
    asset_id: int | None  # as the payload names it
    asset: Asset | None  # None when unknown, or not of the reader's organisations
    held: dict  # FIELDS → what the held record says
    synced: Inspection | None  # the record with its id already synced, if the reader may see it
    was: dict | None  # FIELDS → what the synced record says

    @property
    def differing(self) -> list[str]:
        """The FIELDS in which the held record differs from the synced one."""
        if self.was is None:
            return []
        return [key for key in FIELDS if self.was[key] != self.held[key]]


def quarantine_listed(user, *, decided: bool) -> QuerySet[Quarantine]:
    """The held records of the user's organisations: those waiting, the oldest first, or
    those decided, the latest decision first."""
    return (
        quarantine_for_user(user)
        .filter(resolved_at__isnull=not decided)
        .select_related("inspector", "resolved_by", "inspection")
        .order_by("-resolved_at" if decided else "received_at", "-id")
    )


def quarantine_waiting_count(user, where=None) -> int:
    return quarantine_for_user(user, where).filter(resolved_at__isnull=True).count()


def held_records(user, records: list[Quarantine]) -> list[HeldRecord]:
    """The records read for a manager, with their assets and synced versions in two
    queries."""
    asset_ids = {_int(_payload(r).get("asset")) for r in records} - {None}
    assets = {
        a.pk: a
        for a in assets_for_inspector(user)
        .filter(pk__in=asset_ids)
        .select_related("asset_type", "owner")
        .defer("geom", "attributes", "internal_attributes", "owner__service_area")
    }
    synced = {
        str(i.uuid): i
        for i in Inspection.objects.filter(
            uuid__in=[r.uuid for r in records], asset__in=assets_for_inspector(user)
        ).prefetch_related("defects")
    }
    return [_held_record(r, assets, synced) for r in records]


def _held_record(record: Quarantine, assets: dict, synced: dict) -> HeldRecord:
    payload = _payload(record)
    defects = payload.get("defects") if isinstance(payload.get("defects"), list) else []
    first = synced.get(str(record.uuid))
    was = None
    if first is not None:
        was = {
            "performed_at": first.performed_at,
            "kind": first.get_kind_display(),
            "grade": first.overall_grade,
            "notes": _text(first.notes),
            "defects": _text(
                _defects_text(
                    {"component": d.component, "kind": d.kind, "grade": d.grade}
                    for d in first.defects.all()
                )
            ),
        }
    return HeldRecord(
        record=record,
        asset_id=_int(payload.get("asset")),
        asset=assets.get(_int(payload.get("asset"))),
        held={
            "performed_at": _when(payload.get("performed_at")),
            "kind": _kind_label(payload.get("kind")),
            "grade": _text(payload.get("overall_grade"), 8),
            "notes": _text(payload.get("notes")),
            "defects": _text(_defects_text(defects)),
        },
        synced=first,
        was=was,
    )


def _payload(record: Quarantine) -> dict:
    return record.payload if isinstance(record.payload, dict) else {}


def _text(value, limit=200) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _when(value) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def _kind_label(kind) -> str:
    if isinstance(kind, str) and kind in KIND_LABELS:
        return str(KIND_LABELS[kind])
    return _text(kind, 20)


def _defects_text(defects) -> str:
    return "; ".join(
        f"{d.get('component') or ''} {d.get('kind') or ''} ({d.get('grade') or ''})".strip()
        for d in defects
        if isinstance(d, dict)
    )
