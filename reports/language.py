"""The language a report is taken and answered in, for the residents' pages and Open311."""

from django.conf import settings
from django.utils import translation


def request_language(locale: str = "") -> str:
    """`locale` (an Open311 parameter, `pt_BR` or `pt-br`) when Django has words for it, else
    the language negotiated for the request (cookie, Accept-Language), else the site's."""
    locale = locale.strip().replace("_", "-").lower()
    if locale and translation.check_for_language(locale):
        return locale
    return (translation.get_language() or settings.LANGUAGE_CODE).lower()
