"""ASGI entry point. A setting that cannot be used stops the start."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()

from config.checks import ensure_settings_usable  # noqa: E402 (needs the apps loaded)

ensure_settings_usable()
