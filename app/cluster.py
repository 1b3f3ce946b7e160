"""The embedded PostGIS cluster under instance/ used when DATABASE_URL is not set.

PostgreSQL refuses to run as root, so when invoked as root the server runs as the ``postgres``
system user (created by the Debian package). The cluster listens on 127.0.0.1 only, on a port
chosen at creation, with a generated superuser password kept in ``instance/db.json`` (mode 0600).
"""
from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PG_MAJOR = "15"
DEFAULT_PORT = 55432
INSTALL_HINT = (
    "PostGIS 3 for PostgreSQL 15 is required. On Debian run as root:\n"
    "    apt-get install -y postgresql-15-postgis-3 postgresql-contrib\n"
    "or set DATABASE_URL to a PostgreSQL 15+ server that has PostGIS and pg_trgm."
)


class ClusterError(RuntimeError):
    """The embedded cluster cannot be created, started or reached; the message says what to do."""


@dataclass(frozen=True)
class ClusterInfo:
    port: int
    password: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres:{self.password}@127.0.0.1:{self.port}/{database}"


def bindir() -> Path:
    """Directory of the PostgreSQL server binaries (``PG_BINDIR`` overrides)."""
    path = Path(os.environ.get("PG_BINDIR", f"/usr/lib/postgresql/{PG_MAJOR}/bin"))
    if not (path / "postgres").exists():
        raise ClusterError(f"PostgreSQL {PG_MAJOR} server binaries not found in {path}.\n{INSTALL_HINT}")
    return path


def check_postgis_installed() -> None:
    """Raise a ClusterError with install instructions when the PostGIS extension is missing."""
    sharedir = Path(os.environ.get("PG_SHAREDIR", f"/usr/share/postgresql/{PG_MAJOR}"))
    if not (sharedir / "extension" / "postgis.control").exists():
        raise ClusterError(f"PostGIS is not installed ({sharedir}/extension/postgis.control missing).\n{INSTALL_HINT}")
    if not (sharedir / "extension" / "pg_trgm.control").exists():
        raise ClusterError(f"pg_trgm (postgresql-contrib) is not installed.\n{INSTALL_HINT}")


class EmbeddedCluster:
    """Create, start, stop and describe the cluster in ``instance_dir``."""

    def __init__(self, instance_dir: Path) -> None:
        self.instance_dir = Path(instance_dir).resolve()
        self.data_dir = self.instance_dir / "pgdata"
        self.log_file = self.instance_dir / "postgresql.log"
        self.info_file = self.instance_dir / "db.json"

    # -- public operations ---------------------------------------------------------------
    def info(self) -> ClusterInfo:
        if not self.info_file.exists():
            raise ClusterError("The embedded database has not been created yet: run `flask --app wsgi db start`.")
        data = json.loads(self.info_file.read_text())
        return ClusterInfo(port=data["port"], password=data["password"])

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists() and self.info_file.exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        result = self._pg_ctl("status", check=False)
        return result.returncode == 0

    def start(self) -> ClusterInfo:
        """Initialise the cluster if needed and start it; a running cluster is left as it is."""
        check_postgis_installed()
        if not self.is_initialised():
            self._initdb()
        if not self.is_running():
            info = self.info()
            if not _port_free(info.port):
                raise ClusterError(f"Port {info.port} on 127.0.0.1 is taken by another program; stop it or remove "
                                   f"{self.instance_dir} to create the cluster on a new port.")
            self.log_file.touch(exist_ok=True)
            self._hand_to_server_user(self.log_file)
            options = (f"-p {info.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
                       "-c max_connections=200 -c shared_buffers=1GB -c max_wal_size=4GB")
            result = self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log_file), "-o", options, check=False)
            if result.returncode != 0:
                raise ClusterError(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}\n{self._log_tail()}")
        return self.info()

    def stop(self) -> bool:
        """Stop the cluster; returns False when it was not running."""
        if not self.is_running():
            return False
        self._pg_ctl("stop", "-m", "fast", "-w")
        return True

    def status(self) -> str:
        if not self.is_initialised():
            return f"not created ({self.data_dir})"
        state = "running" if self.is_running() else "stopped"
        return f"{state} on 127.0.0.1:{self.info().port} ({self.data_dir})"

    # -- internals -----------------------------------------------------------------------
    def _initdb(self) -> None:
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        port = DEFAULT_PORT if _port_free(DEFAULT_PORT) else _free_port()
        password = secrets.token_urlsafe(24)
        self.data_dir.mkdir(exist_ok=True)
        self._hand_to_server_user(self.data_dir)
        with tempfile.NamedTemporaryFile("w", delete=False, dir=self.instance_dir) as pwfile:
            pwfile.write(password)
        try:
            self._hand_to_server_user(Path(pwfile.name))
            self._run([str(bindir() / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "-E", "UTF8",
                       "--locale=C.UTF-8", "--auth=scram-sha-256", f"--pwfile={pwfile.name}"])
        finally:
            os.unlink(pwfile.name)
        self.info_file.write_text(json.dumps({"port": port, "password": password}))
        self.info_file.chmod(0o600)

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run([str(bindir() / "pg_ctl"), "-D", str(self.data_dir), *args], check=check)

    def _run(self, command: list[str], check: bool = True) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            command = ["runuser", "-u", _server_user(), "--", *command]
        env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd="/")
        if check and result.returncode != 0:
            raise ClusterError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
        return result

    def _hand_to_server_user(self, path: Path) -> None:
        """As root, give ``path`` to the server user and let it traverse the parent directories."""
        if os.geteuid() != 0:
            return
        entry = pwd.getpwnam(_server_user())
        shutil.chown(path, entry.pw_uid, entry.pw_gid)
        for parent in path.resolve().parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)  # search (x) only: the server user cannot list the folder

    def _log_tail(self) -> str:
        if not self.log_file.exists():
            return ""
        return "".join(self.log_file.read_text(errors="replace").splitlines(True)[-20:])


def _server_user() -> str:
    name = os.environ.get("PG_SERVER_USER", "postgres")
    try:
        pwd.getpwnam(name)
    except KeyError as exc:
        raise ClusterError(
            f"System user {name!r} does not exist; PostgreSQL cannot run as root.\n{INSTALL_HINT}") from exc
    return name


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_connection(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    return target.database, psycopg.connect(admin, autocommit=True)


def database_exists(url: str) -> bool:
    name, connection = _admin_connection(url)
    with connection as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` when it does not exist; returns True if created."""
    if database_exists(url):
        return False
    name, connection = _admin_connection(url)
    with connection as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' LOCALE \'C.UTF-8\'')
        return True
