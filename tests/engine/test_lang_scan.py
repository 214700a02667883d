"""Every command's printed output is in the language asked for with ``--lang``.

Each command runs in-process on a copy of the sample district. With ``--lang zh_CN``
its output (stdout and stderr) holds no English word outside an allow-list of
codes, units, ids, proper names and file paths; with ``--lang en`` no Chinese
character outside values taken from the data.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from gridplanner.analyses import analyses
from gridplanner.cli import main
from gridplanner.i18n import set_language
from layers.schema import LAYER_NAMES, SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "sample_district.gpkg"

#: Words that may stay in Latin letters in Chinese output: units, file formats,
#: proper names of measures and coordinate systems, the scenario name of the base data.
ALLOWED = {
    "m", "km", "s", "x", "y", "EPSG", "CGCS", "Gauss-Kruger", "CM", "degree", "E",
    "Polsby-Popper", "Reock", "GeoPackage", "GeoJSON", "CSV", "gpkg", "csv", "xlsx",
    "html", "png", "json", "geojson", "current", "KEY", "VALUE", "FILE", "true", "false",
    "walk_cutoff_m",
    # the 1+1+1+X work group, and p (a p-value) of the incident statistics
    "X", "p",
}
#: Layer, column, result layer and command names are codes: they name what is in a
#: file or what to type.
CODES = (set(LAYER_NAMES) | {c for s in SCHEMAS.values() for c in s.column_names}
         | {"geometry", "assignments", "unassigned"} | {a.name for a in analyses()})

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A copy of the sample project and a folder for outputs, shared by the module."""
    folder = tmp_path_factory.mktemp("lang")
    project = folder / "sample.gpkg"
    shutil.copy(SAMPLE, project)
    return folder, project


@pytest.fixture(autouse=True)
def english_after():
    yield
    set_language("en")


def _commands(folder: Path, project: Path, lang: str) -> list[list[str]]:
    p, out = str(project), folder / lang
    out.mkdir(exist_ok=True)
    return [
        ["info", p], ["validate", p], ["check", p], ["network", p],
        ["coverage", p, "--out", str(out / "coverage.gpkg")],
        ["site-cameras", p, "-k", "3", "--out", str(out / "sites.gpkg")],
        ["allocate", p, "--grid-heads", "--out", str(out / "alloc.gpkg")],
        ["grid-heads", p, "--out", str(out / "heads.gpkg")],
        ["place", p, "-n", "2", "--out", str(out / "place.gpkg")],
        ["service-areas", p, "--out", str(out / "service.gpkg")],
        ["balance", p, "--out", str(out / "balance.gpkg")],
        ["route", p, "--at", "465000,3218000"],
        ["scenario", "create", p, f"plan_{lang}", "--set", "walk_cutoff_m=1500",
         "--description", "p1"],
        ["scenario", "list", p], ["scenario", "show", p, f"plan_{lang}"],
        ["compare", p, "current", f"plan_{lang}", "--no-coverage",
         "--out", str(out / "report.xlsx")],
        ["export-results", p, "--no-coverage", "--out", str(out / "results.xlsx")],
        ["scenario", "delete", p, f"plan_{lang}"],
        ["organisation", p, "--out", str(out / "organisation.gpkg")],
        ["incidents", p, "--out", str(out / "incidents.xlsx")],
        ["link-members", p, "--out", str(out / "members.gpkg")],
        ["export-map", p, "--no-coverage", "--out", str(out / "map.html")],
        ["export-png", p, "--no-coverage", "--out", str(out / "map.png")],
        ["export-atlas", p, "--grids", "330702001001001", "--out", str(out / "atlas.pdf")],
        # errors: a missing file, a bad option value, a missing layer file
        ["info", str(folder / "missing.gpkg")],
        ["place", p, "-n", "0", "--out", str(out / "x.gpkg")],
        ["route", p, "--points", str(folder / "none.csv")],
    ]


def _run(args: list[str], lang: str, capsys) -> str:
    main(["--lang", lang, *args])
    captured = capsys.readouterr()
    return captured.out + captured.err


def data_values(project: Path) -> set[str]:
    """Every text value of the project's layers (names and kinds from the data)."""
    import geopandas as gpd

    values: set[str] = set()
    for layer in LAYER_NAMES:
        try:
            frame = gpd.read_file(project, layer=layer, ignore_geometry=True)
        except Exception:
            continue
        for col in frame.columns:
            if not pd.api.types.is_numeric_dtype(frame[col]):
                values |= {str(v) for v in frame[col].dropna().unique()}
    return values


def english_words(text: str, paths: list[str], data: set[str] = frozenset()) -> list[str]:
    """Latin-letter words of ``text`` that are not codes, units, ids, flags, paths or data."""
    for path in sorted(paths, key=len, reverse=True):
        text = text.replace(path, " ")
    words = []
    for token in _CJK.sub(" ", text).split():
        if "/" in token or "\\" in token or token.startswith("-"):
            continue  # file paths and command-line flags
        if any(ch.isdigit() for ch in token):
            continue  # ids and codes such as C001415 or 330702001001008
        for word in _WORD.findall(token):
            if (word in ALLOWED or word in CODES or word in data or "_" in token
                    or "::" in token):
                continue
            words.append(word)
    return words


def test_the_scan_finds_english_and_lets_codes_pass():
    text = "网格 330702001 有 623 户 in band; 图层 grids, C001415, 1.2 km, /tmp/a.gpkg --all"
    assert english_words(text, []) == ["in", "band"]


@pytest.mark.slow
def test_every_command_speaks_chinese_with_lang_zh_cn(workspace, capsys):
    folder, project = workspace
    data = data_values(project)
    found = {}
    for args in _commands(folder, project, "zh_CN"):
        text = _run(args, "zh_CN", capsys)
        words = english_words(text, [str(folder), str(project), str(ROOT)], data)
        if words:
            found[" ".join(args[:2])] = sorted(set(words))
    assert found == {}


@pytest.mark.slow
def test_every_command_speaks_english_with_lang_en(workspace, capsys):
    folder, project = workspace
    data = data_values(project)
    found = {}
    for args in _commands(folder, project, "en"):
        text = _run(args, "en", capsys)
        for value in sorted(data, key=len, reverse=True):
            if _CJK.search(value):
                text = text.replace(value, " ")
        chinese = _CJK.findall(text)
        if chinese:
            found[" ".join(args[:2])] = "".join(sorted(set(chinese)))
    assert found == {}
