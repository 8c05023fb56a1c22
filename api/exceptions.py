"""One exception handler: every API error is {"detail": …, "code": …} (plus field errors)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import DomainError

# Domain codes that are not plain "bad input" (400).
STATUS_BY_CODE = {
    "forbidden": status.HTTP_403_FORBIDDEN,
    "not_found": status.HTTP_404_NOT_FOUND,
    "already_labelled": status.HTTP_409_CONFLICT,
    "label_not_active": status.HTTP_409_CONFLICT,
    "label_not_replaced": status.HTTP_409_CONFLICT,
    "ambiguous_ledger_id": status.HTTP_409_CONFLICT,
    "storage_unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
}


class ApiError(DomainError):
    """An error raised by an API view itself, with its HTTP status."""

    def __init__(self, detail: str, *, code: str, status_code: int | None = None):
        super().__init__(detail, code=code)
        self.status_code = status_code or STATUS_BY_CODE.get(code, status.HTTP_400_BAD_REQUEST)


def _first_code(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None) or "invalid"


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        status_code = getattr(exc, "status_code", None) or STATUS_BY_CODE.get(
            exc.code, status.HTTP_400_BAD_REQUEST
        )
        return Response({"detail": exc.detail, "code": exc.code}, status=status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": "Invalid input.",
            "code": _first_code(exc.detail),
            "errors": exc.detail,
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        response.data = {
            "detail": str(detail) if not isinstance(detail, dict | list) else detail,
            "code": getattr(detail, "code", None) or exc.default_code,
        }
    return response
