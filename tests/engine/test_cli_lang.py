"""``--lang`` on every command, the project's language setting, and the locale default."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gridplanner.cli import build_parser, main
from gridplanner.i18n import catalogue, current_language, set_language
from gridplanner.project import Project, save_project
from gridplanner.text import ERROR_PATTERNS, PROBLEM_PATTERNS, error_message, problem_message


@pytest.fixture(autouse=True)
def english_after():
    yield
    set_language("en")


@pytest.fixture
def project_file(tmp_path):
    grids = gpd.GeoDataFrame({"grid_id": ["G1", "G2"], "community_id": ["", ""]},
                             geometry=[shapely.box(0, 0, 100, 100),
                                       shapely.box(90, 0, 200, 100)], crs=4549)
    path = tmp_path / "p.gpkg"
    save_project(Project(layers={"grids": grids}), path)
    return path


def _all_parsers(parser):
    yield parser
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for sub in action.choices.values():
                yield from _all_parsers(sub)


def test_every_command_takes_lang():
    missing = [p.prog for p in _all_parsers(build_parser())
               if not any("--lang" in a.option_strings for a in p._actions)]
    assert missing == []


@pytest.mark.parametrize("where", ["before", "after"])
def test_lang_before_or_after_the_command(project_file, capsys, where, monkeypatch):
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    args = ["check", str(project_file)]
    args = ["--lang", "zh_CN", *args] if where == "before" else [*args, "--lang", "zh-CN"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "网格 G1 与 G2 重叠 1,000 m²" in out
    assert "overlap" not in out


def test_the_locale_decides_without_lang(project_file, capsys, monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    main(["check", str(project_file)])
    assert "重叠" in capsys.readouterr().out
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    main(["check", str(project_file)])
    assert "overlap by" in capsys.readouterr().out


def test_the_project_setting_overrides_the_locale_and_lang_overrides_both(
        project_file, capsys, monkeypatch):
    from gridplanner.project import open_project

    project = open_project(project_file)
    project.settings["language"] = "zh_CN"
    save_project(project)
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    main(["check", str(project_file)])
    assert "重叠" in capsys.readouterr().out
    assert current_language() == "zh_CN"
    main(["check", str(project_file), "--lang", "en"])
    out = capsys.readouterr().out
    assert "overlap by" in out
    assert "重叠" not in out


def test_a_bad_language_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit):
        main(["--lang", "fr", "info", "x.gpkg"])
    assert "choose zh_CN or en" in capsys.readouterr().err


def test_errors_are_printed_in_the_language(tmp_path, capsys):
    assert main(["--lang", "zh_CN", "info", str(tmp_path / "none.gpkg")]) == 2
    assert "错误：" in capsys.readouterr().err
    assert main(["--lang", "zh_CN", "place", str(tmp_path / "p.gpkg"), "-n", "0",
                 "--out", str(tmp_path / "o.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "超出范围" in err
    assert "out of range" not in err


def test_reader_errors_and_input_problems_are_translated():
    set_language("zh_CN")
    assert error_message("/x/a.csv: file not found") == "/x/a.csv：找不到文件"
    assert problem_message("value above 360") == "取值大于 360"
    assert problem_message("duplicate id") == "编号重复"
    assert problem_message("an unknown message") == "an unknown message"
    set_language("en")
    assert error_message("/x/a.csv: file not found") == "/x/a.csv: file not found"


def test_texts_looked_up_by_code_have_chinese():
    """Texts chosen at run time (check names, severities, patterns ...) are in the catalogue."""
    from gridplanner.grids.checks import CHECK_ORDER
    from gridplanner.i18n.scan import scan_sources  # noqa: F401 (the static scan's partner)

    zh = catalogue("zh_CN")
    wanted = [("check", c) for c in CHECK_ORDER]
    wanted += [("severity", s) for s in ("error", "warning", "info")]
    wanted += [("kind", k) for k in ("urban", "rural", "special")]
    wanted += [("site source", s) for s in ("intersection", "road", "candidate")]
    wanted += [("problem", m) for _p, m in PROBLEM_PATTERNS]
    wanted += [("error", m) for _p, m in ERROR_PATTERNS]
    wanted += [("geometry", g) for g in ("Point", "LineString", "Polygon", "MultiPolygon")]
    wanted += [("sheet", s) for s in (
        "figures", "grids", "changed grids", "changed staff", "notes", "grid_figures",
        "grid_findings", "grid_coverage", "coverage_gaps", "uncovered_households",
        "uncovered_intersections", "uncovered_roads", "camera_issues",
        "household_assignments", "staff_load", "unassigned_households", "staff_areas",
        "scenario_figures")]
    missing = [(c, m) for c, m in wanted if zh.lookup(m, context=c) is None]
    assert missing == []
