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
correctly; their column headers are the column names unless Chinese headers are
asked for. Workbooks and HTML reports are meant for people: headers, sheet names and
table words are in the report's language (``lang``, default the current language),
percentages are rounded to one decimal, and differences can be coloured green
(better) or red (worse). Files are written atomically
(:func:`gridplanner.export.files.atomic_file`); staff names, phones and ID numbers
are left out unless ``include_personal``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gridplanner import palette
from gridplanner.export.files import ExportError, atomic_file, check_target, safe_file_stem
from gridplanner.i18n import _, catalogue, current_language, pgettext
from gridplanner.scenarios.compare import Comparison
from gridplanner.scenarios.labels import FIGURES, column_label, word_label
from layers.schema import SCHEMAS

__all__ = [
    "PERSONAL_COLUMNS",
    "ExportError",
    "comparison_sheets",
    "comparison_tones",
    "is_formula_like",
    "report_html",
    "report_label",
    "sheet_title",
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
#: Tone of a difference: better (green), worse (red) or neither.
BETTER, WORSE, NEUTRAL = 1, -1, 0
#: Sheet -> column -> tone per row (:data:`BETTER`, :data:`WORSE`, :data:`NEUTRAL`).
Tones = Mapping[str, Mapping[str, Sequence[int]]]
#: Excel's own "good" and "bad" cell styles: (fill, font colour).
_TONE_COLOURS = {tone: (fill.lstrip("#").upper(), text.lstrip("#").upper())
                 for tone, (fill, text) in ((BETTER, palette.BETTER_CELL),
                                            (WORSE, palette.WORSE_CELL))}


def _report_language(chinese_headers: bool, lang: str | None) -> str:
    """Chinese when asked for by the old switch, else ``lang``, else the current language."""
    if chinese_headers:
        return "zh_CN"
    return lang or current_language()


def sheet_title(title: str, lang: str | None = None) -> str:
    """Return the sheet title for a table name in ``lang`` (short, whole words).

    Known tables (result layers, the comparison's tables) have a short name in
    the catalogue (context ``sheet``); other titles are kept.

    Examples
    --------
    >>> sheet_title("uncovered_intersections", "zh_CN"), sheet_title("mine", "zh_CN")
    ('未覆盖路口', 'mine')
    """
    return pgettext("sheet", title, lang=lang)


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


def _labels(frame: pd.DataFrame, lang: str) -> list[str]:
    return [_report_label(str(c), lang) for c in frame.columns]


def report_label(column: str, lang: str | None = None) -> str:
    """Return the header of ``column`` in a report (XLSX, HTML) in ``lang``.

    Chinese headers are the column labels; English ones are readable words from the
    English catalogue (context ``report column``) where it has them, else the
    column name. Scenario-suffixed columns keep their suffix.

    Examples
    --------
    >>> report_label("walk_mean_m [plan B]", "en"), report_label("walk_mean_m", "zh_CN")
    ('Walk, mean (m) [plan B]', '步行距离均值(米)')
    """
    return _report_label(column, lang or current_language())


def _report_label(column: str, lang: str) -> str:
    if lang == "en":
        base, sep, rest = column.partition(" [")
        found = catalogue("en").lookup(base, context="report column")
        if found is not None:
            return f"{found}{sep}{rest}"
    return column_label(column, lang=lang)


def _headers(frame: pd.DataFrame, lang: str, *, names: bool = False) -> list[str]:
    """Safe header texts: report labels, or (``names``) the column labels of CSV files."""
    labels = ([column_label(str(c), lang=lang) for c in frame.columns] if names
              else _labels(frame, lang))
    return [spreadsheet_text(label) for label in labels]


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


#: Columns whose values are codes with a name in the catalogue: column -> context.
_CODED_COLUMNS = {"check": "check", "severity": "severity", "kind": "kind"}


def _translate(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Words for change kinds, band status, roles and check names in ``lang``."""
    out = frame.copy()
    for col in out.columns:
        name = str(col).partition(" [")[0]
        if name in ("change", "band_status", "role", "lacks"):
            out[col] = out[col].map(
                lambda v: ";".join(word_label(p, lang=lang) for p in v.split(";"))
                if isinstance(v, str) else v)
        elif name in _CODED_COLUMNS and lang != "en":
            context = _CODED_COLUMNS[name]
            out[col] = out[col].map(
                lambda v, c=context: pgettext(c, v, lang=lang) if isinstance(v, str) else v)
    return out


def _is_percent(column: object) -> bool:
    """Tell whether a column holds percentages (``..._pct...`` or ``...(%)``)."""
    name = str(column).partition(" [")[0]
    return "pct" in name.split("_") or name.endswith("%)")


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Round percentage columns to one decimal, as a report shows them."""
    out = frame
    for i, col in enumerate(frame.columns):
        if _is_percent(col) and pd.api.types.is_float_dtype(frame.iloc[:, i]):
            if out is frame:
                out = frame.copy()
            out.isetitem(i, frame.iloc[:, i].round(1))
    return out


def _prepared(frame: pd.DataFrame, name: str, *, lang: str, include_personal: bool,
              report: bool) -> pd.DataFrame:
    table = _plain(frame)
    if not include_personal:
        table = without_personal(table, name)
    if report:
        table = _rounded(table)
    return _translate(table, lang) if report or lang != "en" else table


def write_tables(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    chinese_headers: bool = False,
    include_personal: bool = False,
    protect: Iterable[str | Path] = (),
    lang: str | None = None,
    tones: Tones | None = None,
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
    lang
        Language of a workbook's headers, sheet names and table words (default:
        Chinese with ``chinese_headers``, else the current language). CSV files
        keep the column names as headers unless ``chinese_headers``.
    tones
        Cells to colour in a workbook: sheet -> column -> :data:`BETTER` (green),
        :data:`WORSE` (red) or :data:`NEUTRAL` per row.

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
                           include_personal=include_personal, protect=protect, lang=lang,
                           tones=tones)]
    if suffix != ".csv":
        raise ExportError(_("{path}: tables are written as .xlsx or .csv, not '{suffix}'",
                            lang=lang, path=str(target), suffix=suffix))
    if not sheets:
        raise ExportError(_("{path}: there is no table to write", lang=lang, path=str(target)))
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
    lang: str | None = None,
    tones: Tones | None = None,
    column_names: bool = False,
) -> Path:
    """Write tables to one XLSX workbook, one sheet each (see :func:`write_tables`).

    ``column_names`` keeps the columns' own names as headers, as a data output
    read by other programs needs (a report for people gets readable headers).

    Headers are bold and frozen, columns as wide as their texts (CJK characters
    count double), numbers with thousands separators and percentages with one
    decimal; cells named in ``tones`` are filled green (better) or red (worse).

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
    from openpyxl.styles import Alignment, Font, PatternFill

    protect = tuple(protect)
    target = check_target(path, protect=protect)  # before any work
    language = _report_language(chinese_headers, lang)
    wb = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    styles = {tone: (PatternFill("solid", start_color=fill, end_color=fill),
                     Font(color=colour)) for tone, (fill, colour) in _TONE_COLOURS.items()}
    for title, frame in sheets.items():
        ws = wb.create_sheet(_sheet_name(sheet_title(str(title), language), used))
        table = _prepared(frame, str(title), lang=language, include_personal=include_personal,
                          report=True)
        headers = [_xml_text(h) for h in (
            [spreadsheet_text(str(c)) for c in table.columns] if column_names
            else _headers(table, language))]
        columns = [table.iloc[:, i].map(_cell).tolist() for i in range(table.shape[1])]
        formats = [_number_format(table.columns[i], values) for i, values in enumerate(columns)]
        sheet_tones = (tones or {}).get(str(title), {})
        col_tones = [sheet_tones.get(str(c)) for c in table.columns]
        for i, w in enumerate(_column_widths(headers, columns, formats)):
            ws.column_dimensions[_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        head_cells = []
        for h in headers:
            c = WriteOnlyCell(ws, value=h)
            c.data_type = "s"
            c.font = bold
            c.alignment = wrap
            head_cells.append(c)
        ws.append(head_cells)
        for r, row in enumerate(zip(*columns, strict=True) if columns else ()):
            out = []
            # A row labelled "... (%)" (a key figure) holds percentages in every column.
            percent_row = isinstance(row[0], str) and _is_percent(row[0]) if row else False
            for i, v in enumerate(row):
                value = _xlsx_value(ws, v, WriteOnlyCell)
                toned = col_tones[i]
                tone = toned[r] if toned is not None else NEUTRAL
                if (formats[i] or tone) and isinstance(v, int | float) and not isinstance(
                        v, bool):
                    cell = WriteOnlyCell(ws, value=v)
                    # Counts show whole, fractions and percentages one decimal.
                    cell.number_format = ("#,##0" if formats[i] == "#,##0" or (
                        float(v).is_integer() and not percent_row
                        and not _is_percent(table.columns[i])) else "#,##0.0")
                    if tone in styles:
                        cell.fill, cell.font = styles[tone]
                    value = cell
                out.append(value)
            ws.append(out)
    with atomic_file(target, protect=protect) as tmp:
        wb.save(tmp)
    return target


def _number_format(column: object, values: Sequence[Any]) -> str:
    """Excel number format of a column: one decimal for percentages and fractions."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return ""
    if _is_percent(column) or any(not float(v).is_integer() for v in numbers):
        return "#,##0.0"
    return "#,##0"


def _shown(value: Any, number_format: str) -> str:
    """Return the text a cell shows, for its width."""
    if isinstance(value, int | float) and not isinstance(value, bool) and number_format:
        return f"{value:,.1f}" if number_format.endswith(".0") else f"{value:,.0f}"
    return "" if value is None else str(value)


def _column_widths(headers: Sequence[str], columns: Sequence[Sequence[Any]],
                   formats: Sequence[str]) -> list[float]:
    """Widths that fit headers (wrapped past 30) and the first 500 values, CJK double."""
    widths: list[float] = []
    for header, values, number_format in zip(headers, columns, formats, strict=True):
        texts = [_text_width(_shown(v, number_format)) for v in values[:500] if v is not None]
        head = _text_width(header)
        widths.append(min(max(min(head, 30), *texts, 6), 60) + 2)
    return widths


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
    """Return a valid, unique sheet name: 31 characters, no []:*?/ or backslash.

    A longer title loses whole words from its end (a single long word is cut).

    Examples
    --------
    >>> _sheet_name("staff of the scenario with a very long name", set())
    'staff of the scenario with a'
    """
    base = _xml_text(title).translate(_BAD_SHEET_CHARS).strip("'")
    if is_formula_like(base):
        base = "_" + base
    base = _whole_words(base, 31) or "sheet"
    name = base
    i = 2
    while name.lower() in used:
        suffix = f" ({i})"
        name = _whole_words(base, 31 - len(suffix)) + suffix
        i += 1
    used.add(name.lower())
    return name


def _whole_words(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters at a space when it is longer."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip()
    return cut if 0 < len(cut) <= limit else text[:limit]


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
    lang = "zh_CN" if chinese_headers else "en"
    table = _prepared(frame, name, lang=lang, include_personal=include_personal, report=False)
    out = pd.DataFrame({i: table.iloc[:, i].map(_cell) for i in range(table.shape[1])},
                       index=table.index)
    out.columns = pd.Index(_headers(table, lang, names=True))
    with atomic_file(target, protect=protect) as tmp:
        # CRLF ends rows (RFC 4180), so a CR or LF inside a text is always quoted and
        # can never start a new row whose first cell a spreadsheet would evaluate.
        out.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n",
                   errors="replace")  # a lone surrogate (broken source text) becomes "?"
    return target


#: The comparison's sheets: their names in the code (catalogue msgids, context ``sheet``).
_FIGURES, _GRIDS, _CHANGED_GRIDS, _CHANGED_STAFF, _NOTES = (
    "figures", "grids", "changed grids", "changed staff", "notes")


def comparison_sheets(
    comparison: Comparison, *, include_personal: bool = False, lang: str | None = None
) -> dict[str, pd.DataFrame]:
    """Return the comparison's tables for people, by sheet title in ``lang``.

    The figures sheet shows each key figure's label in ``lang``, its value per
    scenario (percentages to one decimal) and the differences against the first;
    then the grids, the changed grids and staff, each scenario's staff, and notes.
    """
    language = lang or current_language()
    names = list(comparison.names)
    figures = comparison.figures
    shown = pd.DataFrame({"figure": figures["key"].map(
        lambda k: FIGURES[k].title(lang=language) if k in FIGURES else k)})
    for col in [*names, *[f"Δ {n}" for n in names[1:]]]:
        values = pd.to_numeric(figures[col], errors="coerce")
        percent = figures["key"].map(lambda k: k in FIGURES and FIGURES[k].unit == "%")
        shown[col] = values.where(~percent, values.round(1)).round(3).to_numpy()
    sheets: dict[str, pd.DataFrame] = {
        sheet_title(_FIGURES, language): shown,
        sheet_title(_GRIDS, language): comparison.grids,
        sheet_title(_CHANGED_GRIDS, language): comparison.changed_grids,
        sheet_title(_CHANGED_STAFF, language): comparison.changed_staff,
    }
    for res in comparison.results:
        staff = res.staff if include_personal else without_personal(res.staff)
        if len(staff):
            sheets[pgettext("sheet", "staff {name}", lang=language, name=res.name)] = staff
    notes = comparison.notes or [_("all analyses ran", lang=language)]
    sheets[sheet_title(_NOTES, language)] = pd.DataFrame({"note": notes})
    return sheets


def comparison_tones(comparison: Comparison, *, lang: str | None = None) -> dict[
        str, dict[str, list[int]]]:
    """Return the colours of the figures sheet's differences: better, worse or neither.

    A difference is better when it goes the way the figure should (fewer households
    unassigned, more covered), worse when it goes the other way; figures without a
    direction (counts of staff, households) and differences that round to zero are
    neither.

    Examples
    --------
    >>> from gridplanner.scenarios import ScenarioFigures, compare_figures
    >>> a = ScenarioFigures(name="a", figures={"walk_mean_m": 500.0}, grids=pd.DataFrame(
    ...     {"grid_id": []}), staff=pd.DataFrame())
    >>> b = ScenarioFigures(name="b", figures={"walk_mean_m": 400.0}, grids=a.grids,
    ...     staff=a.staff)
    >>> tones = comparison_tones(compare_figures([a, b]), lang="en")["figures"]["Δ b"]
    >>> tones[list(FIGURES).index("walk_mean_m")]
    1
    """
    language = lang or current_language()
    figures = comparison.figures
    out: dict[str, list[int]] = {}
    for name in list(comparison.names)[1:]:
        col = f"Δ {name}"
        tones = []
        for key, delta in zip(figures["key"], pd.to_numeric(figures[col], errors="coerce"),
                              strict=True):
            better = FIGURES[key].better if key in FIGURES else ""
            if not better or pd.isna(delta) or abs(float(delta)) < 0.05:
                tones.append(NEUTRAL)
            else:
                up = float(delta) > 0
                tones.append(BETTER if up == (better == "higher") else WORSE)
        out[col] = tones
    return {sheet_title(_FIGURES, language): out}


def write_report(
    comparison: Comparison,
    path: str | Path,
    *,
    chinese_headers: bool = False,
    include_personal: bool = False,
    protect: Iterable[str | Path] = (),
    lang: str | None = None,
) -> list[Path]:
    """Write a comparison as ``.xlsx``, ``.csv`` or ``.html`` (chosen by suffix).

    The workbook and the page are for a meeting: texts in ``lang`` (default:
    Chinese with ``chinese_headers``, else the current language), differences in
    green (better) or red (worse), percentages to one decimal. ``.csv`` writes the
    figures to ``path`` and the other tables beside it (``<stem>_grids.csv``,
    ``<stem>_changed_grids.csv``, ``<stem>_changed_staff.csv``), with the column
    names as headers unless ``chinese_headers``.

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
    language = _report_language(chinese_headers, lang)
    if suffix == ".xlsx":
        sheets = comparison_sheets(comparison, include_personal=include_personal,
                                   lang=language)
        return write_tables(sheets, target, include_personal=include_personal,
                            protect=protect, lang=language,
                            tones=comparison_tones(comparison, lang=language))
    if suffix == ".csv":
        tables = {"figures": comparison.figures, "grids": comparison.grids,
                  "changed_grids": comparison.changed_grids,
                  "changed_staff": comparison.changed_staff}
        return write_tables(tables, target, chinese_headers=chinese_headers,
                            include_personal=include_personal, protect=protect)
    if suffix in (".html", ".htm"):
        sheets = comparison_sheets(comparison, include_personal=include_personal,
                                   lang=language)
        page = report_html(sheets, lang=language, title=" / ".join(comparison.names),
                           tones=comparison_tones(comparison, lang=language))
        with atomic_file(target, protect=protect) as tmp:
            tmp.write_text(page, encoding="utf-8")
        return [target]
    raise ExportError(_("{path}: unknown report format '{suffix}'; use .xlsx, .csv or .html",
                        path=target, suffix=suffix))


#: Page style of the HTML report: readable on screen, one table width on paper.
_REPORT_CSS = (
    "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',"
    "'PingFang SC',sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:20px;margin:0 0 .3em}h2{font-size:16px;margin:1.4em 0 .4em}"
    "p.legend{font-size:12px;color:#555;margin:.2em 0 1em}"
    ".wrap{max-width:100%;overflow-x:auto}"
    "table{border-collapse:collapse;font-size:13px;margin-bottom:1em}"
    "th,td{border:1px solid #bbb;padding:3px 8px;vertical-align:top}"
    "th{background:" + palette.TABLE_HEADER + ";font-weight:600;text-align:center;"
    "max-width:14em;"
    "white-space:normal;word-break:keep-all;overflow-wrap:anywhere}"
    "td{max-width:28em;overflow-wrap:break-word}"
    "td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
    "td.better{background:" + palette.BETTER_CELL[0] + ";color:" + palette.BETTER_CELL[1] + "}"
    "td.worse{background:" + palette.WORSE_CELL[0] + ";color:" + palette.WORSE_CELL[1] + "}"
    "tbody tr:nth-child(even) td{background-color:#fafafa}"
    "tbody tr:nth-child(even) td.better{background:" + palette.BETTER_CELL[0] + "}"
    "tbody tr:nth-child(even) td.worse{background:" + palette.WORSE_CELL[0] + "}"
    "@page{size:A4 landscape;margin:12mm}"
    "@media print{body{margin:0;font-size:11px}.wrap{overflow:visible}"
    "table{width:100%;font-size:10px;page-break-inside:auto}"
    "thead{display:table-header-group}tr{page-break-inside:avoid}"
    "th,td{padding:2px 4px}h2{page-break-after:avoid}"
    "td.better,td.worse,th,tbody tr:nth-child(even) td{-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}}"
)


def report_html(
    sheets: Mapping[str, pd.DataFrame], *, chinese_headers: bool = False, title: str = "",
    lang: str | None = None, tones: Tones | None = None,
) -> str:
    """Return a self-contained HTML page with the tables (every cell escaped).

    Texts are in ``lang`` (Chinese with ``chinese_headers``, default the current
    language); cells named in ``tones`` are green (better) or red (worse). The
    page prints on A4 landscape with each table's header repeated on every page.
    """
    language = _report_language(chinese_headers, lang)
    heading = _("Scenario comparison", lang=language)
    if title:
        heading = _("Scenario comparison: {names}", lang=language, names=title)
    html_lang = "zh-CN" if language == "zh_CN" else "en"
    parts = [
        f"<!DOCTYPE html><html lang='{html_lang}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(heading)}</title><style>{_REPORT_CSS}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
    ]
    if tones:
        parts.append("<p class='legend'>" + html.escape(_(
            "Differences against the first scenario: green is better, red is worse.",
            lang=language)) + "</p>")
    for name, frame in sheets.items():
        table = _translate(_rounded(_plain(frame)), language)
        sheet_tones = (tones or {}).get(name, {})
        parts.append(f"<h2>{html.escape(name)}</h2><div class='wrap'><table><thead><tr>")
        parts += [f"<th>{html.escape(h)}</th>" for h in _labels(table, language)]
        parts.append("</tr></thead><tbody>")
        for r, row in enumerate(table.itertuples(index=False, name=None)):
            parts.append("<tr>")
            for col, v in zip(table.columns, row, strict=True):
                value = _value(v)
                if isinstance(value, float | int) and not isinstance(value, bool):
                    tone = sheet_tones.get(str(col))
                    cls = "n" + {BETTER: " better", WORSE: " worse"}.get(
                        tone[r] if tone is not None else NEUTRAL, "")
                    parts.append(f"<td class='{cls}'>{_number(value, col)}</td>")
                else:
                    parts.append(f"<td>{html.escape('' if value is None else str(value))}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table></div>")
    parts.append("</body></html>")
    return "".join(parts)


def _number(value: float, column: object = "") -> str:
    if float(value).is_integer() and not _is_percent(column):
        return f"{int(value):,}"
    if _is_percent(column) or abs(float(value)) >= 1:
        return f"{value:,.1f}"
    return f"{value:,.2f}"
