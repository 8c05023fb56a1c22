"""Which CSV downloads start with a byte-order mark (assets/csvfiles.py decides per caller).

Staff downloads from /manage/ carry one: Excel in Japan opens UTF-8 only with it. The API's
CSV is for programs (deterioration models), so it has none. The public open-data feeds keep
theirs on purpose: Japanese open-data layouts (the Digital Agency's standard datasets) are
published as UTF-8 with a BOM, and the people who open them mostly use Excel.
"""

import pytest

from tests.conftest import client_for
from tests.inspections.conftest import record, sync, tablet_for

BOM = "\ufeff"


def _text(response) -> str:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_staff_queue_export_starts_with_a_bom(manager, light, lamp_out, submit):
    submit(lamp_out, asset=light, source="qr")

    text = _text(client_for(manager).get("/manage/queue.csv"))

    assert text.startswith(BOM)
    assert len(text.strip().splitlines()) == 2


def test_the_api_condition_history_has_no_bom(catalogue, city, section_staff, light):
    from inspections.checklists import checklists_install

    checklists_install()
    sync(tablet_for(section_staff), record(light, grade="II"))

    text = _text(client_for(section_staff).get("/api/v1/condition-history.csv"))

    assert text.startswith(
        "asset_id,ledger_id,type,event,date,grade,grade_rank,work_kind,cost_yen\r\n"
    )
    assert BOM not in text
    assert f"{light.pk},BH-0001,security-light,inspection,2026-11-20,II,2,," in text


@pytest.mark.parametrize(
    "url", ["/open-data/assets.csv", "/open-data/reports.csv", "/open-data/jp/public-toilets.csv"]
)
def test_the_open_data_feeds_keep_their_bom(client, light, url):
    text = _text(client.get(url))

    assert text.startswith(BOM)
