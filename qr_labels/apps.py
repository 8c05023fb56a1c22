from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrLabelsConfig(AppConfig):
    name = "qr_labels"
    verbose_name = _("QR labels")
