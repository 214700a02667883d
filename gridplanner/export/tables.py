"""Tables out: the one writer of CSV and XLSX files, and the comparison report.

Every table a spreadsheet may open goes through :func:`write_tables` (or its two
halves :func:`write_xlsx` and :func:`write_csv`), which apply one rule to cell
values, column headers and sheet names alike: a text a spreadsheet could read as
a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a
line feed, also after leading spaces, or with the full-width ``＝＋－＠``) is
written with a leading apostrophe, ``'=1+2``. The apostrophe is Excel's own mark
for "this is text"; in XLSX the cell is also stored as a plain string. Sheet names
cannot start with an apostrophe, so there the same texts get a leading ``_``.

CSV files carry a UTF-8 byte-order mark so Excel on Chinese Windows reads them
correctly. Files are written atomically (:func:`gridplanner.export.files.atomic_file`);
staff names, phones and ID numbers are left out unless ``include_personal``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from gridplanner.export.files import ExportError, atomic_file, check_target, safe_file_stem
from gridplanner.i18n import bilingual, pgettext
from gridplanner.scenarios.compare import Comparison
from gridplanner.scenarios.labels import WORDS_ZH, column_label
from layers.schema import SCHEMAS

__all__ = [
    "PERSONAL_COLUMNS",
    "ExportError",
    "comparison_sheets",
    "is_formula_like",
    "report_html",
    "spreadsheet_text",
    "without_personal",
    "write_csv",
    "write_report",
    "write_tables",
    "write_xlsx",
]

#: First characters with which a spreadsheet reads a cell as a formula (or hides one).
_FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
#: Leading characters a spreadsheet may skip before reading a formula.
_LEADING_BLANKS = " \u00a0\u3000"
_BAD_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
#: Characters XML 1.0 (and so XLSX) cannot hold; shown as U+FFFD.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Staff columns holding personal data, left out unless asked for.
PERSONAL_COLUMNS = frozenset(SCHEMAS["staff"].personal_columns)



def _sheet(english: str) -> str:
    """Return a sheet name as "english 中文" (the Chinese from the catalogue)."""
    return f"{english} {pgettext('sheet', english, lang='zh_CN')}"


_COMPARISON = bilingual("Scenario comparison", "report")

def is_formula_like(text: str) -> bool:
    r"""Return whether a spreadsheet could read ``text`` as a formula.

    Examples
    --------
    >>> [is_formula_like(t) for t in ("=1+2", " +1", "\tx", "－1", "a=1", "", "12")]
    [True, True, True, True, False, False, False]
    """
    if not text:
        return False
    return text[0] in _FORMULA_START or text.lstrip(_LEADING_BLANKS)[:1] in _FORMULA_START


def spreadsheet_text(text: str) -> str:
    r"""Return ``text`` as a spreadsheet shows it as text: formula-like ones get a ``'``.

    Examples
    --------
    >>> spreadsheet_text('=HYPERLINK("http://x","y")'), spreadsheet_text("网格 1")
    ('\'=HYPERLINK("http://x","y")', '网格 1')
    """
    return "'" + text if is_formula_like(text) else text


def without_personal(frame: pd.DataFrame, layer: str = "staff") -> pd.DataFrame:
    """Return ``frame`` without the personal columns of ``layer`` (names, phones, IDs).

    A table counts as a staff table when ``layer`` names staff or the table has a
    ``staff_id`` column.

    Examples
    --------
    >>> df = pd.DataFrame({"staff_id": ["a"], "name": ["张三"], "phone": ["1"]})
    >>> without_personal(df, "load").columns.tolist()
    ['staff_id']
    >>> without_personal(pd.DataFrame({"grid_id": ["g"], "name": ["东门"]}), "grids").shape
    (1, 2)
    """
    schema = SCHEMAS.get(layer)
    personal = set(schema.personal_columns) if schema is not None else set()
    if "staff" in layer or "staff_id" in frame.columns:
        personal |= PERSONAL_COLUMNS
    return frame.drop(columns=[c for c in frame.columns if c in personal])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    geom = getattr(frame, "_geometry_column_name", None)
    out = pd.DataFrame(frame.drop(columns=[geom])) if geom in frame.columns else frame
    return out.reset_index(drop=True)


def _labels(frame: pd.DataFrame, chinese: bool) -> list[str]:
    return [column_label(str(c), chinese=chinese) for c in frame.columns]


def _headers(frame: pd.DataFrame, chinese: bool) -> list[str]:
    return [spreadsheet_text(label) for label in _labels(frame, chinese)]


def _cell(value: Any) -> Any:
    """Return a value a spreadsheet cell can hold (texts made safe), None when empty."""
    value = _value(value)
    return spreadsheet_text(value) if isinstance(value, str) else value


def _value(value: Any) -> Any:
    """Return a plain value (text, number, bool, datetime), None when empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, bool | int | float):
        return value
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.replace(tzinfo=None) if getattr(value, "tzinfo", None) else value
    return value if isinstance(value, str) else str(value)


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


def _prepared(frame: pd.DataFrame, name: str, *, chinese_headers: bool,
              include_personal: bool) -> pd.DataFrame:
    table = _plain(frame)
    if not include_personal:
        table = without_personal(table, name)
    return _translate(table, chinese_headers)


def write_tables(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    chinese_headers: bool = False,
    include_personal: bool = False,
    protect: Iterable[str | Path] = (),
) -> list[Path]:
    """Write tables as one XLSX workbook or as CSV files, chosen by the suffix of ``path``.

    Parameters
    ----------
    sheets
        Name -> table (geometry columns are left out). For ``.csv`` the first table
        goes to ``path`` and each other one beside it as ``<stem>_<name>.csv``.
    path
        The ``.xlsx`` or ``.csv`` file.
    chinese_headers
        Chinese column headers (and words for changes, roles, band status).
    include_personal
        Keep staff names, phones and ID numbers.
    protect
        Files that must not be replaced (the open project and its autosave).

    Returns
    -------
    list of Path
        Every file written.

    Raises
    ------
    ExportError
        For another suffix, a refused target or a file that cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> tables = {"grids": pd.DataFrame({"=id": ["@SUM(A1)"]}), "b": pd.DataFrame({"x": [1]})}
    >>> [p.name for p in write_tables(tables, folder / "t.csv")]
    ['t.csv', 't_b.csv']
    >>> (folder / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    ["'=id", "'@SUM(A1)"]
    """
    protect = tuple(protect)
    target = check_target(path, protect=protect)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        return [write_xlsx(sheets, target, chinese_headers=chinese_headers,
                           include_personal=include_personal, protect=protect)]
    if suffix != ".csv":
        raise ExportError(f"{target}: tables are written as .xlsx or .csv, not '{suffix}'")
    if not sheets:
        raise ExportError(f"{target}: there is no table to write")
    out = []
    used = {target.stem.lower()}
    for i, (name, frame) in enumerate(sheets.items()):
        path_i = target if i == 0 else target.with_name(
            f"{target.stem}_{safe_file_stem(name, used)}.csv")
        out.append(write_csv(frame, path_i, chinese_headers=chinese_headers,
                             include_personal=include_personal, name=name, protect=protect))
    return out


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    chinese_headers: bool = False,
    include_personal: bool = False,
    protect: Iterable[str | Path] = (),
) -> Path:
    """Write tables to one XLSX workbook, one sheet each (see :func:`write_tables`).

    Examples
    --------
    >>> import tempfile
    >>> from openpyxl import load_workbook
    >>> p = Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> sheet = load_workbook(write_xlsx({"=1+1": pd.DataFrame({"g": ["=1+1"]})}, p))["_=1+1"]
    >>> sheet["A2"].value, sheet["A2"].data_type
    ("'=1+1", 's')
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    protect = tuple(protect)
    target = check_target(path, protect=protect)  # before any work
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for title, frame in sheets.items():
        ws = wb.create_sheet(_sheet_name(str(title), used))
        table = _prepared(frame, str(title), chinese_headers=chinese_headers,
                          include_personal=include_personal)
        headers = [_xml_text(h) for h in _headers(table, chinese_headers)]
        columns = [table.iloc[:, i].map(_cell).tolist() for i in range(table.shape[1])]
        widths = [min(max(_text_width(h), 8), 40) for h in headers]
        for i, values in enumerate(columns):
            sample = [_text_width(str(v)) for v in values[:200] if v is not None]
            widths[i] = min(max(widths[i], *sample, 8), 50)
        for i, w in enumerate(widths):
            ws.column_dimensions[_column_letter(i)].width = w + 2
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        head_cells = []
        for h in headers:
            c = WriteOnlyCell(ws, value=h)
            c.data_type = "s"
            c.font = bold
            head_cells.append(c)
        ws.append(head_cells)
        for row in zip(*columns, strict=True) if columns else ():
            ws.append([_xlsx_value(ws, v, WriteOnlyCell) for v in row])
    with atomic_file(target, protect=protect) as tmp:
        wb.save(tmp)
    return target


def _xlsx_value(ws: Any, value: Any, cell_type: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = _xml_text(value)
    # openpyxl reads a leading "=" as a formula and "#N/A" ... as error values; a
    # string cell keeps every text a text.
    if text.startswith("=") or text.startswith("#"):
        cell = cell_type(ws, value=text)
        cell.data_type = "s"
        return cell
    return text


def _xml_text(text: str) -> str:
    return _NOT_IN_XML.sub("\ufffd", text)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _text_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _sheet_name(title: str, used: set[str]) -> str:
    """Return a valid, unique sheet name: 31 characters, no []:*?/ or backslash."""
    base = _xml_text(title).translate(_BAD_SHEET_CHARS).strip("'")
    if is_formula_like(base):
        base = "_" + base
    base = base[:31] or "sheet"
    name = base
    i = 2
    while name.lower() in used:
        suffix = f" ({i})"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name.lower())
    return name


def write_csv(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    chinese_headers: bool = False,
    include_personal: bool = False,
    name: str = "",
    protect: Iterable[str | Path] = (),
) -> Path:
    """Write one table as UTF-8 CSV with a BOM, so Excel reads Chinese text.

    See :func:`write_tables` for the rule that keeps formula-like text as text.

    Parameters
    ----------
    name
        What the table is (``staff``, ``staff_load`` ...), for leaving personal
        columns out; a table with a ``staff_id`` column counts as staff anyway.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv(pd.DataFrame({"grid_id": ["a"]}), p, chinese_headers=True)
    >>> p.read_text(encoding="utf-8-sig").splitlines()[0]
    '网格编码'
    """
    protect = tuple(protect)
    target = check_target(path, protect=protect)  # before any work
    table = _prepared(frame, name, chinese_headers=chinese_headers,
                      include_personal=include_personal)
    out = pd.DataFrame({i: table.iloc[:, i].map(_cell) for i in range(table.shape[1])},
                       index=table.index)
    out.columns = pd.Index(_headers(table, chinese_headers))
    with atomic_file(target, protect=protect) as tmp:
        # CRLF ends rows (RFC 4180), so a CR or LF inside a text is always quoted and
        # can never start a new row whose first cell a spreadsheet would evaluate.
        out.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n",
                   errors="replace")  # a lone surrogate (broken source text) becomes "?"
    return target


def comparison_sheets(
    comparison: Comparison, *, include_personal: bool = False
) -> dict[str, pd.DataFrame]:
    """Return the comparison's tables by sheet title (figures, grids, changes, staff, notes)."""
    sheets: dict[str, pd.DataFrame] = {
        _sheet("figures"): comparison.figures,
        _sheet("grids"): comparison.grids,
        _sheet("changed grids"): comparison.changed_grids,
        _sheet("changed staff"): comparison.changed_staff,
    }
    for res in comparison.results:
        staff = res.staff if include_personal else without_personal(res.staff)
        if len(staff):
            sheets[f"staff {res.name}"] = staff
    notes = comparison.notes
    sheets[_sheet("notes")] = pd.DataFrame({"note": notes or ["all analyses ran"]})
    return sheets


def write_report(
    comparison: Comparison,
    path: str | Path,
    *,
    chinese_headers: bool = False,
    include_personal: bool = False,
    protect: Iterable[str | Path] = (),
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
        For another suffix, a refused target or a file that cannot be written.
    """
    protect = tuple(protect)
    target = check_target(path, protect=protect)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        sheets = comparison_sheets(comparison, include_personal=include_personal)
        return write_tables(sheets, target, chinese_headers=chinese_headers,
                            include_personal=include_personal, protect=protect)
    if suffix == ".csv":
        tables = {"figures": comparison.figures, "grids": comparison.grids,
                  "changed_grids": comparison.changed_grids,
                  "changed_staff": comparison.changed_staff}
        return write_tables(tables, target, chinese_headers=chinese_headers,
                            include_personal=include_personal, protect=protect)
    if suffix in (".html", ".htm"):
        sheets = comparison_sheets(comparison, include_personal=include_personal)
        page = report_html(sheets, chinese_headers=chinese_headers,
                           title=" / ".join(comparison.names))
        with atomic_file(target, protect=protect) as tmp:
            tmp.write_text(page, encoding="utf-8")
        return [target]
    raise ExportError(f"{target}: unknown report format '{suffix}'; use .xlsx, .csv or .html")


def report_html(
    sheets: Mapping[str, pd.DataFrame], *, chinese_headers: bool = False, title: str = ""
) -> str:
    """Return a self-contained HTML page with the tables (every cell escaped)."""
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{html.escape(_COMPARISON + ' ' + title)}</title>",
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em}"
        "table{border-collapse:collapse;margin-bottom:2em;font-size:13px}"
        "th,td{border:1px solid #bbb;padding:3px 8px}th{background:#eef2f7}"
        "td.n{text-align:right}td.up{color:#b00}td.down{color:#070}</style></head><body>",
        f"<h1>{html.escape(_COMPARISON + ': ' + title)}</h1>",
    ]
    for name, frame in sheets.items():
        table = _translate(_plain(frame), chinese_headers)
        parts.append(f"<h2>{html.escape(name)}</h2><table><thead><tr>")
        parts += [f"<th>{html.escape(h)}</th>" for h in _labels(table, chinese_headers)]
        parts.append("</tr></thead><tbody>")
        for row in table.itertuples(index=False, name=None):
            parts.append("<tr>")
            for col, v in zip(table.columns, row, strict=True):
                value = _value(v)
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
