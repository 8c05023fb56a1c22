"""What a resident may see of a report once it is sent: their receipt and status page, and
the photos they are allowed to see."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports import selectors
from reports.files import serve_stored
from reports.models import Photo


@never_cache
@require_safe
def report_status(request, token: str):
    """/r/<token>: one person's receipt: the report's public face and what they sent."""
    receipt = selectors.receipt_for_token(token)
    if receipt is None:
        raise Http404
    report = receipt.report
    own = None
    if not receipt.public_only:
        own = receipt.me_too if receipt.me_too_id else receipt.origin
    return render(
        request,
        "reports/status.html",
        {
            "receipt": receipt,
            "report": report,
            "own": own,
            "own_is_report": own is not None and not receipt.me_too_id,
            "merged_from": receipt.origin if receipt.origin_id != report.pk else None,
            "history": selectors.report_history_public(report),
            "photos": selectors.receipt_own_photos(receipt),
            "public_photos": report.photos.filter(is_public=True).exclude(
                pk__in=selectors.receipt_own_photos(receipt).values("pk")
            ),
            "just_sent": request.GET.get("new") == "1",
        },
    )


@require_safe
def report_photo(request, token: str, photo, variant: str):
    """A photo on a receipt page: the person's own, or one staff made public (the public
    copy or thumbnail only, never the original)."""
    receipt = selectors.receipt_for_token(token)
    if receipt is None:
        raise Http404
    item = get_object_or_404(selectors.receipt_visible_photos(receipt), token=photo)
    return serve_stored(item.public if variant == "photo" else item.thumbnail, private=True)


@require_safe
def public_photo(request, token, variant: str):
    """A photo staff made public (moderated), for public lists and open data."""
    photo = get_object_or_404(
        Photo.objects.filter(Q(is_public=True) & Q(report__isnull=False)), token=token
    )
    return serve_stored(photo.public if variant == "photo" else photo.thumbnail, private=False)
