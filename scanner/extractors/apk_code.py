"""Calls from code into sensitive APIs: camera, face, biometric prompt, identifiers, location, contacts,
SMS, installed apps, clipboard (tables in rules/signatures/apis.yaml and face_sdks.yaml entry_points).

One evidence per (API, calling method). A referenced API nobody calls states nothing. A call from
inside a bundled library, or from renamed (obfuscated) code whose origin cannot be told, is stated
with own_code false and low confidence; the app's own calls with own_code true. code_origin says which.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from scanner.extractors.base import ExtractorSpec
from scanner.extractors.text_utils import snippet
from scanner.model import Confidence, Evidence, Location
from scanner.signatures import ApiSignature, ApiTable, api_table, face_sdks, readable_ref, ref_class, ref_head
from scanner.sources.apk import ApkSource

NAME = "apk_code"
VERSION = 1
EXTRACTOR = f"{NAME}@{VERSION}"


def api_signatures() -> tuple[ApiSignature, ...]:
    """apis.yaml entries plus every face SDK entry point (as face.api_call)."""
    from_sdks = tuple(
        ApiSignature("face.api_call", readable_ref(ref), ref, "", "", sdk.vendor)
        for sdk in face_sdks()
        for ref in sdk.entry_point_refs()
    )
    return api_table().apis + from_sdks


def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    table = api_table()
    signatures = api_signatures()
    by_ref: dict[str, list[ApiSignature]] = defaultdict(list)
    by_string: dict[str, list[ApiSignature]] = defaultdict(list)
    for sig in signatures:
        (by_ref[sig.ref] if sig.ref else by_string[sig.string]).append(sig)
    needed_strings = set(by_string) | {s.caller_loads_string for s in signatures if s.caller_loads_string}

    calls = source.dex.callers_of(lambda ref: ref_head(ref) in by_ref)
    string_users = source.dex.users_of_strings(lambda s: s in needed_strings) if needed_strings else {}

    hits = [
        (sig, caller)
        for ref, callers in sorted(calls.items())
        for sig in by_ref[ref_head(ref)]
        for caller in _qualifying_callers(sig, callers, string_users)
    ] + [
        (sig, caller)
        for text, callers in sorted(string_users.items())
        for sig in by_string.get(text, ())
        for caller in callers
    ]
    seen: set[tuple[str, str, str]] = set()
    for sig, caller in hits:
        if (sig.kind, sig.label, caller) not in seen:  # one evidence per (API, caller)
            seen.add((sig.kind, sig.label, caller))
            yield api_evidence(source, sig, caller, table)


def _qualifying_callers(
    sig: ApiSignature, callers: Sequence[str], string_users: Mapping[str, Sequence[str]]
) -> Sequence[str]:
    """Callers that count for this signature (all of them, unless the call needs a string beside it)."""
    if not sig.caller_loads_string:
        return callers
    loaders = set(string_users.get(sig.caller_loads_string, ()))
    return [c for c in callers if c in loaders]


def api_evidence(source: ApkSource, sig: ApiSignature, caller: str, table: ApiTable) -> Evidence:
    origin = table.code_origin(ref_class(caller), source.manifest.package)
    own_code = origin in ("app", "other")
    attrs: dict[str, Any] = {"api": sig.label, "caller": readable_ref(caller), "own_code": own_code, "code_origin": origin}
    if sig.vendor:
        attrs["vendor"] = sig.vendor
    return Evidence(
        sig.kind,
        sig.key,
        attrs,
        Location(source.uri, caller, snippet(f"{readable_ref(caller)} → {sig.label}")),
        EXTRACTOR,
        Confidence.HIGH if own_code else Confidence.LOW,
    )


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"face.api_call", "biometric.system_prompt", "camera.use", "identifier.collect", "location.collect", "contacts.collect", "sms.collect", "applist.collect", "clipboard.read"}), reads=ApkSource, needs_code=True)
