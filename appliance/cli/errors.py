"""How a command fails: one line on stderr and a non-zero exit."""

from __future__ import annotations

EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A failure to report as one line on stderr, with a non-zero exit."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        self.code = code
        super().__init__(message)
