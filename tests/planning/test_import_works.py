"""manage.py import_works: a works ledger (Shift_JIS CSV with a title row, era dates and yen
amounts, or .xlsx) recorded once; the same file again changes nothing; a file with problems
writes nothing and says what is wrong on which line."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from planning.models import Work
from tests import factories

GOOD = (
    "出雲市 道路河川維持課 補修履歴\n"
    "台帳番号,実施日,作業種別,費用,業者,作業後健全度,備考\n"
    'BH-0001,令和5年6月1日,補修,"38,500円",izumo-densetsu,I,灯具交換\n'
    "BH-0002,2024/11/20,予防保全,,,,\n"
)


@pytest.fixture
def lights(catalogue, city):
    return [
        factories.asset("security-light", owner=city["road"], ledger_id=f"BH-000{n}")
        for n in (1, 2)
    ]


def _run(path, *options):
    out = StringIO()
    call_command("import_works", str(path), "--owner", "izumo-doro", *options, stdout=out)
    return out.getvalue()


def test_a_shift_jis_ledger_is_recorded_once(tmp_path, lights, city):
    path = tmp_path / "works.csv"
    path.write_bytes(GOOD.encode("cp932"))

    first = _run(path)
    again = _run(path)

    assert "2 works recorded, 0 already there" in first
    assert "0 works recorded, 2 already there" in again
    repair = Work.objects.get(asset=lights[0])
    assert (repair.kind, repair.done_on, repair.cost_yen) == (
        "repair",
        datetime.date(2023, 6, 1),
        38_500,
    )
    assert (repair.contractor, repair.grade_after, repair.note) == (
        city["contractor"],
        "I",
        "灯具交換",
    )
    assert Work.objects.get(asset=lights[1]).kind == "preventive"


def test_an_excel_ledger_reads_the_same(tmp_path, lights):
    book = Workbook()
    sheet = book.active
    for row in [["台帳番号", "実施日", "作業種別", "費用"], ["BH-0001", "R5.6.1", "更新", 120000]]:
        sheet.append(row)
    path = tmp_path / "works.xlsx"
    book.save(path)

    assert "1 works recorded" in _run(path)
    assert Work.objects.get().kind == "renewal"


def test_a_dry_run_writes_nothing(tmp_path, lights):
    path = tmp_path / "works.csv"
    path.write_text(GOOD, encoding="utf-8")

    assert "2 works would be recorded" in _run(path, "--dry-run")
    assert not Work.objects.exists()


def test_a_file_with_problems_writes_nothing_and_names_each_line(tmp_path, lights):
    path = tmp_path / "works.csv"
    path.write_text(
        "台帳番号,実施日,作業種別,費用,業者,作業後健全度\n"
        "BH-0001,2023-06-01,補修,,,\n"  # fine, but the file as a whole is refused
        "BH-9999,2023-06-01,補修,,,\n"
        "BH-0001,平成31年5月1日,補修,,,\n"
        "BH-0001,2023-06-02,塗装,,,\n"
        "BH-0001,2023-06-03,補修,たくさん,,\n"
        "BH-0002,2099-01-01,補修,,,\n"
        "BH-0002,2023-06-04,補修,,どこかの会社,\n"
        "BH-0002,2023-06-05,補修,,,A\n",
        encoding="utf-8",
    )
    out = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_works", str(path), "--owner", "izumo-doro", stdout=out)

    text = out.getvalue()
    assert caught.value.returncode == 1 and not Work.objects.exists()
    for line, code_word in [
        (3, "ledger id"),
        (4, "平成 ended"),
        (5, "補修, 更新 or 予防保全"),
        (6, "not an amount in yen"),
        (7, "in the future"),
        (8, "no organisation"),
        (9, "not a grade"),
    ]:
        assert any(row.startswith(f"{line},") and code_word in row for row in text.splitlines()), (
            line
        )


def test_a_missing_column_or_owner_is_refused(tmp_path, lights):
    path = tmp_path / "works.csv"
    path.write_text("台帳番号,費用\nBH-0001,100\n", encoding="utf-8")

    with pytest.raises(CommandError) as missing:
        _run(path)
    with pytest.raises(CommandError) as owner:
        call_command("import_works", str(path), "--owner", "nobody", stdout=StringIO())

    assert missing.value.returncode == 1 and owner.value.returncode == 2
    assert not Work.objects.exists()
