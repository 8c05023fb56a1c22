"""What the managers' navigation needs on every screen: links only to what the user may
open (accounts/policy.py)."""

from accounts import policy
from accounts.policy import Right


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not request.path.startswith("/manage/"):
        return {}
    return {
        "may_manage_api_clients": policy.may(user, Right.ISSUE_API_KEYS),
        "may_intake": policy.may(user, Right.INTAKE),
        "may_handle_personal_data": policy.may(user, Right.PERSONAL_DATA),
        # Every staff member has a plan page (their organisation's); a constant-time check.
        "may_see_plan": policy.is_staff(user),
    }
