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


def _capture(monkeypatch) -> list:
    """Keep every figure saved, to look at what was drawn."""
    from matplotlib.figure import Figure

    saved: list = []
    original = Figure.savefig

    def keep(self, *args, **kwargs):
        saved.append(_furniture(self))  # the figure is cleared once written
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    return saved


def _furniture(fig) -> dict:
    from matplotlib.patches import Polygon, Rectangle

    ax = fig.axes[0]
    return {"legend": [t.get_text() for t in ax.get_legend().get_texts()]
            if ax.get_legend() else [],
            "texts": [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))],
            "arrow": [p for p in ax.patches if isinstance(p, Polygon)],
            "bar": [p for p in ax.patches if isinstance(p, Rectangle)]}


def test_every_png_map_has_title_legend_scale_bar_north_arrow_date_and_source(
        monkeypatch, tmp_path):
    import datetime as dt

    saved = _capture(monkeypatch)
    project = _project(["330702001001001", "330702001001002"])
    table = pd.DataFrame({"grid_id": ["330702001001001", "330702001001002"],
                          "band_status": ["in band", "above"]})
    day = dt.date(2026, 3, 1)
    render_png(project, tmp_path / "d.png", grid_table=table, lang="zh_CN", dpi=40,
               source="区数据.gpkg", date=day)
    render_png(project, tmp_path / "v.png", grid_table=table, lang="en", dpi=40,
               extent=(500000, 3200000, 500200, 3200100), size_px=(400, 200), date=day)
    render_png(project, tmp_path / "g.png", grid_table=table, lang="en", dpi=40,
               grid_id="330702001001002", date=day)
    zh, view, grid = saved
    assert "户数状态" in zh["texts"]  # the title: the colouring
    assert {"偏少", "适中", "偏多"} <= set(zh["legend"])
    assert "北" in zh["texts"]
    assert any(t.endswith(" 米") for t in zh["texts"])  # the scale bar's length
    assert "数据来源：区数据.gpkg · 日期：2026-03-01" in zh["texts"]
    for drawn in (zh, view, grid):
        assert len(drawn["arrow"]) == 2  # the north arrow's two halves
        assert len(drawn["bar"]) >= 3  # the scale bar's two parts on their backing
        assert drawn["legend"]
    assert "N" in view["texts"]
    assert "Household band" in view["texts"]
    assert any(t.startswith("Data source: ") and "2026-03-01" in t for t in view["texts"])
    assert "Grid 330702001001002  330702001001002" in grid["texts"]
    assert "This grid" in grid["legend"]


def test_grid_labels_where_they_fit(monkeypatch, tmp_path):
    saved = _capture(monkeypatch)
    grids = gpd.GeoDataFrame(
        {"grid_id": ["330702001001001", "330702001001002"], "community_id": ["330702001001"] * 2},
        geometry=[shapely.box(500000, 3200000, 502000, 3200400),
                  shapely.box(502000, 3200000, 502200, 3200400)], crs=CRS)
    project = Project(layers={"grids": validate(grids, "grids").frame})
    render_png(project, tmp_path / "l.png", dpi=50, size_in=(8.0, 4.0))
    texts = saved[0]["texts"]
    assert "330702001001001" in texts  # the wide grid holds its code
    assert "330702001001002" not in texts  # the narrow one only its number in the community
    assert "002" in texts


def test_a_label_and_its_backing_stay_inside_the_grid(monkeypatch, tmp_path):
    # The full code's white backing would spill over the second grid's edges, so it
    # shows the grid's number within its community instead.
    saved = _capture(monkeypatch)
    grids = gpd.GeoDataFrame(
        {"grid_id": ["330702001001001", "330702001001002"], "community_id": ["330702001001"] * 2},
        geometry=[shapely.box(500000, 3200000, 502000, 3200400),
                  shapely.box(502000, 3200000, 502460, 3200400)], crs=CRS)
    project = Project(layers={"grids": validate(grids, "grids").frame})
    render_png(project, tmp_path / "l.png", dpi=50, size_in=(8.0, 4.0))
    texts = saved[0]["texts"]
    assert "330702001001002" not in texts
    assert "002" in texts
