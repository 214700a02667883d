"""``gridplanner check`` and ``gridplanner balance`` on the bundled sample."""

from __future__ import annotations

import pyogrio
import pytest

from gridplanner.cli import main


@pytest.fixture(scope="module")
def planted():
    from sample_data.generate import planted_problems

    return planted_problems(scale="sample")


def test_check_finds_planted_problems(sample_project_file, planted, tmp_path, capsys):
    out = tmp_path / "checks.gpkg"
    code = main(["check", str(sample_project_file), "--out", str(out), "--all"])
    text = capsys.readouterr().out
    assert code == 1
    gap_a, gap_b = planted["grid_gap"]
    over_a, over_b = planted["grid_overlap"]
    assert "gap (1):" in text
    assert gap_a in text
    assert gap_b in text
    assert f"grids {over_a} and {over_b} overlap" in text
    for gid in planted["grid_low_households"] + planted["grid_high_households"]:
        assert f"grid {gid} has" in text
    for gid in planted["grid_no_full_time"]:
        assert f"grid {gid} has no full-time worker" in text or (
            f"grid {gid} has no" in text and "full-time worker" in text)
    for gid in planted["grid_no_head"]:
        assert f"grid {gid} has no grid head" in text
    findings = pyogrio.read_dataframe(out, layer="grid_checks")
    assert {"check", "severity", "grid_ids", "message"} <= set(findings.columns)
    assert {"gap", "overlap", "band", "missing_staff"} <= set(findings["check"])


def test_balance_writes_proposal(sample_project_file, tmp_path, capsys):
    out = tmp_path / "proposal.gpkg"
    code = main(["balance", str(sample_project_file), "--community", "330702001001",
                 "--min", "300", "--max", "500", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "330702001001" in text
    assert "written" in text
    grids = pyogrio.read_dataframe(out, layer="grids")
    figures = pyogrio.read_dataframe(out, layer="balance_figures", read_geometry=False)
    assert figures["community_id"].tolist() == ["330702001001"]
    assert int(figures["violations_after"].iloc[0]) == 0
    mine = grids[grids["community_id"] == "330702001001"]
    assert mine["households"].between(300, 500).all()


def test_balance_bad_band_is_a_clean_error(sample_project_file, tmp_path, capsys):
    code = main(["balance", str(sample_project_file), "--min", "600", "--max", "500",
                 "--out", str(tmp_path / "p.gpkg")])
    assert code == 2
    assert "band" in capsys.readouterr().err
