"""`make cluster` / `make cluster-stop`: the production topology of deploy/ on this machine.

Why it is long: it starts eleven kinds of servers in order, each with its own readiness
check, and must stop every one of them again; splitting it would only scatter that order.

    nginx (deploy/nginx/machimori.conf) → three gunicorn app servers (machimori-web@.service)
    → pgbouncer (deploy/pgbouncer/pgbouncer.ini, transaction mode) → PostgreSQL/PostGIS
    primary (initdb) + streaming replica (pg_basebackup -R); SeaweedFS master, three volume
    servers (replication 001) and a filer with S3; Redis; two task workers
    (machimori-worker@.service). Everything lives under var/cluster/, listens on 127.0.0.1
    only, and is started from the same files an operator installs: the units' ExecStart
    lines, the nginx site and the pgbouncer ini, with their @NAME@ placeholders filled in.

    python tools/cluster.py start     start it all, migrate, seed the demo, print the URL
    python tools/cluster.py stop      stop everything it started (pid files in var/cluster/pids)
    python tools/cluster.py status    what runs
    python tools/cluster.py restart NAME   stop one part (web-27002, worker-1, weed-volume-2,
                                      pgbouncer, …) if it runs, and start it again as before

CLUSTER_BENCH_VIEWS=1 at start runs the app servers with bench.settings: the project plus the
floors of `make bench` (bench/urls.py) behind the same nginx; kept for restarts of the part.

Ports: CLUSTER_PORT_BASE (27000) + a fixed offset each. Delete var/cluster/ (stopped) to start
afresh; otherwise the databases, the bucket and the demo data are kept between starts.
"""

import contextlib
import json
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BASE = ROOT / "var" / "cluster"
PIDS, LOGS, RUN = BASE / "pids", BASE / "logs", BASE / "run"
VENV_BIN = Path(sys.executable).parent
WEED = VENV_BIN / "weed"
PORT_BASE = int(os.environ.get("CLUSTER_PORT_BASE", "27000"))
PORTS = {
    "http": PORT_BASE + 80,
    "https": PORT_BASE + 443,
    "apps": [PORT_BASE + 1, PORT_BASE + 2, PORT_BASE + 3],
    "pgbouncer": PORT_BASE + 432,
    "primary": PORT_BASE + 541,
    "replica": PORT_BASE + 542,
    "redis": PORT_BASE + 379,
    "weed_master": PORT_BASE + 333,
    "weed_volumes": [PORT_BASE + 81, PORT_BASE + 82, PORT_BASE + 83],
    "weed_filer": PORT_BASE + 888,
    "s3": PORT_BASE + 334,
}
WORKERS = 2
BUCKET = "machimori"
DEMO_ASSETS = os.environ.get("CLUSTER_DEMO_ASSETS", "300")
# Stopped stage by stage (the reverse of starting), each stage's processes together;
# postgres is stopped with pg_ctl after them.
# SeaweedFS takes 10-15 s to stop gracefully; its parts stop together.
STOP_STAGES = [["nginx"], ["web-*", "worker-*"]]
STOP_STAGES += [["weed-filer", "weed-volume-*", "weed-master", "redis", "pgbouncer"]]


class ClusterError(Exception):
    pass


# --- small helpers --------------------------------------------------------------------------


def say(text: str) -> None:
    print(f"cluster: {text}", flush=True)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(what: str, ready, *, seconds: float = 60, process=None, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while not ready():
        if process is not None and process.poll() is not None:
            raise ClusterError(f"{what} stopped at start (exit {process.returncode}){tail(log)}")
        if time.monotonic() > deadline:
            raise ClusterError(f"{what} not ready after {seconds:.0f} s{tail(log)}")
        time.sleep(0.3)


def tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return "\n--- " + str(log) + "\n" + log.read_text(errors="replace")[-1500:]


def render(template: Path, values: dict[str, str]) -> str:
    """The template with its @NAME@ placeholders filled in (not in comments, which list them)."""
    lines = []
    for line in template.read_text().splitlines():
        if not line.lstrip().startswith(("#", ";")):
            for name, value in values.items():
                line = line.replace(f"@{name}@", value)
            if line.count("@") >= 2:
                raise ClusterError(f"{template.name}: a placeholder is left: {line.strip()}")
        lines.append(line)
    return "\n".join(lines) + "\n"


def exec_start(unit: str, instance: str) -> list[str]:
    """The ExecStart command of a deploy/systemd unit, for this checkout; run under
    `supervise` when the unit has Restart= (as systemd would start it again)."""
    lines = (DEPLOY / "systemd" / unit).read_text().splitlines()
    settings = dict(line.split("=", 1) for line in lines if "=" in line and line[:1].isalpha())
    if "ExecStart" not in settings:
        raise ClusterError(f"{unit} has no ExecStart")
    command = settings["ExecStart"].replace("%i", instance)
    command = command.replace("/srv/machimori/.venv/bin/", f"{VENV_BIN}/")
    command = shlex.split(command.replace("/srv/machimori", str(ROOT)))
    policy = settings.get("Restart", "no")
    if policy in ("always", "on-failure"):
        wait = settings.get("RestartSec", "1")
        watch = [sys.executable, str(Path(__file__).resolve()), "supervise", policy, wait]
        return [*watch, "--", *command]
    return command


def supervise(policy: str, seconds: float, command: list[str]) -> int:
    """Run `command`, and start it again when it exits (policy "always", or "on-failure"
    and it failed) after `seconds`, as systemd's Restart= does; SIGTERM or SIGINT is passed
    on to it and ends the watch."""
    child, stopping = None, False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
            code = child.wait()
            if stopping or not (policy == "always" or code != 0):
                return code
            print(f"cluster: exited with {code}; started again in {seconds:g} s", flush=True)
            time.sleep(seconds)
            if stopping:
                return code
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


# --- PostgreSQL runs as the postgres user when we are root (it refuses root) -----------------


def pg_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    if not versions:
        raise ClusterError("PostgreSQL is not installed (make sysdeps-test installs it)")
    return str(versions[-1].parent / name)


def as_postgres() -> list[str]:
    if os.geteuid() != 0:
        return []
    pwd.getpwnam("postgres")  # KeyError: no such user (Debian's postgresql package makes it)
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


def give_to_postgres(*paths: Path) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in paths:
            for item in [path, *path.rglob("*")]:
                os.chown(item, user.pw_uid, user.pw_gid)


def run(command: list[str], *, env=None, log: Path | None = None, what: str = "") -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if log is not None:
        with log.open("a") as out:
            out.write(f"$ {shlex.join(command)}\n{result.stdout}{result.stderr}")
    if result.returncode != 0:
        raise ClusterError(
            f"{what or command[0]} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


def psql(sql: str, *, port: int, database: str = "postgres") -> None:
    run(
        [
            *as_postgres(),
            pg_bin("psql"),
            "-h",
            str(RUN),
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            sql,
        ],
        what=f"psql: {sql[:60]}",
    )


# --- processes we start ourselves: one pid file each ----------------------------------------


def spawn(name: str, command: list[str], *, env=None, cwd=ROOT) -> subprocess.Popen:
    log = LOGS / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (PIDS / f"{name}.pid").write_text(str(process.pid))
    process.log = log
    return process


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie of ours is no longer running.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def running() -> dict[str, int]:
    found = {}
    for pid_file in sorted(PIDS.glob("*.pid")) if PIDS.exists() else []:
        pid = int(pid_file.read_text().strip() or 0)
        if pid and alive(pid):
            found[pid_file.stem] = pid
    return found


# --- the parts ------------------------------------------------------------------------------


def start_postgres(password: str) -> None:
    primary, replica = BASE / "pg" / "primary", BASE / "pg" / "replica"
    log = LOGS / "postgres-setup.log"
    (BASE / "pg").mkdir(parents=True, exist_ok=True)
    give_to_postgres(BASE / "pg", RUN)
    fresh = not (primary / "PG_VERSION").exists()
    if fresh:
        say("initdb: the primary")
        run(
            [
                *as_postgres(),
                pg_bin("initdb"),
                "-D",
                str(primary),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            log=log,
            what="initdb",
        )
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# tools/cluster.py\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{RUN}'\nwal_level = replica\n"
                "max_wal_senders = 5\nhot_standby = on\nshared_buffers = 64MB\n"
                "max_connections = 60\nfsync = on\n"
            )
    pg_ctl_start("postgres-primary", primary, PORTS["primary"])
    if fresh:
        psql(
            f"CREATE ROLE machimori LOGIN PASSWORD '{password}';"
            " ALTER ROLE machimori SET max_parallel_workers_per_gather = 0;",
            port=PORTS["primary"],
        )
        psql("CREATE DATABASE machimori OWNER machimori;", port=PORTS["primary"])
        psql("CREATE EXTENSION IF NOT EXISTS postgis;", port=PORTS["primary"], database="machimori")
    if not (replica / "PG_VERSION").exists():
        say("pg_basebackup -R: the streaming replica")
        shutil.rmtree(replica, ignore_errors=True)
        run(
            [
                *as_postgres(),
                pg_bin("pg_basebackup"),
                "-h",
                str(RUN),
                "-p",
                str(PORTS["primary"]),
                "-U",
                "postgres",
                "-D",
                str(replica),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
            log=log,
            what="pg_basebackup",
        )
    pg_ctl_start("postgres-replica", replica, PORTS["replica"])


def pg_ctl_start(name: str, data: Path, port: int) -> None:
    log = LOGS / f"{name}.log"
    if os.geteuid() == 0 and not log.exists():
        log.touch()
        give_to_postgres(log)
    run(
        [
            *as_postgres(),
            pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {RUN}",
            "start",
        ],
        what=f"{name} start",
    )
    pid = (data / "postmaster.pid").read_text().split()[0]
    (PIDS / f"{name}.pid").write_text(pid)
    wait_until(name, lambda: port_open(port), log=log)


def start_pgbouncer(password: str) -> None:
    directory = BASE / "pgbouncer"
    directory.mkdir(exist_ok=True)
    ini = directory / "pgbouncer.ini"
    ini.write_text(
        render(
            DEPLOY / "pgbouncer" / "pgbouncer.ini",
            {
                "PRIMARY_HOST": "127.0.0.1",
                "PRIMARY_PORT": str(PORTS["primary"]),
                "REPLICA_HOST": "127.0.0.1",
                "REPLICA_PORT": str(PORTS["replica"]),
                "LISTEN_PORT": str(PORTS["pgbouncer"]),
                "AUTH_FILE": str(directory / "userlist.txt"),
                "LOG_FILE": str(LOGS / "pgbouncer-own.log"),
                "PID_FILE": str(directory / "pgbouncer.pid"),
                "SOCKET_DIR": "",
            },
        )
    )
    (directory / "userlist.txt").write_text(
        f'"machimori" "{password}"\n"pgbouncer_admin" "{password}"\n'
    )
    (directory / "userlist.txt").chmod(0o600)
    give_to_postgres(directory)
    command = [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", str(ini)]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
        (LOGS / "pgbouncer-own.log").touch()
        give_to_postgres(LOGS / "pgbouncer-own.log")
    process = spawn("pgbouncer", command)
    wait_until("pgbouncer", lambda: port_open(PORTS["pgbouncer"]), process=process, log=process.log)


def start_redis() -> None:
    directory = BASE / "redis"
    directory.mkdir(exist_ok=True)
    command = [
        shutil.which("redis-server") or "/usr/bin/redis-server",
        "--port",
        str(PORTS["redis"]),
    ]
    command += ["--bind", "127.0.0.1", "--dir", str(directory), "--save", "", "--appendonly", "no"]
    command += ["--daemonize", "no", "--protected-mode", "yes"]
    process = spawn("redis", command)
    wait_until("redis", lambda: port_open(PORTS["redis"]), process=process, log=process.log)


def start_seaweed(access: str, secret: str) -> None:
    data = BASE / "weed"
    common = ["-ip=127.0.0.1", "-ip.bind=127.0.0.1"]
    master = f"127.0.0.1:{PORTS['weed_master']}"
    (data / "master").mkdir(parents=True, exist_ok=True)
    process = spawn(
        "weed-master",
        [
            str(WEED),
            "master",
            f"-mdir={data / 'master'}",
            f"-port={PORTS['weed_master']}",
            *common,
            "-defaultReplication=001",
            "-volumeSizeLimitMB=256",
            "-telemetry=false",
        ],
    )
    wait_until(
        "SeaweedFS master",
        lambda: port_open(PORTS["weed_master"]),
        process=process,
        log=process.log,
    )
    volumes = [
        spawn(f"weed-volume-{number}", volume_command(number))
        for number in range(1, len(PORTS["weed_volumes"]) + 1)
    ]
    for number, process in enumerate(volumes):
        wait_until(
            f"SeaweedFS volume {number + 1}",
            lambda p=PORTS["weed_volumes"][number]: port_open(p),
            process=process,
            log=process.log,
        )
    (data / "filer").mkdir(exist_ok=True)
    s3_config = data / "s3.json"
    s3_config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "machimori",
                        "credentials": [{"accessKey": access, "secretKey": secret}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    s3_config.chmod(0o600)
    process = spawn(
        "weed-filer",
        [
            str(WEED),
            "filer",
            f"-master={master}",
            f"-port={PORTS['weed_filer']}",
            *common,
            f"-defaultStoreDir={data / 'filer'}",
            "-defaultReplicaPlacement=001",
            "-s3",
            f"-s3.port={PORTS['s3']}",
            f"-s3.port.grpc={PORTS['s3'] + 10000}",
            f"-s3.config={s3_config}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
        ],
    )
    wait_until("SeaweedFS S3", lambda: port_open(PORTS["s3"]), process=process, log=process.log)
    make_bucket(access, secret)


def volume_command(number: int) -> list[str]:
    """The command of SeaweedFS volume server `number` (1-based), its folder made."""
    directory = BASE / "weed" / f"volume{number}"
    directory.mkdir(parents=True, exist_ok=True)
    return [
        str(WEED),
        "volume",
        f"-dir={directory}",
        f"-port={PORTS['weed_volumes'][number - 1]}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-mserver=127.0.0.1:{PORTS['weed_master']}",
        # As many 256 MB volumes as the disk holds (keeping 1 GiB free): a fixed -max=20 (60
        # slots, 30 replicated volumes, about 7 GB) filled up in a few load tests, and then
        # every photo upload failed ("no writable volumes").
        "-max=0",
        "-minFreeSpace=1GiB",
    ]


def make_bucket(access: str, secret: str) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{PORTS['s3']}",
        aws_access_key_id=access,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            client.create_bucket(Bucket=BUCKET)
            return
        except (client.exceptions.BucketAlreadyOwnedByYou, client.exceptions.BucketAlreadyExists):
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise ClusterError(f"the bucket could not be made: {exc}") from exc
            time.sleep(0.5)


def tls_files() -> tuple[Path, Path]:
    directory = BASE / "tls"
    directory.mkdir(exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    if not cert.exists():
        run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "365",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            what="openssl (a self-signed certificate for the cluster)",
        )
        key.chmod(0o600)
    return cert, key


def start_nginx(app_var: Path) -> None:
    prefix = BASE / "nginx"
    for sub in ("conf", "logs", "temp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    cert, key = tls_files()
    servers = "\n    ".join(
        f"server 127.0.0.1:{port} max_fails=2 fail_timeout=10s;" for port in PORTS["apps"]
    )
    site = render(
        DEPLOY / "nginx" / "machimori.conf",
        {
            "SERVER_NAME": "127.0.0.1 localhost",
            "HTTP_PORT": str(PORTS["http"]),
            "HTTPS_PORT": str(PORTS["https"]),
            "TLS_CERT": str(cert),
            "TLS_KEY": str(key),
            "VAR_DIR": str(app_var),
            "LOG_DIR": str(prefix / "logs"),
            "APP_SERVERS": servers,
        },
    )
    # Only loopback: the site's [::] listens are for a real server.
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    site = site.replace(f"listen {PORTS['http']};", f"listen 127.0.0.1:{PORTS['http']};")
    site = site.replace(f"listen {PORTS['https']} ", f"listen 127.0.0.1:{PORTS['https']} ")
    (prefix / "conf" / "machimori.conf").write_text(site)
    temp = prefix / "temp"
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    (prefix / "conf" / "nginx.conf").write_text(
        f"# Made by tools/cluster.py around deploy/nginx/machimori.conf.\n{user}"
        f"worker_processes 2;\ndaemon off;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'logs' / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        "    sendfile on;\n    tcp_nopush on;\n    server_tokens off;\n"
        + "".join(
            f"    {kind}_temp_path {temp / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + "    include machimori.conf;\n}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    command = [nginx, "-p", str(prefix), "-c", str(prefix / "conf" / "nginx.conf")]
    command += ["-e", str(prefix / "logs" / "error.log")]
    run([*command, "-t"], what="nginx -t")
    process = spawn("nginx", command)
    wait_until("nginx", lambda: healthz() == 200, process=process, log=process.log, seconds=90)


def healthz() -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORTS['http']}/healthz", timeout=5) as r:
            return r.status
    except Exception as exc:
        return getattr(exc, "code", 0)


def app_environment(password: str, access: str, secret: str) -> tuple[dict, Path]:
    """The environment of every app process: deploy/machimori.env.example with this
    cluster's values, written to var/cluster/machimori.env as an operator's file would be."""
    app_var = BASE / "app"
    app_var.mkdir(exist_ok=True)
    secret_file = BASE / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(50))
        secret_file.chmod(0o600)
    bouncer = f"127.0.0.1:{PORTS['pgbouncer']}"
    values = {
        "SECRET_KEY": secret_file.read_text().strip(),
        "PUBLIC_BASE_URL": f"https://127.0.0.1:{PORTS['https']}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgis://machimori:{password}@{bouncer}/machimori",
        "DATABASE_POOLER": "pgbouncer",
        "DATABASE_REPLICA_URL": f"postgis://machimori:{password}@{bouncer}/machimori_replica",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{PORTS['s3']}",
        "S3_ACCESS_KEY_ID": access,
        "S3_SECRET_ACCESS_KEY": secret,
        "CACHE_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
        # HSTS for 127.0.0.1 would follow the browser to every other local server.
        "SECURE_HSTS_SECONDS": "0",
        # E-mails are printed to the workers' logs.
        "EMAIL_HOST": "",
        "MACHIMORI_VAR_DIR": str(app_var),
    }
    lines, seen = [], set()
    for line in (DEPLOY / "machimori.env.example").read_text().splitlines():
        name = line.split("=", 1)[0]
        if line and not line.startswith("#") and "=" in line:
            if name in values:
                line = f"{name}={values[name]}"
            elif name.startswith("EMAIL_") or name == "DEFAULT_FROM_EMAIL":
                line = f"# {line}"
            seen.add(name)
        lines.append(line)
    lines += [f"{name}={value}" for name, value in values.items() if name not in seen]
    env_file = BASE / "machimori.env"
    env_file.write_text("\n".join(lines) + "\n")
    env_file.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "S3_"))}
    for line in lines:
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            env[name] = value
    return env, app_var


BENCH_VIEWS = BASE / "bench-views"


def web_environment(env: dict) -> dict:
    """The app servers' environment: with bench.settings when the cluster was started with
    CLUSTER_BENCH_VIEWS=1 (the floors of make bench behind the same nginx and middleware)."""
    if BENCH_VIEWS.exists():
        return {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    return env


def manage(env: dict, *args: str) -> None:
    say("manage.py " + " ".join(args))
    run([sys.executable, "manage.py", *args], env=env, log=LOGS / "setup.log", what=args[0])


# --- the commands ---------------------------------------------------------------------------


def start() -> int:
    if running():
        say(f"already running: {', '.join(running())} (make cluster-stop first)")
        return 1
    for directory in (PIDS, LOGS, RUN):
        directory.mkdir(parents=True, exist_ok=True)
    for stale in PIDS.glob("*.pid"):
        stale.unlink()
    credentials = BASE / "credentials.json"
    if not credentials.exists():
        credentials.write_text(
            json.dumps(
                {
                    "db": secrets.token_hex(16),
                    "s3_access": "machimori",
                    "s3_secret": secrets.token_hex(20),
                }
            )
        )
        credentials.chmod(0o600)
    creds = json.loads(credentials.read_text())
    try:
        start_postgres(creds["db"])
        start_pgbouncer(creds["db"])
        start_redis()
        start_seaweed(creds["s3_access"], creds["s3_secret"])
        env, app_var = app_environment(creds["db"], creds["s3_access"], creds["s3_secret"])
        # Schema changes go straight to the primary, not through pgbouncer (docs/deployment.md).
        direct = {
            **env,
            "DATABASE_URL": env["DATABASE_URL"].replace(
                f":{PORTS['pgbouncer']}/", f":{PORTS['primary']}/"
            ),
            "DATABASE_POOLER": "",
        }
        direct.pop("DATABASE_REPLICA_URL")
        manage(direct, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "seed_demo", "--assets", DEMO_ASSETS, "--seed", "1", "--if-empty", "--accounts")
        manage(env, "load_checklists")
        # Every demo asset gets a sticker, as `make setup` does (the load test scans them).
        labels = app_var / "demo-labels.pdf"
        if not labels.exists():
            manage(env, "print_labels", "--output", str(labels))
        BENCH_VIEWS.unlink(missing_ok=True)
        if os.environ.get("CLUSTER_BENCH_VIEWS", "") not in ("", "0"):
            BENCH_VIEWS.write_text("bench.settings\n")
            say("app servers with bench.settings (the floors of make bench)")
        web_env = web_environment(env)
        apps = [
            spawn(f"web-{port}", exec_start("machimori-web@.service", str(port)), env=web_env)
            for port in PORTS["apps"]
        ]
        for number in range(1, WORKERS + 1):
            spawn(f"worker-{number}", exec_start("machimori-worker@.service", str(number)), env=env)
        for port, process in zip(PORTS["apps"], apps, strict=True):
            wait_until(
                f"app server {port}",
                lambda p=port: port_open(p),
                process=process,
                log=process.log,
                seconds=90,
            )
        start_nginx(app_var)
    except (ClusterError, KeyError, OSError) as exc:
        print(f"cluster: could not start: {exc}", file=sys.stderr)
        say("stopping what had started")
        stop()
        return 1
    say(
        f"up: https://127.0.0.1:{PORTS['https']}/ (self-signed certificate; plain "
        f"http://127.0.0.1:{PORTS['http']}/ redirects). Logs: {LOGS}. Stop: make cluster-stop"
    )
    return 0


def _matching(pattern: str, names) -> list[str]:
    if pattern.endswith("*"):
        return sorted(name for name in names if name.startswith(pattern[:-1]))
    return [pattern] if pattern in names else []


def stop() -> int:
    alive_now = running()
    for stage in STOP_STAGES:
        names = [name for pattern in stage for name in _matching(pattern, alive_now)]
        began = time.monotonic()
        _stop_together({name: alive_now[name] for name in names})
        if names:
            say(f"stopped {', '.join(names)} ({time.monotonic() - began:.1f} s)")
    for name in ("postgres-replica", "postgres-primary"):
        data = BASE / "pg" / name.removeprefix("postgres-")
        if name in alive_now and (data / "postmaster.pid").exists():
            result = subprocess.run(
                [*as_postgres(), pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                _stop_together({name: alive_now[name]})
        _wait_gone([alive_now.get(name, 0)])
    _stop_together(running())  # anything left (a pid file of no stage above)
    left = running()
    for pid_file in PIDS.glob("*.pid") if PIDS.exists() else []:
        if pid_file.stem not in left:
            pid_file.unlink()
    if left:
        print(f"cluster: still running: {left}", file=sys.stderr)
        return 1
    say("stopped")
    return 0


def _stop_together(processes: dict[str, int]) -> None:
    for name, pid in processes.items():
        # nginx finishes the requests it has on SIGQUIT; the others stop cleanly on SIGTERM.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
    if not _wait_gone(list(processes.values()), seconds=25):
        for pid in processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        _wait_gone(list(processes.values()), seconds=5)


def _wait_gone(pids: list[int], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while any(pid and alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    return True


def start_part(name: str) -> None:
    """Start one part of a running cluster again as `start` did (after a fault or a stop):
    an app server, a task worker, a SeaweedFS volume server or pgbouncer."""
    if name in running():
        raise ClusterError(f"{name} is running")
    creds = json.loads((BASE / "credentials.json").read_text())
    if name == "pgbouncer":
        start_pgbouncer(creds["db"])
        return
    if name.startswith("weed-volume-"):
        number = int(name.removeprefix("weed-volume-"))
        process = spawn(name, volume_command(number))
        port = PORTS["weed_volumes"][number - 1]
        wait_until(name, lambda: port_open(port), process=process, log=process.log)
        return
    env, _ = app_environment(creds["db"], creds["s3_access"], creds["s3_secret"])
    if name.startswith("web-"):
        port = int(name.removeprefix("web-"))
        if port not in PORTS["apps"]:
            raise ClusterError(f"no app server on {port}")
        process = spawn(
            name, exec_start("machimori-web@.service", str(port)), env=web_environment(env)
        )
        wait_until(name, lambda: port_open(port), process=process, log=process.log, seconds=90)
        return
    if name.startswith("worker-"):
        spawn(name, exec_start("machimori-worker@.service", name.removeprefix("worker-")), env=env)
        return
    raise ClusterError(f"cannot start {name} alone")


def restart(name: str) -> int:
    pid = running().get(name)
    if pid:
        _stop_together({name: pid})
    try:
        start_part(name)
    except (ClusterError, ValueError, IndexError, OSError) as exc:
        print(f"cluster: could not start {name}: {exc}", file=sys.stderr)
        return 1
    say(f"{name} started again (pid {running().get(name)})")
    return 0


def status() -> int:
    now = running()
    for name, pid in now.items():
        print(f"{name:20} pid {pid}")
    if not now:
        print("cluster: nothing runs")
    return 0


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "status"
    if command == "restart" and len(sys.argv) == 3:
        return restart(sys.argv[2])
    if command == "supervise" and len(sys.argv) > 5 and sys.argv[4] == "--":
        return supervise(sys.argv[2], float(sys.argv[3]), sys.argv[5:])
    if command not in ("start", "stop", "status"):
        print(__doc__, file=sys.stderr)
        return 2
    return {"start": start, "stop": stop, "status": status}[command]()


if __name__ == "__main__":
    sys.exit(main())
