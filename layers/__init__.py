"""The layer model: schemas, validation, reading and writing, coordinate systems."""

from layers.errors import CRSError, GridPlannerError, Problem, ReadError, SchemaError
from layers.io import LoadedLayer, list_layers, load_layer, read_file, read_table, write_layer
from layers.mapping import ImportMapping, LayerMapping, apply_mapping, load_mapping
from layers.schema import LAYER_NAMES, SCHEMAS, Column, LayerSchema, schema_for
from layers.validate import ValidationResult, validate

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
