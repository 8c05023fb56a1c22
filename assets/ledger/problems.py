"""What a ledger command refuses: a request that cannot be done, and a problem in the file."""

from dataclasses import dataclass

from accounts.errors import DomainError


class UsageError(DomainError, ValueError):
    """The command asks for something that cannot be done: an unknown type, owner or field."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, at its CSV line (the header being line 1) or feature
    number; `line` is None when it concerns the whole file."""

    line: int | None
    column: str
    value: str
    reason: str
    code: str
