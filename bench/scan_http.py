"""/q/<code> over HTTP (gunicorn, loaded by wrk) beside a bare Django view on the same server.

Prints one JSON line. Run by bench/run.py.
"""

import argparse
import json
import random
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

from common import ensure_seeded, served, setup_django


def wrk(url: str, seconds: int, script: str | None = None) -> float:
    """Requests per second; non-2xx responses fail the benchmark."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", "Accept-Language: ja", url]
    if script:
        command[1:1] = ["-s", script]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw errors on {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


WARM, COLD = 200, 20_000


def lua(path: Path, codes: list[str], offset: int) -> None:
    path.write_text(
        "codes = {" + ",".join(f'"{c}"' for c in codes) + "}\n"
        f"counter = {offset}\n"
        "setup = function(thread) counter = counter + math.random(1, #codes) end\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", "/q/" .. codes[(counter % #codes) + 1])\n'
        "end\n"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--assets", type=int, required=True)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    setup_django(args.database_url)
    ensure_seeded(args.assets)
    from accounts import policy
    from assets.models import Asset
    from qr_labels import services
    from qr_labels.models import Label

    lights = Asset.objects.filter(asset_type__code="security-light", status="in_service")
    services.labels_issue_missing(
        assets=lights.filter(
            pk__in=list(lights.order_by("id").values_list("id", flat=True)[:COLD])
        ),
        acting_user=policy.SYSTEM,
    )
    labelled = Label.objects.filter(state="active", asset__in=lights)
    codes = list(labelled.order_by("id").values_list("code", flat=True)[:COLD])
    folder = Path(tempfile.mkdtemp())
    warm_script, cold_script = folder / "warm.lua", folder / "cold.lua"
    # Warm: 200 stickers scanned again and again (a dark street everyone reports).
    # Cold: every request a sticker not seen for a while (pages must be built).
    lua(warm_script, codes[:200], offset=0)
    lua(cold_script, codes, offset=random.randrange(len(codes)))
    with served(args.database_url) as base:
        wrk(f"{base}/bench/bare", 2)
        wrk(base + "/", 2, str(warm_script))  # every worker's connection and caches
        bare, warm, cold = [], [], []
        for _ in range(args.rounds):
            bare.append(wrk(f"{base}/bench/bare", args.seconds))
            warm.append(wrk(base + "/", args.seconds, str(warm_script)))
            cold.append(wrk(base + "/", args.seconds, str(cold_script)))
    bare_rps = statistics.median(bare)
    result = {
        "vendor": "sqlite" if "spatialite" in args.database_url else "postgresql",
        "bare_rps": round(bare_rps),
    }
    for name, runs in (("warm", warm), ("cold", cold)):
        rps = statistics.median(runs)
        result[f"{name}_rps"] = round(rps)
        result[f"{name}_ratio"] = round(bare_rps / rps, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
