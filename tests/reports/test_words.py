"""A report's values in words: distances, the answers to a category's questions, and what
each event of its trail changed (organisations by name, statuses by their label)."""

import datetime

import pytest
from django.contrib.gis.measure import Distance
from django.template import Context, Template
from django.utils import timezone, translation

from accounts import policy
from assets.models import FaultCategory
from reports import selectors, services, words
from reports.models import Report, ReportEvent


@pytest.mark.parametrize(
    ("metres", "said"),
    [
        (0, "0 m"),
        (349.6, "350 m"),
        (999.4, "999 m"),
        (999.6, "1.0 km"),
        (1234, "1.2 km"),
        (9949, "9.9 km"),
        (9951, "10 km"),
        (7559082, "7,559 km"),
        (Distance(m=1500), "1.5 km"),
    ],
)
def test_a_distance_is_said_in_metres_or_kilometres_with_grouping(metres, said):
    with translation.override("ja"):
        assert words.distance(metres) == said


def test_no_distance_says_nothing():
    assert words.distance(None) == ""
    assert words.distance("") == ""


def test_the_distance_filter_says_it_in_a_template():
    template = Template("{% load words %}{{ far|distance }} / {{ near|distance }}")

    with translation.override("ja"):
        said = template.render(Context({"far": 7559082.4, "near": 12.3}))

    assert said == "7,559 km / 12 m"


QUESTIONS = [
    {
        "key": "since",
        "kind": "choice",
        "label": {"ja": "いつからですか", "en": "Since when?"},
        "choices": [{"value": "today", "label": {"ja": "今日", "en": "Today"}}],
    },
    {"key": "danger_now", "kind": "boolean", "label": {"ja": "今にも倒れそうですか"}},
    {"key": "depth_cm", "kind": "integer", "unit": "cm", "label": {"ja": "深さ"}},
    {"key": "part", "kind": "text", "label": {"ja": "どの部分ですか"}},
]


def test_answers_are_said_with_the_questions_and_answers_labels_in_the_readers_language():
    answers = {"part": "鎖", "depth_cm": 1200, "danger_now": False, "since": "today"}

    with translation.override("ja"):
        japanese = words.answers(QUESTIONS, answers)
    with translation.override("en"):
        english = words.answers(QUESTIONS, answers)

    assert japanese == [
        ("いつからですか", "今日"),
        ("今にも倒れそうですか", "いいえ"),
        ("深さ", "1,200 cm"),
        ("どの部分ですか", "鎖"),
    ]
    assert english[0] == ("Since when?", "Today")


def test_an_answer_to_a_question_no_longer_asked_keeps_its_key_and_empty_ones_are_left_out():
    lines = words.answers(QUESTIONS, {"since": "", "colour": "red"})

    assert lines == [("colour", "red")]


@pytest.fixture
def report(submit, light):
    category = FaultCategory.objects.get(code="lamp-out")
    return submit(category, asset=light, answers={"since": "today"})


def test_a_reports_answers_are_described_from_its_category(report):
    with translation.override("ja"):
        assert report.answers_described == [("いつからですか", "今日")]


def test_the_trail_says_statuses_and_organisations_in_words(report, city, manager):
    city["parks"].name = "公園緑地課"
    city["parks"].save()
    services.report_transition(report=report, to=Report.Status.ACCEPTED, acting_user=manager)
    due = timezone.localdate() + datetime.timedelta(days=3)
    services.report_assign(report=report, assignee=city["parks"], due_on=due, acting_user=manager)
    services.report_assign(
        report=report, assignee=city["contractor"], due_on=due, acting_user=manager
    )
    services.report_set_description_public(report=report, public=True, acting_user=manager)
    services.report_transition(
        report=report,
        to=Report.Status.CLOSED,
        reason=Report.CloseReason.NO_FAULT,
        acting_user=policy.SYSTEM,
    )

    with translation.override("en"):
        said = [(e.kind, e.words) for e in selectors.report_history_described(report)]
    with translation.override("ja"):
        japanese = selectors.report_history_described(report)[1].words

    assert said == [
        ("submitted", ""),
        ("status", "New → Accepted"),
        ("assigned", f"— → 公園緑地課 (due {due:%Y-%m-%d})"),
        ("assigned", f"公園緑地課 → 出雲電設 (due {due:%Y-%m-%d})"),
        ("moderated", "description made public"),
        ("status", "Accepted → Closed (No fault found)"),
    ]
    assert japanese == "未確認 → 受付済"


def test_the_system_text_of_an_event_is_not_shown_as_typed_words(report):
    merged = ReportEvent(
        report=report, kind=ReportEvent.Kind.MERGED, from_value="R-1", text="2 photos"
    )
    note = ReportEvent(report=report, kind=ReportEvent.Kind.NOTE, text="現地確認済み")

    assert merged.typed_text == ""
    assert note.typed_text == "現地確認済み"
    with translation.override("en"):
        assert merged.change() == "R-1, with 2 photos"
