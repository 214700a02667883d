"""One writer per project file: a lock file beside the project, used by the app and the CLI.

The lock is a small JSON file next to the project (``.NAME.gpkg.lock``) naming its
holder: host, process id, user, program and since when. It is created atomically
(``O_CREAT | O_EXCL``) and, where the system has ``flock``, the holder also keeps an
advisory lock on it, which the kernel drops when the holder dies however it dies.

A lock left behind by a process that is gone is *stale* and is taken over: on this
host when the holder's process no longer runs (or its ``flock`` is free, which also
catches a recycled process id). A lock held on another host is never taken over:
the message names that host and the file to delete if GridPlanner no longer runs
there.

The app holds the lock for as long as a project is open for writing; the command
line holds it around each read-modify-write of a project file (waiting a little when
another holder is busy). Reading a project needs no lock: saves replace the file in
one step and the opener reads one snapshot.

Examples
--------
>>> import tempfile, pathlib
>>> project = pathlib.Path(tempfile.mkdtemp()) / "p.gpkg"
>>> with ProjectLock(project, program="example") as lock:
...     other = ProjectLock(project, program="another")
...     try:
...         other.acquire()
...     except ProjectLockedError as exc:
...         print(exc.holder.program)
example
>>> lock.held
False
"""

from __future__ import annotations

import contextlib
import getpass
import json
import math
import os
import socket
import stat
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from gridplanner.errors import ProjectError

#: How long the command line waits for another holder before giving up (seconds);
#: the environment variable ``GRIDPLANNER_LOCK_WAIT_S`` overrides it.
DEFAULT_WAIT_S = 30.0
WAIT_ENV = "GRIDPLANNER_LOCK_WAIT_S"
#: A lock file younger than this whose content cannot be read yet is being written.
_FRESH_S = 10.0

_held_tokens: set[str] = set()  # locks this process holds (several windows may run)
_held_guard = threading.Lock()


def this_host() -> str:
    """Return the name of this machine as lock files record it."""
    return socket.gethostname() or "localhost"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some service environments
        return "unknown user"


@dataclass(frozen=True)
class LockHolder:
    """Who holds a project lock.

    Parameters
    ----------
    host
        Machine name of the holder.
    pid
        Process id of the holder on that machine.
    user
        Login name of the holder.
    program
        What holds it, e.g. ``GridPlanner app`` or ``gridplanner scenario create``.
    since
        When the lock was taken (seconds since the epoch).
    token
        Random id of this lock, to tell one holder's lock from another's.
    """

    host: str
    pid: int
    user: str
    program: str
    since: float
    token: str

    def describe(self) -> str:
        """One line for messages: program, user, host, process and since when."""
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.since))
        return (f"{self.program} of user {self.user} on {self.host} "
                f"(process {self.pid}, since {when})")

    def to_json(self) -> str:
        """Return the text stored in the lock file."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> LockHolder | None:
        """Parse a lock file's text; None when it is not a lock holder record."""
        try:
            doc = json.loads(text)
            holder = cls(host=str(doc["host"]), pid=int(doc["pid"]), user=str(doc["user"]),
                         program=str(doc["program"]), since=float(doc["since"]),
                         token=str(doc["token"]))
        except (ValueError, TypeError, KeyError, RecursionError):
            return None
        return holder


class ProjectLockedError(ProjectError):
    """Another program holds the project's lock; ``holder`` says who (None: unreadable)."""

    def __init__(self, path: Path, lock_file: Path, holder: LockHolder | None) -> None:
        self.holder = holder
        self.lock_file = lock_file
        if holder is None:
            who = "another program (its lock file is being written or cannot be read)"
        else:
            who = holder.describe()
        message = (f"{path}: the project is open for changes in {who}; close it there "
                   "(or let that command finish) and try again")
        if holder is not None and holder.host != this_host():
            message += (f"; if GridPlanner no longer runs on {holder.host}, delete the "
                        f"lock file {lock_file}")
        elif holder is None:
            message += f"; if no GridPlanner runs, delete the lock file {lock_file}"
        super().__init__(message)


class LockUnavailableError(ProjectError):
    """No lock file can be made beside the project (a read-only folder, for example)."""


def lock_file_for(path: str | Path) -> Path:
    """Return the lock file of the project at ``path`` (``.NAME.gpkg.lock`` beside it)."""
    target = _real(Path(path))
    return target.with_name(f".{target.name}.lock")


def read_holder(path: str | Path) -> LockHolder | None:
    """Return who holds the lock of the project at ``path`` (None when nobody does).

    A stale lock (its holder gone) still names its last holder; use
    :meth:`ProjectLock.acquire` to find out whether it is free.
    """
    try:
        text = _read_lock_text(lock_file_for(path))
    except (OSError, LockUnavailableError):
        return None
    return LockHolder.from_json(text)


def lock_wait_s() -> float:
    """How long the command line waits for a busy lock (``GRIDPLANNER_LOCK_WAIT_S``)."""
    text = os.environ.get(WAIT_ENV, "")
    try:
        value = float(text) if text.strip() else DEFAULT_WAIT_S
    except ValueError:
        return DEFAULT_WAIT_S
    return DEFAULT_WAIT_S if math.isnan(value) else max(value, 0.0)


def _real(path: Path) -> Path:
    # The lock goes beside the real file, so every name of one file shares one lock.
    return Path(os.path.realpath(path))


class ProjectLock:
    """The write lock of one project file.

    Parameters
    ----------
    path
        The project file (it need not exist yet: a lock may guard a first save).
    program
        Shown to others who find the project locked.
    """

    def __init__(self, path: str | Path, *, program: str = "GridPlanner") -> None:
        self.path = _real(Path(path))
        self.file = lock_file_for(self.path)
        self.program = program
        self.holder: LockHolder | None = None
        self._fd: int | None = None

    def __repr__(self) -> str:
        return f"ProjectLock({str(self.path)!r}, held={self.held})"

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self, *, wait_s: float = 0.0, poll_s: float = 0.1,
                on_wait: Callable[[ProjectLockedError], None] | None = None) -> ProjectLock:
        """Take the lock, waiting up to ``wait_s`` seconds for another holder.

        Parameters
        ----------
        wait_s
            How long to keep trying while another live holder has it.
        poll_s
            Pause between tries.
        on_wait
            Called once, with the error naming the holder, when a wait begins.

        Returns
        -------
        ProjectLock
            This lock, now held.

        Raises
        ------
        ProjectLockedError
            Another live holder kept it for the whole wait.
        LockUnavailableError
            The lock file cannot be created (read-only folder, missing folder).
        """
        if self.held:
            return self
        deadline = time.monotonic() + max(wait_s, 0.0)
        told = False
        while True:
            try:
                self._try_acquire()
            except ProjectLockedError as exc:
                if time.monotonic() >= deadline:
                    raise
                if on_wait is not None and not told:
                    on_wait(exc)
                    told = True
                time.sleep(max(min(poll_s, deadline - time.monotonic()), 0.0))
            else:
                return self

    def release(self) -> None:
        """Give the lock up (removing the lock file if it is still this lock's)."""
        fd, holder = self._fd, self.holder
        if fd is None or holder is None:
            return
        self._fd = None
        self.holder = None
        with _held_guard:
            _held_tokens.discard(holder.token)
        mine = self._file_is(holder.token, fd)
        if os.name == "nt":  # an open file cannot be deleted there
            os.close(fd)
        if mine:
            with contextlib.suppress(OSError):
                self.file.unlink()
        if os.name != "nt":
            os.close(fd)  # closing drops the flock last, after the file is gone

    def still_held(self) -> bool:
        """Return True when the lock file on disk is still this lock's (not removed or taken)."""
        return self._fd is not None and self.holder is not None and \
            self._file_is(self.holder.token, self._fd)

    def __enter__(self) -> ProjectLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.release()

    # ----------------------------------------------------------- internals
    def _try_acquire(self) -> None:
        for _attempt in range(20):  # each round either wins, meets a live holder or clears
            try:
                fd = os.open(self.file, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._clear_if_stale()
                continue
            except OSError as exc:
                raise LockUnavailableError(
                    f"{self.path}: cannot create the lock file {self.file} ({exc.strerror}); "
                    "save the project in a folder you can write to") from exc
            if _flock(fd) is False:  # someone judging the empty new file: try again
                os.close(fd)
                continue
            holder = LockHolder(host=this_host(), pid=os.getpid(), user=_user(),
                                program=self.program, since=time.time(),
                                token=uuid.uuid4().hex)
            try:
                os.write(fd, holder.to_json().encode("utf-8"))
                os.fsync(fd)
            except OSError as exc:
                os.close(fd)
                with contextlib.suppress(OSError):
                    self.file.unlink()
                raise LockUnavailableError(
                    f"{self.path}: cannot write the lock file {self.file} ({exc.strerror})"
                ) from exc
            with _held_guard:
                _held_tokens.add(holder.token)
            self._fd = fd
            self.holder = holder
            return
        raise ProjectLockedError(self.path, self.file, read_holder(self.path))

    def _clear_if_stale(self) -> None:
        """Remove the lock file when its holder is gone; raise when it is alive."""
        try:
            fd = _open_lock_file(self.file, self.path)
        except FileNotFoundError:
            return
        except OSError as exc:  # e.g. the holder keeps it open on Windows
            raise ProjectLockedError(self.path, self.file, read_holder(self.path)) from exc
        try:
            text = _read_all(fd)
            holder = LockHolder.from_json(text)
            if holder is None:
                age = time.time() - os.fstat(fd).st_mtime
                if age < _FRESH_S:  # being written right now
                    raise ProjectLockedError(self.path, self.file, None)
                flocked = _flock(fd)
                if flocked is False:
                    raise ProjectLockedError(self.path, self.file, None)
            else:
                flocked = self._holder_gone(holder, fd)
            if flocked:
                self._unlink_if_same(fd)
            else:
                self._move_aside(text)
        finally:
            os.close(fd)

    def _holder_gone(self, holder: LockHolder, fd: int) -> bool:
        """Raise when ``holder`` is alive; else return whether we hold its flock now."""
        if holder.host != this_host():
            raise ProjectLockedError(self.path, self.file, holder)
        if holder.pid == os.getpid():
            with _held_guard:
                alive = holder.token in _held_tokens
            if alive:  # another window of this very process
                raise ProjectLockedError(self.path, self.file, holder)
            gone = True  # left by an earlier process that had our process id
        else:
            gone = not pid_alive(holder.pid)
        flocked = _flock(fd)
        if flocked is True:
            return True  # its flock died with the holder (even if the pid was reused)
        if not gone or (flocked is False and holder.pid == os.getpid()):
            raise ProjectLockedError(self.path, self.file, holder)
        return False

    def _unlink_if_same(self, fd: int) -> None:
        # We hold the stale file's flock: nobody else can judge it meanwhile. Remove it
        # only if the name still points at that very file.
        try:
            now = os.stat(self.file)
        except FileNotFoundError:
            return
        then = os.fstat(fd)
        if (now.st_dev, now.st_ino) == (then.st_dev, then.st_ino):
            with contextlib.suppress(FileNotFoundError):
                self.file.unlink()

    def _move_aside(self, judged: str) -> None:
        # Without flock: move the file away, check it is the one judged stale, and put
        # it back if another process replaced it meanwhile.
        aside = self.file.with_name(f"{self.file.name}.stale-{os.getpid()}-{uuid.uuid4().hex}")
        try:
            os.rename(self.file, aside)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ProjectLockedError(self.path, self.file, read_holder(self.path)) from exc
        try:
            moved = _read_lock_text(aside)
        except (OSError, LockUnavailableError):
            moved = ""
        if moved != judged:
            with contextlib.suppress(OSError):
                os.link(aside, self.file)
            aside.unlink(missing_ok=True)
            raise ProjectLockedError(self.path, self.file, LockHolder.from_json(moved))
        aside.unlink(missing_ok=True)

    def _file_is(self, token: str, fd: int) -> bool:
        try:
            now = os.stat(self.file)
            text = _read_lock_text(self.file)
        except (OSError, LockUnavailableError):
            return False
        holder = LockHolder.from_json(text)
        if holder is None or holder.token != token:
            return False
        if os.name == "nt":
            return True
        then = os.fstat(fd)
        return (now.st_dev, now.st_ino) == (then.st_dev, then.st_ino)


def _open_lock_file(file: Path, project: Path) -> int:
    """Open the lock file for reading without waiting; refuse what is not a regular file.

    Something else put in its place (a named pipe would block every open of the
    project, a link to a device would never end) is reported, not removed.

    Raises
    ------
    OSError
        When it cannot be opened (FileNotFoundError when it is gone).
    LockUnavailableError
        When it is a pipe, a device, a socket or a folder.
    """
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode):
        return fd
    os.close(fd)
    kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device")
    raise LockUnavailableError(
        f"{project}: its lock file {file} is {kind}, not a lock file GridPlanner wrote; "
        "remove it, then open the project again")


def _read_lock_text(file: Path) -> str:
    """Return the text of a lock file (at most 64 kB), never blocking on a pipe."""
    fd = _open_lock_file(file, file)
    try:
        return _read_all(fd)
    finally:
        os.close(fd)


def _read_all(fd: int, limit: int = 65536) -> str:
    chunks = []
    total = 0
    while total < limit:
        chunk = os.read(fd, limit - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _flock(fd: int) -> bool | None:
    """Try a non-blocking exclusive flock: True got it, False busy, None unsupported."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # file systems without flock (some network mounts)
        return None
    return True


def pid_alive(pid: int) -> bool:
    """Return True when a process with id ``pid`` runs on this machine.

    Never signals the process (on Windows ``os.kill`` would end it).
    """
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, run by another user
    except OSError:
        return False
    return True


def _pid_alive_windows(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32: Any = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    process_query_limited_information = 0x1000
    still_active = 259
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
