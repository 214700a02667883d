"""Interface language: the app's texts come from the engine's message catalogue.

Every visible string goes through :func:`tr`, which looks it up in the one
catalogue shared with the engine (:mod:`gridplanner.i18n`, ``zh_CN.po``), so the app,
the command line and the reports use the same words. Widgets that must follow a
language switch at run time set their text through :func:`bind`, which remembers
the setter and re-applies it when :func:`set_language` changes the language.
:func:`set_language` also installs Qt's own Chinese translations (``qtbase_zh_CN.qm``,
shipped with PySide6) so standard buttons and dialogs read in Chinese too.

To add a text: write ``tr("...")`` (or ``_("...")`` in the engine) and add its
entry to ``gridplanner/i18n/locale/zh_CN.po``; ``python -m gridplanner.i18n.scan``
lists texts still without one.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from gridplanner import i18n as engine_i18n

LANGUAGES = engine_i18n.LANGUAGES

_qt_translators: list[QTranslator] = []
_qt_language = "en"  # the language of Qt's own translator installed (en: none)
_bindings: list[tuple[Any, str, str]] = []
_callbacks: list[Any] = []


def tr(text: str) -> str:
    """Translate ``text`` into the current interface language."""
    return engine_i18n.gettext(text)


def current_language() -> str:
    """Return the language code in use (``zh_CN`` or ``en``)."""
    return engine_i18n.current_language()


def system_language() -> str:
    """``zh_CN`` when the system locale is Chinese, else ``en``."""
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def set_language(language: str | None) -> str:
    """Switch the app and the engine to ``language`` (None or unknown: follow the system).

    Re-applies every bound text and installs Qt's own translations for the
    language; asking for the language already in use changes nothing. Returns the
    language now in use.
    """
    lang = engine_i18n.normalize_language(language) or system_language()
    if lang == engine_i18n.current_language() == _qt_language:
        return lang
    engine_i18n.set_language(lang)
    _install_qt_translations(lang)
    retranslate_all()
    return lang


def qt_translations_file(language: str) -> str:
    """Path of Qt's bundled ``qtbase_<language>.qm`` (may not exist in every build)."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return f"{folder}/qtbase_{language}.qm"


def _install_qt_translations(language: str) -> None:
    """Swap Qt's translator for standard buttons and dialogs (none for English)."""
    global _qt_language
    app = QCoreApplication.instance()
    if app is None:
        return
    while _qt_translators:
        app.removeTranslator(_qt_translators.pop())
    _qt_language = language
    if language == "en":
        return
    translator = QTranslator(app)
    # A build without Qt's translations keeps English standard buttons; our texts
    # do not depend on it.
    if translator.load(qt_translations_file(language)):
        app.installTranslator(translator)
        _qt_translators.append(translator)


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
        ref: Any = weakref.WeakMethod(callback)
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
