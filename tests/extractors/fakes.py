"""In-memory stand-ins for ApkSource / DexIndex, for unit tests of single extractors. The stand-in
mixes in the source's own derived views (ApkViews), so what extractors share is computed as in a scan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from scanner.sources.apk import ApkViews


@dataclass
class FakeDex:
    class_descriptors: frozenset[str] = frozenset()
    calls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # callee ref → callers
    string_users: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # string → loading methods
    extra_strings: tuple[str, ...] = ()
    files: tuple = ()  # no parsed dex: the start-up walk finds no class to enter

    @property
    def strings(self) -> tuple[str, ...]:
        return tuple(self.string_users) + self.extra_strings

    @property
    def method_refs(self) -> frozenset[str]:
        return frozenset(r for r in self.calls if ":" not in r.partition("->")[2])

    @property
    def field_refs(self) -> frozenset[str]:
        return frozenset(r for r in self.calls if ":" in r.partition("->")[2])

    def callers_of(self, wanted: Callable[[str], bool]) -> dict[str, tuple[str, ...]]:
        return {ref: callers for ref, callers in self.calls.items() if wanted(ref)}

    def users_of_strings(self, wanted: Callable[[str], bool]) -> dict[str, tuple[str, ...]]:
        found = {s: users for s, users in self.string_users.items() if wanted(s)}
        found.update({s: () for s in self.extra_strings if wanted(s) and s not in found})
        return found


@dataclass
class FakeManifest:
    package: str = "com.example.app"
    app_label: str = "示例"
    version_name: str = "1.0"
    version_code: str = "1"
    min_sdk: int | None = 21
    target_sdk: int | None = 30
    permissions: tuple[str, ...] = ()
    activities: tuple[str, ...] = ("com.example.app.MainActivity",)
    services: tuple[str, ...] = ()
    receivers: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    launcher_activities: tuple[str, ...] = ("com.example.app.MainActivity",)
    exported: frozenset[str] = frozenset({"com.example.app.MainActivity"})
    uses_cleartext_traffic: bool | None = None
    network_security_config: str | None = None
    cleartext_permitted_by_nsc: bool | None = None
    application_class: str = ""
    boot_receivers: tuple[str, ...] = ()
    startup_initializers: tuple[str, ...] = ()
    alias_targets: tuple[tuple[str, str], ...] = ()
    activity_aliases: tuple[str, ...] = ()


@dataclass(eq=False)
class FakeSource(ApkViews):
    manifest: FakeManifest = field(default_factory=FakeManifest)
    dex: FakeDex = field(default_factory=FakeDex)
    entries: Mapping[str, bytes] = field(default_factory=dict)
    resource_strings: tuple[tuple[str, str], ...] = ()
    layout_texts: tuple[tuple[str, str], ...] = ()
    uri: str = "fake.apk"
    problems: tuple[str, ...] = ()
    reads: list[str] = field(default_factory=list)  # entry names in the order they were read

    @property
    def label(self) -> str:
        return self.manifest.app_label or self.manifest.package

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(self.entries)

    def read(self, name: str, limit: int = 8 * 2**20) -> bytes:
        self.reads.append(name)
        return self.entries[name][:limit]
