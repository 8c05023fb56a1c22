from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API (tablets, staff, public assets), Open311 GeoReport v2 and the open-
    data feeds: HTTP over the domain's services and selectors."""

    name = "api"
    verbose_name = _("API")
