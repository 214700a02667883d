"""Read gettext ``.po`` catalogues: the source of truth for every text a user reads.

A small reader for the subset of the format that GNU ``msgfmt`` accepts and that
translators' tools write: ``msgctxt``, ``msgid``, ``msgid_plural``, ``msgstr`` and
``msgstr[N]``, strings continued over several lines, C escapes, comments and
flags (``#, fuzzy`` entries are read but not used, as ``msgfmt`` does), obsolete
``#~`` entries (skipped). Every problem in a file is collected and reported at once,
each with its line.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gridplanner.errors import GridPlannerError, Problem

#: Key of one message: (context or None, msgid).
MessageKey = tuple[str | None, str]

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)(?=[\s\"])\s*(.*)$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}
#: Plural rules this reader understands (the expression, spaces and outer brackets
#: removed) -> (nplurals, rule). Enough for Chinese and English; a file with another
#: rule is refused rather than guessed.
_PLURAL_RULES: dict[str, tuple[int, Callable[[int], int]]] = {
    "0": (1, lambda n: 0),
    "n!=1": (2, lambda n: int(n != 1)),
    "n>1": (2, lambda n: int(n > 1)),
}


class CatalogueError(GridPlannerError):
    """A message catalogue (``.po`` file) cannot be read; the message lists each line at fault."""


@dataclass(frozen=True)
class Entry:
    """One message of a catalogue.

    Parameters
    ----------
    msgid
        The source text (English), as written in the code.
    msgstr
        The translation; one text per plural form for a plural entry.
    context
        The ``msgctxt`` telling apart texts that read alike in English, or None.
    msgid_plural
        The English plural of a plural entry, else None.
    flags
        Flags from ``#,`` lines (``fuzzy``, ``python-brace-format`` ...).
    line
        Line of the file where the entry starts (1-based).
    """

    msgid: str
    msgstr: tuple[str, ...]
    context: str | None = None
    msgid_plural: str | None = None
    flags: frozenset[str] = frozenset()
    line: int = 0

    @property
    def key(self) -> MessageKey:
        """``(context, msgid)``, the key the catalogue looks the entry up by."""
        return (self.context, self.msgid)


@dataclass
class _Draft:
    line: int
    flags: frozenset[str] = frozenset()
    fields: dict[str, list[str]] = field(default_factory=dict)
    last: str | None = None
    broken: bool = False  # a line of it was reported already; do not report it again


def _unquote(literal: str) -> str:
    """Decode one ``"..."`` string of a .po line; ValueError says what is wrong."""
    text = literal.strip()
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise ValueError(f"a string must be written between double quotes: {text}")
    body = text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body):
                raise ValueError(f"the string ends with a lone backslash: {text}")
            nxt = body[i + 1]
            if nxt not in _ESCAPES:
                raise ValueError(f"unknown escape \\{nxt} in {text}")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        if ch == '"':
            raise ValueError(f'a double quote inside a string must be written \\": {text}')
        out.append(ch)
        i += 1
    return "".join(out)


def parse_po(text: str, *, source: str) -> list[Entry]:
    r"""Read the entries of a ``.po`` file, in file order (the header entry first).

    Parameters
    ----------
    text
        The file's text.
    source
        The file name, used in error messages.

    Returns
    -------
    list of Entry

    Raises
    ------
    CatalogueError
        Listing every malformed line, duplicate entry and entry without translation.

    Examples
    --------
    >>> [e.msgstr for e in parse_po('msgid "Cancel"\nmsgstr "取消"\n', source="x.po")]
    [('取消',)]
    """
    problems: list[tuple[int, str]] = []
    drafts: list[_Draft] = []
    draft: _Draft | None = None
    flags: set[str] = set()

    def start(line: int) -> _Draft:
        nonlocal flags
        new = _Draft(line=line, flags=frozenset(flags))
        flags = set()
        drafts.append(new)
        return new

    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            draft = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            draft = None
            continue
        if line.startswith("#"):
            draft = None
            continue
        if line.startswith('"'):
            if draft is None or draft.last is None:
                problems.append((number, "a continued string follows no msgid or msgstr"))
                continue
            try:
                draft.fields[draft.last].append(_unquote(line))
            except ValueError as exc:
                problems.append((number, str(exc)))
                draft.broken = True
            continue
        match = _KEYWORD.match(line)
        if match is None:
            word = line.split()[0]
            problems.append((number, f"unknown keyword {word!r} (expected msgctxt, msgid, "
                                     "msgid_plural, msgstr or msgstr[N])"))
            if draft is not None:
                draft.broken = True
            draft = None
            continue
        keyword, literal = match.groups()
        has_msgstr = draft is not None and any(k.startswith("msgstr") for k in draft.fields)
        if draft is None or (keyword in ("msgctxt", "msgid") and has_msgstr):
            draft = start(number)
        if keyword in draft.fields:
            problems.append((number, f"{keyword} given twice in one entry"))
            draft.broken = True
        try:
            draft.fields[keyword] = [_unquote(literal)]
        except ValueError as exc:
            problems.append((number, str(exc)))
            draft.fields[keyword] = [""]
            draft.broken = True
        draft.last = keyword

    entries: list[Entry] = []
    seen: dict[MessageKey, int] = {}
    for d in drafts:
        if d.broken:
            continue
        entry = _entry(d, problems)
        if entry is None:
            continue
        if entry.key in seen:
            where = f" (context {entry.context!r})" if entry.context is not None else ""
            problems.append((d.line, f"msgid {entry.msgid!r}{where} is already defined on "
                                     f"line {seen[entry.key]}"))
            continue
        seen[entry.key] = d.line
        entries.append(entry)
    if problems:
        raise _error(source, problems)
    return entries


def _entry(d: _Draft, problems: list[tuple[int, str]]) -> Entry | None:
    joined = {k: "".join(v) for k, v in d.fields.items()}
    if "msgid" not in joined:
        problems.append((d.line, "the entry has no msgid"))
        return None
    plural_forms = sorted((k for k in joined if k.startswith("msgstr[")),
                          key=lambda k: int(k[7:-1]))
    if "msgid_plural" in joined:
        indices = [int(k[7:-1]) for k in plural_forms]
        if not indices or indices != list(range(len(indices))):
            problems.append((d.line, "a plural entry needs msgstr[0], msgstr[1] ... in order"))
            return None
        msgstr = tuple(joined[k] for k in plural_forms)
    else:
        if "msgstr" not in joined:
            problems.append((d.line, f"msgid {joined['msgid']!r} has no msgstr"))
            return None
        if plural_forms:
            problems.append((d.line, "msgstr[N] is only allowed after msgid_plural"))
            return None
        msgstr = (joined["msgstr"],)
    return Entry(msgid=joined["msgid"], msgstr=msgstr, context=joined.get("msgctxt"),
                 msgid_plural=joined.get("msgid_plural"), flags=d.flags, line=d.line)


def _error(source: str, problems: list[tuple[int, str]]) -> CatalogueError:
    problems = sorted(problems)
    lines = "\n".join(f"  line {line}: {what}" for line, what in problems)
    return CatalogueError(
        f"The message catalogue {source} cannot be read:\n{lines}\n"
        "Correct these lines (the file is a gettext .po file; `msgfmt --check` "
        "checks it too) or reinstall GridPlanner.",
        [Problem(message=what, row=line - 1, source=source,
                 hint="correct the line in the .po file") for line, what in problems])


def _headers(entries: list[Entry]) -> dict[str, str]:
    header = next((e for e in entries if e.key == (None, "")), None)
    if header is None:
        return {}
    out: dict[str, str] = {}
    for line in header.msgstr[0].splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip()] = value.strip()
    return out


def _plural_rule(headers: Mapping[str, str], source: str) -> Callable[[int], int]:
    spec = headers.get("Plural-Forms")
    if spec is None:  # GNU gettext's default: the English rule
        return _PLURAL_RULES["n!=1"][1]
    parts = dict(p.strip().partition("=")[::2] for p in spec.split(";") if "=" in p)
    expression = re.sub(r"\s+", "", parts.get("plural", ""))
    while expression.startswith("(") and expression.endswith(")"):
        expression = expression[1:-1]
    known = _PLURAL_RULES.get(expression)
    if known is None or str(known[0]) != parts.get("nplurals", "").strip():
        raise _error(source, [(1, f"the Plural-Forms header {spec!r} is not one this reader "
                                  "knows (nplurals=1; plural=0 or nplurals=2; "
                                  "plural=(n != 1))")])
    return known[1]


@dataclass(frozen=True)
class Catalogue:
    """The messages of one language, ready for lookups.

    Fuzzy and untranslated entries are left out, so looking them up falls back to
    the source text. Instances are immutable and safe to share between threads.

    Parameters
    ----------
    language
        Language code from the ``Language`` header (else the file name).
    source
        File the catalogue was read from.
    messages
        ``(context, msgid)`` -> translations (one per plural form).
    plural
        Maps a count to the index of its plural form.
    """

    language: str
    source: str
    messages: Mapping[MessageKey, tuple[str, ...]]
    plural: Callable[[int], int]

    def lookup(self, msgid: str, *, context: str | None = None) -> str | None:
        r"""Return the translation of ``msgid``, or None when the catalogue has none.

        Examples
        --------
        >>> cat = parse_catalogue('msgid "Cancel"\nmsgstr "取消"\n', source="x.po")
        >>> cat.lookup("Cancel"), cat.lookup("Save")
        ('取消', None)
        """
        found = self.messages.get((context, msgid))
        return found[0] if found else None

    def gettext(self, msgid: str, /, *, context: str | None = None, **fields: Any) -> str:
        r"""Translate ``msgid`` (the source text when untranslated), formatting ``fields``.

        Examples
        --------
        >>> cat = parse_catalogue('msgid "{n} rows"\nmsgstr "{n} 行"\n', source="x.po")
        >>> cat.gettext("{n} rows", n=3), cat.gettext("{n} rows")
        ('3 行', '{n} 行')
        """
        found = self.messages.get((context, msgid))
        return render(found[0] if found else msgid, msgid, fields)

    def ngettext(self, singular: str, plural: str, n: int, /, *,
                 context: str | None = None, **fields: Any) -> str:
        """Translate a text that depends on a count ``n``; ``{n}`` is always filled in.

        Examples
        --------
        >>> cat = parse_catalogue('', source="x.po")
        >>> cat.ngettext("{n} row", "{n} rows", 1), cat.ngettext("{n} row", "{n} rows", 2)
        ('1 row', '2 rows')
        """
        fields.setdefault("n", n)
        source = singular if n == 1 else plural
        found = self.messages.get((context, singular))
        if not found:
            return render(source, source, fields)
        index = min(self.plural(n), len(found) - 1)
        return render(found[index], source, fields)


def render(text: str, msgid: str, fields: Mapping[str, Any]) -> str:
    """Fill ``fields`` into ``text``; a translation whose fields do not fit uses ``msgid``.

    Without fields the text is returned as is, braces included.

    Examples
    --------
    >>> render("{n} 行", "{n} rows", {"n": 2}), render("{x} 行", "{n} rows", {"n": 2})
    ('2 行', '2 rows')
    """
    if not fields:
        return text
    try:
        return text.format(**fields)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return msgid.format(**fields)


def placeholders(text: str) -> list[tuple[str, str, str]]:
    """Return the ``{fields}`` of a format template as sorted (name, conversion, spec).

    Examples
    --------
    >>> placeholders("渲染 {ms:.0f} 毫秒，{n} 行")
    [('ms', '', '.0f'), ('n', '', '')]
    """
    return sorted((name, conversion or "", spec or "")
                  for _literal, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None)


def parse_catalogue(text: str, *, source: str, language: str = "") -> Catalogue:
    r"""Build a :class:`Catalogue` from the text of a ``.po`` file.

    Parameters
    ----------
    text
        The file's text.
    source
        The file name, for error messages.
    language
        Language code to use when the file has no ``Language`` header.

    Returns
    -------
    Catalogue

    Raises
    ------
    CatalogueError
        When the file is malformed (every line at fault is listed).

    Examples
    --------
    >>> parse_catalogue('msgid "Cancel"\nmsgstr "取消"\n', source="x.po").lookup("Cancel")
    '取消'
    """
    entries = parse_po(text, source=source)
    headers = _headers(entries)
    plural = _plural_rule(headers, source)
    messages = {e.key: e.msgstr for e in entries
                if e.msgid and "fuzzy" not in e.flags and all(e.msgstr)}
    return Catalogue(language=headers.get("Language", language), source=source,
                     messages=MappingProxyType(messages), plural=plural)


def read_catalogue(path: str | Path) -> Catalogue:
    r"""Read a ``.po`` file (UTF-8) into a :class:`Catalogue`.

    The language defaults to the file name (``zh_CN.po`` -> ``zh_CN``) when the
    header does not name one.

    Parameters
    ----------
    path
        The ``.po`` file.

    Returns
    -------
    Catalogue

    Raises
    ------
    CatalogueError
        When the file is missing, not UTF-8 or malformed.

    Examples
    --------
    >>> import tempfile
    >>> po = Path(tempfile.mkdtemp()) / "zh_CN.po"
    >>> _ = po.write_text('msgid "Save"\nmsgstr "保存"\n', encoding="utf-8")
    >>> cat = read_catalogue(po)
    >>> cat.language, cat.gettext("Save")
    ('zh_CN', '保存')
    """
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"The message catalogue {target} cannot be read ({exc}); "
                             "reinstall GridPlanner or restore the file.") from exc
    return parse_catalogue(text, source=str(target), language=target.stem)
