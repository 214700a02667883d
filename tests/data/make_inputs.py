"""Write the folder of deliberately broken (and awkward but valid) input files.

Run ``python tests/data/make_inputs.py`` to refresh ``tests/data/inputs/``; the
files are committed so that anyone can try them with ``gridplanner import``.
Every file stands for a mistake met in real Chinese planning data.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from layers.webmap import wgs84_to_gcj02

OUT = Path(__file__).parent / "inputs"
#: WGS84 positions of three household points in Jinhua (lon, lat).
JINHUA_POINTS = [(119.6470, 29.0790), (119.6502, 29.0811), (119.6525, 29.0768)]


def _squares(n: int, size: float = 0.002) -> list[shapely.Polygon]:
    return [shapely.box(119.64 + i * size, 29.07, 119.64 + (i + 1) * size, 29.07 + size)
            for i in range(n)]


def _geojson(frame: gpd.GeoDataFrame, name: str) -> None:
    pyogrio.write_dataframe(frame, OUT / name, driver="GeoJSON")


def make_all() -> None:
    """Write every input file."""
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    wgs = "EPSG:4326"
    # Grid layer without its id column.
    _geojson(gpd.GeoDataFrame({"名称": ["一网格", "二网格"]}, geometry=_squares(2), crs=wgs),
             "grids_missing_id_column.geojson")
    # Cameras delivered as polygons.
    _geojson(gpd.GeoDataFrame({"camera_id": ["C1", "C2"]}, geometry=_squares(2), crs=wgs),
             "cameras_wrong_geometry.geojson")
    # Household table with repeated ids and a non-numeric household count.
    pd.DataFrame({
        "household_id": ["H1", "H2", "H2", "H3"],
        "households": ["12", "8", "8", "many"],
        "lon": [p[0] for p in [*JINHUA_POINTS, JINHUA_POINTS[0]]],
        "lat": [p[1] for p in [*JINHUA_POINTS, JINHUA_POINTS[0]]],
    }).to_csv(OUT / "households_duplicate_ids.csv", index=False)
    # Zero-byte file and a valid file with no features.
    (OUT / "empty.geojson").write_bytes(b"")
    (OUT / "no_features.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    # Staff table saved by Excel in GBK, with Chinese headers and role names.
    pd.DataFrame({
        "人员编号": ["S1", "S2", "S3"],
        "姓名": ["张伟", "王芳", "李强"],
        "岗位": ["网格长", "专职网格员", "网格警长"],
        "经度": [p[0] for p in JINHUA_POINTS],
        "纬度": [p[1] for p in JINHUA_POINTS],
    }).to_csv(OUT / "staff_gbk.csv", index=False, encoding="gbk")
    # A GBK shapefile without a .cpg file, as many Chinese GIS tools write them.
    grids = gpd.GeoDataFrame({"网格编码": ["330702001001001", "330702001001002"],
                              "网格名称": ["青春路社区第1网格", "青春路社区第2网格"]},
                             geometry=_squares(2), crs=wgs)
    pyogrio.write_dataframe(grids, OUT / "grids_gbk.shp", encoding="GBK")
    (OUT / "grids_gbk.cpg").unlink(missing_ok=True)
    # Cameras declared in Gauss-Kruger CM 120E whose coordinates are in Europe.
    far = gpd.GeoDataFrame({"camera_id": ["F1"]}, geometry=[shapely.Point(10.0, 50.0)],
                           crs=wgs).to_crs("EPSG:4549")
    far = far.set_geometry(shapely.points([[500000.0 + 4_000_000, 5_500_000.0]]))
    pyogrio.write_dataframe(far.set_crs("EPSG:4549", allow_override=True),
                            OUT / "cameras_far_outside.gpkg", layer="cameras")
    # Households copied from Amap: GCJ-02 coordinates in a file that declares WGS84.
    lon, lat = wgs84_to_gcj02([p[0] for p in JINHUA_POINTS], [p[1] for p in JINHUA_POINTS])
    _geojson(gpd.GeoDataFrame({"household_id": ["G1", "G2", "G3"], "households": [30, 12, 1]},
                              geometry=shapely.points(lon, lat), crs=wgs),
             "households_gcj02.geojson")
    # A bow-tie grid polygon (self-intersecting), repaired with a warning.
    bowtie = shapely.Polygon([(119.64, 29.07), (119.642, 29.072), (119.642, 29.07),
                              (119.64, 29.072)])
    _geojson(gpd.GeoDataFrame({"grid_id": ["B1"]}, geometry=[bowtie], crs=wgs),
             "grids_bowtie.geojson")
    _hostile(wgs)
    # Not a project: a plain GeoPackage, and a truncated one.
    pyogrio.write_dataframe(grids, OUT / "plain_layers.gpkg", layer="grids")
    data = (OUT / "plain_layers.gpkg").read_bytes()
    (OUT / "damaged.gpkg").write_bytes(data[: len(data) // 3])
    (OUT / "README.md").write_text(__doc__ or "", encoding="utf-8")


def _hostile(wgs: str) -> None:
    """Files from a review of hostile inputs: each loads with a warning or stops clearly."""
    ids = ["H1", "H2", "H3"]
    lon = [p[0] for p in JINHUA_POINTS]
    lat = [p[1] for p in JINHUA_POINTS]
    # Pipe-separated, as some registers export: loads.
    pd.DataFrame({"household_id": ids, "households": [12, 8, 30], "lon": lon, "lat": lat}) \
        .to_csv(OUT / "households_pipe_separated.csv", sep="|", index=False)
    # One household at 0, 0: loads, the CRS stays Jinhua's, the row is a warning.
    _geojson(gpd.GeoDataFrame({"household_id": [*ids, "H0"]},
                              geometry=shapely.points([*JINHUA_POINTS, (0.0, 0.0)]), crs=wgs),
             "households_far_point.geojson")
    # Two columns for the household count that disagree: refused, naming both.
    pd.DataFrame({"household_id": ids, "户数": [12, 8, 30], "HOUSEHOLDS": [1, 1, 1],
                  "lon": lon, "lat": lat}).to_csv(OUT / "households_two_counts.csv", index=False)
    # A count of 1e20 and one of inf: refused, naming row, column and range.
    pd.DataFrame({"household_id": ids, "households": ["12", "1e20", "inf"], "lon": lon,
                  "lat": lat}).to_csv(OUT / "households_huge_counts.csv", index=False)
    # A grid whose corners lie on a line: no area even after repair, refused by row.
    flat = shapely.Polygon([(119.64, 29.07), (119.642, 29.07), (119.644, 29.07)])
    _geojson(gpd.GeoDataFrame({"grid_id": ["G1", "G2"]},
                              geometry=[_squares(1)[0], flat], crs=wgs),
             "grids_flat_polygon.geojson")
    # A zipped shapefile whose members claim to sit outside the archive ("zip slip"):
    # the archived copy is read, nothing outside.
    shp = OUT / "_tmp" / "households.shp"
    shp.parent.mkdir()
    pyogrio.write_dataframe(gpd.GeoDataFrame({"household_id": ids}, geometry=shapely.points(
        JINHUA_POINTS), crs=wgs), shp)
    with zipfile.ZipFile(OUT / "households_zip_slip.zip", "w") as zf:
        for part in sorted(shp.parent.iterdir()):
            zf.writestr(zipfile.ZipInfo(f"../../{part.name}"), part.read_bytes())
    shutil.rmtree(shp.parent)


if __name__ == "__main__":
    make_all()
    print(f"written to {OUT}")
