"""Why a change on the managers' screens was refused, in the staff member's language.

The services refuse with a stable code (accounts/errors.py) and an English sentence for logs
and the API; a screen shows the sentence for the code from here instead."""

from django.utils.translation import gettext as _

from accounts.errors import DomainError


def _texts() -> dict[str, str]:
    sticker_gone = _("This sticker was withdrawn: find the asset by its ledger number.")
    return {
        # A report's workflow (reports/services.py) and a fix recorded as a work (planning)
        "forbidden": _("You may not make this change."),
        "unknown_note": _("There is no such standard note."),
        "after_photo_not_fixed": _("Photos of the repair go with “fixed”."),
        "already_closed": _("The report cannot change to this status now."),
        "close_reason_needed": _(
            "Closing needs a reason: duplicate, not our asset or no fault found."
        ),
        "not_closed": _("Only a fixed or closed report can be reopened."),
        "empty_note": _("A note needs some text."),
        "reason_needed": _("Say why the order changes."),
        "report_not_open": _("This report is already dealt with."),
        "same_report": _("A report cannot be merged into itself."),
        "same_owner": _("It is already with them."),
        "no_asset": _("This report is on no asset, so no work can be recorded with it."),
        # A report taken for a caller (reports/intake.py, reports/asset_lookup.py)
        "label_mistyped": _("This sticker code has a typo: please read it out again."),
        "label_unknown": _("There is no sticker with this code."),
        "label_retired": sticker_gone,
        "asset_out_of_scope": _("This asset is not among those your organisation looks after."),
        "no_such_asset": _("No asset in service has this ledger number."),
        "ambiguous_asset": _(
            "Several assets have this ledger number: choose the asset type too, or use the "
            "sticker code."
        ),
        "no_location": _(
            "Say where it is: a sticker code or ledger number, the town and the place, a point "
            "on the map, or a photo taken there."
        ),
        "outside_area": _(
            "This place is outside the city's area. Please report it to the city or town that "
            "looks after it."
        ),
        "bad_category": _("Please choose what is wrong from the list for this asset."),
        "too_many_photos": _("Too many photos."),
        "photo_taken": _("A photo was already used."),
        "invalid_answer": _("Please check this answer."),
        # API keys (reports/clients.py)
        "empty_name": _("Name the system this key is for."),
        "name_taken": _("A key for a system of this name already exists."),
        "bad_rate": _("Write the rate limit as requests/seconds, for example 600/3600."),
        "no_city": _("There is no city organisation to issue keys for."),
    }


# The same code may mean something narrower on one field.
_ON_FIELD = {
    ("forbidden", "assignee"): lambda: _("Assign within your organisation."),
    ("invalid", "points"): lambda: _("Between -100 and +100."),
}


def refusal_text(exc: DomainError) -> str:
    """The sentence for the refusal's code in the active language; the service's own
    sentence for a code this screen does not know yet."""
    narrower = _ON_FIELD.get((exc.code, getattr(exc, "field", None)))
    if narrower is not None:
        return narrower()
    return _texts().get(exc.code, str(exc))
