"""The one message catalogue of engine and app (Simplified Chinese and English).

Every text a user reads is written in the code in English and wrapped in
:func:`gettext` (alias ``_``); its Chinese lives in ``locale/zh_CN.po``, a gettext
catalogue read at run time (the ``.po`` file is the source of truth, shipped as
package data). ``locale/en.po`` is the identity plus any English rewording. A text
without a translation shows as written in the code.

The language is process-wide (:func:`set_language`; the app sets it from its
Language menu, front-ends may follow :func:`system_language`); any call can ask
for another with ``lang=``. Lookups are safe from any thread.

Examples
--------
>>> _("Cancel", lang="zh_CN")
'取消'
>>> _("{n} rows", lang="zh_CN", n=5)
'5 行'
>>> pgettext("column", "grid_id", lang="zh_CN")
'网格编码'
"""

from __future__ import annotations

import locale
import os
import threading
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any

from gridplanner.errors import GridPlannerError
from gridplanner.i18n.po import Catalogue, CatalogueError, parse_catalogue, render

#: Languages with a catalogue: code -> the language's own name.
LANGUAGES: Mapping[str, str] = MappingProxyType({"zh_CN": "简体中文", "en": "English"})
#: Language of the source texts (the msgids), and the language at start-up.
SOURCE_LANGUAGE = "en"

_lock = threading.Lock()
# Catalogues are package data that never change while the program runs: read once
# per process on first use, like the gettext module's own translation cache.
_catalogues: dict[str, Catalogue] = {}
_current = SOURCE_LANGUAGE


class LanguageError(GridPlannerError, ValueError):
    """A language was asked for that has no catalogue."""


def normalize_language(code: str | None) -> str | None:
    """Return the catalogue code for a language or locale name, or None if there is none.

    Chinese in any spelling (``zh``, ``zh-CN``, ``zh_CN.UTF-8``, ``zh_TW``, Windows'
    ``Chinese (Simplified)_China``) is ``zh_CN``; English in any spelling is ``en``.

    Examples
    --------
    >>> normalize_language("zh-CN"), normalize_language("en_US.UTF-8"), normalize_language("fr")
    ('zh_CN', 'en', None)
    """
    if not code:
        return None
    name = code.split(".")[0].split("@")[0].replace("-", "_").strip().lower()
    if name.startswith(("zh", "chinese")):
        return "zh_CN"
    if name == "en" or name.startswith(("en_", "english")):
        return "en"
    return None


def _resolve(lang: str | None) -> str:
    if lang is None:
        return _current
    code = normalize_language(lang)
    if code is None:
        raise LanguageError(f"The language {lang!r} is not available: choose one of "
                            f"{', '.join(LANGUAGES)}.")
    return code


def system_language() -> str:
    """Return ``zh_CN`` when the user's locale is Chinese, else ``en``.

    The first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set decides (the
    POSIX order); when none is set (as on Windows) the platform's locale does.

    Returns
    -------
    str

    Examples
    --------
    >>> system_language() in LANGUAGES
    True
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh_CN" if normalize_language(value) == "zh_CN" else "en"
    platform = locale.getlocale()[0]
    return "zh_CN" if normalize_language(platform) == "zh_CN" else "en"


def set_language(lang: str | None) -> str:
    """Make ``lang`` the process-wide language (None: follow :func:`system_language`).

    Parameters
    ----------
    lang
        A code of :data:`LANGUAGES` or a locale name such as ``zh_CN.UTF-8``.

    Returns
    -------
    str
        The catalogue code now in use.

    Raises
    ------
    LanguageError
        When no catalogue exists for ``lang``; the language in use is kept.

    Examples
    --------
    >>> set_language("zh-CN"), current_language(), set_language("en")
    ('zh_CN', 'zh_CN', 'en')
    """
    global _current
    code = system_language() if lang is None else _resolve(lang)
    catalogue(code)  # a broken catalogue fails here, not in the middle of some output
    _current = code
    return code


def current_language() -> str:
    """Return the process-wide language code (``zh_CN`` or ``en``).

    Examples
    --------
    >>> current_language() in LANGUAGES
    True
    """
    return _current


def catalogue(lang: str | None = None) -> Catalogue:
    """Return the catalogue of ``lang`` (default: the current language), read on first use.

    Raises
    ------
    LanguageError
        For a language without a catalogue.
    CatalogueError
        When the catalogue file is damaged.

    Examples
    --------
    >>> catalogue("zh_CN").lookup("Cancel")
    '取消'
    """
    code = _resolve(lang)
    found = _catalogues.get(code)
    if found is None:
        with _lock:
            found = _catalogues.get(code)
            if found is None:
                found = _read(code)
                _catalogues[code] = found
    return found


def _read(code: str) -> Catalogue:
    resource = resources.files(__name__).joinpath("locale", f"{code}.po")
    try:
        text = resource.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"The message catalogue {resource} cannot be read ({exc}); "
                             "reinstall GridPlanner.") from exc
    return parse_catalogue(text, source=str(resource), language=code)


def gettext(msgid: str, /, *, lang: str | None = None, **fields: Any) -> str:
    """Translate ``msgid`` into the current language (or ``lang``) and fill in ``fields``.

    Parameters
    ----------
    msgid
        The English source text, e.g. ``"{n} rows"``.
    lang
        Language for this call only; None uses the process-wide one.
    **fields
        Values for the ``{placeholders}``; without any, the template is returned
        unformatted.

    Returns
    -------
    str
        The translation, or ``msgid`` itself when the catalogue has none.

    Examples
    --------
    >>> gettext("Opened {path}", lang="zh_CN", path="a.gpkg")
    '已打开 a.gpkg'
    >>> gettext("Not in the catalogue", lang="zh_CN")
    'Not in the catalogue'
    """
    return catalogue(lang).gettext(msgid, **fields)


_ = gettext


def pgettext(context: str, msgid: str, /, *, lang: str | None = None, **fields: Any) -> str:
    """Translate ``msgid`` within ``context`` (texts that read alike in English).

    Examples
    --------
    >>> pgettext("figure", "Grid heads", lang="zh_CN"), gettext("Grid heads", lang="zh_CN")
    ('网格长人数', '网格长')
    """
    return catalogue(lang).gettext(msgid, context=context, **fields)


def ngettext(singular: str, plural: str, n: int, /, *, lang: str | None = None,
             **fields: Any) -> str:
    """Translate a text that depends on the count ``n``; ``{n}`` is always filled in.

    Examples
    --------
    >>> ngettext("{n} row", "{n} rows", 1, lang="en"), ngettext("{n} row", "{n} rows", 3)
    ('1 row', '3 rows')
    """
    return catalogue(lang).ngettext(singular, plural, n, **fields)


def npgettext(context: str, singular: str, plural: str, n: int, /, *,
              lang: str | None = None, **fields: Any) -> str:
    """Translate a count-dependent text within ``context``.

    Examples
    --------
    >>> npgettext("figure", "{n} grid", "{n} grids", 2, lang="en")
    '2 grids'
    """
    return catalogue(lang).ngettext(singular, plural, n, context=context, **fields)


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention for a marker)
    """Mark ``msgid`` for the catalogue without translating it (for tables of texts).

    Examples
    --------
    >>> N_("Cancel")
    'Cancel'
    """
    return msgid


def bilingual(english: str, context: str = "map") -> str:
    """Return a text as "中文 English" (maps and reports show both), the Chinese from the catalogue.

    Examples
    --------
    >>> bilingual("Grids")
    '网格 Grids'
    """
    return f"{pgettext(context, english, lang='zh_CN')} {english}"


__all__ = [
    "LANGUAGES",
    "N_",
    "SOURCE_LANGUAGE",
    "Catalogue",
    "CatalogueError",
    "LanguageError",
    "_",
    "bilingual",
    "catalogue",
    "current_language",
    "gettext",
    "ngettext",
    "normalize_language",
    "npgettext",
    "pgettext",
    "render",
    "set_language",
    "system_language",
]
