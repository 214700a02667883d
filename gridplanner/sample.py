"""Where the bundled sample district lives (made on the fly if the file is absent)."""

from __future__ import annotations

import os
from pathlib import Path

SAMPLE_FILE = "sample_district.gpkg"


def sample_project_path() -> Path:
    """Path of the bundled sample project, generating it into a cache when missing."""
    import sample_data

    bundled = Path(sample_data.__file__).parent / SAMPLE_FILE
    if bundled.exists():
        return bundled
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gridplanner"
    target = cache / SAMPLE_FILE
    if not target.exists():
        from gridplanner.project import Project, save_project
        from sample_data.generate import generate_district

        save_project(Project(layers=generate_district(scale="sample")), target)
    return target
