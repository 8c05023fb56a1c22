"""Project-wide guards: migrations, health, settings."""

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
