from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself: its system checks."""

    name = "config"
    label = "machimori_config"
    verbose_name = "Machimori"

    def ready(self):
        from django.db.models.signals import post_migrate

        from config import checks  # noqa: F401 (registers the settings check)
        from config.spatialite import ensure_spatial_indexes

        # Every app's geometry columns, after every migrate (config/spatialite.py).
        post_migrate.connect(
            ensure_spatial_indexes, sender=self, dispatch_uid="machimori-spatial-indexes"
        )
