"""Hosts the app talks to (network.endpoint) and face data sent to face clouds (face.upload)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from scanner.extractors.base import ExtractorSpec
from scanner.extractors.text_utils import snippet
from scanner.model import Confidence, Evidence, Location
from scanner.signatures import SdkSignature, all_sdks, api_table, face_sdks, host_matches, readable_ref, ref_class
from scanner.sources.apk import ApkSource, FoundUrl
from scanner.sources.urls import Url

NAME = "apk_endpoints"
VERSION = 1
EXTRACTOR = f"{NAME}@{VERSION}"
MAX_CALLERS = 3



def is_ignored_host(host: str) -> bool:
    return host_matches(host, api_table().endpoint_ignore_hosts)


def sdk_for_host(host: str, sdks: Sequence[SdkSignature]) -> SdkSignature | None:
    return next((s for s in sdks if s.matches_host(host)), None)


def face_upload_sdk(url: Url, sdks: Sequence[SdkSignature]) -> SdkSignature | None:
    """The face SDK whose cloud receives this URL, when its host (and face path, if any) match."""
    for sdk in sdks:
        if sdk.matches_host(url.host) and (not sdk.upload_paths or url.path.startswith(sdk.upload_paths)):
            return sdk
    return None


def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    urls = [f for f in source.urls if not is_ignored_host(f.url.host)]
    yield from _endpoints(source, urls)
    yield from _face_uploads(source, urls)


def _endpoints(source: Any, urls: Sequence[FoundUrl]) -> Iterator[Evidence]:
    sdks = all_sdks()
    seen: set[tuple[str, str]] = set()
    for found in urls:
        url = found.url
        if (url.host, url.scheme) in seen:
            continue
        seen.add((url.host, url.scheme))
        attrs: dict[str, Any] = {"scheme": url.scheme, "cleartext": url.scheme == "http"}
        sdk = sdk_for_host(url.host, sdks)
        if sdk:
            attrs.update(vendor=sdk.vendor, sdk=sdk.id)
        if found.callers:
            attrs["callers"] = [readable_ref(c) for c in found.callers[:MAX_CALLERS]]
        yield Evidence("network.endpoint", url.host, attrs, Location(source.uri, found.logical, snippet(url.url)), EXTRACTOR)


def _face_uploads(source: Any, urls: Sequence[FoundUrl]) -> Iterator[Evidence]:
    sdks = face_sdks()
    seen: set[tuple[str, str]] = set()
    for found in urls:
        url = found.url
        sdk = face_upload_sdk(url, sdks)
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


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"network.endpoint", "face.upload"}), reads=ApkSource)
