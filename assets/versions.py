"""Version stamps for cached public pages: a write bumps a stamp, and every cached page built
from the old one is simply never read again. Nothing is deleted, nothing else in the shared
cache is touched."""

import secrets

from django.core.cache import cache

FOREVER = None


def _version(key: str):
    return cache.get_or_set(key, 1, timeout=FOREVER)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # missing
        cache.set(key, secrets.randbelow(2**62), timeout=FOREVER)


def asset_version(asset_id: int) -> int:
    """Changes when anything shown on the asset's public page changes (its reports too)."""
    return _version(f"asset-version:{asset_id}")


def asset_changed(asset_id: int) -> None:
    _bump(f"asset-version:{asset_id}")


def assets_changed(asset_ids) -> None:
    """Many at once (an inspection batch): fresh random stamps in one round trip."""
    stamp = secrets.randbelow(2**62)  # an int, so a later incr still works
    cache.set_many({f"asset-version:{pk}": stamp for pk in asset_ids}, timeout=FOREVER)


def label_version(code: str) -> int:
    return _version(f"label-version:{code}")


def label_changed(code: str) -> None:
    _bump(f"label-version:{code}")
