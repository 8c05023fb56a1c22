from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebAdminConfig(AppConfig):
    """The managers' screens under /manage/: HTTP over the domain's services and
    selectors."""

    name = "web_admin"
    verbose_name = _("Management")
