"""Views of /ogc/: thin. They check the parameters, ask api/ogc/collections.py, and answer
JSON (cached like the open-data feeds) or an HTML page, as the client asked."""

import functools

import orjson
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from api import opendata
from api.ogc import collections, documents, openapi, params
from api.ogc.documents import GEOJSON, JSON, OPENAPI, Links
from assets import geojson


def _error(exc: params.OgcError) -> HttpResponse:
    body = {"code": exc.code, "description": exc.description}
    return HttpResponse(orjson.dumps(body), status=exc.status, content_type=JSON)


def endpoint(view):
    """GET and HEAD only; bad input answered in the standard's exception shape."""

    @require_safe
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except params.OgcError as exc:
            response = _error(exc)
        # The body follows the Accept header and, for its titles, the reader's language.
        patch_vary_headers(response, ["Accept", "Accept-Language", "Cookie"])
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


def _json(document: dict, content_type: str = JSON) -> HttpResponse:
    """A document that changes with the data only a little (counts, extents): cached briefly."""
    response = HttpResponse(orjson.dumps(document), content_type=content_type)
    patch_cache_control(response, public=True, max_age=settings.OPEN_DATA_MAX_AGE)
    return response


@endpoint
def landing(request):
    params.check_known(request.GET, set())
    links = Links(request)
    document = documents.landing(links)
    if params.output_format(request) == "html":
        context = {
            "doc": document,
            "collections": collections.listed(request),
            "root": links.href("landing"),
        }
        return render(request, "api/ogc/landing.html", context)
    return _json(document)


@endpoint
def api_definition(request):
    params.check_known(request.GET, set())
    params.output_format(request)  # checks f; the definition is JSON whatever is asked
    return _json(openapi.document(Links(request)), OPENAPI)


@endpoint
def conformance(request):
    params.check_known(request.GET, set())
    document = documents.conformance(Links(request))
    if params.output_format(request) == "html":
        return render(request, "api/ogc/conformance.html", {"doc": document})
    return _json(document)


@endpoint
def collection_list(request):
    params.check_known(request.GET, set())
    links = Links(request)
    document = documents.collections(links, collections.listed(request))
    if params.output_format(request) == "html":
        return render(request, "api/ogc/collections.html", {"doc": document})
    return _json(document)


@endpoint
def collection(request, collection_id: str):
    chosen = collections.find(collection_id, request)
    params.check_known(request.GET, set())
    links = Links(request)
    if params.output_format(request) == "html":
        document = documents.collection(links, chosen)
        return render(request, "api/ogc/collection.html", {"doc": document})
    return opendata.feed_response(
        request,
        chosen.all(),
        lambda: [orjson.dumps(documents.collection(links, chosen))],
        content_type=JSON,
        filename=f"{chosen.id}.json",
    )


@endpoint
def items(request, collection_id: str):
    chosen = collections.find(collection_id, request)
    query = params.items_query(request.GET, temporal=chosen.temporal)
    qs = chosen.matching(query)
    links = Links(request)
    if params.output_format(request) == "html":
        texts, matched = collections.page(chosen, qs, query)
        headings, rows = documents.html_rows(links, chosen, texts)
        context = {
            "collection": chosen,
            "headings": headings,
            "rows": rows,
            "matched": matched,
            "first": query.offset + 1 if texts else 0,
            "last": query.offset + len(texts),
            "pages": documents.pages(links, query, len(texts), matched, f="html"),
            "geojson": links.page(query.offset, query.limit, f="json"),
        }
        return render(request, "api/ogc/items.html", context)

    def body():
        texts, matched = collections.page(chosen, qs, query)
        members = documents.items_members(links, chosen, query, len(texts), matched)
        return [geojson.collection_bytes(texts, **members)]

    return opendata.feed_response(
        request,
        qs,
        body,
        content_type=GEOJSON,
        filename=f"{chosen.id}.geojson",
    )


@endpoint
def item(request, collection_id: str, feature_id: str):
    chosen = collections.find(collection_id, request)
    params.check_known(request.GET, {"crs"})
    qs = chosen.one(feature_id)
    texts = chosen.features(qs)
    if not texts:
        raise params.not_found(f"no feature {feature_id!r} in {chosen.id}")
    links = Links(request)
    feature = documents.item(links, chosen, texts[0])
    if params.output_format(request) == "html":
        context = {
            "collection": chosen,
            "feature": feature,
            "properties": documents.html_properties(feature),
        }
        return render(request, "api/ogc/item.html", context)
    return opendata.feed_response(
        request,
        qs,
        lambda: [orjson.dumps(feature)],
        content_type=GEOJSON,
        filename=f"{chosen.id}-{feature_id}.geojson",
    )
