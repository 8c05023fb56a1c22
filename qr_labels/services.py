"""Writes about labels: issue, replace, move, withdraw; record a scan."""

import atexit
import logging
import threading
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import policy
from accounts.errors import DomainError
from accounts.policy import Right
from assets.models import Asset
from qr_labels import codes
from qr_labels import versions as label_versions
from qr_labels.models import Label, LabelEvent, Scan

logger = logging.getLogger(__name__)


class LabelError(DomainError):
    """A label change that cannot be made."""


def _check_allowed(acting_user, *assets: Asset) -> None:
    """Commands act as policy.SYSTEM; staff change the labels of their own assets."""
    for asset in assets:
        if not policy.may(acting_user, Right.MANAGE_LABELS, owner_id=asset.owner_id):
            raise LabelError("You may not change labels of this asset.", code="forbidden")


def _fresh_codes(count: int) -> list[str]:
    """`count` codes never used before (codes are never reused, even after withdrawal)."""
    result: set[str] = set()
    while len(result) < count:
        batch = {codes.generate() for _ in range(count - len(result))} - result
        taken = set(Label.objects.filter(code__in=batch).values_list("code", flat=True))
        result |= batch - taken
    return list(result)


def _assets_changed(*asset_ids: int) -> None:
    """Stamp the assets whose sticker codes changed with a new change_seq (the trigger does
    it on any update), so that a tablet's "changes since" brings their codes."""
    for start in range(0, len(asset_ids), 2000):
        chunk = asset_ids[start : start + 2000]
        Asset.objects.filter(pk__in=chunk).update(change_seq=F("change_seq"))


def _create(asset: Asset, acting_user, note: str, *, kind=LabelEvent.Kind.ISSUED) -> Label:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                label = Label.objects.create(code=_fresh_codes(1)[0], asset=asset)
                break
        except IntegrityError as exc:
            # Either the code was taken a moment ago (retry) or the asset got a label.
            if Label.objects.filter(asset=asset, state=Label.State.ACTIVE).exists():
                raise LabelError(
                    "This asset already has a label.", code="already_labelled"
                ) from exc
    else:  # pragma: no cover - three collisions in 34 billion
        raise LabelError("Could not find a free code; try again.", code="no_free_code")
    LabelEvent.objects.create(
        label=label, kind=kind, to_asset=asset, by=policy.author(acting_user), note=note
    )
    _assets_changed(asset.pk)
    return label


@transaction.atomic
def label_issue(*, asset: Asset, acting_user, note: str = "") -> Label:
    """A first label for an asset that has none in use."""
    _check_allowed(acting_user, asset)
    if asset.status != Asset.Status.IN_SERVICE:
        raise LabelError("A retired asset gets no new label.", code="asset_retired")
    if Label.objects.filter(asset=asset, state=Label.State.ACTIVE).exists():
        raise LabelError(
            "This asset already has a label; replace it instead.", code="already_labelled"
        )
    return _create(asset, acting_user, note)


@transaction.atomic
def labels_issue_missing(*, assets, acting_user) -> int:
    """Labels for every asset in service among `assets` that has none in use; how many."""
    missing = list(
        assets.filter(status=Asset.Status.IN_SERVICE)
        .exclude(labels__state=Label.State.ACTIVE)
        .values_list("pk", flat=True)
    )
    if not missing:
        return 0
    if not policy.is_system(acting_user) and not policy.is_superuser(acting_user):
        for asset in Asset.objects.filter(pk__in=missing).only("owner_id"):
            _check_allowed(acting_user, asset)
    now = timezone.now()
    fresh = _fresh_codes(len(missing))
    labels = Label.objects.bulk_create(
        [
            Label(code=code, asset_id=pk, issued_at=now)
            for code, pk in zip(fresh, missing, strict=True)
        ],
        batch_size=2000,
    )
    if labels and labels[0].pk is None:  # SQLite < 3.35 does not return ids
        labels = list(Label.objects.filter(code__in=fresh))
    _assets_changed(*missing)
    LabelEvent.objects.bulk_create(
        [
            LabelEvent(
                label=label,
                kind=LabelEvent.Kind.ISSUED,
                to_asset_id=label.asset_id,
                at=now,
                by=policy.author(acting_user),
            )
            for label in labels
        ],
        batch_size=2000,
    )
    return len(labels)


def _active(label: Label, acting_user) -> Label:
    """The label, locked, after the permission check (who may not gets told nothing more)."""
    label = Label.objects.select_for_update().select_related("asset__owner").get(pk=label.pk)
    _check_allowed(acting_user, label.asset)
    if label.state != Label.State.ACTIVE:
        raise LabelError("This label is no longer in use.", code="label_not_active")
    return label


@transaction.atomic
def label_replace(
    *, label: Label, acting_user, keeps_working: bool = False, note: str = ""
) -> Label:
    """A new sticker for the same asset (the old one faded, was torn off or vandalised).

    The old code says "this label was replaced" and still lets residents report the asset;
    with keeps_working it opens the report form as before.
    """
    label = _active(label, acting_user)
    label_versions.label_changed(label.code)
    label.state = Label.State.REPLACED
    label.keeps_working = keeps_working
    label.ended_at = timezone.now()
    label.save(update_fields=["state", "keeps_working", "ended_at"])
    new = _create(label.asset, acting_user, note)
    label.replaced_by = new
    label.save(update_fields=["replaced_by"])
    LabelEvent.objects.create(
        label=label,
        kind=LabelEvent.Kind.REPLACED,
        from_asset=label.asset,
        to_asset=label.asset,
        by=policy.author(acting_user),
        note=note,
    )
    return new


@transaction.atomic
def label_set_keeps_working(*, label: Label, keeps_working: bool, acting_user) -> Label:
    """Let a replaced code keep opening the form, or stop it."""
    label = Label.objects.select_for_update().select_related("asset__owner").get(pk=label.pk)
    _check_allowed(acting_user, label.asset)
    if label.state != Label.State.REPLACED:
        raise LabelError("Only a replaced label can keep working.", code="label_not_replaced")
    label.keeps_working = keeps_working
    label.save(update_fields=["keeps_working"])
    label_versions.label_changed(label.code)
    return label


@transaction.atomic
def label_move(*, label: Label, to_asset: Asset, acting_user, note: str = "") -> Label:
    """The sticker was put on the wrong pole: from now on its code means `to_asset`."""
    label = _active(label, acting_user)
    from_asset = label.asset
    _check_allowed(acting_user, from_asset, to_asset)
    if to_asset.pk == from_asset.pk:
        raise LabelError("The label is already on this asset.", code="same_asset")
    if to_asset.status != Asset.Status.IN_SERVICE:
        raise LabelError("A retired asset gets no label.", code="asset_retired")
    if Label.objects.filter(asset=to_asset, state=Label.State.ACTIVE).exists():
        raise LabelError(
            "That asset already has a label; withdraw or replace it first.",
            code="already_labelled",
        )
    label.asset = to_asset
    label.save(update_fields=["asset"])
    _assets_changed(from_asset.pk, to_asset.pk)
    label_versions.label_changed(label.code)
    LabelEvent.objects.create(
        label=label,
        kind=LabelEvent.Kind.MOVED,
        from_asset=from_asset,
        to_asset=to_asset,
        by=policy.author(acting_user),
        note=note,
    )
    return label


@transaction.atomic
def label_retire(*, label: Label, acting_user, note: str = "") -> Label:
    """Withdraw a label (the sticker was removed, or the asset retired). The code is kept
    forever: a scan of it says so and still lets the resident report."""
    label = _active(label, acting_user)
    label.state = Label.State.RETIRED
    label.ended_at = timezone.now()
    label.save(update_fields=["state", "ended_at"])
    _assets_changed(label.asset_id)
    label_versions.label_changed(label.code)
    LabelEvent.objects.create(
        label=label,
        kind=LabelEvent.Kind.RETIRED,
        from_asset=label.asset,
        by=policy.author(acting_user),
        note=note,
    )
    return label


@transaction.atomic
def labels_prepare_print(
    *, assets, without_label: bool = False, issue: bool = True, acting_user
) -> tuple[object, int]:
    """The assets whose stickers to print, after issuing labels for those without one.

    Staff get labels issued only for assets they manage; the others are printed if they
    already have a label. `without_label` prints only the labels issued now.
    """
    started = timezone.now()
    issued = 0
    if issue:
        missing = assets
        scope = policy.scope_ids(acting_user)
        if scope is not None:
            manages = policy.may(acting_user, Right.MANAGE_LABELS)
            missing = assets.filter(owner_id__in=scope if manages else [])
        issued = labels_issue_missing(assets=missing, acting_user=acting_user)
    if without_label:
        assets = assets.filter(labels__state=Label.State.ACTIVE, labels__issued_at__gte=started)
    return assets, issued


def labels_mark_printed_for(*, assets) -> int:
    """Note when the active labels of `assets` were last printed."""
    active = Label.objects.filter(state=Label.State.ACTIVE, asset__in=assets)
    return active.update(printed_at=timezone.now())


_pending_scans: list[Scan] = []
_pending_lock = threading.Lock()
_last_flush = time.monotonic()


def scan_record(*, label_id: int, asset_id: int) -> None:
    """Count a scan. Called after the page has been sent. Scans are written in batches
    (settings.SCAN_BATCH_SIZE, or every SCAN_BATCH_SECONDS), so a busy sticker costs one
    insert per batch, not one per resident; a failure must not reach anyone."""
    global _last_flush
    with _pending_lock:
        _pending_scans.append(Scan(label_id=label_id, asset_id=asset_id, scanned_at=timezone.now()))
        due = (
            len(_pending_scans) >= settings.SCAN_BATCH_SIZE
            or time.monotonic() - _last_flush >= settings.SCAN_BATCH_SECONDS
        )
    if due:
        scans_flush()


def scans_flush() -> int:
    """Write the scans counted so far; also run at exit."""
    global _last_flush
    with _pending_lock:
        batch = _pending_scans[:]
        _pending_scans.clear()
        _last_flush = time.monotonic()
    if not batch:
        return 0
    try:
        Scan.objects.bulk_create(batch)
    except Exception:  # counting is best-effort; the residents already have their pages
        logger.exception("could not record %d scans", len(batch))
        return 0
    return len(batch)


atexit.register(scans_flush)
