"""Checks of Android's chunked binary formats (binary XML, the resource table) before a parser allocates.

Both formats are trees of chunks, each starting with (type: u16, header size: u16, size: u32). A
parser that trusts a size or a count allocates for it; these checks walk the chunk headers alone, in
one linear pass, and say what cannot be so in any reading of the file: a chunk running past its parent
or the file, a header larger than its chunk, a string pool or a type chunk whose counts need more bytes
than the chunk holds, elements nested deeper than `limits.AXML_MAX_DEPTH`. Android's own parser rejects
the same files, so nothing an app can ship is turned away.
"""

from __future__ import annotations

import struct

from scanner import limits

XML_TYPE, TABLE_TYPE = 0x0003, 0x0002
STRING_POOL, PACKAGE, TYPE, TYPE_SPEC = 0x0001, 0x0200, 0x0201, 0x0202
START_ELEMENT, END_ELEMENT = 0x0102, 0x0103
_HEAD = struct.Struct("<HHI")
_OFFSET16 = 0x02  # a type chunk's flag: 16-bit entry offsets (Android 15)


class ChunkError(ValueError):
    """The first impossible chunk, with its offset."""


def check_binary_xml(data: bytes) -> None:
    """Raise ChunkError if this binary XML file cannot be what it claims (see the module text)."""
    _check_tree(data, XML_TYPE, "binary XML")


def check_resource_table(data: bytes) -> None:
    """Raise ChunkError if this resources.arsc cannot be what it claims."""
    _check_tree(data, TABLE_TYPE, "resource table")


def _check_tree(data: bytes, root_type: int, what: str) -> None:
    if len(data) < 8:
        raise ChunkError(f"{what}: {len(data)} bytes, too short for a chunk header")
    kind, header, size = _HEAD.unpack_from(data, 0)
    if kind != root_type:
        raise ChunkError(f"{what}: starts with chunk type {kind:#06x}, not {root_type:#06x}")
    _check_chunk(data, 0, len(data), what)
    depth = 0
    # (start, end) of the containers being walked: the file's root, then packages inside a table
    stack = [(header, size)]
    while stack:
        pos, end = stack.pop()
        while pos < end:
            if end - pos < 8:
                raise ChunkError(f"{what}: {end - pos} stray bytes at {pos:#x}, too few for a chunk header")
            kind, header, size = _check_chunk(data, pos, end, what)
            if kind == START_ELEMENT:
                depth += 1
                if depth > limits.AXML_MAX_DEPTH:
                    raise ChunkError(limits.over(f"{what}: elements nested", f"{depth} deep", "AXML_MAX_DEPTH",
                                                 str(limits.AXML_MAX_DEPTH)))
            elif kind == END_ELEMENT:
                depth = max(0, depth - 1)
            elif kind == PACKAGE and root_type == TABLE_TYPE:
                stack.append((pos + size, end))  # the rest of this level, after the package's own children
                pos, end = pos + header, pos + size
                continue
            pos += size


def _check_chunk(data: bytes, pos: int, end: int, what: str) -> tuple[int, int, int]:
    kind, header, size = _HEAD.unpack_from(data, pos)
    if header < 8 or header > size:
        raise ChunkError(f"{what}: chunk {kind:#06x} at {pos:#x} has a {header}-byte header in a {size}-byte chunk")
    if pos + size > end:
        raise ChunkError(f"{what}: chunk {kind:#06x} at {pos:#x} claims {limits.size(size)}, "
                         f"{limits.size(end - pos)} are left")
    if kind == STRING_POOL:
        if header < 28:
            raise ChunkError(f"{what}: string pool at {pos:#x} has a {header}-byte header")
        count, styles, _flags, strings_start, styles_start = struct.unpack_from("<IIIII", data, pos + 8)
        if header + 4 * (count + styles) > size or strings_start > size or styles_start > size:
            raise ChunkError(f"{what}: string pool at {pos:#x} claims {count} strings and {styles} styles "
                             f"in {limits.size(size)}")
    elif kind in (TYPE, TYPE_SPEC) and header >= 16:
        (count,) = struct.unpack_from("<I", data, pos + 12)
        entries_start = struct.unpack_from("<I", data, pos + 16)[0] if kind == TYPE and header >= 20 else header
        offset_width = 2 if kind == TYPE and data[pos + 9] & _OFFSET16 else 4
        if header + offset_width * count > size or entries_start > size:
            raise ChunkError(f"{what}: type chunk at {pos:#x} claims {count} entries in {limits.size(size)}")
    return kind, header, size
