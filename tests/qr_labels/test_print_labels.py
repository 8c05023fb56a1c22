"""print_labels: print-ready sheets whose every QR code leads to the right asset."""

import shutil
import subprocess
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from PIL import Image

from accounts import policy
from qr_labels import codes, services
from qr_labels.models import Label
from qr_labels.sheets import PRESETS, LabelContent, SheetLayout, iter_sheets
from tests import factories
from tests.conftest import require

SCAN_LINE = "故障を見つけたら"


@pytest.fixture
def poppler():
    for tool in ("pdftoppm", "pdftotext", "pdffonts"):
        require(shutil.which(tool) is not None, f"{tool} (poppler-utils)")


@pytest.fixture
def street(catalogue, city):
    """Fourteen assets of two types: more than one A4 sheet of 12."""
    lights = [
        factories.asset(
            "security-light", owner=city["road"], lon=132.75 + i / 1000, ledger_id=f"BH-{i:04d}"
        )
        for i in range(10)
    ]
    swings = [
        factories.asset(
            "swing", owner=city["parks"], lon=132.76 + i / 1000, ledger_id=f"PF-{i:04d}"
        )
        for i in range(4)
    ]
    return lights + swings


def _print(tmp_path, *args) -> tuple[Path, str]:
    out = StringIO()
    pdf = tmp_path / "labels.pdf"
    call_command("print_labels", "-o", str(pdf), *args, stdout=out)
    return pdf, out.getvalue()


def _decode_pages(pdf: Path, tmp_path: Path) -> list[str]:
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    texts = []
    for page in sorted(tmp_path.glob("page-*.png")):
        texts += [result.text for result in zxingcpp.read_barcodes(Image.open(page))]
    return texts


def test_every_printed_qr_code_leads_to_its_asset(client, tmp_path, poppler, street):
    pdf, report = _print(tmp_path, "--preset", "a4-12")

    urls = _decode_pages(pdf, tmp_path)

    assert "14 labels on 2 pages" in report
    assert len(urls) == 14
    landed = set()
    for url in urls:
        assert url.startswith("HTTP://127.0.0.1:8000/Q/")
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200, url
        html = response.content.decode()
        code = url.rsplit("/", 1)[1]
        asset = Label.objects.get(code=code).asset
        # The page names the asset the label is on, and no other.
        assert f"<dd>{asset.ledger_id}</dd>" in html
        assert codes.display(code) in html
        landed.add(asset.pk)
    assert landed == {asset.pk for asset in street}


def test_the_pdf_text_holds_each_code_and_the_japanese_line(tmp_path, poppler, street):
    pdf, _ = _print(tmp_path)

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    for label in Label.objects.filter(state="active"):
        assert codes.display(label.code) in text
    assert text.count(SCAN_LINE) == 14
    assert "Scan to report a fault" in text
    assert "出雲市 防犯灯" in text and "出雲市 ブランコ" in text
    assert "0853-21-2211" in text and "BH-0003" in text


def test_the_japanese_font_is_embedded(tmp_path, poppler, street):
    pdf, _ = _print(tmp_path)

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)

    row = fonts.stdout.splitlines()[2].split()
    assert "IPAexGothic" in row[0]
    assert row[-5:-2] == ["yes", "yes", "yes"]  # embedded, subset, ToUnicode


def test_labels_are_issued_once_and_reprinting_keeps_the_codes(tmp_path, street):
    _print(tmp_path)
    first = set(Label.objects.values_list("code", flat=True))

    _, report = _print(tmp_path)

    assert "0 new labels issued" in report
    assert set(Label.objects.values_list("code", flat=True)) == first
    assert not Label.objects.filter(printed_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (["--type", "swing"], 4),
        (["--owner", "izumo-doro"], 10),
        (["--owner", "izumo"], 14),
        (["--ledger-ids", "BH-0001,BH-0002,PF-0003"], 3),
        (["--bbox", "132.7495,35.36,132.7525,35.37"], 3),
    ],
)
def test_assets_are_selected_by_type_owner_ledger_ids_and_box(tmp_path, street, args, count):
    _, report = _print(tmp_path, *args)

    assert report.startswith(f"{count} labels")


def test_only_assets_without_a_label_can_be_chosen(tmp_path, street):
    services.label_issue(asset=street[0], acting_user=policy.SYSTEM)

    _, report = _print(tmp_path, "--without-label")

    assert report.startswith("13 labels")


def test_a_park_brings_its_fixtures(tmp_path, catalogue, city):
    park = factories.asset(
        "park", owner=city["parks"], ledger_id="PK-1", attributes={"area_m2": 1200}
    )
    for kind in ("swing", "slide", "bench"):
        factories.asset(kind, owner=city["parks"], parent=park)
    factories.asset("swing", owner=city["parks"])  # in another park

    _, report = _print(tmp_path, "--park", "PK-1")

    assert report.startswith("4 labels")


def test_retired_assets_are_not_printed(tmp_path, street):
    street[0].status = "retired"
    street[0].save()

    _, report = _print(tmp_path)

    assert report.startswith("13 labels")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "spaceship"], "unknown asset type"),
        (["--owner", "nobody"], "unknown owner"),
        (["--park", "PK-404"], "no park"),
        (["--bbox", "1,2,3"], "--bbox"),
        (["--columns", "9"], "wide"),
        (["--label-height", "5"], "cannot hold a QR code"),
        (["--ledger-ids", "NOPE"], "nothing to print"),
    ],
)
def test_bad_selections_and_layouts_are_refused_clearly(tmp_path, street, args, message):
    with pytest.raises(CommandError, match=message):
        _print(tmp_path, *args)

    assert not (tmp_path / "labels.pdf").exists()


def test_a_custom_grid_in_millimetres_is_honoured(tmp_path, poppler, street):
    pdf, report = _print(
        tmp_path,
        "--columns",
        "2",
        "--rows",
        "2",
        "--label-width",
        "90",
        "--label-height",
        "50",
        "--margin-left",
        "10",
        "--margin-top",
        "10",
        "--outline",
    )

    assert "14 labels on 4 pages" in report
    assert len(_decode_pages(pdf, tmp_path)) == 14


def test_sheets_are_written_page_by_page():
    contents = (
        LabelContent(codes.generate(), "防犯灯", f"BH-{i}", "出雲市", "0853-21-2211")
        for i in range(24 * 3)
    )

    chunks = list(iter_sheets(contents, layout=PRESETS["a4-24"]))

    # One chunk per full page, then the font, page tree and cross-reference table.
    assert len(chunks) == 4
    assert chunks[0].startswith(b"%PDF-1.7") and chunks[-1].endswith(b"%%EOF\n")


def test_a_layout_that_does_not_fit_the_page_is_refused():
    layout = SheetLayout(3, 9, 66.0, 33.9, margin_left=6.0, margin_top=12.9)

    with pytest.raises(ValueError, match="down"):
        layout.check()
