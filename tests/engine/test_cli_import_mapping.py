"""``gridplanner import`` with a column mapping: an Amap/DataV district file as it comes."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gridplanner.cli import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, main
from gridplanner.project import open_project
from layers.webmap import wgs84_to_gcj02

#: Two districts near Jinhua in WGS84, with ragged edges so the shift bends them.
DISTRICTS = {
    330702: shapely.Polygon([(119.55, 29.02), (119.64, 29.03), (119.66, 29.10), (119.60, 29.13),
                             (119.54, 29.09)]),
    330703: shapely.Polygon([(119.64, 29.03), (119.74, 29.04), (119.75, 29.12), (119.66, 29.10)]),
}


def _datav_file(path: Path) -> Path:
    """Write the districts as DataV/Amap does: GCJ-02, numeric adcode, parent object."""
    features = []
    for adcode, poly in DISTRICTS.items():
        shifted = shapely.transform(poly, lambda xy: np.column_stack(
            wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
        features.append({
            "type": "Feature",
            "properties": {"adcode": adcode, "name": f"区{adcode}", "level": "district",
                           "center": [119.6, 29.1], "parent": {"adcode": 330700},
                           "childrenNum": 0},
            "geometry": json.loads(shapely.to_geojson(shapely.MultiPolygon([shifted]))),
        })
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")
    return path


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    return code, text


def test_datav_districts_import_as_they_come(tmp_path, capsys):
    source = _datav_file(tmp_path / "districts.geojson")
    out = tmp_path / "p.gpkg"
    code, text = _run(capsys, "import", str(out), "--service-areas", str(source),
                      "--source-crs", "gcj02", "--column", "service_areas:area_id=adcode")
    assert code == EXIT_OK, text
    areas = open_project(out).layers["service_areas"]
    assert areas["area_id"].tolist() == ["330702", "330703"]
    assert areas["level"].tolist() == ["district", "district"]
    assert areas["parent_id"].tolist() == ["330700", "330700"]
    truth = gpd.GeoSeries(list(DISTRICTS.values()), crs=4326).to_crs(areas.crs)
    error_m = shapely.hausdorff_distance(areas.geometry.to_numpy(), truth.to_numpy())
    assert error_m.max() < 1.0
    # Without the shift, the boundaries would be hundreds of metres off.
    raw = gpd.read_file(source).to_crs(areas.crs)
    assert shapely.hausdorff_distance(raw.geometry.to_numpy(), truth.to_numpy()).min() > 100


def test_datav_without_mapping_says_what_to_give(tmp_path, capsys):
    source = _datav_file(tmp_path / "districts.geojson")
    code, text = _run(capsys, "import", str(tmp_path / "p.gpkg"), "--service-areas",
                      str(source), "--source-crs", "gcj02")
    assert code == EXIT_PROBLEMS
    assert "required column 'area_id' is missing" in text
    assert "adcode" in text


def test_mapping_file_and_value_flags(tmp_path, capsys):
    source = _datav_file(tmp_path / "districts.geojson")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"layers": {"service_areas": {
        "columns": {"area_id": "adcode"}}}}), encoding="utf-8")
    out = tmp_path / "p.gpkg"
    code, text = _run(capsys, "import", str(out), "--service-areas", str(source),
                      "--source-crs", "gcj02", "--mapping", str(mapping),
                      "--value", "service_areas:level:district=street")
    assert code == EXIT_OK, text
    assert open_project(out).layers["service_areas"]["level"].tolist() == ["street", "street"]


@pytest.mark.parametrize(("flags", "said"), [
    (["--column", "service_areas:area_id=code"],
     "service_areas:area_id=code: the file has no column 'code'; its columns are adcode, "
     "name, level"),
    (["--column", "service_areas:id=adcode"], "--column service_areas:id=adcode: layer "
                                              "service_areas has no column 'id'"),
    (["--column", "grids:grid_id=adcode"], "--column grids:grid_id=adcode: no grids file"),
    (["--column", "nope:area_id=adcode"], "unknown layer 'nope'"),
    (["--value", "service_areas:level:x=planet"], "'planet' is not a value"),
])
def test_mapping_errors_name_the_flag(tmp_path, capsys, flags, said):
    source = _datav_file(tmp_path / "districts.geojson")
    code, text = _run(capsys, "import", str(tmp_path / "p.gpkg"), "--service-areas",
                      str(source), "--source-crs", "gcj02", *flags)
    assert code in (EXIT_ERROR, EXIT_PROBLEMS)
    assert said in text
    assert not (tmp_path / "p.gpkg").exists()
