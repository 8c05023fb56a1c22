"""Files through Django's storage API on a real S3 endpoint (SeaweedFS started by make test)."""

import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

pytestmark = pytest.mark.s3


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_a_file_saved_through_the_storage_api_reads_back(s3_settings):
    storage = storages["default"]

    name = storage.save("photos/街路灯.jpg", ContentFile(b"\xff\xd8 not really a jpeg"))

    assert storage.exists(name)
    with storage.open(name) as handle:
        assert handle.read() == b"\xff\xd8 not really a jpeg"
    storage.delete(name)
    assert not storage.exists(name)


def test_a_presigned_url_works_and_a_tampered_one_is_refused(s3_settings):
    storage = storages["default"]
    name = storage.save("private/original.bin", ContentFile(b"original bytes"))

    url = storage.url(name)
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")

    assert _fetch(url) == (200, b"original bytes")
    assert _fetch(tampered)[0] == 403
    storage.delete(name)


def test_an_unsigned_url_is_refused(s3_settings):
    storage = storages["default"]
    name = storage.save("private/secret.bin", ContentFile(b"secret"))

    status, _ = _fetch(storage.url(name).split("?")[0])

    assert status == 403
    storage.delete(name)


def test_a_wrong_secret_cannot_write(s3_settings, settings):
    options = {**s3_settings, "secret_key": "not-the-secret"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }

    with pytest.raises(Exception, match=r"SignatureDoesNotMatch|AccessDenied|403"):
        storages["default"].save("private/x.bin", ContentFile(b"x"))


@pytest.mark.django_db
def test_healthz_checks_the_bucket(client, s3_settings):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "storage": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_bucket_is_missing(client, s3_settings, settings):
    options = {**s3_settings, "bucket_name": "no-such-bucket-here"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "failing"
