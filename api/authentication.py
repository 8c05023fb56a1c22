"""Authorization: Token <prefix>.<secret> — the tablets' per-device tokens."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import city_staff, keys
from accounts.models import DeviceToken


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed token header.", code="bad_token")
        try:
            prefix, _, secret = header[1].decode("ascii").partition(".")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed token.", code="bad_token") from None
        token = DeviceToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None or not secret or not token.matches(secret):
            raise exceptions.AuthenticationFailed("Invalid token.", code="bad_token")
        # Checked on every request: a revoked, expired or disabled account stops at once.
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked.", code="token_revoked")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("This token has expired.", code="token_expired")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.", code="user_inactive")
        # A device of one city's staff on another city's host (several cities).
        if not city_staff.belongs_here(token.user, getattr(request._request, "city", None)):
            home = city_staff.other_city_message(token.user)
            raise exceptions.AuthenticationFailed(
                f"This device is signed in to {home['city_name']}: use {home['url']}",
                code="other_city",
            )
        keys.mark_used(token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <prefix>.<secret>`, from POST /api/v1/auth/token/",
        }
