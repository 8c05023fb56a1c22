"""The queue as a working screen: one action on several ticked reports (all or nothing,
audited per report), filters shown as chips, and the last filter remembered."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from reports import bulk, services
from reports.models import Report, ReportEvent
from tests import factories

BULK = "/manage/queue/bulk/"
QUEUE = "/manage/queue/"


@pytest.fixture
def road_reports(submit, lamp_out, city):
    """Three new reports on three lights of the road section."""
    return [
        submit(lamp_out, asset=factories.asset(owner=city["road"], ledger_id=f"BH-10{n}"))
        for n in range(3)
    ]


@pytest.fixture
def parks_report(submit, lamp_out, city):
    return submit(lamp_out, asset=factories.asset(owner=city["parks"], ledger_id="KO-0001"))


def _post(client, numbers, action, *, back="category=lamp-out", **fields):
    return client.post(BULK, {"r": numbers, "action": action, "back": back, **fields})


def _statuses(reports):
    return [Report.objects.get(pk=r.pk).status for r in reports]


def test_two_faults_are_assigned_in_one_action_each_audited_and_told(
    client, section_staff, road_reports, city, django_capture_on_commit_callbacks
):
    city["contractor"].contact_email = "densetsu@example.com"
    city["contractor"].save()
    client.force_login(section_staff)
    mail.outbox.clear()
    chosen = road_reports[:2]
    due = timezone.localdate() + datetime.timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            [r.number for r in chosen],
            "assign",
            assignee=city["contractor"].pk,
            due_on=due.isoformat(),
        )

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?category=lamp-out"
    for report in chosen:
        report.refresh_from_db()
        assert report.assignee == city["contractor"] and report.work_due_on == due
        event = ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.ASSIGNED)
        assert event.by == section_staff and event.to_value == city["contractor"].code
    road_reports[2].refresh_from_db()
    assert road_reports[2].assignee is None
    assert sorted(m.to[0] for m in mail.outbox) == ["densetsu@example.com"] * 2


def test_accept_several(client, section_staff, road_reports):
    client.force_login(section_staff)
    response = _post(client, [r.number for r in road_reports], "accept")

    assert response.status_code == 302
    assert _statuses(road_reports) == [Report.Status.ACCEPTED] * 3
    assert ReportEvent.objects.filter(kind=ReportEvent.Kind.STATUS, by=section_staff).count() == 3


def test_close_as_duplicates_of_one_report(client, section_staff, road_reports):
    client.force_login(section_staff)
    kept, *duplicates = road_reports
    response = _post(client, [r.number for r in road_reports], "merge", into=kept.number.lower())

    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.status == Report.Status.NEW and kept.me_too_count == 2
    for duplicate in duplicates:
        duplicate.refresh_from_db()
        assert duplicate.status == Report.Status.CLOSED
        assert duplicate.close_reason == Report.CloseReason.DUPLICATE
        assert duplicate.duplicate_of == kept
    assert ReportEvent.objects.filter(report=kept, kind=ReportEvent.Kind.MERGED).count() == 2


def test_pass_several_on_to_their_owner(client, manager, road_reports):
    association = factories.org("asahi-jichikai", kind="association", name="朝日町自治会")
    client.force_login(manager)
    response = _post(
        client, [r.number for r in road_reports[:2]], "forward", to=association.pk, note="自治会へ"
    )

    assert response.status_code == 302
    for report in road_reports[:2]:
        report.refresh_from_db()
        assert report.owner == association
        assert ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.FORWARDED).exists()


def test_a_report_the_user_may_not_change_changes_nothing_and_is_named(
    client, section_staff, road_reports, parks_report
):
    client.force_login(section_staff)
    numbers = [road_reports[0].number, parks_report.number]
    response = _post(client, numbers, "accept")

    assert response.status_code == 409
    html = response.content.decode()
    assert parks_report.number in html and 'role="alert"' in html
    assert _statuses([road_reports[0], parks_report]) == [Report.Status.NEW] * 2
    assert not ReportEvent.objects.filter(kind=ReportEvent.Kind.STATUS).exists()
    # The selection is kept, ticked, for another try.
    assert (
        f'value="{road_reports[0].number}" form="bulk" id="tick-{road_reports[0].number}" checked'
        in html
    )


def test_a_report_already_dealt_with_refuses_the_whole_selection(
    client, section_staff, road_reports
):
    services.report_fix(report=road_reports[1], acting_user=section_staff)
    client.force_login(section_staff)
    response = _post(client, [r.number for r in road_reports], "accept")

    assert response.status_code == 409
    assert road_reports[1].number in response.content.decode()
    assert _statuses([road_reports[0], road_reports[2]]) == [Report.Status.NEW] * 2


def test_another_citys_report_reads_as_unknown_and_changes_nothing(
    client, section_staff, road_reports, submit, lamp_out, other_city
):
    theirs = submit(lamp_out, asset=factories.asset(owner=other_city, ledger_id="MT-1"))
    client.force_login(section_staff)
    response = _post(client, [road_reports[0].number, theirs.number], "accept")

    assert response.status_code == 409
    assert _statuses([road_reports[0], theirs]) == [Report.Status.NEW] * 2
    assert theirs.number in response.content.decode()  # the number typed, nothing more


def test_a_failure_midway_rolls_the_whole_selection_back(section_staff, road_reports, monkeypatch):
    real = services.report_accept
    calls = []

    def failing(*, report, acting_user, note=""):
        calls.append(report.number)
        if len(calls) == 2:
            raise services.ReportError("changed meanwhile", code="invalid_transition")
        return real(report=report, acting_user=acting_user, note=note)

    monkeypatch.setattr(services, "report_accept", failing)
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.reports_bulk(
            numbers=[r.number for r in road_reports], action="accept", acting_user=section_staff
        )
    assert [r.number for r in refused.value.refusals] == [road_reports[1].number]
    assert _statuses(road_reports) == [Report.Status.NEW] * 3


def test_a_report_changed_meanwhile_is_named_in_the_users_words(
    client, section_staff, road_reports, monkeypatch
):
    """A service's refusal after the checks (someone changed the report in between) names
    the report, as the other refusals do, not the service's English sentence."""

    def changed(*, report, acting_user, note=""):
        raise services.ReportError(
            "A Accepted report cannot become accepted.", code="invalid_transition"
        )

    monkeypatch.setattr(services, "report_accept", changed)
    client.force_login(section_staff)
    response = _post(client, [r.number for r in road_reports], "accept")

    assert response.status_code == 409
    page = response.content.decode()
    assert f"{road_reports[0].number}: この間にほかの操作で変更されました" in page
    assert "cannot become" not in page
    assert _statuses(road_reports) == [Report.Status.NEW] * 3


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"r": [], "action": "accept"}, "r"),
        ({"action": "nothing"}, "action"),
        ({"action": "assign"}, "assignee"),
        ({"action": "merge"}, "into"),
        ({"action": "forward"}, "to"),
        ({"action": "assign", "due_on": "2001-01-01"}, "due_on"),
        ({"action": "assign", "due_on": "not a date"}, "due_on"),
    ],
)
def test_bad_input_comes_back_with_the_form_and_changes_nothing(
    client, section_staff, road_reports, city, fields, field
):
    client.force_login(section_staff)
    data = {"r": [road_reports[0].number], "back": "", **fields}
    if field == "due_on":
        data["assignee"] = city["contractor"].pk
    response = client.post(BULK, data)

    assert response.status_code == 400
    assert response.context["bulk_form"].has_error(field)
    assert _statuses(road_reports) == [Report.Status.NEW] * 3


def test_too_many_at_once_is_refused(client, section_staff, road_reports):
    client.force_login(section_staff)
    numbers = [f"R-{n:06d}" for n in range(bulk.MAX_SELECTION + 1)]
    response = client.post(BULK, {"r": numbers, "action": "accept"})

    assert response.status_code == 400
    assert response.context["bulk_form"].has_error("r")


def test_merging_needs_a_duplicate_besides_the_report_that_stays(
    client, section_staff, road_reports
):
    client.force_login(section_staff)
    kept = road_reports[0]
    response = _post(client, [kept.number], "merge", into=kept.number)

    assert response.status_code == 400
    assert Report.objects.get(pk=kept.pk).status == Report.Status.NEW


def test_viewers_and_inspectors_get_no_bulk_actions(client, viewer, inspector, road_reports):
    for account in (viewer, inspector):
        client.force_login(account)
        page = client.get(QUEUE, {"clear": "1"}).content.decode()
        assert account == inspector or road_reports[0].number in page
        assert 'id="bulk"' not in page and 'name="r"' not in page
        assert _post(client, [road_reports[0].number], "accept").status_code == 403
    assert _statuses(road_reports) == [Report.Status.NEW] * 3


def test_anonymous_is_sent_to_sign_in(client, road_reports):
    response = _post(client, [road_reports[0].number], "accept")
    assert response.status_code == 302 and "/manage/login/" in response["Location"]


def test_the_last_filter_is_remembered_until_cleared(client, section_staff, road_reports):
    client.force_login(section_staff)
    client.get(QUEUE, {"category": "lamp-out", "overdue": "on", "page": "2"})

    again = client.get(QUEUE)
    assert again.status_code == 302
    assert again["Location"] == f"{QUEUE}?category=lamp-out&overdue=on"

    assert client.get(QUEUE, {"clear": "1"}).status_code == 200
    assert client.get(QUEUE).status_code == 200  # nothing left to restore


def test_active_filters_are_chips_each_removable(client, section_staff, road_reports):
    client.force_login(section_staff)
    response = client.get(
        QUEUE, {"category": "lamp-out", "status": ["new", "accepted"]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    chips = response.context["chips"]
    category_name = dict(response.context["form"].fields["category"].choices)["lamp-out"]
    assert (chips[0][0], chips[0][1]) == ("Category", str(category_name))
    assert chips[0][1] != "lamp-out"
    by_value = {value: rest for _label, value, rest in chips}
    assert len(chips) == 3
    without_new = by_value[str(Report.Status.NEW.label)]
    assert "status=new" not in without_new and "status=accepted" in without_new
    assert "category=lamp-out" in without_new


def test_print_sends_the_ticked_reports_to_their_work_orders_and_changes_nothing(
    client, section_staff, road_reports
):
    client.force_login(section_staff)
    numbers = [r.number for r in road_reports[:2]]
    response = _post(client, numbers, "print")

    assert response.status_code == 302
    assert response["Location"] == f"/manage/work-orders/?r={numbers[0]}&r={numbers[1]}"
    assert client.get(response["Location"]).status_code == 200
    assert _statuses(road_reports) == [Report.Status.NEW] * 3
    assert not ReportEvent.objects.exclude(kind=ReportEvent.Kind.SUBMITTED).exists()


def test_the_page_shown_after_a_refusal_keeps_its_links_to_the_queue(
    client, section_staff, road_reports, parks_report
):
    """The refused selection's page stays at the bulk address: its filter form, chips and
    page links (relative, `?…`) arrive there as GETs and must lead back to the queue."""
    client.force_login(section_staff)
    refused = _post(client, [road_reports[0].number, parks_report.number], "accept")
    assert refused.status_code == 409

    response = client.get(BULK, {"category": "lamp-out", "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?category=lamp-out&page=2"
    assert client.get(BULK)["Location"] == QUEUE
    assert _statuses(road_reports) == [Report.Status.NEW] * 3


def test_a_long_filter_never_blocks_the_action(client, section_staff, road_reports):
    """`back` is the queue's filter, hidden: a long one is cut, never a form error the user
    cannot see to correct (nor one in English: the field has no label)."""
    client.force_login(section_staff)
    response = _post(client, [road_reports[0].number], "accept", back="q=" + "x" * 2500)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{QUEUE}?q=xxx")
    assert _statuses(road_reports) == [Report.Status.ACCEPTED, Report.Status.NEW, Report.Status.NEW]
