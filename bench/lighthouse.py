"""Lighthouse on the three pages a resident meets: a sticker's /q/<code>, /report/ and a
receipt /r/<token>, served as in production (gunicorn, collected static files, gzip).

Lighthouse 12 with its mobile defaults (a mid-range phone, simulated slow 4G), driving
Debian's Chromium headless. Budget: performance >= 95, accessibility 100, best practices 100
on each page. These are Lighthouse's own scores, so there is no floor to divide by; the
audits that cost points are listed. Prints one JSON line. Run by bench/run.py.
"""

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

from common import ROOT, ensure_seeded, served, setup_django

LIGHTHOUSE = ROOT / ".venv" / "share" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")


def pages() -> dict[str, str]:
    """A sticker and a receipt to open (made once, then reused)."""
    from django.contrib.auth.models import AnonymousUser

    from accounts import policy
    from assets.models import Asset
    from qr_labels import services as label_services
    from qr_labels.models import Label
    from reports import intake
    from reports.models import Receipt

    light = Asset.objects.filter(asset_type__code="security-light").order_by("pk").first()
    label = Label.objects.filter(asset=light, state="active").first()
    if label is None:
        label = label_services.label_issue(asset=light, acting_user=policy.SYSTEM)
    receipt = Receipt.objects.filter(public_only=False, me_too__isnull=True).first()
    if receipt is None:
        receipt = intake.report_intake(
            channel="qr",
            acting_user=AnonymousUser(),
            category=light.asset_type.categories.get(code="lamp-out"),
            asset=light,
            description="夜になっても点きません",
        ).receipt
    return {"sticker": f"/q/{label.code}", "form": "/report/", "receipt": f"/r/{receipt.token}"}


def audit(url: str, folder: Path) -> dict:
    out = folder / "report.json"
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--locale=ja",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        timeout=300,
    )
    report = json.loads(out.read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    lost = sorted(
        audit_id
        for name in CATEGORIES
        for ref in report["categories"][name]["auditRefs"]
        if ref["weight"] > 0
        and (audit_id := ref["id"])
        and report["audits"][audit_id]["score"] is not None
        and report["audits"][audit_id]["score"] < 1
    )
    metrics = report["audits"]
    return {
        **scores,
        "lcp_ms": round(metrics["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(metrics["total-blocking-time"]["numericValue"]),
        "cls": round(metrics["cumulative-layout-shift"]["numericValue"], 3),
        "bytes": metrics["total-byte-weight"]["numericValue"],
        "lost": lost,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()

    setup_django(args.database_url)
    ensure_seeded(1000)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    paths = pages()
    folder = Path(tempfile.mkdtemp())
    # No tile server on this machine's network.
    with served(args.database_url, MAP_TILE_URL="") as base:
        results = {name: audit(f"{base}{path}", folder) for name, path in paths.items()}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
