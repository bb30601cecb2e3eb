"""Privacy policies an app carries: embedded policy files (assets), analysed, and policy URLs.

An embedded policy is read like any policy file (scanner.sources.policy) and its text analysed
(scanner.extractors.policy_nlp). A policy URL is only recorded (analysed false): scans run offline,
so rules that need its text say UNKNOWN rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from scanner.extractors.apk_endpoints import is_ignored_host
from scanner.extractors.base import ExtractorSpec
from scanner.extractors.text_utils import snippet
from scanner.model import Evidence, Location
from scanner.sources.apk import ApkSource

NAME = "apk_policy"
VERSION = 1
EXTRACTOR = f"{NAME}@{VERSION}"
_URL_HINT = re.compile(r"privacy|policy|隐私|yinsi|agreement|xieyi", re.IGNORECASE)

def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    found = source.embedded_policies
    if found:  # spaCy loads (≈0.5 s) only for the apps that carry a policy
        from scanner.extractors.policy_nlp import analyse_policy_text
    for name, document in found:
        yield from analyse_policy_text(
            document.text, uri=source.uri, logical=name, sections=document.sections, language=document.attributes["language"]
        )
    yield from _policy_urls(source)


def _policy_urls(source: ApkSource) -> Iterator[Evidence]:
    seen: set[str] = set()
    for found in source.urls:
        url = found.url
        if url.url in seen or is_ignored_host(url.host) or not _URL_HINT.search(url.url):
            continue
        seen.add(url.url)
        attrs = {"source": "url", "analysed": False, "scheme": url.scheme}
        yield Evidence("policy.document", url.url, attrs, Location(source.uri, found.logical, snippet(url.url)), EXTRACTOR)


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"policy.document", "policy.discloses", "policy.checklist"}), reads=ApkSource, needs_code=True)
