"""What a work pack carries beside each asset for the field app, which cannot ask for it
offline: the sticker codes in use (to find an asset by scanning or typing) and the open
faults; and what changes whenever those do (the pack's ETag)."""

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from assets.models import Asset
from qr_labels.models import Label
from reports.models import Report


def pack_extras(assets: QuerySet[Asset]) -> dict[int, dict]:
    """What a field app shows beside each asset of a work pack and cannot ask for offline:
    the codes of its stickers in use (to find it by scanning or typing) and its open faults.
    Two queries whatever the pack's size."""
    extras: dict[int, dict] = {}
    in_pack = assets.order_by().values("pk")
    labels = Label.objects.filter(asset__in=in_pack, state=Label.State.ACTIVE)
    for asset_id, code in labels.values_list("asset_id", "code"):
        extras.setdefault(asset_id, {"labels": [], "open_faults": []})["labels"].append(code)
    faults = (
        Report.objects.filter(asset__in=in_pack, status__in=Report.OPEN_STATUSES)
        .order_by("respond_by", "id")
        .values_list("asset_id", "number", "category__code", "status", "respond_by")
    )
    for asset_id, number, category, status, respond_by in faults:
        extras.setdefault(asset_id, {"labels": [], "open_faults": []})["open_faults"].append(
            {
                "number": number,
                "category": category,
                "status": status,
                "respond_by": respond_by.isoformat() if respond_by else None,
            }
        )
    return extras


def pack_extras_fingerprint(assets: QuerySet[Asset]) -> tuple:
    """What changes whenever pack_extras would (a work pack's ETag): stickers and faults."""
    labels = Label.objects.filter(asset__in=assets.order_by().values("pk")).aggregate(
        n=Count("id"),
        last=Max("id"),
        active=Count("id", filter=Q(state=Label.State.ACTIVE)),
        # which asset each label is on: a sticker moved between two assets of the pack
        placed=Sum(F("id") * F("asset_id"), filter=Q(state=Label.State.ACTIVE)),
    )
    faults = Report.objects.filter(asset__in=assets.order_by().values("pk")).aggregate(
        n=Count("id", filter=Q(status__in=Report.OPEN_STATUSES)), changed=Max("updated_at")
    )
    return (
        labels["n"],
        labels["last"],
        labels["active"],
        labels["placed"],
        faults["n"],
        faults["changed"],
    )
