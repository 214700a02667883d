"""Basemap benchmark: composing a view from a local tile server, cold and from the cache.

Run:  .venv/bin/python benchmarks/bench_basemap.py

Serves generated 256-pixel PNG tiles from a local HTTP server in a thread (no
internet) and composes the basemap of a 1400 x 980 pixel view in the CGCS2000
Gauss-Kruger CRS of the sample district, at street scale (1 m per pixel, zoom 17)
and at district scale (25 m per pixel), with WGS84 and GCJ-02 tiles:

* cold: every tile downloaded (8 requests at a time) and written to the cache;
* warm: every tile read from the disk cache (what panning back or a restart costs);
* nearest: the warm case with nearest-neighbour sampling instead of bilinear.

The transformer to WGS84 is built once and passed in, as the app's canvas does.
Nothing is written to the repository (the cache lives in a temporary folder).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyproj import Transformer

from gridplanner.basemap import TileFetcher, compose, parse_basemap
from gridplanner.basemap.compose import wgs84_transformer
from tests.engine.basemap.tileserver import TileServer

CRS = 4549
CENTRE = (119.6512, 29.0843)
SIZE = (1400, 980)


def _time(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    x, y = Transformer.from_crs(4326, CRS, always_xy=True).transform(*CENTRE)
    to_wgs84 = wgs84_transformer(CRS)
    with TileServer() as server:
        for m_per_px in (1.0, 25.0):
            half_w, half_h = SIZE[0] / 2 * m_per_px, SIZE[1] / 2 * m_per_px
            extent = (x - half_w, y - half_h, x + half_w, y + half_h)
            for system in ("wgs84", "gcj02"):
                spec = parse_basemap(f"{system}:{server.url}/code/{{z}}/{{x}}/{{y}}.png")
                cache = Path(tempfile.mkdtemp())
                fetcher = TileFetcher(cache_dir=cache)
                before = len(server.hits)
                t0 = time.perf_counter()
                img = compose(spec, extent, crs=CRS, size_px=SIZE, fetcher=fetcher,
                              to_wgs84=to_wgs84)
                cold = time.perf_counter() - t0
                tiles = len(server.hits) - before
                warm = _time(lambda s=spec, e=extent, f=fetcher: compose(
                    s, e, crs=CRS, size_px=SIZE, fetcher=f, to_wgs84=to_wgs84))
                nearest = _time(lambda s=spec, e=extent, f=fetcher: compose(
                    s, e, crs=CRS, size_px=SIZE, fetcher=f, to_wgs84=to_wgs84,
                    resampling="nearest"))
                print(f"{m_per_px:5.1f} m/px  {system}  zoom {img.zoom}  {tiles:3d} tiles  "
                      f"cold {cold * 1000:6.0f} ms  warm {warm * 1000:6.0f} ms  "
                      f"nearest {nearest * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
