"""The message catalogue: .po reading, lookups, languages, and the source scan."""

from __future__ import annotations

import string
import threading
import tomllib
from pathlib import Path

import pytest

from gridplanner import i18n
from gridplanner.i18n import (
    LANGUAGES,
    N_,
    CatalogueError,
    LanguageError,
    _,
    current_language,
    gettext,
    ngettext,
    pgettext,
    set_language,
    system_language,
)
from gridplanner.i18n.po import parse_catalogue, parse_po, read_catalogue
from gridplanner.i18n.scan import APP_KEYWORDS, scan_source, scan_sources, untranslated

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "gridplanner" / "i18n" / "locale"


@pytest.fixture(autouse=True)
def english():
    """Every test starts and ends with the process language set to English."""
    set_language("en")
    yield
    set_language("en")


def _fields(text: str) -> list[tuple[str, str, str]]:
    """Placeholders of a str.format template: (name, conversion, spec), sorted."""
    return sorted((name, conv or "", spec or "")
                  for _lit, name, spec, conv in string.Formatter().parse(text)
                  if name is not None)


def _accelerator(text: str) -> bool:
    return "&" in text.replace("&&", "")


# ----------------------------------------------------------------- the files


def test_every_language_has_a_catalogue_that_parses():
    for code in LANGUAGES:
        cat = read_catalogue(LOCALE / f"{code}.po")
        assert cat.language == code
    assert sorted(p.stem for p in LOCALE.glob("*.po")) == sorted(LANGUAGES)


def test_every_chinese_entry_is_translated():
    entries = [e for e in parse_po((LOCALE / "zh_CN.po").read_text(encoding="utf-8"),
                                   source="zh_CN.po") if e.msgid]
    assert len(entries) > 300
    empty = [e.msgid for e in entries if not all(s.strip() for s in e.msgstr)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert empty == []
    assert fuzzy == []


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_placeholders_and_accelerators_match_the_source_text(code):
    entries = [e for e in parse_po((LOCALE / f"{code}.po").read_text(encoding="utf-8"),
                                   source=f"{code}.po") if e.msgid]
    wrong = []
    for e in entries:
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for text in e.msgstr:
            if not any(_fields(text) == _fields(s) for s in sources):
                wrong.append((e.msgid, text))
            if _accelerator(text) != _accelerator(e.msgid):
                wrong.append((e.msgid, text))
    assert wrong == []


def test_catalogues_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["gridplanner"]
    shipped = {p for pattern in patterns for p in (ROOT / "gridplanner").glob(pattern)}
    assert set(LOCALE.glob("*.po")) <= shipped


# ------------------------------------------------------------------ lookups


def test_lookup_in_the_current_language_and_with_an_override():
    assert gettext("Cancel") == "Cancel"
    assert gettext("Cancel", lang="zh_CN") == "取消"
    assert current_language() == "en"
    set_language("zh_CN")
    assert current_language() == "zh_CN"
    assert _("Cancel") == "取消"
    assert gettext("Cancel", lang="en") == "Cancel"
    assert current_language() == "zh_CN"


def test_missing_translation_falls_back_to_the_source_text():
    set_language("zh_CN")
    assert gettext("A text nobody translated") == "A text nobody translated"
    assert gettext("{n} apples", n=3) == "3 apples"
    assert pgettext("column", "no_such_column") == "no_such_column"


def test_fields_are_formatted_in_the_translation():
    assert gettext("{n} rows", lang="zh_CN", n=5) == "5 行"
    assert gettext("{n} rows", lang="en", n=1) == "1 rows"
    assert gettext("render {ms:.0f} ms", lang="zh_CN", ms=12.4) == "渲染 12 毫秒"
    # without fields the template comes back unformatted, braces and all
    assert gettext("{n} rows", lang="zh_CN") == "{n} 行"


def test_context_separates_texts_that_read_alike_in_english():
    assert gettext("Grid heads", lang="zh_CN") == "网格长"
    assert pgettext("figure", "Grid heads", lang="zh_CN") == "网格长人数"
    assert pgettext("change", "role", lang="zh_CN") == "角色变化"
    assert pgettext("figure", "Grid heads", lang="en") == "Grid heads"


def test_plural_forms():
    assert ngettext("{n} finding", "{n} findings", 1) == "1 finding"
    assert ngettext("{n} finding", "{n} findings", 2) == "2 findings"
    assert ngettext("{n} finding", "{n} findings", 0) == "0 findings"
    cat = parse_catalogue(
        'msgid ""\nmsgstr "Language: zh_CN\\nPlural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "{n} finding"\nmsgid_plural "{n} findings"\nmsgstr[0] "{n} 项发现"\n',
        source="t.po")
    assert cat.ngettext("{n} finding", "{n} findings", 1) == "1 项发现"
    assert cat.ngettext("{n} finding", "{n} findings", 7) == "7 项发现"
    assert cat.ngettext("{n} thing", "{n} things", 7) == "7 things"


def test_a_translation_with_broken_fields_shows_the_source_text_instead():
    cat = parse_catalogue('msgid "{n} rows"\nmsgstr "{count} 行"\n', source="t.po")
    assert cat.gettext("{n} rows", n=4) == "4 rows"


def test_marker_returns_the_text_untranslated():
    set_language("zh_CN")
    assert N_("Cancel") == "Cancel"


def test_language_codes_and_unknown_languages():
    assert set_language("zh-CN") == "zh_CN"
    assert set_language("zh_CN.UTF-8") == "zh_CN"
    assert set_language("en_GB") == "en"
    with pytest.raises(LanguageError, match="zh_CN, en"):
        set_language("fr")
    assert current_language() == "en"
    with pytest.raises(LanguageError, match="fr"):
        gettext("Cancel", lang="fr")


@pytest.mark.parametrize(("env", "expected"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_TW.UTF-8"}, "zh_CN"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "en_US", "LC_ALL": "zh_CN.GB18030"}, "zh_CN"),
    ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh_CN"),
])
def test_system_language_follows_the_locale_variables(monkeypatch, env, expected):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert system_language() == expected


def test_system_language_without_variables_asks_the_platform(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(i18n.locale, "getlocale",
                        lambda *a: ("Chinese (Simplified)_China", "936"))
    assert system_language() == "zh_CN"
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *a: (None, None))
    assert system_language() == "en"


def test_set_language_none_follows_the_system(monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert set_language(None) == "zh_CN"
    assert gettext("Cancel") == "取消"


def test_reading_is_safe_while_another_thread_switches_language():
    failures: list[str] = []
    stop = threading.Event()

    def reader(lang: str, expected: str) -> None:
        for _round in range(2000):
            got = gettext("Cancel", lang=lang)
            if got != expected:
                failures.append(got)

    def switcher() -> None:
        while not stop.is_set():
            set_language("zh_CN")
            set_language("en")

    flip = threading.Thread(target=switcher)
    flip.start()
    readers = [threading.Thread(target=reader, args=args)
               for args in [("zh_CN", "取消"), ("en", "Cancel")] * 3]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    stop.set()
    flip.join()
    assert failures == []
    assert gettext("Cancel") in ("取消", "Cancel")


# ---------------------------------------------------------------- the reader


def test_reader_handles_multiline_strings_escapes_context_comments_and_flags():
    text = (
        '# translator comment\n'
        'msgid ""\n'
        'msgstr ""\n'
        '"Language: zh_CN\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n'
        '\n'
        '#. extracted comment\n'
        '#: ui/main_window.py:12\n'
        'msgid "Line one\\n"\n'
        '"line \\"two\\"\\t\\\\"\n'
        'msgstr "第一行\\n"\n'
        '"第二行"\n'
        '\n'
        'msgctxt "figure"\n'
        'msgid "Grids"\n'
        'msgstr "网格数"\n'
        'msgid "Grids"\n'
        'msgstr "网格"\n'
        '\n'
        '#, fuzzy\n'
        'msgid "Unsure"\n'
        'msgstr "不确定"\n'
        '\n'
        'msgid "Untranslated"\n'
        'msgstr ""\n'
        '\n'
        '#~ msgid "Old"\n'
        '#~ msgstr "旧"\n'
    )
    cat = parse_catalogue(text, source="sample.po")
    assert cat.language == "zh_CN"
    assert cat.gettext('Line one\nline "two"\t\\') == "第一行\n第二行"
    assert cat.gettext("Grids", context="figure") == "网格数"
    assert cat.gettext("Grids") == "网格"
    assert cat.gettext("Unsure") == "Unsure"  # fuzzy entries are not used
    assert cat.gettext("Untranslated") == "Untranslated"
    assert cat.gettext("Old") == "Old"
    entries = parse_po(text, source="sample.po")
    assert [e.msgid for e in entries][1:] == [
        'Line one\nline "two"\t\\', "Grids", "Grids", "Unsure", "Untranslated"]
    assert entries[4].flags == frozenset({"fuzzy"})
    assert entries[1].line == 9


def test_reader_reports_every_problem_with_its_line():
    text = (
        'msgid "a"\n'
        'msgstr "甲"\n'
        '\n'
        'msgid "b\n'            # unterminated string, line 4
        'msgstr "乙"\n'
        '\n'
        'msgid "a"\n'           # duplicate, line 7
        'msgstr "甲甲"\n'
        '\n'
        'msgid "c"\n'
        'msgtxt "丙"\n'         # unknown keyword, line 11
        '\n'
        'msgid "d"\n'           # no msgstr, line 13
    )
    with pytest.raises(CatalogueError) as caught:
        parse_po(text, source="broken.po")
    message = str(caught.value)
    assert "broken.po" in message
    for line in ("line 4", "line 7", "line 11", "line 13"):
        assert line in message
    assert len(caught.value.problems) == 4


def test_reader_rejects_an_unknown_plural_rule():
    with pytest.raises(CatalogueError, match="Plural-Forms"):
        parse_catalogue('msgid ""\nmsgstr "Plural-Forms: nplurals=3; plural=(n%10==1 ? 0 : '
                        'n%10>=2 ? 1 : 2);\\n"\n', source="ru.po")


# ------------------------------------------------------------------ the scan


def test_scan_finds_literal_texts_given_to_the_translation_calls(tmp_path):
    code = tmp_path / "mod.py"
    code.write_text(
        "from gridplanner.i18n import _, pgettext, ngettext, N_\n"
        "a = _('Plain')\n"
        "b = i18n.gettext('Dotted', lang='zh_CN')\n"
        "c = pgettext('figure', 'With context')\n"
        "d = ngettext('{n} thing', '{n} things', 3)\n"
        "e = N_('Marked')\n"
        "f = tr('From the app')\n"
        "g = bind(obj, 'setText', 'Bound')\n"
        "h = _(name)\n"
        "i = _(f'dynamic {x}')\n"
        "j = tr('a ' + x)\n"
        "k = _action('Not a keyword here')\n",
        encoding="utf-8")
    uses, dynamic = scan_source(code)
    assert [(u.context, u.msgid) for u in uses] == [
        (None, "Plain"), (None, "Dotted"), ("figure", "With context"),
        (None, "{n} thing"), (None, "Marked"), (None, "From the app"), (None, "Bound")]
    assert uses[3].plural == "{n} things"
    assert [d.line for d in dynamic] == [10, 11]


def test_scan_knows_the_app_helpers_that_translate_their_arguments(tmp_path):
    code = tmp_path / "panel.py"
    code.write_text(
        "m = self._menu('&File')\n"
        "a('Undo', self.undo, tip='Undo the last edit')\n"
        "Spec('siting', 'Camera siting', form, run, apply, 'Accept sites')\n"
        "Spec('checks', 'Grid checks', form, run, apply, accept_label='Accept checks')\n"
        "self._row(form, 'k', 'New cameras (K)', box)\n"
        "self._dock('layers', 'Layers', panel, left)\n",
        encoding="utf-8")
    uses, _dynamic = scan_source(code, APP_KEYWORDS)
    assert [u.msgid for u in uses] == [
        "&File", "Undo", "Undo the last edit", "Camera siting", "Accept sites", "Grid checks",
        "Accept checks", "New cameras (K)", "Layers"]


def test_every_text_used_in_the_code_has_a_chinese_translation():
    uses, dynamic = scan_sources(ROOT)
    assert len(uses) > 150  # the app's texts are found
    assert [f"{d.path}:{d.line}" for d in dynamic] == []
    missing = untranslated(uses, i18n.catalogue("zh_CN"))
    assert [f"{u.path}:{u.line}: {u.msgid!r}" for u in missing] == []


def test_untranslated_lists_a_new_text(tmp_path):
    code = tmp_path / "new.py"
    code.write_text("x = _('A brand new text')\ny = _('Cancel')\n", encoding="utf-8")
    uses, _dynamic = scan_source(code)
    missing = untranslated(uses, i18n.catalogue("zh_CN"))
    assert [(u.msgid, u.line) for u in missing] == [("A brand new text", 1)]


def test_every_catalogue_text_without_context_is_used_somewhere():
    """No stale entries: each plain msgid appears as a string in the code."""
    import ast

    constants: set[str] = set()
    for package in ("gridplanner", "layers", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    constants.add(node.value)
    cat = i18n.catalogue("zh_CN")
    stale = sorted(msgid for context, msgid in cat.messages if context is None
                   and msgid not in constants)
    assert stale == []


def test_reader_accepts_a_byte_order_mark_and_windows_line_ends(tmp_path):
    path = tmp_path / "zh_CN.po"
    path.write_bytes('\ufeff# saved by a Windows editor\r\nmsgid "Cancel"\r\nmsgstr "取消"\r\n'
                     .encode())
    cat = read_catalogue(path)
    assert cat.language == "zh_CN"
    assert cat.gettext("Cancel") == "取消"
    assert parse_catalogue('\ufeffmsgid "Cancel"\nmsgstr "取消"\n', source="t.po").gettext(
        "Cancel") == "取消"


def test_a_missing_catalogue_file_is_reported_with_its_name(tmp_path):
    with pytest.raises(CatalogueError, match=r"nowhere\.po"):
        read_catalogue(tmp_path / "nowhere.po")
