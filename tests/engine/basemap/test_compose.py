"""Composed basemaps line up with the data, against a local tile server and local tiles."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from pyproj import Transformer

from gridplanner.basemap import BasemapError, BasemapSpec, compose, parse_basemap
from gridplanner.basemap.tiles import TILE_PX, tiles_covering, tms_row
from gridplanner.errors import Cancelled
from gridplanner.feedback import RecordingFeedback
from layers.webmap import wgs84_to_gcj02
from tests.engine.basemap.tileserver import code_tile, decode, png_bytes

CRS = 4549  # CGCS2000 Gauss-Kruger CM 120E, the sample district's analysis CRS
POINT = (119.6512, 29.0843)  # lon, lat in Jinhua
TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
TO_WGS84 = Transformer.from_crs(CRS, 4326, always_xy=True)
TO_MAP = Transformer.from_crs(4326, CRS, always_xy=True)
HALF_WORLD_M = 20037508.342789244


def _window(lon: float, lat: float, *, half_m: float = 150.0, m_per_px: float = 1.0):
    x, y = TO_MAP.transform(lon, lat)
    extent = (x - half_m, y - 0.75 * half_m, x + half_m, y + 0.75 * half_m)
    size = (round(2 * half_m / m_per_px), round(1.5 * half_m / m_per_px))
    return extent, size


def _expected_world_px(extent, size, zoom, *, gcj: bool):
    """World pixel of each output pixel's centre, through pyproj's own web mercator."""
    x0, y0, x1, y1 = extent
    w, h = size
    xs = x0 + (np.arange(w) + 0.5) * (x1 - x0) / w
    ys = y1 - (np.arange(h) + 0.5) * (y1 - y0) / h
    lon, lat = TO_WGS84.transform(*np.meshgrid(xs, ys))
    if gcj:
        lon, lat = wgs84_to_gcj02(lon, lat)
    mx, my = TO_3857.transform(lon, lat)
    world = TILE_PX * 2 ** zoom
    return (mx + HALF_WORLD_M) / (2 * HALF_WORLD_M) * world, \
        (HALF_WORLD_M - my) / (2 * HALF_WORLD_M) * world


@pytest.mark.parametrize("system", ["wgs84", "gcj02"])
def test_every_pixel_reads_the_tile_pixel_under_it_at_zoom_17(tile_server, fetcher, system):
    spec = parse_basemap(f"{system}:{tile_server.url}/code/{{z}}/{{x}}/{{y}}.png")
    extent, size = _window(*POINT)
    img = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher, resampling="nearest")
    assert img.zoom == 17
    assert img.rgba.shape == (size[1], size[0], 4)
    ex, ey = _expected_world_px(extent, size, 17, gcj=system == "gcj02")
    gx, gy = decode(img.rgba, ex, ey)
    # the pixel read holds the expected position: within a pixel everywhere
    assert np.abs(gx + 0.5 - ex).max() <= 1.0
    assert np.abs(gy + 0.5 - ey).max() <= 1.0


def test_gcj02_tiles_without_the_offset_would_be_hundreds_of_metres_off(tile_server, fetcher):
    """The check above can fail: reading GCJ-02 tiles as WGS84 misses by ~500 px."""
    spec = parse_basemap(f"{tile_server.url}/code/{{z}}/{{x}}/{{y}}.png")
    extent, size = _window(*POINT)
    img = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher, resampling="nearest")
    ex, ey = _expected_world_px(extent, size, 17, gcj=True)
    gx, gy = decode(img.rgba, ex, ey)
    assert np.hypot(gx + 0.5 - ex, gy + 0.5 - ey).min() > 100


def _red_centre(rgba: np.ndarray) -> tuple[float, float]:
    red = (rgba[..., 0].astype(float) - np.maximum(rgba[..., 1], rgba[..., 2])) / 255
    red = np.clip(red, 0, 1) * (rgba[..., 3] > 0)
    assert red.sum() > 10, "no marker in the image"
    j, i = np.mgrid[0:rgba.shape[0], 0:rgba.shape[1]]
    return float((i * red).sum() / red.sum()) + 0.5, float((j * red).sum() / red.sum()) + 0.5


@pytest.mark.parametrize("system", ["wgs84", "gcj02"])
def test_a_wgs84_point_lands_on_its_feature(tile_server, fetcher, system):
    """A feature drawn on the tiles (in GCJ-02 for GCJ-02 tiles) sits under the data point."""
    lon, lat = POINT
    tile_server.markers = [tuple(float(v) for v in wgs84_to_gcj02(lon, lat))
                           if system == "gcj02" else (lon, lat)]
    spec = parse_basemap(f"{system}:{tile_server.url}/marker/{{z}}/{{x}}/{{y}}.png")
    extent, size = _window(lon, lat, half_m=120.0)
    img = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher)
    assert img.zoom == 17
    x, y = TO_MAP.transform(lon, lat)
    want = ((x - extent[0]) / (extent[2] - extent[0]) * size[0],
            (extent[3] - y) / (extent[3] - extent[1]) * size[1])
    got = _red_centre(img.rgba)
    assert abs(got[0] - want[0]) <= 1.0
    assert abs(got[1] - want[1]) <= 1.0


def test_second_compose_comes_from_the_cache(tile_server, fetcher):
    spec = parse_basemap(f"{tile_server.url}/code/{{z}}/{{x}}/{{y}}.png")
    extent, size = _window(*POINT)
    first = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher)
    asked = len(tile_server.hits)
    assert asked >= 1
    second = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher)
    assert len(tile_server.hits) == asked  # no request reached the server
    assert np.array_equal(first.rgba, second.rgba)
    # expired tiles are fetched again
    from gridplanner.basemap import TileFetcher

    expired = TileFetcher(cache_dir=fetcher.cache_dir, max_age_days=0.0)
    compose(spec, extent, crs=CRS, size_px=size, fetcher=expired)
    assert len(tile_server.hits) == 2 * asked


def test_key_fills_the_url_but_never_the_cache_or_messages(tile_server, fetcher):
    spec = parse_basemap(f"{tile_server.url}/code/{{z}}/{{x}}/{{y}}.png?tk={{key}}",
                         key="SECRET123")
    extent, size = _window(*POINT)
    compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher)
    assert all(hit.endswith("tk=SECRET123") for hit in tile_server.hits)
    cached = [str(p) for p in fetcher.cache_dir.rglob("*")]
    assert cached
    assert not any("SECRET123" in p for p in cached)
    refused = parse_basemap(f"{tile_server.url}/status/403/{{z}}/{{x}}/{{y}}.png?tk={{key}}",
                            key="SECRET123")
    with pytest.raises(BasemapError) as info:
        compose(refused, extent, crs=CRS, size_px=size, fetcher=fetcher)
    assert "SECRET123" not in info.value.message
    assert "SECRET123" not in repr(refused)


def test_annotation_layer_is_laid_over_the_base(tile_server, fetcher):
    tile_server.markers = []
    spec = BasemapSpec("two", "xyz", (f"{tile_server.url}/marker/{{z}}/{{x}}/{{y}}.png",
                                      f"{tile_server.url}/label/{{z}}/{{x}}/{{y}}.png"))
    extent, size = _window(*POINT, half_m=400.0)
    img = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher)
    colours = {tuple(c) for c in img.rgba.reshape(-1, 4)[:, :3].tolist()}
    assert (255, 255, 255) in colours
    assert (0, 0, 255) in colours


@pytest.mark.parametrize(("path", "words"), [
    ("status/403", ["refused", "403", "key"]),
    ("status/401", ["refused", "401"]),
    ("status/500", ["HTTP 500"]),
    ("text", ["not an image"]),
])
def test_server_errors_give_a_clear_message(tile_server, fetcher, path, words):
    spec = parse_basemap(f"{tile_server.url}/{path}/{{z}}/{{x}}/{{y}}.png")
    extent, size = _window(*POINT)
    with pytest.raises(BasemapError) as info:
        compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher)
    for word in words:
        assert word in info.value.message
    assert "127.0.0.1" in info.value.message  # names the server


def test_a_refused_key_stops_asking_after_the_first_answers(tile_server, fetcher):
    spec = parse_basemap(f"{tile_server.url}/status/403/{{z}}/{{x}}/{{y}}.png")
    extent, size = _window(*POINT, half_m=1500.0, m_per_px=1.0)  # ~100 tiles
    with pytest.raises(BasemapError):
        compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher)
    assert len(tile_server.hits) < 50


def test_no_network_gives_a_clear_message(fetcher):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = parse_basemap(f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png")
    extent, size = _window(*POINT)
    with pytest.raises(BasemapError) as info:
        compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher)
    assert "cannot reach" in info.value.message
    assert "MBTiles" in info.value.message


def test_missing_tiles_leave_the_image_transparent(tile_server, fetcher):
    spec = parse_basemap(f"{tile_server.url}/status/404/{{z}}/{{x}}/{{y}}.png")
    extent, size = _window(*POINT)
    img = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher)
    assert img.rgba[..., 3].max() == 0


def test_cancel_stops_the_fetch(tile_server, fetcher):
    spec = parse_basemap(f"{tile_server.url}/code/{{z}}/{{x}}/{{y}}.png")
    extent, size = _window(*POINT)
    feedback = RecordingFeedback()
    feedback.cancel()
    with pytest.raises(Cancelled):
        compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher, feedback=feedback)


def _needed_tiles(extent, zoom=17):
    lon, lat = TO_WGS84.transform([extent[0], extent[2]], [extent[1], extent[3]])
    cols, rows = tiles_covering(lon[0] - 0.002, lat[0] - 0.002, lon[1] + 0.002,
                                lat[1] + 0.002, zoom)
    return [(zoom, x, y) for x in cols for y in rows]


def test_mbtiles_rows_are_flipped(tmp_path, fetcher):
    extent, size = _window(*POINT)
    path = tmp_path / "offline.mbtiles"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                "tile_row INTEGER, tile_data BLOB)")
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                    [(z, x, tms_row(y, z), png_bytes(code_tile(z, x, y)))
                     for z, x, y in _needed_tiles(extent)])
    con.commit()
    con.close()
    spec = parse_basemap(str(path))
    assert spec.kind == "mbtiles"
    img = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher, resampling="nearest")
    ex, ey = _expected_world_px(extent, size, 17, gcj=False)
    gx, gy = decode(img.rgba, ex, ey)
    assert np.abs(gx + 0.5 - ex).max() <= 1.0
    assert np.abs(gy + 0.5 - ey).max() <= 1.0


def test_tile_folder(tmp_path, fetcher):
    extent, size = _window(*POINT)
    for z, x, y in _needed_tiles(extent):
        folder = tmp_path / "tiles" / str(z) / str(x)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{y}.png").write_bytes(png_bytes(code_tile(z, x, y)))
    spec = parse_basemap(str(tmp_path / "tiles"))
    assert spec.kind == "folder"
    img = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher, resampling="nearest")
    ex, ey = _expected_world_px(extent, size, 17, gcj=False)
    gx, gy = decode(img.rgba, ex, ey)
    assert np.abs(gx + 0.5 - ex).max() <= 1.0
    assert np.abs(gy + 0.5 - ey).max() <= 1.0


def test_a_damaged_mbtiles_file_gives_a_clear_message(tmp_path, fetcher):
    path = tmp_path / "broken.mbtiles"
    path.write_bytes(b"not a database at all" * 100)
    extent, size = _window(*POINT)
    with pytest.raises(BasemapError, match="MBTiles"):
        compose(parse_basemap(str(path)), extent, crs=CRS, size_px=size, fetcher=fetcher)


def test_parse_basemap_presets_and_mistakes(tmp_path, monkeypatch):
    monkeypatch.delenv("GRIDPLANNER_TIANDITU_KEY", raising=False)
    assert parse_basemap("amap").tile_system == "gcj02"
    assert parse_basemap("高德").name == "amap"
    with pytest.raises(BasemapError, match="Tianditu key"):
        parse_basemap("tianditu-vector")
    monkeypatch.setenv("GRIDPLANNER_TIANDITU_KEY", "k1")
    spec = parse_basemap("天地图")
    assert spec.key == "k1"
    assert len(spec.layers) == 2
    assert "TILEMATRIX={z}" in spec.layers[0]
    assert "cva" in spec.layers[1]
    wmts = parse_basemap("https://x/wmts?TILEMATRIX={TileMatrix}&TILEROW={TileRow}"
                         "&TILECOL={TileCol}")
    assert wmts.layers[0] == "https://x/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    with pytest.raises(BasemapError, match="lacks"):
        parse_basemap("https://x/tiles.png")
    with pytest.raises(BasemapError, match="does not exist"):
        parse_basemap(str(tmp_path / "none.mbtiles"))
    with pytest.raises(BasemapError, match="unknown basemap"):
        parse_basemap("googel")


def test_local_tiles_are_used_up_to_the_deepest_zoom_they_hold(tmp_path, fetcher):
    """An offline package that stops at zoom 15 still fills a street-scale view."""
    extent, size = _window(*POINT)
    for z, x, y in _needed_tiles(extent, zoom=15):
        folder = tmp_path / "tiles" / str(z) / str(x)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{y}.png").write_bytes(png_bytes(code_tile(z, x, y)))
    spec = parse_basemap(str(tmp_path / "tiles"))
    assert (spec.min_zoom, spec.max_zoom) == (15, 15)
    img = compose(spec, extent, crs=CRS, size_px=size, fetcher=fetcher, resampling="nearest")
    assert img.zoom == 15
    ex, ey = _expected_world_px(extent, size, 15, gcj=False)
    gx, gy = decode(img.rgba, ex, ey)
    assert np.abs(gx + 0.5 - ex).max() <= 1.0
    assert np.abs(gy + 0.5 - ey).max() <= 1.0
    (tmp_path / "empty").mkdir()
    with pytest.raises(BasemapError, match="holds no tiles"):
        parse_basemap(str(tmp_path / "empty"))
