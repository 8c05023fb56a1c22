"""The scan: what a resident sees after pointing a phone at a sticker."""

from functools import partial

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from assets import selectors as asset_selectors
from qr_labels import codes, selectors, services


def _owner_contact(asset):
    owner = asset.owner
    return {"name": str(owner), "phone": owner.phone, "kind": owner.kind}


@never_cache
@require_safe
def scan(request, code: str):
    """GET /q/<code> (and /Q/<code>, any case, with or without a trailing slash)."""
    resolution = selectors.label_resolve(code)
    if not resolution.found:
        return render(
            request,
            "qr_labels/not_found.html",
            {
                "resolution": resolution,
                "typed": code[:40],
                "display": codes.display(resolution.code)
                if len(resolution.code) == codes.BODY_LENGTH + 1
                else resolution.code,
            },
            status=404,
        )
    asset = resolution.asset
    response = render(
        request,
        "qr_labels/asset.html",
        {
            "resolution": resolution,
            "asset": asset,
            "label": resolution.label,
            "categories": asset_selectors.fault_categories_for_type(asset.asset_type),
            "owner": _owner_contact(asset),
            "point": asset.geom.point_on_surface,
        },
    )
    if request.method == "GET":
        # Counted after the page has gone out (the response's close), so a slow disk or a
        # locked SQLite file never delays the resident.
        response._resource_closers.append(
            partial(services.scan_record, label_id=resolution.label.pk, asset_id=asset.pk)
        )
    return response


@require_safe
def scan_entry(request):
    """/q/ with ?code=…: the code read off a sticker, typed in by hand."""
    typed = request.GET.get("code", "").strip()
    if typed:
        return redirect(reverse("scan", args=[codes.normalize(typed)[:40] or "-"]))
    return render(request, "qr_labels/not_found.html", {"resolution": None, "typed": ""})
