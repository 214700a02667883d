"""Fixtures shared by every test package."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import geopandas as gpd
import pytest


@pytest.fixture(scope="session")
def sample_layers() -> dict[str, gpd.GeoDataFrame]:
    """The generated sample district's layers (generated once per test session)."""
    from sample_data.generate import generate_district

    return generate_district(scale="sample")


@pytest.fixture(scope="session")
def sample_project_file(tmp_path_factory: pytest.TempPathFactory, sample_layers):
    """The sample district saved as a project file (read-only for tests)."""
    from gridplanner.project import Project, save_project

    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    save_project(Project(layers=sample_layers), path)
    return path


@pytest.fixture
def sample_project(sample_project_file):
    """A fresh copy in memory of the sample project, free to modify."""
    from gridplanner.project import open_project

    return open_project(sample_project_file)
