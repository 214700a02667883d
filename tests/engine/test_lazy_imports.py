"""Light modules import without the heavy libraries (start-up time of every command)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded_after(statement: str, modules: list[str]) -> list[str]:
    code = (f"import sys\n{statement}\n"
            f"print(','.join(m for m in {modules!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return [m for m in out.stdout.strip().split(",") if m]


@pytest.mark.parametrize("statement", [
    "import layers.errors, layers.schema",
    "from layers import Problem, SchemaError",
    "import gridplanner.errors",
    "from gridplanner.analyses.registry import Analysis, option",
    "import gridplanner.cli, gridplanner.cli.common",
])
def test_light_modules_do_not_import_geopandas_or_scipy(statement: str) -> None:
    assert _loaded_after(statement, ["geopandas", "scipy", "pyogrio", "ortools"]) == []


def test_layers_names_still_resolve() -> None:
    import layers

    assert layers.validate.__module__ == "layers.validate"
    assert "households" in layers.LAYER_NAMES
    with pytest.raises(AttributeError):
        _ = layers.no_such_name  # type: ignore[attr-defined]


def test_layers_validate_is_the_function_after_its_module_loads() -> None:
    out = subprocess.run([sys.executable, "-c",
                          "import layers.validate\nfrom layers import validate\n"
                          "import layers\nprint(callable(validate), callable(layers.validate))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_the_command_line_parser_needs_no_solver_or_graph_library() -> None:
    loaded = _loaded_after("from gridplanner.cli import build_parser\nbuild_parser()",
                           ["scipy", "ortools", "networkx", "folium", "matplotlib"])
    assert loaded == []
