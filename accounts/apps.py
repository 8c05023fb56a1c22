from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People and permissions: the permission policy and the sign-in guard. Imports none of
    the project's other apps (the layer at the bottom)."""

    name = "accounts"
    verbose_name = _("accounts")

    def ready(self):
        from accounts import city_host
        from accounts.models import City, CityHost

        # The per-process map of host names to cities follows every change made here.
        for model in (City, CityHost):
            post_save.connect(city_host.forget, sender=model, dispatch_uid=f"forget-{model}")
            post_delete.connect(city_host.forget, sender=model, dispatch_uid=f"drop-{model}")
        post_migrate.connect(city_host.after_migrate, sender=self, dispatch_uid="city-hosts")
