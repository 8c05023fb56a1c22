"""Settings for the HTTP benchmark: the project's, plus a bare view to compare with."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
