"""Who may use which part of the API: the default is closed (staff only); public views
say so with AllowAny.

Where one deployment serves several cities, staff of one city are nobody on another city's
host: their session there is answered as signed out (401 `not_authenticated`), never with a
code naming a city (`other_city` is for tablets, whose device token says who they are)."""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from accounts import city_staff, policy


class IsCityStaff(BasePermission):
    """Signed-in staff of an organisation (a known role), or a superuser, of the request's
    city."""

    message = "Sign in as a member of the city's staff."

    def has_permission(self, request, view) -> bool:
        user = request.user
        # The staff middleware has already made such a session anonymous; this holds even
        # where it did not run (fail closed).
        if not city_staff.belongs_here(user, getattr(request, "city", None)):
            raise NotAuthenticated()
        return policy.is_staff(user)
