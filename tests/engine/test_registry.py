"""The analysis registry: one declaration drives the API and the command line."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pyogrio
import pytest

from gridplanner.analyses import Analysis, AnalysisResult, analyses, get, option_info, run
from gridplanner.cli import EXIT_ERROR, main
from gridplanner.context import AnalysisContext
from gridplanner.errors import AnalysisError
from gridplanner.project import open_project


def test_every_registered_analysis_is_a_subcommand_with_its_options(capsys):
    for analysis in analyses():
        with pytest.raises(SystemExit):
            main([analysis.name, "--help"])
        text = capsys.readouterr().out
        for f in analysis.fields():
            info = option_info(f)
            flag = info.negate or info.flag or "--" + f.name.replace("_", "-")
            assert flag in text, (analysis.name, flag)


def test_options_are_checked_with_their_range_and_choices():
    with pytest.raises(AnalysisError, match="--k 0 is out of range"):
        get("allocate").make_options({"k": 0})
    with pytest.raises(AnalysisError, match="not one of"):
        get("allocate").make_options({"role": "chef"})
    with pytest.raises(AnalysisError, match="unknown option"):
        get("coverage").make_options({"buildings": False})
    assert get("coverage").make_options({"use_buildings": False}).use_buildings is False


def test_command_line_rejects_out_of_range_option(sample_project_file, tmp_path, capsys):
    code = main(["allocate", str(sample_project_file), "--k", "0",
                 "--out", str(tmp_path / "a.gpkg")])
    assert code == EXIT_ERROR
    assert "out of range" in capsys.readouterr().err


#: Flags (and the same values for the Python API) of the analyses that need some or
#: are quicker with some; every other analysis runs with its defaults.
FLAGS: dict[str, tuple[list[str], dict[str, object]]] = {
    "coverage": (["--no-buildings"], {"use_buildings": False}),
    "site-cameras": (["-k", "2", "--no-buildings"], {"k": 2, "use_buildings": False}),
    "allocate": (["--within-grid"], {"within_grid": True}),
    "place": (["-n", "2"], {"n": 2}),
    "balance": (["--min", "250"], {"min_households": 250}),
    "route": (["--at", "0,0"], {"at": "0,0"}),
    "link-members": (["--capacity", "12"], {"capacity_households": 12}),
    "incidents": (["--by", "community"], {"by": "community"}),
}


@pytest.mark.parametrize("name", [a.name for a in analyses()])
def test_command_line_and_python_api_give_the_same_layers(sample_project_file, tmp_path, name):
    argv, values = FLAGS.get(name, ([], {}))
    out = tmp_path / f"{name}.gpkg"
    code = main([name, str(sample_project_file), *argv, "--out", str(out)])
    api = run(name, AnalysisContext.of(open_project(sample_project_file)), **values)
    assert code == api.exit_code
    written = {n for n, _ in pyogrio.list_layers(out)}
    assert written == set(api.layers)
    for layer, frame in api.layers.items():
        back = pyogrio.read_dataframe(out, layer=layer)
        assert len(back) == len(frame), layer
        assert set(back.columns) - {"geometry"} == set(frame.columns) - {"geometry"}, layer


def test_the_flags_above_name_registered_analyses():
    assert set(FLAGS) <= {a.name for a in analyses()}


def test_every_text_the_app_shows_of_an_analysis_has_chinese():
    from gridplanner import i18n

    texts = set()
    for analysis in analyses():
        texts |= {analysis.title, analysis.help}
        for f in analysis.fields():
            info = option_info(f)
            texts |= {info.form_label, info.help} | ({info.unit} - {"", "%"})
    missing = sorted(t for t in texts if i18n.gettext(t, lang="zh_CN") == t)
    assert missing == []


def test_every_analysis_is_declared_the_same_way():
    """Frozen keyword-only options with described fields and units, one run signature."""
    import dataclasses
    import inspect

    names = [a.name for a in analyses()]
    assert len(names) == len(set(names))
    for analysis in analyses():
        opts = analysis.options
        assert dataclasses.is_dataclass(opts), analysis.name
        assert opts.__dataclass_params__.frozen, analysis.name
        for f in analysis.fields():
            assert f.kw_only, (analysis.name, f.name)
            info = option_info(f)
            assert f.metadata.get("gridplanner") is info, (analysis.name, f.name)
            if info.unit:  # a measured option names its unit
                assert f.name.endswith(("_m", "_deg", "_s", "_pct", "_households")), (
                    analysis.name, f.name)
        params = list(inspect.signature(analysis.run).parameters)
        assert len(params) == 3, (analysis.name, params)


@dataclasses.dataclass(frozen=True)
class _NoOptions:
    pass


def _staff_copy(ctx, options, feedback):
    staff = ctx.layer("staff")
    return AnalysisResult("staff-copy", {"staff_copy": staff},
                          pd.DataFrame(staff.drop(columns="geometry")), "copied")


@pytest.mark.parametrize(("suffix", "adds_layer"), [(".gpkg", False), (".gpkg", True),
                                                    (".geojson", True), (".csv", False),
                                                    (".xlsx", False)])
def test_analysis_outputs_leave_out_personal_columns_unless_asked(
        sample_project_file, tmp_path, monkeypatch, suffix, adds_layer):
    from gridplanner.analyses import registry

    monkeypatch.setitem(registry._REGISTRY, "staff-copy", Analysis(
        "staff-copy", "Staff", "copy the staff layer", _NoOptions, _staff_copy,
        adds_layer=adds_layer, out_suffixes=(".gpkg", ".geojson", ".csv", ".xlsx")))

    def columns(*flags):
        out = tmp_path / f"staff{len(flags)}{suffix}"
        assert main(["staff-copy", str(sample_project_file), *flags, "--out", str(out)]) == 0
        if suffix == ".csv":
            return set(pd.read_csv(out, encoding="utf-8-sig").columns)
        if suffix == ".xlsx":
            return set(pd.read_excel(out, sheet_name="staff_copy").columns)
        return set(pyogrio.read_dataframe(out).columns)

    assert {"staff_id", "role"} <= columns()
    assert not {"name", "phone", "id_number"} & columns()
    assert {"name", "phone", "id_number"} <= columns("--include-personal")
