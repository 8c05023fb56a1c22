"""Who may open the managers' screens and who may change things on them: decorators over
the one permission policy (accounts/policy.py)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts import cities, policy
from accounts.policy import Right


def is_staff_member(user) -> bool:
    """Signed in, active, and on the staff of an organisation (or a superuser)."""
    return policy.is_staff(user)


def may_change(user) -> bool:
    """Managers and section staff change reports; viewers and inspectors only read."""
    return policy.may(user, Right.CHANGE_REPORTS)


def is_manager(user) -> bool:
    return policy.may(user, Right.REORDER_REPORTS)


def of_this_city(request, organisation) -> bool:
    """Is the organisation of the request's city (always, without City rows)? A superuser
    on a city's host sees that city's things only; staff see their own city's anyway."""
    here = cities.city_id_of(request)
    return here is None or getattr(organisation, "city_id", None) == here


def staff_required(view):
    """Any staff member may read; everybody else signs in (or gets 403 without a role)."""
    return right_required(Right.READ)(view)


def right_required(right: Right):
    """The view needs this right (somewhere in the user's organisations); 403 otherwise,
    after a sign-in for visitors."""

    def decorate(view):
        @login_required(login_url="manage-login")
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not policy.is_staff(request.user) or not policy.may(request.user, right):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


changer_required = right_required(Right.CHANGE_REPORTS)
manager_required = right_required(Right.REORDER_REPORTS)
