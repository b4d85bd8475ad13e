"""The systemd notify protocol (sd_notify(3)), spoken directly over its socket."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


class SystemdNotifier:
    """Sends state lines to the socket systemd names in ``NOTIFY_SOCKET``."""

    def __init__(self, address: str, watchdog_usec: int | None):
        # A leading "@" names a socket in the abstract namespace.
        self._address = "\0" + address[1:] if address.startswith("@") else address
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.watchdog_usec = watchdog_usec

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> SystemdNotifier | None:
        environ = os.environ if environ is None else environ
        address = environ.get("NOTIFY_SOCKET")
        if not address:
            return None
        watchdog_usec = None
        pid = environ.get("WATCHDOG_PID")
        if environ.get("WATCHDOG_USEC", "").isdigit() and (pid is None or pid == str(os.getpid())):
            watchdog_usec = int(environ["WATCHDOG_USEC"]) or None
        return cls(address, watchdog_usec)

    @property
    def watchdog_interval_s(self) -> float | None:
        """Ping at half the watchdog timeout, as sd_watchdog_enabled(3) advises."""
        return None if self.watchdog_usec is None else self.watchdog_usec / 2_000_000

    def notify(self, *states: str) -> None:
        try:
            self._socket.sendto("\n".join(states).encode(), self._address)
        except OSError:
            # systemd gone or socket not there: nothing useful to do about it.
            pass

    def ready(self, status: str) -> None:
        self.notify("READY=1", f"STATUS={status}", f"MAINPID={os.getpid()}")

    def stopping(self, status: str) -> None:
        self.notify("STOPPING=1", f"STATUS={status}")

    def status(self, status: str) -> None:
        self.notify(f"STATUS={status}")

    def watchdog(self) -> None:
        self.notify("WATCHDOG=1")

    def close(self) -> None:
        self._socket.close()
