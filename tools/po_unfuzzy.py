"""Empty the guesses msgmerge marks as fuzzy, so a new string is never shown with the
translation of a different one. Run by `make i18n` after makemessages."""

import sys
from pathlib import Path


def unfuzzy(path: Path) -> int:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    changed = 0
    for index, block in enumerate(blocks):
        if "#, fuzzy" not in block or 'msgid ""\nmsgstr ""' in block:
            continue  # not fuzzy, or the header
        kept, in_msgstr = [], False
        for line in block.split("\n"):
            if line.startswith(("#, fuzzy", "#| ")):
                continue
            if line.startswith("msgstr"):
                # msgstr "…" or, for plurals, msgstr[0] "…", msgstr[1] "…": each emptied.
                in_msgstr = True
                kept.append(line.split(" ", 1)[0] + ' ""')
            elif not (in_msgstr and line.startswith('"')):
                kept.append(line)
        blocks[index] = "\n".join(kept)
        changed += 1
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return changed


if __name__ == "__main__":
    for name in sys.argv[1:]:
        count = unfuzzy(Path(name))
        if count:
            print(f"{name}: {count} fuzzy guesses emptied")
