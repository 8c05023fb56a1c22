"""DATABASE_POOLER=pgbouncer: what Django needs behind pgbouncer in transaction mode, and
DATABASE_REPLICA_URL: the replica alias (config/settings.py, deploy/pgbouncer.ini)."""

import runpy
from pathlib import Path

import pytest

from config import env

SETTINGS = Path(__file__).resolve().parent.parent / "config" / "settings.py"
PRIMARY = "postgis://machimori:pw@127.0.0.1:6432/machimori"


def _settings(monkeypatch, **values) -> dict:
    for name in ("DATABASE_POOLER", "DATABASE_REPLICA_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    before = list(env.PROBLEMS)
    namespace = runpy.run_path(str(SETTINGS))
    problems = env.PROBLEMS[len(before) :]
    del env.PROBLEMS[len(before) :]
    namespace["_problems"] = problems
    return namespace


def test_pgbouncer_turns_off_prepared_statements_and_server_side_cursors(monkeypatch):
    ns = _settings(monkeypatch, DATABASE_URL=PRIMARY, DATABASE_POOLER="pgbouncer")
    db = ns["DATABASES"]["default"]
    assert db["OPTIONS"]["prepare_threshold"] is None
    assert db["DISABLE_SERVER_SIDE_CURSORS"] is True
    # pgbouncer refuses startup options: none are sent.
    assert "options" not in db["OPTIONS"]
    assert ns["_problems"] == []


def test_without_a_pooler_postgres_keeps_its_defaults(monkeypatch):
    db = _settings(monkeypatch, DATABASE_URL=PRIMARY)["DATABASES"]["default"]
    assert "prepare_threshold" not in db["OPTIONS"]
    assert not db.get("DISABLE_SERVER_SIDE_CURSORS")
    assert db["OPTIONS"]["options"] == "-c max_parallel_workers_per_gather=0"


def test_an_unknown_pooler_is_named_by_the_settings_check(monkeypatch):
    ns = _settings(monkeypatch, DATABASE_URL=PRIMARY, DATABASE_POOLER="pgpool")
    assert ns["DATABASE_POOLER"] == ""
    assert [name for name, _ in ns["_problems"]] == ["DATABASE_POOLER"]


def test_a_replica_url_adds_a_pooled_replica_alias_mirrored_in_tests(monkeypatch):
    ns = _settings(
        monkeypatch,
        DATABASE_URL=PRIMARY,
        DATABASE_POOLER="pgbouncer",
        DATABASE_REPLICA_URL="postgis://machimori:pw@127.0.0.1:6432/machimori_replica",
    )
    replica = ns["DATABASES"]["replica"]
    assert replica["NAME"] == "machimori_replica"
    assert replica["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    assert replica["OPTIONS"]["prepare_threshold"] is None
    assert replica["TEST"] == {"MIRROR": "default"}
    assert ns["DATABASE_ROUTERS"] == ["config.replica.ReplicaRouter"]


@pytest.mark.parametrize("url", ["mysql-ish://nowhere", "postgis://host:notaport/x"])
def test_a_replica_url_that_cannot_be_used_is_named(monkeypatch, url):
    ns = _settings(monkeypatch, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=url)
    assert "DATABASE_REPLICA_URL" in [name for name, _ in ns["_problems"]]
