"""API keys for other systems: the city's managers make and revoke them; nobody else may."""

import pytest
from django.test import Client

from accounts.models import ApiClient
from assets.models import FaultCategory
from reports import clients
from tests import factories

URL = "/manage/api-clients/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_makes_a_key_that_is_shown_once_and_stored_hashed(manager, catalogue):
    lamp_out = FaultCategory.objects.get(code="lamp-out")

    page = signed_in(manager).post(
        URL,
        {
            "name": "出雲市LINE通報",
            "contact_email": "line@city.example",
            "rate_limit": "120/3600",
            "services": [lamp_out.pk],
        },
    )

    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    key = page.context["new_key"]
    client = ApiClient.objects.get(name="出雲市LINE通報")
    assert key.startswith(client.prefix + ".") and key.split(".", 1)[1] not in client.key_hash
    assert clients.client_for_key(key) == client
    assert list(client.services.all()) == [lamp_out] and client.rate_limit == "120/3600"
    again = signed_in(manager).get(URL)
    assert key not in again.content.decode() and client.prefix in again.content.decode()


def test_a_bad_form_comes_back_with_what_was_typed(manager, catalogue):
    clients.client_create(name="既存", acting_user=manager)

    taken = signed_in(manager).post(URL, {"name": "既存", "rate_limit": "600/3600"})
    bad_rate = signed_in(manager).post(URL, {"name": "新しいアプリ", "rate_limit": "lots"})

    assert taken.status_code == 400
    assert "この名前のシステムのキーはすでにあります" in taken.content.decode()
    assert bad_rate.status_code == 400
    assert 'value="新しいアプリ"' in bad_rate.content.decode()
    assert ApiClient.objects.count() == 1


def test_revoking_stops_the_key_at_once(manager, catalogue):
    client, key = clients.client_create(name="古いアプリ", acting_user=manager)

    response = signed_in(manager).post(f"{URL}{client.pk}/revoke/")

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None and client.revoked_by == manager
    with pytest.raises(clients.ClientError) as caught:
        clients.client_for_key(key)
    assert caught.value.code == "key_revoked"


def test_only_the_citys_managers_may_see_or_change_keys(
    manager, section_staff, viewer, inspector, other_city_manager, city, catalogue
):
    client, _key = clients.client_create(name="出雲通報くん", acting_user=manager)
    section_manager = factories.user(city["road"], "manager", username="road_manager")

    for user in (section_staff, viewer, inspector, section_manager):
        assert signed_in(user).get(URL).status_code == 403, user
        assert signed_in(user).post(URL, {"name": "x"}).status_code == 403, user
        assert signed_in(user).post(f"{URL}{client.pk}/revoke/").status_code == 403, user
    # Another city's manager manages its own keys, and never sees or touches ours.
    other = signed_in(other_city_manager).get(URL)
    assert other.status_code == 200 and "出雲通報くん" not in other.content.decode()
    assert signed_in(other_city_manager).post(f"{URL}{client.pk}/revoke/").status_code == 404
    assert Client().get(URL).status_code == 302  # strangers sign in first
    client.refresh_from_db()
    assert client.revoked_at is None and ApiClient.objects.count() == 1
    with pytest.raises(clients.ClientError):
        clients.client_create(name="y", acting_user=section_manager)


def test_the_navigation_shows_the_screen_only_to_those_who_may_use_it(manager, section_staff):
    assert URL in signed_in(manager).get("/manage/queue/").content.decode()
    assert URL not in signed_in(section_staff).get("/manage/queue/").content.decode()
