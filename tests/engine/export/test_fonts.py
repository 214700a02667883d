"""Chinese text in drawn maps does not depend on matplotlib's font cache."""

from __future__ import annotations

import copy

from matplotlib import font_manager

from gridplanner.export import fonts


def test_cjk_font_found_by_file_even_when_the_cache_predates_it(monkeypatch):
    stale = copy.copy(font_manager.fontManager)
    # A cache built before the CJK font was installed knows no CJK family.
    stale.ttflist = [f for f in stale.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager, "fontManager", stale)
    monkeypatch.setattr(fonts, "_registered", None)
    assert fonts.cjk_font_files(), "install fonts-noto-cjk (scripts/install-system-deps.sh)"
    families = fonts.cjk_families()
    assert families[0] == "Noto Sans CJK SC"
    assert families[-1] == "DejaVu Sans"
    found = stale.findfont(font_manager.FontProperties(family=families[0]),
                           fallback_to_default=False)
    assert "NotoSansCJK" in found


def test_a_font_named_by_the_environment_is_used(monkeypatch, tmp_path):
    path = fonts.cjk_font_files()[0]
    monkeypatch.setenv("GRIDPLANNER_FONT", str(path))
    assert fonts.cjk_font_files(folders=())[0] == path
