"""Every command on hostile projects: a result, or a clear error, never a traceback.

The tiny district of :mod:`tests.engine.hostile_data` is changed one way at a time
(a layer missing or empty, no staff of a role, one layer in another place or
another Gauss-Kruger zone, a road of 50,000 vertices) and every command runs on
it. Each outcome is asserted: the command runs (exit 0, or 1 where it reports
findings), or it stops with exit 2 and the message written below for that case.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gridplanner.cli import EXIT_ERROR, main
from layers.io import list_layers
from tests.engine.hostile_data import CRS, VARIANTS, X0, Y0, tiny_layers, write_variant

Command = Callable[[str, Path], list[str]]


def _points(d: Path) -> str:
    """A GeoPackage of two points with a named layer, given as FILE::LAYER."""
    path = d / "points.gpkg"
    if not path.exists():
        gpd.GeoDataFrame({"incident_id": ["P1", "P2"]},
                         geometry=shapely.points([(X0 + 120, Y0 + 100), (X0 + 250, Y0 + 300)]),
                         crs=CRS).to_file(path, layer="picked")
    return f"{path}::picked"


def _staff(d: Path) -> str:
    path = d / "staff.gpkg"
    tiny_layers()["staff"].iloc[:6].to_file(path, layer="roster")
    return f"{path}::roster"


CORE: dict[str, Command] = {
    "info": lambda p, d: ["info", p],
    "validate": lambda p, d: ["validate", p, "--all"],
    "check": lambda p, d: ["check", p, "--out", f"{d / 'checks.gpkg'}::findings"],
    "coverage": lambda p, d: ["coverage", p, "--out", str(d / "c.gpkg")],
    "site-cameras": lambda p, d: ["site-cameras", p, "-k", "2", "--out", str(d / "s.gpkg")],
    "site-cameras-candidates": lambda p, d: ["site-cameras", p, "-k", "1", "--candidates",
                                             _points(d), "--out", str(d / "s.gpkg")],
    "network": lambda p, d: ["network", p, "--out", str(d / "n.gpkg")],
    "allocate": lambda p, d: ["allocate", p, "--grid-heads", "--out", str(d / "a.gpkg")],
    "allocate-within-grid": lambda p, d: ["allocate", p, "--within-grid", "--out",
                                          str(d / "a.gpkg")],
    "place": lambda p, d: ["place", p, "-n", "1", "--starts", "1", "--out", str(d / "p.gpkg")],
    "place-candidates": lambda p, d: ["place", p, "-n", "1", "--starts", "1", "--candidates",
                                      _points(d), "--out", str(d / "p.gpkg")],
    "service-areas": lambda p, d: ["service-areas", p, "--out", str(d / "sa.gpkg")],
    "route-at": lambda p, d: ["route", p, "--at", f"{X0 + 10},{Y0 + 10}"],
    "route-points": lambda p, d: ["route", p, "--points", _points(d), "--out",
                                  str(d / "r.csv")],
    "export-map": lambda p, d: ["export-map", p, "--out", str(d / "m.html")],
}
EXTRA: dict[str, Command] = {
    "balance": lambda p, d: ["balance", p, "--out", str(d / "b.gpkg")],
    "scenario-create": lambda p, d: ["scenario", "create", p, "alt", "--staff", _staff(d)],
    "scenario-list": lambda p, d: ["scenario", "list", p],
    "export-results": lambda p, d: ["export-results", p, "--out", str(d / "r.xlsx")],
    "export-png": lambda p, d: ["export-png", p, "--out", str(d / "m.png")],
    "compare": lambda p, d: ["compare", p, "current", "current", "--no-coverage"],
}
#: Variants every command (not only the core ones) runs on.
EXTRA_VARIANTS = ("full", "empty_households", "empty_staff", "empty_roads", "empty_grids",
                  "no_full_time", "far_households", "zone_households")

_NO_ROADS = "layer roads has no walkable road"
_NO_GRIDS = "coverage needs a grids layer"
_NO_FULL_TIME = "layer staff has no full_time members"
_NO_SITE = "no candidate site inside the grids"
_ALLOCATE = ("allocate", "allocate-within-grid")
#: (variant, command) -> what the error says; every other pair must run.
EXPECTED_ERRORS: dict[tuple[str, str], str] = {
    **{(v, c): _NO_ROADS for v in ("empty_roads", "no_roads")
       for c in (*_ALLOCATE, "place", "place-candidates", "service-areas")},
    **{(v, "site-cameras"): _NO_SITE for v in ("empty_roads", "no_roads", "far_roads",
                                               "far_grids")},
    ("far_grids", "site-cameras-candidates"): "none of the candidate points lies inside a grid",
    **{(v, c): _NO_GRIDS for v in ("empty_grids", "no_grids")
       for c in ("coverage", "site-cameras", "site-cameras-candidates")},
    **{(v, "allocate"): "layer grids is empty: there is nothing to assign heads to"
       for v in ("empty_grids", "no_grids")},
    **{(v, "allocate-within-grid"): "within-grid assignment needs a grids layer"
       for v in ("empty_grids", "no_grids")},
    ("empty_grids", "balance"): "the project has no grids layer to rebalance",
    **{(v, c): _NO_FULL_TIME for v in ("empty_staff", "no_staff", "no_full_time")
       for c in _ALLOCATE},
    ("empty_facilities", "service-areas"): "layer facilities is empty",
    # Data in another place or another Gauss-Kruger zone: nothing reaches the roads.
    **{(v, c): "household points lies within 300 m of a walkable road"
       for v in ("far_households", "zone_households", "far_roads") for c in _ALLOCATE},
    **{(v, c): "full_time staff bases lies within 300 m of a walkable road"
       for v in ("far_staff",) for c in _ALLOCATE},
    ("far_grids", "allocate-within-grid"): "no household near a walkable road lies inside a grid",
}


def _cases() -> list[tuple[str, str]]:
    cases = [(v, c) for v in VARIANTS for c in CORE]
    cases += [(v, c) for v in EXTRA_VARIANTS for c in EXTRA]
    return cases


@pytest.fixture(scope="module")
def project_files(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    folder = tmp_path_factory.mktemp("hostile_projects")
    made: dict[str, Path] = {}

    def get(variant: str) -> Path:
        if variant not in made:
            made[variant] = write_variant(variant, folder / f"{variant}.gpkg")
        return made[variant]

    return get


@pytest.mark.parametrize(("variant", "command"), _cases())
def test_command_on_hostile_project(project_files, tmp_path, capsys, variant, command):
    project = tmp_path / "project.gpkg"
    shutil.copyfile(project_files(variant), project)
    argv = {**CORE, **EXTRA}[command](str(project), tmp_path)
    code = main(argv)
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    assert "unexpected failure" not in text, text[-1500:]
    expected = EXPECTED_ERRORS.get((variant, command))
    if expected is None:
        assert code in (0, 1), text[-1500:]
    else:
        assert code == EXIT_ERROR
        assert expected in out.err, out.err


#: Options no analysis can run with, and what the command says about them.
HOSTILE_OPTIONS = [
    (["site-cameras", "-k", "2", "--spacing-m", "nan"],
     "--spacing-m nan is out of range: give a number from 1 to 10000 m"),
    (["site-cameras", "-k", "2", "--spacing-m", "0"], "--spacing-m 0 is out of range"),
    (["site-cameras", "-k", "2", "--directions", "100000000"],
     "--directions 1e+08 is out of range: give a number from 1 to 360"),
    (["site-cameras", "-k", "2", "--range-m", "inf"], "--range-m inf is out of range"),
    (["site-cameras", "-k", "2", "--fov-deg", "nan"], "--fov-deg nan is out of range"),
    (["site-cameras", "-k", "2", "--intersection-weight", "nan"], "--intersection-weight"),
    (["route", "--at", f"{X0},{Y0}", "--crs", "martian"], "unknown coordinate system 'martian'"),
    (["check", "--community", "abc"], "community abc is neither a grid's community_id nor a "
     "service area (known: C1)"),
    (["check", "--community", ""], "community  is neither"),
    (["export-png", "--dpi", "0"], "--dpi 0: give 20 to 1200"),
    (["export-png", "--dpi", "100000"], "--dpi 100000: give 20 to 1200"),
]


@pytest.mark.parametrize(("options", "expected"), HOSTILE_OPTIONS,
                         ids=[" ".join(o[:1] + o[-2:]) for o, _ in HOSTILE_OPTIONS])
def test_hostile_options_are_refused_clearly(project_files, tmp_path, capsys, options,
                                             expected):
    out = ["--out", str(tmp_path / ("m.png" if options[0] == "export-png" else "r.gpkg"))]
    argv = [options[0], str(project_files("full")), *options[1:]]
    code = main(argv + (out if options[0] != "route" else []))
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert expected in err
    assert "unexpected failure" not in err


def test_route_points_in_another_crs(project_files, tmp_path, capsys):
    path = tmp_path / "pts.gpkg"
    gpd.GeoDataFrame({"incident_id": ["P1"]}, geometry=[shapely.Point(X0 + 120, Y0 + 100)],
                     crs=CRS).to_crs(4326).to_file(path, layer="wgs")
    project = str(project_files("full"))
    assert main(["route", project, "--points", f"{path}::wgs"]) == 0
    shown = capsys.readouterr().out
    assert "G0" in shown
    x, y = gpd.read_file(path, layer="wgs").geometry.iloc[0].coords[0]
    assert main(["route", project, "--at", f"{x},{y}", "--crs", "4326"]) == 0
    assert "G0" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["plan::v2.gpkg", "a;b.gpkg", "a!b.gpkg"])
def test_results_written_to_a_file_named_with_colons_or_semicolons(project_files, tmp_path,
                                                                   name):
    out = tmp_path / name
    assert main(["check", str(project_files("full")), "--out", str(out)]) in (0, 1)
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert list_layers(out)
    assert main(["check", str(project_files("full")), "--out", f"{out}::again"]) in (0, 1)
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert "again" in list_layers(out)
