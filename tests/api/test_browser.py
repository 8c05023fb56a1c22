"""In real Chromium: a manager makes an API key for a city app and the key works; the open
data page and the key screen pass axe-core (no serious or critical violation)."""

import pytest
import requests as http

from accounts.models import ApiClient
from tests.browser import AXE, chromium
from tests.conftest import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Machimori-2026"


def test_a_manager_hands_a_key_to_a_city_app(live_server, catalogue, city, manager, chromium_path):
    require(AXE.exists(), f"axe-core ({AXE})")
    base = live_server.url
    violations = {}
    with chromium(chromium_path, viewport={"width": 1280, "height": 900}, locale="ja-JP") as s:
        page = s.page
        page.goto(f"{base}/open-data/")
        assert page.locator("h1").inner_text() == "オープンデータ"
        violations["open data"] = s.axe_violations()

        page.goto(f"{base}/manage/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.click("a[href='/manage/api-clients/']")
        page.fill("#id_name", "出雲市公式アプリ")
        page.fill("#id_rate_limit", "ten per hour")
        page.click("button[type=submit].primary")
        assert page.locator("#id_name").input_value() == "出雲市公式アプリ"  # kept on error
        violations["key form with errors"] = s.axe_violations()
        page.fill("#id_rate_limit", "100/3600")
        page.click("button[type=submit].primary")
        key = page.locator("#new-key").inner_text()
        violations["new key"] = s.axe_violations()
        # The refused form comes back as 400, which Chromium logs; nothing else may go wrong.
        assert [e for e in s.errors if "status of 400" not in e] == [] and s.external == []

    posted = http.post(
        f"{base}/open311/v2/requests.json",
        data={"api_key": key, "service_code": "pothole", "lat": "35.367", "long": "132.755"},
    )
    assert posted.status_code == 200, posted.text
    assert ApiClient.objects.get().reports.count() == 1
    assert violations == {"open data": [], "key form with errors": [], "new key": []}
