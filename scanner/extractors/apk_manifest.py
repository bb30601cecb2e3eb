"""Facts from AndroidManifest.xml: identity, permissions, components of interest, cleartext policy."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from scanner.extractors.base import ExtractorSpec
from scanner.model import Evidence, Location
from scanner.signatures import api_table, sdk_index
from scanner.sources.apk import ApkSource

NAME = "apk_manifest"
VERSION = 2
EXTRACTOR = f"{NAME}@{VERSION}"

# Android P (API 28) switched the default of usesCleartextTraffic from true to false.
CLEARTEXT_DEFAULT_OFF_SDK = 28

_COMPONENT_TYPES = (("activity", "activities"), ("service", "services"), ("receiver", "receivers"), ("provider", "providers"))


def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    manifest = source.manifest
    yield _app_info(source)
    yield from _permissions(source)
    yield from _components(source)
    cleartext = cleartext_source(
        manifest.uses_cleartext_traffic,
        manifest.network_security_config,
        manifest.cleartext_permitted_by_nsc,
        manifest.target_sdk,
    )
    if cleartext is not None:
        key, attrs = cleartext
        logical = manifest.network_security_config if key == "network_security_config" else "AndroidManifest.xml"
        yield Evidence("network.cleartext_allowed", key, attrs, Location(source.uri, logical or "", ""), EXTRACTOR)


def _app_info(source: ApkSource) -> Evidence:
    m = source.manifest
    attrs = {
        "label": source.label,
        "version_name": m.version_name,
        "version_code": m.version_code,
        "min_sdk": m.min_sdk,
        "target_sdk": m.target_sdk,
    }
    return Evidence("app.info", m.package, attrs, Location(source.uri, "AndroidManifest.xml", ""), EXTRACTOR)


def permission_category(permission: str) -> tuple[bool, str]:
    """(sensitive, category) of a permission, from rules/signatures/apis.yaml."""
    category = api_table().sensitive_permissions.get(permission)
    return (category is not None, category or "other")


def _permissions(source: ApkSource) -> Iterator[Evidence]:
    for permission in source.manifest.permissions:
        sensitive, category = permission_category(permission)
        yield Evidence(
            "app.permission",
            permission,
            {"sensitive": sensitive, "category": category},
            Location(source.uri, "AndroidManifest.xml#uses-permission", permission),
            EXTRACTOR,
        )


def _components(source: ApkSource) -> Iterator[Evidence]:
    """Launcher and exported components, and every component belonging to a known SDK."""
    m = source.manifest
    index = sdk_index()
    for type_name, field_name in _COMPONENT_TYPES:
        for name in getattr(m, field_name):
            sdk = index.component_owner(name)
            launcher = name in m.launcher_activities
            exported = name in m.exported
            if not (launcher or exported or sdk):
                continue
            attrs: dict[str, Any] = {"type": type_name, "exported": exported, "launcher": launcher}
            if sdk:
                attrs["sdk"] = sdk.id
            yield Evidence(
                "app.component", name, attrs, Location(source.uri, f"AndroidManifest.xml#{type_name}", name), EXTRACTOR
            )


def cleartext_source(
    uses_cleartext: bool | None, nsc: str | None, nsc_permits: bool | None, target_sdk: int | None
) -> tuple[str, dict[str, Any]] | None:
    """Whether plain http is allowed app-wide, and on what basis; None when it is not.

    A network security config overrides usesCleartextTraffic; without either, apps targeting an
    SDK below 28 (or declaring none) allow cleartext by default.
    """
    if nsc is not None and nsc_permits is not None:
        if nsc_permits:
            return "network_security_config", {"source": "network_security_config", "config": nsc}
        return None
    if uses_cleartext is True:
        return "manifest", {"source": "usesCleartextTraffic"}
    if uses_cleartext is None and (target_sdk is None or target_sdk < CLEARTEXT_DEFAULT_OFF_SDK):
        return "manifest", {"source": "target_sdk_default", "target_sdk": target_sdk}
    return None


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"app.info", "app.permission", "app.component", "network.cleartext_allowed"}), reads=ApkSource)
