"""Every legend (web map, PNG and atlas, app) labels its classes by one rule."""

from __future__ import annotations

import pytest

from gridplanner.export.cartography import scheme_handles
from gridplanner.export.webmap import COLOR_BY, _legend


@pytest.mark.parametrize("color_by", [k for k, s in COLOR_BY.items() if not s.categories])
def test_web_and_printed_legends_label_classes_alike(color_by):
    scheme = COLOR_BY[color_by]
    printed = [h.get_label() for h in scheme_handles(color_by, lang="en")][:len(scheme.colors)]
    web = [item["label"] for item in _legend(scheme)[0]["items"]][:len(scheme.colors)]
    assert printed == web
    assert printed[-1].startswith("≥ ")
    assert all(" – " in label for label in printed[:-1])


def test_coverage_classes_read_with_their_unit():
    labels = [h.get_label() for h in scheme_handles("coverage", lang="en")]
    assert labels[:2] == ["0 – 20 %", "20 – 40 %"]
    assert labels[4] == "≥ 80 %"
