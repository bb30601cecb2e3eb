"""Build tiny DEX files byte by byte, so the reader can be tested on exact instruction layouts."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field


def uleb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def mutf8(text: str) -> bytes:
    """string_data_item: ULEB128 UTF-16 length, modified UTF-8 bytes, NUL."""
    units = struct.unpack(f"<{len(text.encode('utf-16-le')) // 2}H", text.encode("utf-16-le"))
    out = bytearray()
    for unit in units:
        if unit == 0:
            out += b"\xc0\x80"
        elif unit < 0x80:
            out.append(unit)
        elif unit < 0x800:
            out += bytes([0xC0 | unit >> 6, 0x80 | unit & 0x3F])
        else:
            out += bytes([0xE0 | unit >> 12, 0x80 | (unit >> 6) & 0x3F, 0x80 | unit & 0x3F])
    return uleb128(len(units)) + bytes(out) + b"\x00"


@dataclass
class DexSpec:
    strings: list[str]
    types: list[int]  # string index of each type descriptor
    protos: list[tuple[int, int, tuple[int, ...]]]  # (shorty string, return type, parameter types)
    fields: list[tuple[int, int, int]]  # (class type, field type, name string)
    methods: list[tuple[int, int, int]]  # (class type, proto, name string)
    classes: list[tuple[int, list[tuple[int, bytes]]]]  # (class type, [(method index, insns)])
    version: bytes = b"035"
    header_size: int = 0x70
    base: int = 0  # where this dex starts inside a dex 041 container
    extra_header: bytes = field(default=b"")


def build_dex(spec: DexSpec) -> bytes:
    """Lay out header, id tables, then data (type lists, strings, code, class data)."""
    offset = spec.header_size
    layout = {}
    for name, count, size in (
        ("string_ids", len(spec.strings), 4),
        ("type_ids", len(spec.types), 4),
        ("proto_ids", len(spec.protos), 12),
        ("field_ids", len(spec.fields), 8),
        ("method_ids", len(spec.methods), 8),
        ("class_defs", len(spec.classes), 32),
    ):
        layout[name] = (count, offset if count else 0)
        offset += count * size
    data = bytearray()
    data_start = offset

    def place(blob: bytes, align: int = 1) -> int:
        while (data_start + len(data)) % align:
            data.append(0)
        at = data_start + len(data)
        data.extend(blob)
        return spec.base + at  # data offsets are relative to the container start

    proto_items = b""
    for shorty, return_type, params in spec.protos:
        params_off = 0
        if params:
            params_off = place(struct.pack(f"<I{len(params)}H", len(params), *params), 4)
        proto_items += struct.pack("<III", shorty, return_type, params_off)
    string_ids = b"".join(struct.pack("<I", place(mutf8(s))) for s in spec.strings)
    class_defs = b""
    for class_type, methods in spec.classes:
        encoded = []
        for method_index, insns in methods:
            head = struct.pack("<HHHHII", 4, 0, 1, 0, 0, len(insns) // 2)
            encoded.append((method_index, place(head + insns, 4)))
        class_data = uleb128(0) + uleb128(0) + uleb128(len(encoded)) + uleb128(0)
        previous = 0
        for method_index, code_off in encoded:
            class_data += uleb128(method_index - previous) + uleb128(1) + uleb128(code_off)
            previous = method_index
        class_data_off = place(class_data)
        class_defs += struct.pack("<8I", class_type, 1, 0xFFFFFFFF, 0, 0xFFFFFFFF, 0, class_data_off, 0)
    tables = (
        string_ids
        + b"".join(struct.pack("<I", t) for t in spec.types)
        + proto_items
        + b"".join(struct.pack("<HHI", *f) for f in spec.fields)
        + b"".join(struct.pack("<HHI", *m) for m in spec.methods)
        + class_defs
    )
    file_size = data_start + len(data)
    sizes = []
    for name in ("string_ids", "type_ids", "proto_ids", "field_ids", "method_ids", "class_defs"):
        sizes += list(layout[name])
    header = struct.pack(
        "<8sI20sIIIIII" + "II" * 7,
        b"dex\n" + spec.version + b"\x00", 0, b"\x00" * 20, file_size, spec.header_size,
        0x12345678, 0, 0, 0, *sizes, len(data), data_start,
    )
    header += spec.extra_header
    assert len(header) == spec.header_size
    return header + tables + bytes(data)
