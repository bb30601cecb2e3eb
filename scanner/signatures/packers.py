"""Can the app's code be read? Protectors (加固) recognised from their stubs, libraries and assets, and
code that the manifest declares but no dex defines.

A packer ships a small loader and the app's real classes encrypted (or with their method bodies cut
out): what a reader sees in classes.dex is the shell. Analysing it as if it were the app would find no
face SDK call, no identifier read, no consent screen, and every such rule would pass or not apply. So
the source says why its code cannot be read and the pipeline treats every extractor whose answer
depends on code as unable to state a complete answer (scanner.extractors.runner).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from scanner.signatures import PackerSignature, class_descriptor, descriptor_prefix, packers
from scanner.signatures.index import GlobTable, PrefixIndex

VIA_ORDER = ("class", "native_lib", "asset")
MAX_NAMES = 3
FRAMEWORK_PREFIX = "android."  # a launcher the platform provides (NativeActivity) is no code of the app


@dataclass(frozen=True)
class PackerMatch:
    packer: PackerSignature
    via: tuple[str, ...]  # in VIA_ORDER
    names: tuple[str, ...]  # a few matched class, library and asset names


@dataclass(frozen=True)
class _PackerTables:
    classes: PrefixIndex[PackerSignature]
    class_prefixes: tuple[str, ...]  # descriptor prefixes, for one startswith over the app's classes
    native_libs: GlobTable[PackerSignature]
    assets: GlobTable[PackerSignature]


@lru_cache(maxsize=1)
def _tables() -> _PackerTables:
    known = packers()
    classes: PrefixIndex[PackerSignature] = PrefixIndex()
    for p in known:
        for name in p.classes:
            classes.add(class_descriptor(name), p)
        for prefix in p.class_prefixes:
            classes.add(descriptor_prefix(prefix), p)
    prefixes = tuple(descriptor_prefix(x) for p in known for x in p.class_prefixes)
    prefixes += tuple(class_descriptor(x) for p in known for x in p.classes)
    return _PackerTables(
        classes=classes,
        class_prefixes=prefixes,
        native_libs=GlobTable((lib, p) for p in known for lib in p.native_libs),
        assets=GlobTable((asset, p) for p in known for asset in p.assets),
    )


def find_packers(files: Iterable[str], classes: Iterable[str], application: str = "") -> tuple[PackerMatch, ...]:
    """Every protector whose stub class (in the dex or named as the application), native library or
    asset is in the package; shells first."""
    tables = _tables()
    hits: dict[str, dict[str, list[str]]] = {}
    by_id: dict[str, PackerSignature] = {}

    def hit(packer: PackerSignature | None, via: str, name: str) -> None:
        if packer is not None:
            by_id[packer.id] = packer
            hits.setdefault(packer.id, {v: [] for v in VIA_ORDER})[via].append(name)

    stub_classes = {c for c in classes if c.startswith(tables.class_prefixes)}
    if application:
        stub_classes.add(class_descriptor(application))
    for descriptor in sorted(stub_classes):
        hit(tables.classes.owner(descriptor), "class", descriptor[1:-1].replace("/", "."))
    for entry in files:
        if entry.endswith(".so"):
            hit(tables.native_libs.owner(posixpath.basename(entry)), "native_lib", posixpath.basename(entry))
        hit(tables.assets.owner(entry), "asset", entry)
    found = []
    for packer_id, by_via in hits.items():
        via = tuple(v for v in VIA_ORDER if by_via[v])
        names = tuple(dict.fromkeys(n for v in via for n in sorted(by_via[v])[:2]))[:MAX_NAMES]
        found.append(PackerMatch(by_id[packer_id], via, names))
    return tuple(sorted(found, key=lambda m: (not m.packer.shell, m.packer.id)))


def unreadable_code_reason(
    matches: Sequence[PackerMatch], launchers: Iterable[str], aliases: Iterable[str], classes: frozenset[str]
) -> str:
    """Why the app's code cannot be read, or "" when it can: a packer's shell, or a launcher activity
    that no dex of the package defines (an unrecognised packer, or code in a split not given)."""
    shells = [m for m in matches if m.packer.shell]
    if shells:
        m = shells[0]
        return (f"code is packed by {m.packer.product} ({', '.join(m.names)}): the real classes are encrypted; "
                "code-level analysis impossible")
    alias_names = set(aliases)
    missing = sorted(a for a in launchers if a not in alias_names and not a.startswith(FRAMEWORK_PREFIX)
                     and class_descriptor(a) not in classes)
    if missing:
        return (f"the launcher activity {missing[0]} is declared but no dex in the package defines it: the code is "
                "packed by an unrecognised protector or ships in a split APK not given; code-level analysis impossible")
    return ""
