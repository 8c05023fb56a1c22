from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = _("Assets")

    def ready(self):
        from assets.spatialite import ensure_spatial_indexes

        # Infrastructure, not domain logic: see assets/spatialite.py.
        post_migrate.connect(ensure_spatial_indexes, dispatch_uid="machimori-spatial-indexes")
