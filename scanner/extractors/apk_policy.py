"""Privacy policies an app carries: embedded policy files (assets) and policy URLs.

When scanner.extractors.policy_nlp provides analyse_policy_text(text, *, uri, logical), each embedded
policy's visible text is analysed with it and its facts are added (analysed true); otherwise the
document is only recorded (analysed false).
"""

from __future__ import annotations

import importlib
import posixpath
import re
from typing import Any, Callable, Iterator, Sequence

from bs4 import BeautifulSoup

from scanner.extractors.apk_endpoints import app_urls, is_ignored_host
from scanner.extractors.text_utils import cjk_language, decode_text, snippet
from scanner.model import Evidence, Location

NAME = "apk_policy"
VERSION = 1
EXTRACTOR = f"{NAME}@{VERSION}"
POLICY_SUFFIXES = (".html", ".htm", ".txt")
MAX_POLICY_BYTES = 4 * 2**20
MAX_CANDIDATES = 200  # text assets inspected per app
TITLE_WINDOW = 300  # characters at the start of a document where a title is looked for

_NAME_HINT = re.compile(r"privacy|policy|隐私|协议|agreement|yinsi|xieyi|protocol", re.IGNORECASE)
_TITLE_HINT = re.compile(r"隐私政策|隐私协议|隐私权政策|个人信息保护政策|privacy policy|privacy notice", re.IGNORECASE)
_URL_HINT = re.compile(r"privacy|policy|隐私|yinsi|agreement|xieyi", re.IGNORECASE)

Analyser = Callable[..., list[Evidence]]


def is_html(name: str) -> bool:
    return name.lower().endswith((".html", ".htm"))


def visible_text(raw: str, html: bool) -> str:
    if not html:
        return raw
    soup = BeautifulSoup(raw, "lxml")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup.get_text("\n")


def _candidate_assets(files: Sequence[str]) -> list[str]:
    return [f for f in files if f.startswith("assets/") and f.lower().endswith(POLICY_SUFFIXES)][:MAX_CANDIDATES]


def embedded_policy_raw(source: Any) -> list[tuple[str, str]]:
    """(asset name, decoded file content) of every asset whose name or title says it is a policy."""
    found = []
    for name in _candidate_assets(source.files):
        named = _NAME_HINT.search(posixpath.basename(name)) is not None
        raw = decode_text(source.read(name, limit=MAX_POLICY_BYTES))
        if named or _TITLE_HINT.search(visible_text(raw[: TITLE_WINDOW * 20], is_html(name)).strip()[:TITLE_WINDOW]):
            found.append((name, raw))
    return found


def embedded_policy_texts(source: Any) -> list[tuple[str, str]]:
    """(asset name, visible text) of every embedded privacy policy."""
    return [(name, visible_text(raw, is_html(name))) for name, raw in embedded_policy_raw(source)]


def policy_analyser() -> Analyser | None:
    """analyse_policy_text from scanner.extractors.policy_nlp, when that module is installed."""
    try:
        module = importlib.import_module("scanner.extractors.policy_nlp")
    except ImportError:
        return None
    analyse = getattr(module, "analyse_policy_text", None)
    return analyse if callable(analyse) else None


def run(source: Any, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    analyse = policy_analyser()
    for name, raw in embedded_policy_raw(source):
        yield from _embedded(source.uri, name, raw, analyse)
    yield from _policy_urls(source)


def _embedded(uri: str, name: str, raw: str, analyse: Analyser | None) -> Iterator[Evidence]:
    text = visible_text(raw, is_html(name)).strip()
    attrs: dict[str, Any] = {"source": "asset", "language": cjk_language(text), "chars": len(text), "analysed": False}
    facts: list[Evidence] = []
    if analyse is not None:
        try:
            facts = list(analyse(text, uri=uri, logical=name))
            attrs["analysed"] = True
        except Exception as exc:  # noqa: BLE001 — a failing analysis must not hide the document itself
            attrs["analysis_error"] = f"{type(exc).__name__}: {exc}"[:200]
    # the analyser may state the document itself; one policy.document per asset is enough
    if not any(ev.kind == "policy.document" and ev.key == name for ev in facts):
        yield Evidence("policy.document", name, attrs, Location(uri, name, snippet(text)), EXTRACTOR)
    yield from facts


def _policy_urls(source: Any) -> Iterator[Evidence]:
    seen: set[str] = set()
    for found in app_urls(source):
        url = found.url
        if url.url in seen or is_ignored_host(url.host) or not _URL_HINT.search(url.url):
            continue
        seen.add(url.url)
        attrs = {"source": "url", "analysed": False, "scheme": url.scheme}
        yield Evidence("policy.document", url.url, attrs, Location(source.uri, found.logical, snippet(url.url)), EXTRACTOR)
