"""Signature and APK-lexicon files under rules/: loading, schema validation, typed views (cached).

Every file is validated against rules/schema/signatures.schema.json when it loads; a file that does
not parse or validate raises RuleLoadError naming the file. Also home of the small helpers that turn
dex descriptors into readable names and decide whether a class is bundled library code.

SDK signatures come from the project's own files (face_sdks.yaml, trackers.yaml) and from the anchor
databases imported by scripts/import_anchors.py (rules/signatures/anchors/: εxodus, LibChecker-Rules),
in that order of authority: where two claim the same class, library, component or host, the earlier
one keeps it (scanner.signatures.index).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import RuleLoadError
from scanner.schemas import validate_text
from scanner.signatures.index import GlobTable, HostTable, PrefixIndex
from scanner.yamldata import load_yaml

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
SCHEMA_PATH = RULES_DIR / "schema" / "signatures.schema.json"
FACE_SDKS_PATH = RULES_DIR / "signatures" / "face_sdks.yaml"
TRACKERS_PATH = RULES_DIR / "signatures" / "trackers.yaml"
APIS_PATH = RULES_DIR / "signatures" / "apis.yaml"
PACKERS_PATH = RULES_DIR / "signatures" / "packers.yaml"
ANCHORS_DIR = RULES_DIR / "signatures" / "anchors"
# Imported databases, most authoritative first (after the project's own files).
ANCHOR_PATHS = (ANCHORS_DIR / "exodus.json", ANCHORS_DIR / "libchecker.json")
OWN_SOURCE = "fangcun"
APK_LEXICON_PATH = RULES_DIR / "lexicon" / "apk_ui.yaml"


@dataclass(frozen=True)
class SignatureSource:
    """Where a signature file's entries come from: the project itself, or an imported database with
    the licence and attribution line its entries carry into reports."""

    id: str
    name: str = ""
    licence: str = ""
    url: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class SdkSignature:
    """One SDK product and the ways it can be recognised in an APK."""

    id: str
    vendor: str
    product: str
    category: str
    capability: tuple[str, ...]
    class_prefixes: tuple[str, ...]  # dotted packages: com.arcsoft.face
    native_libs: tuple[str, ...]  # file names under lib/<abi>/, shell patterns allowed: libAPSE_*.so
    components: tuple[str, ...]  # manifest class names, shell patterns allowed
    agreement_components: tuple[str, ...]
    assets: tuple[str, ...]  # shell patterns on zip entry names: assets/face-sdk-models/*
    hosts: tuple[str, ...]  # exact hosts, *.domain, or shell patterns on host names
    upload_paths: tuple[str, ...]  # with hosts: only URLs whose path starts with one of these count
    entry_points: tuple[str, ...]  # com.arcsoft.face.FaceEngine.detectFaces
    classes: tuple[str, ...] = ()  # dotted class names (with their inner classes): com.iflytek.cloud.FaceRequest
    models: tuple[str, ...] = ()  # shell patterns on file names (assets, res/raw, anywhere but compiled res/), any case
    url_paths: tuple[str, ...] = ()  # URL paths on any host, LAN devices included: /ISAPI/Intelligent/FDLib
    source: str = OWN_SOURCE  # SignatureSource.id of the file the entry comes from
    source_ref: str = ""  # the entry in that source: "εxodus tracker 12", "LibChecker-Rules label Bugly"
    start_calls: tuple[str, ...] = ()  # calls that start the SDK (init, register, activation): UMConfigure.init

    @property
    def is_face(self) -> bool:
        return self.category == "face"

    @cached_property
    def class_keys(self) -> tuple[str, ...]:
        """PrefixIndex keys: Lcom/arcsoft/face/ for packages, Lcom/iflytek/cloud/FaceRequest; for classes."""
        return tuple(descriptor_prefix(p) for p in self.class_prefixes) + tuple(class_descriptor(c) for c in self.classes)

    def entry_point_refs(self) -> tuple[str, ...]:
        """Entry points as smali ref heads: com.a.B.m → Lcom/a/B;->m."""
        return tuple(method_ref_head(ep) for ep in self.entry_points)

    def start_call_refs(self) -> tuple[str, ...]:
        """Start calls as smali ref heads."""
        return tuple(method_ref_head(call) for call in self.start_calls)


class SdkIndex:
    """Every SDK signature, indexed by each kind of name it can be recognised by (one lookup per
    name, not a loop over signatures). Entries listed first win where two claim the same name."""

    def __init__(self, sdks: tuple[SdkSignature, ...]) -> None:
        self.sdks = sdks
        self.by_id = {sdk.id: sdk for sdk in sdks}
        self.classes: PrefixIndex[SdkSignature] = PrefixIndex((key, sdk) for sdk in sdks for key in sdk.class_keys)
        self._native_exact: dict[str, SdkSignature] = {}
        self._component_exact: dict[str, SdkSignature] = {}
        for sdk in sdks:
            for lib in sdk.native_libs:
                if not _is_pattern(lib):
                    self._native_exact.setdefault(lib, sdk)
            for component in sdk.components:
                if not _is_pattern(component):
                    self._component_exact.setdefault(component, sdk)
        self._native_globs = GlobTable((lib, sdk) for sdk in sdks for lib in sdk.native_libs if _is_pattern(lib))
        self._component_globs = GlobTable((c, sdk) for sdk in sdks for c in sdk.components if _is_pattern(c))
        self._assets = GlobTable((pattern, sdk) for sdk in sdks for pattern in sdk.assets)
        self._models = GlobTable(((pattern, sdk) for sdk in sdks for pattern in sdk.models), ignore_case=True)
        self._model_suffixes = _literal_suffixes(pattern for sdk in sdks for pattern in sdk.models)
        self._hosts = HostTable((host, sdk) for sdk in sdks for host in sdk.hosts)
        self.url_paths = tuple((path, sdk) for sdk in sdks for path in sdk.url_paths)

    def class_owner(self, descriptor: str) -> SdkSignature | None:
        return self.classes.owner(descriptor)

    def native_lib_owner(self, file_name: str) -> SdkSignature | None:
        return self._native_exact.get(file_name) or self._native_globs.owner(file_name)

    def component_owner(self, class_name: str) -> SdkSignature | None:
        """A manifest component by its listed name or pattern, else by the package of its class."""
        return (self._component_exact.get(class_name) or self._component_globs.owner(class_name)
                or self.classes.owner(class_descriptor(class_name)))

    def asset_owner(self, entry: str) -> SdkSignature | None:
        return self._assets.owner(entry)

    def may_be_model(self, entry: str) -> bool:
        """A cheap test before model_owner: not a compiled resource (res/ other than res/raw/), and
        ending as some model pattern must end."""
        if entry.startswith("res/") and not entry.startswith("res/raw/"):
            return False
        return self._model_suffixes is None or entry.lower().endswith(self._model_suffixes)

    def model_owner(self, file_name: str) -> SdkSignature | None:
        return self._models.owner(file_name)

    def host_owner(self, host: str) -> SdkSignature | None:
        return self._hosts.owner(host)

    def endpoint_owner(self, host: str, path: str) -> SdkSignature | None:
        """The SDK whose cloud this URL reaches: its host matches and, where the signature names face
        paths (a vendor cloud that also serves other products), its path starts with one of them."""
        sdk = self._hosts.owner(host)
        if sdk is None or (sdk.upload_paths and not path.startswith(sdk.upload_paths)):
            return None
        return sdk

    def url_path_owner(self, path: str) -> SdkSignature | None:
        return next((sdk for prefix, sdk in self.url_paths if path.startswith(prefix)), None)


def _literal_suffixes(patterns: Iterable[str]) -> tuple[str, ...] | None:
    """The lower-case literal tail after each pattern's last wildcard; None when some pattern ends in
    a wildcard (then no name can be ruled out by its ending)."""
    tails = set()
    for pattern in patterns:
        tail = re.split(r"[*?\]]", pattern)[-1].lower()
        if not tail:
            return None
        tails.add(tail)
    return tuple(sorted(tails))


def _is_pattern(name: str) -> bool:
    return "*" in name or "?" in name or "[" in name


@dataclass(frozen=True)
class PackerSignature:
    """A protector (加固) and how its stub shows in a package; shell: it replaces the app's code by
    an encrypted copy, so the bytecode that can be read is not the app's."""

    id: str
    vendor: str
    product: str
    shell: bool
    classes: tuple[str, ...]  # dotted class names, in the dex or as the manifest's application class
    class_prefixes: tuple[str, ...]
    native_libs: tuple[str, ...]  # shell patterns on .so file names, anywhere in the package
    assets: tuple[str, ...]  # shell patterns on entry names


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
    library_prefixes: tuple[str, ...]  # PrefixIndex keys: "Landroidx/", and every SDK's classes
    sensitive_permissions: Mapping[str, str]
    endpoint_ignore_hosts: tuple[str, ...]
    apis: tuple[ApiSignature, ...]

    @cached_property  # asked for every calling method of every call site
    def _library_index(self) -> PrefixIndex[bool]:
        return PrefixIndex((key, True) for key in self.library_prefixes)

    def is_library_class(self, descriptor: str) -> bool:
        return self._library_index.owner(descriptor) is not None

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
    """Parse and validate one signature or lexicon file (YAML, or JSON for generated files: twenty
    times faster to parse); RuleLoadError names the file on any problem.

    Validation is skipped for exactly the bytes that passed before (scanner.schemas)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else load_yaml(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise RuleLoadError(f"{path}: cannot read: {exc}") from exc
    validate_text(SCHEMA_PATH, text, data, path)
    return data


def parse_sdk_file(path: Path) -> tuple[SdkSignature, ...]:
    return parse_sdk_source(path)[1]


def parse_sdk_source(path: Path) -> tuple[SignatureSource, tuple[SdkSignature, ...]]:
    """The file's source (the project's own unless the file names an imported database) and entries."""
    data = load_signature_file(path)
    if data["kind"] not in ("face", "tracker"):
        raise RuleLoadError(f"{path}: expected kind face or tracker, found {data['kind']}")
    source = SignatureSource(**data["source"]) if "source" in data else SignatureSource(OWN_SOURCE)
    sdks = tuple(_sdk_from_yaml(entry, source.id) for entry in data["sdks"])
    _require_unique_ids(path, sdks)
    return source, sdks


def _sdk_from_yaml(entry: Mapping[str, Any], source: str = OWN_SOURCE) -> SdkSignature:
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
        classes=tuple(entry.get("classes", ())),
        models=tuple(entry.get("models", ())),
        url_paths=tuple(entry.get("url_paths", ())),
        source=source,
        source_ref=entry.get("ref", ""),
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


def parse_packer_file(path: Path) -> tuple[PackerSignature, ...]:
    data = load_signature_file(path)
    if data["kind"] != "packer":
        raise RuleLoadError(f"{path}: expected kind packer, found {data['kind']}")
    packers = tuple(
        PackerSignature(
            id=p["id"], vendor=p["vendor"], product=p["product"], shell=p["shell"],
            classes=tuple(p.get("classes", ())), class_prefixes=tuple(p.get("class_prefixes", ())),
            native_libs=tuple(p.get("native_libs", ())), assets=tuple(p.get("assets", ())),
        )
        for p in data["packers"]
    )
    if len({p.id for p in packers}) != len(packers):
        raise RuleLoadError(f"{path}: duplicate packer id")
    return packers


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
def anchor_sources() -> tuple[tuple[SignatureSource, tuple[SdkSignature, ...]], ...]:
    """The imported databases that are present (each ships with its licence beside it)."""
    return tuple(parse_sdk_source(path) for path in ANCHOR_PATHS if path.is_file())


@lru_cache(maxsize=1)
def signature_sources() -> dict[str, SignatureSource]:
    """Every source an SDK signature can come from, by id: the project's own and the imported ones."""
    return {OWN_SOURCE: SignatureSource(OWN_SOURCE), **{source.id: source for source, _ in anchor_sources()}}


@lru_cache(maxsize=1)
def all_sdks() -> tuple[SdkSignature, ...]:
    """Face SDKs first, then the project's trackers, then the imported databases; ids are unique
    across all files, and this order is the order of authority."""
    sdks = face_sdks() + trackers() + tuple(sdk for _, found in anchor_sources() for sdk in found)
    _require_unique_ids(TRACKERS_PATH, sdks)
    return sdks


@lru_cache(maxsize=1)
def sdk_index() -> SdkIndex:
    return SdkIndex(all_sdks())


@lru_cache(maxsize=1)
def face_index() -> SdkIndex:
    return SdkIndex(face_sdks())


@lru_cache(maxsize=1)
def api_table() -> ApiTable:
    sdk_keys = tuple(key for sdk in all_sdks() for key in sdk.class_keys)
    return parse_api_file(APIS_PATH, sdk_keys)


@lru_cache(maxsize=1)
def packers() -> tuple[PackerSignature, ...]:
    return parse_packer_file(PACKERS_PATH)


@lru_cache(maxsize=1)
def apk_lexicon() -> dict[str, Any]:
    return parse_lexicon_file(APK_LEXICON_PATH)
