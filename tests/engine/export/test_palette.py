"""One palette: the HTML map and the PNG maps draw roles, categories and classes alike."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.image import imread

from gridplanner import palette
from gridplanner.export.png import render_png
from gridplanner.export.webmap import COLOR_BY, build_map
from gridplanner.project import Project
from layers.validate import validate

CRS = "EPSG:4549"


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(float(v) * 255):02x}" for v in rgb[:3])


def test_camera_categories_and_coverage_classes_are_apart():
    cameras = set(palette.CAMERA_CATEGORY.values())
    coverage = {*palette.COVERAGE_CLASSES, palette.COVERAGE_GAP, palette.UNCOVERED}
    assert not cameras & coverage
    for scheme in ("coverage", "coverage_cat1", "coverage_cat23", "intersections"):
        assert COLOR_BY[scheme].colors == palette.COVERAGE_CLASSES
    # Camera views are purples: blue above red and green in each of them.
    for colour in cameras:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert b > r >= g


def _project() -> Project:
    grids = gpd.GeoDataFrame({"grid_id": ["G1", "G2"]},
                             geometry=[shapely.box(500000, 3200000, 500300, 3200300),
                                       shapely.box(500300, 3200000, 500600, 3200300)], crs=CRS)
    staff = gpd.GeoDataFrame({"staff_id": ["p", "h"], "role": ["police", "grid_head"],
                              "grid_id": ["G1", "G2"]},
                             geometry=[shapely.Point(500150, 3200150),
                                       shapely.Point(500450, 3200150)], crs=CRS)
    cams = gpd.GeoDataFrame({"camera_id": ["c"], "category": [1]},
                            geometry=[shapely.Point(500100, 3200100)], crs=CRS)
    layers = {"grids": grids, "staff": staff, "cameras": cams}
    return Project(layers={k: validate(v, k).frame for k, v in layers.items()})


def test_html_map_uses_the_palette():
    table = pd.DataFrame({"grid_id": ["G1", "G2"], "households_pct_all": [5.0, 90.0]})
    page = build_map(_project(), grid_table=table, color_by="coverage")
    (block,) = re.findall(r'<script type="application/json" id="gp-data">(.*?)</script>', page,
                          flags=re.S)
    data = json.loads(block)
    colours = {layer["name"]: [f["properties"].get("c") for f in layer["features"]["features"]]
               for layer in data["layers"]}
    assert colours["网格 Grids"] == [palette.COVERAGE_CLASSES[0], palette.COVERAGE_CLASSES[-1]]
    assert colours["人员 Staff"] == [palette.ROLE["police"], palette.ROLE["grid_head"]]
    assert colours["摄像头 Cameras"] == [palette.CAMERA_CATEGORY[1]]
    legend = {item["label"]: item["colour"] for section in data["legend"]
              for item in section["items"]}
    assert legend["网格警长 police"] == palette.ROLE["police"]
    assert legend["一类 category 1"] == palette.CAMERA_CATEGORY[1]


def test_png_map_uses_the_palette(tmp_path):
    table = pd.DataFrame({"grid_id": ["G1", "G2"], "households_pct_all": [5.0, 90.0]})
    out = render_png(_project(), tmp_path / "m.png", grid_table=table, color_by="coverage",
                     extent=(500000, 3200000, 500600, 3200300), size_px=(600, 300), dpi=100)
    image = imread(out)
    assert image.shape[:2] == (300, 600)
    seen = {_hex(px) for px in image.reshape(-1, image.shape[2])[::7]}
    assert palette.ROLE["police"] in seen
    assert palette.ROLE["grid_head"] in seen


def _sources():
    from pathlib import Path

    root = Path(__file__).parents[3]
    for path in sorted([*(root / "gridplanner").rglob("*.py"), *(root / "ui").rglob("*.py")]):
        name = path.relative_to(root).as_posix()
        if name != "gridplanner/palette.py":
            yield name, path.read_text(encoding="utf-8")


def test_every_colour_is_defined_in_the_palette():
    """Colours (and named grey constants) live in gridplanner/palette.py only.

    Plain greys written where they are used (text, outlines) are ink, not palette
    colours; a colour with a hue, or any colour given a name of its own, belongs in
    the palette so the app, the HTML map, the PNG maps and the reports agree.
    """
    hexes = re.compile(r"#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})\b")
    named = re.compile(r"^[A-Z][A-Z0-9_]*\s*(:[^=\n]*)?=.*#[0-9a-fA-F]{6}\b", re.M)
    found = []
    for name, text in _sources():
        for m in hexes.finditer(text):
            if len({c.lower() for c in m.groups()}) > 1:
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{name}:{line} {m.group(0)}")
        for m in named.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{name}:{line} {m.group(0)[:40]}")
    assert found == []

