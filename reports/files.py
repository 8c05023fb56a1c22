"""Handing out stored photos without exposing the bucket."""

from django.core.files.storage import storages
from django.core.files.storage.filesystem import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponseRedirect


def serve_stored(name: str, *, private: bool, content_type: str = "image/jpeg"):
    """A response for a stored file: streamed from a local folder, or a redirect to a
    short-lived signed URL on S3 (the bytes never pass through the app server). No name (a
    photo whose public copy a task worker is still making): 404 until it is made."""
    if not name:
        raise Http404("not made yet")
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        return HttpResponseRedirect(storage.url(name))
    response = FileResponse(storage.open(name), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600" if private else "public, max-age=86400"
    return response
