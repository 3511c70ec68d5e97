"""
A PostgreSQL server of its own, for fault tests and the fault benchmark: a cluster created with
initdb in a temporary directory, on a port of its own, started, stopped and restarted at will,
and removed at the end. It never touches the machine's own PostgreSQL server.

The binaries come from PG_BIN, or from the newest /usr/lib/postgresql/<version>/bin (Debian). As
root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def binaries():
    """The directory of initdb and pg_ctl, or None if there is no PostgreSQL server here."""
    configured = os.environ.get("PG_BIN")
    candidates = [Path(configured)] if configured else []
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    def __init__(self, port=None):
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("No PostgreSQL server binaries (initdb, pg_ctl): set PG_BIN.")
        self.port = port or free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="observatory-postgres-"))
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self._user = None
        if os.geteuid() == 0:
            self._user = pwd.getpwnam("postgres")
            os.chown(self.directory, self._user.pw_uid, self._user.pw_gid)

    def _run(self, *command, check=True):
        prefix = ["runuser", "-u", "postgres", "--"] if self._user else []
        # PostgreSQL's own binaries, with arguments this class makes.
        return subprocess.run(  # noqa: S603
            [*prefix, *command], check=check, capture_output=True, text=True, timeout=120
        )

    def url(self, database="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create(self):
        self._run(
            str(self.bin / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-instructions",
        )
        return self

    def start(self):
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.directory} -c fsync=off"
        )
        pg_ctl = str(self.bin / "pg_ctl")
        self._run(pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        return self

    def stop(self, mode="fast"):
        pg_ctl = str(self.bin / "pg_ctl")
        self._run(pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def is_ready(self):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def wait_until_ready(self, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.is_ready():
                return True
            time.sleep(0.05)
        return False

    def remove(self):
        self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self.create().start()

    def __exit__(self, *exc):
        self.remove()
