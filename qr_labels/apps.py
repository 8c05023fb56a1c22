from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrLabelsConfig(AppConfig):
    """The QR stickers: codes with a check character, labels on assets, printable
    sheets, and the counting of scans."""

    name = "qr_labels"
    verbose_name = _("QR labels")
