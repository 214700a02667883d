"""Figure, column and word labels come from the message catalogue."""

from __future__ import annotations

import pytest

from gridplanner import i18n
from gridplanner.scenarios.labels import (
    FIGURES,
    WORDS,
    WORDS_ZH,
    column_label,
    figure_label,
    word_label,
)


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def test_figures_keep_their_order_units_and_direction():
    assert list(FIGURES)[:2] == ["staff_grid_head", "staff_full_time"]
    assert len(FIGURES) == 38
    assert FIGURES["walk_mean_m"].unit == "m"
    assert FIGURES["walk_mean_m"].better == "lower"
    assert FIGURES["coverage_households_all"].better == "higher"
    assert FIGURES["staff_grid_head"].better == ""
    assert {f.better for f in FIGURES.values()} == {"", "lower", "higher"}


def test_every_figure_has_a_chinese_label():
    cat = i18n.catalogue("zh_CN")
    missing = [key for key, f in FIGURES.items() if cat.lookup(f.label, context="figure") is None]
    assert missing == []
    assert figure_label("walk_p95_m", lang="zh_CN") == "步行距离95分位(米)"
    assert figure_label("walk_p95_m", lang="en") == "Walking distance, 95th percentile (m)"
    i18n.set_language("zh_CN")
    assert figure_label("grids_total") == "网格数"
    assert FIGURES["grids_total"].title(lang="en") == "Grids"


def test_column_labels_in_both_spellings_of_the_option():
    assert column_label("grid_id", chinese=True) == "网格编码"
    assert column_label("grid_id", chinese=False) == "grid_id"
    assert column_label("households [plan B]", chinese=True) == "住户数 [plan B]"
    assert column_label("households [plan B]", lang="zh_CN") == "住户数 [plan B]"
    assert column_label("unknown_col", lang="zh_CN") == "unknown_col"
    assert column_label("grid_id") == "grid_id"
    i18n.set_language("zh_CN")
    assert column_label("grid_id") == "网格编码"
    assert column_label("grid_id", chinese=False) == "grid_id"


def test_words_of_exported_tables():
    assert WORDS_ZH["role"] == "角色变化"
    assert WORDS_ZH["police"] == "网格警长"
    assert WORDS_ZH.get("in band") == "适中"
    assert WORDS_ZH.get("nonsense", "x") == "x"
    assert "grid_head" in WORDS_ZH
    assert "Grid" not in WORDS_ZH
    assert set(WORDS_ZH) == set(WORDS)
    assert all(WORDS_ZH[w] != w for w in WORDS)
    assert word_label("full_time", lang="zh_CN") == "专职网格员"
    assert word_label("full_time", lang="en") == "full_time"


#: Chinese written in the code that is not a label: words read from users' files
#: (value and source aliases), language names and Chinese terms inside English help.
_NOT_LABELS = {
    "gridplanner/analyses/organisation.py", "gridplanner/basemap/sources.py",
    "gridplanner/cli/cmd_project.py", "gridplanner/coverage/incremental.py",
    "gridplanner/network/graph.py", "gridplanner/osm/tags.py",
    "gridplanner/scenarios/model.py", "gridplanner/settings.py",
    "ui/canvas/render.py", "ui/main_window.py",
}


def test_chinese_labels_live_only_in_the_catalogue():
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).parents[2]
    chinese = re.compile(r"[\u4e00-\u9fff]")
    found = []
    for path in sorted([*(root / "gridplanner").rglob("*.py"), *(root / "ui").rglob("*.py")]):
        name = path.relative_to(root).as_posix()
        if name.startswith("gridplanner/i18n/") or name in _NOT_LABELS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {id(node.body[0].value) for node in ast.walk(tree)  # docstrings
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
                and node.body and isinstance(node.body[0], ast.Expr)}
        skip |= {id(c) for node in ast.walk(tree)  # descriptions stored with the data
                 if isinstance(node, ast.keyword) and node.arg == "description"
                 for c in ast.walk(node.value)}
        found += [f"{name}:{node.lineno} {node.value[:30]}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in skip and chinese.search(node.value)]
    assert found == []
