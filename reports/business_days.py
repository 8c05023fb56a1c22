"""Business days of a Japanese city office: not Saturday or Sunday, not a national holiday
(substitute and "sandwiched" holidays included, from jpholiday), not 年末年始 (29 December to
3 January, closed by the law on the holidays of administrative organs).

Days are Tokyo days whatever the server's zone: a report sent at 23:30 on a Friday in Japan
is a Friday report even when the clock it was stamped with reads UTC.
"""

import datetime
from zoneinfo import ZoneInfo

import jpholiday

TOKYO = ZoneInfo("Asia/Tokyo")


def is_year_end_closure(day: datetime.date) -> bool:
    """29 December to 3 January."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(day: datetime.date) -> bool:
    return not (day.weekday() >= 5 or is_year_end_closure(day) or jpholiday.is_holiday(day))


def business_day_after(day: datetime.date, count: int) -> datetime.date:
    """The `count`-th business day after `day` (`day` itself never counts)."""
    if count < 1:
        raise ValueError("count business days from 1")
    while count:
        day += datetime.timedelta(days=1)
        count -= is_business_day(day)
    return day


def deadline(moment: datetime.datetime, count: int) -> datetime.datetime:
    """The end of the `count`-th business day after the Tokyo day of `moment`, as an aware
    instant (23:59:59 Tokyo time). The day of the report does not count, however early it
    came in: 1 business day from a Friday evening is the end of Monday, from a Monday
    morning the end of Tuesday."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    day = business_day_after(moment.astimezone(TOKYO).date(), count)
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=TOKYO)
