"""What the managers' navigation needs on every screen."""

from reports.clients import may_manage_clients


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not request.path.startswith("/manage/"):
        return {}
    return {"may_manage_api_clients": may_manage_clients(user)}
