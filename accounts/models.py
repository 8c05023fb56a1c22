"""People and who they answer to: organisations, users, and the hashed keys that let a
device or another system in (tablet tokens, Open311 API keys).

These models were made in other apps (assets, api, reports) and moved here keeping their
tables (db_table), so that people and permissions sit below every other app.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import cities, keys, policy


class SecretInput(forms.CharField):
    """A secret typed in and never shown again: left empty, the stored one is kept."""

    def has_changed(self, initial, data) -> bool:
        return bool(data)


class SecretField(models.CharField):
    """A City's channel secret (LINE, the mailbox): a password input in forms that never
    shows the stored value; left empty it keeps it, and a single "-" removes it."""

    def formfield(self, **kwargs):
        # Over the admin's text input for CharFields: the stored value never goes to a page.
        secret = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
        return super().formfield(
            **{**kwargs, "form_class": SecretInput, "required": False, "widget": secret}
        )

    def save_form_data(self, instance, data) -> None:
        if data:
            setattr(instance, self.attname, "" if data.strip() == "-" else data.strip())


_KEEP = _("Not shown again: leave empty to keep the stored one, type - to remove it.")


class City(models.Model):
    """A municipality this deployment serves, chosen by the host name a request comes to.
    None configured: the deployment's one city, from the settings (config/city.py).

    A city's LINE channel and report mailbox are its own (off while not set up): the
    secrets are written in the admin and never shown there again."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    prefecture = models.CharField(_("prefecture"), max_length=20)
    local_government_code = models.CharField(
        _("local government code"),
        max_length=6,
        unique=True,
        validators=[cities.validate_local_government_code],
        help_text=_("全国地方公共団体コード, six digits with the check digit: 322032."),
    )
    public_base_url = models.URLField(
        _("public address"),
        help_text=_("Printed in QR codes and e-mails: https://izumo.example.jp"),
    )
    short_url_base = models.CharField(
        _("short address"),
        max_length=100,
        help_text=_("Printed on stickers before the code, to type: izumo.example.jp/q/"),
    )
    phone = models.CharField(_("phone"), max_length=40)
    phone_hours = models.CharField(_("phone hours"), max_length=100, blank=True)
    jurisdiction_id = models.CharField(_("Open311 jurisdiction"), max_length=100, unique=True)
    open311_contact = models.CharField(_("Open311 contact"), max_length=200, blank=True)
    open_data_license = models.CharField(_("open-data licence"), max_length=100)
    open_data_license_url = models.URLField(_("open-data licence address"), blank=True)
    service_area = models.MultiPolygonField(_("service area"), srid=4326, null=True, blank=True)
    # LINE (Messaging API): on when both the secret and the access token are set.
    line_channel_secret = SecretField(
        _("LINE channel secret"), max_length=100, blank=True, help_text=_KEEP
    )
    line_access_token = SecretField(
        _("LINE channel access token"), max_length=300, blank=True, help_text=_KEEP
    )
    line_basic_id = models.CharField(
        _("LINE basic ID"),
        max_length=40,
        blank=True,
        help_text=_("@123abcde: the sticker page's “report by LINE” link opens a chat with it."),
    )
    line_push_monthly_cap = models.PositiveIntegerField(
        _("LINE pushes a month"),
        default=1000,
        help_text=_("Pushed messages cost the city: none beyond this many a month."),
    )
    # The report mailbox, read over IMAP with TLS by `manage.py mail_intake`: on when the
    # host is set.
    mail_host = models.CharField(_("mailbox IMAP host"), max_length=253, blank=True)
    mail_port = models.PositiveIntegerField(_("mailbox IMAP port"), default=993)
    mail_user = models.CharField(_("mailbox user"), max_length=254, blank=True)
    mail_password = SecretField(_("mailbox password"), max_length=200, blank=True, help_text=_KEEP)
    mail_folder = models.CharField(_("mailbox folder"), max_length=100, default="INBOX")
    mail_processed_folder = models.CharField(
        _("folder for processed mail"), max_length=100, default="Processed"
    )
    mail_staff_folder = models.CharField(_("folder for staff"), max_length=100, default="For staff")
    mail_ca_file = models.CharField(
        _("mailbox CA file"),
        max_length=300,
        blank=True,
        help_text=_("A CA certificate to trust besides the system's (a private mail server)."),
    )
    mail_address = models.EmailField(
        _("report address"),
        blank=True,
        help_text=_("What residents write to: the sticker page's “report by e-mail” link."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["local_government_code"]
        constraints = [
            # One channel, one mailbox per city: shared, one city would read the other's.
            models.UniqueConstraint(
                fields=["line_channel_secret"],
                condition=~Q(line_channel_secret=""),
                name="city_line_channel_unique",
                violation_error_message=_("Another city has this LINE channel."),
            ),
            models.UniqueConstraint(
                fields=["mail_host", "mail_user", "mail_folder"],
                condition=~Q(mail_host=""),
                name="city_mailbox_unique",
                violation_error_message=_("Another city reads this mailbox folder."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefecture}{self.name}"


class CityHost(models.Model):
    """A host name a city is served at; one city per host name."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(
        _("host name"), max_length=253, unique=True, validators=[cities.validate_host]
    )

    class Meta:
        verbose_name = _("host name")
        verbose_name_plural = _("host names")
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host


class Organization(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("city")
        PREFECTURE = "prefecture", _("prefecture")
        SECTION = "section", _("section")
        ASSOCIATION = "association", _("neighbourhood association")
        UTILITY = "utility", _("utility company")
        CONTRACTOR = "contractor", _("contractor")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"pt-br": "…", "zh-hans": "…", "ko": "…", "vi": "…"}'),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    contact_email = models.EmailField(
        _("contact email"), blank=True, help_text=_("Receives notices of new faults.")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    service_area = models.MultiPolygonField(_("service area"), srid=4326, null=True, blank=True)
    # None: the deployment's one city, while no City is configured.
    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "assets_organization"  # where it was made, before accounts held it
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_in()

    def name_in(self, language: str | None = None) -> str:
        """The name for readers of `language` (the active one by default): Japanese as
        registered, else the name given in that language, else English, else Japanese."""
        language = (language or get_language() or "ja").lower()
        if language.startswith("ja"):
            return self.name
        names = self.names or {}
        local = names.get(language) or names.get(language.split("-")[0])
        if language.startswith("en"):
            local = self.name_en
        return local or self.name_en or self.name

    def save(self, *args, **kwargs):
        # A section or contractor made under an organisation is of its city (several cities:
        # every list and filter reads Organization.city).
        if self.city_id is None and self.parent_id is not None:
            self.city_id = (
                Organization.objects.filter(pk=self.parent_id)
                .values_list("city_id", flat=True)
                .first()
            )
        super().save(*args, **kwargs)

    def clean(self):
        # Walk up from the new parent: meeting ourselves means a cycle.
        seen = {self.pk} if self.pk else set()
        node = self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError(
                    {
                        "parent": ValidationError(
                            _("An organisation cannot be its own ancestor."), code="cycle"
                        )
                    }
                )
            seen.add(node.pk)
            node = node.parent


class User(AbstractUser):
    class Role(models.TextChoices):
        # The roles of the permission policy (accounts/policy.py), which holds their rights.
        MANAGER = policy.Role.MANAGER, _("manager")
        SECTION_STAFF = policy.Role.SECTION_STAFF, _("section staff")
        INSPECTOR = policy.Role.INSPECTOR, _("inspector")
        VIEWER = policy.Role.VIEWER, _("viewer")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)

    class Meta:
        db_table = "assets_user"  # where it was made, before accounts held it
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=True, role="")
                | Q(organization__isnull=False) & ~Q(role=""),
                name="user_role_goes_with_organization",
            ),
        ]

    def clean(self):
        super().clean()
        if bool(self.organization_id) != bool(self.role):
            raise ValidationError(_("Staff need both an organisation and a role."))

    @property
    def is_city_staff(self) -> bool:
        return self.is_active and bool(self.organization_id and self.role)


class HashedKey(models.Model):
    """A secret shown once and stored hashed ("prefix.secret"): the prefix finds the row,
    only a hash of the secret is kept (accounts/keys.py)."""

    prefix = models.CharField(max_length=keys.PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def matches(self, secret: str) -> bool:
        return keys.matches(self.key_hash, secret)

    def mark_used(self) -> None:
        keys.mark_used(self)


class DeviceToken(HashedKey):
    """A revocable sign-in of one device. Only a hash of the secret is stored; the token
    is shown once, when it is issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_tokens"
    )
    name = models.CharField(_("device"), max_length=100)
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "api_devicetoken"  # where it was made, before accounts held it
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @classmethod
    def issue(cls, *, user, name: str, lifetime: datetime.timedelta) -> tuple["DeviceToken", str]:
        """A new token and its clear text ("prefix.secret"), which is never stored."""
        prefix, text, key_hash = keys.new_key()
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            key_hash=key_hash,
            expires_at=timezone.now() + lifetime,
        )
        return token, text

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active


class ApiClient(HashedKey):
    """Another system allowed to post reports over Open311 (a city's app, a call-centre
    system): one key each, stored hashed and shown once, revocable, with its own rate limit
    and the services (fault categories) it may post to."""

    name = models.CharField(_("system"), max_length=100, unique=True)
    # The organisation that issued the key: its managers see and revoke it.
    organization = models.ForeignKey(
        Organization, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    rate_limit = models.CharField(
        _("rate limit"),
        max_length=20,
        blank=True,
        help_text=_("Requests per period in seconds, e.g. 600/3600. Empty: the default."),
    )
    services = models.ManyToManyField(
        "assets.FaultCategory",
        verbose_name=_("services it may post to"),
        blank=True,
        related_name="+",
        help_text=_("None chosen: all services."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "reports_apiclient"  # where it was made, before accounts held it
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
