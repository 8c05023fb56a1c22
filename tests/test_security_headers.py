"""Browser-side protections: the Content-Security-Policy (no inline script runs, and no page
of ours needs one), HSTS and the HTTPS redirect, and Django's deployment checklist."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from config.settings import _tile_sources
from tests import factories
from tests.browser import chromium

ROOT = Path(__file__).resolve().parent.parent


def _policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


@pytest.mark.django_db
def test_pages_carry_a_policy_that_runs_no_inline_script(client):
    response = client.get("/")

    policy = _policy(response)
    assert response.status_code == 200
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert set(policy["img-src"]) >= {"'self'", "data:", "blob:"}


def test_error_pages_carry_the_policy_too(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert _policy(response)["script-src"] == ["'self'"]


@pytest.mark.parametrize(
    ("tile_url", "sources"),
    [
        ("https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png", ["https://cyberjapandata.gsi.go.jp"]),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://*.tile.openstreetmap.org"]),
        ("http://tiles.city.local:8080/{z}/{x}/{y}.png", ["http://tiles.city.local:8080"]),
        ("", []),
    ],
)  # fmt: skip
def test_the_tile_server_is_allowed_to_serve_images(tile_url, sources):
    assert _tile_sources(tile_url) == sources


# --- HTTPS ---------------------------------------------------------------------------------------


@pytest.fixture
def behind_tls(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_plain_http_is_redirected_to_https(behind_tls):
    response = Client().get("/open-data/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/open-data/"


def test_https_answers_carry_hsts(behind_tls):
    response = Client().get("/no-such-page/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 404
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_the_health_check_is_answered_over_plain_http(behind_tls):
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


def _environment(**variables) -> dict[str, str]:
    """This process's environment without its TLS settings, plus `variables`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SECURE_", "SESSION_", "CSRF_")) and name != "DEBUG"
    }
    return {**env, **variables}


def _tls_settings(env) -> str:
    code = (
        "from config import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return result.stdout.strip()


def test_hsts_and_the_https_redirect_are_off_unless_asked(tmp_path):
    assert _tls_settings(_environment(MACHIMORI_VAR_DIR=str(tmp_path))) == "False 0 False False"


def test_hsts_and_the_https_redirect_come_from_the_environment(tmp_path):
    env = _environment(
        MACHIMORI_VAR_DIR=str(tmp_path),
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="yes",
        SECURE_HSTS_PRELOAD="1",
    )

    assert _tls_settings(env) == "True 3600 True True"


def test_the_deployment_checklist_passes_with_production_settings(tmp_path):
    secret_key = secrets.token_urlsafe(45)
    assert len(secret_key) == 60
    env = _environment(
        SECRET_KEY=secret_key,
        PUBLIC_BASE_URL="https://machimori.example.jp",
        ALLOWED_HOSTS="machimori.example.jp",
        BEHIND_TLS_PROXY="true",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        SESSION_COOKIE_SECURE="true",
        CSRF_COOKIE_SECURE="true",
        MACHIMORI_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    output = result.stdout + result.stderr
    issues = re.findall(r"\((\w+\.[CEWI]\d+)\)", output)
    # django-axes checks its own configuration; whoever sets axes up answers for those.
    ours = [issue for issue in issues if not issue.startswith("axes.")]
    assert ours == [], output
    assert result.returncode == 0 or issues, output
    if not issues:
        assert "System check identified no issues" in output, output


# --- In a browser ------------------------------------------------------------------------------

# Redoc's "API docs by Redocly" logo comes from cdn.redoc.ly, unconditionally; the policy
# refuses it (api/urls.py), Redoc hides the broken image, and nothing else is refused.
REDOC_LOGO = "img-src refused https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture
def site(catalogue, city, manager, light, label, settings):
    """A sticker, a manager and a superuser; the report is sent through the browser."""
    settings.MAP_TILE_URL = ""  # the maps work offline; tiles off this machine are refused
    root = factories.user(username="root", is_staff=True, is_superuser=True)
    cookies = {}
    for account in (manager, root):
        signed_in = Client()
        signed_in.force_login(account)
        cookies[account.username] = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    return {"label": label, "asset": light, "cookies": cookies}


def _visit(session, url, *, click=None, wait_for=None, wait_until=None) -> int:
    """Open a page, start its map or widget, and let it settle."""
    page = session.page
    response = page.goto(url)
    if click:
        page.click(click)
    if wait_for:
        page.wait_for_selector(wait_for)
    if wait_until:
        page.wait_for_function(wait_until)
    page.wait_for_load_state("networkidle")
    return response.status


def _sign_in(session, base, cookie):
    session.page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_content_security_policy(live_server, site, chromium_path):
    statuses = {}
    with chromium(chromium_path, locale="ja-JP", viewport={"width": 1280, "height": 1000}) as s:
        base, page = live_server.url, s.page
        # A resident: the home page, the form with its map, a sticker, a report and its receipt.
        statuses["/"] = _visit(s, f"{base}/")
        statuses["/report/"] = _visit(
            s, f"{base}/report/", click="#show-map", wait_for="#map .leaflet-marker-icon"
        )
        statuses["/q/"] = _visit(s, f"{base}/q/{site['label'].code}")
        page.check("#cat-lamp-out")
        page.fill("#id_description", "夜になっても点きません")
        with page.expect_navigation(url="**/r/*") as receipt:
            page.click("#report-form button.primary")
        statuses["/r/ (receipt)"] = receipt.value.status
        with page.expect_navigation(url="**/r/*") as status_page:
            page.click(".receipt a")
        statuses["/r/"] = status_page.value.status
        statuses["/open-data/"] = _visit(s, f"{base}/open-data/")
        statuses["/api/docs/"] = _visit(s, f"{base}/api/docs/", wait_for=".swagger-ui .opblock")
        statuses["/no-such-page/"] = _visit(s, f"{base}/no-such-page/")

        # A manager: the queue and its map, the report's page and its map, phone intake,
        # inspections and their map.
        _sign_in(s, base, site["cookies"]["manager"])
        statuses["/manage/queue/"] = _visit(
            s,
            f"{base}/manage/queue/",
            wait_for="#queue-map .leaflet-interactive, #queue-map .marker-cluster",
        )
        with page.expect_navigation(url="**/manage/reports/*/") as report_page:
            page.locator("table.queue tbody tr a").first.click()
        statuses["/manage/reports/…/"] = report_page.value.status
        page.click("#show-report-map")
        page.wait_for_selector("#report-map .leaflet-interactive")
        statuses["/manage/intake/"] = _visit(
            s, f"{base}/manage/intake/", click="#show-intake-map", wait_for=".leaflet-container"
        )
        statuses["/manage/inspections/"] = _visit(s, f"{base}/manage/inspections/")
        statuses["/manage/inspections/assets/"] = _visit(
            s,
            f"{base}/manage/inspections/assets/",
            click="#show-map",
            wait_for=".leaflet-container",
        )

        # A superuser in the admin, on the asset's page with the map widget.
        _sign_in(s, base, site["cookies"]["root"])
        statuses["/admin/"] = _visit(s, f"{base}/admin/")
        statuses["/admin/assets/asset/"] = _visit(s, f"{base}/admin/assets/asset/")
        statuses["/admin/assets/asset/change/"] = _visit(
            s,
            f"{base}/admin/assets/asset/{site['asset'].pk}/change/",
            wait_until="window.machimoriMaps && window.machimoriMaps.id_geom",
            wait_for="#id_geom_map .ol-viewport canvas",
        )
        violations = list(s.csp_violations)

        statuses["/api/redoc/"] = _visit(s, f"{base}/api/redoc/", wait_for="redoc h1")
        redoc_violations = s.csp_violations[len(violations) :]

    assert statuses == {path: 404 if path == "/no-such-page/" else 200 for path in statuses}
    assert violations == []
    assert [v.split(" on ")[0] for v in redoc_violations] == [REDOC_LOGO]
    console = [e for e in s.errors if "Content Security Policy" in e]
    assert [e for e in console if "cdn.redoc.ly" not in e] == []
    assert [e for e in s.errors if "status of 404" not in e and e not in console] == []
    assert s.external == []
