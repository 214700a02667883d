"""The layer model: schemas, validation, reading and writing, coordinate systems.

The names below load their modules on first use, so importing one light module
(``layers.errors``, ``layers.schema``) does not import GeoPandas.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from layers.errors import CRSError, GridPlannerError, Problem, ReadError, SchemaError
    from layers.io import (
        LoadedLayer,
        list_layers,
        load_layer,
        read_file,
        read_table,
        write_layer,
    )
    from layers.mapping import ImportMapping, LayerMapping, apply_mapping, load_mapping
    from layers.schema import LAYER_NAMES, SCHEMAS, Column, LayerSchema, schema_for
    from layers.validate import ValidationResult, validate

_WHERE = {
    "CRSError": "errors", "GridPlannerError": "errors", "Problem": "errors",
    "ReadError": "errors", "SchemaError": "errors",
    "LoadedLayer": "io", "list_layers": "io", "load_layer": "io", "read_file": "io",
    "read_table": "io", "write_layer": "io",
    "ImportMapping": "mapping", "LayerMapping": "mapping", "apply_mapping": "mapping",
    "load_mapping": "mapping",
    "LAYER_NAMES": "schema", "SCHEMAS": "schema", "Column": "schema",
    "LayerSchema": "schema", "schema_for": "schema",
    "ValidationResult": "validate", "validate": "validate",
}

__all__ = [
    "LAYER_NAMES",
    "SCHEMAS",
    "CRSError",
    "Column",
    "GridPlannerError",
    "ImportMapping",
    "LayerMapping",
    "LayerSchema",
    "LoadedLayer",
    "Problem",
    "ReadError",
    "SchemaError",
    "ValidationResult",
    "apply_mapping",
    "list_layers",
    "load_layer",
    "load_mapping",
    "read_file",
    "read_table",
    "schema_for",
    "validate",
    "write_layer",
]


def __getattr__(name: str) -> Any:
    """Import the module holding ``name`` on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'layers' has no attribute {name!r}")
    return getattr(importlib.import_module(f"layers.{module}"), name)


class _Package(types.ModuleType):
    """The package, whose ``validate`` stays the function once ``layers.validate`` loads.

    Importing a submodule sets it as an attribute of its package; the function
    ``validate`` shares its submodule's name, so that one binding is skipped.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "validate" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
