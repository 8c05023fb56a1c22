"""/owner/<token>/: the page an owner or contractor without an account opens through its
link (reports/owner_links.py) — see the report, say it was seen, report progress with
photos of the repair, or hand it back to the city.

The page never shows the resident's contact details (the city stays their contact), and
shows their words and photos only when they agreed to share them with the owner. A link
that was withdrawn, ran out or no longer belongs to its organisation answers 410 and
changes nothing; once the report is dealt with, the page only reads.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.cities import city_id_of
from reports import (
    followup_forms,
    followups,
    form_photos,
    owner_links,
    photo_store,
    selectors,
    services,
)
from reports.files import serve_stored
from reports.models import OwnerLink

DONE = {
    "acknowledged": lambda: _("Thank you: the city knows you have seen it."),
    "updated": lambda: _("Thank you: the progress is saved, and the resident is told."),
}


def _resolve(request, token: str) -> OwnerLink:
    """The link of this token, if its report is of the host's city (another city's link is
    unknown here, as a wrong token is). Raises owner_links.Refused."""
    here = city_id_of(request)
    try:
        link = owner_links.resolve(token)
    except owner_links.Refused as refused:
        # A withdrawn or expired link says why on its own city's host only.
        if refused.link is not None and here is not None and not _of_city(refused.link, here):
            raise owner_links.Refused("unknown") from None
        raise
    if here is not None and not _of_city(link, here):
        raise owner_links.Refused("unknown")
    return link


def _of_city(link: OwnerLink, city_id: int) -> bool:
    return link.report.owner.city_id == city_id


def _refusal(request, refused: owner_links.Refused):
    if refused.reason == "unknown":
        raise Http404
    return render(request, "reports/owner_gone.html", {"reason": refused.reason}, status=410)


def _message(exc: services.ReportError) -> str:
    """A service's refusal in the reader's language."""
    return {
        "report_not_open": _("This report is already dealt with."),
        "invalid_transition": _("That step is not possible for the report as it stands now."),
        "forbidden": _("This link may not do that."),
        "reason_needed": _("Tell the city why."),
        "no_city_section": _("The city could not take it back here; please call the city."),
        "unknown_note": _("Choose one of the messages offered."),
    }.get(exc.code, _("That could not be done."))


def _page(request, link: OwnerLink, token: str, *, status=200, **forms):
    report = link.report
    context = {
        "link": link,
        "token": token,
        "report": report,
        "contractor": link.purpose == OwnerLink.Purpose.CONTRACTOR,
        "can_act": report.is_open,
        "acknowledged": report.events.filter(
            kind="acknowledged", by_organization_id=link.organization_id
        ).exists(),
        "history": selectors.report_history_public(report),
        "photos": owner_links.owner_link_photos(report),
        "shared": report.share_consent,
        "done": DONE[request.GET["done"]]() if request.GET.get("done") in DONE else "",
        "update_form": followup_forms.OwnerUpdateForm(),
        "back_form": followup_forms.HandBackForm(),
        **forms,
    }
    return render(request, "reports/owner.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def owner_page(request, token: str):
    try:
        link = _resolve(request, token)
    except owner_links.Refused as refused:
        return _refusal(request, refused)
    if request.method != "POST":
        return _page(request, link, token)
    if not link.report.is_open:
        return _page(
            request, link, token, status=409, refused=_("This report is already dealt with.")
        )
    action = {
        "acknowledge": _acknowledge,
        "update": _update,
        "hand_back": _hand_back,
    }.get(request.POST.get("action", ""))
    if action is None:
        return _page(request, link, token, status=400, refused=_("That could not be done."))
    return action(request, link, token)


def _acknowledge(request, link, token):
    try:
        followups.report_acknowledge(report=link.report, acting_user=owner_links.actor(link))
    except services.ReportError as exc:
        return _page(request, link, token, status=409, refused=_message(exc))
    owner_links.used(link)
    return redirect(f"{request.path}?done=acknowledged")


def _update(request, link, token):
    form = followup_forms.OwnerUpdateForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, link, token, status=400, update_form=form)
    data = form.cleaned_data
    photos = form_photos.stage(form, "photos", data["photos"], room=followup_forms.MAX_AFTER_PHOTOS)
    if photos is None:
        status = 503 if form.has_error("photos", "storage_unavailable") else 400
        return _page(request, link, token, status=status, update_form=form)
    holder = owner_links.actor(link)
    try:
        if data["to"]:
            services.report_transition(
                report=link.report,
                to=data["to"],
                note=data["note"],
                note_code=data["note_code"],
                public_note=data["public_note"],
                after_photos=photos,
                acting_user=holder,
            )
        else:
            services.report_note_add(
                report=link.report,
                text=data["note"],
                note_code=data["note_code"],
                public=data["public_note"],
                acting_user=holder,
            )
    except services.ReportError as exc:
        photo_store.photos_discard(photos)
        form.add_error(None, _message(exc))
        return _page(request, link, token, status=409, update_form=form)
    owner_links.used(link)
    return redirect(f"{request.path}?done=updated")


def _hand_back(request, link, token):
    form = followup_forms.HandBackForm(request.POST)
    if not form.is_valid():
        return _page(request, link, token, status=400, back_form=form)
    try:
        followups.report_hand_back(
            report=link.report,
            note=form.cleaned_data["reason"],
            acting_user=owner_links.actor(link),
        )
    except services.ReportError as exc:
        form.add_error(None, _message(exc))
        return _page(request, link, token, status=409, back_form=form)
    owner_links.used(link)
    return render(
        request,
        "reports/owner_gone.html",
        {
            "reason": "handed_back",
            "report": link.report,
            "contractor": link.purpose == "contractor",
        },
    )


@require_safe
def owner_photo(request, token: str, photo, variant: str):
    """A photo the link may show (never an original, never a photo the resident kept)."""
    try:
        link = _resolve(request, token)
    except owner_links.Refused:
        raise Http404 from None
    item = get_object_or_404(owner_links.owner_link_photos(link.report), token=photo)
    return serve_stored(item.public if variant == "photo" else item.thumbnail, private=True)
