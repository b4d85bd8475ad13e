"""A throwaway PostgreSQL server from Debian's packages, for the tests and for CI.

``.ci/run`` starts one before the suite (``python -m tests.postgres_server start DIR``
prints its URL) and stops it after; the fixtures start their own when no server was
handed to them (``YTEMPIRE_TEST_POSTGRES_URL``), so ``pytest`` works in a developer's
shell too. The server listens on loopback and on a socket in its own folder, trusts
local connections (it is a test server, reachable only from this machine), and fsync
is off: the tests check behaviour, not durability, and fsync would double their time.
As root (CI's containers), the server runs as the ``postgres`` user, which Debian's
package creates: PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

URL_ENV = "YTEMPIRE_TEST_POSTGRES_URL"
USER = "ytempire"


class NoPostgres(RuntimeError):
    pass


def binaries() -> Path:
    """The folder of the newest installed PostgreSQL's server programs."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise NoPostgres(
            "PostgreSQL's server is not installed (Debian: apt-get install postgresql; "
            "./install.sh --dev installs it)"
        )
    return found[-1].parent


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(folder: Path) -> str:
    """Create a cluster in ``folder`` and start it; the URL of its ``ytempire`` database."""
    bin_dir = binaries()
    folder.mkdir(parents=True, exist_ok=True)
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        server = pwd.getpwnam("postgres")
        for path in (folder, sockets):
            os.chown(path, server.pw_uid, server.pw_gid)
    port = _free_port()
    run = lambda *command: subprocess.run(  # noqa: E731
        _as_server_user([str(c) for c in command]), check=True, capture_output=True, text=True
    )
    run(bin_dir / "initdb", "-D", data, "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    run(bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", folder / "server.log", "-w", "start")
    run(bin_dir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", USER, USER)
    url = f"postgresql+psycopg://{USER}@127.0.0.1:{port}/{USER}"
    (folder / "url").write_text(url + "\n")
    return url


def stop(folder: Path) -> None:
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run(
            _as_server_user([str(binaries() / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
        )
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python -m tests.postgres_server start|stop FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[1])
    if argv[0] == "start":
        print(start(folder))
    else:
        stop(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
