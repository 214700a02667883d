"""Library warnings stay out of the command line's output unless --debug asks."""

from __future__ import annotations

import argparse
import warnings

import pytest

from gridplanner.cli import EXIT_OK, cmd_project, main


def _warning_info(args: argparse.Namespace) -> int:
    warnings.warn_explicit("Glyph 65533 missing from font(s)", UserWarning,
                           "matplotlib/backend_agg.py", 1, module="matplotlib.backends")
    warnings.warn_explicit("unable to read srs_id '4549'", RuntimeWarning, "pyogrio/raw.py", 2,
                           module="pyogrio.raw")
    print("done")
    return EXIT_OK


@pytest.fixture
def warning_command(monkeypatch):
    monkeypatch.setattr(cmd_project, "run_info", _warning_info)


@pytest.mark.filterwarnings("default")
def test_library_warnings_are_not_shown(warning_command, sample_project_file, capsys,
                                        recwarn):
    assert main(["info", str(sample_project_file)]) == EXIT_OK
    out = capsys.readouterr()
    assert "done" in out.out
    assert "Glyph" not in out.err
    assert [str(w.message) for w in recwarn] == []


@pytest.mark.filterwarnings("default")
def test_debug_shows_library_warnings(warning_command, sample_project_file, recwarn):
    assert main(["--debug", "info", str(sample_project_file)]) == EXIT_OK
    assert {str(w.message) for w in recwarn} >= {"Glyph 65533 missing from font(s)",
                                                 "unable to read srs_id '4549'"}
