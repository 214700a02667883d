"""Error families users can meet, each carrying every problem found at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in one place of the input.

    Parameters
    ----------
    message
        What is wrong, in plain language.
    layer
        Layer name (``grids``, ``cameras`` ...) or ``""`` when not layer-bound.
    row
        Zero-based row position in the source table, or ``None``.
    feature_id
        Value of the layer's id column for that row, when known.
    column
        Column involved, or ``""``.
    hint
        What the user can do about it.
    source
        File the row came from, when known.
    severity
        ``"error"`` blocks loading; ``"warning"`` is reported and the data kept.
    """

    message: str
    layer: str = ""
    row: int | None = None
    feature_id: str | None = None
    column: str = ""
    hint: str = ""
    source: str = ""
    severity: str = "error"

    def describe(self) -> str:
        """Return one line naming file, layer, row, id and column, then the message."""
        where = []
        if self.source and not self.message.startswith(self.source):
            where.append(self.source)
        if self.layer:
            where.append(f"layer {self.layer}")
        if self.row is not None:
            where.append(f"row {self.row + 1}")
        if self.feature_id not in (None, ""):
            where.append(f"id {self.feature_id}")
        if self.column:
            where.append(f"column {self.column}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class GridPlannerError(Exception):
    """Base of every error a user can meet; its message is meant to be shown as is."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(message)

    @property
    def message(self) -> str:
        """The user-facing text."""
        return str(self.args[0])


class SchemaError(GridPlannerError):
    """A layer does not fit its schema; ``problems`` lists every row at fault."""

    @classmethod
    def from_problems(cls, problems: Iterable[Problem], *, limit: int = 50) -> SchemaError:
        """Build one error whose message lists the first ``limit`` problems."""
        items = list(problems)
        lines = [p.describe() for p in items[:limit]]
        if len(items) > limit:
            lines.append(f"... and {len(items) - limit} more problems")
        head = f"{len(items)} problem{'s' if len(items) != 1 else ''} in the input:"
        return cls("\n".join([head, *("  - " + line for line in lines)]), items)


class ReadError(GridPlannerError):
    """A file cannot be read at all (missing, empty, unknown format, bad encoding)."""


class CRSError(GridPlannerError):
    """A coordinate system is unknown, missing or does not fit the data."""
