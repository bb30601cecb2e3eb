"""What the app does at start-up before the person agrees: facts from the start-up walk
(scanner.extractors.startup_walk) with the path an auditor can follow in a decompiler.

- startup.collect: a personal-data read (rules/signatures/apis.yaml, face SDK entry points) reached from
  an entry point; gated false when the walk found a path to it that passes no consent gate, true (with
  the gate named) when every path it found passes one;
- startup.sdk_start: an SDK start call (start_calls in the SDK signatures) reached the same way, or an
  SDK's own ContentProvider, which the system starts before any of the app's code;
- startup.gate: each consent gate recognised, and how;
- startup.blind_spot: what the walk met before the gate and cannot follow (reflection, native code,
  dynamically loaded code, method handles, missing entry classes, damaged methods, its budget);
- startup.walk: the entry points, how much was walked, and how many blind spots of each kind.

Each path is a list of steps, the entry method first and the API or start call last; a step reached
other than by a plain call says how (hand-off, lifecycle callback, started component, static
initialiser, accept callback, after consent check).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from scanner.extractors.apk_code import api_signatures
from scanner.extractors.base import ExtractorSpec
from scanner.extractors.startup_walk import Gate, Reached, StartupWalk, Step, WalkTables, code_reader, walk_startup, walk_tables
from scanner.extractors.text_utils import snippet
from scanner.model import Confidence, Evidence, Location
from scanner.signatures import all_sdks, api_table, apk_lexicon, readable_ref, ref_class
from scanner.sources.apk import ApkSource

NAME = "apk_startup"
VERSION = 1
EXTRACTOR = f"{NAME}@{VERSION}"
MAX_BLIND_SPOTS_STATED = 20  # per kind of blind spot; startup.walk counts them all
# The walk over-approximates (a Runnable created is taken as run; every override of a created class
# may be called) and recognises gates by their shape, so a path it states is a probable one.
WALK_CONFIDENCE = Confidence.MEDIUM

DATA_OF_KIND = {
    "identifier.collect": "identifiers", "location.collect": "location", "contacts.collect": "contacts",
    "sms.collect": "sms", "applist.collect": "applist", "clipboard.read": "clipboard", "camera.use": "camera",
    "face.api_call": "face",
}


@lru_cache(maxsize=1)
def startup_tables() -> WalkTables:
    """What the walk looks for: apis.yaml and the face SDK entry points, the SDKs' start calls, the
    consent-flag keys, and policy text as the APK lexicon recognises it (a policy mention or a
    consent sentence)."""
    from scanner.extractors.apk_strings import MAX_TEXT, ui_lexicon

    lex = ui_lexicon()

    def policy_text(text: str) -> bool:
        return len(text) <= MAX_TEXT and (lex.policy_mentions.search(text) is not None
                                          or any(p.search(text) for p in lex.consent_patterns))

    return walk_tables(api_signatures(), all_sdks(), apk_lexicon(), policy_text)


def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    tables = startup_tables()
    walk = walk_startup(code_reader(source.dex, tables), source.manifest, tables)
    yield _summary(source, walk)
    for gate in walk.gates:
        yield _gate(source, gate)
    for read in walk.reads:
        yield _collect(source, read)
    for start in walk.starts:
        yield _sdk_start(source, start)
    stated: Counter[str] = Counter()
    for spot in walk.blind_spots:
        stated[spot.blind] += 1
        if stated[spot.blind] <= MAX_BLIND_SPOTS_STATED:
            yield _blind_spot(source, spot)


def step_text(step: Step) -> str:
    name = readable_ref(step.method)
    return f"{name} ({step.how})" if step.how else name


def path_texts(steps: Sequence[Step], last: str = "") -> list[str]:
    return [step_text(s) for s in steps] + ([last] if last else [])


def _location(source: ApkSource, logical: str, path: Sequence[str]) -> Location:
    return Location(source.uri, logical, snippet(" → ".join(path)))


def _summary(source: ApkSource, walk: StartupWalk) -> Evidence:
    counts = Counter(spot.blind for spot in walk.blind_spots)
    attrs: dict[str, Any] = {
        "entries": [f"{e.kind}: {e.component}" for e in walk.entries],
        "methods": walk.methods,
        "gates": len(walk.gates),
        "complete": not walk.stopped,
        "blind_spots": dict(sorted(counts.items())),
    }
    # no snippet: the counts are the tool's own, not quoted from the app (a report words them from attrs)
    return Evidence("startup.walk", "startup", attrs, Location(source.uri, "AndroidManifest.xml"), EXTRACTOR)


def _gate(source: ApkSource, gate: Gate) -> Evidence:
    attrs: dict[str, Any] = {"cue": gate.cue, "method": readable_ref(gate.method), "detail": gate.detail,
                             "path": path_texts(gate.path)}
    if gate.flag:
        attrs["flag"] = gate.flag
    return Evidence("startup.gate", readable_ref(gate.method), attrs, Location(source.uri, gate.method, snippet(gate.detail)),
                    EXTRACTOR)


def _gating(reached: Reached, attrs: dict[str, Any]) -> None:
    attrs["gated"] = reached.gate is not None
    if reached.gate is not None:
        attrs["gate"] = reached.gate.detail
        attrs["gate_cue"] = reached.gate.cue


def _entry_attrs(reached: Reached) -> dict[str, Any]:
    return {"entry": reached.entry.component, "entry_kind": reached.entry.kind}


def _collect(source: ApkSource, read: Reached) -> Evidence:
    sig = read.signature
    assert sig is not None  # a read always carries its signature
    path = path_texts(read.path, read.label)
    origin = api_table().code_origin(ref_class(read.caller), source.manifest.package)
    attrs: dict[str, Any] = {"api": read.label, "data": DATA_OF_KIND[sig.kind], "caller": readable_ref(read.caller),
                             "code_origin": origin, **_entry_attrs(read), "path": path}
    _gating(read, attrs)
    return Evidence("startup.collect", read.label, attrs, _location(source, read.caller, path), EXTRACTOR, WALK_CONFIDENCE)


def _sdk_start(source: ApkSource, start: Reached) -> Evidence:
    sdk = start.sdk
    assert sdk is not None  # a start always names its SDK
    path = path_texts(start.path) if start.via_provider else path_texts(start.path, start.label)
    attrs: dict[str, Any] = {"sdk": sdk.id, "vendor": sdk.vendor, "category": sdk.category, "call": start.label,
                             "caller": readable_ref(start.caller), "via": "provider" if start.via_provider else "call",
                             **_entry_attrs(start), "path": path}
    _gating(start, attrs)
    return Evidence("startup.sdk_start", sdk.id, attrs, _location(source, start.caller, path), EXTRACTOR, WALK_CONFIDENCE)


def _blind_spot(source: ApkSource, spot: Reached) -> Evidence:
    path = path_texts(spot.path)
    attrs: dict[str, Any] = {"what": spot.blind, "detail": spot.label, "path": path}
    if spot.caller:
        attrs["caller"] = readable_ref(spot.caller)
    if spot.entry.component:
        attrs.update(_entry_attrs(spot))
    text = spot.label + (f" — {' → '.join(path)}" if path else "")
    return Evidence("startup.blind_spot", spot.blind, attrs, Location(source.uri, spot.caller or "AndroidManifest.xml",
                                                                       snippet(text)), EXTRACTOR)


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"startup.walk", "startup.gate", "startup.collect",
                                                          "startup.sdk_start", "startup.blind_spot"}), reads=ApkSource, needs_code=True)
