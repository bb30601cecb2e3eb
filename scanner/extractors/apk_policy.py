"""Privacy policies an app carries: embedded policy files (assets), analysed, and policy URLs.

An embedded policy is read like any policy file (scanner.sources.policy) and its text analysed
(scanner.extractors.policy_nlp). A policy URL is only recorded (analysed false): scans run offline,
so rules that need its text say UNKNOWN rather than guess.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, Iterator, Sequence

from scanner.errors import InputError
from scanner.extractors.apk_endpoints import app_urls, is_ignored_host
from scanner.extractors.text_utils import snippet
from scanner.model import Evidence, Location
from scanner.sources.policy import PolicySource, policy_from_bytes

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


def _candidate_assets(files: Sequence[str]) -> list[str]:
    return [f for f in files if f.startswith("assets/") and f.lower().endswith(POLICY_SUFFIXES)][:MAX_CANDIDATES]


def embedded_policies(source: Any) -> tuple[tuple[str, PolicySource], ...]:
    """(asset name, opened policy) of every asset whose name or title says it is a privacy policy.

    Read once per APK: the policy analysis reads them, and the UI-text extractor leaves them out."""
    return source.memo("apk_policy.embedded_policies", lambda: _read_embedded_policies(source))


def _read_embedded_policies(source: Any) -> tuple[tuple[str, PolicySource], ...]:
    found = []
    for name in _candidate_assets(source.files):
        try:
            document = policy_from_bytes(source.read(name, limit=MAX_POLICY_BYTES), uri=f"{source.uri}!/{name}", name=name)
        except InputError:
            continue  # an empty or binary asset is not a policy
        titled = _TITLE_HINT.search(document.label) or _TITLE_HINT.search(document.text[:TITLE_WINDOW])
        if _NAME_HINT.search(posixpath.basename(name)) or titled:
            found.append((name, document))
    return tuple(found)


def run(source: Any, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    found = embedded_policies(source)
    if found:  # spaCy loads (≈0.5 s) only for the apps that carry a policy
        from scanner.extractors.policy_nlp import analyse_policy_text
    for name, document in found:
        yield from analyse_policy_text(
            document.text, uri=source.uri, logical=name, sections=document.sections, language=document.attributes["language"]
        )
    yield from _policy_urls(source)


def _policy_urls(source: Any) -> Iterator[Evidence]:
    seen: set[str] = set()
    for found in app_urls(source):
        url = found.url
        if url.url in seen or is_ignored_host(url.host) or not _URL_HINT.search(url.url):
            continue
        seen.add(url.url)
        attrs = {"source": "url", "analysed": False, "scheme": url.scheme}
        yield Evidence("policy.document", url.url, attrs, Location(source.uri, found.logical, snippet(url.url)), EXTRACTOR)
