"""The project lock: one writer at a time, stale locks taken over, holders named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gridplanner.locking import (
    LockHolder,
    LockUnavailableError,
    ProjectLock,
    ProjectLockedError,
    lock_file_for,
    read_holder,
    this_host,
)

ROOT = Path(__file__).parents[2]


def _write_lock(project: Path, **fields) -> Path:
    doc = {"host": this_host(), "pid": 999_999_999, "user": "someone", "program": "old app",
           "since": time.time() - 3600, "token": "t0"}
    doc.update(fields)
    lock = lock_file_for(project)
    lock.write_text(json.dumps(doc), encoding="utf-8")
    return lock


def test_second_holder_is_refused_with_holder_named(tmp_path):
    project = tmp_path / "p.gpkg"
    first = ProjectLock(project, program="GridPlanner app").acquire()
    assert first.held
    assert lock_file_for(project).exists()
    holder = read_holder(project)
    assert holder is not None
    assert (holder.host, holder.pid, holder.program) == (this_host(), os.getpid(),
                                                         "GridPlanner app")
    with pytest.raises(ProjectLockedError) as err:
        ProjectLock(project, program="gridplanner scenario create").acquire()
    assert err.value.holder == holder
    message = err.value.message
    assert str(project) in message
    assert f"process {os.getpid()}" in message
    assert this_host() in message
    first.release()
    assert not lock_file_for(project).exists()
    with ProjectLock(project) as second:
        assert second.held
    assert not lock_file_for(project).exists()


def test_lock_of_a_killed_process_is_taken_over(tmp_path):
    project = tmp_path / "p.gpkg"
    code = (f"import sys, time\nsys.path.insert(0, {str(ROOT)!r})\n"
            "from gridplanner.locking import ProjectLock\n"
            f"lock = ProjectLock({str(project)!r}, program='doomed').acquire()\n"
            "print('held', flush=True)\ntime.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(ProjectLockedError, match="doomed"):
            ProjectLock(project).acquire()
        proc.kill()
    finally:
        proc.wait()
    assert read_holder(project).program == "doomed"  # left behind by the kill
    lock = ProjectLock(project, program="next").acquire()
    assert read_holder(project).program == "next"
    lock.release()


def test_dead_pid_lock_is_stale_and_live_foreign_pid_without_flock_is_stale_too(tmp_path):
    project = tmp_path / "p.gpkg"
    _write_lock(project, pid=999_999_999)  # no such process
    with ProjectLock(project, program="me"):
        assert read_holder(project).program == "me"
    # A live process id that holds no flock: the id was recycled after a crash.
    _write_lock(project, pid=os.getppid())
    with ProjectLock(project, program="me"):
        assert read_holder(project).program == "me"


def test_lock_left_by_an_earlier_process_with_our_pid_is_stale(tmp_path):
    project = tmp_path / "p.gpkg"
    _write_lock(project, pid=os.getpid(), token="from-an-earlier-run")
    with ProjectLock(project, program="me"):
        assert read_holder(project).program == "me"


def test_lock_of_another_host_is_never_taken_over(tmp_path):
    project = tmp_path / "p.gpkg"
    lock_file = _write_lock(project, host="planning-pc-7", pid=1234)
    with pytest.raises(ProjectLockedError) as err:
        ProjectLock(project).acquire()
    message = err.value.message
    assert "planning-pc-7" in message
    assert "process 1234" in message
    assert str(lock_file) in message  # what to delete if that machine is done
    assert lock_file.exists()


def test_unreadable_lock_file_waits_while_fresh_and_is_cleared_when_old(tmp_path):
    project = tmp_path / "p.gpkg"
    lock_file = lock_file_for(project)
    lock_file.write_text("{half a reco", encoding="utf-8")
    with pytest.raises(ProjectLockedError, match="cannot be read"):
        ProjectLock(project).acquire()
    old = time.time() - 120
    os.utime(lock_file, (old, old))
    with ProjectLock(project, program="me"):
        assert read_holder(project).program == "me"


def test_waiting_for_a_busy_lock_then_getting_it(tmp_path):
    project = tmp_path / "p.gpkg"
    first = ProjectLock(project, program="first").acquire()
    seen: list[LockHolder | None] = []
    timer = threading.Timer(0.5, first.release)
    timer.start()
    try:
        t0 = time.monotonic()
        second = ProjectLock(project, program="second").acquire(
            wait_s=20, poll_s=0.05, on_wait=lambda exc: seen.append(exc.holder))
        waited = time.monotonic() - t0
    finally:
        timer.join()
    assert second.held
    assert 0.3 < waited < 10
    assert [h.program for h in seen if h is not None] == ["first"]
    second.release()


def test_waiting_gives_up_after_the_wait(tmp_path):
    project = tmp_path / "p.gpkg"
    with ProjectLock(project, program="first"):
        t0 = time.monotonic()
        with pytest.raises(ProjectLockedError, match="first"):
            ProjectLock(project).acquire(wait_s=0.4, poll_s=0.05)
        assert 0.35 < time.monotonic() - t0 < 5


def test_release_leaves_a_lock_that_is_not_ours(tmp_path):
    project = tmp_path / "p.gpkg"
    first = ProjectLock(project).acquire()
    lock_file_for(project).unlink()  # removed by hand while held
    assert not first.still_held()
    second = ProjectLock(project, program="second").acquire()
    first.release()
    assert read_holder(project).program == "second"
    assert second.still_held()
    second.release()


def test_folder_that_does_not_exist_cannot_be_locked(tmp_path):
    with pytest.raises(LockUnavailableError, match="lock file"):
        ProjectLock(tmp_path / "missing" / "p.gpkg").acquire()


def test_symlinked_names_share_one_lock(tmp_path):
    project = tmp_path / "p.gpkg"
    project.write_bytes(b"")
    alias = tmp_path / "alias.gpkg"
    alias.symlink_to(project)
    with ProjectLock(project), pytest.raises(ProjectLockedError):
        ProjectLock(alias).acquire()


_COUNTER = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from gridplanner.locking import ProjectLock
counter = Path({counter!r})
for _ in range({rounds}):
    with ProjectLock({project!r}, program="counter").acquire(wait_s=60, poll_s=0.001):
        value = int(counter.read_text())
        time.sleep(0.001)
        counter.write_text(str(value + 1))
"""


def test_processes_taking_turns_never_lose_an_increment(tmp_path):
    project = tmp_path / "p.gpkg"
    counter = tmp_path / "counter.txt"
    counter.write_text("0")
    _write_lock(project, pid=999_999_999)  # start from a stale lock, as after a crash
    code = _COUNTER.format(root=str(ROOT), counter=str(counter), rounds=40,
                           project=str(project))
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(4)]
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [0, 0, 0, 0]
    assert int(counter.read_text()) == 160
    assert not lock_file_for(project).exists()


def _returns_soon(call, fifo: Path):
    """Run ``call`` in a thread; fail (after letting a blocked reader go) if it blocks."""
    outcome: list[object] = []

    def run():
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():  # opening the pipe for writing lets the stuck reader return
        for _ in range(3):
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                break
        worker.join(30)
        pytest.fail("reading the lock file blocked")
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_or_device_in_place_of_the_lock_file_is_refused_at_once(tmp_path):
    project = tmp_path / "p.gpkg"
    project.write_bytes(b"x")
    lock = lock_file_for(project)
    os.mkfifo(lock)
    assert _returns_soon(lambda: read_holder(project), lock) is None
    error = _returns_soon(lambda: ProjectLock(project, program="app").acquire(wait_s=0), lock)
    assert isinstance(error, LockUnavailableError), error
    assert "named pipe" in str(error)
    assert str(lock) in str(error)
    assert lock.exists()  # not ours to remove: the message says what to do
    lock.unlink()
    lock.symlink_to("/dev/zero")
    error = _returns_soon(lambda: ProjectLock(project, program="app").acquire(wait_s=0), lock)
    assert isinstance(error, LockUnavailableError), error
    assert "device" in str(error)
