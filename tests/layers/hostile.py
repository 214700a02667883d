"""Helpers shared by the hostile-input tests: run a step, keep its result or its error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from layers.errors import GridPlannerError


def attempt(step: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """Run ``step``; return ``(result, None)`` or ``(None, error)`` for a user-facing error.

    Anything else (a traceback a user would see) propagates and fails the test.
    """
    try:
        return step(*args, **kwargs), None
    except GridPlannerError as exc:
        return None, exc
