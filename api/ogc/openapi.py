"""The OpenAPI 3.0 description of /ogc/ (the standard's "oas30" class): what GIS clients read
to learn the parameters, their limits and the error shape."""

from api.ogc.documents import GEOJSON, HTML, JSON, Links
from api.ogc.params import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from config import city


def _parameter(name: str, where: str, schema: dict, description: str, **more) -> dict:
    return {"name": name, "in": where, "schema": schema, "description": description, **more}


PARAMETERS = {
    "collectionId": _parameter(
        "collectionId",
        "path",
        {"type": "string"},
        "assets, assets-<asset type code> or reports",
        required=True,
    ),
    "featureId": _parameter(
        "featureId", "path", {"type": "string"}, "asset id or report number", required=True
    ),
    "f": _parameter("f", "query", {"type": "string", "enum": ["json", "html"]}, "output format"),
    "bbox": _parameter(
        "bbox",
        "query",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "min lon,min lat,max lon,max lat in WGS84 (CRS84); six numbers with heights",
        style="form",
        explode=False,
    ),
    "limit": _parameter(
        "limit",
        "query",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "features per page; a value outside 1 to the maximum is refused",
    ),
    "offset": _parameter(
        "offset",
        "query",
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        "features to skip: follow the `next` link rather than counting",
    ),
    "datetime": _parameter(
        "datetime",
        "query",
        {"type": "string"},
        "reports only: when reported, an RFC 3339 instant or interval ('../end', 'start/..'); "
        "a date alone is the whole day in the city's time zone",
    ),
}


def _get(operation: str, summary: str, parameters: list[str], media_type: str) -> dict:
    responses = {
        "200": {
            "description": summary,
            "content": {media_type: {"schema": {"type": "object"}}, HTML: {}},
        },
        "400": {"$ref": "#/components/responses/InvalidParameterValue"},
    }
    if "collectionId" in parameters:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    return {
        "get": {
            "operationId": operation,
            "summary": summary,
            "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in parameters],
            "responses": responses,
        }
    }


def _exception(description: str) -> dict:
    return {
        "description": description,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}},
    }


def document(links: Links) -> dict:
    here = city.current(links.request)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{here.name_en} — OGC API – Features",
            "version": "1.0.0",
            "description": "Assets in service and public reports, as the open-data feeds.",
            "license": {"name": here.open_data_license, "url": here.open_data_license_url},
        },
        "servers": [{"url": links.href("landing").rstrip("/")}],
        "paths": {
            "/": _get("getLandingPage", "landing page", ["f"], JSON),
            "/conformance": _get("getConformance", "conformance classes", ["f"], JSON),
            "/collections": _get("getCollections", "the collections", ["f"], JSON),
            "/collections/{collectionId}": _get(
                "describeCollection", "one collection", ["collectionId", "f"], JSON
            ),
            "/collections/{collectionId}/items": _get(
                "getFeatures",
                "a page of features",
                ["collectionId", "bbox", "limit", "offset", "datetime", "f"],
                GEOJSON,
            ),
            "/collections/{collectionId}/items/{featureId}": _get(
                "getFeature", "one feature", ["collectionId", "featureId", "f"], GEOJSON
            ),
        },
        "components": {
            "parameters": PARAMETERS,
            "responses": {
                "InvalidParameterValue": _exception("a parameter is malformed or out of range"),
                "NotFound": _exception("no such collection or feature"),
            },
            "schemas": {
                "exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
                }
            },
        },
    }
