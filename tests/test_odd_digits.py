"""Characters Python counts as digits but int() refuses (superscripts, circled numbers) never
make a 500: every number read from a request is checked with str.isdecimal(), not isdigit()."""

import pytest

from tests.conftest import client_for

ODD = ["²", "①", "٣٣", "１２"]  # the last two are decimal: int() reads them


@pytest.mark.parametrize("odd", ODD)
def test_open311_and_the_asset_api_answer_odd_digits_without_a_500(client, catalogue, odd):
    assert client.get("/open311/v2/requests.json", {"page_size": odd}).status_code < 500
    assert client.get("/api/v1/assets/", {"owner": odd}).status_code < 500


@pytest.mark.parametrize("odd", ODD)
def test_staff_screens_answer_odd_digits_without_a_500(manager, odd):
    staff = client_for(manager)
    assert staff.get("/manage/queue/", {"assignee": odd}).status_code < 500
    assert staff.get("/manage/queue.geojson", {"limit": odd}).status_code < 500
