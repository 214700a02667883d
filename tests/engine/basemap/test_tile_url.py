"""The web map's --tile-url is checked before any analysis runs."""

from __future__ import annotations

import pytest

from gridplanner.basemap.sources import BasemapError, tile_template
from gridplanner.cli import EXIT_ERROR, main


@pytest.mark.parametrize("url", ["abc", "", "https://server/tiles/{z}/{x}.png",
                                 "ftp://server/{z}/{x}/{y}.png", "/tiles/{z}/{x}/{y}.png"])
def test_a_tile_url_without_its_fields_is_refused(url):
    with pytest.raises(BasemapError, match="lacks"):
        tile_template(url)


@pytest.mark.parametrize(("url", "template"), [
    ("https://s/{z}/{x}/{y}.png", "https://s/{z}/{x}/{y}.png"),
    (" http://s/{z}/{x}/{-y}.png ", "http://s/{z}/{x}/{-y}.png"),
    ("https://s/wmts?M={TILEMATRIX}&R={TILEROW}&C={TILECOL}", "https://s/wmts?M={z}&R={y}&C={x}"),
])
def test_tile_templates_are_kept_or_renamed_to_xyz(url, template):
    assert tile_template(url) == template


def test_export_map_refuses_a_bad_tile_url_before_writing(sample_project_file, tmp_path, capsys):
    out = tmp_path / "map.html"
    code = main(["export-map", str(sample_project_file), "--out", str(out),
                 "--tile-url", "abc"])
    assert code == EXIT_ERROR
    assert "lacks" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("kind", ["pipe", "folder", "device"])
def test_an_mbtiles_name_that_is_no_file_says_what_it_is(tmp_path, kind):
    import os

    from gridplanner.basemap.sources import parse_basemap

    path = tmp_path / "tiles.mbtiles"
    if kind == "pipe":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    words = {"pipe": "named pipe", "folder": "folder", "device": "device"}[kind]
    with pytest.raises(BasemapError, match=words):
        parse_basemap(str(path))
