"""A printed sticker speaks for its own city: its symbol holds its city's public address, and
its text names its city, phone and short address, also on a sheet printed without a request
(`print_labels` over several cities' assets)."""

import io
import subprocess
from io import StringIO
from urllib.parse import urlsplit

import zxingcpp
from django.core.management import call_command
from PIL import Image

from assets.models import Asset
from qr_labels import qr, selectors
from tests.qr_labels.test_print_labels import poppler  # noqa: F401 (a fixture)


def test_each_stickers_contents_are_its_own_citys(cities):
    contents = {c.code: c for c in selectors.label_contents(Asset.objects.all())}

    a, b = contents[cities.a.label.code], contents[cities.b.label.code]
    assert (a.city, a.phone, a.short_url, a.url_base) == (
        "出雲市",
        cities.a.row.phone,
        f"izumo.test/q/{cities.a.label.code}",
        "https://izumo.test",
    )
    assert (b.city, b.phone, b.short_url, b.url_base) == (
        "松江市",
        cities.b.row.phone,
        f"matsue.test/q/{cities.b.label.code}",
        "https://matsue.test",
    )


def test_a_value_given_for_the_sheet_is_printed_instead(cities):
    [content] = selectors.label_contents(
        Asset.objects.filter(pk=cities.b.asset.pk), phone="0852-00-0000"
    )

    assert (content.city, content.phone) == ("松江市", "0852-00-0000")


def test_a_single_symbol_holds_the_address_it_is_given(cities):
    image = Image.open(io.BytesIO(qr.png(cities.b.label.code, base="https://matsue.test")))

    [found] = zxingcpp.read_barcodes(image)
    assert found.text == f"HTTPS://MATSUE.TEST/Q/{cities.b.label.code}"


def test_a_sheet_of_two_cities_sends_each_resident_to_their_own_host(
    client,
    cities,
    tmp_path,
    poppler,  # noqa: F811
):
    pdf = tmp_path / "labels.pdf"
    call_command("print_labels", "-o", str(pdf), "--preset", "a4-12", stdout=StringIO())
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "p")], check=True)
    urls = sorted(
        found.text
        for page in sorted(tmp_path.glob("p-*.png"))
        for found in zxingcpp.read_barcodes(Image.open(page))
    )
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout

    assert urls == [
        f"HTTPS://IZUMO.TEST/Q/{cities.a.label.code}",
        f"HTTPS://MATSUE.TEST/Q/{cities.b.label.code}",
    ]
    for url, city in zip(urls, (cities.a, cities.b), strict=True):
        page = client.get(urlsplit(url).path, HTTP_HOST=city.host)
        assert page.status_code == 200 and city.asset.ledger_id in page.content.decode()
    assert "出雲市" in text and "松江市" in text
    assert cities.a.row.phone in text and cities.b.row.phone in text
