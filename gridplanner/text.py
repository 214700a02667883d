"""Plain-text tables for printed summaries (CJK characters count double width)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render rows as an aligned plain-text table (CJK characters count double)."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))
    lines = ["  ".join(_pad(h, widths[i]) for i, h in enumerate(headers))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(_pad(c, widths[i]) for i, c in enumerate(row)) for row in cells)
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


#: An upper class limit from which the class reads as open ("≥ low").
OPEN_TOP = 1e8


def range_labels(edges: Sequence[float], unit: str = "") -> tuple[str, ...]:
    """Labels of the classes between ``edges`` (one rule for every legend).

    ``unit`` is shown after each label (already in the reader's language). Whole
    limits read without decimals; a last upper limit that is infinite or at least
    10^8 leaves the top class open ("≥ low").

    Examples
    --------
    >>> range_labels((0.0, 20.0, 100.0001), "%")
    ('0 – 20 %', '20 – 100 %')
    >>> range_labels((0, 500, 2000, float("inf")), "m")
    ('0 – 500 m', '500 – 2,000 m', '≥ 2,000 m')
    """
    suffix = f" {unit}" if unit else ""
    limits = [float(v) for v in edges]
    return tuple(f"≥ {_limit(low)}{suffix}" if high >= OPEN_TOP else
                 f"{_limit(low)} – {_limit(high)}{suffix}"
                 for low, high in itertools.pairwise(limits))


def _limit(value: float) -> str:
    if (abs(value - round(value)) < 0.01 and abs(value) >= 1) or value == 0:
        return f"{round(value):,.0f}"
    if abs(value) < 1:
        return f"{value:.2f}"
    if abs(value) < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def severity_label(severity: str) -> str:
    """Return a problem's severity (``error``, ``warning``, ``info``) in the current language.

    Examples
    --------
    >>> severity_label("warning")
    'warning'
    """
    from gridplanner.i18n import pgettext

    return pgettext("severity", severity)


#: Messages and hints of the input checks that carry values: pattern -> catalogue text
#: (context ``problem``) whose ``{fields}`` are the pattern's named groups.
PROBLEM_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), msgid) for pattern, msgid in (
        (r"^value at or above (?P<v>\S+)$", "value at or above {v}"),
        (r"^value above (?P<v>\S+)$", "value above {v}"),
        (r"^value at or below (?P<v>\S+)$", "value at or below {v}"),
        (r"^value below (?P<v>\S+)$", "value below {v}"),
        (r"^duplicate id '(?P<id>.*)' \(first used in row (?P<row>\d+)\)$",
         "duplicate id '{id}' (first used in row {row})"),
        (r"^invalid polygon repaired \((?P<reason>.*)\)$", "invalid polygon repaired ({reason})"),
        (r"^(?P<n>[\d,]+) of the features had heights \(Z\) or measures \(M\); they are "
         r"dropped, analyses work on the plane$",
         "{n} of the features had heights (Z) or measures (M); they are dropped, analyses "
         "work on the plane"),
        (r"^fill in (?P<column>\S+) for every row$", "fill in {column} for every row"),
        (r"^fill in (?P<column>\S+)$", "fill in {column}"),
        (r"^required column '(?P<column>.*)' is missing$", "required column '{column}' is missing"),
        (r"^'(?P<value>.*)' is not one of: (?P<choices>.*)$", "'{value}' is not one of: {choices}"),
    ))


def problem_message(text: str) -> str:
    """Return a problem message or hint in the current language when the catalogue has it.

    Messages of the input checks are written without the catalogue (the layers
    package does not know it): fixed ones are looked up here in context
    ``problem``, the common ones with values through :data:`PROBLEM_PATTERNS`, and
    any other is shown as written.

    Examples
    --------
    >>> problem_message("value above 360"), problem_message("something new")
    ('value above 360', 'something new')
    """
    from gridplanner.i18n import catalogue, pgettext

    if not text:
        return text
    found = catalogue().lookup(text, context="problem")
    if found is not None:
        return found
    for pattern, msgid in PROBLEM_PATTERNS:
        match = pattern.match(text)
        if match:
            return pgettext("problem", msgid, **match.groupdict())
    return text


def problem_text(problem: Any) -> str:
    """Describe a :class:`layers.errors.Problem` in the current language.

    Names file, layer, row, id and column, then the message and the hint, like
    ``Problem.describe`` does in English.
    """
    from gridplanner.i18n import _

    where = []
    if problem.source and not problem.message.startswith(problem.source):
        where.append(str(problem.source))
    if problem.layer:
        where.append(_("layer {name}", name=problem.layer))
    if problem.row is not None:
        where.append(_("row {n}", n=problem.row + 1))
    if problem.feature_id not in (None, ""):
        where.append(_("id {id}", id=problem.feature_id))
    if problem.column:
        where.append(_("column {name}", name=problem.column))
    message = problem_message(problem.message)
    text = _("{where}: {message}", where=_(", ").join(where), message=message) if where \
        else message
    if problem.hint:
        text += _(" ({hint})", hint=problem_message(problem.hint))
    return text


#: Common errors of the file readers (written without the catalogue): pattern ->
#: catalogue text (context ``error``) whose ``{fields}`` are the pattern's groups.
ERROR_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), msgid) for pattern, msgid in (
        (r"^(?P<path>.+): file not found$", "{path}: file not found"),
        (r"^(?P<path>.+): the file is empty$", "{path}: the file is empty"),
        (r"^(?P<path>.+): is a folder, not a file: give the layer file inside it "
         r"\((?P<kinds>[^)]*)\)$",
         "{path}: is a folder, not a file: give the layer file inside it ({kinds})"),
        (r"^(?P<path>.+): no layer '(?P<layer>[^']*)' in the file; layers there: "
         r"(?P<names>.*)$", "{path}: no layer '{layer}' in the file; layers there: {names}"),
        (r"^(?P<path>.+): the table has no rows$", "{path}: the table has no rows"),
        (r"^(?P<path>.+): the table has no geometry column$",
         "{path}: the table has no geometry column"),
        (r"^(?P<path>.+): is a named pipe, not a file saved on disk: save the data to a file "
         r"and give that$",
         "{path}: is a named pipe, not a file saved on disk: save the data to a file and "
         "give that"),
        (r"^(?P<path>.+): is a device, not a file saved on disk: save the data to a file "
         r"and give that$",
         "{path}: is a device, not a file saved on disk: save the data to a file and give that"),
        (r"^(?P<path>.+): cannot be read \((?P<reason>[^)]*)\): check the file's permission "
         r"settings$",
         "{path}: cannot be read ({reason}): check the file's permission settings"),
        (r"^(?P<path>.+): the text mixes two encodings: line (?P<a>\d+) is UTF-8, line "
         r"(?P<b>\d+) is (?P<other>\S+); save the whole file in one encoding \(UTF-8\) and "
         r"try again$",
         "{path}: the text mixes two encodings: line {a} is UTF-8, line {b} is {other}; save "
         "the whole file in one encoding (UTF-8) and try again"),
        (r"^(?P<path>.+): column '(?P<name>[^']*)' appears twice \(columns (?P<a>\d+) and "
         r"(?P<b>\d+)\) with different values; rename or delete one$",
         "{path}: column '{name}' appears twice (columns {a} and {b}) with different values; "
         "rename or delete one"),
    ))


def error_message(text: str) -> str:
    """Return an error message in the current language when it is a known reader error.

    Examples
    --------
    >>> error_message("a.csv: file not found")
    'a.csv: file not found'
    """
    from gridplanner.i18n import pgettext

    for pattern, msgid in ERROR_PATTERNS:
        match = pattern.match(text)
        if match:
            return pgettext("error", msgid, **match.groupdict())
    return text
