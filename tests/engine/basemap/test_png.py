"""PNG exports carry the basemap, lined up with the data (local tile server)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.image import imread
from pyproj import Transformer

from gridplanner.basemap import parse_basemap
from gridplanner.cli import main
from gridplanner.export.png import render_png
from gridplanner.project import Project
from layers.validate import validate

POINT = (119.6512, 29.0843)


def test_png_basemap_marker_lands_on_the_data_point(tile_server, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDPLANNER_TILE_CACHE", str(tmp_path / "tiles"))
    x, y = Transformer.from_crs(4326, 4549, always_xy=True).transform(*POINT)
    grid = gpd.GeoDataFrame({"grid_id": ["g1"]},
                            geometry=[shapely.box(x + 40, y + 40, x + 120, y + 100)], crs=4549)
    project = Project(layers={"grids": validate(grid, "grids").frame})
    tile_server.markers = [POINT]
    spec = parse_basemap(f"{tile_server.url}/marker/{{z}}/{{x}}/{{y}}.png")
    out = render_png(project, tmp_path / "m.png", extent=(x - 200, y - 150, x + 200, y + 150),
                     size_px=(400, 300), dpi=100, basemap=spec)
    rgb = (imread(out)[..., :3] * 255).round().astype(int)
    assert rgb.shape[:2] == (300, 400)
    red = (rgb[..., 0] > 200) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)
    assert red.sum() > 10
    j, i = np.nonzero(red)
    assert abs(i.mean() + 0.5 - 200) <= 1.5
    assert abs(j.mean() + 0.5 - 150) <= 1.5
    assert tile_server.hits


def test_cli_names_a_wrong_basemap_before_any_work(capsys):
    code = main(["export-png", "sample_data/sample_district.gpkg", "--out", "unused.png",
                 "--basemap", "googel"])
    assert code != 0
    err = capsys.readouterr().err
    assert "unknown basemap 'googel'" in err
    assert "osm" in err
