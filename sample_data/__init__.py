"""A synthetic Jinhua-like district (婺城区) for demos, tests and benchmarks.

``generate_district`` and ``planted_problems`` live in :mod:`sample_data.generate`;
they are imported lazily so that locating the bundled file (``sample_data.__file__``)
does not pull in geopandas.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SCALES", "generate_district", "planted_problems"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sample_data import generate

        return getattr(generate, name)
    raise AttributeError(f"module 'sample_data' has no attribute {name!r}")
