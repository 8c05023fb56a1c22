"""What a resident may see of a report once it is sent: their receipt and status page, and
the photos they are allowed to see."""

import datetime

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts import policy
from reports import followup_forms, followups, form_photos, photo_store, selectors, services
from reports.files import serve_stored
from reports.models import Photo


@never_cache
@require_safe
def report_status(request, token: str):
    """/r/<token>: one person's receipt: the report's public face and what they sent."""
    receipt = selectors.receipt_for_token(token, request)
    if receipt is None:
        raise Http404
    return _status_page(request, receipt)


def _status_page(request, receipt, *, status=200, still_broken_form=None, refused=""):
    report = receipt.report
    own = None
    if not receipt.public_only:
        own = receipt.me_too if receipt.me_too_id else receipt.origin
    own_photos = selectors.receipt_own_photos(receipt)
    may_say_broken = followups.still_broken_refusal(receipt, report) is None
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
            "photos": own_photos,
            "public_photos": report.photos.filter(is_public=True, kind=Photo.Kind.REPORTED).exclude(
                pk__in=own_photos.values("pk")
            ),
            "after_photos": selectors.after_photos(report),
            "overdue": report.is_overdue(),
            "outside_owner": report.owner.kind in policy.OUTSIDE_OWNER_KINDS,
            "still_broken_form": (still_broken_form or followup_forms.StillBrokenForm())
            if may_say_broken
            else None,
            "still_broken_until": report.ended_at
            + datetime.timedelta(days=settings.STILL_BROKEN_DAYS)
            if may_say_broken
            else None,
            "still_broken_done": request.GET.get("reopened") == "1",
            "refused": refused,
            "just_sent": request.GET.get("new") == "1",
        },
        status=status,
    )


STILL_BROKEN_REFUSALS = {
    "not_own_link": lambda: _("This link is not one person's own."),
    "already_said": lambda: _("You have already told us it is still broken."),
    "not_fixed": lambda: _("The report is not marked fixed."),
    "too_late": lambda: _(
        "It was fixed too long ago for this: please send a new report, or call the city."
    ),
}


@require_POST
def still_broken(request, token: str):
    """まだ直っていない: the resident's own link reopens a report fixed lately, once."""
    receipt = selectors.receipt_for_token(token, request)
    if receipt is None:
        raise Http404
    form = followup_forms.StillBrokenForm(request.POST, request.FILES)
    refusal = followups.still_broken_refusal(receipt, receipt.report)
    if refusal is not None:
        return _status_page(
            request, receipt, status=409, refused=STILL_BROKEN_REFUSALS[refusal[0]]()
        )
    if not form.is_valid():
        return _status_page(request, receipt, status=400, still_broken_form=form)
    photos = form_photos.stage(form, "photos", form.cleaned_data["photos"], room=1)
    if photos is None:
        status = 503 if form.has_error("photos", "storage_unavailable") else 400
        return _status_page(request, receipt, status=status, still_broken_form=form)
    try:
        followups.report_still_broken(
            receipt=receipt, text=form.cleaned_data["text"], photos=photos
        )
    except services.ReportError as exc:  # a race: somebody else changed it meanwhile
        photo_store.photos_discard(photos)
        refused = STILL_BROKEN_REFUSALS.get(exc.code, STILL_BROKEN_REFUSALS["not_fixed"])()
        return _status_page(request, receipt, status=409, refused=refused)
    return redirect(reverse("report-status", args=[token]) + "?reopened=1")


@require_safe
def report_photo(request, token: str, photo, variant: str):
    """A photo on a receipt page: the person's own, or one staff made public (the public
    copy or thumbnail only, never the original)."""
    receipt = selectors.receipt_for_token(token, request)
    if receipt is None:
        raise Http404
    item = get_object_or_404(selectors.receipt_visible_photos(receipt), token=photo)
    return serve_stored(item.public if variant == "photo" else item.thumbnail, private=True)


@require_safe
def public_photo(request, token, variant: str):
    """A photo staff made public (moderated), for public lists and open data."""
    photo = get_object_or_404(selectors.photos_public_any(request), token=token)
    return serve_stored(photo.public if variant == "photo" else photo.thumbnail, private=False)
