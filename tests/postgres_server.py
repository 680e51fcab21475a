"""A real PostgreSQL server for the tests, started from the distribution's binaries in a temporary folder.

As pytest-postgresql does: ``initdb`` a data folder, ``pg_ctl start`` on a free port with its unix socket in
that folder and no TCP listener, one database per test, ``pg_ctl stop`` at the end. PostgreSQL refuses to
run as root, so under root the server runs as the ``postgres`` user that Debian's package creates (the
folder is made over to it). Nothing here mocks anything: without the binaries the tests that need a
server skip and say why.

>>> server = PostgresServer.start(find_binaries())  # doctest: +SKIP
>>> url = server.new_database("audit")  # doctest: +SKIP
'postgresql+psycopg://provenance@/audit?host=/tmp/provenance-pg-1a2b/socket&port=54321'
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "provenance"
_INSTALL_HINT = "apt-get install postgresql (Debian) puts initdb and pg_ctl in /usr/lib/postgresql/*/bin"


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: on PATH, else the newest Debian install."""
    candidates = []
    if found := shutil.which("pg_ctl"):
        candidates.append(Path(found).resolve().parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def unavailable_reason() -> str | None:
    """Why no server can be started here, or None when one can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: pip install -e '.[postgres]'"
    if find_binaries() is None:
        return f"PostgreSQL server binaries (initdb, pg_ctl) not found: {_INSTALL_HINT}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return None


@dataclass
class PostgresServer:
    binaries: Path
    folder: Path
    port: int
    _counter: int = 0

    @property
    def socket_folder(self) -> Path:
        return self.folder / "socket"

    @classmethod
    def start(cls, binaries: Path, *, durable: bool = False) -> PostgresServer:
        """A new server in a new temporary folder; ``durable`` keeps fsync on (for benchmarks)."""
        folder = Path(tempfile.mkdtemp(prefix="provenance-pg-"))
        (folder / "socket").mkdir()
        owner = _server_user()
        if owner is not None:
            for path in (folder, folder / "socket"):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        server = cls(binaries, folder, _free_port())
        try:
            server._run("initdb", "-D", str(folder / "data"), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
            settings = [
                f"-p {server.port}",
                f"-k {server.socket_folder}",
                "-c listen_addresses=''",
                "-c max_connections=120",
            ]
            if not durable:
                settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
            server._run(
                "pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w", "-t", "60",
                "-o", " ".join(settings), "start",
            )  # fmt: skip
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return server

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@/{database}?host={self.socket_folder}&port={self.port}"

    def new_database(self, prefix: str = "test") -> str:
        """A new, empty database; its SQLAlchemy URL."""
        import psycopg

        self._counter += 1
        name = f"{prefix}_{self._counter}"
        with psycopg.connect(host=str(self.socket_folder), port=self.port, user=USER, dbname="postgres") as conn:
            conn.autocommit = True
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if _server_user() is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.folder, timeout=120)
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()}\n{tail}")


def _server_user() -> pwd.struct_passwd | None:
    """The user the server runs as when we are root (PostgreSQL refuses root); None to run as ourselves."""
    return pwd.getpwnam("postgres") if os.geteuid() == 0 else None


def _free_port() -> int:
    # Only a number for the socket file's name (the server listens on no TCP address), but kept free on
    # loopback too, so a later TCP listener of another test cannot clash.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
