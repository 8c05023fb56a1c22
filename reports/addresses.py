"""E-mail addresses as residents have them. Japanese carriers issued addresses for years that
RFC 5322 refuses — dots doubled, or one just before the @ (taro..abc.@docomo.ne.jp) — and
still deliver to them; Django's EmailValidator refuses them, so residents with such an
address could not be answered. This check is ours: what a reply can be sent to."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LOCAL_FORBIDDEN = re.compile(r"[\s<>(),;:\\\"\[\]]")
_DOMAIN = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


def address_ok(address: str) -> bool:
    """One @, a local part without spaces, quotes or brackets (dots anywhere), a domain with
    at least one dot and a letter top-level part."""
    address = (address or "").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or len(address) > 254 or len(local) > 64:
        return False
    if _LOCAL_FORBIDDEN.search(local) or "@" in local:
        return False
    return bool(_DOMAIN.fullmatch(domain)) and domain.rsplit(".", 1)[-1].isalpha()


def validate_address(value: str) -> None:
    if not address_ok(value):
        raise ValidationError(_("Enter a valid email address."), code="invalid")
