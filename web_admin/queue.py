"""The queue: what to fix first and why, on a page beside its map, as CSV or GeoJSON; and
one action on several of its reports at once."""

from urllib.parse import urlencode

from django import forms as dj_forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from accounts import cities, policy
from accounts.errors import DomainError
from accounts.models import Organization
from assets.selectors import organizations_for_user
from assets.xlsxfiles import CONTENT_TYPE as XLSX
from config import city
from reports import bulk, exports, priority, selectors
from web_admin import access, bulk_forms, forms
from web_admin.access import changer_required, staff_required
from web_admin.filter_words import queue_filter_words

MAP_FEATURE_LIMIT = 5000  # the queue's map shows at most this many, the highest first


def _owners(user, where=None):
    """Organisations to filter the queue by: the user's own, and for city staff the outside
    owners whose reports they keep sight of; of the city of `where` (a superuser's too)."""
    outside, _area = policy.outside_owners(user)
    own = organizations_for_user(user)
    if outside:
        own = own | Organization.objects.filter(pk__in=sorted(outside))
    return cities.in_city(own, where, "city").order_by("code")


def _queue_form(query, user, where=None) -> forms.QueueFilterForm:
    data = query.copy()
    data.setdefault("per_page", "50")
    form = forms.QueueFilterForm(data, organisations=_owners(user, where), where=where)
    form.is_valid()
    return form


def _queue(request, form, now=None):
    found = selectors.queue(
        request.user, filters=form.queue_filter(), order=form.order_key, now=now
    )
    return cities.in_city(found, request)  # a superuser: the host's city


SAVED_FILTER = "queue_filter"  # the cookie of the user's last filter


def _filter_params(query) -> list[tuple[str, str]]:
    """The filter of a query string: every value but the page and the bookkeeping."""
    return [
        (k, v)
        for k, values in query.lists()
        for v in values
        if k not in ("page", "clear") and v != ""
    ]


def _chips(form, params: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(field label, value label, the query string without it) for each active filter, so
    that each can be taken off on its own."""
    chips = []
    for name, value in params:
        field = form.fields.get(name)
        if field is None or name in ("order", "per_page"):
            continue
        if name == "bbox":
            label, shown = _("Area"), _("chosen on the map")
        elif isinstance(field, dj_forms.BooleanField):
            label, shown = field.label, _("yes")
        else:
            choices = {str(k): v for k, v in getattr(field, "choices", ())}
            label, shown = field.label, choices.get(value, value)
        rest = [(k, v) for k, v in params if (k, v) != (name, value)]
        chips.append((str(label), str(shown), urlencode(rest) or "clear=1"))
    return chips


@require_safe
@staff_required
def queue(request):
    """What to fix first and why: open reports of my organisations by priority, with reasons,
    beside their map. The last filter is remembered for the next visit."""
    saved = _saved_filter(request)
    if not request.GET and saved:
        return redirect(f"{reverse('manage-queue')}?{saved}")
    response = _queue_page(request, request.GET)
    current = urlencode(_filter_params(request.GET))
    if current != saved:
        response.set_signed_cookie(
            SAVED_FILTER,
            f"{request.user.pk}|{current}",
            salt=SAVED_FILTER,
            max_age=90 * 86400,
            path=reverse("manage-queue"),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _saved_filter(request) -> str:
    """The user's last filter: a signed cookie of this browser, for this user only (no
    write to the database on every page of the queue)."""
    value = request.get_signed_cookie(SAVED_FILTER, default="", salt=SAVED_FILTER)
    user, _sep, query = value.partition("|")
    return query if user == str(request.user.pk) else ""


def _queue_page(request, query, *, bulk_form=None, selected=(), status=200):
    form = _queue_form(query, request.user, request)
    now = timezone.now()
    ids = _queue(request, form, now).values_list("pk", flat=True)
    page = Paginator(ids, form.page_size).get_page(query.get("page"))
    rows = selectors.queue_page_rows(list(page.object_list), now=now)
    reports = [(report, priority.reasons(report, now)) for report in rows]
    params = _filter_params(query)
    filters = urlencode(params)
    may_change = access.may_change(request.user)
    if may_change and bulk_form is None:
        bulk_form = _bulk_form(request.user, initial={"back": filters}, where=request)
    return render(
        request,
        "web_admin/queue.html",
        {
            "nav": "queue",
            "form": form,
            "chips": _chips(form, params),
            "date_fields": [
                form[name]
                for name, field in form.fields.items()
                if isinstance(field, dj_forms.DateField)
            ],
            "whole_city": urlencode([(k, v) for k, v in params if k != "bbox"]) or "clear=1",
            "page": page,
            "reports": reports,
            "first_rank": page.start_index(),
            "filters": filters,
            "bulk_form": bulk_form if may_change else None,
            "selected": set(selected),
            "map_url": f"{reverse('manage-queue-export', args=['geojson'])}?{filters}"
            f"{'&' if filters else ''}limit={MAP_FEATURE_LIMIT}",
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "outside_kinds": policy.OUTSIDE_OWNER_KINDS,
        },
        status=status,
    )


def _bulk_form(user, data=None, initial=None, where=None):
    """The bulk bar; whom to assign or pass on to are of the city of `where` (the request's:
    a superuser on a city's host is offered that city's organisations only)."""
    assignees = organizations_for_user(user).filter(is_active=True)
    owners = policy.city_organisations(user, Organization.objects.filter(is_active=True))
    return bulk_forms.BulkForm(
        data,
        initial=initial,
        assignees=cities.in_city(assignees, where, "city").order_by("code"),
        owners=cities.in_city(owners, where, "city").order_by("kind", "code"),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def queue_bulk(request):
    """One action on the ticked reports: all of them change, or none does and the queue
    comes back with the selection, the form and the reason for each refused report.

    That page stays at this address, and its filter form, chips and page links are
    relative (`?…`): a GET here goes back to the queue with its query string."""
    if request.method != "POST":
        query = request.GET.urlencode()
        return redirect(f"{reverse('manage-queue')}?{query}" if query else "manage-queue")
    return _queue_bulk(request)


@changer_required
def _queue_bulk(request):
    form = _bulk_form(request.user, request.POST, where=request)
    back = QueryDict(request.POST.get("back", "")[:2000])
    selected = request.POST.getlist("r")
    if not form.is_valid():
        return _queue_page(request, back, bulk_form=form, selected=selected, status=400)
    data = form.cleaned_data
    if data["action"] == bulk_forms.PRINT:
        return redirect(
            f"{reverse('manage-work-orders')}?{urlencode([('r', n) for n in data['r']])}"
        )
    try:
        changed = bulk.reports_bulk(
            numbers=data["r"],
            action=data["action"],
            acting_user=request.user,
            assignee=data["assignee"],
            due_on=data["due_on"],
            into_number=data["into"],
            to=data["to"],
            note=data["note"],
            where=request,
        )
    except bulk.BulkRefused as refused:
        form.add_error(None, _("Nothing was changed. These reports cannot be changed this way:"))
        for refusal in refused.refusals:
            form.add_error(None, f"{refusal.number}: {refusal.reason}")
        return _queue_page(request, back, bulk_form=form, selected=selected, status=409)
    except DomainError as error:
        form.add_error(None, str(error))
        return _queue_page(request, back, bulk_form=form, selected=selected, status=400)
    messages.success(
        request,
        ngettext("%(count)s report changed.", "%(count)s reports changed.", len(changed))
        % {"count": len(changed)},
    )
    target = reverse("manage-queue")
    return redirect(f"{target}?{back.urlencode()}" if back else f"{target}?clear=1")


@require_safe
@staff_required
def queue_export(request, fmt: str):
    """The current filter (all pages) as CSV (codes, for programs; `headers=ja`: Japanese
    column names and words, for people), Excel (words in the user's language, the filter in
    the first rows) or GeoJSON (codes and words)."""
    form = _queue_form(request.GET, request.user, request)
    now = timezone.now()
    qs = _queue(request, form, now)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    here = city.current(request)  # rows link to this city's host
    if fmt == "csv" and request.GET.get("headers") == "ja":
        chunks = exports.labelled_csv_chunks(qs, now=now, language="ja", here=here)
        response = StreamingHttpResponse(chunks, content_type="text/csv")
    elif fmt == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(qs, here=here), content_type="text/csv")
    elif fmt == "xlsx":
        about = [(_("Filter conditions"), queue_filter_words(form))]
        file = exports.workbook(qs, about=about, now=now, here=here)
        response = FileResponse(file, content_type=XLSX)
    elif fmt == "geojson":
        limit = request.GET.get("limit", "")
        # isdecimal, not isdigit: "²" and "①" are digits that int() refuses.
        limit = min(int(limit), MAP_FEATURE_LIMIT) if limit.isdecimal() else None
        response = StreamingHttpResponse(
            exports.geojson_chunks(qs, limit=limit, here=here), content_type="application/geo+json"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="reports-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
