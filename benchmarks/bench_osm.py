"""OpenStreetMap import benchmark: a synthetic district-sized extract read and built.

Run:  .venv/bin/python benchmarks/bench_osm.py [N]

Writes an ``.osm.pbf`` of an N x N street grid (default 120: ~29k street nodes,
240 streets split per block, ~43k buildings, 2k cameras, facilities) to a
temporary folder with pyosmium, then times :func:`gridplanner.osm.read_pbf` (the
pass over the file) and :func:`gridplanner.osm.osm_project` (read, clip, layers,
validation). Nothing is written to the repository.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LON0, LAT0, STEP = 119.60, 29.05, 0.0015


def write_extract(path: Path, n: int, *, seed: int = 0) -> dict[str, int]:
    """Write the synthetic extract; return how many objects of each kind it holds."""
    import osmium
    from osmium.osm import mutable

    rng = random.Random(seed)
    writer = osmium.SimpleWriter(str(path))
    nid = 0
    grid = {}
    for j in range(n):
        for i in range(n):
            nid += 1
            grid[i, j] = nid
            writer.add_node(mutable.Node(id=nid, location=(LON0 + i * STEP, LAT0 + j * STEP)))
    rings = []
    for j in range(n - 1):
        for i in range(n - 1):
            for k in range(3):
                x = LON0 + i * STEP + 0.0002 + k * 0.00045
                y = LAT0 + j * STEP + 0.0002 + (k % 2) * 0.0005
                ids = []
                for dx, dy in ((0, 0), (0.0003, 0), (0.0003, 0.0003), (0, 0.0003)):
                    nid += 1
                    ids.append(nid)
                    writer.add_node(mutable.Node(id=nid, location=(x + dx, y + dy)))
                rings.append(ids)
    cameras = 2000
    for _ in range(cameras):
        nid += 1
        writer.add_node(mutable.Node(
            id=nid, location=(LON0 + rng.random() * STEP * (n - 1),
                              LAT0 + rng.random() * STEP * (n - 1)),
            tags={"man_made": "surveillance", "camera:direction": str(rng.randint(0, 359))}))
    wid = 0
    for j in range(n):
        wid += 1
        writer.add_way(mutable.Way(id=wid, nodes=[grid[i, j] for i in range(n)],
                                   tags={"highway": "residential"}))
    for i in range(n):
        wid += 1
        writer.add_way(mutable.Way(id=wid, nodes=[grid[i, j] for j in range(n)],
                                   tags={"highway": "tertiary"}))
    for ids in rings:
        wid += 1
        tags = {"building": rng.choice(["residential", "apartments", "yes", "commercial"])}
        if rng.random() < 0.5:
            tags["building:levels"] = str(rng.randint(1, 30))
        writer.add_way(mutable.Way(id=wid, nodes=[*ids, ids[0]], tags=tags))
    writer.close()
    return {"nodes": nid, "streets": 2 * n, "buildings": len(rings), "cameras": cameras}


def main() -> None:
    """Write the extract and time reading and building."""
    from gridplanner.osm import osm_project, read_pbf

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "district.osm.pbf"
        t0 = time.perf_counter()
        counts = write_extract(path, n)
        print(f"wrote {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s: "
              f"{counts}")
        t0 = time.perf_counter()
        tables = read_pbf(path)
        print(f"read_pbf: {time.perf_counter() - t0:.2f} s "
              f"({len(tables.roads)} roads, {len(tables.buildings)} buildings, "
              f"{len(tables.cameras)} cameras)")
        t0 = time.perf_counter()
        result = osm_project(path)
        print(f"osm_project: {time.perf_counter() - t0:.2f} s; "
              f"households estimated {result.estimated.get('households', 0):,}")


if __name__ == "__main__":
    main()
