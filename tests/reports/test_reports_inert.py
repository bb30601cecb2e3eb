"""The HTML reports of a hostile app and page stay inert in a real browser.

The inputs carry script, event-handler and javascript: payloads in their file names, titles,
strings and sentences (each payload, if it ever ran, marks the document element). Their reports
are opened in headless Chromium (Debian's chromium, started here with a fresh profile and no
network), and the DOM it built is read back: no payload mark, no <script>, no on* attribute, no
javascript: URL anywhere, and the payloads are there as text, so escaping, not loss, is why. Skips
with a message when chromium is not installed (`apt-get install chromium`; .ci/run installs it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from reports import write_reports
from scanner.pipeline import build_report, load_ruleset, scan_paths

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "apks" / "facedoor.apk"
MARK = "document.documentElement.setAttribute('data-ran',"
PAYLOADS = [
    f"<script>{MARK}'script')</script>",
    f'<img src=x onerror="{MARK}\'img\')">',
    f'<svg onload="{MARK}\'svg\')"></svg>',
    f'<a href="javascript:{MARK}\'link\')">open</a>',
    f"javascript:{MARK}'url')",
    f'"><body onload="{MARK}\'attr\')">',
    f'<iframe src="javascript:{MARK}\'frame\')"></iframe>',
    f"<meta http-equiv=refresh content=\"0;url=javascript:{MARK}'meta')\">",
]
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "content")


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    pytest.skip("chromium not installed (apt-get install chromium): report inertness not checked in a browser")


def hostile_inputs(folder: Path) -> None:
    folder.mkdir()
    sentences = "".join(f"我们会收集您的人脸信息用于门禁开门{p}。\n" for p in PAYLOADS)
    (folder / "policy.txt").write_text("隐私政策\n" + sentences, encoding="utf-8")
    escaped = "".join(f"<p>我们会收集您的人脸信息用于门禁开门{p.replace('&', '&amp;').replace('<', '&lt;')}。</p>"
                      for p in PAYLOADS)
    page = (f"<html><head><title>隐私政策 &lt;script&gt;{MARK}'title')&lt;/script&gt;</title></head><body>"
            f"<script>{MARK}'page')</script>{escaped}<a href=\"javascript:{MARK}'page-link')\">链接</a></body></html>")
    (folder / "page.html").write_text(page, encoding="utf-8")
    shutil.copy(FIXTURE, folder / '"><svg onload=alert(1)>.apk')


def rendered_dom(browser: str, report: Path, profile: Path) -> str:
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=3000",
         "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "<html" in proc.stdout, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reports_of_hostile_inputs_run_nothing_in_a_browser(tmp_path: Path, lang: str) -> None:
    browser = chromium()
    hostile_inputs(tmp_path / "in")
    ruleset = load_ruleset()
    targets, errors = scan_paths([tmp_path / "in"], ruleset, lang=lang)
    assert len(targets) == 3 and not errors
    write_reports(build_report(targets, ruleset, lang=lang, errors=errors).to_dict(), tmp_path / "out", ["html"],
                  lang=lang)
    dom = rendered_dom(browser, tmp_path / "out" / "report.html", tmp_path / "profile")
    tree = lxml_html.fromstring(dom)
    assert tree.get("data-ran") is None  # no payload ran
    assert not tree.xpath("//script")
    handlers = [(el.tag, name) for el in tree.iter() if isinstance(el.tag, str) for name in el.attrib
                if name.lower().startswith("on")]
    assert not handlers
    urls = [(el.tag, name, value) for el in tree.iter() if isinstance(el.tag, str)
            for name, value in el.attrib.items()
            if name.lower() in URL_ATTRIBUTES and "javascript:" in value.replace(" ", "").lower()]
    assert not urls
    text = tree.text_content()
    assert "onerror=" in text and "javascript:" in text and "<script>" in text  # shown, as text
    policy = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy and "default-src 'none'" in policy[0]
