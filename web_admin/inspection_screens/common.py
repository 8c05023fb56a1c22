"""What the inspection screens share: the asset filter read from a request, the filter as a
query string, and the page context."""

from dataclasses import replace
from urllib.parse import urlencode

from django.db.models import Q
from django.utils import timezone

from accounts.cities import city_id_of, in_city
from assets.selectors import organizations_for_user
from inspections.selectors import AssetSelection
from web_admin.inspection_forms import AssetFilterForm


def filter_form(request, towns, fields) -> AssetFilterForm:
    return AssetFilterForm(
        request.GET,
        organisations=in_city(organizations_for_user(request.user), request, "city").order_by(
            "code"
        ),
        towns=towns,
        fields=fields,
    )


def filter_query(form: AssetFilterForm, **changes) -> str:
    """The filter as a query string (valid fields only), with some values changed."""
    params = {}
    for name in ("type", "area", "owner", "due", "days", "years", "likely", "bbox"):
        value = form.value(name)
        if name not in form.fields or value is None:
            continue
        if name in ("type", "owner"):
            value = value.code
        elif name == "likely":
            value = "1" if value else None
        elif name == "bbox":
            value = ",".join(f"{v:.6f}" for v in value)
        params[name] = value
    params.update(changes)
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def screen_context(subnav: str, **context) -> dict:
    return {"nav": "inspections", "subnav": subnav, "today": timezone.localdate(), **context}


def in_host_city(selection: AssetSelection, request) -> AssetSelection:
    """The selection kept to the assets of the request's city (a superuser on a city's host
    sees that city's); unchanged without City rows."""
    city_id = city_id_of(request)
    if city_id is None:
        return selection
    here = Q(owner__city_id=city_id)
    return replace(selection, also=here if selection.also is None else selection.also & here)
