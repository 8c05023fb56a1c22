"""The queue: what to fix first and why, on a page and a map, and as CSV or GeoJSON."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts import policy
from accounts.models import Organization
from assets.selectors import organizations_for_user
from reports import exports, priority, selectors
from web_admin import forms
from web_admin.access import staff_required

MAP_FEATURE_LIMIT = 5000  # the queue's map shows at most this many, the highest first


def _owners(user):
    """Organisations to filter the queue by: the user's own, and for city staff the outside
    owners whose reports they keep sight of."""
    outside, _area = policy.outside_owners(user)
    own = organizations_for_user(user)
    if outside:
        own = own | Organization.objects.filter(pk__in=sorted(outside))
    return own.order_by("code")


def _queue_form(request) -> forms.QueueFilterForm:
    data = request.GET.copy()
    data.setdefault("per_page", "50")
    form = forms.QueueFilterForm(data, organisations=_owners(request.user))
    form.is_valid()
    return form


def _queue(request, form, now=None):
    return selectors.queue(request.user, filters=form.queue_filter(), order=form.order_key, now=now)


@require_safe
@staff_required
def queue(request):
    """What to fix first and why: open reports of my organisations by priority, with reasons."""
    form = _queue_form(request)
    now = timezone.now()
    ids = _queue(request, form, now).values_list("pk", flat=True)
    page = Paginator(ids, form.page_size).get_page(request.GET.get("page"))
    rows = selectors.queue_page_rows(list(page.object_list), now=now)
    reports = [(report, priority.reasons(report, now)) for report in rows]
    filters = urlencode(
        [(k, v) for k, values in request.GET.lists() for v in values if k != "page"]
    )
    return render(
        request,
        "web_admin/queue.html",
        {
            "nav": "queue",
            "form": form,
            "page": page,
            "reports": reports,
            "first_rank": page.start_index(),
            "filters": filters,
            "map_url": f"{reverse('manage-queue-export', args=['geojson'])}?{filters}"
            f"{'&' if filters else ''}limit={MAP_FEATURE_LIMIT}",
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "outside_kinds": policy.OUTSIDE_OWNER_KINDS,
        },
    )


@require_safe
@staff_required
def queue_export(request, fmt: str):
    """The current filter (all pages) as CSV (codes, for programs; `headers=ja`: Japanese
    column names and words, for people), Excel (words in the user's language, the filter in
    the first rows) or GeoJSON (codes and words)."""
    # Local imports keep this edit to the one function (issue 18); hoist them at will.
    from django.http import FileResponse

    from assets.xlsxfiles import CONTENT_TYPE as XLSX
    from web_admin.filter_words import queue_filter_words

    form = _queue_form(request)
    now = timezone.now()
    qs = _queue(request, form, now)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    if fmt == "csv" and request.GET.get("headers") == "ja":
        chunks = exports.labelled_csv_chunks(qs, now=now, language="ja")
        response = StreamingHttpResponse(chunks, content_type="text/csv")
    elif fmt == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(qs), content_type="text/csv")
    elif fmt == "xlsx":
        about = [(_("Filter conditions"), queue_filter_words(form))]
        response = FileResponse(exports.workbook(qs, about=about, now=now), content_type=XLSX)
    elif fmt == "geojson":
        limit = request.GET.get("limit", "")
        limit = min(int(limit), MAP_FEATURE_LIMIT) if limit.isdigit() else None
        response = StreamingHttpResponse(
            exports.geojson_chunks(qs, limit=limit), content_type="application/geo+json"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="reports-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
