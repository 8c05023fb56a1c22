"""What this server offers: discovery, the service list and each service's definition."""

from django.utils import translation

from api.open311.render import Open311Error, endpoint, render
from assets import fieldspecs
from assets.models import FaultCategory
from config import city
from reports.language import request_language

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this server's GeoReport interface last changed (discovery's `changeset`).
DISCOVERY_CHANGESET = "2026-11-26T00:00:00+09:00"
_DATATYPES = {
    "text": "string",
    "integer": "number",
    "decimal": "number",
    "date": "datetime",
    "boolean": "singlevaluelist",
    "choice": "singlevaluelist",
}


def _categories():
    return FaultCategory.objects.filter(is_active=True).order_by("group", "sort_order", "code")


def service_category(code: str) -> FaultCategory:
    """The active category a `service_code` names; a 404 otherwise."""
    category = _categories().filter(code=code.strip()).first()
    if category is None:
        raise Open311Error(404, f"service_code {code} not found")
    return category


@endpoint()
def discovery(request, fmt, params):
    here = city.current(request)
    base = here.public_base_url
    changeset = DISCOVERY_CHANGESET
    data = {
        "changeset": changeset,
        "contact": here.open311_contact or f"{here.name_en} {here.phone}",
        "key_service": f"API keys are issued by {here.name_en}: {here.phone}",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base}/open311/v2",
                "changeset": changeset,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(data, fmt, "discovery")


def _service(category: FaultCategory) -> dict:
    types = ", ".join(t.name_in(request_language()) for t in category.asset_types.all())
    group = category.get_group_display()
    return {
        "service_code": category.code,
        "service_name": category.name_in(request_language()),
        "description": types,
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": ", ".join(filter(None, [category.name_ja, category.name_en, group])),
        "group": group,
        "groups": [group],
    }


@endpoint()
def service_list(request, fmt, params):
    categories = _categories().prefetch_related("asset_types")
    return render([_service(c) for c in categories], fmt, "services")


def _values(spec: dict) -> list[dict]:
    if spec["kind"] == "boolean":
        yes, no = translation.gettext("Yes"), translation.gettext("No")
        return [{"key": "true", "name": yes}, {"key": "false", "name": no}]
    choices = spec.get("choices", [])
    return [
        {"key": value, "name": fieldspecs.label(choice) if isinstance(choice, dict) else value}
        for choice, value in zip(choices, fieldspecs.choice_values(spec), strict=True)
    ]


def _attribute(spec: dict, order: int) -> dict:
    kind = spec["kind"]
    described = {
        "integer": "a whole number",
        "decimal": "a number",
        "date": "a date, YYYY-MM-DD",
        "text": "text",
    }.get(kind, "one of the values")
    unit = spec.get("unit")
    return {
        "variable": True,
        "code": spec["key"],
        "datatype": _DATATYPES.get(kind, "string"),
        "required": bool(spec.get("required")),
        "datatype_description": f"{described} ({unit})" if unit else described,
        "order": order,
        "description": fieldspecs.label(spec),
        "values": _values(spec) if kind in ("choice", "boolean") else [],
    }


@endpoint()
def service_definition(request, fmt, params, code):
    category = service_category(code)
    attributes = [_attribute(spec, n) for n, spec in enumerate(category.questions, start=1)]
    return render(
        {"service_code": category.code, "attributes": attributes}, fmt, "service_definition"
    )
