"""The real IMAP mailbox of the mail-intake tests: the Dovecot `make test` starts
(tools/dovecot.py), reached over TLS as the app reaches it.

`imap_settings` points the app's MAIL_INTAKE_* settings at it and empties the mailbox first;
`deliver` puts a resident's message in a folder; `messages` and `folders` show what the app
left where. tests/channels/conftest.py imports the fixture so that pytest finds it.
"""

import base64
import contextlib
import imaplib
import os
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import require

PROCESSED_FOLDER = "Processed"
STAFF_FOLDER = "For staff"


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    ca_file: str


def server() -> ImapServer | None:
    """The server of this run, from the TEST_IMAP_* variables tools/run_tests.py exports."""
    names = ("HOST", "PORT", "USER", "PASSWORD", "CA_FILE")
    values = {name: os.environ.get(f"TEST_IMAP_{name}", "") for name in names}
    if not all(values.values()):
        return None
    return ImapServer(
        host=values["HOST"],
        port=int(values["PORT"]),
        user=values["USER"],
        password=values["PASSWORD"],
        ca_file=values["CA_FILE"],
    )


@contextlib.contextmanager
def connect() -> Iterator[imaplib.IMAP4_SSL]:
    """A signed-in IMAPS connection that trusts the test certificate only."""
    found = server()
    if found is None:
        raise RuntimeError("no IMAP server: TEST_IMAP_* are unset (make test starts one)")
    context = ssl.create_default_context(cafile=found.ca_file)
    client = imaplib.IMAP4_SSL(found.host, found.port, ssl_context=context, timeout=10)
    try:
        _ok(client.login(found.user, found.password), "LOGIN")
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.logout()


# --- Folder names: IMAP's modified UTF-7 (RFC 3501 5.1.3), quoted -------------------------


def encode_name(name: str) -> str:
    out, run = [], []

    def flush() -> None:
        if run:
            data = base64.b64encode("".join(run).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + data.replace("/", ",") + "-")
            run.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            run.append(char)
    flush()
    return "".join(out)


def decode_name(name: str) -> str:
    def piece(match: re.Match) -> str:
        data = match.group(1)
        if not data:
            return "&"
        data = data.replace(",", "/")
        return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-16-be")

    return re.sub(r"&([^-]*)-", piece, name)


def _quote(name: str) -> str:
    encoded = encode_name(name).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{encoded}"'


def _ok(response: tuple, what: str) -> list:
    status, data = response
    if status != "OK":
        raise RuntimeError(f"IMAP {what} failed: {status} {data!r}")
    return data


_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<sep>NIL|"(?:[^"\\]|\\.)*") ?(?P<name>.*)$')


def _entry(item) -> tuple[str, str]:
    """(name, hierarchy separator) of one LIST or LSUB response."""
    line, literal = (item[0], item[1]) if isinstance(item, tuple) else (item, None)
    match = _LIST_LINE.match(line)
    if match is None:
        raise RuntimeError(f"unexpected LIST line {line!r}")
    sep = match["sep"].decode()
    sep = "" if sep == "NIL" else sep[1:-1].replace("\\\\", "\\").replace('\\"', '"')
    raw = literal if literal is not None else match["name"]
    if literal is None and raw.startswith(b'"'):
        raw = re.sub(rb"\\(.)", rb"\1", raw[1:-1])
    return decode_name(raw.decode()), sep


def _listing(client: imaplib.IMAP4_SSL, command: str = "list") -> list[tuple[str, str]]:
    data = _ok(getattr(client, command)('""', "*"), command.upper())
    return [_entry(item) for item in data if item is not None]


# --- What the tests use ------------------------------------------------------------------


def folders() -> list[str]:
    """Every folder of the mailbox (decoded names), sorted, INBOX included."""
    with connect() as client:
        return sorted(name for name, _sep in _listing(client))


def create_folder(name: str) -> None:
    with connect() as client:
        _ok(client.create(_quote(name)), f"CREATE {name}")
        _ok(client.subscribe(_quote(name)), f"SUBSCRIBE {name}")


def deliver(raw: bytes, folder: str = "INBOX") -> int:
    """APPEND a raw RFC 5322 message (CRLF line ends are used on the wire); returns its UID."""
    if not isinstance(raw, bytes):
        raise TypeError("deliver() takes the message as bytes")
    with connect() as client:
        data = _ok(client.append(_quote(folder), None, None, raw), f"APPEND to {folder}")
    # imaplib's append() returns the tagged response: [APPENDUID <validity> <uid>] ...
    match = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
    return int(match.group(1)) if match else 0


def messages(folder: str = "INBOX") -> list[bytes]:
    """The raw messages in a folder, oldest first (by UID); leaves their flags alone."""
    with connect() as client:
        _ok(client.select(_quote(folder), readonly=True), f"EXAMINE {folder}")
        uids = _ok(client.uid("SEARCH", "ALL"), "UID SEARCH")[0].split()
        found = []
        for uid in sorted(uids, key=int):
            data = _ok(client.uid("FETCH", uid, "(BODY.PEEK[])"), f"UID FETCH {uid}")
            found.extend(part[1] for part in data if isinstance(part, tuple))
        return found


def flags(folder: str = "INBOX") -> list[set[str]]:
    """The flags of each message in a folder, in the order of `messages` (without \\Recent,
    which only says which session saw the message first)."""
    with connect() as client:
        _ok(client.select(_quote(folder), readonly=True), f"EXAMINE {folder}")
        uids = _ok(client.uid("SEARCH", "ALL"), "UID SEARCH")[0].split()
        found = []
        for uid in sorted(uids, key=int):
            data = _ok(client.uid("FETCH", uid, "(FLAGS)"), f"UID FETCH {uid}")
            line = data[0].decode() if isinstance(data[0], bytes) else data[0][0].decode()
            match = re.search(r"FLAGS \(([^)]*)\)", line)
            found.append(set(match.group(1).split()) - {"\\Recent"} if match else set())
        return found


def empty_mailbox() -> None:
    """Every message of every folder expunged, every folder but INBOX deleted."""
    with connect() as client:
        listing = _listing(client)
        for name, _sep in listing:
            status, _data = client.select(_quote(name))
            if status != "OK":  # a \Noselect parent of nested folders
                continue
            if _ok(client.uid("SEARCH", "ALL"), "UID SEARCH")[0].split():
                _ok(client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
                _ok(client.expunge(), "EXPUNGE")
            client.close()
        others = [(name, sep) for name, sep in listing if name.upper() != "INBOX"]
        for name, _sep in sorted(others, key=_depth, reverse=True):  # children first
            client.delete(_quote(name))  # a \Noselect parent may vanish with its children
        left = [name for name, _sep in _listing(client) if name.upper() != "INBOX"]
        if left:
            raise RuntimeError(f"could not empty the test mailbox: {left} remain")
        for name, _sep in _listing(client, "lsub"):
            if name.upper() != "INBOX":
                client.unsubscribe(_quote(name))


def _depth(entry: tuple[str, str]) -> int:
    name, sep = entry
    return name.count(sep) if sep else 0


@pytest.fixture
def imap_settings(settings) -> ImapServer:
    """The app's mail intake pointed at the test Dovecot, with an empty mailbox."""
    found = server()
    require(found is not None, "the IMAP server (TEST_IMAP_*)")
    settings.MAIL_INTAKE_HOST = found.host
    settings.MAIL_INTAKE_PORT = found.port
    settings.MAIL_INTAKE_USER = found.user
    settings.MAIL_INTAKE_PASSWORD = found.password
    settings.MAIL_INTAKE_FOLDER = "INBOX"
    settings.MAIL_INTAKE_PROCESSED_FOLDER = PROCESSED_FOLDER
    settings.MAIL_INTAKE_STAFF_FOLDER = STAFF_FOLDER
    settings.MAIL_INTAKE_CA_FILE = found.ca_file
    empty_mailbox()
    return found
