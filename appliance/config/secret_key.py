"""The appliance's own secret: signs access tokens (and keys what is encrypted at rest).

It is made once, on first start, as 32 random bytes in a 0600 file beside the
database; losing it signs everyone out, so it is backed up with the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from storage.files import fsync_path

KEY_BYTES = 32


class SecretKeyError(RuntimeError):
    pass


def load_or_create(path: Path) -> bytes:
    """The key in ``path``, creating it first if there is none.

    Creation is atomic and never replaces an existing key: the key is written to
    a temp file and hard-linked into place, which fails if another process won.
    """
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, secrets.token_hex(KEY_BYTES).encode() + b"\n")
        os.fsync(fd)
        os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        fsync_path(path.parent)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return _read(path)


def derive(key: bytes, purpose: str) -> bytes:
    """A separate key per purpose, so no two uses ever share key material."""
    return hmac.new(key, purpose.encode(), hashlib.sha256).digest()


def _read(path: Path) -> bytes:
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise SecretKeyError(f"{path} does not hold a hex key") from None
    if len(key) < KEY_BYTES:
        raise SecretKeyError(f"{path} holds a key shorter than {KEY_BYTES} bytes")
    return key
