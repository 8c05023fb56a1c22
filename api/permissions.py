"""Who may use which part of the API."""

from rest_framework.permissions import BasePermission

from assets.selectors import user_scope_ids


class IsCityStaff(BasePermission):
    """Signed-in staff of an organisation (any role), or a superuser."""

    message = "Sign in as a member of the city's staff."

    def has_permission(self, request, view) -> bool:
        return user_scope_ids(request.user) != frozenset()
