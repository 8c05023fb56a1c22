"""The resident's report form: plain HTML fields that work without JavaScript."""

import datetime
import math

from django import forms
from django.conf import settings
from django.contrib.gis.geos import Point
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets import fieldspecs
from assets.models import FaultCategory, Town
from reports.photo_store import SentExif
from reports.photos import PhotoError

TEXT_LIMIT = 4000

# What a resident reads above each kind's faults on /report/ (FaultCategory.Group).
KIND_LABELS = {
    FaultCategory.Group.LIGHTING: _("Streetlights and security lights"),
    FaultCategory.Group.PARK: _("Parks and playground equipment"),
    FaultCategory.Group.ROAD: _("Roads, gutters and road signs"),
    FaultCategory.Group.OTHER: _("Something else"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files; each is checked by the photo pipeline, not here."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [f for f in files if f]


def question_field(spec: dict, language: str) -> forms.Field:
    """A form field for one extra question of a fault category."""
    label = fieldspecs.label(spec, language)
    common = {"label": label, "required": False}
    kind = spec["kind"]
    if kind == "choice":
        choices = [("", "—")] + [
            (c["value"], fieldspecs.label(c, language)) if isinstance(c, dict) else (c, c)
            for c in spec.get("choices", [])
        ]
        return forms.ChoiceField(choices=choices, **common)
    if kind == "boolean":
        return forms.ChoiceField(
            choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))],
            widget=forms.RadioSelect,
            **common,
        )
    if kind in ("integer", "decimal"):
        return forms.DecimalField(
            min_value=spec.get("min"),
            max_value=spec.get("max"),
            widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
            **common,
        )
    return forms.CharField(max_length=500, **common)


class ReportForm(forms.Form):
    """What is wrong, where, a note, photos and an optional email.

    Photos arrive as files and are staged at once (kept across a form that comes back with
    an error); `photo_tokens` carries the staged ones.
    """

    category = forms.ChoiceField(label=_("What is wrong?"), widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Anything else we should know? (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT}),
    )
    photos = PhotosField(
        label=_("Photos (optional, up to 5)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
    )
    photo_tokens = forms.CharField(required=False, widget=forms.MultipleHiddenInput)
    label_code = forms.CharField(
        label=_("Sticker code, if there is a sticker (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0)
    location_source = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("device", "device"), ("map", "map")],
        widget=forms.HiddenInput,
    )
    town = forms.ModelChoiceField(
        label=_("Town"),
        queryset=Town.objects.all(),
        required=False,
        empty_label=_("— choose the town —"),
    )
    address_text = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=300,
        help_text=_("e.g. in front of the school gate, 2-chome crossing"),
    )
    email = forms.EmailField(
        label=_("Email, to hear how it goes (optional)"), required=False, max_length=254
    )
    consent = forms.BooleanField(
        label=_("The city, and whoever repairs the fault for it, may contact me about this report"),
        required=False,
    )
    share = forms.BooleanField(
        label=_(
            "My description and photos may be passed to the owner or contractor who repairs "
            "it, if that is not the city (never my email)"
        ),
        required=False,
    )
    asset_choice = forms.CharField(required=False, widget=forms.HiddenInput)
    force_new = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # A field people never see: bots fill every field they find.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, categories, language: str, with_asset: bool, where=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The towns of the request's city (`where`: a request or a city; None: every town).
        self.fields["town"].queryset = Town.of(where)
        self.language = language
        self.with_asset = with_asset
        self.categories = list(categories)
        self.fields["category"].choices = [(c.code, c.name_in(language)) for c in self.categories]
        self.question_fields: dict[str, list[str]] = {}
        if self.is_bound:
            self._add_question_fields()
        if with_asset:
            for name in ("label_code", "town", "address_text"):
                self.fields.pop(name)

    def _add_question_fields(self) -> None:
        """One field per extra question of every category. Built only when needed: an empty
        form's questions come from the cached fragment on almost every scan."""
        if self.question_fields:
            return
        for category in self.categories:
            names = []
            for spec in category.questions:
                name = f"q_{category.code}_{spec['key']}"
                self.fields[name] = question_field(spec, self.language)
                names.append(name)
            self.question_fields[category.code] = names

    def category_object(self) -> FaultCategory | None:
        code = self.cleaned_data.get("category")
        return next((c for c in self.categories if c.code == code), None)

    def answers(self) -> dict:
        category = self.category_object()
        if category is None:
            return {}
        result = {}
        for spec in category.questions:
            value = self.cleaned_data.get(f"q_{category.code}_{spec['key']}")
            if value not in (None, ""):
                result[spec["key"]] = str(value) if not isinstance(value, str) else value
        return result

    def point(self) -> Point | None:
        lat, lon = self.cleaned_data.get("lat"), self.cleaned_data.get("lon")
        if lat is None or lon is None:
            return None
        return Point(lon, lat, srid=4326)

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Please leave this field empty."), code="honeypot")
        return ""

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["photo_exif"] = sent_photo_exif(self.data)
        except forms.ValidationError as exc:
            self.add_error("photos", exc)
        return cleaned

    def photo_exif(self) -> list[SentExif | None]:
        """Per uploaded file, in order: the place and time the page read from it before
        shrinking it (empty when the page sent none, or sent nonsense)."""
        self.is_valid()
        return self.cleaned_data.get("photo_exif", [])

    def grouped_categories(self):
        """(category, bound question fields) pairs, for rendering each category's questions
        right under it."""
        self._add_question_fields()
        return [
            (category, [self[name] for name in self.question_fields[category.code]])
            for category in self.categories
        ]

    def kinds(self) -> list[dict]:
        """The general form's faults by kind of thing (lights, parks, roads), each kind's
        own "other" last, so a resident opens one kind instead of reading every fault; the
        kind of the fault already chosen is open. A sticker's form knows its kind: one
        kind without a label, shown as a plain list."""
        if self.with_asset:
            return [{"code": "", "label": "", "categories": self.grouped_categories()}]
        chosen = self["category"].value() if self.is_bound else None
        kinds: dict[str, dict] = {}
        for category, questions in self.grouped_categories():
            kind = kinds.setdefault(
                category.group,
                {
                    "code": category.group,
                    "label": KIND_LABELS.get(category.group, category.get_group_display()),
                    "categories": [],
                    "open": False,
                },
            )
            kind["categories"].append((category, questions))
            kind["open"] |= category.code == chosen
        return list(kinds.values())


class MeTooForm(forms.Form):
    email = forms.EmailField(
        label=_("Email, to hear how it goes (optional)"), required=False, max_length=254
    )
    photo = forms.FileField(label=_("A photo (optional)"), required=False)
    photo_token = forms.UUIDField(required=False, widget=forms.HiddenInput)


# --- Photos sent with a form -------------------------------------------------------------

# The page shrinks photos before sending them, and the shrunk copy has no EXIF: it reads the
# original's GPS and time first and sends them beside the files, one entry per file.
PHOTO_EXIF_FIELDS = ("photo_lat", "photo_lon", "photo_taken_at")
_EARLIEST_PHOTO = datetime.datetime(2000, 1, 2, tzinfo=datetime.UTC)
_PHOTO_EXIF_ERROR = _(
    "The place or time sent with a photo cannot be used. Please choose the photos again."
)


def sent_photo_exif(data) -> list[SentExif | None]:
    """The photo_lat / photo_lon / photo_taken_at lists a page sent, checked: coordinates in
    range and given together, times in ISO 8601. Raises ValidationError on nonsense.

    Read as the server reads a photo's own EXIF (reports/exif.py): 0,0 is a receiver without
    a fix and a time before 2000 or in the future a camera clock never set; both count as
    unknown, not as errors (the camera wrote them, not the resident)."""
    getlist = getattr(data, "getlist", None)
    if getlist is None:
        return []
    lats, lons, times = (getlist(name) for name in PHOTO_EXIF_FIELDS)
    if not (lats or lons or times):
        return []
    count = max(len(lats), len(lons), len(times))
    if not len(lats) == len(lons) == count or len(times) not in (0, count):
        raise forms.ValidationError(_PHOTO_EXIF_ERROR, code="photo_exif")
    return [
        _one_photo_exif(lat, lon, times[index] if times else "")
        for index, (lat, lon) in enumerate(zip(lats, lons, strict=True))
    ]


def _one_photo_exif(lat: str, lon: str, taken: str) -> SentExif | None:
    lat, lon, taken = lat.strip(), lon.strip(), taken.strip()
    gps = None
    if lat or lon:
        gps = (_degrees(lat, 90), _degrees(lon, 180))
        if gps == (0, 0):
            gps = None
    taken_at = _taken_at(taken) if taken else None
    return SentExif(gps=gps, taken_at=taken_at) if gps or taken_at else None


def _degrees(text: str, bound: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise forms.ValidationError(_PHOTO_EXIF_ERROR, code="photo_exif") from None
    if len(text) > 20 or not math.isfinite(value) or abs(value) > bound:
        raise forms.ValidationError(_PHOTO_EXIF_ERROR, code="photo_exif")
    return round(value, 7)


def _taken_at(text: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(text) if len(text) <= 40 else None
    except ValueError:
        moment = None
    if moment is None:
        raise forms.ValidationError(_PHOTO_EXIF_ERROR, code="photo_exif")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    if not _EARLIEST_PHOTO <= moment <= timezone.now() + datetime.timedelta(days=1):
        return None
    return moment


def photo_errors(refused) -> list[str]:
    """One line per refused file: its name and why, in the resident's language."""
    return [f"{name}: {photo_message(exc)}" for name, exc in refused]


def photo_message(exc: PhotoError) -> str:
    messages = {
        "unsupported_type": _(
            "this kind of file cannot be used. Please send a JPEG, PNG, HEIC or WebP photo."
        ),
        "too_large": _("the file is too large (at most %(mb)s MB).")
        % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
        "too_many_pixels": _("the picture is too large (at most %(mp)s megapixels).")
        % {"mp": settings.PHOTO_MAX_PIXELS // 1_000_000},
        "decompression_bomb": _("the file is not a normal photo and cannot be used."),
        "truncated": _("the file is incomplete. Please send it again."),
        "unreadable": _("the file could not be read as a photo."),
        "too_many_photos": _("at most %(count)s photos.") % {"count": settings.REPORT_MAX_PHOTOS},
    }
    return messages.get(exc.code, _("the file could not be read as a photo."))
