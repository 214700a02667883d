"""Many districts on a Dask LocalCluster give the figures of single-process runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gridplanner.analyses import run
from gridplanner.batch import SUMMARY_COLUMNS, check_analyses, run_batch, run_district
from gridplanner.cli import main
from gridplanner.context import AnalysisContext
from gridplanner.errors import AnalysisError
from gridplanner.project import open_project
from sample_data.generate import generate_district, write_layers

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def districts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("districts")
    paths = []
    for seed in (1, 2):
        path = folder / f"district{seed}.gpkg"
        write_layers(generate_district(scale="sample", seed=seed), path)
        paths.append(path)
    bad = folder / "broken.gpkg"
    bad.write_text("not a GeoPackage")
    return [*paths, bad]


def _single_process(path: Path) -> dict[str, float]:
    ctx = AnalysisContext.of(open_project(path))
    district = run("coverage", ctx).value.district.iloc[0]
    return {
        "households": int(ctx.household_weights().sum()),
        "household_points": len(ctx.layer("households")),
        "grids": len(ctx.layer("grids")),
        "households_pct_all": round(float(district["households_pct_all"]), 2),
        "roads_pct_cat1": round(float(district["roads_pct_cat1"]), 2),
        "unassigned_households": run("allocate", ctx).value.totals.unassigned_households,
        "findings": len(run("check", ctx).layers["grid_checks"]),
    }


def test_batch_on_two_workers_equals_single_process_runs(districts, tmp_path):
    messages: list[str] = []

    class Progress:
        def set_progress(self, fraction: float, message: str) -> None:
            messages.append(message)

        def is_cancelled(self) -> bool:
            return False

    result = run_batch(districts, tmp_path / "out", workers=2, processes=False,
                       feedback=Progress())
    table = result.summary
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert table["district"].tolist() == ["district1", "district2", "broken"]
    assert table["status"].tolist() == ["ok", "ok", "failed"]
    assert result.failed == 1
    assert "broken.gpkg" in table.loc[2, "error"]
    for i, path in enumerate(districts[:2]):
        expected = _single_process(path)
        got = {k: table.loc[i, k] for k in expected}
        assert got == expected
        for name in ("coverage", "allocation", "checks"):
            assert (tmp_path / "out" / path.stem / f"{name}.gpkg").is_file()
    # Progress as each task finishes, naming the district and how it went.
    assert any(m.startswith("broken: failed") for m in messages)
    assert sum(m.endswith(": ok") for m in messages) == 2
    saved = pd.read_csv(result.summary_path, encoding="utf-8-sig")
    assert saved["households"].tolist()[:2] == table["households"].tolist()[:2]


def test_run_district_reports_a_broken_project_without_raising(districts, tmp_path):
    row = run_district(districts[2], tmp_path, analyses=["checks"])
    assert row["status"] == "failed"
    assert row["error"]


def test_batch_analyses_are_checked():
    assert check_analyses(["checks", "coverage"]) == ("coverage", "checks")
    with pytest.raises(AnalysisError, match="unknown batch analysis 'placement'"):
        check_analyses(["placement"])


def test_batch_command_line(districts, tmp_path, capsys):
    code = main(["batch", str(districts[0]), str(districts[2]), "--out", str(tmp_path),
                 "--analyses", "checks", "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 1  # one district failed
    assert "district1" in out
    assert "broken: failed" in out
    assert (tmp_path / "summary.csv").is_file()


def test_a_failed_summary_write_keeps_the_old_summary_and_fails_the_row(districts, tmp_path,
                                                                        monkeypatch):
    name = districts[0].stem
    folder = tmp_path / name
    folder.mkdir()
    (folder / "summary.txt").write_text("an earlier run", encoding="utf-8")
    real = Path.write_text

    def half_then_fail(self, text, *args, **kwargs):
        real(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    row = run_district(districts[0], tmp_path, analyses=["checks"])
    assert row["status"] == "failed"
    assert "summary.txt" in row["error"]
    assert (folder / "summary.txt").read_text(encoding="utf-8") == "an earlier run"
    assert sorted(p.name for p in folder.iterdir()) == ["checks.gpkg", "summary.txt"]
