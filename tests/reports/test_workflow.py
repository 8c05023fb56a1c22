"""Assigning, merging and forwarding reports: the services under the managers' screens."""

import datetime

import pytest
from django.core import mail

from reports import business_days, selectors, services
from reports.models import Report, ReportEvent
from tests import factories


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def report(submit, lamp_out, light):
    report = submit(lamp_out, asset=light, email="kept@example.com", language="en")
    mail.outbox.clear()
    return report


def test_assigning_sets_the_due_date_from_the_response_target_and_tells_the_contractor(
    report, city, section_staff, on_commit
):
    contractor = city["contractor"]
    contractor.contact_email = "work@densetsu.example"
    contractor.save()

    on_commit(services.report_assign, report=report, assignee=contractor, acting_user=section_staff)

    report.refresh_from_db()
    assert report.assignee == contractor
    # 夜間に点灯しない: five business days after the day of the report.
    expected = business_days.deadline(report.created_at, 5).date()
    assert report.work_due_on == expected
    event = report.events.get(kind=ReportEvent.Kind.ASSIGNED)
    assert (event.from_value, event.to_value, event.by) == ("", "izumo-densetsu", section_staff)
    [notice] = mail.outbox
    assert notice.to == ["work@densetsu.example"]
    # The contractor has no account here: its own link to this one report.
    assert report.number in notice.subject and "/owner/" in notice.body

    on_commit(
        services.report_assign,
        report=report,
        assignee=city["road"],
        due_on=datetime.date(2026, 12, 24),
        acting_user=section_staff,
    )
    report.refresh_from_db()
    assert report.work_due_on == datetime.date(2026, 12, 24)
    assert list(report.events.filter(kind="assigned").values_list("from_value", "to_value")) == [
        ("", "izumo-densetsu"),
        ("izumo-densetsu", "izumo-doro"),
    ]


def test_nobody_assigns_outside_their_organisation_and_viewers_do_not_assign(
    report, city, manager, viewer, other_city, other_city_manager
):
    with pytest.raises(services.ReportError) as outside:
        services.report_assign(report=report, assignee=other_city, acting_user=manager)
    assert outside.value.code == "forbidden"
    for account in (viewer, other_city_manager):
        with pytest.raises(services.ReportError):
            services.report_assign(report=report, assignee=city["road"], acting_user=account)
    assert not report.events.filter(kind="assigned").exists()


def test_merging_carries_photos_me_toos_and_subscribers_and_tells_the_duplicates_resident(
    submit, lamp_out, light, report, manager, on_commit
):
    photo = factories.photo(data=factories.jpeg())
    duplicate = submit(
        lamp_out, asset=light, email="dup@example.com", language="vi", photos=[photo]
    )
    factories.me_too(duplicate, email="neighbour@example.com", language="ko")
    mail.outbox.clear()

    kept = on_commit(services.report_merge, duplicate=duplicate, into=report, acting_user=manager)

    duplicate.refresh_from_db()
    assert duplicate.status == Report.Status.CLOSED
    assert duplicate.close_reason == Report.CloseReason.DUPLICATE
    assert duplicate.duplicate_of == report
    assert kept.me_too_count == 2  # the duplicate's reporter and their neighbour
    assert list(kept.photos.values_list("pk", flat=True)) == [photo.pk]
    # Everyone follows the kept report now, each through their own receipt.
    subscribers = {r.contact: r.token for r in selectors.report_subscribers(kept)}
    assert set(subscribers) == {
        ("kept@example.com", report.language),
        ("dup@example.com", "vi"),
        ("neighbour@example.com", "ko"),
    }
    assert len(set(subscribers.values())) == 3
    assert [p[1] for p in kept.priority_reasons].count("me_too") == 1
    merged = kept.events.get(kind=ReportEvent.Kind.MERGED)
    assert (merged.from_value, merged.by) == (duplicate.number, manager)
    # The duplicate's resident is told where to look, in Vietnamese.
    told = {message.to[0]: message for message in mail.outbox}
    assert report.number in told["dup@example.com"].body
    assert "Trạng thái" in told["dup@example.com"].body
    # …through their own link, never the kept report's reporter's.
    assert subscribers[("dup@example.com", "vi")] in told["dup@example.com"].body
    assert factories.receipt_token(report) not in told["dup@example.com"].body

    later = on_commit(services.report_fix, report=kept, acting_user=manager, note="交換済み")
    assert later.status == Report.Status.FIXED
    assert {m.to[0] for m in mail.outbox} >= {"kept@example.com", "dup@example.com"}


@pytest.mark.parametrize("case", ["itself", "closed", "other_city"])
def test_merges_that_make_no_sense_are_refused(
    submit, lamp_out, light, report, manager, other_city_manager, case
):
    other = submit(lamp_out, asset=light)
    account = manager
    if case == "itself":
        other = report
    elif case == "closed":
        services.report_close(report=other, reason="no_fault", acting_user=manager)
    else:
        account = other_city_manager
    with pytest.raises(services.ReportError):
        services.report_merge(duplicate=other, into=report, acting_user=account)
    report.refresh_from_db()
    assert report.me_too_count == 0
    assert not report.events.filter(kind="merged").exists()


def test_forwarding_hands_the_report_to_its_owner_and_tells_everyone(
    report, city, section_staff, on_commit, client
):
    prefecture = factories.org(
        "shimane-pref",
        kind="prefecture",
        name="島根県出雲県土整備事務所",
        name_en="Shimane Pref.",
        contact_email="doboku@pref.example",
    )
    contractor = city["contractor"]
    services.report_assign(report=report, assignee=contractor, acting_user=section_staff)
    mail.outbox.clear()

    on_commit(
        services.report_forward,
        report=report,
        to=prefecture,
        acting_user=section_staff,
        note="県道のため県へ引き継ぎました",
    )

    report.refresh_from_db()
    assert report.owner == prefecture and report.assignee is None and report.is_open
    event = report.events.get(kind=ReportEvent.Kind.FORWARDED)
    assert (event.from_value, event.to_value, event.by) == (
        "izumo-doro",
        "shimane-pref",
        section_staff,
    )
    told = {message.to[0]: message for message in mail.outbox}
    assert report.number in told["doboku@pref.example"].body
    assert "Shimane Pref." in told["kept@example.com"].body
    # The city's staff keep sight of it (to take it back) but no longer change it; the
    # resident's page says who has it.
    assert selectors.reports_for_user(section_staff).filter(pk=report.pk).exists()
    with pytest.raises(services.ReportError):
        services.report_accept(report=report, acting_user=section_staff)
    page = client.get(
        f"/r/{factories.receipt_token(report)}", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Passed on to the organisation that looks after it: Shimane Pref." in page


def test_forwarding_to_the_same_owner_is_refused(report, city, section_staff):
    with pytest.raises(services.ReportError) as error:
        services.report_forward(report=report, to=city["road"], acting_user=section_staff)
    assert error.value.code == "same_owner"
