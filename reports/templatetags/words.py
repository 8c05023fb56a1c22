"""Template filters that put a value into words for the reader: `distance` ("350 m",
"1.2 km", "7,559 km") in the active language's number format."""

from django import template

from reports.words import distance as distance_words

register = template.Library()


@register.filter
def distance(value) -> str:
    """Metres (a number, or a GeoDjango Distance) as a reader says them; '' for nothing."""
    return distance_words(value)
