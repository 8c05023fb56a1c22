"""A resident reports a security light a neighbourhood association looks after; the
association, with no account here, acknowledges it, starts the work and marks it fixed with
a photo of the repair through its emailed link; the city's queue and the report's page show
each step, and the resident's own page shows the progress, the after photo and, once fixed,
"still broken" (which reopens it). In a real browser, with axe on each page."""

import re

import pytest
from django.core import mail

from reports.models import Report
from tests import factories
from tests.browser import PHONE, chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def association(db):
    return factories.org(
        "jichikai", kind="association", name="今市町自治会", contact_email="kai@example.jp"
    )


def _link(address: str) -> str:
    body = [m.body for m in mail.outbox if m.to == [address]][-1]
    return re.search(r"https?://\S+/owner/\S+/", body).group(0)


def test_an_association_closes_the_loop_through_its_link(
    live_server, settings, submit, lamp_out, association, manager, chromium_path, axe, tmp_path
):
    settings.PUBLIC_BASE_URL = live_server.url
    light = factories.asset("security-light", owner=association, ledger_id="JK-0042")
    report = submit(
        lamp_out,
        asset=light,
        description="夜になっても点きません",
        email="resident@example.com",
        language="en",
        share=True,
    )
    receipt = f"{live_server.url}/r/{factories.receipt_token(report)}"
    link = _link("kai@example.jp")
    after = tmp_path / "after.jpg"
    after.write_bytes(factories.jpeg(colour=(40, 180, 60)).getvalue())
    violations = {}

    with chromium(chromium_path, locale="ja-JP", **PHONE) as owner:
        page = owner.page
        page.goto(link)
        shown = page.inner_text("main")
        violations["owner"] = owner.axe_violations()
        page.click("form.acknowledge button")
        page.wait_for_url("**?done=acknowledged")
        page.check("input[name=to][value=in_progress]")
        page.select_option("select[name=note_code]", "parts_ordered")
        page.click("form[aria-labelledby=h-progress] button[type=submit]")
        page.wait_for_url("**?done=updated")
        page.check("input[name=to][value=fixed]")
        page.select_option("select[name=note_code]", "repaired")
        page.set_input_files("input[name=photos]", str(after))
        page.click("form[aria-labelledby=h-progress] button[type=submit]")
        page.wait_for_url("**?done=updated")
        closed = page.inner_text("main")
        still_acts = page.locator("input[name=action]").count()
        violations["owner, closed"] = owner.axe_violations()

    with chromium(chromium_path, locale="ja-JP", viewport={"width": 1366, "height": 768}) as staff:
        page = staff.page
        page.goto(f"{live_server.url}/manage/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", "pw-Machimori-2026")
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(f"{live_server.url}/manage/")
        page.goto(f"{live_server.url}/manage/queue/?status=fixed")
        queue = page.inner_text("main")
        page.goto(f"{live_server.url}/manage/reports/{report.number}/")
        detail = page.inner_text("main")
        violations["staff"] = staff.axe_violations()

    with chromium(chromium_path, locale="en-US", **PHONE) as resident:
        page = resident.page
        page.goto(receipt)
        mine = page.inner_text("main")
        after_shown = page.locator("img[alt*='after the repair']").count()
        violations["resident"] = resident.axe_violations()
        page.fill("#broken_text", "Still dark at night")
        page.click("section.still-broken button[type=submit]")
        page.wait_for_url("**?reopened=1")
        reopened = page.inner_text("main")

    report.refresh_from_db()
    assert "夜になっても点きません" in shown and "resident@example.com" not in shown
    assert "受付済" in closed and "対応済" in closed  # the history, in Japanese
    assert report.number in queue and "今市町自治会" in queue
    for step in ("今市町自治会", "受付済", "対応中", "対応済"):
        assert step in detail, step
    assert "Fixed" in mine and "We are waiting for the parts to arrive." in mine
    assert "The repair is finished. Thank you for telling us." in mine
    assert still_acts == 0  # a closed report's page only reads
    assert after_shown == 1
    assert "open again" in reopened
    assert report.status != Report.Status.FIXED and report.still_broken_count == 1
    assert violations == {"owner": [], "owner, closed": [], "staff": [], "resident": []}
