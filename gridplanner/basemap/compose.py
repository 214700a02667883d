"""Compose a basemap image for a window of the map in the project's own CRS.

The tiles live in web mercator (their lon/lat in WGS84, or in GCJ-02 for Amap-style
tiles); the map is drawn in a metric CRS such as a CGCS2000 Gauss-Kruger zone. So
the image is built by inverse mapping: each output pixel's centre goes from the
map CRS to WGS84 lon/lat (pyproj), is shifted to GCJ-02 when the tiles are drawn
there (:mod:`layers.webmap`), then to a position on the tile mosaic, where the
colour is read. The mapping is computed exactly on a coarse lattice of pixels and
interpolated between them: the projections are smooth, so this is exact to far
below a pixel while costing a fraction of the transformations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyproj import CRS, Transformer

from gridplanner.basemap.fetch import FetchReport, TileFetcher
from gridplanner.basemap.sources import BasemapError, BasemapSpec
from gridplanner.basemap.tiles import TILE_PX, lonlat_to_world_px
from gridplanner.feedback import Feedback, report, sub
from gridplanner.i18n import _
from layers.webmap import wgs84_to_gcj02

#: Pixels between exactly transformed lattice points (the mapping is smooth: over a
#: district, interpolating across 64 pixels is exact to far below a hundredth of one).
_LATTICE_PX = 64
#: Most tiles one image may need; beyond it a coarser zoom is used.
MAX_TILES = 400


@dataclass(frozen=True)
class BasemapImage:
    """A composed basemap.

    Attributes
    ----------
    rgba
        ``(height, width, 4)`` uint8 image, first row at the top (north).
    extent
        ``(min x, min y, max x, max y)`` of the image's outer pixel edges, in the CRS
        it was composed for.
    zoom
        Tile zoom level used.
    attribution
        Credit line to show with the map.
    problems
        Tiles that could not be had (the image has holes there).
    """

    rgba: np.ndarray
    extent: tuple[float, float, float, float]
    zoom: int
    attribution: str = ""
    problems: tuple[str, ...] = ()


def compose(
    spec: BasemapSpec,
    extent: tuple[float, float, float, float],
    *,
    crs: Any,
    size_px: tuple[int, int],
    fetcher: TileFetcher | None = None,
    resampling: str = "bilinear",
    to_wgs84: Transformer | None = None,
    feedback: Feedback | None = None,
) -> BasemapImage:
    """Return the basemap of ``extent`` (in ``crs``) as an RGBA image of ``size_px``.

    Parameters
    ----------
    spec
        The basemap (:func:`gridplanner.basemap.parse_basemap`).
    extent
        Min x, min y, max x, max y in ``crs``.
    crs
        The map's CRS (anything pyproj accepts).
    size_px
        Width and height of the image in pixels.
    fetcher
        Where tiles come from (default: a :class:`TileFetcher` with the user's cache).
    resampling
        ``"bilinear"`` (smooth) or ``"nearest"`` (each pixel a tile pixel's colour).
    to_wgs84
        A ready transformer from ``crs`` to WGS84 lon/lat (building one looks up the
        PROJ database, a few tenths of a second: callers that compose often keep one).
    feedback
        Progress and cancellation.

    Returns
    -------
    BasemapImage

    Raises
    ------
    BasemapError
        For an empty extent, a CRS pyproj does not know, or no tile to be had.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from PIL import Image
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "0" / "0").mkdir(parents=True)  # the zoom-0 tile: the whole world
    >>> Image.new("RGB", (256, 256), "red").save(root / "0" / "0" / "0.png")
    >>> img = compose(BasemapSpec("t", "folder", (str(root),)), (10.0, 10.0, 20.0, 20.0),
    ...               crs=4326, size_px=(4, 4))
    >>> img.rgba.shape, img.rgba[0, 0].tolist()
    ((4, 4, 4), [255, 0, 0, 255])
    """
    x0, y0, x1, y1 = (float(v) for v in extent)
    width, height = int(size_px[0]), int(size_px[1])
    if not (x1 > x0 and y1 > y0 and all(map(math.isfinite, (x0, y0, x1, y1)))):
        raise BasemapError(_("the map window {extent} is empty", extent=str(extent)))
    if width < 1 or height < 1:
        raise BasemapError(_("the basemap image needs a size of at least one pixel"))
    if resampling not in ("bilinear", "nearest"):
        raise BasemapError(_("resampling must be bilinear or nearest, not {r}", r=resampling))
    fetcher = fetcher or TileFetcher()
    ex, ey = _lattice(width), _lattice(height)
    lon, lat = _lattice_lonlat(to_wgs84 or wgs84_transformer(crs), (x0, y0, x1, y1), width,
                               height)
    if spec.tile_system == "gcj02":
        lon, lat = wgs84_to_gcj02(lon, lat)
    zoom = _choose_zoom(spec, lon, lat, ex, ey)
    while True:
        wx, wy = lonlat_to_world_px(lon, lat, zoom)
        cols, rows = tiles_covering_px(wx, wy, zoom)
        if len(cols) * len(rows) <= MAX_TILES or zoom <= spec.min_zoom:
            break
        zoom -= 1
    if len(cols) * len(rows) > MAX_TILES:
        raise BasemapError(_("the map window needs more than {n} basemap tiles: zoom in",
                             n=MAX_TILES))
    report(feedback, 0.0, _("basemap: {n} tiles at zoom {z}", n=len(cols) * len(rows) *
                            len(spec.layers), z=zoom))
    mosaic, problems = _mosaic(spec, fetcher, zoom, cols, rows, feedback)
    qx = wx - cols.start * TILE_PX  # lattice positions on the mosaic (pixels)
    qy = wy - rows.start * TILE_PX
    if resampling == "nearest":
        rgba = _sample_nearest(mosaic, _upsample(qx, ex, ey, width, height),
                               _upsample(qy, ex, ey, width, height))
    else:
        rgba = _sample_mesh(mosaic, qx, qy, ex, ey, width, height)
    report(feedback, 1.0, _("basemap ready"))
    return BasemapImage(rgba, (x0, y0, x1, y1), zoom, spec.attribution, tuple(problems))


def tiles_covering_px(wx: np.ndarray, wy: np.ndarray, zoom: int) -> tuple[range, range]:
    """Columns and rows of the tiles under world pixels ``wx, wy`` (one pixel of margin)."""
    n = 1 << zoom
    ok = np.isfinite(wx) & np.isfinite(wy)
    if not ok.any():
        raise BasemapError(_("the map window lies outside the area web maps cover"))
    c0 = int(np.floor((np.min(wx[ok]) - 1) / TILE_PX))
    c1 = int(np.floor((np.max(wx[ok]) + 1) / TILE_PX))
    r0 = int(np.floor((np.min(wy[ok]) - 1) / TILE_PX))
    r1 = int(np.floor((np.max(wy[ok]) + 1) / TILE_PX))
    return range(max(c0, 0), min(c1, n - 1) + 1), range(max(r0, 0), min(r1, n - 1) + 1)


def wgs84_transformer(crs: Any) -> Transformer:
    """Return a transformer from ``crs`` to WGS84 lon/lat (x = lon).

    Raises
    ------
    BasemapError
        For a CRS pyproj cannot use.
    """
    try:
        return Transformer.from_crs(CRS.from_user_input(crs), CRS.from_epsg(4326),
                                    always_xy=True)
    except Exception as exc:  # pyproj raises several types for a CRS it cannot use
        raise BasemapError(_("cannot place a basemap in the coordinate system {crs}: {reason}",
                             crs=str(crs), reason=str(exc))) from exc


def _lattice_lonlat(to_wgs84: Transformer, extent: tuple[float, float, float, float],
                    width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat of a lattice of pixel corners (every ``_LATTICE_PX``, edges included)."""
    x0, y0, x1, y1 = extent
    gx = x0 + _lattice(width) * (x1 - x0) / width
    gy = y1 - _lattice(height) * (y1 - y0) / height
    xx, yy = np.meshgrid(gx, gy)
    lon, lat = to_wgs84.transform(xx, yy, errcheck=False)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _lattice(n: int) -> np.ndarray:
    """Pixel-edge positions of the lattice along a side of ``n`` pixels: 0, 64, ..., n."""
    return np.unique(np.r_[np.arange(0, n, _LATTICE_PX), n]).astype(float)


def _upsample(values: np.ndarray, ex: np.ndarray, ey: np.ndarray, width: int,
              height: int) -> np.ndarray:
    """Bilinear interpolation of lattice values to every pixel centre (vectorised)."""
    ix, wx = _weights(ex, np.arange(width) + 0.5)
    iy, wy = _weights(ey, np.arange(height) + 0.5)
    top = values[iy][:, ix] * (1 - wx) + values[iy][:, ix + 1] * wx
    bottom = values[iy + 1][:, ix] * (1 - wx) + values[iy + 1][:, ix + 1] * wx
    return np.asarray(top * (1 - wy)[:, None] + bottom * wy[:, None])


def _weights(knots: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    i = np.clip(np.searchsorted(knots, pos, side="right") - 1, 0, len(knots) - 2)
    return i, (pos - knots[i]) / (knots[i + 1] - knots[i])


def _choose_zoom(spec: BasemapSpec, lon: np.ndarray, lat: np.ndarray, px: np.ndarray,
                 py: np.ndarray) -> int:
    """Pick the zoom whose tile pixels come closest in size to the output's pixels.

    ``px, py`` are the lattice's pixel positions, so neighbours' distance on the
    zoom-0 world image divided by their distance in output pixels is the size of an
    output pixel at zoom 0.
    """
    wx, wy = lonlat_to_world_px(lon, lat, 0)
    steps = []
    if wx.shape[1] > 1:
        dpx = np.diff(px)[None, :]
        steps.append(np.hypot(np.diff(wx, axis=1), np.diff(wy, axis=1)) / dpx)
    if wx.shape[0] > 1:
        dpy = np.diff(py)[:, None]
        steps.append(np.hypot(np.diff(wx, axis=0), np.diff(wy, axis=0)) / dpy)
    finite = [s[np.isfinite(s) & (s > 0)] for s in steps]
    values = np.concatenate(finite) if finite else np.array([])
    if not len(values):
        return spec.max_zoom
    z = round(-math.log2(float(np.median(values))))
    return int(min(max(z, spec.min_zoom), spec.max_zoom))


def _mosaic(spec: BasemapSpec, fetcher: TileFetcher, zoom: int, cols: range, rows: range,
            feedback: Feedback | None) -> tuple[np.ndarray, list[str]]:
    """Lay the tiles of every layer side by side, upper layers over lower ones."""
    mosaic = np.zeros((len(rows) * TILE_PX, len(cols) * TILE_PX, 4), dtype=np.uint8)
    tiles = [(zoom, x, y) for y in rows for x in cols]
    problems: list[str] = []
    n = len(spec.layers)
    for i in range(n):
        rep = FetchReport()
        got = fetcher.fetch(spec, i, tiles, feedback=sub(feedback, i / n, (i + 1) / n),
                            report_to=rep)
        problems += rep.problems
        for (_z, x, y), tile in got.items():
            if tile is None:
                continue
            r = (y - rows.start) * TILE_PX
            c = (x - cols.start) * TILE_PX
            window = mosaic[r:r + TILE_PX, c:c + TILE_PX]
            if i == 0:
                window[...] = tile
            else:
                window[...] = _over(tile, window)
    return mosaic, list(dict.fromkeys(problems))


def _over(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Porter-Duff 'over' of two straight-alpha RGBA tiles."""
    ta = top[..., 3:4].astype(np.float32) / 255
    ba = bottom[..., 3:4].astype(np.float32) / 255
    out_a = ta + ba * (1 - ta)
    rgb = (top[..., :3] * ta + bottom[..., :3] * ba * (1 - ta)) / np.maximum(out_a, 1e-6)
    return np.concatenate([rgb, out_a * 255], axis=-1).round().astype(np.uint8)


def _sample_nearest(mosaic: np.ndarray, mx: np.ndarray, my: np.ndarray) -> np.ndarray:
    """Colour of the mosaic pixel under each position (transparent outside)."""
    h, w = mosaic.shape[:2]
    ok = np.isfinite(mx) & np.isfinite(my) & (mx >= 0) & (my >= 0) & (mx < w) & (my < h)
    out = mosaic[np.where(ok, my, 0).astype(int), np.where(ok, mx, 0).astype(int)]
    out[~ok] = 0
    return np.ascontiguousarray(out)


def _sample_mesh(mosaic: np.ndarray, qx: np.ndarray, qy: np.ndarray, ex: np.ndarray,
                 ey: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resample the mosaic bilinearly, each lattice cell mapped from its quadrilateral.

    Pillow's mesh transform interpolates positions inside a cell bilinearly from its
    corners, exactly as :func:`_upsample` does, and samples in C.
    """
    from PIL import Image

    mesh = []
    for j in range(len(ey) - 1):
        for i in range(len(ex) - 1):
            quad = (qx[j, i], qy[j, i], qx[j + 1, i], qy[j + 1, i],
                    qx[j + 1, i + 1], qy[j + 1, i + 1], qx[j, i + 1], qy[j, i + 1])
            if all(math.isfinite(v) for v in quad):
                mesh.append(((int(ex[i]), int(ey[j]), int(ex[i + 1]), int(ey[j + 1])),
                             tuple(float(v) for v in quad)))
    source = Image.fromarray(mosaic, "RGBA")
    out = source.transform((width, height), Image.Transform.MESH, mesh,
                           resample=Image.Resampling.BILINEAR, fillcolor=(0, 0, 0, 0))
    return np.ascontiguousarray(np.asarray(out, dtype=np.uint8))


def draw_basemap(ax: Any, *, crs: Any, spec: BasemapSpec, fetcher: TileFetcher | None = None,
                 alpha: float = 1.0, attribution: bool = True,
                 feedback: Feedback | None = None) -> BasemapImage:
    """Draw the basemap under everything on a matplotlib map axes, at its current window.

    Call it once the axes show their final window (after the layers are plotted and
    the aspect set); the window is kept as it was.

    Parameters
    ----------
    ax
        A matplotlib ``Axes`` whose data coordinates are in ``crs``.
    crs
        The map's CRS.
    spec
        The basemap.
    fetcher
        Where tiles come from (default: the user's cache).
    alpha
        Opacity of the basemap.
    attribution
        Write the basemap's credit line in the lower right corner.
    feedback
        Progress and cancellation.

    Returns
    -------
    BasemapImage
        What was drawn.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from matplotlib.figure import Figure
    >>> from PIL import Image
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "0" / "0").mkdir(parents=True)
    >>> Image.new("RGB", (256, 256), "red").save(root / "0" / "0" / "0.png")
    >>> ax = Figure(figsize=(2, 2), dpi=50).add_subplot()
    >>> ax.set_xlim(0, 10), ax.set_ylim(40, 50)  # doctest: +ELLIPSIS
    (...)
    >>> from gridplanner.basemap import parse_basemap
    >>> img = draw_basemap(ax, crs=4326, spec=parse_basemap(str(root)))  # zoom 0 only
    >>> [float(v) for v in ax.get_xlim()], img.rgba[0, 0].tolist()
    ([0.0, 10.0], [255, 0, 0, 255])
    """
    ax.apply_aspect()
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    bbox = ax.get_window_extent()
    size = (max(round(bbox.width), 1), max(round(bbox.height), 1))
    box = (min(xlim), min(ylim), max(xlim), max(ylim))
    image = compose(spec, box, crs=crs, size_px=size, fetcher=fetcher, feedback=feedback)
    x0, y0, x1, y1 = image.extent
    ax.imshow(image.rgba, extent=(x0, x1, y0, y1), origin="upper", zorder=-10, alpha=alpha,
              interpolation="nearest", aspect=ax.get_aspect(), resample=False)
    ax.set_autoscale_on(False)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    if attribution and image.attribution:
        ax.text(0.995, 0.005, image.attribution, transform=ax.transAxes, ha="right",
                va="bottom", fontsize=6, color="#333333", zorder=10,
                bbox={"facecolor": "white", "alpha": 0.6, "linewidth": 0, "pad": 1})
    return image
