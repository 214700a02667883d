"""Find the texts the code gives to the catalogue, and those without a translation.

An AST scan (nothing is imported) of ``gridplanner/``, ``layers/`` and ``ui/`` for
literal texts passed to the translation calls (``_``, ``gettext``, ``pgettext``,
``ngettext``, ``npgettext``, the marker ``N_``, the app's ``tr`` and ``bind``) and,
in the app, to its helpers that translate their arguments (``_action``, ``_menu``
...). A text built at run time (an f-string, ``+`` or ``%``, ``.format`` before the
lookup) can never be found in a catalogue and is reported as well. Run
``python -m gridplanner.i18n.scan`` to list what needs a Chinese entry.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gridplanner.i18n.po import Catalogue


@dataclass(frozen=True)
class Keyword:
    """Where a translating call takes its texts.

    Parameters
    ----------
    msgid
        Position of the msgid argument.
    context
        Position of the context argument, if any.
    plural
        Position of the plural argument, if any.
    names
        Keyword arguments that hold texts to translate too.
    also
        Further positions that hold texts to translate too.
    """

    msgid: int
    context: int | None = None
    plural: int | None = None
    names: tuple[str, ...] = ()
    also: tuple[int, ...] = ()


#: Translation calls, anywhere in the code (called by name or as an attribute).
KEYWORDS: Mapping[str, Keyword] = {
    "_": Keyword(0), "gettext": Keyword(0), "N_": Keyword(0), "tr": Keyword(0),
    "pgettext": Keyword(1, context=0), "ngettext": Keyword(0, plural=1),
    "npgettext": Keyword(1, context=0, plural=2), "bind": Keyword(2),
}
#: Helpers of the desktop app that pass their text arguments to ``tr``.
APP_KEYWORDS: Mapping[str, Keyword] = {
    **KEYWORDS,
    "_action": Keyword(0, names=("tip",)), "a": Keyword(0, names=("tip",)),
    "_menu": Keyword(0), "_dock": Keyword(1), "_row": Keyword(2),
    "Spec": Keyword(1, names=("accept_label",), also=(5,)),
}
#: Package folders scanned, with the calls recognised in each.
PACKAGES: Mapping[str, Mapping[str, Keyword]] = {
    "gridplanner": KEYWORDS, "layers": KEYWORDS, "ui": APP_KEYWORDS,
}


@dataclass(frozen=True)
class Use:
    """A literal text given to the catalogue at one place in the code."""

    msgid: str
    context: str | None
    plural: str | None
    path: str
    line: int


@dataclass(frozen=True)
class DynamicText:
    """A text built at run time and then looked up: it can never be translated."""

    path: str
    line: int
    call: str


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _built(node: ast.expr) -> bool:
    """Tell whether ``node`` builds text at run time (f-string, ``+``, ``%``, ``.format``)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return any(_literal(side) is not None or _built(side)
                   for side in (node.left, node.right))
    return (isinstance(node, ast.Call) and _name(node.func) == "format"
            and isinstance(node.func, ast.Attribute) and _literal(node.func.value) is not None)


def scan_source(path: str | Path, keywords: Mapping[str, Keyword] = KEYWORDS,
                *, label: str | None = None) -> tuple[list[Use], list[DynamicText]]:
    r"""Return the literal texts of one Python file's translation calls, and built ones.

    Parameters
    ----------
    path
        A Python source file.
    keywords
        Call name -> where its texts are.
    label
        Name of the file in the results (default: ``path`` as given).

    Returns
    -------
    tuple of (list of Use, list of DynamicText)
        In source order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "m.py"
    >>> _ = f.write_text("x = _('Cancel')\ny = _(f'{z}')\n")
    >>> uses, built = scan_source(f)
    >>> [(u.msgid, u.line) for u in uses], [b.line for b in built]
    ([('Cancel', 1)], [2])
    """
    source = Path(path)
    where = label if label is not None else str(path)
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=where)
    uses: list[Use] = []
    built: list[DynamicText] = []
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)),
                   key=lambda n: (n.lineno, n.col_offset))
    for node in calls:
        name = _name(node.func)
        spec = keywords.get(name)
        if spec is None:
            continue
        texts: list[tuple[ast.expr, ast.expr | None, ast.expr | None]] = []
        if len(node.args) > spec.msgid:
            context = node.args[spec.context] if spec.context is not None else None
            plural = (node.args[spec.plural] if spec.plural is not None
                      and len(node.args) > spec.plural else None)
            texts.append((node.args[spec.msgid], context, plural))
        texts += [(node.args[i], None, None) for i in spec.also if i < len(node.args)]
        texts += [(kw.value, None, None) for kw in node.keywords if kw.arg in spec.names]
        for text, context, plural in texts:
            msgid = _literal(text)
            if msgid is not None:
                uses.append(Use(msgid=msgid, context=_literal(context), plural=_literal(plural),
                                path=where, line=text.lineno))
            elif _built(text):
                built.append(DynamicText(path=where, line=text.lineno, call=name))
    return uses, built


def scan_sources(
    root: str | Path, packages: Mapping[str, Mapping[str, Keyword]] = PACKAGES
) -> tuple[list[Use], list[DynamicText]]:
    r"""Scan every ``.py`` file of the package folders under ``root``.

    Parameters
    ----------
    root
        The folder holding ``gridplanner/``, ``layers/`` and ``ui/``.
    packages
        Folder name -> the calls recognised in it; missing folders are skipped.

    Returns
    -------
    tuple of (list of Use, list of DynamicText)
        File names relative to ``root``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "ui").mkdir()
    >>> _ = (root / "ui" / "panel.py").write_text("m = self._menu('&File')\n")
    >>> [(u.path, u.msgid) for u in scan_sources(root)[0]]
    [('ui/panel.py', '&File')]
    """
    base = Path(root)
    uses: list[Use] = []
    built: list[DynamicText] = []
    for package, keywords in packages.items():
        for path in sorted((base / package).rglob("*.py")):
            found, dynamic = scan_source(path, keywords,
                                         label=path.relative_to(base).as_posix())
            uses += found
            built += dynamic
    return uses, built


def untranslated(uses: Iterable[Use], catalogue: Catalogue) -> list[Use]:
    """Return the uses whose text has no entry in ``catalogue`` (first use of each).

    Examples
    --------
    >>> from gridplanner.i18n import catalogue
    >>> uses = [Use("Cancel", None, None, "m.py", 1), Use("Brand new", None, None, "m.py", 2)]
    >>> [u.msgid for u in untranslated(uses, catalogue("zh_CN"))]
    ['Brand new']
    """
    seen: set[tuple[str | None, str]] = set()
    out: list[Use] = []
    for use in uses:
        key = (use.context, use.msgid)
        if key in seen:
            continue
        seen.add(key)
        if catalogue.lookup(use.msgid, context=use.context) is None:
            out.append(use)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """List texts without a translation and texts built at run time; 1 if any.

    ``python -m gridplanner.i18n.scan [LANGUAGE]`` (default ``zh_CN``), run from
    the project folder.
    """
    from gridplanner.i18n import catalogue

    args = list(sys.argv[1:] if argv is None else argv)
    lang = args[0] if args else "zh_CN"
    root = Path(__file__).resolve().parents[2]
    uses, built = scan_sources(root)
    missing = untranslated(uses, catalogue(lang))
    for use in missing:
        where = f" (context {use.context!r})" if use.context else ""
        print(f"{use.path}:{use.line}: no {lang} translation{where}: {use.msgid!r}")
    for text in built:
        print(f"{text.path}:{text.line}: {text.call}() is given a text built at run time; "
              "look up the fixed text with {placeholders} and pass the values as fields")
    print(f"{len({(u.context, u.msgid) for u in uses})} texts, {len(missing)} without "
          f"{lang}, {len(built)} built at run time")
    return 1 if missing or built else 0


if __name__ == "__main__":
    raise SystemExit(main())
