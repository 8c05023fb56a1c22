"""The translation helpers of `make i18n`: fuzzy guesses emptied with their format flags
kept; empty entries filled from JSON, plurals included; nothing else touched."""

import json
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tools import po_fill, po_unfuzzy

ROOT = Path(__file__).resolve().parent.parent.parent

PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=1; plural=0;\n"

#: reports/forms.py:1
#, fuzzy, python-format
#| msgid "at most %(count)s photo."
msgid "at most %(count)s photos."
msgstr "写真は%(count)s枚まで。"

#: reports/forms.py:2
#, python-format
msgid "Report %(number)s"
msgstr "通報 %(number)s"

#: reports/forms.py:3
msgid "Target date"
msgstr ""

#: web_admin/privacy.html:4
#, python-format
msgid "%(counter)s contribution found"
msgid_plural "%(counter)s contributions found"
msgstr[0] ""

#~ msgid "Gone"
#~ msgstr "なくなった"
"""


@pytest.fixture
def po(tmp_path):
    path = tmp_path / "django.po"
    path.write_text(PO, encoding="utf-8")
    return path


def test_a_fuzzy_guess_is_emptied_and_keeps_its_format_flag(po):
    assert po_unfuzzy.unfuzzy(po) == 1

    entry = polib.pofile(str(po)).find("at most %(count)s photos.")
    assert entry.msgstr == "" and entry.flags == ["python-format"]
    assert entry.previous_msgid is None
    kept = polib.pofile(str(po)).find("Report %(number)s")
    assert kept.msgstr == "通報 %(number)s" and kept.flags == ["python-format"]


def test_a_file_without_fuzzy_entries_is_left_as_it_is(po):
    po_unfuzzy.unfuzzy(po)
    before = po.read_bytes()

    assert po_unfuzzy.unfuzzy(po) == 0
    assert po.read_bytes() == before


def test_empty_entries_are_filled_from_json_and_plurals_get_every_form(po, tmp_path):
    po_unfuzzy.unfuzzy(po)

    missing = po_fill.fill(
        po,
        {
            "Target date": "対応目標日",
            "%(counter)s contribution found": ["%(counter)s件見つかりました"],
            "Report %(number)s": "上書きしない",
        },
    )

    catalog = polib.pofile(str(po))
    assert catalog.find("Target date").msgstr == "対応目標日"
    plural = catalog.find("%(counter)s contribution found")
    assert plural.msgstr_plural == {0: "%(counter)s件見つかりました"}
    assert plural.flags == ["python-format"]
    assert catalog.find("Report %(number)s").msgstr == "通報 %(number)s"  # left alone
    assert missing == ["at most %(count)s photos."]
    assert '#~ msgid "Gone"' in po.read_text(encoding="utf-8")  # obsolete kept as is


def test_the_command_line_prints_what_is_still_empty(po, tmp_path):
    translations = tmp_path / "ja.json"
    translations.write_text(json.dumps({"Target date": "対応目標日"}), encoding="utf-8")

    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "po_fill.py"), str(po), str(translations)],
        capture_output=True,
        text=True,
        check=True,
    )

    assert 'untranslated: "%(counter)s contribution found"' in done.stdout
    assert "Target date" not in done.stdout
