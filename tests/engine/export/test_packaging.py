"""The engine runs without networkx and folium; the map's assets ship with the package."""

from __future__ import annotations

import fnmatch
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[3]

_WITHOUT = """
import sys
for name in ("networkx", "folium", "offlinefolium", "branca", "jinja2"):
    sys.modules[name] = None  # importing any of them now fails
import importlib, pkgutil
import gridplanner
for info in pkgutil.walk_packages(gridplanner.__path__, "gridplanner."):
    importlib.import_module(info.name)
import geopandas as gpd, shapely
from gridplanner.network.graph import build_network
from gridplanner.export.webmap import build_map
from gridplanner.project import Project
roads = gpd.GeoDataFrame({"road_id": ["a", "b"]}, geometry=[
    shapely.LineString([(500000, 3200000), (500100, 3200000)]),
    shapely.LineString([(500100, 3200000), (500100, 3200100)])], crs=4549)
net = build_network(roads)
grids = gpd.GeoDataFrame({"grid_id": ["g"]}, geometry=[shapely.box(500000, 3200000, 500100,
                         3200100)], crs=4549)
page = build_map(Project(layers={"grids": grids}))
print(net.n_nodes, "Leaflet 1.9.4" in page)
try:
    net.to_networkx()
except ImportError:
    print("to_networkx needs networkx")
"""


def test_engine_imports_and_maps_without_networkx_folium_or_jinja():
    run = subprocess.run([sys.executable, "-c", _WITHOUT], capture_output=True, text=True,
                         cwd=ROOT, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["3 True", "to_networkx needs networkx"]


def test_dependencies_and_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = " ".join(config["project"]["dependencies"])
    for name in ("folium", "networkx", "jinja2"):
        assert name not in runtime
    assert any(d.startswith("networkx") for d in config["project"]["optional-dependencies"]["dev"])
    patterns = config["tool"]["setuptools"]["package-data"]["gridplanner.export"]
    assets = ROOT / "gridplanner" / "export" / "assets"
    files = [p.relative_to(assets.parent).as_posix() for p in assets.rglob("*") if p.is_file()]
    assert "assets/leaflet/LICENSE" in files
    assert "assets/leaflet/leaflet.js" in files
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
