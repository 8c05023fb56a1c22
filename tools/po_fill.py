"""Fill empty translations of a .po file from a JSON file {msgid: msgstr} (for plurals,
msgid: [form, form…]); translated entries are left alone. Prints what is still empty.
Usage: python tools/po_fill.py locale/ja/LC_MESSAGES/django.po ja.json"""

import ast
import json
import re
import sys
from pathlib import Path

QUOTED = re.compile(r'^(?:msgid |msgid_plural |msgstr(?:\[\d+\])? )?(".*")$')


def _text(lines: list[str]) -> str:
    return "".join(ast.literal_eval(QUOTED.match(line).group(1)) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _parts(lines: list[str]) -> dict[str, list[str]]:
    """Lines of each keyword of an entry (msgid, msgid_plural, msgstr, msgstr[0] …)."""
    parts, current = {}, None
    for line in lines:
        if line.startswith("#"):
            continue
        if line.startswith("msg"):
            current = line.split(" ", 1)[0]
            parts[current] = [line]
        elif current and line.startswith('"'):
            parts[current].append(line)
    return parts


def fill(path: Path, translations: dict) -> list[str]:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    missing = []
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        if block.lstrip().startswith("#~") or not any(x.startswith("msgid ") for x in lines):
            continue
        parts = _parts(lines)
        msgid = _text(parts["msgid"])
        strings = {k: _text(v) for k, v in parts.items() if k.startswith("msgstr")}
        if not msgid or all(strings.values()):
            continue
        value = translations.get(msgid)
        if value is None:
            missing.append(msgid)
            continue
        head = [x for x in lines if x.startswith("#")]
        head += parts["msgid"] + parts.get("msgid_plural", [])
        if "msgid_plural" in parts:
            forms = value if isinstance(value, list) else [value]
            count = len([k for k in strings if k != "msgstr"])
            forms = (forms + [forms[-1]] * count)[:count]
            body = [f"msgstr[{n}] {_quote(form)}" for n, form in enumerate(forms)]
        else:
            body = [f"msgstr {_quote(value if isinstance(value, str) else value[0])}"]
        blocks[index] = "\n".join(head + body)
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return missing


if __name__ == "__main__":
    still = fill(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
    for msgid in still:
        print("untranslated:", json.dumps(msgid, ensure_ascii=False))
