"""A tile server for tests: runs on 127.0.0.1 in a thread and draws tiles on request.

Paths:

- ``/code/{z}/{x}/{y}.png``: each pixel encodes its own world-pixel position
  (:func:`encode` / :func:`decode`), so a composed image tells where each of its
  pixels was read from the mosaic.
- ``/marker/{z}/{x}/{y}.png``: white, with a red disc of radius ``MARKER_PX`` around
  each lon/lat in ``server.markers`` (in the tiles' own system: shift them to
  GCJ-02 to make GCJ-02 tiles).
- ``/label/{z}/{x}/{y}.png``: transparent, with a blue dot in the tile's centre
  (an annotation layer).
- ``/solid/RRGGBB/{z}/{x}/{y}.png``: one colour.
- ``/status/{code}/{z}/{x}/{y}.png``: answers HTTP ``code``.
- ``/text/{z}/{x}/{y}.png``: answers 200 with an HTML page (not an image).

Every request path is recorded in ``server.hits``.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
from PIL import Image

from gridplanner.basemap.tiles import TILE_PX, lonlat_to_world_px

MARKER_PX = 5


def encode(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """RGBA colours encoding integer world pixels modulo 4096."""
    gx = np.asarray(gx, dtype=np.int64)
    gy = np.asarray(gy, dtype=np.int64)
    r = gx & 255
    g = gy & 255
    b = ((gx >> 8) & 15) | (((gy >> 8) & 15) << 4)
    return np.stack([r, g, b, np.full_like(r, 255)], axis=-1).astype(np.uint8)


def decode(rgba: np.ndarray, near_x: np.ndarray, near_y: np.ndarray) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """World pixels encoded in ``rgba``, taking the value modulo 4096 nearest ``near_*``."""
    r = rgba[..., 0].astype(np.int64)
    g = rgba[..., 1].astype(np.int64)
    b = rgba[..., 2].astype(np.int64)
    mx = r | ((b & 15) << 8)
    my = g | ((b >> 4) << 8)
    gx = mx + 4096 * np.round((near_x - mx) / 4096)
    gy = my + 4096 * np.round((near_y - my) / 4096)
    return gx, gy


def code_tile(z: int, x: int, y: int) -> np.ndarray:
    """The ``/code`` tile as an array."""
    j, i = np.mgrid[0:TILE_PX, 0:TILE_PX]
    return encode(x * TILE_PX + i, y * TILE_PX + j)


def png_bytes(rgba: np.ndarray) -> bytes:
    """PNG file content of an RGBA array."""
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


class TileServer:
    """Start with :meth:`start`, stop with :meth:`stop` (or use as a context manager)."""

    def __init__(self) -> None:
        self.markers: list[tuple[float, float]] = []
        self.hits: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.hits.append(self.path)
                status, body, kind = server.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> TileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> TileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, path: str) -> tuple[int, bytes, str]:
        parts = path.split("?")[0].strip("/").split("/")
        kind = parts[0]
        if kind == "status":
            return int(parts[1]), b"<html>refused</html>", "text/html"
        if kind == "text":
            return 200, b"<html>Invalid key</html>", "text/html"
        if kind == "solid":
            rgb = tuple(int(parts[1][i:i + 2], 16) for i in (0, 2, 4))
            tile = np.zeros((TILE_PX, TILE_PX, 4), dtype=np.uint8)
            tile[...] = (*rgb, 255)
            return 200, png_bytes(tile), "image/png"
        z, x = int(parts[-3]), int(parts[-2])
        y = int(parts[-1].split(".")[0])
        if kind == "code":
            return 200, png_bytes(code_tile(z, x, y)), "image/png"
        if kind == "marker":
            return 200, png_bytes(self.marker_tile(z, x, y)), "image/png"
        if kind == "label":
            tile = np.zeros((TILE_PX, TILE_PX, 4), dtype=np.uint8)
            tile[120:136, 120:136] = (0, 0, 255, 255)
            return 200, png_bytes(tile), "image/png"
        return 404, b"", "text/plain"

    def marker_tile(self, z: int, x: int, y: int) -> np.ndarray:
        tile = np.full((TILE_PX, TILE_PX, 4), 255, dtype=np.uint8)
        j, i = np.mgrid[0:TILE_PX, 0:TILE_PX]
        for lon, lat in self.markers:
            mx, my = lonlat_to_world_px(lon, lat, z)
            d2 = (x * TILE_PX + i + 0.5 - mx) ** 2 + (y * TILE_PX + j + 0.5 - my) ** 2
            tile[d2 <= MARKER_PX ** 2] = (255, 0, 0, 255)
        return tile
