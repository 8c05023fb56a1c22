"""A small park district built by hand for the inspection overviews: three towns, swings and
a security light in them, and inspections over several years recorded through the real
sync service. The expected numbers of the tests are worked out from this file."""

import datetime
import uuid
from dataclasses import dataclass

from assets.models import Asset, Town
from inspections import payload
from inspections.sync import sync_batch
from tests import factories

JST = datetime.timezone(datetime.timedelta(hours=9))
TODAY = datetime.date(2026, 3, 1)  # the stats tests ask "as of" this day


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=JST)


def inspect(inspector, asset, grade, when, *, supersedes=None, defects=(), kind="periodic"):
    """Record one inspection as a tablet would send it; returns its uuid."""
    raw = {
        "uuid": str(uuid.uuid4()),
        "asset": asset.pk,
        "kind": kind,
        "performed_at": when.isoformat(),
        "overall_grade": grade,
        "notes": "",
        "defects": list(defects),
    }
    if supersedes:
        raw["supersedes"] = str(supersedes)
    item, errors = payload.parse_item(raw)
    assert not errors, errors
    [result] = sync_batch(items=[item], inspector=inspector)
    assert result.status == "created", result
    return raw["uuid"]


@dataclass
class District:
    imaichi: Town
    imaichi_kita: Town
    otsu: Town
    s1: Asset  # 今市町 by its address
    s2: Asset  # 今市町, the address begins with the city's name
    s3: Asset  # 大津町 by its location (no address)
    s4: Asset  # 大津町 by its address, never inspected
    s5: Asset  # no town: a route name far from every centre
    s7: Asset  # 今市町北 (not 今市町: the longer name wins), installed in 2025
    retired: Asset
    light: Asset  # the road section's, 今市町
    foreign: Asset  # another city's swing with an address in 今市町
    park_inspector: object
    road_inspector: object
    wrong_uuid: str  # S3's inspection that a correction superseded


def build(city, other_city) -> District:
    imaichi = Town.objects.create(
        name="今市町", name_kana="いまいちちょう", centre=factories.point(132.755, 35.367)
    )
    imaichi_kita = Town.objects.create(
        name="今市町北",
        name_kana="いまいちちょうきた",
        centre=factories.point(132.755, 35.380),
        radius_m=300,
    )
    otsu = Town.objects.create(
        name="大津町",
        name_kana="おおつちょう",
        centre=factories.point(132.780, 35.360),
        radius_m=600,
    )
    parks = city["parks"]

    def swing(ledger, address, lon, lat, **fields):
        return factories.asset(
            "swing", owner=parks, ledger_id=ledger, address=address, lon=lon, lat=lat, **fields
        )

    s1 = swing("PS-1", "今市町1丁目", 132.7551, 35.3671)
    s2 = swing("PS-2", "出雲市今市町2丁目", 132.7560, 35.3660)
    s3 = swing("PS-3", "", 132.7810, 35.3605)
    s4 = swing("PS-4", "大津町3", 132.7790, 35.3595)
    s5 = swing("PS-5", "国道9号", 132.9000, 35.4000)
    s7 = swing("PS-7", "今市町北1丁目", 132.7800, 35.3600, install_date=datetime.date(2025, 4, 1))
    retired = swing("PS-8", "今市町5丁目", 132.7552, 35.3672)
    Asset.objects.filter(pk=retired.pk).update(status=Asset.Status.RETIRED)
    light = factories.asset(
        "security-light", owner=city["road"], ledger_id="BH-1", address="今市町3丁目"
    )
    foreign = factories.asset("swing", owner=other_city, ledger_id="MS-1", address="今市町1丁目")

    park_inspector = factories.user(parks, "inspector", username="park_inspector")
    road_inspector = factories.user(city["road"], "inspector", username="road_inspector")
    inspect(park_inspector, s1, "A", at(2023, 6, 1))
    inspect(park_inspector, s1, "B", at(2024, 12, 31, 23, 30))  # still 2024 in Izumo
    inspect(park_inspector, s1, "C", at(2025, 6, 1))
    inspect(park_inspector, s2, "A", at(2024, 11, 1))
    inspect(park_inspector, s2, "B", at(2025, 1, 1, 0, 30))  # already 2025 in Izumo
    wrong = inspect(park_inspector, s3, "D", at(2023, 5, 10))
    inspect(park_inspector, s3, "B", at(2023, 5, 11), supersedes=wrong)
    inspect(park_inspector, s3, "B", at(2025, 3, 15))
    inspect(park_inspector, s5, "B", at(2022, 4, 1))
    inspect(park_inspector, s5, "A", at(2025, 12, 10))
    inspect(road_inspector, light, "II", at(2021, 3, 1))
    for asset in (s1, s2, s3, s4, s5, s7, light):
        asset.refresh_from_db()
    return District(
        imaichi=imaichi,
        imaichi_kita=imaichi_kita,
        otsu=otsu,
        s1=s1,
        s2=s2,
        s3=s3,
        s4=s4,
        s5=s5,
        s7=s7,
        retired=retired,
        light=light,
        foreign=foreign,
        park_inspector=park_inspector,
        road_inspector=road_inspector,
        wrong_uuid=wrong,
    )
