"""Whom work may go to, with two cities: the pass-on, assign and contractor lists and the
outside owners offer only the user's own city's organisations; naming another city's
organisation in a POST is refused as an unknown one and changes nothing."""

import re

import pytest

from accounts import policy
from assets.selectors import organizations_for_user
from reports.models import Report, ReportEvent
from tests.cities_staff.conftest import IZUMO_HOST, MATSUE_HOST

QUEUE = "/manage/queue/"
BULK = "/manage/queue/bulk/"


def _options(html: str, select_id: str) -> set[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_id
    return set(re.findall(r'<option value="(\d+)"', select[1]))


def _ids(*organisations) -> set[str]:
    return {str(o.pk) for o in organisations}


def _matsue_orgs(matsue):
    return _ids(matsue["city"], matsue["road"], matsue["association"], matsue["contractor"])


def test_outside_owners_are_those_of_the_users_own_city(cities):
    izumo, matsue = cities

    izumo_outside, _area = policy.outside_owners(izumo["manager"])
    matsue_outside, _area = policy.outside_owners(matsue["manager"])

    assert izumo_outside == {izumo["association"].pk}
    assert matsue_outside == {matsue["association"].pk}


def test_a_matsue_report_passed_to_an_association_stays_out_of_izumos_sight(cities, submit):
    izumo, matsue = cities
    report = matsue["report"]
    report.owner = matsue["association"]
    report.save()

    assert policy.may_on_report(matsue["manager"], policy.Right.READ, report)
    assert not policy.may_on_report(izumo["manager"], policy.Right.READ, report)
    assert not policy.may_on_report(izumo["manager"], policy.Right.FORWARD_REPORTS, report)


def test_the_pass_on_list_of_a_report_offers_its_own_citys_organisations(client, cities):
    izumo, matsue = cities
    client.force_login(izumo["manager"])

    page = client.get(f"/manage/reports/{izumo['report'].number}/", HTTP_HOST=IZUMO_HOST)

    offered = _options(page.content.decode(), "forward_to")
    assert _ids(izumo["association"], izumo["contractor"], izumo["city"]) <= offered
    assert not offered & _matsue_orgs(matsue)


def test_passing_a_report_on_to_another_citys_organisation_is_refused(client, cities):
    izumo, matsue = cities
    client.force_login(izumo["manager"])
    number = izumo["report"].number

    page = client.post(
        f"/manage/reports/{number}/forward/",
        {"to": matsue["association"].pk, "note": "よろしく"},
        HTTP_HOST=IZUMO_HOST,
    )

    assert page.status_code == 400
    assert "よろしく" in page.content.decode()  # the form comes back with the text kept
    report = Report.objects.get(pk=izumo["report"].pk)
    assert report.owner == izumo["road"]
    assert not ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.FORWARDED)


def test_the_queues_bulk_bar_and_filter_offer_the_users_own_city(client, cities):
    izumo, matsue = cities
    client.force_login(izumo["manager"])

    html = client.get(QUEUE, HTTP_HOST=IZUMO_HOST).content.decode()

    pass_on, assign = _options(html, "bulk_to"), _options(html, "bulk_assignee")
    assert _ids(izumo["association"], izumo["road"]) <= pass_on
    assert izumo["contractor"].pk in {int(v) for v in assign}
    assert not (pass_on | assign) & _matsue_orgs(matsue)
    assert not {o.pk for o in organizations_for_user(izumo["manager"])} & {
        int(v) for v in _matsue_orgs(matsue)
    }


def test_bulk_passing_on_or_assigning_to_another_citys_organisation_changes_nothing(client, cities):
    izumo, matsue = cities
    client.force_login(izumo["manager"])
    number = izumo["report"].number

    forwarded = client.post(
        BULK,
        {"r": [number], "action": "forward", "to": matsue["association"].pk},
        HTTP_HOST=IZUMO_HOST,
    )
    assigned = client.post(
        BULK,
        {"r": [number], "action": "assign", "assignee": matsue["contractor"].pk},
        HTTP_HOST=IZUMO_HOST,
    )

    assert forwarded.status_code == assigned.status_code == 400
    report = Report.objects.get(pk=izumo["report"].pk)
    assert report.owner == izumo["road"] and report.assignee is None
    assert not ReportEvent.objects.filter(
        report=report, kind__in=[ReportEvent.Kind.FORWARDED, ReportEvent.Kind.ASSIGNED]
    )


def test_the_bulk_service_refuses_another_citys_organisation(cities):
    from accounts.errors import DomainError
    from reports import bulk

    izumo, matsue = cities
    number = izumo["report"].number
    for action, fields, code in (
        ("forward", {"to": matsue["association"]}, "bulk_to_unknown"),
        ("assign", {"assignee": matsue["contractor"]}, "forbidden"),
    ):
        with pytest.raises(DomainError) as refused:
            bulk.reports_bulk(
                numbers=[number], action=action, acting_user=izumo["manager"], **fields
            )
        assert refused.value.code == code
    report = Report.objects.get(pk=izumo["report"].pk)
    assert report.owner == izumo["road"] and report.assignee is None


def test_the_bulk_service_passes_on_within_the_city(cities):
    from reports import bulk

    izumo, _matsue = cities
    bulk.reports_bulk(
        numbers=[izumo["report"].number],
        action="forward",
        acting_user=izumo["manager"],
        to=izumo["association"],
    )
    assert Report.objects.get(pk=izumo["report"].pk).owner == izumo["association"]


def test_the_works_contractor_list_offers_the_assets_city(client, cities):
    izumo, _matsue = cities
    from web_admin.inspection_forms import WorkForm

    offered = {o.pk for o in WorkForm(asset=izumo["asset"]).fields["contractor"].queryset}

    assert offered == {izumo["contractor"].pk}


def test_a_section_made_under_a_city_organisation_is_of_that_city(cities):
    izumo, matsue = cities
    assert izumo["road"].city == izumo["row"] and matsue["contractor"].city == matsue["row"]


def test_matsues_host_does_not_change_which_organisations_izumo_staff_see(client, cities):
    """The lists follow the user's city, not the host: on Matsue's host an Izumo session is
    refused before any list is drawn."""
    izumo, _matsue = cities
    client.force_login(izumo["manager"])
    assert client.get(QUEUE, HTTP_HOST=MATSUE_HOST).status_code == 403
