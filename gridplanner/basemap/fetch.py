"""Fetch basemap tiles: from servers (concurrently, through a disk cache), folders or MBTiles.

Network tiles are kept in a per-user cache folder (:func:`default_cache_dir`) and
used again until they are older than ``max_age_days``; an expired tile that can no
longer be fetched (the network is down) is still used. Requests carry a
User-Agent naming GridPlanner (OpenStreetMap's tile policy asks for one) and a
timeout. What goes wrong is sorted into a few readable reasons (no network, key
refused, server error, not an image); a reason that would repeat for every tile
(no network, key refused) stops the remaining requests at once.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gridplanner import __version__ as _version
from gridplanner.basemap.sources import BasemapError, BasemapSpec
from gridplanner.basemap.tiles import TILE_PX, tms_row
from gridplanner.errors import Cancelled
from gridplanner.feedback import Feedback, report
from gridplanner.i18n import _

#: Environment variable that moves the tile cache.
CACHE_ENV = "GRIDPLANNER_TILE_CACHE"
USER_AGENT = f"GridPlanner/{_version} (grid governance planning; +https://gridplanner.org)"
#: HTTP statuses that mean "this tile does not exist" (drawn empty, not an error).
_MISSING = {204, 404}

Tile = tuple[int, int, int]  # z, x, y (XYZ rows)


def default_cache_dir() -> Path:
    r"""Return the per-user tile cache folder (``GRIDPLANNER_TILE_CACHE`` moves it).

    Linux: ``$XDG_CACHE_HOME/gridplanner/tiles`` (``~/.cache/...``); Windows:
    ``%LOCALAPPDATA%\GridPlanner\cache\tiles``;
    macOS: ``~/Library/Caches/GridPlanner/tiles``.
    """
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "GridPlanner" / "cache" / "tiles"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "GridPlanner" / "tiles"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "gridplanner" / "tiles"


@dataclass
class FetchReport:
    """What a fetch did: tiles from the network, from the cache, missing, and problems."""

    downloaded: int = 0
    from_cache: int = 0
    missing: int = 0
    problems: list[str] = field(default_factory=list)


class _FatalError(Exception):
    """A reason that would repeat for every tile: stop asking."""


class TileFetcher:
    """Get tiles of one basemap layer as RGBA arrays.

    Parameters
    ----------
    cache_dir
        Folder of the disk cache (default :func:`default_cache_dir`); ``None`` there
        and ``use_cache=False`` turns caching off.
    max_age_days
        Cached tiles older than this are fetched again.
    timeout_s
        Time allowed for one request.
    workers
        Parallel requests.
    use_cache
        Keep and reuse downloaded tiles.
    """

    def __init__(self, *, cache_dir: str | Path | None = None, max_age_days: float = 30.0,
                 timeout_s: float = 10.0, workers: int = 8, use_cache: bool = True) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.max_age_s = max_age_days * 86400.0
        self.timeout_s = timeout_s
        self.workers = max(int(workers), 1)
        self.use_cache = use_cache

    # ---------------------------------------------------------------- public
    def fetch(self, spec: BasemapSpec, layer: int, tiles: Sequence[Tile], *,
              feedback: Feedback | None = None,
              report_to: FetchReport | None = None) -> dict[Tile, np.ndarray | None]:
        """Return each tile as a ``(256, 256, 4)`` uint8 array, or None where it is missing.

        Raises
        ------
        BasemapError
            When no tile at all could be had, with the reason (a partial failure is
            listed in ``report_to.problems`` and the tiles left empty).
        Cancelled
            When ``feedback`` asks to stop.
        """
        rep = report_to if report_to is not None else FetchReport()
        source = spec.layers[layer]
        if spec.kind == "folder":
            return {t: self._read_folder(Path(source), t, rep) for t in tiles}
        if spec.kind == "mbtiles":
            return self._read_mbtiles(Path(source), tiles, rep)
        return self._fetch_remote(spec, source, tiles, feedback, rep)

    # ----------------------------------------------------------------- local
    @staticmethod
    def _read_folder(root: Path, tile: Tile, rep: FetchReport) -> np.ndarray | None:
        z, x, y = tile
        for ext in (".png", ".jpg", ".jpeg", ".webp"):
            path = root / str(z) / str(x) / f"{y}{ext}"
            if path.is_file():
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    rep.problems.append(_("cannot read {path}: {reason}", path=str(path),
                                          reason=exc.strerror or str(exc)))
                    return None
                return _decode(data, str(path), rep)
        rep.missing += 1
        return None

    @staticmethod
    def _read_mbtiles(path: Path, tiles: Sequence[Tile],
                      rep: FetchReport) -> dict[Tile, np.ndarray | None]:
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise BasemapError(_("cannot open the MBTiles file {path}: {reason}",
                                 path=str(path), reason=str(exc))) from exc
        out: dict[Tile, np.ndarray | None] = {}
        try:
            for z, x, y in tiles:
                row = con.execute(
                    "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? "
                    "AND tile_row=?", (z, x, tms_row(y, z))).fetchone()
                if row is None:
                    rep.missing += 1
                    out[(z, x, y)] = None
                else:
                    out[(z, x, y)] = _decode(bytes(row[0]), f"{path.name} {z}/{x}/{y}", rep)
        except sqlite3.Error as exc:
            raise BasemapError(_(
                "{path} is not a readable MBTiles file ({reason}): it needs a table "
                "tiles(zoom_level, tile_column, tile_row, tile_data)", path=str(path),
                reason=str(exc))) from exc
        finally:
            con.close()
        return out

    # ---------------------------------------------------------------- remote
    def _cache_path(self, spec: BasemapSpec, template: str, tile: Tile) -> Path:
        # The template (never the key) names the cache: a new key reuses the tiles.
        digest = hashlib.sha1(template.encode("utf-8")).hexdigest()[:12]
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in spec.name)[:40]
        z, x, y = tile
        return self.cache_dir / f"{stem}-{digest}" / str(z) / str(x) / f"{y}.tile"

    def _fetch_remote(self, spec: BasemapSpec, template: str, tiles: Sequence[Tile],
                      feedback: Feedback | None,
                      rep: FetchReport) -> dict[Tile, np.ndarray | None]:
        out: dict[Tile, np.ndarray | None] = {}
        todo: list[Tile] = []
        now = time.time()
        stale: dict[Tile, Path] = {}
        for tile in tiles:
            path = self._cache_path(spec, template, tile)
            if self.use_cache and path.is_file():
                if now - path.stat().st_mtime <= self.max_age_s:
                    out[tile] = _decode_cached(path, rep)
                    rep.from_cache += 1
                    continue
                stale[tile] = path
            todo.append(tile)
        if not todo:
            return out
        fatal: list[str] = []
        failed: list[str] = []
        pool = ThreadPoolExecutor(max_workers=min(self.workers, len(todo)),
                                  thread_name_prefix="tiles")
        stopped = True
        try:
            pending: set[Future[np.ndarray | None]] = set()
            owner: dict[Future[np.ndarray | None], Tile] = {}
            for tile in todo:
                fut = pool.submit(self._get_one, spec, template, tile, rep)
                pending.add(fut)
                owner[fut] = tile
            done_n = 0
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                if feedback is not None and feedback.is_cancelled():
                    raise Cancelled()
                for fut in finished:
                    done_n += 1
                    tile = owner[fut]
                    try:
                        out[tile] = fut.result()
                    except _FatalError as exc:
                        fatal.append(str(exc))
                    except BasemapError as exc:
                        failed.append(exc.message)
                        out[tile] = None
                if fatal:
                    break
                report(feedback, done_n / len(todo),
                       _("basemap tiles {done} of {total}", done=done_n, total=len(todo)))
            stopped = bool(fatal)
        finally:
            # After a cancel or a reason that repeats, requests in flight are left to end
            # on their own (within the timeout) rather than waited for.
            pool.shutdown(wait=not stopped, cancel_futures=True)
        # An expired tile is better than none when the server cannot be reached.
        for tile, path in stale.items():
            if out.get(tile) is None:
                out[tile] = _decode_cached(path, rep)
                rep.from_cache += 1
        got = sum(v is not None for v in out.values())
        reasons = fatal or failed
        if reasons and got == 0 and rep.missing < len(tiles):
            raise BasemapError(reasons[0])
        rep.problems.extend(dict.fromkeys(reasons))
        return out

    def _get_one(self, spec: BasemapSpec, template: str, tile: Tile,
                 rep: FetchReport) -> np.ndarray | None:
        url = tile_url(spec, template, tile)
        shown = urllib.parse.urlsplit(url).netloc or url
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                       "Accept": "image/*"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                status = getattr(response, "status", 200)
                data = response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
            if status in _MISSING:
                rep.missing += 1
                return None
            if status in (401, 403):
                raise _FatalError(_(
                    "the tile server {host} refused access (HTTP {code}): check the key "
                    "(Tianditu needs a browser-type key from console.tianditu.gov.cn) or the "
                    "server's terms of use", host=shown, code=status)) from None
            if status == 429:
                raise _FatalError(_("the tile server {host} asks to slow down (HTTP 429): try "
                               "again later or use a local tile folder", host=shown)) from None
            raise BasemapError(_("the tile server {host} answered HTTP {code}: try again "
                                 "later", host=shown, code=status)) from None
        except TimeoutError:
            raise _FatalError(_("the tile server {host} did not answer within {s:g} s: check the "
                           "network, or use a local tile folder or MBTiles file offline",
                           host=shown, s=self.timeout_s)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _FatalError(_("cannot reach the tile server {host} ({reason}): no network? On "
                           "an offline network use a local tile folder or MBTiles file",
                           host=shown, reason=str(reason))) from None
        if status in _MISSING or not data:
            rep.missing += 1
            return None
        array = _decode(data, shown, rep)
        if array is None:
            raise _FatalError(_("the tile server {host} sent something that is not an image "
                           "(a wrong URL or a refused key?)", host=shown))
        rep.downloaded += 1
        if self.use_cache:
            _write_atomic(self._cache_path(spec, template, tile), data)
        return array


def tile_url(spec: BasemapSpec, template: str, tile: Tile) -> str:
    """Return the URL of one tile (subdomain chosen from the tile, key filled in).

    Examples
    --------
    >>> spec = BasemapSpec("t", "xyz", ("https://{s}.t/{z}/{x}/{-y}.png?k={key}",),
    ...                    subdomains=("a", "b"), key="K")
    >>> tile_url(spec, spec.layers[0], (2, 1, 0))
    'https://b.t/2/1/3.png?k=K'
    """
    z, x, y = tile
    sub = spec.subdomains[(x + y) % len(spec.subdomains)] if spec.subdomains else ""
    return (template.replace("{z}", str(z)).replace("{x}", str(x))
            .replace("{-y}", str(tms_row(y, z))).replace("{y}", str(y))
            .replace("{s}", sub).replace("{key}", urllib.parse.quote(spec.key)))


def _decode(data: bytes, where: str, rep: FetchReport) -> np.ndarray | None:
    """PNG/JPEG/WebP bytes to a (256, 256, 4) uint8 array; None (and a problem) if not."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            rgba = img.convert("RGBA")
            if rgba.size != (TILE_PX, TILE_PX):
                rgba = rgba.resize((TILE_PX, TILE_PX), Image.Resampling.BILINEAR)
            return np.asarray(rgba, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError):
        rep.problems.append(_("{where} is not an image", where=where))
        return None


def _decode_cached(path: Path, rep: FetchReport) -> np.ndarray | None:
    try:
        return _decode(path.read_bytes(), str(path), rep)
    except OSError:
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a cache file so a reader never sees half of it (a full cache is no error)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass


def clear_cache(cache_dir: str | Path | None = None) -> int:
    """Delete every cached tile; return how many files went."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    n = 0
    for path in _files(root):
        try:
            path.unlink()
            n += 1
        except OSError:
            pass
    return n


def _files(root: Path) -> Iterable[Path]:
    return (p for p in root.rglob("*.tile")) if root.is_dir() else ()
