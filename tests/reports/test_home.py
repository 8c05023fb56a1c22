"""The public front page."""

import pytest

from tests import factories


@pytest.mark.parametrize(
    ("language", "emergency"),
    [
        ("ja", "110 番・119 番へ"),
        ("en", "call 110 / 119"),
        ("pt-br", "ligue 110 / 119"),
        ("zh-hans", "请拨打 110 / 119"),
        ("ko", "110 / 119에 전화하십시오"),
        ("vi", "hãy gọi 110 / 119"),
    ],
)
def test_the_front_page_speaks_the_residents_language(client, catalogue, language, emergency):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert emergency in html


def test_the_front_page_counts_assets_in_service_by_type(client, catalogue, city):
    factories.asset("security-light", owner=city["road"])
    factories.asset("security-light", owner=city["road"])
    retired = factories.asset("streetlight", owner=city["road"])
    retired.status = "retired"
    retired.save()

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ja")

    counts = {row["code"]: row["count"] for row in response.context["counts"]}
    assert counts == {"security-light": 2}
    assert "防犯灯" in response.content.decode()
