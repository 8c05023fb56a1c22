"""Values every page shows: the city's name and phone number, and how long contact
details are kept (the purpose-of-use notice)."""

from django.conf import settings

from config import city as cities


def city(request):
    here = cities.current(request)
    return {
        "city_name": here.name_in(),
        "city_phone": here.phone,
        "retention_days": settings.REPORT_CONTACT_RETENTION_DAYS,
        # The other channels, offered on sticker pages when the city has them.
        "city_line_id": here.line.basic_id if here.line else "",
        "city_mail_address": here.mailbox.address if here.mailbox else "",
    }
