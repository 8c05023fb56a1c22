"""One page shape for every /api/v1/ list, after OGC API – Features: `limit` and `offset` in;
`links` (rel self, next, prev), `numberReturned` and, where counting is cheap,
`numberMatched` out. The asset list (GeoJSON written by the database) uses the same helpers
and skips the COUNT; the tablets' `changes` feed keeps its own cursor."""

from django.conf import settings
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

LIMIT_HELP = "page size (default {default}, at most {maximum})"
OFFSET_HELP = "items to skip (default 0)"

LINKS_SCHEMA = {
    "type": "array",
    "description": "`self`, and `next` / `prev` when there is such a page.",
    "items": {
        "type": "object",
        "required": ["rel", "href"],
        "properties": {
            "rel": {"type": "string", "enum": ["self", "next", "prev"]},
            "href": {"type": "string", "format": "uri"},
        },
    },
}


def page_bounds(params, *, default_limit=None, max_limit=None) -> tuple[int, int]:
    """limit and offset from the query string, checked (400 `invalid_page` if bad)."""
    default_limit = default_limit or settings.API_DEFAULT_PAGE_SIZE
    max_limit = max_limit or settings.API_MAX_PAGE_SIZE
    errors = {}
    limit, offset = min(default_limit, max_limit), 0
    try:
        if params.get("limit"):
            limit = int(params["limit"])
            if not 1 <= limit <= max_limit:
                raise ValueError
    except ValueError:
        errors["limit"] = f"a whole number from 1 to {max_limit}"
    try:
        if params.get("offset"):
            offset = int(params["offset"])
            if offset < 0:
                raise ValueError
    except ValueError:
        errors["offset"] = "a whole number, 0 or more"
    if errors:
        raise ValidationError(
            {k: ValidationError(v, code="invalid_page") for k, v in errors.items()}
        )
    return limit, offset


def _link(request, rel: str, offset: int, limit: int) -> dict:
    params = request.query_params.copy()
    params["offset"] = str(offset)
    params["limit"] = str(limit)
    return {"rel": rel, "href": request.build_absolute_uri(f"{request.path}?{params.urlencode()}")}


def page_links(request, *, offset: int, limit: int, has_next: bool) -> list[dict]:
    links = [_link(request, "self", offset, limit)]
    if has_next:
        links.append(_link(request, "next", offset + limit, limit))
    if offset:
        links.append(_link(request, "prev", max(offset - limit, 0), limit))
    return links


def page_parameters(*, default_limit=None, max_limit=None) -> list[OpenApiParameter]:
    """limit and offset as documented parameters, for views that page by hand."""
    limit_help = LIMIT_HELP.format(
        default=default_limit or settings.API_DEFAULT_PAGE_SIZE,
        maximum=max_limit or settings.API_MAX_PAGE_SIZE,
    )
    return [
        OpenApiParameter("limit", OpenApiTypes.INT, description=limit_help),
        OpenApiParameter("offset", OpenApiTypes.INT, description=OFFSET_HELP),
    ]


class LinkPagination(BasePagination):
    """`{"numberMatched", "numberReturned", "links", "results"}` for a JSON list."""

    default_limit: int | None = None  # settings.API_DEFAULT_PAGE_SIZE
    max_limit: int | None = None  # settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit, self.offset = page_bounds(
            request.query_params, default_limit=self.default_limit, max_limit=self.max_limit
        )
        self.matched = len(queryset) if isinstance(queryset, list) else queryset.count()
        return list(queryset[self.offset : self.offset + self.limit])

    def get_paginated_response(self, data):
        has_next = self.offset + len(data) < self.matched
        return Response(
            {
                "numberMatched": self.matched,
                "numberReturned": len(data),
                "links": page_links(
                    self.request, offset=self.offset, limit=self.limit, has_next=has_next
                ),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["numberMatched", "numberReturned", "links", "results"],
            "properties": {
                "numberMatched": {"type": "integer", "description": "items in all pages"},
                "numberReturned": {"type": "integer", "description": "items in this page"},
                "links": LINKS_SCHEMA,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": parameter.name,
                "in": "query",
                "required": False,
                "description": parameter.description,
                "schema": {"type": "integer"},
            }
            for parameter in page_parameters(
                default_limit=self.default_limit, max_limit=self.max_limit
            )
        ]
