"""Standard public notes (定型文): what staff and owners tell residents, in every language.

A note typed by hand is Japanese and reaches a Vietnamese resident as Japanese; a standard
note is chosen by its code, stored as the code (ReportEvent.note_code) and shown in each
reader's own language from the catalogues. Free text may follow; it is shown labelled as
Japanese under the translated line. Codes are stored: never rename one, only add.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

NOTES = {
    "site_checked": _("We have checked the site."),
    "contractor_requested": _("We have asked a contractor to repair it."),
    "parts_ordered": _("We are waiting for the parts to arrive."),
    "scheduled": _("We are arranging a date for the repair."),
    "weather": _("The work will be done when the weather allows."),
    "temporary_fix": _("A temporary fix is in place; the full repair will follow."),
    "repaired": _("The repair is finished. Thank you for telling us."),
    "owner_told": _("We have told the organisation that looks after it."),
    "not_found": _("We checked the site but could not find the fault."),
    "large_work": _("The repair needs a larger work; it will take some time."),
}


def choices() -> list[tuple[str, str]]:
    """(code, text) for a form, the empty choice first."""
    return [("", "—"), *NOTES.items()]


def text(code: str, language: str | None = None) -> str:
    """The note in `language` (the active one when None); '' for an unknown code."""
    note = NOTES.get(code)
    if note is None:
        return ""
    if language is None:
        return str(note)
    with override(language):
        return str(note)
