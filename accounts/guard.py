"""The guard on every sign-in door: staff screens, admin, tablet tokens, password resets.

Every door signs in through Django's `authenticate()`, and the backends in
settings.AUTHENTICATION_BACKENDS do the guarding, so a door cannot forget it:

1. django-axes (first backend) refuses a username locked out after too many failures,
   until a cool-off from the last failure has passed, and records every failure and
   sign-in for audit (visible in /admin/).
2. `GuardedModelBackend` takes a reservation before it checks the password: an atomic
   counter per username and per client address (Redis INCR in production) counting failures
   and attempts in flight. Axes counts a failure only after the password check, which its
   maintainers have declined to change, so 24 simultaneous wrong passwords would all be
   checked against a limit of 5; with the reservation the sixth waits for nobody and is
   refused at once. A failure keeps its reservation (and restarts the cool-off); a success
   gives it back and clears the username's count.

Password-reset mails are limited per client address and per account asked for.
"""

import contextlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from accounts.limits import client_address, hashed, hit
from config.env import Rate

logger = logging.getLogger(__name__)

REFUSED = "machimori_sign_in_refused"


def _key(scope: str, identity: str) -> str:
    return f"signin:{scope}:{hashed(scope, identity)}"


class _Counter:
    """One reservation counter: failures and attempts in flight, kept for the cool-off
    after the last failure."""

    def __init__(self, scope: str, identity: str, rate: Rate):
        self.key, self.rate = _key(scope, identity), rate

    def take(self) -> bool:
        """Reserve one attempt; False (and nothing reserved) when the limit is reached."""
        for _attempt in range(3):
            cache.add(self.key, 0, timeout=self.rate.seconds)
            try:
                count = cache.incr(self.key)
            except ValueError:  # expired between add and incr: start again
                continue
            if count > self.rate.count:
                self.give_back()
                return False
            return True
        return False  # the cache keeps losing the key: refuse rather than let through

    def give_back(self) -> None:
        with contextlib.suppress(ValueError):  # gone already: nothing to give back
            cache.decr(self.key)

    def failed(self) -> None:
        """The reservation stays a failure; the cool-off counts from now."""
        cache.touch(self.key, timeout=self.rate.seconds)

    def clear(self) -> None:
        cache.delete(self.key)

    def full(self) -> bool:
        return (cache.get(self.key) or 0) >= self.rate.count


def _counters(username: str, address: str) -> tuple[_Counter | None, _Counter | None]:
    user = username.strip().casefold()
    return (
        _Counter("user", user, settings.LOGIN_FAILURES_PER_USERNAME) if user else None,
        _Counter("address", address, settings.LOGIN_FAILURES_PER_ADDRESS) if address else None,
    )


def _refuse(request) -> None:
    if request is not None:
        setattr(request, REFUSED, True)
        inner = getattr(request, "_request", None)  # a DRF request wraps Django's
        if inner is not None:
            setattr(inner, REFUSED, True)
    raise PermissionDenied("too many failed sign-ins")


class GuardedModelBackend(ModelBackend):
    """Django's username and password check, behind an atomic reservation per username and
    per address (see the module's docstring)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        by_user, by_address = _counters(str(username), client_address(request))
        taken = []
        for counter in (by_user, by_address):
            if counter is None:
                continue
            if not counter.take():
                for other in taken:
                    other.give_back()
                _refuse(request)
            taken.append(counter)
        try:
            user = super().authenticate(request, username=username, password=password, **kwargs)
        except Exception:
            for counter in taken:
                counter.give_back()
            raise
        if user is None:
            for counter in taken:
                counter.failed()
            return None
        if by_user is not None:
            by_user.clear()
        if by_address is not None:
            by_address.give_back()
        return user


def refused(request) -> bool:
    """Was this request's sign-in refused by the guard (too many failures), whatever the
    password?"""
    for candidate in (request, getattr(request, "_request", None)):
        if candidate is not None and (
            getattr(candidate, REFUSED, False) or getattr(candidate, "axes_locked_out", False)
        ):
            return True
    return False


def cool_off_minutes() -> int:
    return max(settings.LOGIN_FAILURES_PER_USERNAME.seconds // 60, 1)


def lockout_response(request, response, credentials=None, *args, **kwargs):
    """What axes' middleware sends for a locked-out sign-in: the door's own answer (a form
    with the message, or the API's 429), which each door already made."""
    return response


def failure_limit(request, credentials) -> int:
    """Axes' limit per username: the same setting as the reservation's."""
    return settings.LOGIN_FAILURES_PER_USERNAME.count


def password_reset_allowed(request, email: str) -> bool:
    """One address asking for many resets, or many asking for one account, is somebody
    fishing or flooding a mailbox: allowed within both limits."""
    address = client_address(request)
    account = (email or "").strip().casefold()
    by_address = hit("password-reset", address, settings.PASSWORD_RESETS_PER_ADDRESS)
    by_account = hit("password-reset-account", account, settings.PASSWORD_RESETS_PER_ACCOUNT)
    return by_address and by_account
