"""Staff kept to their own city when one deployment serves several.

A staff user's city is their organisation's city (Organization.city; null is the one city of
a deployment without City rows). On another city's host their sign-in is refused, naming
their city and its address; a session of theirs that reaches that host (a cookie shared by
the cities' sub-domains) is a visitor there: the staff screens answer 403 naming their city,
the staff API does not know them, the public pages treat them as anybody.

Superusers run the deployment (cities, host names, every organisation in /admin/): they are
let in on every city's host.

Mail and background tasks have no request: the city they speak for is the one of the
organisation the report belongs to (`city_of_organisation`).

Without City rows `request.city` is None and nothing here costs a query or changes a thing.
"""

from django.contrib.auth.models import AnonymousUser
from django.template.response import TemplateResponse

from accounts.city_host import city_values
from config import city as cities

# Always answered to a session of another city: signing out of it, and the sign-in page (the
# form refuses that account there, and anybody else may sign in).
OPEN_PATHS = ("/manage/logout/", "/manage/login/", "/manage/password-reset/")
STAFF_PATHS = ("/manage/",)


def organisation_city_id(organisation) -> int | None:
    """The City row an organisation belongs to (None: the deployment's one city)."""
    return getattr(organisation, "city_id", None)


def user_city_id(user) -> int | None:
    organisation = getattr(user, "organization", None) if user_has_organisation(user) else None
    return organisation_city_id(organisation)


def user_has_organisation(user) -> bool:
    return bool(getattr(user, "organization_id", None))


def belongs_here(user, here) -> bool:
    """May this user act as staff on the host of city `here` (config.city.City or None)?
    Anybody may where no city is configured; superusers everywhere; staff of an organisation
    only in its city (an organisation without a city belongs to none of the configured
    ones); somebody without an organisation has no staff right to keep apart."""
    if here is None or getattr(here, "id", None) is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return True
    if getattr(user, "is_superuser", False) or not user_has_organisation(user):
        return True
    return user_city_id(user) == here.id


def city_of_organisation(organisation) -> cities.City:
    """The values (name, phone, public address…) of the city an organisation belongs to:
    its City row's, else the settings' one city. For mail and tasks, which have no request."""
    if organisation is None or organisation_city_id(organisation) is None:
        return cities.current()
    return city_values(organisation.city)


def home_city(user) -> cities.City:
    """The city a staff user belongs to, to name it and link to its address."""
    organisation = user.organization if user_has_organisation(user) else None
    return city_of_organisation(organisation)


def other_city_message(user) -> dict:
    home = home_city(user)
    return {"city_name": home.name_in(), "url": f"{home.public_base_url}/manage/"}


class CityStaffMiddleware:
    """Below the authentication middleware: a signed-in user of another city is nobody here;
    on the staff screens they are told which city they belong to (403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        here = getattr(request, "city", None)
        if here is None:  # one city: nothing to keep apart, no query
            return self.get_response(request)
        user = request.user
        if belongs_here(user, here):
            return self.get_response(request)
        request.other_city_user = user
        request.user = AnonymousUser()
        path = request.path_info
        if path.startswith(STAFF_PATHS) and not path.startswith(OPEN_PATHS):
            return other_city_response(request, user)
        return self.get_response(request)


def other_city_response(request, user) -> TemplateResponse:
    context = {"other_city": other_city_message(user), "here": cities.current(request)}
    response = TemplateResponse(
        request, "accounts/other_city.html", {**context, "status": 403}, status=403
    )
    return response.render()
