"""A filter form said in words, for the first rows of an export: 「状態=受付済、種類=夜間に
点灯しない、対応目標を過ぎたものだけ」. Only what the form accepted is said: a field with a bad
value was ignored by the list, so the file does not claim it."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports.models import Report
from web_admin.inspection_forms import parse_bbox


def _japanese() -> bool:
    return (get_language() or "ja").startswith("ja")


def _and() -> str:
    return "・" if _japanese() else " / "


def _then() -> str:
    return "、" if _japanese() else ", "


def _choice_word(field: forms.ChoiceField, value) -> str:
    words = {}
    for key, label in field.choices:
        if isinstance(label, list | tuple):  # a group of choices
            words.update({str(k): str(v) for k, v in label})
        else:
            words[str(key)] = str(label)
    return words.get(str(value), str(value))


def _value_words(field: forms.Field, value) -> str:
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.MultipleChoiceField):
        return _and().join(_choice_word(field, v) for v in value)
    if isinstance(field, forms.ChoiceField):
        return _choice_word(field, value)
    return str(value)


def _box_words(value) -> str:
    box = value if isinstance(value, tuple) else parse_bbox(str(value))
    if box is None:
        return ""
    west, south, east, north = box
    return _("latitude %(south).5f–%(north).5f, longitude %(west).5f–%(east).5f") % {
        "south": south,
        "north": north,
        "west": west,
        "east": east,
    }


def filter_words(form: forms.Form, *, leave_out=("per_page", "page")) -> list[str]:
    """Each accepted, non-empty field of the bound form as "label=value" (a ticked box as its
    label alone), in the form's order."""
    data = getattr(form, "cleaned_data", {})
    words = []
    for name, field in form.fields.items():
        if name in leave_out or name in form.errors:
            continue
        value = data.get(name)
        if value in (None, "", False) or value == [] or value == ():
            continue
        if isinstance(field, forms.BooleanField):
            words.append(str(field.label))
            continue
        if name == "bbox":
            text = _box_words(value)
            if text:
                words.append(f"{_('Map area')}={text}")
            continue
        words.append(f"{field.label}={_value_words(field, value)}")
    return words


def queue_filter_words(form: forms.Form) -> str:
    """The queue's filter in words; with no status chosen, the queue shows the open ones."""
    words = filter_words(form)
    data = getattr(form, "cleaned_data", {})
    if not data.get("status") or "status" in form.errors:
        open_words = _and().join(str(Report.Status(code).label) for code in Report.OPEN_STATUSES)
        words.insert(0, f"{form.fields['status'].label}={open_words}")
    return _then().join(words)


def inspection_filter_words(form: forms.Form) -> str:
    return _then().join(filter_words(form)) or _("No filter")
