"""A form's photos, staged: each refused file (or a silent storage) becomes an error on the
form's field, nothing half-kept. Used by every form that takes photos beside its words:
the staff intake, a status change with photos of the repair, an owner's link page, a
resident's "still broken"."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from reports import photo_store
from reports.forms import photo_errors


def stage(form, field: str, uploads, *, room: int):
    """The staged photos (perhaps none), or None with the reasons on form[field]: then
    nothing was kept. Answer 503 when form.has_error(field, "storage_unavailable")."""
    if not uploads:
        return []
    try:
        photos, refused = photo_store.photos_stage(uploads, room=room)
    except photo_store.StorageUnavailable:
        form.add_error(
            field,
            ValidationError(
                _(
                    "The photos could not be stored just now: send it without them, "
                    "or try again in a few minutes."
                ),
                code="storage_unavailable",
            ),
        )
        return None
    for problem in photo_errors(refused):
        form.add_error(field, problem)
    if refused:
        photo_store.photos_discard(photos)
        return None
    return photos
