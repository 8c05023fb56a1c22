"""Worked examples of a sync, one per grading scale and a correction, shown in /api/docs/.

Each record has its own uuid, so each example, sent as it is to a city that has the assets
below, creates an inspection (tests/api/test_schema_examples.py does just that).
"""

from drf_spectacular.utils import OpenApiExample

SIGN_IN = OpenApiExample(
    "SignIn",
    summary="An inspector signs a tablet in",
    value={"username": "inspector", "password": "pw-Machimori-2026", "device": "点検タブレット 3"},
    request_only=True,
)

# The assets the examples speak of: id -> (asset type, owner code, ledger id). The test seeds
# one asset per line and puts its real id where the example says this one.
ASSETS = {
    1201: ("security-light", "izumo-doro", "BH-1201"),
    2305: ("swing", "izumo-koen", "PK-0012-03"),
    3410: ("road-segment", "izumo-doro", "RD-0340-01"),
}

MLIT_UUID = "0b6f3c1e-5d2a-4f7e-9a41-2c8e7d5b1a01"

MLIT = {
    "uuid": MLIT_UUID,
    "asset": 1201,
    "kind": "periodic",
    "performed_at": "2026-11-20T10:12:00+09:00",
    "gps": {"lat": 35.36702, "lon": 132.75498, "accuracy": 4.5},
    "overall_grade": "III",
    "template_version": 1,
    "answers": {
        "lamp": "ok",
        "cover": "ok",
        "pole_body": "ok",
        "pole_base": "defect",
        "tilt": 1.5,
        "wiring": "n/a",
        "plate_loss": 22,
    },
    "notes": "地際に腐食。配線は支柱内で目視できず。",
    "defects": [
        {
            "component": "支柱基部",
            "kind": "pole-damaged",
            "grade": "III",
            "measurement": 22,
            "unit": "%",
            "notes": "地際の腐食、板厚減少 約22%",
        }
    ],
    "pack_cursor": 48210,
}

PARK = {
    "uuid": "5c9d2e47-8b1f-4a36-b0c2-7e4f9a1d6b02",
    "asset": 2305,
    "kind": "periodic",
    "performed_at": "2026-11-21T09:40:00+09:00",
    "gps": {"lat": 35.36911, "lon": 132.76143, "accuracy": 6.0},
    "overall_grade": "C",
    "template_version": 1,
    "answers": {
        "structure": "ok",
        "moving_parts": "defect",
        "fasteners": "ok",
        "edges": "ok",
        "ground": "defect",
        "safety_zone": "ok",
        "chain_wear": 6.5,
        "paint": "rusting",
    },
    "notes": "吊り金具の摩耗が進行。着地面にくぼみ。",
    "defects": [
        {
            "component": "チェーン・吊り金具",
            "kind": "broken-part",
            "grade": "C",
            "measurement": 6.5,
            "unit": "mm",
            "notes": "摩耗量 6.5 mm、吊り金具の交換が必要",
        },
        {
            "component": "地面",
            "kind": "ground-hole",
            "grade": "B",
            "notes": "着地面のくぼみ、経過観察",
        },
    ],
    "pack_cursor": 48210,
}

PAVEMENT = {
    "uuid": "a3e81f06-2c7b-4d95-8e1a-4b6c0f9d3e03",
    "asset": 3410,
    "kind": "periodic",
    "performed_at": "2026-11-24T14:05:00+09:00",
    "overall_grade": "III-1",
    "template_version": 1,
    "answers": {
        "cracking": 32.5,
        "rutting": 18,
        "iri": 5.2,
        "potholes": 3,
        "drainage": "ok",
        "markings": "defect",
    },
    "notes": "ひび割れ率32.5%。表層の修繕が必要。",
    "defects": [
        {
            "component": "舗装",
            "kind": "pothole",
            "grade": "III-1",
            "measurement": 45,
            "unit": "mm",
            "notes": "ポットホール3箇所、最大深さ 45 mm",
        },
        {"component": "区画線", "kind": "road-other", "grade": "II", "notes": "外側線が消えかけ"},
    ],
}

CORRECTION = {
    **MLIT,
    "uuid": "e7d4b2a9-6f3c-4e18-9d5b-1a2c8f0e7b04",
    "overall_grade": "II",
    "answers": {**MLIT["answers"], "plate_loss": 0},
    "notes": "訂正：腐食は塗膜のみで板厚の減少なし（超音波厚さ計で再測定）。",
    "defects": [],
    "supersedes": MLIT_UUID,
}


def _sync(name: str, record: dict, summary: str, description: str) -> OpenApiExample:
    return OpenApiExample(
        name,
        summary=summary,
        description=description,
        value={"inspections": [record]},
        request_only=True,
    )


SYNC_REQUESTS = [
    _sync(
        "MlitSecurityLight",
        MLIT,
        "MLIT I–IV: a security light graded III with a defect (raises a fault)",
        "Periodic inspection of asset 1201 (security light BH-1201) on the MLIT scale (I 健全 "
        "· II 予防保全段階 · III 早期措置段階 · IV 緊急措置段階), checklist version 1 of "
        "security lights.",
    ),
    _sync(
        "ParkSwing",
        PARK,
        "Park A–D: a swing graded C with two defects",
        "Yearly playground inspection of asset 2305 (swing PK-0012-03) on the park-facility "
        "scale (A sound · B watch · C repair · D close now).",
    ),
    _sync(
        "PavementRoadSegment",
        PAVEMENT,
        "Pavement I/II/III-1/III-2: a road segment graded III-1, with measurements",
        "Pavement inspection of asset 3410 (road segment RD-0340-01): cracking %, rutting mm "
        "and IRI as checklist numbers, a pothole's depth as a defect measurement. Sent "
        "without gps: it is optional.",
    ),
    _sync(
        "Correction",
        CORRECTION,
        "A correction of the security light's inspection (supersedes)",
        "A new record pointing at the security light's inspection above: that one stays in "
        "the history, marked superseded, and the asset's condition follows the correction. "
        "Send it after the first example.",
    ),
]

SYNC_RESPONSE = OpenApiExample(
    "Results",
    summary="One result per record, in the order sent",
    value={
        "results": [
            {"uuid": MLIT_UUID, "status": "created", "inspection": 5012},
            {"uuid": PARK["uuid"], "status": "duplicate", "inspection": 5013},
            {
                "uuid": PAVEMENT["uuid"],
                "status": "conflict",
                "quarantine": 77,
                "code": "owner_changed",
            },
            {
                "uuid": CORRECTION["uuid"],
                "status": "invalid",
                "code": "invalid",
                "errors": {"answers": {"plate_loss": ["must be within 0..100"]}},
            },
        ],
        "cursor": 48391,
    },
    response_only=True,
    status_codes=["200"],
)
