"""Tables out: XLSX (optionally with Chinese headers), CSV, and the comparison report.

Text from the data is written as text, never as a spreadsheet formula: a cell
such as ``=HYPERLINK(...)`` from an imported attribute table would otherwise run
when the file is opened (CSV injection). CSV files carry a UTF-8 byte-order mark
so Excel on Chinese Windows reads them correctly.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from gridplanner.errors import GridPlannerError
from gridplanner.scenarios.compare import Comparison
from gridplanner.scenarios.labels import WORDS_ZH, column_label
from layers.schema import SCHEMAS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
#: Staff columns holding personal data, left out unless asked for.
PERSONAL_COLUMNS = frozenset(SCHEMAS["staff"].personal_columns)


class ExportError(GridPlannerError):
    """An export cannot be written (unknown format, file locked, folder missing)."""


def without_personal(frame: pd.DataFrame, layer: str = "staff") -> pd.DataFrame:
    """Return ``frame`` without the personal columns of ``layer`` (names, phones, IDs).

    Examples
    --------
    >>> df = pd.DataFrame({"staff_id": ["a"], "name": ["张三"], "phone": ["1"]})
    >>> without_personal(df).columns.tolist()
    ['staff_id']
    """
    schema = SCHEMAS.get(layer)
    personal = set(schema.personal_columns) if schema is not None else set()
    if "staff" in layer:
        personal |= PERSONAL_COLUMNS
    return frame.drop(columns=[c for c in frame.columns if c in personal])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    geom = getattr(frame, "_geometry_column_name", None)
    out = pd.DataFrame(frame.drop(columns=[geom])) if geom in frame.columns else frame
    return out.reset_index(drop=True)


def _headers(frame: pd.DataFrame, chinese: bool) -> list[str]:
    return [column_label(str(c), chinese=chinese) for c in frame.columns]


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _translate(frame: pd.DataFrame, chinese: bool) -> pd.DataFrame:
    """Chinese words for change kinds, band status and roles in text columns."""
    if not chinese:
        return frame
    out = frame.copy()
    for col in out.columns:
        name = str(col).partition(" [")[0]
        if name in ("change", "band_status", "role"):
            out[col] = out[col].map(
                lambda v: ";".join(WORDS_ZH.get(p, p) for p in v.split(";"))
                if isinstance(v, str) else v)
    return out


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame], path: str | Path, *, chinese_headers: bool = False
) -> Path:
    """Write tables to one XLSX workbook, one sheet each.

    Parameters
    ----------
    sheets
        Sheet title -> table (geometry columns are left out).
    path
        The ``.xlsx`` file.
    chinese_headers
        Use Chinese column headers (and words for changes, roles, band status).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> write_xlsx({"grids": pd.DataFrame({"grid_id": ["=1+1"]})}, p).exists()
    True
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    target = Path(path)
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for title, frame in sheets.items():
        name = _sheet_name(title, used)
        ws = wb.create_sheet(name)
        table = _translate(_plain(frame), chinese_headers)
        headers = _headers(table, chinese_headers)
        widths = [min(max(_text_width(h), 8), 40) for h in headers]
        for i, col in enumerate(table.columns):
            sample = table[col].head(200).astype(str)
            widths[i] = min(max(widths[i], *(_text_width(v) for v in sample), 8), 50) if len(
                sample) else widths[i]
        for i, w in enumerate(widths):
            ws.column_dimensions[_column_letter(i)].width = w + 2
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        head_cells = []
        for h in headers:
            c = WriteOnlyCell(ws, value=h)
            c.font = bold
            head_cells.append(c)
        ws.append(head_cells)
        for row in table.itertuples(index=False, name=None):
            out: list[Any] = []
            for v in row:
                value = _cell(v)
                if isinstance(value, str) and value.startswith(_FORMULA_START):
                    text_cell = WriteOnlyCell(ws, value=value)
                    text_cell.data_type = "s"  # keep it text, never a formula
                    out.append(text_cell)
                else:
                    out.append(value)
            ws.append(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        wb.save(target)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write the workbook ({exc}); close it in "
                          "Excel or choose another file") from exc
    return target


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _text_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _sheet_name(title: str, used: set[str]) -> str:
    base = (title.translate(_BAD_SHEET_CHARS).strip("'") or "sheet")[:31]
    name = base
    i = 2
    while name.lower() in used:
        suffix = f" ({i})"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name.lower())
    return name


def write_csv(frame: pd.DataFrame, path: str | Path, *, chinese_headers: bool = False) -> Path:
    """Write one table as UTF-8 CSV (with BOM, so Excel reads Chinese text).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv(pd.DataFrame({"grid_id": ["a"]}), p, chinese_headers=True)
    >>> p.read_text(encoding="utf-8-sig").splitlines()[0]
    '网格编码'
    """
    target = Path(path)
    table = _translate(_plain(frame), chinese_headers).copy()
    for col in table.columns:
        if table[col].dtype == object or pd.api.types.is_string_dtype(table[col]):
            table[col] = table[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    table.columns = _headers(table, chinese_headers)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(target, index=False, encoding="utf-8-sig")
    except OSError as exc:
        raise ExportError(f"{target}: cannot write the CSV file ({exc})") from exc
    return target


def comparison_sheets(
    comparison: Comparison, *, include_personal: bool = False
) -> dict[str, pd.DataFrame]:
    """Return the comparison's tables by sheet title (figures, grids, changes, staff, notes)."""
    sheets: dict[str, pd.DataFrame] = {
        "figures 指标对比": comparison.figures,
        "grids 网格对比": comparison.grids,
        "changed grids 网格变化": comparison.changed_grids,
        "changed staff 人员变化": comparison.changed_staff,
    }
    for res in comparison.results:
        staff = res.staff if include_personal else without_personal(res.staff)
        if len(staff):
            sheets[f"staff {res.name}"] = staff
    notes = comparison.notes
    sheets["notes 说明"] = pd.DataFrame({"note": notes or ["all analyses ran"]})
    return sheets


def write_report(
    comparison: Comparison,
    path: str | Path,
    *,
    chinese_headers: bool = False,
    include_personal: bool = False,
) -> list[Path]:
    """Write a comparison as ``.xlsx``, ``.csv`` or ``.html`` (chosen by suffix).

    ``.csv`` writes the figures to ``path`` and the other tables beside it
    (``<stem>_grids.csv``, ``<stem>_changed_grids.csv``, ``<stem>_changed_staff.csv``).

    Returns
    -------
    list of Path
        Every file written.

    Raises
    ------
    ExportError
        For another suffix or a file that cannot be written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        sheets = comparison_sheets(comparison, include_personal=include_personal)
        return [write_xlsx(sheets, target, chinese_headers=chinese_headers)]
    if suffix == ".csv":
        stem = target.with_suffix("")
        return [
            write_csv(comparison.figures, target, chinese_headers=chinese_headers),
            write_csv(comparison.grids, f"{stem}_grids.csv", chinese_headers=chinese_headers),
            write_csv(comparison.changed_grids, f"{stem}_changed_grids.csv",
                      chinese_headers=chinese_headers),
            write_csv(comparison.changed_staff, f"{stem}_changed_staff.csv",
                      chinese_headers=chinese_headers),
        ]
    if suffix in (".html", ".htm"):
        sheets = comparison_sheets(comparison, include_personal=include_personal)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(report_html(sheets, chinese_headers=chinese_headers,
                                          title=" / ".join(comparison.names)),
                              encoding="utf-8")
        except OSError as exc:
            raise ExportError(f"{target}: cannot write the report ({exc})") from exc
        return [target]
    raise ExportError(f"{target}: unknown report format '{suffix}'; use .xlsx, .csv or .html")


def report_html(
    sheets: Mapping[str, pd.DataFrame], *, chinese_headers: bool = False, title: str = ""
) -> str:
    """Return a self-contained HTML page with the tables (every cell escaped)."""
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{html.escape('方案对比 Scenario comparison ' + title)}</title>",
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em}"
        "table{border-collapse:collapse;margin-bottom:2em;font-size:13px}"
        "th,td{border:1px solid #bbb;padding:3px 8px}th{background:#eef2f7}"
        "td.n{text-align:right}td.up{color:#b00}td.down{color:#070}</style></head><body>",
        f"<h1>{html.escape('方案对比 Scenario comparison: ' + title)}</h1>",
    ]
    for name, frame in sheets.items():
        table = _translate(_plain(frame), chinese_headers)
        parts.append(f"<h2>{html.escape(name)}</h2><table><thead><tr>")
        parts += [f"<th>{html.escape(h)}</th>" for h in _headers(table, chinese_headers)]
        parts.append("</tr></thead><tbody>")
        for row in table.itertuples(index=False, name=None):
            parts.append("<tr>")
            for col, v in zip(table.columns, row, strict=True):
                value = _cell(v)
                if isinstance(value, float | int) and not isinstance(value, bool):
                    cls = "n"
                    if str(col).startswith("Δ ") and value:
                        cls += " up" if value > 0 else " down"
                    parts.append(f"<td class='{cls}'>{_number(value)}</td>")
                else:
                    parts.append(f"<td>{html.escape('' if value is None else str(value))}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"
