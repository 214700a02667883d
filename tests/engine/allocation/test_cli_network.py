"""The network commands on the bundled sample district."""

from __future__ import annotations

import pyogrio
import pytest

from gridplanner.cli import main


@pytest.fixture(scope="module")
def allocated(sample_project_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("alloc") / "result.gpkg"
    code = main(["allocate", str(sample_project_file), "--role", "full_time",
                 "--out", str(out), "--grid-heads"])
    return code, out


def test_allocate_writes_the_three_layers_with_their_columns(allocated, capsys):
    code, out = allocated
    assert code == 0
    names = [n for n, _ in pyogrio.list_layers(out)]
    assert {"assignments", "staff_load", "unassigned", "grid_heads"} <= set(names)
    a = pyogrio.read_dataframe(out, layer="assignments")
    assert {"household_id", "staff_id", "distance_m"} <= set(a.columns)
    load = pyogrio.read_dataframe(out, layer="staff_load")
    assert {"staff_id", "load", "capacity", "mean_distance_m", "max_distance_m"} <= set(
        load.columns)
    assert (load["load"] <= load["capacity"]).all()
    un = pyogrio.read_dataframe(out, layer="unassigned")
    assert {"household_id", "reason"} <= set(un.columns)
    assert a["household_id"].is_unique
    assert not set(a["household_id"]) & set(un["household_id"])


def test_allocate_within_grid_and_totals_printed(sample_project_file, tmp_path, capsys):
    out = tmp_path / "wg.gpkg"
    assert main(["allocate", str(sample_project_file), "--within-grid", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "objective (household-metres)" in text
    assert "95th percentile distance (m)" in text
    a = pyogrio.read_dataframe(out, layer="assignments")
    assert "grid_id" in a.columns


def test_network_reports_pieces(sample_project_file, capsys):
    assert main(["network", str(sample_project_file)]) == 0
    text = capsys.readouterr().out
    assert "connected pieces:" in text
    assert "intersections (degree >= 3)" in text


def test_route_place_and_service_areas(sample_project_file, tmp_path, capsys):
    import geopandas as gpd

    roads = gpd.read_file(sample_project_file, layer="roads")
    c = roads.geometry.iloc[len(roads) // 2].centroid
    assert main(["route", str(sample_project_file), "--at", f"{c.x},{c.y}"]) == 0
    text = capsys.readouterr().out
    assert "nearest_full_time_m" in text
    out = tmp_path / "place.gpkg"
    assert main(["place", str(sample_project_file), "-n", "3", "--starts", "1",
                 "--out", str(out)]) == 0
    assert len(pyogrio.read_dataframe(out, layer="new_sites")) == 3
    out2 = tmp_path / "sa.gpkg"
    assert main(["service-areas", str(sample_project_file), "--out", str(out2)]) == 0
    areas = pyogrio.read_dataframe(out2, layer="service_areas")
    assert {"facility_id", "households", "road_length_m"} <= set(areas.columns)


def test_bad_inputs_give_clean_errors(sample_project_file, tmp_path, capsys):
    assert main(["allocate", str(sample_project_file), "--out", str(tmp_path / "x.txt")]) == 2
    assert main(["route", str(sample_project_file), "--at", "abc"]) == 2
    assert "X,Y" in capsys.readouterr().err
