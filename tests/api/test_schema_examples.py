"""Every request example in /api/schema/ works as it is written: posted to its operation by a
manager's tablet on a seeded city, it succeeds (each synced record is `created`).

Seeding: the examples speak of the assets in api/tablet/examples.py's ASSETS (id -> type,
owner, ledger id). The test makes one asset per line with that type, owner and ledger id and
rewrites each `asset` field of an example from the example's id to the seeded asset's id;
nothing else in an example is changed. Owners are the codes of the `city` fixture; the
sign-in example uses the `inspector` fixture's name and password.
"""

import json

import jsonschema
import pytest

from api.tablet import examples
from assets.models import AssetType
from inspections.checklists import checklists_install
from inspections.models import Inspection
from tests import factories
from tests.inspections.conftest import tablet_for

SYNC = "/api/v1/inspections/sync/"


@pytest.fixture
def schema(client, catalogue):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def seeded(catalogue, city, inspector):
    """The example assets, by the id the examples give them."""
    checklists_install()
    owners = {org.code: org for org in city.values()}
    return {
        example_id: factories.asset(type_code, owner=owners[owner], ledger_id=ledger_id)
        for example_id, (type_code, owner, ledger_id) in examples.ASSETS.items()
    }


def request_examples(schema) -> list[tuple[str, str, str, str, object]]:
    """(path, method, media type, example name, value) of every request example, in the
    schema's order."""
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media_type, body in content.items():
                for name, example in body.get("examples", {}).items():
                    found.append((path, method, media_type, name, example["value"]))
    return found


def with_seeded_assets(value, ids: dict):
    if isinstance(value, dict):
        return {
            key: ids[item] if key == "asset" and item in ids else with_seeded_assets(item, ids)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [with_seeded_assets(item, ids) for item in value]
    return value


def request_schema(schema, path, method, media_type) -> dict:
    body = schema["paths"][path][method]["requestBody"]["content"][media_type]["schema"]
    return {"components": schema["components"], **body}


def test_every_request_example_succeeds_on_a_seeded_city(schema, seeded, manager):
    tablet = tablet_for(manager)
    ids = {example_id: asset.pk for example_id, asset in seeded.items()}
    found = request_examples(schema)
    assert len([f for f in found if f[0] == SYNC]) >= 4, "one sync example per scale"

    for path, method, media_type, name, value in found:
        assert "{" not in path, f"{name}: teach this test the ids of {path}"
        assert media_type == "application/json", f"{name}: teach this test {media_type}"
        jsonschema.validate(value, request_schema(schema, path, method, media_type))
        response = tablet.generic(
            method.upper(),
            path,
            json.dumps(with_seeded_assets(value, ids)),
            content_type=media_type,
        )
        assert 200 <= response.status_code < 300, (name, response.content[:500])
        if path == SYNC:
            results = response.json()["results"]
            assert [r["status"] for r in results] == ["created"] * len(results), (name, results)

    synced = [v for path, _m, _t, _n, v in found if path == SYNC]
    assert Inspection.objects.count() == sum(len(v["inspections"]) for v in synced)


def test_the_sync_examples_cover_every_scale_each_with_its_own_uuid(schema, seeded):
    records = [
        record
        for path, _m, _t, _n, value in request_examples(schema)
        if path == SYNC
        for record in value["inspections"]
    ]
    types = {code for code, _owner, _ledger in examples.ASSETS.values()}
    scales = dict(AssetType.objects.filter(code__in=types).values_list("code", "scale"))

    assert {scales[examples.ASSETS[r["asset"]][0]] for r in records} == {
        "mlit",
        "park",
        "pavement",
    }
    assert len({r["uuid"] for r in records}) == len(records)
    assert any(r.get("supersedes") for r in records)
    assert all(r["template_version"] and r["answers"] for r in records)


def test_the_correction_example_supersedes_the_first(schema, seeded, manager):
    tablet = tablet_for(manager)
    ids = {example_id: asset.pk for example_id, asset in seeded.items()}
    for path, _m, _t, _n, value in request_examples(schema):
        if path == SYNC:
            tablet.post(path, with_seeded_assets(value, ids), format="json")

    corrected = Inspection.objects.get(uuid=examples.MLIT_UUID)
    correction = Inspection.objects.get(supersedes=corrected)
    light = seeded[examples.MLIT["asset"]]
    light.refresh_from_db()
    assert correction.overall_grade == light.condition_grade == "II"
