"""Shared pieces of the export tests: hostile texts and a headless Chromium without network."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

#: Texts that must come out of every export exactly as they went in, and do nothing.
#: ``MARKER`` is replaced by a path the test then checks was never created.
HOSTILE = (
    "calc={{7*7}}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{# not a comment #}",
    "{{ '",
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ self.__init__.__globals__.__builtins__.__import__('os').getpid() }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "</script><script>document.body.setAttribute('data-pwned','1')</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">",
    "<!-- <script>",
    "quote\" and 'single' `back`",
    "back\\slash \\u003c \\n \\",
    "line\u2028separator\u2029paragraph",
    "${7*7} #{7*7} <%= 7*7 %>",
    "&amp; &lt;b&gt;",
    "=HYPERLINK(\"http://x\",\"y\")",
    "$\\frac{1}{0}$ $\\gridplanner$",
    "half a character \ud800 here",
)


@pytest.fixture
def hostile(tmp_path) -> tuple[tuple[str, ...], Path]:
    """The hostile texts, with MARKER pointing into this test's folder, and that path."""
    marker = tmp_path / "evaluated.txt"
    # Layers are validated on the way in, which turns a lone surrogate (not storable
    # in a GeoPackage) into U+FFFD: that is the text the exports then receive.
    return tuple(t.replace("MARKER", str(marker)).replace("\ud800", "\ufffd")
                 for t in HOSTILE), marker


def _chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found is not None, "the map tests need chromium (apt-get install chromium)"
    return found


def run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with every network request failing."""
    base = [_chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", f"--user-data-dir={profile}",
            # No network: every host fails to resolve and every request goes to a dead proxy.
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]
    return subprocess.run([*base, *args], capture_output=True, text=True, timeout=180,
                          check=False)


@pytest.fixture
def chromium():
    """``chromium(args, profile)``: headless Chromium without network."""
    return run_chromium
