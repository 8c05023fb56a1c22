"""Everything a user sees is translated: staff pages in Japanese, public pages in all six."""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
RESIDENT_LANGUAGES = ["pt_BR", "zh_Hans", "ko", "vi"]
# Source files whose strings residents see (staff screens are Japanese and English only).
PUBLIC_SOURCES = ("templates/", "reports/", "qr_labels/")
STAFF_ONLY = ("apps.py", "admin.py", "models.py")


def _entries(language: str):
    """(source references, msgid, msgstr) of each entry of a .po file."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        references = " ".join(re.findall(r"^#: (.*)$", block, re.M))
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgid ", 1)[-1].split("msgstr")[0]))
        msgstr = (
            "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[-1]))
            if "msgstr" in block
            else ""
        )
        if msgid and not block.lstrip().startswith("#~"):
            yield references, msgid, msgstr


def test_every_string_has_a_japanese_translation():
    missing = [msgid for _, msgid, msgstr in _entries("ja") if not msgstr]

    assert missing == []


@pytest.mark.parametrize("language", RESIDENT_LANGUAGES)
def test_every_public_string_is_translated_for_residents(language):
    missing = [
        msgid
        for references, msgid, msgstr in _entries(language)
        if not msgstr
        and any(
            ref.startswith(PUBLIC_SOURCES)
            and ref.split(":")[0].rsplit("/", 1)[-1] not in STAFF_ONLY
            for ref in references.split()
        )
    ]

    assert missing == []


def test_no_translation_is_left_fuzzy():
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        assert "#, fuzzy" not in po.read_text(encoding="utf-8"), po
