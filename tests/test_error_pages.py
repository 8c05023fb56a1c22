"""Error pages: in the site's look and the resident's language, with the city's phone number,
without the database; /api/ in JSON and /open311/ in GeoReport's error list.

Most tests here have no database fixture, so a page that queried it would fail them."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.db import OperationalError
from django.template import TemplateDoesNotExist
from django.test import Client
from django.utils import translation

from config.errors import STATUSES, render_error
from tests.browser import AXE, chromium
from tests.conftest import require

pytestmark = pytest.mark.urls("tests.error_urls")

PATHS = {
    400: "/fail/400/",
    403: "/fail/403/",
    404: "/no-such-page/",
    429: "/fail/429/",
    500: "/fail/500/",
    503: "/fail/503/",
}
HEADINGS = {
    400: "The request could not be understood",
    403: "You cannot open this page",
    404: "Page not found",
    429: "Too many requests",
    500: "Something went wrong on our side",
    503: "The service is not available right now",
}
JAPANESE = {
    400: "リクエストを処理できませんでした",
    403: "このページは表示できません",
    404: "ページが見つかりません",
    429: "アクセスが集中しています",
    500: "システムで問題が起きました",
    503: "ただいまサービスを利用できません",
}


@pytest.fixture
def visitor():
    """A browser that gets the 500 page rather than the exception."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("status", STATUSES)
def test_each_error_page_is_in_japanese_with_the_citys_phone_number(visitor, status, settings):
    response = visitor.get(PATHS[status])

    assert response.status_code == status
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert f"<title>{JAPANESE[status]}" in page and f"<h1>{JAPANESE[status]}" in page
    assert f"エラー {status}" in page
    assert f'<a href="tel:{settings.CITY_PHONE}">{settings.CITY_PHONE}</a>' in page
    assert "受付番号" in page


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    ("language", "chosen_by"), [("pt-br", "Accept-Language"), ("ko", "cookie")]
)
def test_each_error_page_speaks_the_visitors_language(
    visitor, status, language, chosen_by, settings
):
    if chosen_by == "cookie":
        visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = visitor.get(PATHS[status], HTTP_ACCEPT_LANGUAGE="ja")
    else:
        response = visitor.get(PATHS[status], HTTP_ACCEPT_LANGUAGE=language)

    with translation.override(language):
        heading = translation.gettext(HEADINGS[status])
    assert response.status_code == status
    page = response.content.decode()
    assert heading != HEADINGS[status]
    assert f'<html lang="{language}">' in page and f"<h1>{heading}" in page
    assert f'href="tel:{settings.CITY_PHONE}"' in page


def test_the_500_page_does_not_show_the_exception(visitor):
    response = visitor.get("/fail/500/")

    assert response.status_code == 500
    assert "broken on purpose" not in response.content.decode()


def test_the_403_page_does_not_show_the_reason_given_inside(visitor):
    response = visitor.get("/fail/403/")

    assert response.status_code == 403
    assert "the secret reason" not in response.content.decode()


@pytest.fixture
def database_down(monkeypatch):
    """Every connection attempt refused, as while a pooler restarts."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refused(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refused)


def test_while_the_database_cannot_be_reached_the_page_is_a_503_that_says_send_again(
    visitor, database_down
):
    response = visitor.get("/")  # the home page counts the assets

    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "ただいまサービスを利用できません" in page
    assert "内容は失われていません" in page  # nothing lost: go back and send it again


def test_while_the_database_cannot_be_reached_programs_get_a_503_in_their_format(
    visitor, database_down
):
    api = visitor.get("/api/v1/assets/")
    open311 = visitor.get("/open311/v2/requests.json")

    assert (api.status_code, api.json()["code"]) == (503, "unavailable")
    assert open311.status_code == 503 and open311.json()[0]["code"] == 503


def test_the_500_page_falls_back_to_plain_text_when_its_template_fails(
    visitor, monkeypatch, settings
):
    def missing(name, using=None):
        raise TemplateDoesNotExist(name)

    monkeypatch.setattr("config.errors.loader.get_template", missing)

    response = visitor.get("/fail/500/")

    assert response.status_code == 500
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "エラー 500" in body and settings.CITY_PHONE in body


def test_render_error_adds_the_callers_message(rf):
    request = rf.get("/report/")

    with translation.override("ja"):
        response = render_error(request, 429, message="1時間に10件まで送信できます。")

    assert response.status_code == 429
    page = response.content.decode()
    assert "アクセスが集中しています" in page and "1時間に10件まで送信できます。" in page


def test_render_error_knows_only_its_pages(rf):
    with pytest.raises(ValueError, match="418"):
        render_error(rf.get("/"), 418)


def test_a_form_refused_for_its_csrf_token_gets_the_403_page_with_the_reason():
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/i18n/setlang/", {"language": "en"}, HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 403
    page = response.content.decode()
    with translation.override("vi"):
        assert translation.gettext(HEADINGS[403]) in page
    assert "Không thể tiếp nhận biểu mẫu" in page


# --- Programs: /api/ and /open311/ -------------------------------------------------------------


def test_an_unknown_api_path_is_a_json_404(visitor):
    response = visitor.get("/api/v1/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_failing_api_view_is_a_json_500(visitor):
    response = visitor.get("/api/fail/")

    assert response.status_code == 500
    assert response.json() == {"detail": "Server error: try again later.", "code": "server_error"}


@pytest.mark.parametrize("path", ["/open311/v2/nothing.json", "/open311/nothing.json"])
def test_an_unknown_open311_resource_is_a_georeport_error_list_in_json(visitor, path):
    response = visitor.get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    errors = json.loads(response.content)
    assert [error["code"] for error in errors] == [404]
    assert errors[0]["description"]


@pytest.mark.parametrize("path", ["/open311/v2/nothing.xml", "/open311/v3/nothing.xml"])
def test_an_unknown_open311_resource_is_a_georeport_error_list_in_xml(visitor, path):
    response = visitor.get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert [error.findtext("code") for error in root.findall("error")] == ["404"]
    assert root.find("error").findtext("description")


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("json", "application/json"), ("xml", "text/xml")]
)
def test_a_failing_open311_path_is_a_georeport_500(visitor, fmt, content_type):
    response = visitor.get(f"/open311/fail.{fmt}")

    assert response.status_code == 500
    assert response["Content-Type"].startswith(content_type)
    if fmt == "json":
        assert json.loads(response.content)[0]["code"] == 500
    else:
        assert ET.fromstring(response.content).find("error").findtext("code") == "500"


# --- In a browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_404_page_passes_axe_and_its_csp(live_server, chromium_path):
    require(AXE.exists(), f"axe-core ({AXE})")

    with chromium(chromium_path, locale="ja-JP") as session:
        response = session.page.goto(f"{live_server.url}/no-such-page/")
        heading = session.page.inner_text("h1")
        violations = session.axe_violations()

    assert response.status == 404
    assert heading.startswith("ページが見つかりません")
    assert violations == []
    assert session.csp_violations == [] and session.external == []
    assert [e for e in session.errors if "status of 404" not in e] == []
