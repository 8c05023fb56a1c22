"""Maintenance planning: how fast each kind of asset wears out (deterioration models
estimated from the condition history) and, built on them, the long-life repair plan
(長寿命化修繕計画). Above inspections and reports, which it reads; nothing below imports it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Maintenance planning")
