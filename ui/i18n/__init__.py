"""Interface language: Qt translations (Simplified Chinese and English).

Every visible string goes through :func:`tr`, which asks Qt's translation system
in one context (``GridPlanner``). ``ui/i18n/build.py`` collects those strings from
the source, writes the ``.ts`` files and compiles them to ``.qm`` with
``pyside6-lrelease``. Widgets that must follow a language switch at run time set
their text through :func:`bind`, which remembers the setter and re-applies it
when :func:`set_language` installs another translator.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

CONTEXT = "GridPlanner"
HERE = Path(__file__).parent
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

_translator: QTranslator | None = None
_current = "en"
_bindings: list[tuple[Any, str, str]] = []
_callbacks: list[Any] = []


def tr(text: str) -> str:
    """Translate ``text`` into the current interface language."""
    return QCoreApplication.translate(CONTEXT, text)


def current_language() -> str:
    """Return the language code in use (``zh_CN`` or ``en``)."""
    return _current


def system_language() -> str:
    """``zh_CN`` when the system locale is Chinese, else ``en``."""
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def set_language(language: str | None) -> str:
    """Install the translator for ``language`` (None: follow the system) and retranslate.

    Returns the language actually installed.
    """
    global _translator, _current
    lang = language if language in LANGUAGES else system_language()
    app = QCoreApplication.instance()
    if app is not None and _translator is not None:
        app.removeTranslator(_translator)
        _translator = None
    if lang != "en" and app is not None:
        translator = QTranslator(app)
        if translator.load(str(HERE / f"gridplanner_{lang}.qm")):
            app.installTranslator(translator)
            _translator = translator
    _current = lang
    retranslate_all()
    return lang


def bind(obj: Any, setter: str, text: str) -> Any:
    """Call ``obj.<setter>(tr(text))`` now and again after every language switch."""
    getattr(obj, setter)(tr(text))
    try:
        ref: Any = weakref.ref(obj)
    except TypeError:  # pragma: no cover - every QObject wrapper is weak-referenceable
        ref = lambda: obj  # noqa: E731
    _bindings.append((ref, setter, text))
    return obj


def on_language_change(callback: Callable[[], None]) -> None:
    """Call ``callback()`` after every language switch (held weakly when a method)."""
    try:
        ref: Any = weakref.WeakMethod(callback)  # type: ignore[arg-type]
    except TypeError:
        ref = lambda: callback  # noqa: E731
    _callbacks.append(ref)


def retranslate_all() -> None:
    """Re-apply every bound text and call every language-change callback."""
    from shiboken6 import isValid

    alive: list[tuple[Any, str, str]] = []
    for ref, setter, text in _bindings:
        obj = ref()
        if obj is None or not isValid(obj):
            continue
        getattr(obj, setter)(tr(text))
        alive.append((ref, setter, text))
    _bindings[:] = alive
    live_callbacks = []
    for ref in _callbacks:
        fn = ref()
        if fn is None:
            continue
        owner = getattr(fn, "__self__", None)
        if owner is not None and not _valid(owner):
            continue
        fn()
        live_callbacks.append(ref)
    _callbacks[:] = live_callbacks


def _valid(obj: Any) -> bool:
    from shiboken6 import isValid

    try:
        return bool(isValid(obj))
    except TypeError:
        return True
