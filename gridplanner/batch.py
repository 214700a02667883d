"""Many districts at once: each project one task on ``dask.distributed``.

Public API
----------
- :func:`run_district` opens one project, runs the chosen analyses through the
  registry (:func:`gridplanner.analyses.run`), writes each result's layers to
  ``OUT/<district>/<analysis>.gpkg`` and returns one summary row. It is what
  every task runs, and needs no Dask.
- :func:`run_batch` sends one :func:`run_district` task per project to a
  ``LocalCluster`` (or an existing scheduler), reports progress as tasks
  finish, and returns the combined summary (one row per district); a district
  that fails is reported in its row without stopping the others.
- :data:`SUMMARY_COLUMNS` names the summary's columns.

Dask is an optional dependency (the ``batch`` extra): it is imported only by
:func:`run_batch`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridplanner.errors import AnalysisError, GridPlannerError
from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _, ngettext

if TYPE_CHECKING:
    import pandas as pd

    from gridplanner.analyses import AnalysisResult

#: Analyses a batch may run, in the order they run.
BATCH_ANALYSES = ("coverage", "allocation", "checks")

#: Registry name of each batch analysis.
_REGISTRY_NAME = {"coverage": "coverage", "allocation": "allocate", "checks": "check"}

#: Coverage figures of the district row (per cent of households, roads and
#: intersections seen by all cameras, by category-1 and by category-2/3 cameras).
_COVERAGE_COLUMNS = tuple(f"{what}_pct_{cat}" for what in ("households", "roads",
                                                           "intersections")
                          for cat in ("all", "cat1", "cat23"))

#: Columns of the combined summary, one row per district.
SUMMARY_COLUMNS = ("district", "project", "status", "error", "household_points",
                   "households", "grids", *_COVERAGE_COLUMNS, "unassigned_households",
                   "findings", "seconds", "outputs")


@dataclass(frozen=True)
class BatchResult:
    """What :func:`run_batch` returns.

    Attributes
    ----------
    summary
        One row per district, in the order the projects were given
        (:data:`SUMMARY_COLUMNS`).
    summary_path
        The summary written as CSV (``OUT/summary.csv``).
    """

    summary: pd.DataFrame
    summary_path: Path

    @property
    def failed(self) -> int:
        """Districts whose run failed."""
        return int((self.summary["status"] != "ok").sum())


def check_analyses(names: Sequence[str]) -> tuple[str, ...]:
    """Return ``names`` in run order, refusing unknown ones.

    Examples
    --------
    >>> check_analyses(["checks", "coverage"])
    ('coverage', 'checks')
    """
    unknown = [n for n in names if n not in BATCH_ANALYSES]
    if unknown:
        raise AnalysisError(_("unknown batch analysis {name!r}: use some of {names}",
                              name=unknown[0], names=", ".join(BATCH_ANALYSES)))
    if not names:
        raise AnalysisError(_("no analysis to run: name some of {names}",
                              names=", ".join(BATCH_ANALYSES)))
    return tuple(n for n in BATCH_ANALYSES if n in names)


def district_names(projects: Sequence[str | Path]) -> list[str]:
    """Name each project by its file's stem, numbered where two stems are the same.

    Examples
    --------
    >>> district_names(["a/x.gpkg", "b/x.gpkg", "y.gpkg"])
    ['x', 'x-2', 'y']
    """
    seen: dict[str, int] = {}
    names = []
    for p in projects:
        stem = Path(p).stem
        seen[stem] = seen.get(stem, 0) + 1
        names.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return names


def run_district(
    project_path: str | Path,
    out_dir: str | Path,
    *,
    name: str = "",
    analyses: Sequence[str] = BATCH_ANALYSES,
    feedback: Feedback | None = None,
) -> dict[str, Any]:
    """Run ``analyses`` on one project and return its summary row.

    Each result's layers go to ``out_dir/<name>/<analysis>.gpkg`` and the
    printable summaries to ``out_dir/<name>/summary.txt``. Errors the user can
    act on (a damaged project, a missing layer) give a row with ``status``
    ``"failed"`` and the message in ``error``; nothing is raised for them.

    Examples
    --------
    >>> import tempfile
    >>> row = run_district("no/such.gpkg", tempfile.mkdtemp(), analyses=["checks"])
    >>> row["status"], "file not found" in row["error"]
    ('failed', True)
    """
    start = time.perf_counter()
    name = name or Path(project_path).stem
    row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS)
    row.update(district=name, project=str(project_path), status="ok", error="")
    try:
        _fill_row(row, project_path, Path(out_dir) / name, check_analyses(analyses), feedback)
    except GridPlannerError as exc:
        row.update(status="failed", error=exc.message)
    row["seconds"] = round(time.perf_counter() - start, 2)
    return row


def _fill_row(row: dict[str, Any], project_path: str | Path, out: Path,
              names: tuple[str, ...], feedback: Feedback | None) -> None:
    from gridplanner.analyses import run
    from gridplanner.context import AnalysisContext
    from gridplanner.project import open_project

    project = open_project(project_path)
    ctx = AnalysisContext.of(project)
    weights = ctx.household_weights()
    row.update(household_points=len(weights), households=int(weights.sum()),
               grids=len(ctx.layer("grids")))
    out.mkdir(parents=True, exist_ok=True)
    summaries, outputs = [], []
    for i, batch_name in enumerate(names):
        report(feedback, i / len(names), batch_name)
        result = run(_REGISTRY_NAME[batch_name], ctx, feedback=None)
        summaries.append(f"== {batch_name}\n{result.summary}\n")
        outputs.append(str(_write(result, out / f"{batch_name}.gpkg")))
        _figures(row, batch_name, result)
    from gridplanner.export.files import atomic_file

    with atomic_file(out / "summary.txt") as tmp:
        tmp.write_text("\n".join(summaries), encoding="utf-8")
    row["outputs"] = ";".join(outputs)
    report(feedback, 1.0, "done")


def _figures(row: dict[str, Any], batch_name: str, result: AnalysisResult) -> None:
    """Copy the district figures of one analysis into its summary row."""
    if batch_name == "coverage":
        district = result.value.district.iloc[0]
        row.update({c: round(float(district[c]), 2) for c in _COVERAGE_COLUMNS
                    if c in district.index})
    elif batch_name == "allocation":
        row["unassigned_households"] = int(result.value.totals.unassigned_households)
    elif batch_name == "checks":
        row["findings"] = sum(len(f) for f in result.layers.values())


def _write(result: AnalysisResult, path: Path) -> Path:
    from gridplanner.export.results import write_geopackage

    return write_geopackage(dict(result.layers), path,
                            geometry_types=dict(result.geometry_types))


def run_batch(
    projects: Sequence[str | Path],
    out_dir: str | Path,
    *,
    analyses: Sequence[str] = BATCH_ANALYSES,
    scheduler: str | None = None,
    workers: int = 2,
    processes: bool = True,
    feedback: Feedback | None = None,
) -> BatchResult:
    """Run every project as one task on ``dask.distributed``; return the combined summary.

    Parameters
    ----------
    projects
        Project files, one per district.
    out_dir
        Folder for the per-district outputs and ``summary.csv``.
    analyses
        Some of :data:`BATCH_ANALYSES`.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); the workers
        must reach the project files and ``out_dir`` at the same paths. Without
        it, a ``LocalCluster`` of ``workers`` workers (one thread each) runs here.
    workers
        Workers of the local cluster.
    processes
        Local workers as processes (else threads of this process).
    feedback
        Progress as tasks finish (the message names the district and how it went).

    Raises
    ------
    AnalysisError
        When Dask is not installed, the scheduler cannot be reached, or an
        analysis name is unknown.
    """
    import pandas as pd

    from gridplanner.export.tables import write_csv

    names = check_analyses(analyses)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    labels = district_names(projects)
    client, cluster = _client(scheduler, workers, processes)
    rows: dict[int, dict[str, Any]] = {}
    try:
        from distributed import as_completed

        futures = {client.submit(run_district, str(Path(p).resolve()), str(out.resolve()),
                                 name=label, analyses=names, key=f"district-{i}-{label}",
                                 pure=False): i
                   for i, (p, label) in enumerate(zip(projects, labels, strict=True))}
        report(feedback, 0.0, _("{n} districts on {workers}", n=len(futures),
                                workers=_describe(client)))
        for done, future in enumerate(as_completed(futures), start=1):
            i = futures[future]
            rows[i] = _row_of(future, str(projects[i]), labels[i])
            status = _("ok") if rows[i]["status"] == "ok" else _("failed")
            report(feedback, done / len(futures),
                   f"{labels[i]}: {status}" + (f" ({rows[i]['error']})" if rows[i]["error"]
                                               else ""))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    summary = pd.DataFrame([rows[i] for i in range(len(projects))], columns=SUMMARY_COLUMNS)
    # District names and error texts come from file names and messages: the one
    # table writer keeps formula-like text as text for spreadsheets.
    path = write_csv(summary, out / "summary.csv", name="batch_summary")
    return BatchResult(summary=summary, summary_path=path)


def _row_of(future: Any, project: str, label: str) -> dict[str, Any]:
    """Return the task's row; a task that crashed gives a failed row naming the error."""
    exc = future.exception()
    if exc is None:
        row: dict[str, Any] = future.result()
        return row
    row = dict.fromkeys(SUMMARY_COLUMNS)
    row.update(district=label, project=project, status="failed",
               error=_("unexpected failure: {error}", error=f"{type(exc).__name__}: {exc}"))
    return row


def _client(scheduler: str | None, workers: int, processes: bool) -> tuple[Any, Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise AnalysisError(_("batch runs need Dask: install it with "
                              "pip install 'gridplanner[batch]'")) from exc
    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError) as exc:
            raise AnalysisError(_("cannot reach the Dask scheduler at {address}: {error}; "
                                  "check the address and that the scheduler runs",
                                  address=scheduler, error=exc)) from exc
    if workers < 1:
        raise AnalysisError(_("--workers {n}: give at least 1", n=workers))
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                           dashboard_address=None)
    return Client(cluster), cluster


def _describe(client: Any) -> str:
    n = len(client.scheduler_info().get("workers", {}))
    return ngettext("{n} Dask worker", "{n} Dask workers", n)
