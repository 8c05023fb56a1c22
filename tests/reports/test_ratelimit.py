"""Rate limits live in the shared cache: Redis in production, so every app server counts
together. CSRF protects the form."""

from django.test import Client

from config.env import Rate
from reports import ratelimit


def test_the_window_counts_in_redis_across_servers(redis_cache):
    results = [
        ratelimit.hit("report-address", "198.51.100.9", Rate.parse("3/60")) for _ in range(4)
    ]

    assert results == [True, True, True, False]
    assert ratelimit.hit("report-address", "198.51.100.10", Rate.parse("3/60")) is True


def test_the_form_is_limited_per_address_through_redis(redis_cache, label, settings):
    settings.RATE_LIMIT_REPORTS_PER_ADDRESS = Rate.parse("1/3600")

    first = Client(REMOTE_ADDR="203.0.113.5").post(f"/q/{label.code}", {"category": "lamp-out"})
    second = Client(REMOTE_ADDR="203.0.113.5").post(
        f"/q/{label.code}", {"category": "lamp-out", "force_new": "1"}
    )

    assert (first.status_code, second.status_code) == (302, 429)


def test_behind_a_proxy_the_address_comes_from_the_trusted_hop(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.post("/", HTTP_X_FORWARDED_FOR="10.0.0.1, 192.0.2.44", REMOTE_ADDR="10.9.9.9")

    assert ratelimit.client_address(request) == "192.0.2.44"


def test_without_a_proxy_forwarded_headers_are_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.post("/", HTTP_X_FORWARDED_FOR="192.0.2.44", REMOTE_ADDR="198.51.100.1")

    assert ratelimit.client_address(request) == "198.51.100.1"


def test_a_post_without_the_csrf_token_is_refused(label):
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/q/{label.code}", {"category": "lamp-out"})

    assert response.status_code == 403
