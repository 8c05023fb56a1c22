"""/metrics (who may read it, and what it counts), request ids in answers and JSON logs,
and /healthz/<component> for each part, up and down."""

import datetime
import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from config.observability import RequestIdFilter, json_formatter
from reports import notices
from tests.channels.mailbox import imap_settings  # noqa: F401  (the fixture, used here)
from tests.factories import jpeg
from tests.inspections.conftest import (  # noqa: F401  (checklists and lights: fixtures)
    checklists,
    lights,
    record,
    sync,
    tablet_for,
)

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = "203.0.113.9"
TOKEN = "metrics-token-for-the-tests-0123456789"


def _scrape(client=None) -> dict:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    response = (client or Client()).get("/metrics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


# --- /metrics: who may read it ---------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_answer_a_client_on_this_machine():
    response = Client().get("/metrics")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert list(text_string_to_metric_families(response.content.decode()))


@pytest.mark.django_db
def test_metrics_look_like_nothing_to_a_client_elsewhere(settings):
    settings.METRICS_TOKEN = TOKEN

    response = Client(REMOTE_ADDR=OUTSIDE).get("/metrics")

    assert response.status_code == 404
    assert b"machimori_" not in response.content


@pytest.mark.django_db
def test_a_forwarded_loopback_address_is_not_believed_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    response = Client(REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR="127.0.0.1").get("/metrics")

    assert response.status_code == 404


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_client_counts_not_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    through_nginx = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)

    assert through_nginx.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_metrics_answer_the_token_from_anywhere(settings):
    settings.METRICS_TOKEN = TOKEN

    response = Client(REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").get("/metrics")

    assert response.status_code == 200
    assert b"machimori_http_requests_total" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", [f"Bearer {TOKEN}x", "Bearer ", f"Token {TOKEN}", TOKEN, "Bearer wrong"]
)
def test_a_wrong_token_is_refused_even_from_this_machine(settings, header):
    settings.METRICS_TOKEN = TOKEN

    assert Client(REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=header).get("/metrics").status_code == 404
    assert Client(HTTP_AUTHORIZATION=header).get("/metrics").status_code == 404


@pytest.mark.django_db
def test_no_token_is_accepted_when_none_is_set(settings):
    settings.METRICS_TOKEN = ""

    response = Client(REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ").get("/metrics")

    assert response.status_code == 404


@pytest.mark.django_db
def test_metrics_refuse_a_post():
    assert Client().post("/metrics").status_code == 405


# --- /metrics: what it counts ------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_and_timed_by_route_name_never_by_path(label):
    before = _scrape()

    Client().get(f"/q/{label.code}")
    Client().get("/no-such-page-here/12345")
    after = _scrape()

    route = {"route": "scan", "method": "GET"}
    assert _value(after, "machimori_http_requests_total", status="200", **route) == (
        _value(before, "machimori_http_requests_total", status="200", **route) + 1
    )
    assert _value(after, "machimori_http_request_duration_seconds_count", **route) == (
        _value(before, "machimori_http_request_duration_seconds_count", **route) + 1
    )
    assert _value(after, "machimori_http_request_duration_seconds_bucket", le="+Inf", **route) > 0
    unresolved = {"route": "<unresolved>", "method": "GET", "status": "404"}
    assert _value(after, "machimori_http_requests_total", **unresolved) >= 1
    labels = {dict(labels).get("route") for _, labels in after} - {None}
    assert not any(label.code in route or "12345" in route for route in labels)


@pytest.mark.django_db
def test_a_photo_upload_is_timed(client, label):
    before = _scrape()

    response = client.post(
        f"/q/{label.code}",
        {"category": "lamp-out", "q_lamp-out_since": "days", "photos": [jpeg()]},
    )
    after = _scrape()

    assert response.status_code == 302
    name = "machimori_photo_processing_seconds_count"
    assert _value(after, name, outcome="accepted") == _value(before, name, outcome="accepted") + 1
    assert _value(after, "machimori_photo_processing_seconds_sum", outcome="accepted") > 0


@pytest.mark.django_db
def test_a_refused_photo_is_timed_as_refused(client, label):
    before = _scrape()

    not_a_photo = io.BytesIO(b"GIF89a" + b"\0" * 100)
    not_a_photo.name = "x.gif"
    client.post(f"/q/{label.code}", {"category": "lamp-out", "photos": [not_a_photo]})
    after = _scrape()

    name = "machimori_photo_processing_seconds_count"
    assert _value(after, name, outcome="refused") == _value(before, name, outcome="refused") + 1


@pytest.mark.django_db
def test_a_tablet_sync_counts_its_records_by_result(inspector, city, lights):  # noqa: F811
    inspector.organization = city["road"]
    inspector.save()
    tablet = tablet_for(inspector)
    first = record(lights[0])
    before = _scrape()

    sync(tablet, first, record(lights[1]))
    sync(tablet, first, {**record(lights[2]), "overall_grade": "Z"})
    after = _scrape()

    def grew(status):
        name = "machimori_sync_records_total"
        return _value(after, name, status=status) - _value(before, name, status=status)

    assert (grew("created"), grew("duplicate"), grew("invalid")) == (2, 1, 1)
    assert _value(after, "machimori_sync_batch_records_count") == (
        _value(before, "machimori_sync_batch_records_count") + 2
    )
    assert _value(after, "machimori_sync_batch_records_sum") == (
        _value(before, "machimori_sync_batch_records_sum") + 4
    )


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_the_task_queue_depth_and_age_are_read_at_scrape_time(database_tasks):
    assert _value(_scrape(), "machimori_tasks_ready") == 0
    notices.send_receipt_link.enqueue(receipt_id=1)
    notices.send_receipt_link.enqueue(receipt_id=2)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    DBTaskResult.objects.filter(args_kwargs__kwargs__receipt_id=1).update(enqueued_at=an_hour_ago)

    samples = _scrape()

    assert _value(samples, "machimori_tasks_query_ok") == 1
    assert _value(samples, "machimori_tasks_ready") == 2
    assert _value(samples, "machimori_tasks_running") == 0
    assert 3590 < _value(samples, "machimori_tasks_oldest_ready_age_seconds") < 3700


# --- Request ids and JSON logs ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_request_id_from_nginx_comes_back():
    response = Client(HTTP_X_REQUEST_ID="3f2a9c0d1e.b_7-x").get("/healthz")

    assert response["X-Request-ID"] == "3f2a9c0d1e.b_7-x"


@pytest.mark.django_db
@pytest.mark.parametrize("sent", [None, "", "a" * 65, "has space", "日本語", "x;rm -rf", "a\nb"])
def test_a_missing_or_unusable_request_id_is_replaced_by_a_new_one(sent):
    headers = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}

    first = Client(**headers).get("/healthz")["X-Request-ID"]
    second = Client(**headers).get("/healthz")["X-Request-ID"]

    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second and first != sent


@pytest.fixture
def json_log():
    """The JSON lines the console handler writes in production (LOG_FORMAT=json)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_json_log_lines_carry_the_request_id(json_log):
    Client(HTTP_X_REQUEST_ID="rid-12345").get("/no-such-page-here/")
    Client().get("/no-such-page-either/")

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert len(lines) == 2
    assert lines[0]["request_id"] == "rid-12345"
    assert lines[0]["level"] == "WARNING" and lines[0]["logger"] == "django.request"
    assert "/no-such-page-here/" in lines[0]["message"]
    assert datetime.datetime.fromisoformat(lines[0]["time"]).utcoffset() == datetime.timedelta(0)
    assert lines[0]["status_code"] == 404 and "request" not in lines[0]
    assert len(lines[1]["request_id"]) == 32


def test_log_lines_outside_a_request_say_so():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)

    RequestIdFilter().filter(record)

    assert json.loads(json_formatter().format(record))["request_id"] == "-"


def test_an_unknown_log_format_stops_the_check_naming_it(monkeypatch):
    from config import env

    monkeypatch.setattr(env, "PROBLEMS", [])
    monkeypatch.setenv("LOG_FORMAT", "xml")

    assert env.envchoice("LOG_FORMAT", "text", ("text", "json")) == "text"
    assert [name for name, _ in env.PROBLEMS] == ["LOG_FORMAT"]


# --- /healthz/<component> --------------------------------------------------------------------


def _component(name):
    response = Client().get(f"/healthz/{name}")
    return response.status_code, (response.json() if response.status_code != 404 else None)


@pytest.mark.django_db
def test_the_database_answers():
    assert _component("database") == (
        200,
        {"component": "database", "ok": True, "detail": "answers"},
    )


@pytest.mark.django_db
def test_a_failing_database_answers_503_without_its_error(monkeypatch):
    from api import health

    def broken():
        raise ConnectionError("password authentication failed for user machimori")

    monkeypatch.setattr(health, "_database", broken)

    status, body = _component("database")
    assert status == 503
    assert body["ok"] is False and "password" not in json.dumps(body)


@pytest.mark.django_db
def test_the_storage_answers(s3_settings):
    status, body = _component("storage")

    assert (status, body["ok"]) == (200, True)


@pytest.mark.django_db
def test_a_storage_that_does_not_answer_is_503(settings):
    settings.S3_BUCKET = "machimori"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "machimori",
                "endpoint_url": f"http://127.0.0.1:{_closed_port()}",
                "access_key": "key-id",
                "secret_key": "a-secret-never-shown",
            },
        },
    }

    started = time.monotonic()
    status, body = _component("storage")
    summary = Client().get("/healthz")

    assert time.monotonic() - started < 10  # asked once, not retried for a minute
    assert status == 503
    assert body["component"] == "storage" and body["ok"] is False
    assert "secret" not in json.dumps(body) and "127.0.0.1" not in json.dumps(body)
    assert summary.status_code == 503
    assert summary.json()["checks"]["storage"] == "failing"


@pytest.mark.django_db
def test_the_cache_is_a_component_only_when_it_is_redis():
    assert _component("cache") == (404, None)


@pytest.mark.django_db
def test_redis_answers(redis_cache):
    assert _component("cache") == (200, {"component": "cache", "ok": True, "detail": "answers"})
    assert Client().get("/healthz").json()["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_a_redis_that_does_not_answer_is_503(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }

    status, body = _component("cache")

    assert (status, body["ok"]) == (503, False)
    assert Client().get("/healthz").status_code == 503


@pytest.mark.django_db
def test_the_task_queue_is_healthy_while_tasks_are_taken_in_time(database_tasks, settings):
    settings.TASKS_MAX_QUEUE_AGE = 300
    notices.send_receipt_link.enqueue(receipt_id=1)

    assert _component("tasks") == (
        200,
        {"component": "tasks", "ok": True, "detail": "1 waiting, 0 running"},
    )


@pytest.mark.django_db
def test_a_task_waiting_too_long_makes_the_queue_503_but_not_the_summary(database_tasks, settings):
    settings.TASKS_MAX_QUEUE_AGE = 300
    notices.send_receipt_link.enqueue(receipt_id=1)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=10))

    status, body = _component("tasks")

    assert (status, body["ok"]) == (503, False)
    assert "more than 300 s" in body["detail"]
    assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_the_mailbox_is_a_component_only_when_configured(settings):
    settings.MAIL_INTAKE_HOST = ""

    assert _component("mail") == (404, None)


@pytest.mark.django_db
def test_the_mailbox_answers(imap_settings):  # noqa: F811  (the fixture imported above)
    assert _component("mail") == (
        200,
        {"component": "mail", "ok": True, "detail": "IMAP server answers"},
    )


@pytest.mark.django_db
def test_a_mailbox_that_does_not_answer_is_503(settings):
    settings.MAIL_INTAKE_HOST = "127.0.0.1"
    settings.MAIL_INTAKE_PORT = _closed_port()
    settings.MAIL_INTAKE_PASSWORD = "a-secret-never-shown"

    status, body = _component("mail")

    assert (status, body["ok"]) == (503, False)
    assert "secret" not in json.dumps(body)
    assert Client().get("/healthz").status_code == 200  # the summary is the request path


@pytest.mark.django_db
def test_an_unknown_component_is_404():
    assert Client().get("/healthz/everything").status_code == 404


# --- Several gunicorn workers: one scrape sums them ----------------------------------------

_WORKER = """
import django
django.setup()
from config.observability import REQUESTS
REQUESTS.labels("scan", "GET", "200").inc({count})
"""
_SCRAPE = """
import django
django.setup()
from prometheus_client import generate_latest
from api.metrics import _process_registry
print(generate_latest(_process_registry()).decode())
"""


def test_with_a_multiprocess_directory_a_scrape_sums_every_worker(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }

    def run(code):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(_WORKER.format(count=2))
    run(_WORKER.format(count=3))
    text = run(_SCRAPE)

    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    labels = (("method", "GET"), ("route", "scan"), ("status", "200"))
    assert samples[("machimori_http_requests_total", labels)] == 5


@pytest.mark.django_db
def test_monitoring_asks_over_plain_http_even_when_pages_redirect_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True

    assert Client().get("/metrics").status_code == 200
    assert Client().get("/healthz/database").status_code == 200
    assert Client().get("/report/").status_code == 301


@pytest.mark.django_db
def test_a_queue_that_cannot_be_read_still_gives_the_other_metrics(monkeypatch):
    from api import metrics

    def broken():
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(metrics, "queue_state", broken)
    Client().get("/healthz")

    samples = _scrape()

    assert _value(samples, "machimori_tasks_query_ok") == 0
    assert ("machimori_tasks_ready", ()) not in samples
    assert any(name == "machimori_http_requests_total" for name, _ in samples)
