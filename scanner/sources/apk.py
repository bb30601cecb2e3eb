"""Open an Android package: the project's one adapter around androguard.

androguard reads the binary manifest (AXML) and the resource table (ARSC); the zip entries are
read with the standard library, and bytecode with our own fast reader (scanner.sources.dex).
Every quirk of androguard stays in this module: its loguru flood is silenced here, it is
imported lazily (the import alone costs about a second), and its results are copied into plain
frozen values before anything else sees them.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import re
import struct
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from scanner import limits
from scanner.errors import InputError, printable_name
from scanner.model import TargetKind
from scanner.sources.archive import ZIP_ERRORS, EntryLimit, inflate, open_zip
from scanner.sources.chunks import ChunkError, check_binary_xml, check_resource_table
from scanner.sources.dex import DexFormatError, DexIndex, parse_dex
from scanner.sources.signing import signing_certificates
from scanner.sources.urls import Url, find_urls

if TYPE_CHECKING:
    from scanner.signatures.packers import PackerMatch
    from scanner.sources.policy import PolicySource

MANIFEST = "AndroidManifest.xml"
RESOURCES = "resources.arsc"
ANDROID_NS = "{http://schemas.android.com/apk/res/android}"
DEFAULT_READ_LIMIT = 8 * 2**20
_DEX_ENTRY = re.compile(r"classes(\d*)\.dex")
_LAYOUT_ENTRY = re.compile(r"res/layout[^/]*/[^/]+\.xml")
_RESOURCE_REFERENCE = re.compile(r"[@?](android:)?[0-9A-Fa-f]{8}")
_LAYOUT_TEXT_ATTRIBUTES = ("text", "hint", "contentDescription")
_BINARY_XML_MAGIC = b"\x03\x00\x08\x00"  # RES_XML_TYPE chunk with an 8-byte header
_STRING_POOL_TYPE, _STRING_POOL_HEADER_SIZE = 0x0001, 0x1C
_COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")
BOOT_COMPLETED = "android.intent.action.BOOT_COMPLETED"

# Embedded privacy policies: text assets whose name or title says so.
POLICY_ASSET_SUFFIXES = (".html", ".htm", ".txt")
MAX_POLICY_BYTES = 4 * 2**20
MAX_POLICY_CANDIDATES = 200  # text assets inspected per app
POLICY_TITLE_WINDOW = 300  # characters at the start of a document where a title is looked for
_POLICY_NAME_HINT = re.compile(r"privacy|policy|隐私|协议|agreement|yinsi|xieyi|protocol", re.IGNORECASE)
_POLICY_TITLE_HINT = re.compile(r"隐私政策|隐私协议|隐私权政策|个人信息保护政策|privacy policy|privacy notice", re.IGNORECASE)


@dataclass(frozen=True)
class Manifest:
    package: str
    app_label: str
    version_name: str
    version_code: str
    min_sdk: int | None
    target_sdk: int | None
    permissions: tuple[str, ...]
    activities: tuple[str, ...]
    services: tuple[str, ...]
    receivers: tuple[str, ...]
    providers: tuple[str, ...]
    launcher_activities: tuple[str, ...]
    exported: frozenset[str]
    uses_cleartext_traffic: bool | None
    network_security_config: str | None
    cleartext_permitted_by_nsc: bool | None
    application_class: str = ""  # android:name of <application>: the app's own Application subclass
    boot_receivers: tuple[str, ...] = ()  # receivers with a BOOT_COMPLETED intent filter
    startup_initializers: tuple[str, ...] = ()  # androidx.startup Initializer classes named in provider meta-data
    alias_targets: tuple[tuple[str, str], ...] = ()  # (activity-alias name, the activity class it starts)
    activity_aliases: tuple[str, ...] = ()  # names in `activities` that are aliases, not classes


@dataclass(frozen=True)
class FoundUrl:
    """A URL written in the app: where (resource name or first loading method) and which methods load it."""

    url: Url
    logical: str
    callers: tuple[str, ...]


class DexStrings(Protocol):
    """What the derived views read of the bytecode index."""

    @property
    def strings(self) -> Sequence[str]: ...

    def users_of_strings(self, wanted: Callable[[str], bool]) -> dict[str, tuple[str, ...]]: ...


class ApkViews:
    """Views of an APK's contents that several extractors read, each computed once per opened APK:
    the URLs its strings hold and the privacy policies it carries. A class mixed into the source (and
    into test doubles), so what they read is typed and never recomputed."""

    uri: str
    files: tuple[str, ...]
    resource_strings: tuple[tuple[str, str], ...]
    dex: Any  # a DexIndex in a real source; DexStrings is what the views below read of it
    manifest: Any  # a Manifest in a real source

    def read(self, name: str, limit: int = ...) -> bytes:  # pragma: no cover - provided by the class
        raise NotImplementedError

    @cached_property
    def urls(self) -> tuple[FoundUrl, ...]:
        """URLs in dex strings (with the methods that load them) and in string resources."""
        found: list[FoundUrl] = []
        dex_urls = {s: list(find_urls(s)) for s in self.dex.strings if "http" in s.lower()}
        dex_urls = {s: urls for s, urls in dex_urls.items() if urls}
        users = self.dex.users_of_strings(lambda s: s in dex_urls) if dex_urls else {}
        for text, urls in dex_urls.items():
            callers = users.get(text, ())
            logical = callers[0] if callers else "dex strings"
            found.extend(FoundUrl(u, logical, callers) for u in urls)
        for name, value in self.resource_strings:
            found.extend(FoundUrl(u, f"@string/{name}", ()) for u in find_urls(value))
        return tuple(found)

    @cached_property
    def embedded_policies(self) -> tuple[tuple[str, PolicySource], ...]:
        """(asset name, opened policy) of every text asset whose name or title says it is a privacy policy."""
        from scanner.sources.policy import policy_from_bytes

        found = []
        candidates = [f for f in self.files if f.startswith("assets/") and f.lower().endswith(POLICY_ASSET_SUFFIXES)]
        for name in candidates[:MAX_POLICY_CANDIDATES]:
            try:
                document = policy_from_bytes(self.read(name, limit=MAX_POLICY_BYTES), uri=f"{self.uri}!/{name}", name=name)
            except InputError:
                continue  # an empty or binary asset is not a policy
            titled = _POLICY_TITLE_HINT.search(document.label) or _POLICY_TITLE_HINT.search(document.text[:POLICY_TITLE_WINDOW])
            if _POLICY_NAME_HINT.search(posixpath.basename(name)) or titled:
                found.append((name, document))
        return tuple(found)

    @cached_property
    def packers(self) -> tuple[PackerMatch, ...]:
        """Protectors (加固) whose stubs, libraries or assets the package carries."""
        from scanner.signatures.packers import find_packers

        return find_packers(self.files, self.dex.class_descriptors, self.manifest.application_class)

    @cached_property
    def unreadable_code(self) -> str:
        """Why the app's own code cannot be read (packed, or declared but absent), or "" when it can."""
        from scanner.signatures.packers import unreadable_code_reason

        m = self.manifest
        return unreadable_code_reason(self.packers, m.launcher_activities, m.activity_aliases, self.dex.class_descriptors)


class ApkSource(ApkViews):
    """An opened APK: its identity, manifest, resources, texts and bytecode index."""

    kind = TargetKind.APK

    def __init__(
        self,
        *,
        path: Path,
        sha256: str,
        size: int,
        archive: zipfile.ZipFile,
        manifest: Manifest,
        resource_strings: tuple[tuple[str, str], ...],
        layout_texts: tuple[tuple[str, str], ...],
        dex: DexIndex,
        dex_bytes: int,
        problems: tuple[str, ...],
        certificates: tuple[dict[str, str], ...] = (),
        splits: Sequence[tuple[str, zipfile.ZipFile]] = (),
        entry_names: Mapping[str, str] | None = None,
    ) -> None:
        self.path = path
        self.uri = printable_name(str(path))
        self.sha256 = sha256
        self.size = size
        self.manifest = manifest
        self.label = manifest.app_label or manifest.package
        # every entry by the name an APK gives it (entry_names: an app bundle's base/lib/… is lib/…),
        # then each split's (a split's file of the same name is the base's)
        names = entry_names if entry_names is not None else {n: n for n in archive.namelist()}
        self._entries: dict[str, tuple[zipfile.ZipFile, str]] = {shown: (archive, real) for shown, real in names.items()}
        for _name, split in splits:
            for entry in split.namelist():
                self._entries.setdefault(entry, (split, entry))
        self.files: tuple[str, ...] = tuple(self._entries)
        self.resource_strings = resource_strings
        self.layout_texts = layout_texts
        self.dex = dex
        self.problems = problems
        self.attributes: dict[str, Any] = {
            "package": manifest.package,
            "version_name": manifest.version_name,
            "version_code": manifest.version_code,
            "min_sdk": manifest.min_sdk,
            "target_sdk": manifest.target_sdk,
            "dex_count": len(dex.files),
            "dex_bytes": dex_bytes,
            "signing_certificates": [dict(c) for c in certificates],
        }
        if splits:
            self.attributes["splits"] = [name for name, _ in splits]

    def read(self, name: str, limit: int = DEFAULT_READ_LIMIT) -> bytes:
        """At most `limit` bytes of entry `name`. KeyError if absent, InputError if corrupt."""
        archive, real = self._entries[name]
        try:
            with archive.open(real) as entry:
                return entry.read(limit)
        except ZIP_ERRORS as exc:
            raise InputError(self.uri, f"entry {name} cannot be read: {exc}") from None

    def __repr__(self) -> str:
        return f"ApkSource({self.uri!r}, package={self.manifest.package!r})"


def open_apk(path: Path) -> ApkSource:
    """Open and index one APK. Raises InputError for input that is not a readable APK."""
    uri = printable_name(str(path))
    raw = _read_input(uri, path)
    sha256 = hashlib.sha256(raw).hexdigest()  # hashed as read, before any parsing
    return _apk_source(path, uri, raw, sha256=sha256, size=len(raw))


def _read_input(uri: str, path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(uri, f"cannot be read: {exc.strerror or exc}") from None


def _apk_source(
    path: Path, uri: str, raw: bytes, *, sha256: str, size: int, splits: Sequence[ApkSplit] = (),
    bundle_problems: Sequence[str] = (),
) -> ApkSource:
    """The source of an APK's bytes (`uri` names it in errors), with the splits installed beside it."""
    archive, found = _open_zip(uri, raw)
    problems: list[str] = list(found)
    apk = _androguard_apk(uri, _read_manifest(uri, archive), _read_resource_table(archive, problems))
    certificates, signing_problems = signing_certificates(raw, archive)
    problems.extend(signing_problems)
    resources = _resources(apk, problems)
    manifest = _manifest(apk, resources, archive, problems)
    dex, dex_bytes = _dex_index(archive, problems)
    strings = _resource_strings(resources, problems)
    layouts = _layout_texts(archive, problems)
    problems.extend(bundle_problems)
    merged = dict.fromkeys(strings)  # locale and density splits repeat many of the base's strings
    for split in splits:
        merged.update(dict.fromkeys(split.resource_strings))
        layouts += split.layout_texts
        problems.extend(f"{split.name}: {problem}" for problem in split.problems)
    return ApkSource(
        path=path,
        sha256=sha256,
        size=size,
        archive=archive,
        manifest=manifest,
        resource_strings=tuple(merged),
        layout_texts=layouts,
        dex=DexIndex(dex.files + tuple(f for split in splits for f in split.dex.files)),
        dex_bytes=dex_bytes + sum(split.dex_bytes for split in splits),
        problems=tuple(problems),
        certificates=tuple(certificates),
        splits=tuple((split.name, split.archive) for split in splits),
    )


# --- app bundles as stores ship them -----------------------------------------------------------

BUNDLE_SUFFIXES = (".xapk", ".apks", ".apkm")
BUNDLE_MANIFEST = "manifest.json"  # XAPK: {"package_name", "split_apks": [{"file", "id"}], "expansions": [...]}
OBB_SUFFIX = ".obb"


@dataclass(frozen=True)
class ApkSplit:
    """A split APK of a bundle, read for what a split adds: its files, bytecode and strings."""

    name: str
    archive: zipfile.ZipFile
    dex: DexIndex
    dex_bytes: int
    resource_strings: tuple[tuple[str, str], ...]
    layout_texts: tuple[tuple[str, str], ...]
    problems: tuple[str, ...]


def open_bundle(path: Path) -> ApkSource:
    """Open an .xapk / .apks / .apkm bundle (a zip of a base APK and its split APKs, maybe OBB
    expansion files and a manifest.json) as one app: the base's manifest, every split's files, dex
    and strings. InputError names the bundle and the problem."""
    uri = printable_name(str(path))
    fmt = Path(path).suffix.lower() or ".xapk"
    raw = _read_input(uri, path)
    sha256 = hashlib.sha256(raw).hexdigest()
    outer = _open_bundle_zip(uri, raw, fmt)
    apks = [n for n in outer.namelist() if n.lower().endswith(".apk") and not n.endswith("/")]
    if not apks:
        raise InputError(uri, f"{fmt} bundle holds no APK")
    base = _base_apk(outer, apks)
    splits, unreadable = [], []
    for name in apks:
        if name != base:
            try:
                splits.append(_split(name, _bundle_entry(uri, outer, name)))
            except InputError as exc:
                unreadable.append(f"{name}: {exc.problem}: its contents are missing from the analysis")
    source = _apk_source(path, f"{uri}!/{base}", _bundle_entry(uri, outer, base), sha256=sha256, size=len(raw),
                         splits=splits, bundle_problems=unreadable)
    source.attributes["format"] = fmt.lstrip(".")
    source.attributes["base"] = base
    obb = [n for n in outer.namelist() if n.lower().endswith(OBB_SUFFIX)]
    if obb:
        source.attributes["obb"] = obb  # expansion data (media, game assets): not analysed
    return source


def _open_bundle_zip(uri: str, raw: bytes, fmt: str) -> zipfile.ZipFile:
    """The bundle's zip with its bounds checked (scanner.sources.archive). Unlike an APK's, an entry
    flagged as encrypted here really is: APKMirror encrypts some .apkm files."""
    try:
        flagged = any(info.flag_bits & 0x1 for info in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    except ZIP_ERRORS as exc:
        raise InputError(uri, f"not a readable {fmt} bundle (a zip of APKs): {exc}") from None
    if flagged:
        raise InputError(uri, f"{fmt} bundle is encrypted (APKMirror protects some .apkm files): unpack it first")
    outer, _problems = open_zip(uri, raw)
    return outer


def _bundle_entry(uri: str, outer: zipfile.ZipFile, name: str) -> bytes:
    try:
        return inflate(outer, name, "BUNDLE_MAX_SPLIT_BYTES")
    except EntryLimit as exc:
        raise InputError(uri, str(exc)) from None
    except ZIP_ERRORS as exc:
        raise InputError(uri, f"entry {name} cannot be read: {exc}") from None


def _base_apk(outer: zipfile.ZipFile, apks: list[str]) -> str:
    """The base APK: named so (base.apk, or the split of id "base" in an XAPK manifest.json), else
    the first APK whose name marks it as no split."""
    for name in apks:
        if posixpath.basename(name) == "base.apk":
            return name
    if BUNDLE_MANIFEST in outer.namelist():
        try:
            described = json.loads(outer.read(BUNDLE_MANIFEST))
            base = next((s["file"] for s in described.get("split_apks", ()) if s.get("id") == "base"), None)
        except (ValueError, TypeError, AttributeError, KeyError, *ZIP_ERRORS):
            base = None
        if base in apks:
            return base
    plain = [n for n in apks if not posixpath.basename(n).startswith(("split_", "config."))]
    return (plain or apks)[0]


def _split(name: str, raw: bytes) -> ApkSplit:
    """A split's files, dex and strings; InputError when it is no readable zip."""
    try:
        archive, found = open_zip(name, raw)
    except InputError as exc:  # no readable zip, or past a bound
        raise InputError(name, f"not a readable APK ({exc.problem})") from None
    problems: list[str] = list(found)
    dex, dex_bytes = _dex_index(archive, problems, required=False, prefix=f"{name}!")
    resources = None
    table = _read_resource_table(archive, problems)
    if table is not None:
        from androguard.core.axml import ARSCParser

        try:
            resources = ARSCParser(table)
        except Exception as exc:  # noqa: BLE001 — androguard raises assorted types on a damaged table
            problems.append(f"resources.arsc: cannot be parsed ({type(exc).__name__}: {exc})")
    return ApkSplit(name, archive, dex, dex_bytes, _resource_strings(resources, problems),
                    _layout_texts(archive, problems), tuple(problems))


def _open_zip(uri: str, raw: bytes) -> tuple[zipfile.ZipFile, list[str]]:
    archive, problems = open_zip(uri, raw)
    if MANIFEST not in archive.namelist():
        raise InputError(uri, f"zip has no {MANIFEST}")
    return archive, problems


def _read_manifest(uri: str, archive: zipfile.ZipFile) -> bytes:
    """The manifest's bytes, bounded and checked; a CRC or inflate error means the zip is damaged."""
    try:
        data = inflate(archive, MANIFEST, "MANIFEST_MAX_BYTES")
    except EntryLimit as exc:
        raise InputError(uri, str(exc)) from None
    except ZIP_ERRORS as exc:
        raise InputError(uri, f"truncated or corrupt zip: {MANIFEST}: {exc}") from None
    if data.startswith(_BINARY_XML_MAGIC[:2]):
        try:
            check_binary_xml(data)
        except ChunkError as exc:
            raise InputError(uri, f"manifest cannot be parsed: {exc}") from None
    return data


def _read_resource_table(archive: zipfile.ZipFile, problems: list[str]) -> bytes | None:
    """resources.arsc, bounded and checked, or None (and a problem) when it is absent or unusable."""
    if RESOURCES not in archive.NameToInfo:
        return None
    try:
        data = inflate(archive, RESOURCES, "ARSC_MAX_BYTES")
        check_resource_table(data)
    except (EntryLimit, ChunkError) as exc:
        problems.append(f"{RESOURCES}: not read: {exc}")
        return None
    except ZIP_ERRORS as exc:
        problems.append(f"{RESOURCES}: cannot be read from the zip ({exc})")
        return None
    return data


def _androguard_apk(uri: str, manifest: bytes, resources: bytes | None) -> Any:
    """androguard's view of the manifest and resource table, from the bytes already read and checked.

    It is given a small stored zip of just those two entries: its own zip reader (apkInspector) would
    inflate whole deflate streams, whatever their declared size, and re-read the original archive."""
    from loguru import logger

    logger.disable("androguard")  # DEBUG logging floods ~200 k lines and slows parsing 1.8×
    _preload_public_resources()
    from androguard.core.apk import APK

    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED) as minimal:
        minimal.writestr(MANIFEST, manifest)
        if resources is not None:
            minimal.writestr(RESOURCES, resources)
    try:
        apk = APK(package.getvalue(), raw=True)
    except Exception as exc:  # noqa: BLE001 — androguard raises many unrelated types on malformed input
        raise InputError(uri, f"manifest cannot be parsed: {type(exc).__name__}: {exc}") from None
    if not apk.is_valid_APK() or apk.get_android_manifest_xml() is None:
        raise InputError(uri, "manifest cannot be parsed: not a binary XML <manifest>")
    return apk


def _preload_public_resources() -> None:
    """Give androguard its table of framework attribute ids from the JSON copy it ships.

    androguard.core.resources.public builds SYSTEM_RESOURCES at import time by parsing the
    190 kB public.xml with minidom (~20 ms of every scan); the public.json beside it holds the same
    ids and parses in under a millisecond. The module is registered before androguard imports it,
    and only when the JSON copy is there; otherwise androguard builds its own as before.
    """
    name = "androguard.core.resources.public"
    if name in sys.modules:
        return
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return
    table = Path(spec.origin).with_name("public.json")
    try:
        ids = json.loads(table.read_text(encoding="utf-8"))
        attributes, styles = dict(ids["attr"]), dict(ids["style"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    module = importlib.util.module_from_spec(spec)  # same name, file and spec; never executed
    module.SYSTEM_RESOURCES = {  # type: ignore[attr-defined]  # a module attribute androguard reads
        "attributes": {"forward": attributes, "inverse": {v: k for k, v in attributes.items()}},
        "styles": {"forward": styles, "inverse": {v: k for k, v in styles.items()}},
    }
    sys.modules[name] = module


def _resources(apk: Any, problems: list[str]) -> Any:
    try:
        return apk.get_android_resources()
    except Exception as exc:  # noqa: BLE001 — a broken resources.arsc must not hide the rest of the app
        problems.append(f"resources.arsc: cannot be parsed ({type(exc).__name__}: {exc})")
        return None


def _manifest(apk: Any, resources: Any, archive: zipfile.ZipFile, problems: list[str]) -> Manifest:
    return _manifest_of(
        apk.get_android_manifest_xml(),
        app_label=_app_label(apk),
        resolve_string=lambda value: _resolve_string_reference(resources, value),
        resolve_file=lambda value: _resolve_file_reference(resources, value),
        read_xml=lambda name: _binary_xml(archive, name, problems),
        problems=problems,
    )


def _manifest_of(
    root: Any, *, app_label: str, resolve_string: Callable[[str], str], resolve_file: Callable[[str], str | None],
    read_xml: Callable[[str], Any], problems: list[str],
) -> Manifest:
    """The manifest model of a parsed manifest; resource references are resolved by the callables
    (a binary resource table in an APK, a protobuf one in an app bundle)."""
    package = root.get("package") or ""
    application = root.find("application")
    components = _components(root, package)
    nsc_path = None
    nsc_value = _attr(application, "networkSecurityConfig")
    if nsc_value:
        nsc_path = resolve_file(nsc_value)
        if nsc_path is None:
            problems.append(f"networkSecurityConfig {nsc_value}: cannot be resolved")
    uses_sdk = root.find("uses-sdk")
    application_class = _attr(application, "name")
    return Manifest(
        package=package,
        app_label=app_label,
        version_name=resolve_string(_attr(root, "versionName") or ""),
        version_code=_attr(root, "versionCode") or "",
        min_sdk=_int_or_none(_attr(uses_sdk, "minSdkVersion")),
        target_sdk=_int_or_none(_attr(uses_sdk, "targetSdkVersion")),
        permissions=_permissions(root),
        activities=components["activity"],
        services=components["service"],
        receivers=components["receiver"],
        providers=components["provider"],
        launcher_activities=_launcher_activities(root, package),
        exported=_exported(root, package),
        uses_cleartext_traffic=_bool_or_none(_attr(application, "usesCleartextTraffic")),
        network_security_config=nsc_path,
        cleartext_permitted_by_nsc=_nsc_cleartext(read_xml, nsc_path),
        application_class=_qualified(package, application_class) if application_class else "",
        boot_receivers=_receivers_for(root, package, BOOT_COMPLETED),
        startup_initializers=_startup_initializers(root, package),
        alias_targets=_alias_targets(root, package),
        activity_aliases=components["activity-alias"],
    )


def _attr(element: Any, name: str) -> str | None:
    """An android: attribute. Android resolves attributes by resource id, not namespace, so
    repackaging tools that write a bare name or a wrong namespace URI are still honoured."""
    if element is None:
        return None
    value = element.get(ANDROID_NS + name)
    if value is not None:
        return value
    suffix = "}" + name
    for key, value in element.attrib.items():
        if key == name or key.endswith(suffix):
            return value
    return None


def _qualified(package: str, name: str) -> str:
    """Component names may be relative to the package: ".Main" or "Main"."""
    if name.startswith("."):
        return package + name
    if "." not in name and package:
        return f"{package}.{name}"
    return name


def _components(root: Any, package: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {tag: [] for tag in _COMPONENT_TAGS}
    for tag in _COMPONENT_TAGS:
        for element in root.iter(tag):
            name = _attr(element, "name")
            if name:
                found[tag].append(_qualified(package, name))
    found["activity"].extend(found["activity-alias"])
    return {tag: tuple(dict.fromkeys(names)) for tag, names in found.items()}


def _receivers_for(root: Any, package: str, action: str) -> tuple[str, ...]:
    """Receivers whose intent filters name `action`, in manifest order."""
    found = []
    for element in root.iter("receiver"):
        name = _attr(element, "name")
        actions = {_attr(a, "name") for f in element.iter("intent-filter") for a in f.iter("action")}
        if name and action in actions:
            found.append(_qualified(package, name))
    return tuple(dict.fromkeys(found))


def _alias_targets(root: Any, package: str) -> tuple[tuple[str, str], ...]:
    found = []
    for element in root.iter("activity-alias"):
        name, target = _attr(element, "name"), _attr(element, "targetActivity")
        if name and target:
            found.append((_qualified(package, name), _qualified(package, target)))
    return tuple(found)


def _startup_initializers(root: Any, package: str) -> tuple[str, ...]:
    """androidx.startup runs every Initializer its provider's meta-data names (value "androidx.startup")
    before Application.onCreate."""
    found = []
    for provider in root.iter("provider"):
        for meta in provider.iter("meta-data"):
            name = _attr(meta, "name")
            if name and _attr(meta, "value") == "androidx.startup":
                found.append(_qualified(package, name))
    return tuple(dict.fromkeys(found))


def _permissions(root: Any) -> tuple[str, ...]:
    names = set()
    for tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
        for element in root.iter(tag):
            name = _attr(element, "name")
            if name:
                names.add(name)
    return tuple(sorted(names))


def _launcher_activities(root: Any, package: str) -> tuple[str, ...]:
    launchers = []
    for tag in ("activity", "activity-alias"):
        for element in root.iter(tag):
            if _attr(element, "enabled") == "false":
                continue
            for intent_filter in element.iter("intent-filter"):
                actions = {_attr(a, "name") for a in intent_filter.iter("action")}
                categories = {_attr(c, "name") for c in intent_filter.iter("category")}
                if (
                    "android.intent.action.MAIN" in actions
                    and "android.intent.category.LAUNCHER" in categories
                ):
                    name = _attr(element, "name")
                    if name:
                        launchers.append(_qualified(package, name))
    return tuple(sorted(set(launchers)))


def _exported(root: Any, package: str) -> frozenset[str]:
    """Components reachable from other apps: explicit android:exported="true", or (unset) any
    component with an intent filter — the platform default before API 31 required the attribute."""
    exported = set()
    for tag in _COMPONENT_TAGS:
        for element in root.iter(tag):
            name = _attr(element, "name")
            if not name:
                continue
            flag = _bool_or_none(_attr(element, "exported"))
            if flag is None:
                flag = element.find("intent-filter") is not None
            if flag:
                exported.add(_qualified(package, name))
    return frozenset(exported)


def _app_label(apk: Any) -> str:
    try:
        label = apk.get_app_name() or ""
    except Exception:  # noqa: BLE001 — label resolution walks the resource table, which may be malformed
        return ""
    return "" if _RESOURCE_REFERENCE.fullmatch(label) else label.strip()


def _resolve_string_reference(resources: Any, value: str) -> str:
    """Resolve "@7F050026" to its default-locale string; other values are returned unchanged."""
    if resources is None or not _RESOURCE_REFERENCE.fullmatch(value):
        return value
    from androguard.core.axml import ARSCResTableConfig

    try:
        resource_id, _package = resources.parse_id(value)
        configs = resources.get_resolved_res_configs(
            resource_id, ARSCResTableConfig.default_config()
        )
    except Exception:  # noqa: BLE001 — an id missing from a malformed table
        return value
    return str(configs[0][1]) if configs else value


def _resolve_file_reference(resources: Any, value: str) -> str | None:
    """Resolve "@7F150000" to the resource file path it names, e.g. "res/xml/nsc.xml"."""
    if resources is None or not _RESOURCE_REFERENCE.fullmatch(value):
        return None
    try:
        resource_id, _package = resources.parse_id(value)
        configs = resources.get_resolved_res_configs(resource_id)
    except Exception:  # noqa: BLE001 — an id missing from a malformed table
        return None
    for _config, path in configs:
        if isinstance(path, str) and path.startswith("res/"):
            return path
    return None


def _nsc_cleartext(read_xml: Callable[[str], Any], nsc_path: str | None) -> bool | None:
    if nsc_path is None:
        return None
    root = read_xml(nsc_path)
    if root is None:
        return None
    base = root.find("base-config")
    if base is None:
        return None
    return _bool_or_none(_attr(base, "cleartextTrafficPermitted"))


def _binary_xml(
    archive: zipfile.ZipFile,
    name: str,
    problems: list[str],
    worth_parsing: Callable[[bytes], bool] | None = None,
) -> Any:
    """Parse one binary XML entry; record a problem and return None if it cannot be read.

    With `worth_parsing`, an entry whose bytes it rejects is not parsed: None, and no problem.
    """
    from androguard.core.axml import AXMLPrinter

    try:
        data = inflate(archive, name, "LAYOUT_MAX_BYTES")
        if worth_parsing is not None and not worth_parsing(data):
            return None
        if data.startswith(_BINARY_XML_MAGIC[:2]):
            check_binary_xml(data)
        printer = AXMLPrinter(data)
        root = printer.get_xml_obj() if printer.is_valid() else None
    except KeyError:
        problems.append(f"{name}: missing from the zip")
        return None
    except (EntryLimit, ChunkError) as exc:
        problems.append(f"{name}: not read: {exc}")
        return None
    except Exception as exc:  # noqa: BLE001 — androguard's AXML parser raises assorted types on bad input
        problems.append(f"{name}: cannot be parsed ({type(exc).__name__})")
        return None
    if root is None:
        problems.append(f"{name}: not a binary XML file")
    return root


def _is_read_locale(locale: str) -> bool:
    """The default strings and the Chinese and English translations: the languages our lexicons read.

    A browser-like app carries 80 locales and tens of thousands of strings; reading them all costs
    seconds and no lexicon could match them.
    """
    return locale.strip("\x00") == "" or locale.startswith(("zh", "en"))


def _resource_strings(resources: Any, problems: list[str]) -> tuple[tuple[str, str], ...]:
    """Every string resource of every package in the read locales, deduplicated, in a stable order,
    up to RESOURCE_STRINGS_MAX_CHARS characters in all (a problem says when the rest is left)."""
    if resources is None:
        return ()
    pairs: dict[tuple[str, str], None] = {}
    budget = limits.RESOURCE_STRINGS_MAX_CHARS
    try:
        for package in resources.get_packages_names():
            for locale in filter(_is_read_locale, resources.get_locales(package)):
                for pair in _string_values(resources, package, locale):
                    if pair in pairs:
                        continue
                    budget -= len(pair[0]) + len(pair[1])
                    if budget < 0:
                        problems.append(f"{RESOURCES}: string resources past the limit RESOURCE_STRINGS_MAX_CHARS = "
                                        f"{limits.RESOURCE_STRINGS_MAX_CHARS:,} characters: the rest not read")
                        return tuple(sorted(pairs))
                    pairs[pair] = None
    except Exception as exc:  # noqa: BLE001 — a damaged table: keep what was read and say the rest is missing
        problems.append(f"resources.arsc: string resources partly unreadable ({type(exc).__name__})")
    return tuple(sorted(pairs))


def _string_values(resources: Any, package: str, locale: str) -> Iterable[tuple[str, str]]:
    """(name, value) of the string resources androguard parsed for this package and locale.

    Read from the values it keeps rather than through get_string_resources(), which writes every
    value out again as XML: a table naming one long string from many entries holds it once, but its
    XML repeats it for each entry."""
    resources._analyse()
    for name, value in resources.values.get(package, {}).get(locale, {}).get("string", ()):
        if name:
            yield str(name), str(value)


def _layout_texts(archive: zipfile.ZipFile, problems: list[str]) -> tuple[tuple[str, str], ...]:
    texts = []
    may_hold_text = _layout_text_detector()
    budget = limits.LAYOUTS_MAX_TOTAL_BYTES
    for info in archive.infolist():
        name = info.filename
        if not _LAYOUT_ENTRY.fullmatch(name):
            continue
        budget -= info.file_size
        if budget < 0:
            problems.append(f"{name} and the layouts after it: not read: they would bring the layouts read past the "
                            f"limit LAYOUTS_MAX_TOTAL_BYTES = {limits.size(limits.LAYOUTS_MAX_TOTAL_BYTES)}")
            break
        root = _binary_xml(archive, name, problems, worth_parsing=may_hold_text)
        if root is None:
            continue
        for element in root.iter():
            for attribute in _LAYOUT_TEXT_ATTRIBUTES:
                value = _attr(element, attribute)
                if value and not _RESOURCE_REFERENCE.fullmatch(value):
                    texts.append((name, value))
    return tuple(texts)


def _layout_text_detector() -> Callable[[bytes], bool]:
    """A test on a binary layout's bytes, false only when no element can carry a text attribute.

    Most layouts hold no text/hint/contentDescription at all, and parsing them is most of the
    layout reading time. androguard names an attribute either by its resource id, when that id is
    a framework attribute (android:text is 0x0101014F), or by its string from the pool, exactly
    or after an "ns:" prefix. So a layout is parsed when its bytes hold the id of one of the wanted
    framework attributes, or one of the names as a pool string (UTF-8 or UTF-16) that starts right
    after its length or a colon and is not followed by a further name character. A file that is
    not plain binary XML (_is_plain_binary_xml) is parsed too, so its damage is still reported.
    """
    from androguard.core.resources import public

    forward = public.SYSTEM_RESOURCES["attributes"]["forward"]
    ids = [struct.pack("<I", forward[n]) for n in _LAYOUT_TEXT_ATTRIBUTES if n in forward]
    names = re.compile(b"|".join(_pool_string_pattern(n) for n in _LAYOUT_TEXT_ATTRIBUTES))

    def may_hold_text(data: bytes) -> bool:
        if not _is_plain_binary_xml(data):
            return True
        return any(i in data for i in ids) or names.search(data) is not None

    return may_hold_text


def _is_plain_binary_xml(data: bytes) -> bool:
    """Binary XML whose header gives the file's own length and is followed by a string pool
    chunk that fits in the file: what aapt writes. A file failing this is parsed and reported."""
    if len(data) < 16 or not data.startswith(_BINARY_XML_MAGIC):
        return False
    file_size, pool_type, pool_header_size, pool_size = struct.unpack_from("<IHHI", data, 4)
    return (
        file_size == len(data)
        and pool_type == _STRING_POOL_TYPE
        and pool_header_size == _STRING_POOL_HEADER_SIZE
        and 8 + pool_size <= file_size
    )


def _pool_string_pattern(name: str) -> bytes:
    """`name` as a whole string of an AXML string pool, UTF-8 or UTF-16, bare or "prefix:name"."""
    utf8 = re.escape(name.encode("ascii"))
    utf16 = re.escape(name.encode("utf-16-le"))
    length = len(name)  # under 0x80: a one-byte (UTF-8) or one-unit (UTF-16) length prefix
    return (
        rb"(?:" + re.escape(bytes([length])) + rb"|:)" + utf8 + rb"(?![A-Za-z0-9._-])"
        + rb"|(?:" + re.escape(bytes([length, 0])) + rb"|:\x00)" + utf16
        + rb"(?![A-Za-z0-9._-]\x00)"
    )


def _dex_entries(archive: zipfile.ZipFile) -> list[str]:
    """classes.dex, classes2.dex, … in the order the runtime loads them."""
    numbered = []
    for name in archive.namelist():
        match = _DEX_ENTRY.fullmatch(name)
        if match:
            numbered.append((int(match.group(1) or 1), name))
    return [name for _number, name in sorted(numbered)]


def _dex_index(
    archive: zipfile.ZipFile, problems: list[str], *, required: bool = True, prefix: str = ""
) -> tuple[DexIndex, int]:
    """Every dex entry parsed; `prefix` names the split an entry comes from. A split need not
    carry bytecode (config splits hold libraries or resources only)."""
    names = _dex_entries(archive)
    if not names:
        if required:
            problems.append("no classes.dex: the package carries no bytecode")
        return DexIndex(), 0
    files = []
    total = 0
    for name in names:
        size = archive.getinfo(name).file_size
        if total + size > limits.DEX_MAX_TOTAL_BYTES:
            problems.append(f"{name}: not read: its {limits.size(size)} would bring the app's dex past the limit "
                            f"DEX_MAX_TOTAL_BYTES = {limits.size(limits.DEX_MAX_TOTAL_BYTES)}")
            continue
        try:
            data = inflate(archive, name)
        except EntryLimit as exc:
            problems.append(f"{name}: not read: {exc}")
            continue
        except ZIP_ERRORS as exc:
            problems.append(f"{name}: cannot be read from the zip ({exc})")
            continue
        total += len(data)
        try:
            files.extend(parse_dex(prefix + name, data))
        except DexFormatError as exc:
            problems.append(str(exc))
    return DexIndex(files), total


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _bool_or_none(value: str | None) -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


# --- Android App Bundles ---------------------------------------------------------------------------

AAB_SUFFIX = ".aab"
AAB_MANIFEST = "base/manifest/AndroidManifest.xml"
AAB_RESOURCES = "base/resources.pb"
_AAB_SHOWN_DIRS = ("lib/", "assets/", "res/", "root/")  # a module's folders, as an APK names them (root/ → /)


def open_aab(path: Path) -> ApkSource:
    """Open an Android App Bundle (.aab): its modules' manifest, bytecode, libraries, assets and
    string resources, read from aapt2's protobuf format (scanner.sources.aab). InputError names the
    format when the bundle's manifest cannot be read."""
    from scanner.sources.aab import AabFormatError, string_resources, xml_tree

    uri = printable_name(str(path))
    raw = _read_input(uri, path)
    sha256 = hashlib.sha256(raw).hexdigest()
    archive, zip_problems = open_zip(uri, raw)  # InputError when it is no readable zip or breaks a bound
    names = archive.namelist()
    if AAB_MANIFEST not in names:
        raise InputError(uri, f".aab app bundle without {AAB_MANIFEST}: its manifest cannot be read")
    try:
        root = xml_tree(inflate(archive, AAB_MANIFEST, "MANIFEST_MAX_BYTES"))
    except EntryLimit as exc:
        raise InputError(uri, str(exc)) from None
    except (AabFormatError, *ZIP_ERRORS) as exc:
        raise InputError(uri, f".aab app bundle: {AAB_MANIFEST} is not readable protobuf XML ({exc})") from None
    if root.tag != "manifest":
        raise InputError(uri, f".aab app bundle: {AAB_MANIFEST} has no <manifest> root")
    problems: list[str] = list(zip_problems)
    shown, dex_entries = _aab_entries(names)

    def read_xml(name: str) -> Any:
        try:
            return xml_tree(inflate(archive, shown[name], "LAYOUT_MAX_BYTES"))
        except EntryLimit as exc:
            problems.append(f"{name}: not read: {exc}")
        except KeyError:
            problems.append(f"{name}: missing from the bundle")
        except (AabFormatError, *ZIP_ERRORS) as exc:
            problems.append(f"{name}: cannot be parsed ({exc})")
        return None

    strings: dict[str, str] = {}  # default-locale strings, to resolve @string/ references
    pairs: dict[tuple[str, str], None] = {}
    if AAB_RESOURCES in names:
        try:
            for locale, name, value in string_resources(inflate(archive, AAB_RESOURCES, "ARSC_MAX_BYTES")):
                if _is_read_locale(locale):
                    pairs[(name, value)] = None
                    if not locale:
                        strings.setdefault(name, value)
        except (EntryLimit, AabFormatError, *ZIP_ERRORS) as exc:
            problems.append(f"{AAB_RESOURCES}: string resources unreadable ({exc})")

    def resolve_string(value: str) -> str:
        return strings.get(value.removeprefix("@string/"), value) if value.startswith("@string/") else value

    def resolve_file(value: str) -> str | None:
        candidate = f"res/{value[1:]}.xml" if value.startswith("@xml/") else None
        return candidate if candidate in shown else None

    manifest = _manifest_of(root, app_label=resolve_string(_attr(root.find("application"), "label") or ""),
                            resolve_string=resolve_string, resolve_file=resolve_file, read_xml=read_xml,
                            problems=problems)
    files = []
    dex_bytes = 0
    for shown_name, entry in dex_entries:
        size = archive.getinfo(entry).file_size
        if dex_bytes + size > limits.DEX_MAX_TOTAL_BYTES:
            problems.append(f"{entry}: not read: its {limits.size(size)} would bring the app's dex past the limit "
                            f"DEX_MAX_TOTAL_BYTES = {limits.size(limits.DEX_MAX_TOTAL_BYTES)}")
            continue
        try:
            data = inflate(archive, entry)
            dex_bytes += len(data)
            files.extend(parse_dex(shown_name, data))
        except EntryLimit as exc:
            problems.append(f"{entry}: not read: {exc}")
        except DexFormatError as exc:
            problems.append(str(exc))
        except ZIP_ERRORS as exc:
            problems.append(f"{entry}: cannot be read from the zip ({exc})")
    if not dex_entries:
        problems.append("no dex in the bundle: it carries no bytecode")
    layouts = [(name, text) for name in shown if _LAYOUT_ENTRY.fullmatch(name) for text in _layout_strings(read_xml(name))]
    source = ApkSource(path=path, sha256=sha256, size=len(raw), archive=archive, manifest=manifest,
                       resource_strings=tuple(sorted(pairs)), layout_texts=tuple(layouts), dex=DexIndex(files),
                       dex_bytes=dex_bytes, problems=tuple(problems), entry_names=shown)
    source.attributes["format"] = "aab"
    source.attributes["modules"] = sorted({entry.split("/", 1)[0] for entry in shown.values()} | {"base"})
    return source


def _aab_entries(names: Sequence[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Each module's files under the names an APK gives them (base first), and its dex entries."""
    modules = sorted({n.split("/", 1)[0] for n in names if n.count("/") >= 2 and n.split("/")[1] == "manifest"},
                     key=lambda m: (m != "base", m))
    shown: dict[str, str] = {"AndroidManifest.xml": AAB_MANIFEST}
    dex: list[tuple[str, str]] = []
    for module in modules:
        for name in names:
            rest = name[len(module) + 1:] if name.startswith(module + "/") else ""
            if rest.startswith("dex/") and rest.endswith(".dex"):
                dex.append((f"{module}!{rest[4:]}", name))
            elif rest.startswith(_AAB_SHOWN_DIRS) and not name.endswith("/"):
                shown.setdefault(rest.removeprefix("root/"), name)
    dex.sort(key=lambda d: (not d[0].startswith("base!"), d[0]))
    return shown, dex


def _layout_strings(root: Any) -> Iterator[str]:
    if root is None:
        return
    for element in root.iter():
        for attribute in _LAYOUT_TEXT_ATTRIBUTES:
            value = _attr(element, attribute)
            if value and not value.startswith(("@", "?")):
                yield value


def apk_from_texts(texts: Sequence[str], *, uri: str, package: str = "case.app",
                   assets: Mapping[str, bytes] | None = None, target_sdk: int | None = None) -> ApkSource:
    """An app that is nothing but these user-facing strings (as string resources) and, if given, these
    assets (an embedded policy page): no code, no permissions. Rule cases use it to run app texts
    through the real extractors."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (assets or {}).items():
            archive.writestr(name, data)
    payload = "\n".join(texts).encode("utf-8") + b"".join(sorted((assets or {}).values()))
    manifest = Manifest(package=package, app_label="", version_name="", version_code="", min_sdk=None,
                        target_sdk=target_sdk,
                        permissions=(), activities=(), services=(), receivers=(), providers=(), launcher_activities=(),
                        exported=frozenset(), uses_cleartext_traffic=None, network_security_config=None,
                        cleartext_permitted_by_nsc=None)
    return ApkSource(
        path=Path(uri), sha256=hashlib.sha256(payload).hexdigest(), size=len(payload),
        archive=zipfile.ZipFile(io.BytesIO(buffer.getvalue())), manifest=manifest,
        resource_strings=tuple((f"case_text_{i}", text) for i, text in enumerate(texts)),
        layout_texts=(), dex=DexIndex(), dex_bytes=0, problems=(),
    )
