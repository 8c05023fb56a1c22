"""Danger to people first: a fault that endangers people (its category, an answer, a report
merged into it) ranks above every fault without danger whatever their scores and due times,
and among themselves by score; the rule is named in the reasons. Hand-built cases."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from assets.models import FaultCategory
from reports import business_days, intake, priority, selectors, services
from reports.models import Report
from tests import factories

RULE = "danger to people: ranked before faults without danger"


@pytest.fixture
def categories(catalogue, city):
    FaultCategory.objects.update(default_owner=city["road"])
    return {c.code: c for c in FaultCategory.objects.all()}


def place(lon=factories.IZUMO[0], lat=factories.IZUMO[1]):
    return intake.Place(point=Point(lon, lat, srid=4326), source="device", accuracy_m=5)


def queue(user, now=None, order="priority"):
    return list(selectors.queue(user, filters=selectors.QueueFilter(), order=order, now=now))


def numbers(reports):
    return [report.number for report in reports]


def reported_earlier(report, hours):
    """As if the report had come in `hours` earlier (its target moves with it)."""
    shift = datetime.timedelta(hours=hours)
    report.created_at -= shift
    report.respond_by -= shift
    report.created_epoch = int(report.created_at.timestamp())
    report.respond_epoch = int(report.respond_by.timestamp())
    Report.objects.filter(pk=report.pk).update(
        created_at=report.created_at,
        respond_by=report.respond_by,
        created_epoch=report.created_epoch,
        respond_epoch=report.respond_epoch,
    )
    return report


@pytest.fixture
def wiring_and_slide(categories, submit, city):
    """Exposed wiring due in 3 hours; a broken slide, critical and seen by two neighbours,
    due in 3 days, whose score is the higher."""
    wiring = reported_earlier(submit(categories["exposed-wiring"], place=place()), hours=1)
    slide = factories.asset("slide", owner=city["road"], criticality=5)
    broken = submit(categories["broken-part"], asset=slide, answers={"part": "手すり"})
    factories.me_too(broken)
    factories.me_too(broken)
    return wiring, Report.objects.get(pk=broken.pk)


def test_exposed_wiring_due_in_3_hours_ranks_above_a_slide_due_in_3_days_with_a_higher_score(
    wiring_and_slide, manager
):
    wiring, slide = wiring_and_slide
    now = timezone.now()
    assert wiring.respond_by - now < datetime.timedelta(hours=3)
    assert slide.respond_by - now > datetime.timedelta(hours=71)

    rows = queue(manager, now)
    assert numbers(rows) == [wiring.number, slide.number]
    scores = {report.number: report.score for report in rows}
    # 40 (severity 5) + 3 (an hour of four gone) against 32 + 20 (criticality 5) + 6 (two me too)
    assert (scores[wiring.number], scores[slide.number]) == (43, 58)
    assert (wiring.danger, slide.danger) == (True, False)


def test_the_danger_rule_holds_whatever_the_time_and_a_managers_points(wiring_and_slide, manager):
    wiring, slide = wiring_and_slide
    # Three days on, the slide is overdue too (+25), and a manager pushed it up by 100.
    services.report_set_priority(
        report=slide, points=100, reason="園児の遠足が来週", acting_user=manager
    )
    later = timezone.now() + datetime.timedelta(days=3)
    assert numbers(queue(manager, later)) == [wiring.number, slide.number]
    # Orders other than the priority keep their own meaning.
    assert numbers(queue(manager, later, order="newest")) == [slide.number, wiring.number]


def test_two_dangerous_faults_order_by_their_scores(categories, submit, manager, city):
    light = factories.asset(owner=city["road"], criticality=4)
    wiring = submit(categories["exposed-wiring"], place=place())  # 40
    pole = submit(categories["pole-damaged"], asset=light, answers={"danger_now": "はい"})  # 56
    slide = factories.asset("slide", owner=city["road"], criticality=5)
    broken = submit(categories["broken-part"], asset=slide)  # 52, no danger

    assert pole.danger and wiring.danger and not broken.danger
    assert (pole.priority_base, broken.priority_base, wiring.priority_base) == (56, 52, 40)
    assert numbers(queue(manager)) == [pole.number, wiring.number, broken.number]


def test_an_answer_marks_danger_and_another_answer_does_not(categories, submit, city):
    light = factories.asset(owner=city["road"])
    falling = submit(categories["pole-damaged"], asset=light, answers={"danger_now": True})
    leaning = submit(
        categories["pole-damaged"], place=place(132.76, 35.37), answers={"danger_now": "いいえ"}
    )
    unanswered = submit(categories["pole-damaged"], place=place(132.77, 35.37))
    wheel = submit(categories["pothole"], place=place(132.75, 35.36), answers={"wheel_hole": True})
    shallow = submit(
        categories["pothole"],
        place=place(132.75, 35.35),
        answers={"wheel_hole": False, "width": "gt100"},
    )

    assert falling.answers == {"danger_now": True}
    assert [r.danger for r in (falling, leaning, unanswered, wheel, shallow)] == [
        True,
        False,
        False,
        True,
        False,
    ]
    assert Report.objects.get(pk=falling.pk).danger  # stored, not only computed


def test_the_reasons_name_the_rule_first_and_still_add_up_to_the_score(wiring_and_slide, manager):
    wiring, slide = wiring_and_slide
    now = timezone.now()
    with override("en"):
        wiring_reasons = priority.reasons(wiring, now)
        slide_reasons = priority.reasons(slide, now)
    assert wiring_reasons[0] == (0, RULE)
    assert (40, "severity 5 of the fault") in wiring_reasons
    assert RULE not in [sentence for _, sentence in slide_reasons]
    for report in queue(manager, now):
        assert report.score == sum(points for points, _ in priority.reasons(report, now))


def test_a_merged_report_that_said_danger_makes_the_kept_one_dangerous(
    categories, submit, manager, city
):
    light = factories.asset(owner=city["road"])
    kept = submit(categories["pole-damaged"], asset=light, answers={"danger_now": False})
    # The asset's open report stops a second one on it: the second comes in by a map pin.
    falling = submit(
        categories["pole-damaged"], place=place(132.7551, 35.3671), answers={"danger_now": True}
    )
    assert not kept.danger and falling.danger

    services.report_merge(duplicate=falling, into=kept, acting_user=manager)
    kept.refresh_from_db()
    assert kept.danger
    # A later refresh of every stored priority keeps it (the merged report still says so).
    assert services.priorities_refresh() == 0
    kept.refresh_from_db()
    assert kept.danger


def test_a_category_marked_dangerous_later_moves_its_open_faults_up_on_refresh(
    categories, submit, manager
):
    debris = submit(categories["debris"], place=place())  # severity 5, no danger
    wiring = submit(categories["exposed-wiring"], place=place(132.76, 35.37))
    flooding = submit(categories["flooding"], place=place(132.77, 35.37))
    flood_time = flooding.created_at + datetime.timedelta(hours=1)
    assert numbers(queue(manager, flood_time)) == [wiring.number, flooding.number, debris.number]

    FaultCategory.objects.filter(code="debris").update(danger=True)
    FaultCategory.objects.filter(code="exposed-wiring").update(danger=False)
    call_command("refresh_priorities", stdout=io.StringIO())

    # Wiring, no longer dangerous, keeps its score: 40 + 3 (an hour of four) over flooding's 41.
    assert numbers(queue(manager, flood_time)) == [debris.number, wiring.number, flooding.number]


def test_the_queue_page_and_its_export_keep_the_order_and_show_the_rule(
    client, manager, wiring_and_slide, categories, submit
):
    wiring, slide = wiring_and_slide
    graffiti = submit(categories["graffiti"], place=place(132.76, 35.37))
    expected = [wiring.number, slide.number, graffiti.number]
    client.force_login(manager)

    page = client.get(reverse("manage-queue"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    shown = list(dict.fromkeys(re.findall(r"/manage/reports/([A-Z0-9-]+)/", html)))
    assert shown == expected
    assert RULE in html

    export = client.get(reverse("manage-queue-export", args=["csv"]))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    listed = [cell for row in csv.reader(io.StringIO(text)) for cell in row if cell in expected]
    assert listed == expected


def test_another_citys_manager_sees_none_of_the_dangerous_faults(
    wiring_and_slide, other_city_manager
):
    assert queue(other_city_manager) == []


# --- Response targets: hours round the clock, or business days ------------------------------


def test_a_routine_fault_is_due_after_business_days_and_an_urgent_one_after_hours(
    categories, submit
):
    lamp_out = submit(categories["lamp-out"], place=place())  # 5 business days
    wiring = submit(categories["exposed-wiring"], place=place(132.76, 35.37))  # 4 hours

    assert lamp_out.respond_by == business_days.deadline(lamp_out.created_at, 5)
    assert lamp_out.respond_epoch == int(lamp_out.respond_by.timestamp())
    assert timezone.localtime(lamp_out.respond_by).time() == datetime.time(23, 59, 59)
    assert wiring.respond_by - wiring.created_at == datetime.timedelta(hours=4)


@pytest.mark.parametrize(
    ("code", "reported", "due"),
    [
        # Friday evening, 5 business days (夜間に点灯しない): the weekend does not count.
        ("lamp-out", (2026, 6, 12, 19, 30), (2026, 6, 19)),
        # From Friday 30 October 2026: Tuesday 3 November (文化の日) does not count.
        ("lamp-out", (2026, 10, 30, 10, 0), (2026, 11, 9)),
        # Golden Week 2027: from Wednesday 28 April, 10 business days (点滅する): 30 April,
        # then 6 May onwards.
        ("flickering", (2027, 4, 28, 9, 0), (2027, 5, 18)),
        # 年末年始: from Wednesday 23 December 2026, 5 business days: 24, 25, 28 Dec, 4, 5 Jan.
        ("lamp-out", (2026, 12, 23, 14, 0), (2027, 1, 5)),
        # Hours count round the clock, holidays too: 4 hours after 23:00 on New Year's Eve.
        ("exposed-wiring", (2026, 12, 31, 23, 0), (2027, 1, 1)),
    ],
)
def test_the_response_target_of_a_category(categories, code, reported, due):
    moment = datetime.datetime(*reported, tzinfo=business_days.TOKYO)
    respond_by = priority.respond_by(categories[code], moment)
    assert respond_by.astimezone(business_days.TOKYO).date() == datetime.date(*due)
