"""Signature and APK-lexicon files under rules/: loading, schema validation, typed views (cached).

Every file is validated against rules/schema/signatures.schema.json when it loads; a file that does
not parse or validate raises RuleLoadError naming the file. Also home of the small helpers that turn
dex descriptors into readable names and decide whether a class is bundled library code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import RuleLoadError
from scanner.schemas import validate_text
from scanner.yamldata import load_yaml

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
SCHEMA_PATH = RULES_DIR / "schema" / "signatures.schema.json"
FACE_SDKS_PATH = RULES_DIR / "signatures" / "face_sdks.yaml"
TRACKERS_PATH = RULES_DIR / "signatures" / "trackers.yaml"
APIS_PATH = RULES_DIR / "signatures" / "apis.yaml"
APK_LEXICON_PATH = RULES_DIR / "lexicon" / "apk_ui.yaml"


@dataclass(frozen=True)
class SdkSignature:
    """One SDK product and the ways it can be recognised in an APK."""

    id: str
    vendor: str
    product: str
    category: str
    capability: tuple[str, ...]
    class_prefixes: tuple[str, ...]  # dotted packages: com.arcsoft.face
    native_libs: tuple[str, ...]
    components: tuple[str, ...]
    agreement_components: tuple[str, ...]
    assets: tuple[str, ...]  # glob patterns on zip entry names
    hosts: tuple[str, ...]  # glob patterns on host names
    upload_paths: tuple[str, ...]
    entry_points: tuple[str, ...]  # com.arcsoft.face.FaceEngine.detectFaces
    start_calls: tuple[str, ...] = ()  # calls that start the SDK (init, register, activation): UMConfigure.init

    @property
    def is_face(self) -> bool:
        return self.category == "face"

    @cached_property  # asked once per class of the app: tens of thousands of times
    def descriptor_prefixes(self) -> tuple[str, ...]:
        return tuple(descriptor_prefix(p) for p in self.class_prefixes)

    def owns_class(self, descriptor: str) -> bool:
        return descriptor.startswith(self.descriptor_prefixes)

    def owns_component(self, class_name: str) -> bool:
        return class_name in self.components or self.owns_class(class_descriptor(class_name))

    def matches_host(self, host: str) -> bool:
        return host_matches(host, self.hosts)

    def entry_point_refs(self) -> tuple[str, ...]:
        """Entry points as smali ref heads: com.a.B.m → Lcom/a/B;->m."""
        return tuple(method_ref_head(ep) for ep in self.entry_points)

    def start_call_refs(self) -> tuple[str, ...]:
        """Start calls as smali ref heads."""
        return tuple(method_ref_head(call) for call in self.start_calls)


@dataclass(frozen=True)
class ApiSignature:
    """A sensitive API: calling `ref` (or loading `string`) states `kind` with `key`."""

    kind: str
    key: str
    ref: str  # smali ref head "Lpkg/Cls;->name", or "" for string signatures
    string: str
    caller_loads_string: str
    vendor: str

    @property
    def label(self) -> str:
        """The API as a reader writes it: android.hardware.Camera.open."""
        return readable_ref(self.ref) if self.ref else self.string


@dataclass(frozen=True)
class ApiTable:
    library_prefixes: tuple[str, ...]  # descriptor prefixes: "Landroidx/"
    sensitive_permissions: Mapping[str, str]
    endpoint_ignore_hosts: tuple[str, ...]
    apis: tuple[ApiSignature, ...]

    def is_library_class(self, descriptor: str) -> bool:
        return descriptor.startswith(self.library_prefixes)

    def code_origin(self, descriptor: str, app_package: str) -> str:
        """Who wrote a class: app (under the app's package), library (a known library or SDK),
        obfuscated (every name shortened by R8/ProGuard, so its origin is unknown), or other."""
        if app_package and descriptor.startswith(descriptor_prefix(app_package)):
            return "app"
        if self.is_library_class(descriptor):
            return "library"
        if all(len(part) <= _OBFUSCATED_NAME_MAX for part in descriptor.strip("L;").split("/")):
            return "obfuscated"
        return "other"

    def is_own_code(self, descriptor: str, app_package: str) -> bool:
        """Code the app answers for: its own package and unlisted third-party code, not known
        libraries, and not renamed code whose origin cannot be told (R8 folds library code there)."""
        return self.code_origin(descriptor, app_package) in ("app", "other")


# Obfuscators rename packages and classes to one to three characters ("Lo1/l3;", "La/b/c;").
_OBFUSCATED_NAME_MAX = 3


# --- names ---------------------------------------------------------------------------------------

def descriptor_prefix(package: str) -> str:
    """com.arcsoft.face → Lcom/arcsoft/face/ (a package boundary, so com.arcsoft.facex never matches)."""
    return "L" + package.strip(".").replace(".", "/") + "/"


def class_descriptor(class_name: str) -> str:
    """com.a.B → Lcom/a/B;"""
    return "L" + class_name.replace(".", "/") + ";"


def method_ref_head(dotted: str) -> str:
    """com.a.B.m → Lcom/a/B;->m"""
    cls, _, member = dotted.rpartition(".")
    return class_descriptor(cls) + "->" + member


def dotted_class(descriptor: str) -> str:
    """Lcom/a/B; → com.a.B (anything else is returned unchanged)."""
    if descriptor.startswith("L") and descriptor.endswith(";"):
        return descriptor[1:-1].replace("/", ".")
    return descriptor


def ref_head(ref: str) -> str:
    """Lcom/a/B;->m(I)V → Lcom/a/B;->m ; Lcom/a/B;->F:I → Lcom/a/B;->F"""
    cls, _, member = ref.partition("->")
    # str.split, not a regex: asked for every method and field an app references
    return cls + "->" + member.split("(", 1)[0].split(":", 1)[0]


def ref_class(ref: str) -> str:
    return ref.partition("->")[0]


def readable_ref(ref: str) -> str:
    """Lcom/a/B;->m(I)V → com.a.B.m"""
    head = ref_head(ref)
    cls, _, member = head.partition("->")
    return f"{dotted_class(cls)}.{member}" if member else dotted_class(cls)


def host_matches(host: str, patterns: tuple[str, ...]) -> bool:
    host = host.lower()
    return any(fnmatchcase(host, p) for p in patterns)


# --- loading -------------------------------------------------------------------------------------

def load_signature_file(path: Path) -> dict[str, Any]:
    """Parse and validate one signature or lexicon file; RuleLoadError names the file on any problem.

    Validation is skipped for exactly the bytes that passed before (scanner.schemas)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = load_yaml(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleLoadError(f"{path}: cannot read: {exc}") from exc
    validate_text(SCHEMA_PATH, text, data, path)
    return data


def parse_sdk_file(path: Path) -> tuple[SdkSignature, ...]:
    data = load_signature_file(path)
    if data["kind"] not in ("face", "tracker"):
        raise RuleLoadError(f"{path}: expected kind face or tracker, found {data['kind']}")
    sdks = tuple(_sdk_from_yaml(entry) for entry in data["sdks"])
    _require_unique_ids(path, sdks)
    return sdks


def _sdk_from_yaml(entry: Mapping[str, Any]) -> SdkSignature:
    return SdkSignature(
        id=entry["id"],
        vendor=entry["vendor"],
        product=entry["product"],
        category=entry["category"],
        capability=tuple(entry.get("capability", ())),
        class_prefixes=tuple(entry["class_prefixes"]),
        native_libs=tuple(entry["native_libs"]),
        components=tuple(entry["components"]),
        agreement_components=tuple(entry.get("agreement_components", ())),
        assets=tuple(entry["assets"]),
        hosts=tuple(entry["hosts"]),
        upload_paths=tuple(entry.get("upload_paths", ())),
        entry_points=tuple(entry.get("entry_points", ())),
        start_calls=tuple(entry.get("start_calls", ())),
    )


def _require_unique_ids(path: Path, sdks: tuple[SdkSignature, ...]) -> None:
    seen: set[str] = set()
    for sdk in sdks:
        if sdk.id in seen:
            raise RuleLoadError(f"{path}: duplicate SDK id {sdk.id}")
        seen.add(sdk.id)


def parse_api_file(path: Path, sdk_prefixes: tuple[str, ...] = ()) -> ApiTable:
    data = load_signature_file(path)
    if data["kind"] != "apis":
        raise RuleLoadError(f"{path}: expected kind apis, found {data['kind']}")
    apis = tuple(
        ApiSignature(
            kind=a["kind"],
            key=a.get("key") or (readable_ref(a["ref"]) if "ref" in a else a["string"]),
            ref=a.get("ref", ""),
            string=a.get("string", ""),
            caller_loads_string=a.get("caller_loads_string", ""),
            vendor=a.get("vendor", ""),
        )
        for a in data["apis"]
    )
    library = tuple(descriptor_prefix(p) for p in data["library_prefixes"]) + sdk_prefixes
    return ApiTable(
        library_prefixes=library,
        sensitive_permissions=dict(data["sensitive_permissions"]),
        endpoint_ignore_hosts=tuple(data["endpoint_ignore_hosts"]),
        apis=apis,
    )


def parse_lexicon_file(path: Path) -> dict[str, Any]:
    data = load_signature_file(path)
    if data["kind"] != "lexicon":
        raise RuleLoadError(f"{path}: expected kind lexicon, found {data['kind']}")
    consent = data["consent_dialog"]
    for pattern in consent["patterns"] + consent["flag_keys"] + consent["first_launch_keys"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RuleLoadError(f"{path}: bad pattern {pattern!r}: {exc}") from exc
    return data


@lru_cache(maxsize=1)
def face_sdks() -> tuple[SdkSignature, ...]:
    return parse_sdk_file(FACE_SDKS_PATH)


@lru_cache(maxsize=1)
def trackers() -> tuple[SdkSignature, ...]:
    return parse_sdk_file(TRACKERS_PATH)


@lru_cache(maxsize=1)
def all_sdks() -> tuple[SdkSignature, ...]:
    """Face SDKs first, then trackers; ids are unique across both files."""
    sdks = face_sdks() + trackers()
    _require_unique_ids(TRACKERS_PATH, sdks)
    return sdks


@lru_cache(maxsize=1)
def api_table() -> ApiTable:
    sdk_prefixes = tuple(p for sdk in all_sdks() for p in sdk.descriptor_prefixes)
    return parse_api_file(APIS_PATH, sdk_prefixes)


@lru_cache(maxsize=1)
def apk_lexicon() -> dict[str, Any]:
    return parse_lexicon_file(APK_LEXICON_PATH)
