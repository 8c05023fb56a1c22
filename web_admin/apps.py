from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebAdminConfig(AppConfig):
    name = "web_admin"
    verbose_name = _("Management")
