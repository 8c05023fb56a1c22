"""axe-core on the pages this round changed that no journey test opens: a withdrawn owner's
link, the "me too" error page, an asset's history with its works, forecast and the work form,
the deterioration models and a report's status form with its work fields."""

import datetime

import pytest
from django.utils import timezone

from accounts import policy
from planning import services as planning_services
from planning.models import DeteriorationModel, Forecast
from reports import owner_links
from reports.models import OwnerLink
from tests import factories
from tests.browser import PHONE, chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_changed_pages_have_no_serious_accessibility_problem(
    live_server, submit, lamp_out, light, manager, chromium_path, axe
):
    association = factories.org("jichikai", kind="association", contact_email="kai@example.jp")
    report = submit(lamp_out, asset=factories.asset("security-light", owner=association))
    gone = owner_links.issue(report=report, organisation=association, purpose="owner")
    OwnerLink.objects.filter(pk=gone.link.pk).update(expires_at=timezone.now())
    planning_services.work_record(
        asset=light,
        kind="repair",
        done_on=datetime.date(2025, 6, 1),
        cost_yen=38_500,
        acting_user=policy.SYSTEM,
    )
    stored = DeteriorationModel.objects.create(
        asset_type=light.asset_type,
        method="joint",
        enough=True,
        pairs=900,
        pairs_per_grade=[500, 300, 100, 0],
        assets=300,
        hazards=[0.2, 0.3, 0.45],
        low=[0.18, 0.27, 0.4],
        high=[0.22, 0.33, 0.5],
        misread=0.08,
        fitted_at=timezone.now(),
    )
    Forecast.objects.create(
        asset=light,
        model=stored,
        grade="II",
        since=datetime.date(2025, 6, 1),
        within_1=0.22,
        within_5=0.7,
        within_10=0.9,
        next_2=0.55,
        computed_on=timezone.localdate(),
    )
    ours = submit(lamp_out, asset=light)
    found = {}
    with chromium(chromium_path, locale="ja-JP", **PHONE) as session:
        page = session.page
        page.goto(f"{live_server.url}/owner/{gone.token}/")
        found["owner link withdrawn"] = session.axe_violations()
        page.goto(f"{live_server.url}/report/")
        # The "me too" form is on the sticker page of an asset with an open report; post it
        # from /report/ (same CSRF token) with an address that is not one.
        page.evaluate(
            """(number) => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = '/report/me-too/' + number + '/';
                const token = document.querySelector('[name=csrfmiddlewaretoken]').cloneNode();
                const email = document.createElement('input');
                email.name = 'email';
                email.value = 'not-an-email';
                form.append(token, email);
                document.body.appendChild(form);
                form.submit();
            }""",
            report.number,
        )
        page.wait_for_selector(".error-summary")
        found["me too, bad email"] = session.axe_violations()
    with chromium(chromium_path, locale="ja-JP", viewport={"width": 1366, "height": 768}) as staff:
        page = staff.page
        page.goto(f"{live_server.url}/manage/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", "pw-Machimori-2026")
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(f"{live_server.url}/manage/")
        page.goto(f"{live_server.url}/manage/inspections/assets/{light.pk}/")
        page.wait_for_selector("tr.work")
        found["asset history with works and forecast"] = staff.axe_violations()
        page.goto(f"{live_server.url}/manage/plan/models/")
        found["deterioration models"] = staff.axe_violations()
        page.goto(f"{live_server.url}/manage/plan/models/security-light/")
        page.wait_for_selector("svg.step")
        found["a deterioration model"] = staff.axe_violations()
        page.goto(f"{live_server.url}/manage/reports/{ours.number}/")
        page.wait_for_selector("select[name=work_kind]")
        found["a report with the work fields"] = staff.axe_violations()

    assert found == {name: [] for name in found}
