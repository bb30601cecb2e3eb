"""Hosts the app talks to (network.endpoint) and face data sent to face clouds (face.upload)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from scanner.extractors.base import ExtractorSpec
from scanner.extractors.text_utils import snippet
from scanner.model import Confidence, Evidence, Location
from scanner.signatures import api_table, face_index, host_matches, readable_ref, ref_class, sdk_index
from scanner.sources.apk import ApkSource, FoundUrl

NAME = "apk_endpoints"
VERSION = 2
EXTRACTOR = f"{NAME}@{VERSION}"
MAX_CALLERS = 3


def is_ignored_host(host: str) -> bool:
    return host_matches(host, api_table().endpoint_ignore_hosts)


def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    urls = [f for f in source.urls if not is_ignored_host(f.url.host)]
    yield from _endpoints(source, urls)
    yield from _face_uploads(source, urls)


def _endpoints(source: ApkSource, urls: Sequence[FoundUrl]) -> Iterator[Evidence]:
    index = sdk_index()
    seen: set[tuple[str, str]] = set()
    for found in urls:
        url = found.url
        if (url.host, url.scheme) in seen:
            continue
        seen.add((url.host, url.scheme))
        attrs: dict[str, Any] = {"scheme": url.scheme, "cleartext": url.scheme == "http"}
        sdk = index.host_owner(url.host)
        if sdk:
            attrs.update(vendor=sdk.vendor, sdk=sdk.id)
        if found.callers:
            attrs["callers"] = [readable_ref(c) for c in found.callers[:MAX_CALLERS]]
        yield Evidence("network.endpoint", url.host, attrs, Location(source.uri, found.logical, snippet(url.url)), EXTRACTOR)


def _face_uploads(source: ApkSource, urls: Sequence[FoundUrl]) -> Iterator[Evidence]:
    faces = face_index()
    seen: set[tuple[str, str]] = set()
    for found in urls:
        url = found.url
        sdk = faces.endpoint_owner(url.host, url.path)  # its host, and its face path where it names one
        if sdk is None or (url.host, url.path) in seen:
            continue
        seen.add((url.host, url.path))
        table = api_table()
        attrs = {
            "host": url.host,
            "vendor": sdk.vendor,
            "sdk": sdk.id,
            "scheme": url.scheme,
            "path": url.path,
            "callers": [readable_ref(c) for c in found.callers[:MAX_CALLERS]],
            # the app's own code sends to the face cloud (not a bundled SDK's code that may never run)
            "own_code": any(table.is_own_code(ref_class(c), source.manifest.package) for c in found.callers),
        }
        # a URL constant nobody loads may be dead code: say so through the confidence
        confidence = Confidence.HIGH if found.callers else Confidence.MEDIUM
        yield Evidence(
            "face.upload", url.host, attrs, Location(source.uri, found.logical, snippet(url.url)), EXTRACTOR, confidence
        )


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"network.endpoint", "face.upload"}), reads=ApkSource, needs_code=True)
