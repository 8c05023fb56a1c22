"""Who may use which part of the API: the default is closed (staff only); public views
say so with AllowAny."""

from rest_framework.permissions import BasePermission

from accounts import policy


class IsCityStaff(BasePermission):
    """Signed-in staff of an organisation (a known role), or a superuser."""

    message = "Sign in as a member of the city's staff."

    def has_permission(self, request, view) -> bool:
        return policy.is_staff(request.user)
