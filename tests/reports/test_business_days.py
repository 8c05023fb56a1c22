"""Business days as a city office counts them: weekends, national holidays (substitute ones
too) and 年末年始 (29 Dec – 3 Jan) do not count, nor does the day of the report; days are
Tokyo days whatever clock the moment was stamped with."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from reports.business_days import TOKYO, business_day_after, deadline, is_business_day

UTC = datetime.UTC


def tokyo(*args):
    return datetime.datetime(*args, tzinfo=TOKYO)


def end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (datetime.date(2027, 4, 28), True),  # Wednesday before Golden Week
        (datetime.date(2027, 4, 29), False),  # 昭和の日 (a Thursday)
        (datetime.date(2027, 4, 30), True),  # the Friday between
        (datetime.date(2027, 5, 3), False),  # 憲法記念日
        (datetime.date(2027, 5, 4), False),  # みどりの日
        (datetime.date(2027, 5, 5), False),  # こどもの日
        (datetime.date(2027, 5, 6), True),
        (datetime.date(2026, 5, 6), False),  # 振替休日: 憲法記念日 fell on a Sunday
        (datetime.date(2027, 3, 22), False),  # 振替休日: 春分の日 fell on a Sunday
        (datetime.date(2026, 9, 22), False),  # 国民の休日, between two holidays
        (datetime.date(2026, 12, 28), True),  # the last working day of 2026
        (datetime.date(2026, 12, 29), False),  # 年末年始 on weekdays, no national holiday
        (datetime.date(2026, 12, 30), False),
        (datetime.date(2026, 12, 31), False),
        (datetime.date(2027, 1, 1), False),
        (datetime.date(2027, 1, 4), True),  # the first working day of 2027
        (datetime.date(2027, 1, 9), False),  # Saturday
        (datetime.date(2027, 1, 10), False),  # Sunday
        (datetime.date(2027, 1, 11), False),  # 成人の日
    ],
)
def test_which_days_the_office_works(day, open_):
    assert is_business_day(day) is open_


def test_golden_week_2027_is_skipped_whole():
    wednesday = datetime.date(2027, 4, 28)
    assert business_day_after(wednesday, 1) == datetime.date(2027, 4, 30)  # over 昭和の日
    # Friday 30 April, then Sat, Sun and three holidays: the next is Thursday 6 May.
    assert business_day_after(wednesday, 2) == datetime.date(2027, 5, 6)
    assert business_day_after(wednesday, 3) == datetime.date(2027, 5, 7)
    assert deadline(tokyo(2027, 4, 30, 18, 0), 1) == end_of(datetime.date(2027, 5, 6))


def test_the_year_end_closure_2026_27_is_skipped():
    # Monday 28 December: the next working day is Monday 4 January 2027.
    assert deadline(tokyo(2026, 12, 28, 10, 0), 1) == end_of(datetime.date(2027, 1, 4))
    # From Friday 25 December, two days: Monday 28, then Monday 4 January.
    assert deadline(tokyo(2026, 12, 25, 16, 0), 2) == end_of(datetime.date(2027, 1, 4))
    # Five days from Christmas Day: 28 Dec, 4, 5, 6, 7 Jan; Saturday 9 to 成人の日 11 skipped.
    assert deadline(tokyo(2026, 12, 25, 16, 0), 5) == end_of(datetime.date(2027, 1, 7))
    assert deadline(tokyo(2026, 12, 25, 16, 0), 6) == end_of(datetime.date(2027, 1, 8))
    assert deadline(tokyo(2026, 12, 25, 16, 0), 7) == end_of(datetime.date(2027, 1, 12))


def test_a_friday_evening_report_is_due_at_the_end_of_monday():
    friday_evening = tokyo(2026, 6, 12, 19, 30)
    assert deadline(friday_evening, 1) == end_of(datetime.date(2026, 6, 15))
    assert deadline(friday_evening, 5) == end_of(datetime.date(2026, 6, 19))


def test_the_day_of_the_report_never_counts_however_early():
    monday_morning = tokyo(2026, 6, 15, 0, 5)
    assert deadline(monday_morning, 1) == end_of(datetime.date(2026, 6, 16))


def test_a_substitute_holiday_is_skipped():
    # From Friday 1 May 2026: the weekend, 4 and 5 May, and 6 May, 振替休日 for a Sunday 3 May.
    assert deadline(tokyo(2026, 5, 1, 9, 0), 1) == end_of(datetime.date(2026, 5, 7))
    # Friday 19 March 2027: Monday 22 is 振替休日 for 春分の日.
    assert deadline(tokyo(2027, 3, 19, 15, 0), 1) == end_of(datetime.date(2027, 3, 23))


def test_a_report_made_on_a_holiday_counts_from_the_next_working_day():
    culture_day = tokyo(2026, 11, 3, 11, 0)  # 文化の日, a Tuesday
    assert deadline(culture_day, 1) == end_of(datetime.date(2026, 11, 4))
    assert deadline(tokyo(2027, 5, 4, 8, 0), 1) == end_of(datetime.date(2027, 5, 6))
    assert deadline(tokyo(2026, 9, 22, 8, 0), 1) == end_of(datetime.date(2026, 9, 24))


def test_days_are_tokyo_days_whatever_the_clock_it_was_stamped_with():
    # 15:30 UTC on Thursday 11 June is 00:30 on Friday 12 June in Tokyo: a Friday report.
    late_thursday_utc = datetime.datetime(2026, 6, 11, 15, 30, tzinfo=UTC)
    due = deadline(late_thursday_utc, 1)
    assert due == end_of(datetime.date(2026, 6, 15))
    assert due.astimezone(UTC) == datetime.datetime(2026, 6, 15, 14, 59, 59, tzinfo=UTC)
    # The same instant written in New York time is the same Tokyo Friday.
    assert deadline(late_thursday_utc.astimezone(ZoneInfo("America/New_York")), 1) == due
    # 14:30 UTC is still 23:30 on Thursday in Tokyo: the next working day is Friday.
    assert deadline(datetime.datetime(2026, 6, 11, 14, 30, tzinfo=UTC), 1) == end_of(
        datetime.date(2026, 6, 12)
    )


def test_nonsense_is_refused():
    with pytest.raises(ValueError, match="from 1"):
        business_day_after(datetime.date(2026, 6, 12), 0)
    with pytest.raises(ValueError, match="aware"):
        deadline(datetime.datetime(2026, 6, 12, 9, 0), 1)  # naive: which day is it?
