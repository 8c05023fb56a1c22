from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Fault reports: the one intake door, receipts, photos, the status model, priority,
    notices and what the public may see."""

    name = "reports"
    verbose_name = _("Reports")
