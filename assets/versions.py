"""Version stamps for cached public pages: a write bumps a stamp, and every cached page built
from the old one is simply never read again. Nothing is deleted, nothing else in the shared
cache is touched. The assets' stamps are here; labels keep theirs (qr_labels/versions.py)."""

import secrets

from django.core.cache import cache

FOREVER = None


def stamp(key: str):
    return cache.get_or_set(key, 1, timeout=FOREVER)


def bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # missing
        cache.set(key, secrets.randbelow(2**62), timeout=FOREVER)


def asset_version(asset_id: int) -> int:
    """Changes when anything shown on the asset's public page changes (its reports too)."""
    return stamp(f"asset-version:{asset_id}")


def asset_changed(asset_id: int) -> None:
    bump(f"asset-version:{asset_id}")


def assets_changed(asset_ids) -> None:
    """Many at once (an inspection batch): fresh random stamps in one round trip."""
    stamp = secrets.randbelow(2**62)  # an int, so a later incr still works
    cache.set_many({f"asset-version:{pk}": stamp for pk in asset_ids}, timeout=FOREVER)
