"""Which known SDKs are bundled (sdk.present, face.sdk) and whether the app's own code calls them.

A face SDK called only from renamed code (R8/ProGuard short names, whose author cannot be told) is
stated as such (renamed_callers): release builds are shrunk, so renamed code that survived is code the
app keeps, and most commercial apps rename all of their own code. sdk.present's `called` stays
own-code only.

Signatures are product-level (rules/signatures/*.yaml): a class under a listed package, a native
library file name, a manifest component, an asset, or a cloud host. A string that merely contains a
vendor's name is not an SDK.
"""

from __future__ import annotations

import posixpath
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from typing import Any

from scanner.extractors.base import ExtractorSpec
from scanner.extractors.text_utils import snippet
from scanner.model import Confidence, Evidence, Location
from scanner.signatures import SdkSignature, all_sdks, api_table, dotted_class, readable_ref, ref_class
from scanner.sources.apk import ApkSource

NAME = "apk_sdks"
VERSION = 2
EXTRACTOR = f"{NAME}@{VERSION}"
MAX_NAMES = 5
MAX_CALLERS = 3
BUNDLED_VIA = ("class", "native_lib", "component", "asset")


@dataclass(frozen=True)
class ApkInventory:
    """What an APK holds, in the form signatures are matched against."""

    classes: frozenset[str]  # dex descriptors of defined classes
    native_libs: tuple[str, ...]  # zip paths lib/<abi>/<name>.so
    components: tuple[str, ...]  # manifest component class names
    assets: tuple[str, ...]  # zip paths under assets/
    hosts: frozenset[str]

    @cached_property
    def sorted_classes(self) -> tuple[str, ...]:
        return tuple(sorted(self.classes))

    def classes_under(self, prefixes: Sequence[str]) -> list[str]:
        """Sorted classes starting with any of `prefixes`: a binary search per prefix instead of a
        test of every class of the app against every SDK."""
        ordered = self.sorted_classes
        found: set[str] = set()
        for prefix in prefixes:
            i = bisect_left(ordered, prefix)
            while i < len(ordered) and ordered[i].startswith(prefix):
                found.add(ordered[i])
                i += 1
        return sorted(found)


@dataclass(frozen=True)
class SdkMatch:
    via: tuple[str, ...]  # in BUNDLED_VIA order, then "endpoint"
    names: tuple[str, ...]  # a few matched class / lib / component / asset / host names
    logical: str  # where to point a reader: the first matched thing


def inventory_of(source: Any) -> ApkInventory:
    m = source.manifest
    return ApkInventory(
        classes=source.dex.class_descriptors,
        native_libs=tuple(f for f in source.files if f.startswith("lib/") and f.endswith(".so")),
        components=m.activities + m.services + m.receivers + m.providers,
        assets=tuple(f for f in source.files if f.startswith("assets/")),
        hosts=frozenset(found.url.host for found in source.urls),
    )


def match_sdk(sdk: SdkSignature, inv: ApkInventory) -> SdkMatch:
    """How (if at all) one SDK signature matches an APK inventory."""
    hits: list[tuple[str, list[str]]] = [
        ("class", inv.classes_under(sdk.descriptor_prefixes)),
        ("native_lib", sorted(p for p in inv.native_libs if posixpath.basename(p) in sdk.native_libs)),
        ("component", sorted(c for c in inv.components if sdk.owns_component(c))),
        ("asset", sorted(a for a in inv.assets if any(fnmatchcase(a, pat) for pat in sdk.assets))),
        ("endpoint", sorted(h for h in inv.hosts if sdk.matches_host(h))),
    ]
    via = tuple(kind for kind, names in hits if names)
    names: dict[str, None] = {}  # insertion-ordered set: a class can also be a declared component
    for kind, found in hits:
        names.update((dotted_class(n) if kind == "class" else n, None) for n in found[:2])
    logical = next((found[0] for _, found in hits if found), "")
    return SdkMatch(via, tuple(names)[:MAX_NAMES], logical)


@dataclass(frozen=True)
class SdkCallers:
    own: tuple[str, ...] = ()  # methods of the app's own package or of unlisted third-party code
    renamed: tuple[str, ...] = ()  # methods whose every name is shortened (origin unknown)


def callers_by_sdk(source: Any, sdks: Sequence[SdkSignature]) -> dict[str, SdkCallers]:
    """For each SDK id, the methods outside known libraries that call into (or read fields of) the
    SDK's classes."""
    prefixes = tuple(p for sdk in sdks for p in sdk.descriptor_prefixes)
    if not prefixes:
        return {}
    calls = source.dex.callers_of(lambda ref: ref.startswith(prefixes))
    return group_callers(calls, sdks, source.manifest.package)


def group_callers(
    calls: Mapping[str, Iterable[str]], sdks: Sequence[SdkSignature], app_package: str
) -> dict[str, SdkCallers]:
    table = api_table()
    found: dict[str, dict[str, set[str]]] = {}
    for ref, callers in calls.items():
        owner = next((s for s in sdks if s.owns_class(ref_class(ref))), None)
        if owner is None:
            continue
        for caller in callers:
            origin = table.code_origin(ref_class(caller), app_package)
            if origin == "library":  # SDK prefixes are library prefixes: an SDK calling itself is not use
                continue
            group = "renamed" if origin == "obfuscated" else "own"
            found.setdefault(owner.id, {"own": set(), "renamed": set()})[group].add(caller)
    return {sdk_id: SdkCallers(tuple(sorted(g["own"])), tuple(sorted(g["renamed"]))) for sdk_id, g in found.items()}


def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    sdks = all_sdks()
    inv = inventory_of(source)
    matches = {sdk.id: match_sdk(sdk, inv) for sdk in sdks}
    present = [sdk for sdk in sdks if matches[sdk.id].via]
    callers = callers_by_sdk(source, present)
    for sdk in present:
        match = matches[sdk.id]
        sdk_callers = callers.get(sdk.id, SdkCallers())
        location = Location(source.uri, match.logical, snippet(", ".join(match.names)))
        yield Evidence(
            "sdk.present",
            sdk.id,
            {
                "vendor": sdk.vendor,
                "product": sdk.product,
                "category": sdk.category,
                "via": list(match.via),
                "called": bool(sdk_callers.own),
            },
            location,
            EXTRACTOR,
        )
        if sdk.is_face and set(match.via) & set(BUNDLED_VIA):
            yield _face_sdk(sdk, match, sdk_callers, location)


def _face_sdk(sdk: SdkSignature, match: SdkMatch, callers: SdkCallers, location: Location) -> Evidence:
    attrs = {
        "vendor": sdk.vendor,
        "product": sdk.product,
        "capability": list(sdk.capability),
        "via": list(match.via),
        "matched": list(match.names),
        "called": bool(callers.own),
        "callers": [readable_ref(c) for c in callers.own[:MAX_CALLERS]],
    }
    if callers.renamed:
        attrs["renamed_callers"] = [readable_ref(c) for c in callers.renamed[:MAX_CALLERS]]
    strong = "class" in match.via or "native_lib" in match.via
    return Evidence("face.sdk", sdk.id, attrs, location, EXTRACTOR, Confidence.HIGH if strong else Confidence.MEDIUM)


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"sdk.present", "face.sdk"}), reads=ApkSource)
