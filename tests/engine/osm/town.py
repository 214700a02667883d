"""A small town written as an OpenStreetMap PBF file by the tests, with its tags known.

A 5 x 5 street grid (about 200 m blocks) near Jinhua, random buildings, cameras
and facilities with a seeded mix of tags, one street (admin_level 8) holding two
communities (admin_level 10). :class:`Town` keeps every feature's tags, so tests
count what the importer should find straight from them, independently of it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LON0, LAT0 = 119.640, 29.070
STEP = 0.002  # degrees: ~195 m east-west, ~222 m north-south
N = 5


@dataclass
class Town:
    """What was written: tags per feature kind, and the file."""

    path: Path
    nodes: list[dict[str, str]] = field(default_factory=list)  # tagged nodes
    ways: list[dict[str, str]] = field(default_factory=list)
    relations: list[dict[str, str]] = field(default_factory=list)
    #: Position of each tagged node (as ``nodes``).
    node_lonlat: list[tuple[float, float]] = field(default_factory=list)
    #: Tags of each building and whether it stands in residential land.
    buildings: list[tuple[dict[str, str], bool]] = field(default_factory=list)
    bounds: tuple[float, float, float, float] = (LON0, LAT0, LON0 + STEP * (N - 1),
                                                 LAT0 + STEP * (N - 1))


def _square(lon: float, lat: float, size: float) -> list[tuple[float, float]]:
    return [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)]


def make_town(path: Path, *, seed: int = 1) -> Town:
    """Write the town to ``path`` (``.osm.pbf``) and return its tags."""
    import osmium
    from osmium.osm import mutable

    rng = random.Random(seed)
    town = Town(path)
    nodes: list[tuple[int, tuple[float, float], dict[str, str]]] = []
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    rels: list[tuple[int, list[tuple[str, int, str]], dict[str, str]]] = []
    next_id = iter(range(1, 10**6))

    def node(lon: float, lat: float, tags: dict[str, str] | None = None) -> int:
        nid = next(next_id)
        nodes.append((nid, (round(lon, 7), round(lat, 7)), tags or {}))
        return nid

    def way(refs: list[int], tags: dict[str, str]) -> int:
        wid = next(next_id)
        ways.append((wid, refs, tags))
        return wid

    def ring(points: list[tuple[float, float]], tags: dict[str, str]) -> int:
        refs = [node(x, y) for x, y in points]
        return way([*refs, refs[0]], tags)

    # Streets: every row and column of the grid, with a mix of road tags.
    grid = [[node(LON0 + i * STEP, LAT0 + j * STEP) for i in range(N)] for j in range(N)]
    road_kinds: list[dict[str, str]] = [
        {"highway": "residential", "name": "人民路"}, {"highway": "primary", "name": "八一街"},
        {"highway": "footway"}, {"highway": "service", "access": "private"},
        {"highway": "motorway", "name": "高速"}, {"highway": "tertiary", "bridge": "yes"},
        {"highway": "unclassified", "tunnel": "yes"}, {"highway": "secondary", "layer": "2"},
        {"highway": "path", "foot": "no"}, {"highway": "service", "access": "private",
                                            "foot": "yes"},
    ]
    for j in range(N):
        way(grid[j], dict(road_kinds[j % len(road_kinds)]))
    for i in range(N):
        way([grid[j][i] for j in range(N)], dict(road_kinds[(i + N) % len(road_kinds)]))
    way([grid[0][0], grid[1][1]], {"highway": "proposed"})  # not a road yet
    # Residential land over the north-west block.
    ring([(LON0 + 0.0001, LAT0 + 3 * STEP + 0.0001), (LON0 + STEP - 0.0001, LAT0 + 3 * STEP
          + 0.0001), (LON0 + STEP - 0.0001, LAT0 + 4 * STEP - 0.0001),
          (LON0 + 0.0001, LAT0 + 4 * STEP - 0.0001)], {"landuse": "residential"})
    # Buildings: a few per block, random types, levels and heights.
    kinds = ["residential", "apartments", "house", "yes", "commercial", "school"]
    for bj in range(N - 1):
        for bi in range(N - 1):
            for k in range(3):
                lon = LON0 + bi * STEP + 0.0003 + k * 0.0005
                lat = LAT0 + bj * STEP + 0.0003 + (k % 2) * 0.0006
                tags = {"building": rng.choice(kinds)}
                if rng.random() < 0.5:
                    tags["building:levels"] = str(rng.randint(1, 18))
                if rng.random() < 0.2:
                    tags["height"] = f"{rng.randint(5, 60)} m"
                ring(_square(lon, lat, 0.0003), tags)
                town.buildings.append((tags, (bi, bj) == (0, 3)))
    # Cameras, with every kind of direction.
    directions = ["45", "NE", "90-270", "W-E", "0-360", None, "SSW", "bogus"]
    for _ in range(24):
        tags = {"man_made": "surveillance"}
        choice = rng.random()
        if choice < 0.15:
            tags["surveillance:type"] = "guard"
        elif choice < 0.7:
            tags["surveillance:type"] = "camera"
        direction = rng.choice(directions)
        if direction is not None:
            tags["camera:direction"] = direction
        if rng.random() < 0.25:
            tags["camera:type"] = "dome"
        tags["surveillance"] = rng.choice(["public", "outdoor", "indoor"])
        node(LON0 + rng.random() * STEP * (N - 1), LAT0 + rng.random() * STEP * (N - 1), tags)
    # Facilities: nodes and one building area.
    node(LON0 + 0.0011, LAT0 + 0.0011, {"amenity": "police", "name": "城东派出所"})
    node(LON0 + 2 * STEP + 0.001, LAT0 + 0.001, {"amenity": "townhall", "name": "城东街道办"})
    node(LON0 + 3 * STEP + 0.001, LAT0 + 0.0015, {"office": "government", "name": "民政所"})
    node(LON0 + STEP + 0.0013, LAT0 + 2 * STEP + 0.0013, {"amenity": "cafe"})
    ring(_square(LON0 + 2 * STEP + 0.0012, LAT0 + 2 * STEP + 0.0012, 0.0004),
         {"amenity": "community_centre", "name": "青春社区党群服务中心", "building": "yes"})
    # Administrative boundaries: one street with two communities side by side.
    west, south, east, north = town.bounds
    mid = LON0 + 2 * STEP
    outer = ring([(west - 0.0005, south - 0.0005), (east + 0.0005, south - 0.0005),
                  (east + 0.0005, north + 0.0005), (west - 0.0005, north + 0.0005)], {})
    left = ring([(west - 0.0004, south - 0.0004), (mid, south - 0.0004), (mid, north + 0.0004),
                 (west - 0.0004, north + 0.0004)], {})
    right = ring([(mid, south - 0.0004), (east + 0.0004, south - 0.0004),
                  (east + 0.0004, north + 0.0004), (mid, north + 0.0004)], {})
    admin = {"type": "boundary", "boundary": "administrative"}
    rels.append((next(next_id), [("w", outer, "outer")],
                 {**admin, "admin_level": "8", "name": "城东街道"}))
    rels.append((next(next_id), [("w", left, "outer")],
                 {**admin, "admin_level": "10", "name": "青春社区"}))
    rels.append((next(next_id), [("w", right, "outer")],
                 {**admin, "admin_level": "10", "name": "光明社区"}))
    rels.append((next(next_id), [("w", outer, "outer")],
                 {**admin, "admin_level": "6", "name": "婺城区"}))  # above the levels taken

    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        for nid, loc, tags in nodes:
            writer.add_node(mutable.Node(id=nid, location=loc, tags=tags))
        for wid, refs, tags in ways:
            writer.add_way(mutable.Way(id=wid, nodes=refs, tags=tags))
        for rid, members, tags in rels:
            writer.add_relation(mutable.Relation(id=rid, members=members, tags=tags))
    finally:
        writer.close()
    town.nodes = [t for _, _, t in nodes if t]
    town.node_lonlat = [loc for _, loc, t in nodes if t]
    town.ways = [t for _, _, t in ways if t]
    town.relations = [t for _, _, t in rels]
    return town


def count(items: list[dict[str, str]], **wanted: Any) -> int:
    """How many tag sets hold every ``key=value`` given (a callable value is a test)."""
    def ok(tags: dict[str, str]) -> bool:
        for key, value in wanted.items():
            key = key.replace("__", ":")
            if callable(value):
                if not value(tags.get(key)):
                    return False
            elif tags.get(key) != value:
                return False
        return True
    return sum(ok(t) for t in items)
