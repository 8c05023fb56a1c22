"""Who may open the managers' screens and who may change things on them."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from assets.selectors import MANAGING_ROLES, user_scope_ids


def is_staff_member(user) -> bool:
    """Signed in, active, and on the staff of an organisation (or a superuser)."""
    return user_scope_ids(user) != frozenset()


def may_change(user) -> bool:
    """Managers and section staff change reports; viewers and inspectors only read."""
    return user.is_superuser or getattr(user, "role", "") in MANAGING_ROLES


def is_manager(user) -> bool:
    return user.is_superuser or getattr(user, "role", "") == "manager"


def staff_required(view):
    """Any staff member may read; everybody else signs in (or gets 403 without a role)."""

    @login_required(login_url="manage-login")
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def changer_required(view):
    """Staff who may change things (managers, section staff); viewers get 403."""

    @staff_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_change(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def manager_required(view):
    @staff_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
