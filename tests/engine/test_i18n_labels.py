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
