"""The status model: new → accepted → in progress → fixed, closed with a reason, reopened."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from reports import privacy, services
from reports.models import MeToo, Report, ReportEvent
from tests import factories


@pytest.fixture
def report(submit, lamp_out, light):
    report = submit(lamp_out, asset=light, email="resident@example.com", language="en")
    mail.outbox.clear()
    return report


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def test_a_report_moves_along_and_each_change_is_audited(report, section_staff, run_on_commit):
    for step in (services.report_accept, services.report_start, services.report_fix):
        run_on_commit(step, report=report, acting_user=section_staff)

    report.refresh_from_db()
    assert report.status == Report.Status.FIXED
    assert report.ended_at is not None
    changes = list(
        report.events.filter(kind="status").values_list("from_value", "to_value", "by__username")
    )
    assert changes == [
        ("new", "accepted", "section_staff"),
        ("accepted", "in_progress", "section_staff"),
        ("in_progress", "fixed", "section_staff"),
    ]


def test_the_resident_hears_of_each_public_change_in_their_language(
    submit, lamp_out, light, section_staff, run_on_commit
):
    report = submit(lamp_out, asset=light, email="vizinha@example.com", language="pt-br")
    mail.outbox.clear()

    run_on_commit(services.report_accept, report=report, acting_user=section_staff)
    run_on_commit(
        services.report_note_add,
        report=report,
        acting_user=section_staff,
        text="内部メモ: 業者手配中",
        public=False,
    )
    run_on_commit(
        services.report_note_add,
        report=report,
        acting_user=section_staff,
        text="明日修理します",
        public=True,
    )

    assert [m.to for m in mail.outbox] == [["vizinha@example.com"]] * 2
    assert "業者手配中" not in " ".join(m.body for m in mail.outbox)
    assert "明日修理します" in mail.outbox[1].body


def test_closing_needs_a_reason(report, section_staff):
    with pytest.raises(services.ReportError) as caught:
        services.report_close(report=report, reason="", acting_user=section_staff)

    assert caught.value.code == "close_reason_needed"
    report.refresh_from_db()
    assert report.status == "new"


def test_a_closed_report_can_be_reopened_and_not_closed_twice(report, section_staff):
    services.report_close(report=report, reason="no_fault", acting_user=section_staff)

    with pytest.raises(services.ReportError) as caught:
        services.report_close(report=report, reason="duplicate", acting_user=section_staff)
    services.report_reopen(report=report, acting_user=section_staff, note="再発")

    assert caught.value.code == "already_closed"
    report.refresh_from_db()
    assert (report.status, report.close_reason, report.ended_at) == ("accepted", "", None)


def test_a_new_report_cannot_be_reopened(report, section_staff):
    with pytest.raises(services.ReportError) as caught:
        services.report_reopen(report=report, acting_user=section_staff)

    assert caught.value.code == "not_closed"


@pytest.mark.parametrize("role", ["inspector", "viewer"])
def test_inspectors_and_viewers_may_not_change_a_report(report, city, role):
    account = factories.user(city["road"], role)

    with pytest.raises(services.ReportError) as caught:
        services.report_accept(report=report, acting_user=account)

    assert caught.value.code == "forbidden"


def test_another_section_may_not_change_a_report(report, city, other_city_manager):
    parks = factories.user(city["parks"], "manager")

    for account in (parks, other_city_manager):
        with pytest.raises(services.ReportError) as caught:
            services.report_fix(report=report, acting_user=account)
        assert caught.value.code == "forbidden"


def test_me_too_is_counted_and_its_email_hears_of_changes(report, section_staff, run_on_commit):
    factories.me_too(report, email="neighbour@example.com", language="ko")
    factories.me_too(report)

    run_on_commit(services.report_fix, report=report, acting_user=section_staff)

    report.refresh_from_db()
    assert report.me_too_count == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["neighbour@example.com", "resident@example.com"]


def test_me_too_on_a_closed_report_is_refused(report, section_staff):
    services.report_fix(report=report, acting_user=section_staff)

    with pytest.raises(services.ReportError) as caught:
        factories.me_too(report)

    assert caught.value.code == "report_not_open"


def test_contact_details_are_deleted_a_set_time_after_the_report_ended(
    report, section_staff, settings
):
    settings.REPORT_CONTACT_RETENTION_DAYS = 30
    factories.me_too(report, email="neighbour@example.com")
    services.report_fix(report=report, acting_user=section_staff)
    Report.objects.filter(pk=report.pk).update(
        contact_name="山田",
        contact_phone="090-0000-0000",
        ended_at=timezone.now() - datetime.timedelta(days=31),
    )

    purged = privacy.reports_purge_contacts()
    again = privacy.reports_purge_contacts()

    report.refresh_from_db()
    assert (purged, again) == (1, 0)
    assert (report.contact_email, report.contact_name, report.contact_phone) == ("", "", "")
    assert not MeToo.objects.exclude(email="").exists()
    assert report.events.filter(kind=ReportEvent.Kind.CONTACT_DELETED).exists()


def test_contacts_of_recent_and_open_reports_are_kept(report, section_staff):
    services.report_fix(report=report, acting_user=section_staff)

    assert privacy.reports_purge_contacts() == 0
    report.refresh_from_db()
    assert report.contact_email == "resident@example.com"


def test_moderation_makes_the_description_and_photos_public(report, section_staff):
    services.report_set_description_public(report=report, public=True, acting_user=section_staff)

    report.refresh_from_db()
    assert report.description_public is True
    assert report.events.filter(kind="moderated").count() == 1
