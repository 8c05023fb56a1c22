from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People and permissions: the permission policy and the sign-in guard. Imports none of
    the project's other apps (the layer at the bottom)."""

    name = "accounts"
    verbose_name = _("accounts")
