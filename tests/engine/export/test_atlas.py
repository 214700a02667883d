"""The PDF atlas: pages, searchable Chinese text, no English in zh_CN, pages not blank."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.image import imread

from gridplanner.cli import main
from gridplanner.export.atlas import (
    INDEX_ROWS,
    _with_checks,
    _with_staff,
    _with_walk_p95,
    export_atlas,
)
from gridplanner.export.files import ExportError
from gridplanner.feedback import RecordingFeedback
from gridplanner.project import Project, open_project
from layers.validate import validate

CRS = "EPSG:4549"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="needs poppler-utils (scripts/install-system-deps.sh)")


def pdf_text(path: Path, *pages: int) -> str:
    args = ["pdftotext", "-q", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def render_page(path: Path, page: int, out: Path) -> np.ndarray:
    subprocess.run(["pdftoppm", "-q", "-r", "40", "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(path), str(out)], check=True)
    return imread(out.with_suffix(".png"))


def english_words(text: str, *, allowed: set[str]) -> set[str]:
    """Latin words of the text that are neither codes (with digits), units nor allowed."""
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*", text))
    return {w for w in words if not re.search(r"\d", w) and w not in allowed}


# ------------------------------------------------------------------ the sample, end to end


@pytest.fixture(scope="module")
def sample_atlas(sample_project_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas") / "atlas.pdf"
    code = main(["export-atlas", str(sample_project_file), "--out", str(out), "--lang",
                 "zh_CN"])
    assert code == 0
    project = open_project(sample_project_file)
    return out, project


def test_one_page_per_grid_plus_cover_and_index(sample_atlas):
    out, project = sample_atlas
    n = len(project.layer("grids"))
    assert n <= INDEX_ROWS  # the sample's index fits one page
    assert page_count(out) == n + 2


def test_every_grid_code_and_the_chinese_headings_are_searchable(sample_atlas):
    out, project = sample_atlas
    text = pdf_text(out)
    for heading in ("网格图集", "辖区主要指标", "网格索引", "主要指标", "图例", "住户视频覆盖率",
                    "路口视频覆盖率", "人员配置 1+1+1+X", "步行距离", "检查结果", "北"):
        assert heading in text, heading
    ids = project.layer("grids")["grid_id"].astype(str).tolist()
    for page, gid in enumerate(sorted(ids), start=3):
        assert f"网格 {gid}" in pdf_text(out, page), (page, gid)


def test_no_english_words_in_a_chinese_atlas(sample_atlas):
    out, project = sample_atlas
    text = pdf_text(out).replace(project.path.name, "")  # the data source is a file name
    assert english_words(text, allowed={"X"}) == set()


def test_rendered_pages_are_not_blank(sample_atlas, tmp_path):
    out, _ = sample_atlas
    for page in (1, 2, 3, page_count(out)):
        image = render_page(out, page, tmp_path / f"p{page}")
        ink = (image[..., :3].mean(axis=2) < 0.9).mean()
        assert ink > 0.03, (page, ink)
        assert len(np.unique(image[..., :3].reshape(-1, 3), axis=0)) > 20


def test_names_only_when_asked(sample_project_file, tmp_path):
    project = open_project(sample_project_file)
    staff = project.layer("staff")
    gid = "330702001001001"
    head = staff[(staff["role"] == "grid_head") & (staff["grid_id"] == gid)]["name"].iloc[0]
    shown = export_atlas(project, tmp_path / "names.pdf", grids=[gid], lang="zh_CN",
                         include_personal=True)
    hidden = export_atlas(project, tmp_path / "no_names.pdf", grids=[gid], lang="zh_CN")
    assert shown.pages == hidden.pages == 3
    assert head in pdf_text(shown.path, 3)
    assert head not in pdf_text(hidden.path)


# ------------------------------------------------------------------ tiny, hand-checked


def _tiny(names: bool = True) -> Project:
    """Three 100 m grids in a row (two in community c1), one household point each."""
    boxes = [shapely.box(500000 + 100 * i, 3200000, 500100 + 100 * i, 3200100)
             for i in range(3)]
    grids = gpd.GeoDataFrame({"grid_id": ["g1", "g2", "g3"], "name": ["North", "Mid", "South"],
                              "community_id": ["c1", "c1", "c2"], "kind": ["urban"] * 3},
                             geometry=boxes, crs=CRS)
    hh = gpd.GeoDataFrame({"household_id": ["h1", "h2", "h3"], "households": [400, 20, 350]},
                          geometry=shapely.points([[500050, 3200050], [500150, 3200050],
                                                   [500250, 3200050]]), crs=CRS)
    staff = gpd.GeoDataFrame(
        {"staff_id": ["s1", "s2", "s3", "s4"], "role": ["grid_head", "full_time", "police",
                                                        "part_time"],
         "grid_id": ["g1", "g1", "g1;g2", "g2"],
         "name": ["Head One", "Worker One", "Officer One", "Helper"] if names else [""] * 4},
        geometry=shapely.points([[500010, 3200010]] * 4), crs=CRS)
    return Project(layers={"grids": validate(grids, "grids").frame,
                           "households": validate(hh, "households").frame,
                           "staff": validate(staff, "staff").frame})


def test_filters_choose_the_pages(tmp_path):
    project = _tiny()
    assert export_atlas(project, tmp_path / "a.pdf", lang="en").pages == 5
    chosen = export_atlas(project, tmp_path / "b.pdf", community="c1", lang="en")
    assert chosen.grids == ("g1", "g2")
    assert page_count(chosen.path) == 4
    both = export_atlas(project, tmp_path / "c.pdf", grids=["g3", "g1"], community="c1",
                        lang="en")
    assert both.grids == ("g1",)
    with pytest.raises(ExportError, match="'gX' is not in the grids layer"):
        export_atlas(project, tmp_path / "d.pdf", grids=["gX"], lang="en")
    with pytest.raises(ExportError, match="community 'c9' has no grids"):
        export_atlas(project, tmp_path / "d.pdf", community="c9", lang="en")
    with pytest.raises(ExportError, match="A4, A3"):
        export_atlas(project, tmp_path / "d.pdf", page="Letter", lang="en")
    assert not (tmp_path / "d.pdf").exists()


def test_english_atlas_speaks_english(tmp_path):
    out = export_atlas(_tiny(), tmp_path / "en.pdf", lang="en", page="A3").path
    text = pdf_text(out)
    for heading in ("Index of grids", "Key figures", "Grid g2", "Legend"):
        assert heading in text
    assert not re.search(r"[\u4e00-\u9fff]", text)  # no Chinese at all (data are Latin)


def test_progress_and_cancel(tmp_path):
    feedback = RecordingFeedback()
    export_atlas(_tiny(), tmp_path / "p.pdf", lang="en", feedback=feedback)
    fractions = [f for f, _ in feedback.reports]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    from gridplanner.errors import Cancelled

    with pytest.raises(Cancelled):
        export_atlas(_tiny(), tmp_path / "x.pdf", feedback=RecordingFeedback(cancel_after=3))
    assert not (tmp_path / "x.pdf").exists()


def test_staff_per_grid_counts_shared_officers_in_each_grid():
    table = _with_staff(pd.DataFrame({"grid_id": ["g1", "g2", "g3"]}), _tiny())
    assert table["staff_police"].tolist() == [1, 1, 0]
    assert table["staff_part_time"].tolist() == [0, 1, 0]
    assert table["names_grid_head"].tolist() == ["Head One", "", ""]


def test_p95_walk_is_household_weighted_per_grid():
    from gridplanner.context import AnalysisContext

    project = _tiny()
    # g1: 95 households at 100 m and 5 at 900 m -> p95 is 100 m; g2: one point at 300 m.
    pts = shapely.points([[500010, 3200010], [500020, 3200020], [500150, 3200050]])
    assignments = gpd.GeoDataFrame({"distance_m": [100.0, 900.0, 300.0],
                                    "households": [95, 5, 20]}, geometry=pts, crs=CRS)

    class Allocation:
        pass

    allocation = Allocation()
    allocation.assignments = assignments
    table = _with_walk_p95(pd.DataFrame({"grid_id": ["g1", "g2", "g3"]}),
                           AnalysisContext.of(project), allocation)
    assert table["walk_p95_m"].tolist()[:2] == [100.0, 300.0]
    assert np.isnan(table["walk_p95_m"].iloc[2])


def test_traffic_light_counts_kinds_of_problem():
    class Checks:
        findings = gpd.GeoDataFrame({
            "check": ["band", "band", "overlap", "missing_staff"],
            "grid_ids": ["g1", "g2", "g2;g3", "g2"], "value": [20.0, 30.0, 5.0, np.nan]},
            geometry=[None] * 4)

    table = pd.DataFrame({"grid_id": ["g1", "g2", "g3", "g4"],
                          "households_pct_all": [90.0, 90.0, 90.0, 10.0]})
    out = _with_checks(table, Checks(), 60.0)
    assert out["status"].tolist() == ["amber", "red", "amber", "amber"]
    assert out["checks"].iloc[3] == [("coverage_low", 10.0)]
    assert [c for c, _ in out["checks"].iloc[1]] == ["overlap", "band", "missing_staff"]


def test_the_demo_command_writes_the_atlas_of_its_project(monkeypatch, tmp_path, capsys):
    import gridplanner.demo
    from gridplanner.project import save_project

    def demo(out, *, project_path=None, feedback=None):
        save_project(_tiny(), Path(out) / "demo_project.gpkg")
        return "demo report"

    monkeypatch.setattr(gridplanner.demo, "run_demo", demo)
    tmp_path.joinpath("out").mkdir()
    assert main(["demo", "--out", str(tmp_path / "out")]) == 0
    atlas = tmp_path / "out" / "atlas.pdf"
    assert page_count(atlas) == 5
    assert "网格索引" in pdf_text(atlas)  # the project's language (zh_CN by default)
    assert f"PDF atlas (5 pages): {atlas.resolve()}" in capsys.readouterr().out


def test_every_atlas_and_map_text_has_a_chinese_translation():
    """Texts given to the drawn maps' catalogue helper (``text``, ``ctx.t``) are translated."""
    import ast

    import gridplanner.export.atlas as atlas_module
    import gridplanner.export.cartography as cartography
    import gridplanner.export.png as png
    from gridplanner.i18n import catalogue

    used: set[str] = set(atlas_module.CHECK_TEXTS.values()) | set(
        cartography.ROLE_LABELS.values())
    for module in (atlas_module, cartography, png):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = node.args[0]
            if name in ("text", "t") and isinstance(first, ast.Constant) and isinstance(
                    first.value, str) and not any(k.arg == "context" for k in node.keywords):
                used.add(first.value)
    assert len(used) > 50
    zh = catalogue("zh_CN")
    missing = sorted(m for m in used if zh.lookup(m, context="atlas") is None)
    assert missing == []


def test_a_long_index_runs_over_several_pages(monkeypatch, tmp_path):
    import gridplanner.export.atlas as atlas_module

    monkeypatch.setattr(atlas_module, "INDEX_ROWS", 2)
    out = export_atlas(_tiny(), tmp_path / "long.pdf", lang="en")
    assert out.pages == page_count(out.path) == 1 + 2 + 3
    assert "Index of grids" in pdf_text(out.path, 2)
    assert "Index of grids" in pdf_text(out.path, 3)
    # The index's page numbers are where each grid's page is.
    assert {"g1", "g2", "4", "5"} <= set(pdf_text(out.path, 2).split())
    assert {"g3", "6"} <= set(pdf_text(out.path, 3).split())
    for page, gid in ((4, "g1"), (5, "g2"), (6, "g3")):
        assert f"Grid {gid}" in pdf_text(out.path, page)


def test_the_command_prints_a_scenario(tmp_path, capsys):
    from gridplanner.project import save_project
    from gridplanner.scenarios import save_scenario

    project = _tiny()
    staff = project.layer("staff")
    save_scenario(project, "plan B", layers={"staff": staff[staff["role"] != "police"]})
    path = save_project(project, tmp_path / "tiny.gpkg")
    out = tmp_path / "b.pdf"
    assert main(["export-atlas", str(path), "--out", str(out), "--scenario", "plan B",
                 "--lang", "en", "--grids", "g1"]) == 0
    assert "written:" in capsys.readouterr().out
    text = pdf_text(out)
    assert "Scenario: plan B" in text
    assert "1+1+0+0" in pdf_text(out, 3)  # the scenario's staff: no police officer


def test_a_basemap_shows_under_every_grid_page(tmp_path):
    from PIL import Image

    from gridplanner.basemap import parse_basemap

    tiles = tmp_path / "tiles"
    (tiles / "0" / "0").mkdir(parents=True)
    Image.new("RGB", (256, 256), (255, 0, 0)).save(tiles / "0" / "0" / "0.png")
    out = export_atlas(_tiny(), tmp_path / "b.pdf", lang="en", grids=["g2"],
                       basemap=parse_basemap(str(tiles)))
    image = render_page(out.path, 3, tmp_path / "p3")[..., :3]
    h, w = image.shape[:2]
    middle = image[int(h * 0.45):int(h * 0.55), int(w * 0.3):int(w * 0.36)]  # inside g2
    reddish = (middle[..., 0] > 0.8) & (middle[..., 1] < 0.75) & (middle[..., 2] < 0.75)
    assert reddish.mean() > 0.5
