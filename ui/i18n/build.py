"""Collect the interface strings, write the .ts files and compile them to .qm.

Run ``python -m ui.i18n.build`` after changing visible strings. Strings are found
in ``ui/**/*.py`` as literal arguments of ``tr(...)`` and ``bind(obj, setter, ...)``
(with ``--check`` the script fails when one has no Chinese translation), plus
every key of :data:`ui.i18n.zh_cn.ZH`, which also covers strings kept in tables
and translated when shown. The ``.ts`` files are ordinary Qt Linguist files; the
``.qm`` files are compiled by ``pyside6-lrelease`` (shipped with PySide6).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent
UI = HERE.parent
CONTEXT = "GridPlanner"


def extract() -> dict[str, str]:
    """Literal strings given to tr() / bind() in the ui package -> 'file:line'."""
    found: dict[str, str] = {}
    for path in sorted(UI.rglob("*.py")):
        if "i18n" in path.parts and path.name in ("zh_cn.py", "build.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else "")
            args = node.args
            arg = None
            if name == "tr" and args:
                arg = args[0]
            elif name == "bind" and len(args) >= 3:
                arg = args[2]
            elif name in ("_action", "a") and args:
                arg = args[0]
                for kw in node.keywords:
                    if kw.arg == "tip" and isinstance(kw.value, ast.Constant):
                        found.setdefault(str(kw.value.value),
                                         f"{path.relative_to(UI.parent)}:{node.lineno}")
            elif name == "_row" and len(args) >= 3:
                arg = args[2]
            elif name == "_dock" and len(args) >= 2:
                arg = args[1]
            elif name == "_menu" and args:
                arg = args[0]
            elif name == "Spec" and len(args) >= 2:
                arg = args[1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, f"{path.relative_to(UI.parent)}:{node.lineno}")
    return found


def write_ts(path: Path, language: str, translations: dict[str, str]) -> None:
    """Write a Qt Linguist .ts file."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             f'<TS version="2.1" language="{language}">', "<context>",
             f"    <name>{CONTEXT}</name>"]
    for source in sorted(translations):
        text = translations[source]
        lines += ["    <message>", f"        <source>{escape(source)}</source>",
                  f"        <translation>{escape(text)}</translation>", "    </message>"]
    lines += ["</context>", "</TS>", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def lrelease() -> str:
    """Path of pyside6-lrelease (beside the interpreter, or on PATH)."""
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    if beside.exists():
        return str(beside)
    found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    if not found:
        raise SystemExit("pyside6-lrelease not found: install PySide6-Essentials")
    return found


def main(argv: list[str] | None = None) -> int:
    """Write and compile the translations; with --check only report missing ones."""
    from ui.i18n.zh_cn import ZH

    argv = list(sys.argv[1:] if argv is None else argv)
    found = extract()
    missing = {s: where for s, where in found.items() if s not in ZH}
    for source, where in sorted(missing.items(), key=lambda kv: kv[1]):
        print(f"missing Chinese translation: {where}: {source!r}")
    if "--check" in argv:
        return 1 if missing else 0
    sources = set(ZH) | set(found)
    write_ts(HERE / "gridplanner_zh_CN.ts", "zh_CN", {s: ZH.get(s, s) for s in sources})
    write_ts(HERE / "gridplanner_en.ts", "en", {s: s for s in sources})
    tool = lrelease()
    for lang in ("zh_CN", "en"):
        subprocess.run([tool, "-silent", str(HERE / f"gridplanner_{lang}.ts"), "-qm",
                        str(HERE / f"gridplanner_{lang}.qm")], check=True)
    print(f"{len(sources)} strings, {len(missing)} without Chinese")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
