"""The labels' version stamps (see assets/versions.py): a changed label retires the cached
sticker pages that showed it."""

from assets.versions import bump, stamp


def label_version(code: str) -> int:
    return stamp(f"label-version:{code}")


def label_changed(code: str) -> None:
    bump(f"label-version:{code}")
