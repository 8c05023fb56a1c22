"""Empty the guesses msgmerge marks as fuzzy, so a new string is never shown with the
translation of a different one; other flags (python-format…) are kept. Run by `make i18n`
after makemessages."""

import sys
from pathlib import Path

import polib


def unfuzzy(path: Path) -> int:
    """Empty every fuzzy entry of the .po file at `path` (the header aside); how many."""
    catalog = polib.pofile(str(path), wrapwidth=79)
    changed = 0
    for entry in catalog:
        if entry.obsolete or "fuzzy" not in entry.flags:
            continue
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        entry.msgstr = ""
        entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
        changed += 1
    if changed:
        catalog.save(str(path))
    return changed


if __name__ == "__main__":
    for name in sys.argv[1:]:
        count = unfuzzy(Path(name))
        if count:
            print(f"{name}: {count} fuzzy guesses emptied")
