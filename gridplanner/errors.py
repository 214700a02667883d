"""Error families of the engine; every one carries a message meant for the user."""

from __future__ import annotations

from layers.errors import CRSError, GridPlannerError, Problem, ReadError, SchemaError


class ProjectError(GridPlannerError):
    """A project file is missing, damaged, foreign or cannot be written."""


class AnalysisError(GridPlannerError):
    """An analysis cannot run on the data given (say which layer or setting to fix)."""


class SettingsError(GridPlannerError):
    """A setting has a value outside what it accepts (the message gives the range)."""


class Cancelled(GridPlannerError):  # noqa: N818 (an event, like KeyboardInterrupt)  # noqa: N818 (reads as an event, like KeyboardInterrupt)
    """The user cancelled a long run."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


__all__ = [
    "AnalysisError",
    "CRSError",
    "Cancelled",
    "GridPlannerError",
    "Problem",
    "ProjectError",
    "ReadError",
    "SchemaError",
    "SettingsError",
]
