from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.image import imread

from gridplanner.export.png import render_grid_pngs, render_png
from gridplanner.project import Project
from layers.validate import validate

CRS = "EPSG:4549"


def _project(ids: list[str]) -> Project:
    boxes = [shapely.box(500000 + 100 * i, 3200000, 500100 + 100 * i, 3200100)
             for i in range(len(ids))]
    grids = gpd.GeoDataFrame({"grid_id": ids, "name": ids}, geometry=boxes, crs=CRS)
    return Project(layers={"grids": validate(grids, "grids").frame})


def test_text_from_the_data_is_drawn_as_text(hostile, tmp_path):
    texts, marker = hostile
    project = _project([f"G{i}{t}" for i, t in enumerate(texts)])
    # Validation drops what a GeoPackage cannot hold (lone surrogates): use its ids.
    ids = project.layers["grids"]["grid_id"].tolist()
    table = pd.DataFrame({"grid_id": ids, "band_status": ["in band"] * len(ids)})
    # Mathtext markup ($...$) in a grid id or title would fail or be typeset as maths.
    for gid in ids:
        out = render_png(project, tmp_path / "one.png", grid_table=table, grid_id=gid,
                         title=gid, dpi=40)
        assert imread(out).shape[2] in (3, 4)
    paths = render_grid_pngs(project, tmp_path / "each", grid_table=table, dpi=30)
    assert len(paths) == len(ids)
    assert len({p.name for p in paths}) == len(ids)
    assert not marker.exists()


def test_one_image_per_grid_with_safe_unique_file_names(tmp_path):
    ids = ["CON", "a/b", "a_b", "..", "网格 1"]
    paths = render_grid_pngs(_project(ids), tmp_path, dpi=20)
    assert [p.name for p in paths] == ["_CON.png", "a_b.png", "a_b-2.png", "_..png",
                                       "网格_1.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
