"""Hostile geometry: NaN vertices, flat polygons, rings of two points, any shape at all.

Validation must name every row it refuses, and what it accepts must open again
as a project: a layer validation passes is never written into a project the
opener refuses.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridplanner.project import Project, open_project, save_project
from layers import SchemaError, load_layer, validate
from tests.layers.hostile import attempt

X0, Y0 = 465_000.0, 3_218_000.0
# Building shapes with NaN in the tests makes shapely say so; that is the point.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")


def _grids(geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"grid_id": [f"G{i}" for i in range(len(geoms))]},
                            geometry=geoms, crs=4549)


def _reopens(frame: gpd.GeoDataFrame, layer: str, tmp_path) -> gpd.GeoDataFrame:
    path = tmp_path / "p.gpkg"
    save_project(Project(layers={layer: frame}), path)
    return open_project(path).layers[layer]


# Shapes are built inside the tests (shapely warns about NaN when they are made).
@pytest.mark.parametrize(("make", "text"), [
    (lambda: shapely.Polygon([(X0, Y0), (X0 + 100, Y0), (X0 + 200, Y0)]), "no area"),
    (lambda: shapely.Polygon([(X0, Y0), (X0, Y0), (X0, Y0), (X0, Y0)]), "no area"),
    (lambda: shapely.Polygon([(X0, Y0), (np.nan, Y0), (X0, Y0 + 100)]), "not finite"),
    (lambda: shapely.Polygon([(X0, Y0), (np.inf, Y0), (X0, Y0 + 100)]), "not finite"),
    (lambda: shapely.Polygon([(X0, Y0), (2e9, Y0), (X0, Y0 + 100)]), "no place on Earth"),
    (lambda: shapely.MultiPolygon([shapely.Polygon([(X0, Y0), (X0 + 1, Y0), (X0 + 2, Y0)])]),
     "no area"),
])
def test_polygons_repair_cannot_save_are_refused_naming_the_row(make, text):
    frame = _grids([shapely.box(X0, Y0, X0 + 100, Y0 + 100), make()])
    with pytest.raises(SchemaError, match=f"row 2, id G1, column geometry: .*{text}"):
        validate(frame, "grids")


@pytest.mark.parametrize(("layer", "make"), [
    ("households", lambda: shapely.Point(np.nan, 5.0)),
    ("households", lambda: shapely.MultiPoint([(X0, Y0), (np.nan, np.inf)])),
    ("roads", lambda: shapely.LineString([(X0, Y0), (np.nan, Y0)])),
])
def test_non_finite_vertices_are_refused_naming_the_row(layer, make):
    id_col = {"households": "household_id", "roads": "road_id"}[layer]
    frame = gpd.GeoDataFrame({id_col: ["A"]}, geometry=[make()], crs=4549)
    with pytest.raises(SchemaError, match="row 1, id A, column geometry"):
        validate(frame, layer)


def test_ring_of_two_points_in_geojson_names_the_row(tmp_path):
    good = [[[119.60, 29.10], [119.61, 29.10], [119.61, 29.11], [119.60, 29.10]]]
    bad = [[[119.60, 29.10], [119.61, 29.10]]]
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"grid_id": gid},
         "geometry": {"type": "Polygon", "coordinates": ring}}
        for gid, ring in (("OK", good), ("BAD", bad))]}))
    with pytest.raises(SchemaError, match="row 2, id BAD, column geometry"):
        load_layer(path, "grids")


def test_bowtie_is_repaired_and_the_project_opens(tmp_path):
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    result = validate(_grids([bowtie]), "grids")
    assert [w.row for w in result.warnings] == [0]
    reopened = _reopens(result.frame, "grids", tmp_path)
    assert reopened.geometry.iloc[0].area == pytest.approx(5000.0)


coordinate = st.one_of(
    st.floats(min_value=-200.0, max_value=200.0),
    st.sampled_from([0.0, 100.0, np.nan, np.inf, -np.inf, 1e300]),
)
ring = st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=7)


def _polygon(points: list[tuple[float, float]]) -> shapely.Geometry | None:
    """A polygon through the points as given; ``None`` where GEOS cannot build one
    (a reader gets the same from a file: the lenient reader turns it into None)."""
    coords = np.array(points, dtype=float) + np.array([X0, Y0])
    try:
        if len(coords) < 3:
            return shapely.LineString(np.vstack([coords, coords[:1]])) if len(coords) > 1 \
                else shapely.Point(coords[0])
        return shapely.Polygon(coords)
    except shapely.errors.GEOSException:
        return None


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(ring, min_size=1, max_size=4))
def test_any_polygon_layer_is_refused_by_row_or_reopens_unchanged(tmp_path, rings):
    frame = _grids([_polygon(r) for r in rings])
    result, error = attempt(validate, frame, "grids")
    if error is not None:
        assert error.problems
        assert all(p.row is not None and p.column == "geometry" for p in error.problems)
        return
    reopened = _reopens(result.frame, "grids", tmp_path)
    assert reopened["grid_id"].tolist() == result.frame["grid_id"].tolist()
    assert np.allclose(reopened.area, result.frame.area)
    assert validate(reopened, "grids").warnings == []


points = st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(points, st.sampled_from(["households", "roads"]))
def test_any_point_or_line_layer_is_refused_by_row_or_reopens(tmp_path, pts, layer):
    xy = np.array(pts, dtype=float) + np.array([X0, Y0])
    if layer == "households":
        geoms = list(shapely.points(xy))
    else:
        geoms = [shapely.LineString([p, p + np.array([10.0, 0.0])]) for p in xy]
    frame = gpd.GeoDataFrame({"household_id" if layer == "households" else "road_id":
                              [f"R{i}" for i in range(len(geoms))]}, geometry=geoms, crs=4549)
    result, error = attempt(validate, frame, layer)
    if error is not None:
        assert all(p.row is not None and p.column == "geometry" for p in error.problems)
        return
    assert len(_reopens(result.frame, layer, tmp_path)) == len(frame)


@pytest.mark.parametrize("wkt", [
    f"POLYGON Z (({X0} {Y0} 5, {X0 + 100} {Y0} 5, {X0 + 100} {Y0 + 100} 7, {X0} {Y0} 5))",
    f"POLYGON M (({X0} {Y0} 1, {X0 + 100} {Y0} 2, {X0 + 100} {Y0 + 100} 3, {X0} {Y0} 1))",
    f"POLYGON ZM (({X0} {Y0} 5 1, {X0 + 100} {Y0} 5 2, {X0 + 100} {Y0 + 100} 7 3, "
    f"{X0} {Y0} 5 1))",
])
def test_heights_and_measures_are_dropped_with_a_warning(wkt, tmp_path):
    flat = shapely.box(X0 + 200, Y0, X0 + 300, Y0 + 100)
    result = validate(_grids([flat, shapely.from_wkt(wkt)]), "grids")
    geoms = np.asarray(result.frame.geometry.array, dtype=object)
    assert not shapely.has_z(geoms).any()
    assert not shapely.has_m(geoms).any()
    assert shapely.equals(geoms[1], shapely.force_2d(shapely.from_wkt(wkt)))
    (warning,) = [w for w in result.warnings if "heights" in str(w)]
    assert warning.column == "geometry"
    assert "1 of the features" in str(warning)
    assert not any("heights" in str(w) for w in validate(_grids([flat]), "grids").warnings)


def test_the_heights_warning_reads_in_chinese():
    from gridplanner.i18n import set_language
    from gridplanner.text import problem_message

    set_language("zh_CN")
    text = problem_message("1,204 of the features had heights (Z) or measures (M); "
                           "they are dropped, analyses work on the plane")
    assert "1,204" in text
    assert "高程" in text
