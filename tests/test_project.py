"""Project-wide guards: migrations, health, settings."""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    # Fails when a model changed without its migration (exit 1 from --check).
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    from api import health

    def broken():
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(health, "_database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failing"


def test_debug_is_off_unless_asked(settings):
    assert settings.DEBUG is False


def test_the_database_is_the_one_make_test_asked_for(settings):
    import os

    wanted = os.environ.get("MACHIMORI_TEST_DB")
    engine = settings.DATABASES["default"]["ENGINE"]
    if wanted == "postgis":
        assert engine == "django.contrib.gis.db.backends.postgis"
    elif wanted == "sqlite":
        assert engine == "django.contrib.gis.db.backends.spatialite"


@pytest.mark.django_db
def test_every_spatial_index_survives_the_migrations():
    # Django rebuilds SQLite tables to alter them, which disables SpatiaLite's R*Tree index.
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT f_table_name, spatial_index_enabled FROM geometry_columns")
        disabled = [table for table, enabled in cursor.fetchall() if enabled != 1]

    assert disabled == []


def test_no_path_of_this_machine_is_in_the_tree():
    """Shared data is reached by ../shared (or MACHIMORI_TESTDATA), scratch files go to
    pytest's tmp_path, and fonts come from a setting: nothing names one machine's folders."""
    root = Path(__file__).resolve().parent.parent
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    machine = re.compile(r"""["'](/work/|/root/|/home/)|/tmp/[A-Za-z_]+\.(png|json|txt|pdf|csv)""")
    found = []
    for name in tracked:
        if not name.endswith((".py", ".sh", ".js", ".toml", ".html", ".cfg")) and name not in (
            "Makefile",
        ):
            continue
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        found += [
            f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if machine.search(line)
        ]

    assert found == []
