"""Which known SDKs are bundled (sdk.present, face.sdk) and whether the app's own code calls them.

A face SDK called only from renamed code (R8/ProGuard short names, whose author cannot be told) is
stated as such (renamed_callers): release builds are shrunk, so renamed code that survived is code the
app keeps, and most commercial apps rename all of their own code. sdk.present's `called` stays
own-code only.

Signatures are product-level (rules/signatures/*.yaml and the imported anchors/): a class under a
listed package or a listed class, a native library file name, a manifest component, an asset, a model
file, a cloud host (with its face API path where the vendor's cloud serves other products too), or a
URL path on any host (LAN devices such as door terminals). Every name of the app is looked up once in
one index over all signatures (scanner.signatures.SdkIndex). A string that merely contains a vendor's
name is not an SDK.

A renamed (obfuscated) SDK keeps its native libraries, manifest components, assets and model files:
it is still found, with `via` saying how, and a face SDK found without its classes or libraries is
stated at medium confidence.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scanner.extractors.base import ExtractorSpec
from scanner.extractors.text_utils import snippet
from scanner.model import Confidence, Evidence, Location
from scanner.signatures import SdkIndex, SdkSignature, api_table, dotted_class, readable_ref, ref_class, sdk_index
from scanner.sources.apk import ApkSource

NAME = "apk_sdks"
VERSION = 3
EXTRACTOR = f"{NAME}@{VERSION}"
MAX_NAMES = 5
MAX_CALLERS = 3
BUNDLED_VIA = ("class", "native_lib", "component", "asset", "model")
VIA_ORDER = (*BUNDLED_VIA, "endpoint", "url_path")
STRONG_VIA = ("class", "native_lib")  # names an SDK cannot shed: its packages and JNI libraries
LIBRARY = "library"  # the category of development libraries (no personal-data role of their own)


@dataclass(frozen=True)
class ApkInventory:
    """What an APK holds, in the form signatures are matched against."""

    classes: frozenset[str]  # dex descriptors of defined classes
    native_libs: tuple[str, ...]  # zip paths lib/<abi>/<name>.so
    components: tuple[str, ...]  # manifest component class names
    files: tuple[str, ...]  # every zip entry: assets and model files are among them
    urls: tuple[tuple[str, str], ...] = ()  # (host, path) of every URL written in the app
    path_strings: tuple[str, ...] = ()  # strings holding a URL-path signature (a LAN device's API)
    loaders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # URL / path string → methods loading it


@dataclass(frozen=True)
class SdkMatch:
    via: tuple[str, ...]  # in VIA_ORDER
    names: tuple[str, ...]  # a few matched class / lib / component / asset / host / path names
    logical: str  # where to point a reader: the first matched thing
    loaders: tuple[str, ...] = ()  # methods that load a matched URL or path string


def inventory_of(source: ApkSource, index: SdkIndex) -> ApkInventory:
    m = source.manifest
    loaders: dict[str, tuple[str, ...]] = {}
    urls = []
    for found in source.urls:
        urls.append((found.url.host, found.url.path))
        if found.callers:
            loaders[found.url.host + found.url.path] = found.callers
    needles = tuple(dict.fromkeys(path for path, _ in index.url_paths))
    path_strings: tuple[str, ...] = ()
    if needles:
        dex_hits = strings_containing(source.dex.strings, needles)
        resource_hits = {value for _, value in source.resource_strings if any(n in value for n in needles)}
        path_strings = tuple(sorted(dex_hits | resource_hits))
        if dex_hits:
            loaders.update(source.dex.users_of_strings(dex_hits.__contains__))
    return ApkInventory(
        classes=source.dex.class_descriptors,
        native_libs=tuple(f for f in source.files if f.startswith("lib/") and f.endswith(".so")),
        components=m.activities + m.services + m.receivers + m.providers,
        files=tuple(source.files),
        urls=tuple(urls),
        path_strings=path_strings,
        loaders=loaders,
    )


def strings_containing(strings: Iterable[str], needles: Sequence[str]) -> set[str]:
    """The strings holding any of `needles`: one plain substring pass per needle (on a dex's short
    strings several times faster than one regex, or one search over them all joined)."""
    strings = tuple(strings)
    return {s for needle in needles for s in strings if needle in s}


def match_all(index: SdkIndex, inv: ApkInventory) -> dict[str, SdkMatch]:
    """How each SDK that matches at all matches the inventory: every name looked up once."""
    hits: dict[str, dict[str, list[str]]] = {}
    loaders: dict[str, set[str]] = {}

    def hit(sdk: SdkSignature | None, via: str, name: str) -> None:
        if sdk is not None:
            hits.setdefault(sdk.id, {v: [] for v in VIA_ORDER})[via].append(name)

    for descriptor in inv.classes:
        hit(index.class_owner(descriptor), "class", descriptor)
    for path in inv.native_libs:
        hit(index.native_lib_owner(posixpath.basename(path)), "native_lib", path)
    for component in inv.components:
        hit(index.component_owner(component), "component", component)
    for entry in inv.files:
        if entry.startswith("assets/"):
            hit(index.asset_owner(entry), "asset", entry)
        if index.may_be_model(entry):
            hit(index.model_owner(posixpath.basename(entry)), "model", entry)
    for host, path in inv.urls:
        sdk = index.endpoint_owner(host, path)
        hit(sdk, "endpoint", host)
        owner = index.url_path_owner(path)
        hit(owner, "url_path", path)
        for found in (sdk, owner):
            if found is not None:
                loaders.setdefault(found.id, set()).update(inv.loaders.get(host + path, ()))
    for text in inv.path_strings:  # "/ISAPI/…?format=json", or a URL whose host is added at run time
        for prefix, sdk in index.url_paths:
            at = text.find(prefix)
            if at >= 0:
                hit(sdk, "url_path", text[at:].split("?", 1)[0])
                loaders.setdefault(sdk.id, set()).update(inv.loaders.get(text, ()))
                break
    return {sdk_id: _summary(by_via, loaders.get(sdk_id, set())) for sdk_id, by_via in hits.items()}


def _summary(by_via: Mapping[str, list[str]], loaders: Iterable[str]) -> SdkMatch:
    via = tuple(v for v in VIA_ORDER if by_via[v])
    names: dict[str, None] = {}  # insertion-ordered set: a class can also be a declared component
    firsts = []
    for kind in via:
        found = sorted(set(by_via[kind]))
        firsts.append(found[0])
        names.update((dotted_class(n) if kind == "class" else n, None) for n in found[:2])
    return SdkMatch(via, tuple(names)[:MAX_NAMES], firsts[0], tuple(sorted(loaders)))


@dataclass(frozen=True)
class SdkCallers:
    own: tuple[str, ...] = ()  # methods of the app's own package or of unlisted third-party code
    renamed: tuple[str, ...] = ()  # methods whose every name is shortened (origin unknown)


def callers_by_sdk(source: ApkSource, index: SdkIndex, present: Iterable[str]) -> dict[str, SdkCallers]:
    """For each present SDK id, the methods outside known libraries that call into (or read fields
    of) the SDK's classes."""
    wanted = set(present)
    if not wanted:
        return {}

    def into_present(ref: str) -> bool:
        owner = index.class_owner(ref_class(ref))
        return owner is not None and owner.id in wanted

    calls = source.dex.callers_of(into_present)
    return group_callers(calls, index, source.manifest.package)


def group_callers(calls: Mapping[str, Iterable[str]], index: SdkIndex, app_package: str) -> dict[str, SdkCallers]:
    grouped: dict[str, list[str]] = {}
    for ref, callers in calls.items():
        owner = index.class_owner(ref_class(ref))
        if owner is not None:
            grouped.setdefault(owner.id, []).extend(callers)
    return {sdk_id: sort_callers(callers, app_package) for sdk_id, callers in grouped.items()}


def sort_callers(callers: Iterable[str], app_package: str) -> SdkCallers:
    """The app's own callers and renamed ones; callers inside known libraries and SDKs are left out
    (SDK prefixes are library prefixes: an SDK calling itself is not use)."""
    table = api_table()
    own: set[str] = set()
    renamed: set[str] = set()
    for caller in callers:
        origin = table.code_origin(ref_class(caller), app_package)
        if origin != "library":
            (renamed if origin == "obfuscated" else own).add(caller)
    return SdkCallers(tuple(sorted(own)), tuple(sorted(renamed)))


def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    index = sdk_index()
    matches = match_all(index, inventory_of(source, index))
    # who calls a development library is not asked: every app calls androidx and kotlin, and finding
    # those call sites would cost more than the rest of the scan
    callers = callers_by_sdk(source, index, (i for i in matches if index.by_id[i].category != LIBRARY))
    for sdk_id in sorted(matches, key=lambda i: (not index.by_id[i].is_face, i)):
        sdk, match = index.by_id[sdk_id], matches[sdk_id]
        sdk_callers = callers.get(sdk_id, SdkCallers())
        if match.loaders:  # the methods that load its URLs or URL paths use it too
            loading = sort_callers(match.loaders, source.manifest.package)
            sdk_callers = SdkCallers(tuple(sorted({*sdk_callers.own, *loading.own})),
                                     tuple(sorted({*sdk_callers.renamed, *loading.renamed})))
        location = Location(source.uri, match.logical, snippet(", ".join(match.names)))
        attrs: dict[str, Any] = {
            "vendor": sdk.vendor,
            "product": sdk.product,
            "category": sdk.category,
            "via": list(match.via),
            "source": sdk.source,
        }
        if sdk.category != LIBRARY:
            attrs["called"] = bool(sdk_callers.own)
        if sdk.source_ref:
            attrs["source_ref"] = sdk.source_ref
        yield Evidence("sdk.present", sdk.id, attrs, location, EXTRACTOR)
        if sdk.is_face:
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
    # its own classes or JNI libraries prove the SDK; a screen, asset, model, host or path alone is a
    # strong hint that survives renaming, not proof
    strong = any(v in match.via for v in STRONG_VIA)
    return Evidence("face.sdk", sdk.id, attrs, location, EXTRACTOR, Confidence.HIGH if strong else Confidence.MEDIUM)


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"sdk.present", "face.sdk"}), reads=ApkSource, needs_code=True)
