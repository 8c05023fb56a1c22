"""The queue's date filters: when a report came in (since, until) and when it was fixed
(fixed_since, fixed_until), in days of the city's time zone, both ends included; a bad day
is shown as an error beside its field and ignored."""

import pytest

from assets.models import FaultCategory
from tests.reports.timed import at, fault


@pytest.fixture
def reports(catalogue, city, submit):
    FaultCategory.objects.update(default_owner=city["road"])
    pothole = FaultCategory.objects.get(code="pothole")

    def f(created, **kwargs):
        return fault(submit, pothole, created, **kwargs)

    return {
        # 23:30 in Tokyo on 2 November is 14:30 UTC: it came in on the 2nd.
        "late_evening": f(at(11, 2, 23, 30)),
        # 00:30 in Tokyo on 3 November is still 2 November in UTC: it came in on the 3rd.
        "past_midnight": f(at(11, 3, 0, 30)),
        "fixed": f(at(11, 1), fixed=at(11, 4, 23, 59)),
        # fixed on the 5th, closed on the 9th: fixed on the 5th
        "fixed_closed": f(at(11, 1), fixed=at(11, 5, 10), closed=at(11, 9)),
        # fixed on the 4th and reopened: open again, not among the fixed
        "reopened": f(at(11, 1), fixed=at(11, 4, 10), reopened=at(11, 6)),
        # closed as a duplicate on the 4th: closed, never fixed
        "duplicate": f(at(11, 1), closed=at(11, 4, 12)),
    }


def listed(client, query) -> list[str]:
    response = client.get(f"/manage/queue/?{query}&order=oldest")
    assert response.status_code == 200
    return sorted(report.number for report, _reasons in response.context["reports"])


def numbers(reports, *names) -> list[str]:
    return sorted(reports[name].number for name in names)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("since=2026-11-02&until=2026-11-02", ["late_evening"]),
        ("since=2026-11-03", ["past_midnight"]),
        ("until=2026-11-02", ["late_evening", "reopened"]),  # open ones only, by default
        ("since=2026-11-01&until=2026-11-03&status=closed", ["duplicate", "fixed_closed"]),
    ],
)
def test_since_and_until_take_whole_days_in_tokyo(client, manager, reports, query, expected):
    client.force_login(manager)

    assert listed(client, query) == numbers(reports, *expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fixed_since=2026-11-04&fixed_until=2026-11-04", ["fixed"]),
        ("fixed_since=2026-11-05", ["fixed_closed"]),
        ("fixed_until=2026-11-08", ["fixed", "fixed_closed"]),
        ("fixed_since=2026-11-04&status=fixed", ["fixed"]),
        # Asked for among the open ones: reopened after a fix on the 4th.
        ("fixed_since=2026-11-04&fixed_until=2026-11-04&status=accepted", ["reopened"]),
    ],
)
def test_fixed_since_and_until_read_the_time_of_the_fix(client, manager, reports, query, expected):
    client.force_login(manager)

    assert listed(client, query) == numbers(reports, *expected)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2026-13-01", "since"),
        ("until=banana", "until"),
        ("since=0001-01-01", "since"),
        ("fixed_until=9999-12-31", "fixed_until"),
        ("fixed_since=1999-12-31", "fixed_since"),
        ("since=2026-11-03&until=2026-11-02", "until"),
        ("fixed_since=2026-11-09&fixed_until=2026-11-01", "fixed_until"),
    ],
)
def test_a_bad_day_is_shown_as_an_error_and_ignored(client, manager, reports, query, field):
    client.force_login(manager)

    response = client.get(f"/manage/queue/?{query}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert form.queue_filter().__getattribute__(field) is None
    bad_value = query.split(f"{field}=")[1].split("&")[0]
    assert f'value="{bad_value}"' in response.content.decode()  # given back as typed


def test_a_bad_until_leaves_a_good_since_in_force(client, manager, reports):
    client.force_login(manager)

    assert listed(client, "since=2026-11-03&until=2026-11-02") == numbers(reports, "past_midnight")


def test_the_date_filters_keep_to_the_users_organisations(client, reports, other_city_manager):
    client.force_login(other_city_manager)

    assert listed(client, "since=2026-11-01&status=closed&status=fixed&status=new") == []
    assert listed(client, "fixed_since=2026-11-01") == []
