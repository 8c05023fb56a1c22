"""The error the inspection services raise: a stable code, and the fields at fault."""

from accounts.errors import DomainError


class InspectionError(DomainError):
    def __init__(self, message: str, *, code: str, errors: dict | None = None):
        super().__init__(message, code=code)
        self.errors = errors or {}
