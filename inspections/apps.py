from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Inspections: checklists, the tablets' sync, conditions, faults an inspection
    raises, assignments and the quarantine."""

    name = "inspections"
    verbose_name = _("Inspections")
