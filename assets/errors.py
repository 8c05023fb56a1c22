"""Errors of the asset registry."""

from accounts.errors import DomainError


class UnknownCode(DomainError, ValueError):
    """A selection names an asset type, owner or other thing that does not exist."""
