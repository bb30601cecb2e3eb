"""Hosts the app talks to (network.endpoint) and face data sent to face clouds (face.upload)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from scanner.extractors.text_utils import Url, find_urls, snippet
from scanner.model import Confidence, Evidence, Location
from scanner.signatures import SdkSignature, all_sdks, api_table, face_sdks, host_matches, readable_ref, ref_class

NAME = "apk_endpoints"
VERSION = 1
EXTRACTOR = f"{NAME}@{VERSION}"
MAX_CALLERS = 3


@dataclass(frozen=True)
class FoundUrl:
    """A URL seen in the app: where (resource name or first loading method) and which methods load it."""

    url: Url
    logical: str
    callers: tuple[str, ...]


def app_urls(source: Any) -> tuple[FoundUrl, ...]:
    """URLs in dex strings (with the methods that load them) and in string resources.

    Read once per APK: the SDK, policy and endpoint extractors all ask, and each reading costs a
    pass over every dex string and the bytecode."""
    return source.memo("apk_endpoints.app_urls", lambda: _read_app_urls(source))


def _read_app_urls(source: Any) -> tuple[FoundUrl, ...]:
    found: list[FoundUrl] = []
    dex_urls = {s: list(find_urls(s)) for s in source.dex.strings if "http" in s.lower()}
    dex_urls = {s: urls for s, urls in dex_urls.items() if urls}
    users = source.dex.users_of_strings(lambda s: s in dex_urls) if dex_urls else {}
    for text, urls in dex_urls.items():
        callers = users.get(text, ())
        logical = callers[0] if callers else "dex strings"
        found.extend(FoundUrl(u, logical, callers) for u in urls)
    for name, value in source.resource_strings:
        found.extend(FoundUrl(u, f"@string/{name}", ()) for u in find_urls(value))
    return tuple(found)


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


def run(source: Any, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    urls = [f for f in app_urls(source) if not is_ignored_host(f.url.host)]
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
