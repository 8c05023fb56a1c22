"""A full offline day over real HTTP: sign in, download the work pack, record 50 inspections,
send them in batches — one request cut off mid-body, one response lost after the server
committed — then resend everything. Exactly 50 inspections, the right faults, the right
conditions, each photo once."""

import datetime
import hashlib
import json
import socket
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest

from assets.models import Asset
from inspections.models import Inspection, InspectionPhoto
from reports.models import Report
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
JST = datetime.timezone(datetime.timedelta(hours=9))


class Tablet:
    def __init__(self, base: str):
        self.base = base
        self.token = None

    def call(self, method: str, path: str, body=None, *, content_type="application/json"):
        data = json.dumps(body).encode() if content_type == "application/json" and body else body
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def raw_post(self, path: str, body: bytes, *, send: int | None = None, read: bool):
        """POST over a socket: send only `send` bytes of the body, or do not read the reply."""
        host, port = urlsplit(self.base).hostname, urlsplit(self.base).port
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Token {self.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection((host, port), timeout=30) as sock:
            sock.sendall(head + (body if send is None else body[:send]))
            if send is not None:
                sock.shutdown(socket.SHUT_WR)  # the tablet lost its signal mid-body
            if read or send is not None:
                try:
                    while sock.recv(65536):
                        pass
                except OSError:
                    pass
            else:
                sock.shutdown(socket.SHUT_WR)
                while sock.recv(65536):  # wait until the server answered, then drop it
                    pass

    def photo(self, inspection_uuid: str, data: bytes, defect: int | None = None):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        ]
        if defect is not None:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="defect"\r\n'
                f"\r\n{defect}\r\n".encode()
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.call(
            "POST",
            f"/api/v1/inspections/{inspection_uuid}/photos/",
            body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )


@pytest.fixture
def street(checklists, city):
    road = city["road"]
    road.contact_email = "doro@city.example"
    road.save()
    return [
        factories.asset(
            "security-light",
            owner=road,
            lon=132.750 + i * 0.0002,
            lat=35.360,
            ledger_id=f"BH-{i:04d}",
        )
        for i in range(45)
    ]


def _day(street) -> list[dict]:
    """50 inspections: 45 poles, five of them visited twice; every fifth pole needs work."""
    items = []
    for index, asset in enumerate(street):
        action = index % 5 == 0
        items.append(
            {
                "uuid": str(uuid.uuid4()),
                "asset": asset.pk,
                "kind": "periodic",
                "performed_at": datetime.datetime(
                    2026, 11, 20, 9, index % 60, tzinfo=JST
                ).isoformat(),
                "gps": {"lat": 35.36, "lon": 132.75, "accuracy": 5},
                "overall_grade": "III" if action else "I",
                "template_version": 1,
                "answers": {"lamp": "ok", "pole_base": "defect" if action else "ok", "tilt": 0.5},
                "defects": [
                    {
                        "component": "支柱基部",
                        "kind": "pole-damaged",
                        "grade": "III",
                        "measurement": 15,
                        "unit": "%",
                    }
                ]
                if action
                else [],
            }
        )
    for asset in street[:25:5]:  # the poles needing work, seen again in the afternoon
        items.append(
            {
                "uuid": str(uuid.uuid4()),
                "asset": asset.pk,
                "kind": "routine",
                "performed_at": datetime.datetime(2026, 11, 20, 15, 0, tzinfo=JST).isoformat(),
                "overall_grade": "IV",
                "template_version": 1,
                "answers": {},
                "defects": [{"component": "支柱基部", "kind": "pole-damaged", "grade": "IV"}],
            }
        )
    return items


def test_a_full_offline_day_with_lost_connections(live_server, street, inspector, city):
    inspector.organization = city["road"]
    inspector.save()
    tablet = Tablet(live_server.url)

    status, signed_in = tablet.call(
        "POST",
        "/api/v1/auth/token/",
        {"username": "inspector", "password": "pw-Machimori-2026", "device": "点検タブレット 7"},
    )
    tablet.token = signed_in["token"]
    status_pack, pack = tablet.call("GET", "/api/v1/workpack/?bbox=132.749,35.359,132.760,35.361")
    items = _day(street)
    for item in items:
        item["pack_cursor"] = pack["cursor"]
    batches = [items[i : i + 10] for i in range(0, 50, 10)]

    first = tablet.call("POST", "/api/v1/inspections/sync/", {"inspections": batches[0]})
    cut = json.dumps({"inspections": batches[1]}).encode()
    tablet.raw_post("/api/v1/inspections/sync/", cut, send=len(cut) // 2, read=True)
    tablet.raw_post(
        "/api/v1/inspections/sync/", json.dumps({"inspections": batches[2]}).encode(), read=False
    )
    rest = [
        tablet.call("POST", "/api/v1/inspections/sync/", {"inspections": b}) for b in batches[3:]
    ]
    resent = [tablet.call("POST", "/api/v1/inspections/sync/", {"inspections": b}) for b in batches]

    photo = factories.jpeg(size=(640, 480)).getvalue()
    with_photos = [i for i in items if i["defects"]][:6]
    photo_results = [tablet.photo(i["uuid"], photo, defect=0)[0] for i in with_photos]
    photo_results.append(tablet.photo(with_photos[0]["uuid"], photo, defect=0)[0])  # again

    assert (status, status_pack) == (201, 200)
    assert len(pack["assets"]["features"]) == 45
    assert [r["status"] for r in first[1]["results"]] == ["created"] * 10
    assert all(r["status"] == "created" for s, body in rest for r in body["results"])
    statuses = [[r["status"] for r in body["results"]] for _, body in resent]
    assert statuses[0] == ["duplicate"] * 10
    assert statuses[1] == ["created"] * 10  # the cut-off batch never counted
    assert statuses[2] == ["duplicate"] * 10  # the lost reply: committed, now confirmed
    assert statuses[3] == statuses[4] == ["duplicate"] * 10
    assert photo_results == [201] * 6 + [200]

    assert Inspection.objects.count() == 50
    faults = Report.objects.filter(source="inspection")
    assert faults.count() == 9  # one per pole needing work, not one per inspection
    assert sorted(faults.values_list("asset__ledger_id", flat=True)) == [
        f"BH-{i:04d}" for i in range(0, 45, 5)
    ]
    for index, asset in enumerate(
        Asset.objects.filter(pk__in=[a.pk for a in street]).order_by("ledger_id")
    ):
        expected = "IV" if index < 25 and index % 5 == 0 else ("III" if index % 5 == 0 else "I")
        assert asset.condition_grade == expected, asset.ledger_id
        assert asset.last_inspected_on == datetime.date(2026, 11, 20)
    assert InspectionPhoto.objects.count() == 6
    assert InspectionPhoto.objects.filter(sha256=hashlib.sha256(photo).hexdigest()).count() == 6
