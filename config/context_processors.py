"""Values every page shows: the city's name and phone number."""

from django.conf import settings
from django.utils.translation import get_language


def city(request):
    japanese = (get_language() or "ja").startswith("ja")
    return {
        "city_name": settings.CITY_NAME if japanese else settings.CITY_NAME_EN,
        "city_phone": settings.CITY_PHONE,
        "retention_days": settings.REPORT_CONTACT_RETENTION_DAYS,
    }
