"""Photos off the request path: with the database task backend (as in production) the request
keeps the original and answers; a task worker (`manage.py task_worker`) makes the public copy
and the thumbnail. Pages say "being prepared" until then; a photo that proves undecodable is
dropped with a note; a run lost with a killed worker is resumed; a run is idempotent."""

import datetime
import io
import socket

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from reports import photo_tasks
from reports.models import Photo, Report, ReportEvent
from tests import factories
from tests.factories import jpeg

pytestmark = pytest.mark.django_db(transaction=True)

PREPARING = "Photo being prepared"


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _report(client, label, photo) -> tuple[Report, str]:
    response = client.post(
        f"/q/{label.code}",
        {"category": "lamp-out", "q_lamp-out_since": "days", "photos": [photo]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.get(), response["Location"].split("?")[0]


def _photo_runs():
    return DBTaskResult.objects.filter(task_path="reports.photo_tasks.photo_publish")


def _work() -> None:
    """What a task worker does: everything queued, then stop."""
    call_command(
        "task_worker", "--batch", "--no-startup-delay", "--no-reload", "--resume-every", "0"
    )


def _files() -> list[str]:
    storage, found = storages["default"], []

    def walk(folder):
        folders, files = storage.listdir(folder)
        found.extend(f"{folder}/{name}" for name in files)
        for sub in folders:
            walk(f"{folder}/{sub}")

    walk("reports")
    return sorted(found)


def _truncated_jpeg() -> io.BytesIO:
    """A JPEG whose header is whole (it passes the request's checks) but whose pixels stop
    half-way: only decoding finds that."""
    buffer = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    cut = io.BytesIO(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    cut.name = "cut.jpg"
    return cut


def test_the_request_keeps_the_original_and_answers_before_any_copy_is_made(client, label, manager):
    report, receipt_url = _report(client, label, jpeg(size=(1600, 1200)))

    photo = report.photos.get()
    assert photo.state == Photo.State.PROCESSING
    assert (photo.public, photo.thumbnail) == ("", "")
    assert _files() == [photo.original]
    assert (photo.width, photo.height) == (1600, 1200)  # from the header
    assert _photo_runs().count() == 1

    receipt = client.get(receipt_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert PREPARING in receipt and f"{photo.token}/thumb.jpg" not in receipt
    assert client.get(f"{receipt_url}/{photo.token}/thumb.jpg").status_code == 404
    staff = Client()
    staff.force_login(manager)
    page = staff.get(f"/manage/reports/{report.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert PREPARING in page.content.decode()


def test_a_task_worker_makes_the_public_copy_and_the_thumbnail(client, label):
    report, receipt_url = _report(client, label, factories.jpeg_with_gps(35.367, 132.755))

    _work()

    photo = report.photos.get()
    assert photo.state == Photo.State.READY
    assert _files() == sorted(photo.names) and len(photo.names) == 3
    assert photo.public.endswith(".jpg") and photo.thumbnail.endswith("-thumb.jpg")
    with storages["default"].open(photo.public) as handle:
        public = Image.open(io.BytesIO(handle.read()))
    assert public.size == (640, 480) and not public.getexif()  # no GPS left in the copy
    assert photo.gps is not None  # read from the original by the request
    receipt = client.get(receipt_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert PREPARING not in receipt and f"{photo.token}/thumb.jpg" in receipt
    assert client.get(f"{receipt_url}/{photo.token}/thumb.jpg").status_code == 200


def test_a_photo_that_proves_undecodable_is_dropped_with_a_note_and_the_report_stays(
    client, label, manager
):
    report, _ = _report(client, label, _truncated_jpeg())
    original = report.photos.get().original

    _work()

    assert Report.objects.filter(pk=report.pk).exists()
    assert not Photo.objects.exists()
    assert _files() == []
    assert not storages["default"].exists(original)
    note = report.events.get(kind=ReportEvent.Kind.PHOTO_DROPPED)
    assert note.text == "truncated" and not note.public
    staff = Client()
    staff.force_login(manager)
    page = staff.get(f"/manage/reports/{report.number}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "a photo could not be read and was removed: the file was cut off" in html


def test_with_the_immediate_backend_an_undecodable_photo_is_refused_on_the_form(
    client, label, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    response = client.post(
        f"/q/{label.code}",
        {"category": "lamp-out", "q_lamp-out_since": "days", "photos": [_truncated_jpeg()]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "cut.jpg" in response.content.decode()
    assert not Report.objects.exists() and not Photo.objects.exists() and _files() == []


def test_a_run_lost_with_a_killed_worker_is_queued_again_once_and_then_done(client, label):
    report, _ = _report(client, label, jpeg())
    # A worker took the task and was killed: db_worker leaves it "running" for ever.
    _photo_runs().get().claim("worker-killed")
    assert not _photo_runs().ready().exists()
    _work()
    assert report.photos.get().state == Photo.State.PROCESSING
    assert photo_tasks.photos_resume() == 0  # not yet: it may still be running
    Photo.objects.update(queued_at=timezone.now() - datetime.timedelta(minutes=6))

    assert photo_tasks.photos_resume() == 1
    assert photo_tasks.photos_resume() == 0  # claimed: a second worker queues nothing
    _work()

    photo = report.photos.get()
    assert photo.state == Photo.State.READY and _files() == sorted(photo.names)


def test_a_worker_resumes_lost_photos_when_it_starts(client, label):
    report, _ = _report(client, label, jpeg())
    _photo_runs().get().claim("worker-killed")
    Photo.objects.update(queued_at=timezone.now() - datetime.timedelta(minutes=10))

    _work()

    assert report.photos.get().state == Photo.State.READY


def test_a_worker_started_again_under_its_id_takes_back_what_it_was_running_at_once(client, label):
    report, _ = _report(client, label, jpeg())
    _photo_runs().get().claim("worker-1")  # then worker-1 was killed, and is started again

    call_command(
        "task_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--resume-every",
        "0",
        "--worker-id",
        "worker-1",
    )

    assert report.photos.get().state == Photo.State.READY  # no five minutes' wait
    lost, again = _photo_runs().order_by("enqueued_at")
    assert lost.status == "FAILED" and lost.exception_class_path.endswith("WorkerLost")
    assert again.status == "SUCCESSFUL"


def test_another_workers_running_task_is_left_alone(client, label):
    report, _ = _report(client, label, jpeg())
    _photo_runs().get().claim("worker-2")  # alive, perhaps on another machine

    _work()  # a worker with another id

    assert _photo_runs().get().status == "RUNNING"
    assert report.photos.get().state == Photo.State.PROCESSING


def test_a_run_is_idempotent(client, label):
    report, _ = _report(client, label, jpeg())
    _work()
    photo = report.photos.get()
    files = _files()

    assert photo_tasks.photo_publish.call(photo.pk)["outcome"] == "nothing to do"
    Photo.objects.filter(pk=photo.pk).update(state=Photo.State.PROCESSING)
    assert photo_tasks.photo_publish.call(photo.pk)["outcome"] == "ready"

    assert _files() == files  # overwritten in place, nothing added beside
    again = Photo.objects.get(pk=photo.pk)
    assert (again.public, again.thumbnail) == (photo.public, photo.thumbnail)
    assert photo_tasks.photo_publish.call(999_999)["outcome"] == "nothing to do"


def test_a_photo_discarded_while_processing_leaves_no_files(client, label):
    report, _ = _report(client, label, jpeg())
    photo = report.photos.get()
    Photo.objects.filter(pk=photo.pk).delete()
    storages["default"].delete(photo.original)

    assert photo_tasks.photo_publish.call(photo.pk)["outcome"] == "nothing to do"
    _work()

    assert _files() == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_storage_that_does_not_answer_is_tried_again_later(client, label, settings):
    report, _ = _report(client, label, jpeg())
    photo = report.photos.get()
    _photo_runs().delete()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {  # an S3 endpoint where nothing listens: every call fails
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "nowhere",
                "endpoint_url": f"http://127.0.0.1:{_closed_port()}",
                "access_key": "x",
                "secret_key": "y",
                "region_name": "us-east-1",
            },
        },
    }

    outcome = photo_tasks.photo_publish.call(photo.pk)

    assert outcome == {"photo": photo.pk, "outcome": "retry", "attempts": 1}
    photo.refresh_from_db()
    assert (photo.state, photo.attempts) == (Photo.State.PROCESSING, 1)
    later = _photo_runs().get()
    assert later.run_after > timezone.now() + datetime.timedelta(seconds=5)
