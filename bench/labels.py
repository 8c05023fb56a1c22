"""Label sheets: N labels to PDF beside the floor of making the same N symbols with
zxing-cpp's C++ encoder, the fastest here (the sheets use it too; see qr_labels/qr.py).

Also shown: 1,000 of the same symbols from `qrcode`, which makes the single images (its mask
chosen in pure Python), and the peak memory of writing the PDF, which must not grow with the
number of labels. Prints one JSON line. Run by bench/run.py.
"""

import argparse
import json
import os
import time
import tracemalloc

from common import ensure_seeded, setup_django

QRCODE_SAMPLE = 1_000  # symbols timed with qrcode: it takes about 3 ms each
ROUNDS = 3


def _labelled(count: int):
    """The first `count` security lights, each with a label (issued once, then kept)."""
    from accounts import policy
    from assets.models import Asset
    from qr_labels import services

    ids = list(
        Asset.objects.filter(asset_type__code="security-light", status="in_service")
        .order_by("id")
        .values_list("id", flat=True)[:count]
    )
    assert len(ids) == count, f"only {len(ids)} security lights in the bench database"
    services.labels_issue_missing(
        assets=Asset.objects.filter(pk__in=ids), acting_user=policy.SYSTEM
    )
    return Asset.objects.filter(pk__in=ids)


def _contents(assets):
    from django.conf import settings

    from qr_labels import selectors

    return selectors.label_contents(assets, city=settings.CITY_NAME, phone=settings.CITY_PHONE)


def _write_pdf(assets) -> int:
    from qr_labels.sheets import PRESETS, write_sheets

    with open(os.devnull, "wb") as sink:
        return write_sheets(sink, _contents(assets), layout=PRESETS["a4-24"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--assets", type=int, required=True)
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--memory-only", action="store_true")
    args = parser.parse_args()

    setup_django(args.database_url)
    ensure_seeded(args.assets)
    assets = _labelled(args.labels)
    codes = [content.code for content in _contents(assets)]

    if args.memory_only:
        tracemalloc.start()
        _write_pdf(assets)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(json.dumps({"labels": args.labels, "peak_mib": round(peak / 2**20, 2)}))
        return

    import zxingcpp

    from qr_labels import qr

    def floor():
        for code in codes:
            zxingcpp.create_barcode(qr.label_url(code), zxingcpp.BarcodeFormat.QRCode, ec_level="Q")

    def single_images():
        for code in codes[:QRCODE_SAMPLE]:
            qr.matrix(code)

    # The machine is shared: the floor and the PDF take turns, and each keeps its best round.
    timings = {}
    for _ in range(ROUNDS):
        for name, function in (("zxing", floor), ("pdf", lambda: _write_pdf(assets))):
            started = time.perf_counter()
            function()
            elapsed = time.perf_counter() - started
            timings[name] = min(elapsed, timings.get(name, elapsed))
    started = time.perf_counter()
    single_images()
    timings["qrcode"] = time.perf_counter() - started
    print(
        json.dumps(
            {
                "labels": len(codes),
                "rounds": ROUNDS,
                "zxing_s": round(timings["zxing"], 2),
                "pdf_s": round(timings["pdf"], 2),
                "qrcode_labels": min(QRCODE_SAMPLE, len(codes)),
                "qrcode_s": round(timings["qrcode"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
