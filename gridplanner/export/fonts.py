"""CJK fonts for drawn maps, found by file so a stale font cache cannot hide them.

matplotlib lists fonts from a cache built on first use; a cache built before a CJK
font was installed draws every Chinese character as an empty box until it is rebuilt.
The font files are looked up on disk and registered with matplotlib directly.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

#: Family names, best first, and the file names they come in.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "Microsoft YaHei", "SimHei", "Noto Sans CJK JP")
_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "SourceHanSansSC-Regular.otf",
          "wqy-zenhei.ttc", "msyh.ttc", "msyh.ttf", "simhei.ttf", "NotoSansCJK-Bold.ttc")
_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
            "/System/Library/Fonts", "/Library/Fonts", "C:/Windows/Fonts")
_lock = threading.Lock()
_registered: list[str] | None = None


def cjk_font_files(folders: tuple[str, ...] = _FOLDERS) -> list[Path]:
    """CJK font files found under the usual font folders (and ``GRIDPLANNER_FONT``)."""
    found: list[Path] = []
    extra = os.environ.get("GRIDPLANNER_FONT")
    if extra and Path(extra).is_file():
        found.append(Path(extra))
    wanted = {name.lower() for name in _FILES}
    for folder in folders:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            found.extend(Path(dirpath) / f for f in files if f.lower() in wanted)
    return found


def cjk_families() -> list[str]:
    """Font families to draw Chinese text with, best first (DejaVu Sans last).

    The first call registers the CJK font files found on disk with matplotlib.
    """
    global _registered
    from matplotlib import font_manager

    with _lock:
        if _registered is None:
            for path in cjk_font_files():
                try:
                    font_manager.fontManager.addfont(str(path))
                except (OSError, RuntimeError, ValueError):
                    continue  # unreadable file: the others may do
            names = {f.name for f in font_manager.fontManager.ttflist}
            _registered = [n for n in CJK_FAMILIES if n in names]
    return [*_registered, "DejaVu Sans"]
