"""The permission policy is closed by default: nobody, an unknown role, a user without an
organisation or a signed-out visitor may do nothing; the table holds for every role."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Polygon

from accounts import policy
from accounts.models import User
from accounts.policy import ROLE_RIGHTS, Right
from reports import clients, intake, services
from tests import factories


@pytest.fixture
def report(submit, lamp_out, light):
    return submit(lamp_out, asset=light)


def test_nobody_may_do_anything(report):
    assert not any(policy.may(None, right) for right in Right)
    with pytest.raises(services.ReportError) as caught:
        services.report_accept(report=report, acting_user=None)
    assert caught.value.code == "forbidden"
    report.refresh_from_db()
    assert report.status == "new"


def test_the_system_may_do_everything_and_writes_no_author(report):
    assert all(policy.may(policy.SYSTEM, right) for right in Right)
    services.report_accept(report=report, acting_user=policy.SYSTEM)
    assert report.events.get(kind="status").by is None


@pytest.mark.parametrize("right", list(Right))
def test_a_user_without_a_role_or_an_organisation_has_no_right(city, right):
    without_org = factories.user(None, "")
    unknown_role = User(username="odd", organization=city["city"], role="janitor")
    unknown_role.is_active = True
    inactive = factories.user(city["city"], "manager", is_active=False)

    for actor in (without_org, unknown_role, inactive, AnonymousUser()):
        assert not policy.may(actor, right), (actor, right)
        assert policy.scope_ids(actor) == frozenset()
        assert not policy.is_staff(actor)


def test_a_superuser_has_every_right_everywhere(other_city):
    root = factories.user(None, "", is_superuser=True, is_staff=True)
    assert all(policy.may(root, right, owner_id=other_city.pk) for right in Right)
    assert policy.scope_ids(root) is None


@pytest.mark.parametrize("role", sorted(ROLE_RIGHTS))
def test_each_role_has_exactly_its_rights_within_its_organisations(city, other_city, role):
    account = factories.user(city["city"], role)
    expected = ROLE_RIGHTS[role] - {Right.ISSUE_API_KEYS} | (
        {Right.ISSUE_API_KEYS} if role == "manager" else set()
    )

    granted = {right for right in Right if policy.may(account, right, owner_id=city["road"].pk)}
    elsewhere = {right for right in Right if policy.may(account, right, owner_id=other_city.pk)}

    assert granted == expected
    assert elsewhere == set()


@pytest.mark.parametrize(
    ("kind", "parent", "may"),
    [
        ("city", False, True),
        ("prefecture", False, True),
        ("association", False, False),  # at the top of its own tree, yet no city
        ("section", True, False),
        ("contractor", True, False),
        ("utility", False, False),
    ],
)
def test_only_managers_of_a_city_or_prefecture_issue_api_keys(city, kind, parent, may):
    organisation = factories.org(kind=kind, parent=city["city"] if parent else None)
    manager = factories.user(organisation, "manager")

    assert clients.may_manage_clients(manager) is may
    if not may:
        with pytest.raises(clients.ClientError):
            clients.client_create(name=f"key of {kind}", acting_user=manager)


def test_an_association_manager_gets_403_on_the_key_screen(client, city, catalogue):
    association = factories.org("jichikai", kind="association", name="今市町自治会")
    client.force_login(factories.user(association, "manager"))

    assert client.get("/manage/api-clients/").status_code == 403
    assert client.post("/manage/api-clients/", {"name": "抜け道"}).status_code == 403


def test_city_staff_read_and_pass_on_an_outside_owners_report_in_the_city_but_not_change_it(
    submit, lamp_out, city, section_staff, settings
):
    association = factories.org("jichikai", kind="association", name="今市町自治会")
    light = factories.asset("security-light", owner=association)
    report = submit(lamp_out, asset=light)
    settings.SERVICE_AREA = Polygon.from_bbox((132.6, 35.2, 132.9, 35.5)).wkt

    assert policy.may_on_report(section_staff, Right.READ, report)
    assert policy.may_on_report(section_staff, Right.FORWARD_REPORTS, report)
    assert not policy.may_on_report(section_staff, Right.CHANGE_REPORTS, report)
    services.report_forward(report=report, to=city["road"], acting_user=section_staff)
    report.refresh_from_db()
    assert report.owner == city["road"]  # taken back: now the section's own
    assert policy.may_on_report(section_staff, Right.CHANGE_REPORTS, report)


def test_outside_owners_reports_beyond_the_city_are_not_the_citys(
    submit, lamp_out, section_staff, settings
):
    prefecture = factories.org("pref", kind="prefecture")
    far = factories.asset("security-light", owner=prefecture, lon=133.5, lat=35.6)
    report = submit(lamp_out, asset=far)
    settings.SERVICE_AREA = Polygon.from_bbox((132.6, 35.2, 132.9, 35.5)).wkt

    assert not policy.may_on_report(section_staff, Right.READ, report)
    from reports.selectors import reports_for_user

    assert not reports_for_user(section_staff).filter(pk=report.pk).exists()


def test_an_association_manager_sees_only_the_associations_reports(submit, lamp_out, light, city):
    association = factories.org("jichikai", kind="association")
    own = submit(lamp_out, asset=factories.asset("security-light", owner=association))
    citys = submit(lamp_out, asset=light)
    manager = factories.user(association, "manager")
    from reports.selectors import reports_for_user

    assert set(reports_for_user(manager)) == {own}
    assert not policy.may_on_report(manager, Right.READ, citys)


def test_staff_intake_by_sticker_is_scoped_to_the_users_organisations(label, city):
    prefecture = factories.org("pref", kind="prefecture")
    outsider = factories.user(prefecture, "manager")
    from assets.models import FaultCategory

    with pytest.raises(services.ReportError) as caught:
        intake.report_intake(
            channel="staff",
            acting_user=outsider,
            category=FaultCategory.objects.get(code="lamp-out"),
            label_code=label.code,
        )

    assert caught.value.code == "asset_out_of_scope"


def test_a_viewer_may_not_file_a_callers_report(label, viewer, lamp_out):
    with pytest.raises(services.ReportError) as caught:
        intake.report_intake(
            channel="staff", acting_user=viewer, category=lamp_out, label_code=label.code
        )
    assert caught.value.code == "forbidden"
