"""Everything a resident sees is translated, in all six languages (English is the source);
the staff's screens (managers, inspections) in Japanese, beside the English source."""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["ja", "pt_BR", "zh_Hans", "ko", "vi"]
# Only staff read these: Japanese and English are their languages (issue 6).
STAFF_ONLY = (
    "accounts/",
    "web_admin/",
    "field/",
    "channels/models.py",
    "channels/mail.py",
    "inspections/",
    "reports/priority.py",
    "reports/bulk.py",
    "reports/dashboard.py",
    "reports/work_orders.py",
    "reports/exports.py",
    "reports/places.py",
    "reports/management/",
    "reports/templates/reports/email/assigned",
    "reports/templates/reports/email/new_report_staff",
)


def _entries(language: str, *, with_references: bool = False, with_plural: bool = False):
    """(msgid, [msgstr…]) of each entry of a .po file, obsolete ones left out; with
    references, (msgid, [msgstr…], [path:line…])."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~") or "msgid " not in block:
            continue
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgid ", 1)[1].split("\nmsg")[0]))
        strings = [
            "".join(re.findall(r'"(.*)"', part.split("\nmsg")[0]))
            for part in re.split(r"\nmsgstr(?:\[\d\])? ", block)[1:]
        ]
        references = [
            ref for line in block.split("\n") if line.startswith("#: ") for ref in line[3:].split()
        ]
        plural = None
        if "\nmsgid_plural " in block:
            plural_part = block.split("\nmsgid_plural ", 1)[1].split("\nmsg")[0]
            plural = "".join(re.findall(r'"(.*)"', plural_part))
        if msgid and with_plural:
            yield msgid, strings, plural
        elif msgid:
            yield (msgid, strings, references) if with_references else (msgid, strings)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    missing = [
        msgid
        for msgid, strings, references in _entries(language, with_references=True)
        if not all(strings)
        and (language == "ja" or not all(r.startswith(STAFF_ONLY) for r in references))
    ]

    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    placeholder = re.compile(r"%\(\w+\)[sd]|%s|\{\{[^}]*\}\}")
    broken = []
    for msgid, strings, plural in _entries(language, with_plural=True):
        if plural is None:
            if any(s and sorted(placeholder.findall(s)) != sorted(placeholder.findall(msgid))
                   for s in strings):  # fmt: skip
                broken.append(msgid)
            continue
        # Plural forms: a form may leave out the number ("one asset"), but none may bring a
        # placeholder of its own, and the forms together keep every one.
        allowed = set(placeholder.findall(msgid)) | set(placeholder.findall(plural))
        used = [set(placeholder.findall(s)) for s in strings if s]
        if used and (any(u - allowed for u in used) or set().union(*used) != allowed):
            broken.append(msgid)

    assert broken == []


def test_no_translation_is_left_fuzzy():
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        assert "#, fuzzy" not in po.read_text(encoding="utf-8"), po
