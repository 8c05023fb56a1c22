from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself: its system checks."""

    name = "config"
    label = "machimori_config"
    verbose_name = "Machimori"

    def ready(self):
        from config import checks  # noqa: F401 (registers the settings check)
