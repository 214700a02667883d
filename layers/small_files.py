"""Read small files named by a user (mappings, lock files) without blocking or filling memory.

A path can name a named pipe (reading waits forever for a writer), a device (a link
to ``/dev/zero`` never ends) or a folder. The file is opened without waiting, and
what was opened is checked (not the name, which may change in between): only a
regular file is read, and never more than the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from layers.errors import ReadError

__all__ = ["read_small_file"]


def read_small_file(path: str | Path, *, limit_bytes: int, what: str) -> bytes:
    """Return the bytes of the regular file at ``path``, refusing anything else at once.

    Parameters
    ----------
    path
        The file; links are followed.
    limit_bytes
        Largest size read; a larger file is refused without being read.
    what
        What the file should be, for the messages (``"a column mapping"``).

    Raises
    ------
    ReadError
        For a missing file, a folder, a pipe, a device or socket, a file larger
        than ``limit_bytes`` or one that cannot be read; the message names the path.

    Examples
    --------
    >>> read_small_file("/dev/zero", limit_bytes=10, what="a column mapping")
    Traceback (most recent call last):
    ...
    layers.errors.ReadError: /dev/zero: is a device, not a file saved on disk: give a file with a column mapping
    """  # noqa: E501
    path = Path(path)
    try:
        # O_NONBLOCK: opening a pipe without a writer would otherwise wait forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ReadError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ReadError(f"{path}: is a folder, not a file: give a file with {what}") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ReadError(f"{path}: cannot be opened ({reason})") from exc
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ReadError(f"{path}: is a folder, not a file: give a file with {what}")
        if not stat.S_ISREG(mode):
            kind = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "a device")
            raise ReadError(f"{path}: is {kind}, not a file saved on disk: give a file "
                            f"with {what}")
        if os.fstat(fd).st_size > limit_bytes:
            raise ReadError(f"{path}: too large for {what} (more than {limit_bytes:,} bytes)")
        chunks: list[bytes] = []
        total = 0
        while total <= limit_bytes:  # the file may grow while it is read
            chunk = os.read(fd, limit_bytes + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit_bytes:
            raise ReadError(f"{path}: too large for {what} (more than {limit_bytes:,} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise ReadError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)
