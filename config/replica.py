"""Public reads on the streaming replica, everything else on the primary.

With DATABASE_REPLICA_URL set (settings.DATABASES["replica"]), ReplicaReadMiddleware marks a
GET or HEAD of a public, read-only address — open data, Open311's GETs, the asset bbox list,
the OGC API — and ReplicaRouter sends that request's reads to the replica. Nothing else is
ever read there: staff screens, forms, receipts and every write use the primary, so nobody
reads a replica that has not yet caught up with what they just did. Inside a request so
marked, the first write (or an open transaction on the primary) turns the replica off for the
rest of it. Without a replica the router answers nothing and Django uses "default".

Imports no app: it sits below all of them.
"""

from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# Path prefixes of the public, read-only addresses ("=" before a path: that path exactly).
PUBLIC_READ_PATHS = ("/open-data/", "/open311/", "/ogc/", "=/api/v1/assets/")
SAFE_METHODS = frozenset({"GET", "HEAD"})

_public_read: ContextVar[bool] = ContextVar("machimori_public_read", default=False)


def is_public_read(method: str, path: str) -> bool:
    if method not in SAFE_METHODS:
        return False
    for prefix in PUBLIC_READ_PATHS:
        if prefix.startswith("=") and path == prefix[1:]:
            return True
        if not prefix.startswith("=") and path.startswith(prefix):
            return True
    return False


class ReplicaReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = is_public_read(request.method, request.path_info)
        token = _public_read.set(public)
        try:
            response = self.get_response(request)
        finally:
            _public_read.reset(token)
        if public and response.streaming and not response.is_async:
            # A streamed feed reads its rows while the server sends them, after this returns.
            response.streaming_content = _reading_public(response.streaming_content)
        return response


def _reading_public(chunks):
    chunks = iter(chunks)
    while True:
        previous = _public_read.get()
        _public_read.set(True)  # while the next chunk is made, not while it is sent
        try:
            chunk = next(chunks, None)
        finally:
            _public_read.set(previous)
        if chunk is None:
            return
        yield chunk


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _public_read.get()
            and REPLICA in connections.settings
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        # What this request reads after writing must see the write.
        if _public_read.get():
            _public_read.set(False)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: the same database

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
