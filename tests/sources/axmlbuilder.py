"""Build tiny binary XML (AXML) layouts, so the layout shortcut can be tested on exact string pools."""

from __future__ import annotations

import struct
from dataclasses import dataclass

ANDROID_URI = "http://schemas.android.com/apk/res/android"
APP_URI = "http://schemas.android.com/apk/res-auto"
TYPE_STRING = 0x03
TYPE_INT_DEC = 0x10


@dataclass(frozen=True)
class Attribute:
    namespace: str | None  # URI, or None for no namespace
    name: str
    value: str | int  # a str is a literal string, an int a decimal
    resource_id: int = 0  # 0: no entry in the resource map, the name comes from the pool


def _pool(strings: list[str], utf8: bool) -> bytes:
    data = bytearray()
    offsets = []
    for text in strings:
        offsets.append(len(data))
        if utf8:
            raw = text.encode("utf-8")
            data += bytes([len(text), len(raw)]) + raw + b"\x00"
        else:
            data += struct.pack("<H", len(text)) + text.encode("utf-16-le") + b"\x00\x00"
    while len(data) % 4:
        data.append(0)
    header_size = 0x1C
    strings_start = header_size + 4 * len(strings)
    size = strings_start + len(data)
    flags = 0x100 if utf8 else 0
    head = struct.pack("<HHIIIIII", 0x0001, header_size, size, len(strings), 0, flags, strings_start, 0)
    return head + struct.pack(f"<{len(strings)}I", *offsets) + bytes(data)


def build_layout(attributes: list[Attribute], *, tag: str = "TextView", utf8: bool = False) -> bytes:
    """One element `tag` carrying `attributes`, inside the android and app namespaces.

    As aapt does, names with a resource id come first in the pool, in resource-map order.
    """
    mapped = [a for a in attributes if a.resource_id]
    strings = [a.name for a in mapped]
    ids = [a.resource_id for a in mapped]

    def index(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    for extra in ("android", ANDROID_URI, "app", APP_URI, tag):
        index(extra)
    encoded = b""
    for attribute in attributes:
        namespace = index(attribute.namespace) if attribute.namespace else 0xFFFFFFFF
        name = strings.index(attribute.name) if attribute.resource_id else index(attribute.name)
        if isinstance(attribute.value, str):
            raw = index(attribute.value)
            typed = struct.pack("<HBBI", 8, 0, TYPE_STRING, raw)
        else:
            raw = 0xFFFFFFFF
            typed = struct.pack("<HBBI", 8, 0, TYPE_INT_DEC, attribute.value & 0xFFFFFFFF)
        encoded += struct.pack("<III", namespace, name, raw) + typed
    none = 0xFFFFFFFF
    chunks = _pool(strings, utf8)
    if ids:
        chunks += struct.pack("<HHI", 0x0180, 8, 8 + 4 * len(ids)) + struct.pack(f"<{len(ids)}I", *ids)
    for prefix, uri in (("android", ANDROID_URI), ("app", APP_URI)):
        chunks += struct.pack("<HHIIIII", 0x0100, 0x10, 0x18, 1, none, index(prefix), index(uri))
    chunks += struct.pack(
        "<HHIIIIIHHHHHH", 0x0102, 0x10, 0x24 + len(encoded), 1, none, none, index(tag),
        0x14, 0x14, len(attributes), 0, 0, 0,
    ) + encoded
    chunks += struct.pack("<HHIIIII", 0x0103, 0x10, 0x18, 1, none, none, index(tag))
    for prefix, uri in (("app", APP_URI), ("android", ANDROID_URI)):
        chunks += struct.pack("<HHIIIII", 0x0101, 0x10, 0x18, 1, none, index(prefix), index(uri))
    return struct.pack("<HHI", 0x0003, 8, 8 + len(chunks)) + chunks
