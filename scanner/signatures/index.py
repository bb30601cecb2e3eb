"""Lookup tables over many signatures, each answering "whose is this name?" in one step.

An app holds tens of thousands of classes and the signature files about a thousand SDKs; testing every
name against every signature would cost seconds. Each table here is built once per process:

- PrefixIndex: dex class descriptors by package (``Lcom/umeng/``) or class (``Lcom/a/B;``), one dict
  lookup per package level of the name; the most specific entry wins.
- GlobTable: shell-style patterns compiled into one regular expression; the first listed pattern wins.
- HostTable: host names by exact name, by domain (``*.umeng.com``: the domain and every host under
  it) and by the remaining patterns; the most specific entry wins.

Where two entries claim the same key the one added first keeps it: callers add the project's own,
hand-written signatures before imported ones, so those stay authoritative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import translate
from typing import Generic, TypeVar

T = TypeVar("T")
MEMO_LIMIT = 500_000  # looked-up descriptors remembered: several apps' classes, then start again


class PrefixIndex(Generic[T]):
    """Owners of dex class descriptors. Keys are package prefixes ``Lcom/a/`` (every class under the
    package, at a package boundary) or class names ``Lcom/a/B;`` (that class and its inner classes)."""

    def __init__(self, entries: Iterable[tuple[str, T]] = ()) -> None:
        self._keys: dict[str, T] = {}
        self._memo: dict[str, T | None] = {}  # by class descriptor: refs repeat their classes many times
        for key, value in entries:
            self.add(key, value)

    def add(self, key: str, value: T) -> None:
        if not (key.startswith("L") and key.endswith(("/", ";"))):
            raise ValueError(f"not a package prefix or class descriptor: {key!r}")
        self._keys.setdefault(key, value)
        self._memo.clear()

    def owner(self, descriptor: str) -> T | None:
        """The entry owning a class descriptor (``Lcom/a/B$C;``), most specific first, or None."""
        try:
            return self._memo[descriptor]
        except KeyError:
            pass
        found = self._lookup(descriptor)
        if len(self._memo) >= MEMO_LIMIT:  # one process may scan many apps: memory stays bounded
            self._memo.clear()
        self._memo[descriptor] = found
        return found

    def _lookup(self, descriptor: str) -> T | None:
        keys = self._keys
        outer = descriptor.split("$", 1)[0]
        hit = keys.get(outer if outer.endswith(";") else outer + ";")
        if hit is not None:
            return hit
        end = descriptor.rfind("/")
        while end > 0:
            hit = keys.get(descriptor[: end + 1])
            if hit is not None:
                return hit
            end = descriptor.rfind("/", 0, end)
        return None


class GlobTable(Generic[T]):
    """Shell-style patterns (``*`` any run, ``?`` one character) over whole names, in one regular
    expression; `owner` returns the value of the first pattern in the list that matches."""

    def __init__(self, entries: Iterable[tuple[str, T]] = (), *, ignore_case: bool = False) -> None:
        self._patterns: list[str] = []
        self._values: list[T] = []
        self._ignore_case = ignore_case
        for pattern, value in entries:
            self._patterns.append(pattern.lower() if ignore_case else pattern)
            self._values.append(value)
        alternatives = "|".join(f"({translate(p)})" for p in self._patterns)
        self._regex = re.compile(alternatives) if self._patterns else None

    def owner(self, name: str) -> T | None:
        if self._regex is None:
            return None
        match = self._regex.match(name.lower() if self._ignore_case else name)
        if match is None or match.lastindex is None:
            return None
        return self._values[match.lastindex - 1]


class HostTable(Generic[T]):
    """Owners of host names. A pattern is an exact host, ``*.domain`` (the domain itself and every
    host under it) or any other shell-style pattern. Exact names beat domains, deeper domains beat
    shallower ones, and both beat the other patterns."""

    def __init__(self, entries: Iterable[tuple[str, T]] = ()) -> None:
        self._exact: dict[str, T] = {}
        self._domains: dict[str, T] = {}
        other: list[tuple[str, T]] = []
        for pattern, value in entries:
            pattern = pattern.lower()
            if "*" not in pattern and "?" not in pattern:
                self._exact.setdefault(pattern, value)
            elif pattern.startswith("*.") and not any(c in pattern[2:] for c in "*?"):
                self._domains.setdefault(pattern[2:], value)
            else:
                other.append((pattern, value))
        self._other = GlobTable(other)

    def owner(self, host: str) -> T | None:
        host = host.lower().rstrip(".")
        hit = self._exact.get(host)
        if hit is not None:
            return hit
        at = 0
        while at != -1:
            hit = self._domains.get(host[at:])
            if hit is not None:
                return hit
            at = host.find(".", at)
            at = -1 if at == -1 else at + 1
        return self._other.owner(host)
