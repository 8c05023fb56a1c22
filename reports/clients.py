"""Other systems that post reports (Open311): their keys, who may manage them, what they may
post to, and how fast."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import keys, limits, policy
from accounts.errors import DomainError
from accounts.models import ApiClient, Organization
from accounts.policy import Right
from assets.models import FaultCategory
from config.env import Rate


class ClientError(DomainError):
    """A key that does not open the door, or a change to clients that is not allowed."""


def may_manage_clients(user) -> bool:
    """A key can post to every service, so only managers of a city or prefecture
    organisation and superusers hand them out (accounts/policy.py); each sees and revokes
    the keys of its own organisation."""
    return policy.may(user, Right.ISSUE_API_KEYS)


def _check_manager(user) -> None:
    if not may_manage_clients(user):
        raise ClientError("Only the city's managers may manage API keys.", code="forbidden")


def clients_for_user(user) -> QuerySet[ApiClient]:
    if not may_manage_clients(user):
        return ApiClient.objects.none()
    qs = ApiClient.objects.select_related("created_by").prefetch_related("services")
    scope = policy.scope_ids(user)
    if scope is not None:
        qs = qs.filter(organization_id__in=scope)
    return qs.order_by("revoked_at", "name")


def _check_rate(rate: str) -> str:
    rate = rate.strip()
    if not rate:
        return ""
    try:
        return str(Rate.parse(rate))
    except ValueError:
        raise ClientError(
            "Write the rate limit as requests/seconds, for example 600/3600.", code="bad_rate"
        ) from None


@transaction.atomic
def client_create(
    *,
    name: str,
    acting_user,
    contact_email: str = "",
    rate_limit: str = "",
    services: Iterable[FaultCategory] = (),
) -> tuple[ApiClient, str]:
    """A new client and its key in clear text, which is shown once and never stored."""
    _check_manager(acting_user)
    name = name.strip()
    if not name:
        raise ClientError("Name the system this key is for.", code="empty_name")
    if ApiClient.objects.filter(name__iexact=name).exists():
        raise ClientError("A key for a system of this name already exists.", code="name_taken")
    # A superuser outside any organisation issues keys in the city's name.
    organization = getattr(acting_user, "organization", None) or (
        Organization.objects.filter(parent=None, kind="city").order_by("id").first()
    )
    if organization is None:
        raise ClientError("There is no city organisation to issue keys for.", code="no_city")
    prefix, text, key_hash = keys.new_key()
    client = ApiClient.objects.create(
        name=name,
        organization=organization,
        contact_email=contact_email.strip(),
        prefix=prefix,
        key_hash=key_hash,
        rate_limit=_check_rate(rate_limit),
        created_by=policy.author(acting_user),
    )
    client.services.set(list(services))
    return client, text


@transaction.atomic
def client_revoke(*, client: ApiClient, acting_user) -> ApiClient:
    """The key stops working at once; the reports it sent keep pointing at the client."""
    _check_manager(acting_user)
    if client.revoked_at is None:
        client.revoked_at, client.revoked_by = timezone.now(), policy.author(acting_user)
        client.save(update_fields=["revoked_at", "revoked_by"])
    return client


def client_for_key(text: str) -> ApiClient:
    """The client a key belongs to; ClientError (code bad_key or key_revoked) otherwise."""
    parts = keys.split_key(text)
    client = ApiClient.objects.filter(prefix=parts[0]).first() if parts else None
    if client is None or not client.matches(parts[1]):
        raise ClientError("This api_key is not valid.", code="bad_key")
    if client.revoked_at is not None:
        raise ClientError("This api_key was revoked.", code="key_revoked")
    keys.mark_used(client)
    return client


def client_within_rate(client: ApiClient) -> bool:
    """Count one post; False once the client's own limit for this window is used up."""
    rate = Rate.parse(client.rate_limit) if client.rate_limit else settings.OPEN311_RATE_LIMIT
    return limits.hit("open311-client", str(client.pk), rate)


def client_may_post(client: ApiClient, category: FaultCategory) -> bool:
    allowed = set(client.services.values_list("pk", flat=True))
    return not allowed or category.pk in allowed
