"""Apps built from the public identifiers of the 39 face products (tests/fixtures/face_products.yaml),
for the product tests and bench/sdk_coverage.py: each set becomes an in-memory APK source that the
real apk_sdks extractor reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from scanner.extractors import apk_sdks
from scanner.model import Evidence
from scanner.signatures import class_descriptor

from .fakes import FakeDex, FakeManifest, FakeSource

PRODUCTS_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "face_products.yaml"
SIGNALS = ("classes", "native_libs", "components", "files", "urls", "strings")


def load_products() -> list[dict[str, Any]]:
    return yaml.safe_load(PRODUCTS_PATH.read_text(encoding="utf-8"))["products"]


def renamed(descriptors: Iterable[str]) -> frozenset[str]:
    """The classes as R8 leaves them when it renames a library: a.a, a.b, … (no vendor name left)."""
    return frozenset(f"La/{chr(ord('a') + i % 26)}{i // 26 or ''};" for i, _ in enumerate(sorted(descriptors)))


def source_for(signals: Mapping[str, Any], *, rename_classes: bool = False) -> FakeSource:
    """An app holding exactly these identifiers: classes in its dex, libraries and files in its zip,
    components in its manifest (and dex: aapt keeps their names through renaming), URLs in its string
    resources, other strings in its dex."""
    classes = {class_descriptor(c) for c in signals.get("classes", ())}
    if rename_classes:
        classes = set(renamed(classes))
    components = tuple(signals.get("components", ()))
    classes |= {class_descriptor(c) for c in components}
    entries = {name: b"" for key in ("native_libs", "files") for name in signals.get(key, ())}
    return FakeSource(
        FakeManifest(activities=("com.example.app.MainActivity", *components)),
        dex=FakeDex(class_descriptors=frozenset(classes), extra_strings=tuple(signals.get("strings", ()))),
        entries=entries,
        resource_strings=tuple((f"url_{i}", url) for i, url in enumerate(signals.get("urls", ()))),
    )


def face_sdks_found(source: FakeSource) -> dict[str, Evidence]:
    return {e.key: e for e in apk_sdks.run(source, ()) if e.kind == "face.sdk"}


def has_non_class_signals(product: Mapping[str, Any]) -> bool:
    return any(product.get(key) for key in SIGNALS if key != "classes")
