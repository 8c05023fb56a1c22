"""What the channels keep: LINE users (their conversation, language, whether they follow
the city's account), the webhook events seen (to act on each once), which receipts belong
to which LINE user, the month's push count (pushes cost the city), and the mails read.

Each of them is of one city's channel (`city`; None is the deployment's one city of the
settings): a LINE user id is LINE's per channel, and the same id on two cities' accounts is
two conversations; a mail sent to two cities' mailboxes is read by each.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import City
from reports.models import Receipt


def _city(related_name: str):
    return models.ForeignKey(
        City,
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name=related_name,
    )


def _unique_per_city(model: str, *fields: str) -> list:
    """`fields` unique within a city, and within the settings' one city (NULLs are distinct
    in a unique index, on SQLite as on PostgreSQL)."""
    return [
        models.UniqueConstraint(fields=["city", *fields], name=f"{model}_unique_per_city"),
        models.UniqueConstraint(
            fields=list(fields), condition=Q(city__isnull=True), name=f"{model}_unique_no_city"
        ),
    ]


class LineUser(models.Model):
    """A LINE user who talks to the city's account. The user id is LINE's, per channel;
    the display name is a contact detail (private; deleted with the report's contacts)."""

    city = _city("line_users")
    user_id = models.CharField(max_length=64)
    display_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=10, default="ja")
    following = models.BooleanField(default=True)
    # The conversation so far: what the next message answers, and what was gathered.
    state = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LINE user")
        verbose_name_plural = _("LINE users")
        constraints = _unique_per_city("lineuser", "user_id")

    def __str__(self) -> str:
        return f"LINE {self.user_id[:8]}…"


class LineEvent(models.Model):
    """One webhook event, kept by its webhookEventId: a redelivery finds it and does
    nothing more."""

    city = _city("line_events")  # whose channel's webhook it came to
    event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    payload = models.JSONField()
    redelivery = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = _unique_per_city("lineevent", "event_id")

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


class LineReceipt(models.Model):
    """A receipt given to a LINE user: they hear of the report in LINE."""

    receipt = models.OneToOneField(Receipt, on_delete=models.CASCADE, related_name="line")
    line_user = models.ForeignKey(LineUser, on_delete=models.CASCADE, related_name="receipts")

    def __str__(self) -> str:
        return f"{self.line_user} {self.receipt_id}"


class LinePushMonth(models.Model):
    """Pushed messages this month on a city's channel: LINE counts them against that
    city's paid plan."""

    city = _city("line_push_months")
    month = models.CharField(max_length=7)  # 2026-12
    count = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)  # over the cap: not sent

    class Meta:
        constraints = _unique_per_city("linepushmonth", "month")

    def __str__(self) -> str:
        return f"{self.month}: {self.count}"


class MailSeen(models.Model):
    """A mail read from the report mailbox, by its Message-ID: reading again does nothing."""

    class Outcome(models.TextChoices):
        REPORTED = "reported", _("reported")
        STAFF = "staff", _("left for staff")
        IGNORED = "ignored", _("ignored (automatic mail)")

    city = _city("mails_seen")  # whose mailbox it was read from
    message_id = models.CharField(max_length=300)
    sender = models.CharField(max_length=254, blank=True)  # carriers issue what Django refuses
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.SET_NULL)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = _unique_per_city("mailseen", "message_id")

    def __str__(self) -> str:
        return f"{self.message_id} {self.outcome}"
