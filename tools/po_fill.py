"""Fill empty translations of a .po file from a JSON file {msgid: msgstr} (for plurals,
msgid: [form, form…]); translated entries are left alone, and so are their flags. Prints
what is still empty.
Usage: python tools/po_fill.py locale/ja/LC_MESSAGES/django.po ja.json"""

import json
import sys
from pathlib import Path

import polib


def fill(path: Path, translations: dict) -> list[str]:
    """Fill the empty entries of the .po file at `path`; the msgids still empty."""
    catalog = polib.pofile(str(path), wrapwidth=79)
    missing = []
    for entry in catalog:
        if entry.obsolete or entry.translated():
            continue
        value = translations.get(entry.msgid)
        if value is None:
            missing.append(entry.msgid)
            continue
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            count = max(len(entry.msgstr_plural), 1)
            forms = (forms + [forms[-1]] * count)[:count]
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save(str(path))
    return missing


if __name__ == "__main__":
    still = fill(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
    for msgid in still:
        print("untranslated:", json.dumps(msgid, ensure_ascii=False))
