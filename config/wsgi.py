"""WSGI entry point (gunicorn config.wsgi). A setting that cannot be used stops the start."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from config.checks import ensure_settings_usable  # noqa: E402 (needs the apps loaded)

ensure_settings_usable()
