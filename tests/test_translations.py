"""Everything a user sees is translated, in all six languages (English is the source)."""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["ja", "pt_BR", "zh_Hans", "ko", "vi"]


def _entries(language: str):
    """(msgid, [msgstr…]) of each entry of a .po file, obsolete ones left out."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~") or "msgid " not in block:
            continue
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgid ", 1)[1].split("\nmsg")[0]))
        strings = [
            "".join(re.findall(r'"(.*)"', part.split("\nmsg")[0]))
            for part in re.split(r"\nmsgstr(?:\[\d\])? ", block)[1:]
        ]
        if msgid:
            yield msgid, strings


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    missing = [msgid for msgid, strings in _entries(language) if not all(strings)]

    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    placeholder = re.compile(r"%\(\w+\)[sd]|%s|\{\{[^}]*\}\}")
    broken = [
        msgid
        for msgid, strings in _entries(language)
        if any(
            sorted(placeholder.findall(s)) != sorted(placeholder.findall(msgid)) for s in strings
        )
        and "msgid_plural" not in msgid
    ]

    assert broken == []


def test_no_translation_is_left_fuzzy():
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        assert "#, fuzzy" not in po.read_text(encoding="utf-8"), po
