from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    """Asset types with their grading scales and fault categories, the assets, and the
    ledgers they are imported from and exported to."""

    name = "assets"
    verbose_name = _("Assets")

    def ready(self):
        from accounts.city_setup import city_adopted
        from assets.changes import ensure_change_triggers
        from assets.services import towns_adopt

        # A one-city deployment naming its city (create_city --adopt-organisations): its
        # towns, kept without a city until then, become that city's with its organisations.
        city_adopted.connect(towns_adopt, dispatch_uid="machimori-towns-adopt")

        # Infrastructure, not domain logic: the assets' change sequence (assets/changes.py).
        # Sent once, after every app's migrations.
        post_migrate.connect(
            ensure_change_triggers, sender=self, dispatch_uid="machimori-change-triggers"
        )
