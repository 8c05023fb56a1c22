"""A Dovecot IMAP server on loopback, over TLS only, with one user: the mailbox `make test`
gives the mail-intake tests (tools/run_tests.py).

Everything it uses lives in a temporary directory: the configuration, the self-signed
certificate (`ca_file`, for clients to trust), the password file, the sockets, the log and
the Maildir. It never reads /etc/dovecot, and the system's own Dovecot service stays off.
"""

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DEFAULT_PORT = 18993


def dovecot_binary() -> str | None:
    found = shutil.which("dovecot")
    if found:
        return found
    return "/usr/sbin/dovecot" if os.access("/usr/sbin/dovecot", os.X_OK) else None


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _accounts() -> tuple[str, int, int]:
    """Who Dovecot's unprivileged processes and the mail files run as.

    Dovecot refuses mail access as uid 0, so as root everything runs as `nobody`; as another
    user, Dovecot runs rootless and everything runs as that user.
    """
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return nobody.pw_name, nobody.pw_uid, nobody.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_uid, me.pw_gid


class Dovecot:
    def __init__(self, *, port: int = DEFAULT_PORT, user: str = "reports"):
        self.binary = dovecot_binary()
        if self.binary is None:
            raise RuntimeError(
                "dovecot not found: install Debian's dovecot-imapd (tools/sysdeps.sh test)"
            )
        self.host = "127.0.0.1"
        self.port = port
        self.user = user
        self.password = secrets.token_urlsafe(16)
        self.data = Path(tempfile.mkdtemp(prefix="machimori-dovecot-"))
        # The unprivileged processes (login, auth, mail) must reach the sockets and files.
        self.data.chmod(0o755)
        self.ca_file = self.data / "cert.pem"
        self.config = self.data / "dovecot.conf"
        self.log_file = self.data / "dovecot.log"
        self.process = None

    def _certificate(self) -> None:
        key = self.data / "key.pem"
        result = subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(key), "-out", str(self.ca_file),
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"openssl could not make the test certificate:\n{result.stderr}")
        key.chmod(0o600)

    def _write_config(self) -> None:
        account, uid, gid = _accounts()
        group = _group_name(gid)
        mail = self.data / "mail"
        for name in ("run", "state", "mail"):
            (self.data / name).mkdir()
        if os.geteuid() == 0:
            os.chown(mail, uid, gid)
        passwd = self.data / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        passwd.chmod(0o644)  # read by the auth process, which runs unprivileged
        rootless = os.geteuid() != 0
        # As root, login processes are chrooted (Dovecot's default); rootless, they cannot be.
        no_chroot = "  chroot =\n" if rootless else ""
        self.config.write_text(
            f"""\
# Written by tools/dovecot.py for one test run; nothing here comes from /etc/dovecot.
protocols = imap
listen = {self.host}
base_dir = {self.data}/run
state_dir = {self.data}/state
log_path = {self.log_file}
info_log_path = {self.log_file}
instance_name = machimori-test-{self.port}
default_internal_user = {account}
default_internal_group = {group}
default_login_user = {account}
first_valid_uid = {min(uid, 500) or 1}
first_valid_gid = {min(gid, 500) or 1}
mail_uid = {uid}
mail_gid = {gid}

ssl = required
ssl_cert = <{self.ca_file}
ssl_key = <{self.data}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}

mail_location = maildir:{mail}/%u
namespace inbox {{
  inbox = yes
  separator = /
}}

service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {self.port}
    ssl = yes
  }}
{no_chroot}}}
service anvil {{
{no_chroot}}}
service auth-worker {{
  user = {account if rootless else "$default_internal_user"}
}}
"""
        )

    def start(self) -> None:
        if not _free(self.port):
            raise RuntimeError(f"port {self.port} is taken; Dovecot cannot listen there")
        self._certificate()
        self._write_config()
        check = subprocess.run(
            [self.binary, "-n", "-c", str(self.config)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if check.returncode != 0:
            raise RuntimeError(f"the test Dovecot configuration is refused:\n{check.stderr}")
        self.output = open(self.data / "dovecot.out", "wb")  # noqa: SIM115 (closed in close)
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)],
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while _free(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"Dovecot did not start on port {self.port}:\n{self._tail()}")
            time.sleep(0.1)

    def _tail(self) -> str:
        text = ""
        for path in (self.data / "dovecot.out", self.log_file):
            if path.exists():
                text += path.read_text(errors="replace")[-2000:]
        return text

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its children
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        deadline = time.monotonic() + 15
        while not _free(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)

    def close(self) -> None:
        self.stop()
        if getattr(self, "output", None):
            self.output.close()
        shutil.rmtree(self.data, ignore_errors=True)

    def __enter__(self) -> "Dovecot":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
