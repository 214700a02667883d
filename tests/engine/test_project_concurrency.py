"""Saves and reads at the same time, and saves killed at any moment.

A marker ties the tables of one save together: the ``generation`` setting, the
``name`` of every grid and the number of households all say which save wrote them.
An open that mixes two saves shows two different markers.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gridplanner.project import open_project, save_project

ROOT = Path(__file__).parents[2]

_MAKE = """
import sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
from test_project import _tiny_project

def make(generation):
    project = _tiny_project(n_households=20 + generation % 7)
    grids = project.layers["grids"]
    project.layers["grids"] = grids.assign(name="gen-" + str(generation))
    project.settings["generation"] = generation
    return project
"""


def _make_code() -> str:
    return _MAKE.format(root=str(ROOT), tests=str(Path(__file__).parent))


def _marker(path: Path) -> int:
    """Open ``path`` and return its generation, checking every table agrees."""
    project = open_project(path)
    generation = project.settings["generation"]
    names = set(project.layers["grids"]["name"])
    assert names == {f"gen-{generation}"}, (generation, names)
    assert len(project.layers["households"]) == 20 + generation % 7, generation
    return int(generation)


def _make(generation: int):
    namespace: dict = {}
    exec(_make_code(), namespace)
    return namespace["make"](generation)


_WRITER = _make_code() + """
from gridplanner.project import save_project
projects = [make(1), make(2)]
save_project(projects[0], {path!r})
print("ready", flush=True)
i = 0
while True:
    i += 1
    save_project(projects[i % 2], {path!r})
"""


@pytest.mark.parametrize("snapshot", ["hard link", "private copy"])
def test_reads_during_saves_see_one_save(tmp_path, monkeypatch, snapshot):
    if snapshot == "private copy":  # as on drives without hard links (FAT, some shares)
        import gridplanner.project

        def no_links(*_args, **_kwargs):
            raise PermissionError(1, "Operation not permitted")

        monkeypatch.setattr(gridplanner.project.os, "link", no_links)
    path = tmp_path / "p.gpkg"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER.format(path=str(path))],
                            stdout=subprocess.PIPE, text=True)
    seen: list[int] = []
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        for _ in range(60):
            seen.append(_marker(path))
    finally:
        proc.kill()
        proc.wait()
    assert set(seen) == {1, 2}  # the writer really replaced the file under the reader
    assert sorted(p.name for p in tmp_path.iterdir() if "read" in p.name) == []


_ZYGOTE = _make_code() + """
import os
from gridplanner.project import save_project
for line in sys.stdin:
    generation = int(line)
    project = make(generation)  # built before the fork: the child only saves
    pid = os.fork()
    if pid == 0:
        try:
            save_project(project, {path!r})
        finally:
            os._exit(0)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(status, flush=True)
"""


def test_saves_killed_at_random_moments_leave_the_last_or_the_new_save(tmp_path):
    path = tmp_path / "p.gpkg"
    save_project(_make(0), path)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    zygote = subprocess.Popen([sys.executable, "-c", _ZYGOTE.format(path=str(path))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert zygote.stdin is not None
    assert zygote.stdout is not None

    recent: list[float] = []  # how long the last whole saves took

    def save(generation: int, kill_after_s: float | None) -> bool:
        """Fork a save of ``generation``; kill it after the delay; True when it was killed."""
        zygote.stdin.write(f"{generation}\n")
        zygote.stdin.flush()
        t0 = time.monotonic()
        child = int(zygote.stdout.readline())
        if kill_after_s is not None:
            time.sleep(kill_after_s)
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        status = int(zygote.stdout.readline())
        killed = os.WIFSIGNALED(status)
        if not killed:
            recent[:] = [*recent[-4:], time.monotonic() - t0]
        return killed

    try:
        # How long one save takes here, so the kills can be spread over it.
        for generation in (1, 2, 3):
            assert not save(generation, None)
        assert _marker(path) == 3
        last = 3
        rng = random.Random(7)
        kills = 0
        outcomes = {"old": 0, "new": 0}
        generation = last
        while kills < 60:
            generation += 1
            # Kills are spread over one save's time as measured lately: the machine's
            # load changes while the test runs, and a stale, long estimate would mostly
            # kill nothing and make the loop run for many minutes.
            duration = sorted(recent)[len(recent) // 2]
            killed = save(generation, rng.uniform(0.0, 1.1 * duration))
            kills += killed
            found = _marker(path)
            assert found in (last, generation), (found, last, generation)
            if not killed:
                assert found == generation
            outcomes["new" if found == generation else "old"] += 1
            last = found
            leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name != "p.gpkg")
            assert leftovers == [], leftovers  # opening removed the killed save's files
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=60)
    # The kills landed both before and after the moment the new file took over.
    assert outcomes["old"] >= 5, outcomes
    assert outcomes["new"] >= 5, outcomes


def test_snapshots_of_killed_readers_are_removed_at_the_next_open(tmp_path):
    from gridplanner.project import _host_tag

    path = save_project(_make(1), tmp_path / "p.gpkg")
    here = tmp_path / f".p.read-999999999-{_host_tag()}-1.gpkg"  # a reader killed here
    elsewhere = tmp_path / ".p.read-999999999-0badc0de-1.gpkg"  # a reader on another PC
    running = tmp_path / f".p.read-{os.getppid()}-{_host_tag()}-1.gpkg"  # one still reading
    for name in (here, elsewhere, running):
        os.link(path, name)
    assert _marker(path) == 1
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["p.gpkg", elsewhere.name, running.name])


def test_a_link_refused_mid_replace_is_retried(tmp_path, monkeypatch):
    # Linux answers ENOENT when a concurrent os.replace has just unlinked the inode
    # being linked, although the project's name never goes missing.
    import gridplanner.project

    path = tmp_path / "p.gpkg"
    save_project(_make(3), path)
    real_link = os.link
    refusals = iter([True, True])

    def racing_link(src, dst, *args, **kwargs):
        if next(refusals, False):
            raise FileNotFoundError(2, "No such file or directory")
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(gridplanner.project.os, "link", racing_link)
    assert _marker(path) == 3
