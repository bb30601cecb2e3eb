"""A fast DEX reader: id tables, class list and call sites, without a full disassembler.

Only what the extractors need is read: the string, type, proto, field and method id tables, the
class definitions, and a map from bytecode offsets to the method that owns them. Call sites are
found without decoding every method: the indices of the wanted ids are located with a bytes
regex over the file, each candidate is mapped to its code item, and only that method's
instruction stream is decoded (once) to reject matches that do not start an instruction.

Bounds: the header's tables are checked against the entry before any is read; what is decoded
(strings, method, field and proto spellings) is held to a budget proportional to the entry's size
(limits.DEX_DECODED_PER_BYTE), so ids that all name one long string cannot multiply it; class data and
code items are each read at most once in all (classes sharing class data, or code items overlapping,
are refused), so the walks stay linear in the file.

Format reference: https://source.android.com/docs/core/runtime/dex-format
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter

from scanner import limits

HEADER_SIZE = 0x70
CONTAINER_HEADER_SIZE = 0x78  # dex 041 adds container_size and header_offset
SUPPORTED_VERSIONS = frozenset({b"035", b"036", b"037", b"038", b"039", b"040", b"041"})
ENDIAN_CONSTANT = 0x12345678

# magic, checksum, signature, file_size, header_size, endian_tag, link_size, link_off, map_off,
# then (size, offset) of string_ids, type_ids, proto_ids, field_ids, method_ids, class_defs, data.
_HEADER = struct.Struct("<8sI20sIIIIII" + "II" * 7)
assert _HEADER.size == HEADER_SIZE
_CODE_ITEM_HEAD = struct.Struct("<HHHHII")
_INSNS_SIZE = struct.Struct("<I")  # the last field of the code item head

# Opcode ranges (first byte of an instruction's first code unit).
_INVOKE_OPCODES = rb"[\x6e-\x72\x74-\x78]"  # invoke-kind (35c) and invoke-kind/range (3rc)
_FIELD_OPCODES = rb"[\x52-\x6d]"  # iget*/iput* (22c) and sget*/sput* (21c)


def _instruction_widths() -> tuple[int, ...]:
    """Width in 16-bit code units of every opcode, by its instruction format."""
    widths = [1] * 256  # formats 10x/11x/11n/12x/10t and unused opcodes
    two = [
        0x02, 0x05, 0x08, 0x13, 0x15, 0x16, 0x19, 0x1A, 0x1C, 0x1F, 0x20, 0x22, 0x23, 0x29,
        0xFE, 0xFF,
    ]
    for op in two:
        widths[op] = 2
    three = [0x03, 0x06, 0x09, 0x14, 0x17, 0x1B, 0x24, 0x25, 0x26, 0x2A, 0x2B, 0x2C, 0xFC, 0xFD]
    for op in three:
        widths[op] = 3
    widths[0x18] = 5  # const-wide (51l)
    for op in range(0x2D, 0x3E):  # cmp*, if-test, if-testz
        widths[op] = 2
    for op in range(0x44, 0x6E):  # aget/aput, iget/iput, sget/sput
        widths[op] = 2
    for op in list(range(0x6E, 0x73)) + list(range(0x74, 0x79)):  # invoke-kind(/range)
        widths[op] = 3
    for op in range(0x90, 0xB0):  # binop (23x)
        widths[op] = 2
    for op in range(0xD0, 0xE3):  # binop/lit16, binop/lit8
        widths[op] = 2
    widths[0xFA] = widths[0xFB] = 4  # invoke-polymorphic(/range)
    return tuple(widths)


_WIDTHS = _instruction_widths()


class DexFormatError(ValueError):
    """A dex entry that cannot be read; the message names the entry."""

    def __init__(self, entry: str, problem: str) -> None:
        super().__init__(f"{entry}: {problem}")
        self.entry = entry
        self.problem = problem


@dataclass(frozen=True)
class _CodeMap:
    """Sorted bytecode spans of one dex: span i covers [starts[i], ends[i]) and belongs to owners[i]."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    owners: tuple[tuple[int, ...], ...]  # method indices sharing that code item

    def span_of(self, offset: int) -> int | None:
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return i
        return None


@dataclass
class DexFile:
    """One parsed dex (one classes*.dex entry, or one part of a dex 041 container)."""

    name: str
    data: bytes
    strings: tuple[str, ...]
    types: tuple[str, ...]
    method_refs: tuple[str, ...]
    field_refs: tuple[str, ...]
    class_descriptors: tuple[str, ...]
    code_map: _CodeMap
    _instruction_starts: dict[int, frozenset[int]] = field(default_factory=dict, repr=False)

    def instruction_starts(self, span: int) -> frozenset[int]:
        """File offsets at which an instruction of code span `span` begins (decoded once)."""
        cached = self._instruction_starts.get(span)
        if cached is None:
            cached = _decode_instruction_starts(
                self.data, self.code_map.starts[span], self.code_map.ends[span]
            )
            self._instruction_starts[span] = cached
        return cached


def _decode_instruction_starts(data: bytes, start: int, end: int) -> frozenset[int]:
    """Walk one method's instructions linearly; payload pseudo-instructions are skipped whole."""
    starts = []
    pc = start
    widths = _WIDTHS
    while pc < end:
        opcode = data[pc]
        if opcode == 0 and pc + 1 < end and data[pc + 1] in (1, 2, 3):
            if pc + 8 > end:
                break  # a payload header cut off by the end of the code: nothing follows
            width = _payload_width(data, pc, data[pc + 1])
        else:
            starts.append(pc)
            width = widths[opcode]
        pc += 2 * width
    return frozenset(starts)


def _payload_width(data: bytes, pc: int, kind: int) -> int:
    """Size in code units of a packed-switch (1), sparse-switch (2) or fill-array-data (3) payload."""
    if kind == 1:
        (size,) = struct.unpack_from("<H", data, pc + 2)
        return size * 2 + 4
    if kind == 2:
        (size,) = struct.unpack_from("<H", data, pc + 2)
        return size * 4 + 2
    element_width, size = struct.unpack_from("<HI", data, pc + 2)
    return (size * element_width + 1) // 2 + 4


def _read_uleb128(data: bytes, pos: int) -> tuple[int, int]:
    """Decode an unsigned LEB128 (at most 5 bytes, 32 bits, in dex) at `pos`; return (value, next pos)."""
    byte = data[pos]
    if byte < 0x80:
        return byte, pos + 1
    value = byte & 0x7F
    shift = 7
    for extra in range(1, 5):
        byte = data[pos + extra]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            if value > 0xFFFFFFFF:
                raise ValueError(f"ULEB128 over 32 bits at offset {pos:#x}")
            return value, pos + extra + 1
        shift += 7
    raise ValueError(f"ULEB128 longer than 5 bytes at offset {pos:#x}")


class _OverBudget(ValueError):
    """More decoding than the entry's budget allows: a bound that bit, not damage."""


class _Budget:
    """Characters one dex entry may decode: DEX_DECODED_PER_BYTE per byte of the entry plus a floor."""

    def __init__(self, entry_size: int) -> None:
        self.limit = limits.DEX_DECODED_PER_BYTE * entry_size + limits.DEX_DECODED_FLOOR
        self.left = self.limit

    def spend(self, chars: int, what: str) -> None:
        self.left -= chars
        if self.left < 0:
            raise _OverBudget(f"{what}: decoding them would pass the limit DEX_DECODED_PER_BYTE = "
                              f"{limits.DEX_DECODED_PER_BYTE} characters per dex byte (+ {limits.DEX_DECODED_FLOOR:,}): "
                              "ids that name the same long strings over and over; not read")


def _decode_mutf8(raw: bytes) -> str:
    """Modified UTF-8: NUL as C0 80 and supplementary characters as surrogate pairs."""
    try:
        text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")
    # Join surrogate pairs; a lone surrogate becomes U+FFFD so the text stays encodable.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _decode_strings(data: bytes, offsets: Sequence[int], base: int, budget: _Budget | None = None) -> tuple[str, ...]:
    """The strings at these offsets. Ids naming the same offset share one string; the bytes searched
    and decoded are charged to `budget`, so ids at successive bytes of one long string stay bounded."""
    budget = budget or _Budget(len(data))
    strings: list[str] = []
    append = strings.append
    find = data.find
    seen: dict[int, str] = {}
    for offset in offsets:
        known = seen.get(offset)
        if known is not None:
            append(known)
            continue
        pos = offset + base
        while data[pos] & 0x80:  # skip the ULEB128 UTF-16 length; IndexError bounds it
            pos += 1
        pos += 1
        end = find(b"\x00", pos, pos + max(budget.left, 0) + 1)
        if end < 0:
            if pos + budget.left + 1 < len(data):
                budget.spend(budget.left + 1, "string_ids")
            raise ValueError(f"unterminated string at offset {offset:#x}")
        budget.spend(end - pos + 1, "string_ids")
        raw = data[pos:end]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_mutf8(raw)
        seen[offset] = text
        append(text)
    return tuple(strings)


@dataclass(frozen=True)
class _Header:
    file_size: int
    string_ids: tuple[int, int]
    type_ids: tuple[int, int]
    proto_ids: tuple[int, int]
    field_ids: tuple[int, int]
    method_ids: tuple[int, int]
    class_defs: tuple[int, int]


def _read_header(data: bytes, at: int) -> _Header:
    if len(data) - at < HEADER_SIZE:
        raise ValueError(f"too short for a dex header ({len(data) - at} bytes)")
    fields = _HEADER.unpack_from(data, at)
    magic = fields[0]
    if magic[:4] != b"dex\n" or magic[7] != 0:
        raise ValueError("bad magic (not a dex file)")
    version = magic[4:7]
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"unsupported dex version {version.decode('ascii', 'replace')!r}")
    file_size, endian_tag = fields[3], fields[5]
    if endian_tag != ENDIAN_CONSTANT:
        raise ValueError(f"unsupported endian tag {endian_tag:#x}")
    sizes_offsets = fields[9:21]
    header = _Header(
        file_size=file_size,
        string_ids=(sizes_offsets[0], sizes_offsets[1]),
        type_ids=(sizes_offsets[2], sizes_offsets[3]),
        proto_ids=(sizes_offsets[4], sizes_offsets[5]),
        field_ids=(sizes_offsets[6], sizes_offsets[7]),
        method_ids=(sizes_offsets[8], sizes_offsets[9]),
        class_defs=(sizes_offsets[10], sizes_offsets[11]),
    )
    if at + file_size > len(data):
        raise ValueError(f"truncated: header says {file_size} bytes, entry has {len(data) - at}")
    for what, item in (("string_ids", 4), ("type_ids", 4), ("proto_ids", 12), ("field_ids", 8), ("method_ids", 8),
                       ("class_defs", 32)):
        count, offset = getattr(header, what)
        if count and (offset < HEADER_SIZE or at + offset + count * item > len(data)):
            raise ValueError(f"{what} table out of range (offset {offset:#x}, {count} items in a {len(data)}-byte entry)")
    return header


def _table(data: bytes, at: int, size_offset: tuple[int, int], item: int, what: str) -> bytes:
    """The raw bytes of one id table, checked against the data bounds."""
    size, offset = size_offset
    if size == 0:
        return b""
    start = at + offset
    end = start + size * item
    if offset == 0 or end > len(data):
        raise ValueError(f"{what} table out of range (offset {offset:#x}, {size} items)")
    return data[start:end]


def _container_parts(data: bytes) -> list[int]:
    """Start offsets of the dex headers in one entry (several only in a dex 041 container)."""
    if len(data) < CONTAINER_HEADER_SIZE or data[4:7] != b"041":
        return [0]
    (header_size,) = struct.unpack_from("<I", data, 0x24)
    if header_size < CONTAINER_HEADER_SIZE:
        return [0]
    (container_size,) = struct.unpack_from("<I", data, 0x70)
    limit = min(container_size, len(data))
    parts = []
    start = 0
    while start < limit:
        parts.append(start)
        (part_size,) = struct.unpack_from("<I", data, start + 0x20)
        if part_size < HEADER_SIZE:
            raise ValueError(f"container part at {start:#x} has size {part_size}")
        start += part_size
    return parts


def parse_dex(entry: str, data: bytes) -> list[DexFile]:
    """Parse one dex entry (a dex 041 container yields several parts). Raises DexFormatError."""
    try:
        parts = _container_parts(data)
    except (IndexError, struct.error, ValueError) as exc:
        raise DexFormatError(entry, f"corrupt container: {exc}") from None
    names = [entry] if len(parts) == 1 else [f"{entry}#{i}" for i in range(len(parts))]
    budget = _Budget(len(data))  # one for the entry: container parts may all point at the same data
    return [_parse_one(name, data, at, budget) for name, at in zip(names, parts)]


def _charge_refs(budget: _Budget, raw: bytes, lengths: tuple[Sequence[int], Sequence[int], Sequence[int]],
                 fmt: str, what: str) -> None:
    """Charge the characters spelling every ref of this table would take, before spelling them.
    Cheap when even the longest parts cannot reach the budget; summed exactly otherwise."""
    first, second, third = lengths
    count = len(raw) // 8
    longest = (max(first, default=0) + max(second, default=0) + max(third, default=0) + 3) * count
    if longest <= budget.left:
        budget.spend(longest, what)
        return
    total = 0
    for a, b, c in struct.iter_unpack(fmt, raw):
        total += first[a] + second[b] + third[c] + 3
    budget.spend(total, what)


def _parse_one(name: str, data: bytes, at: int, budget: _Budget) -> DexFile:
    stage = "header"
    try:
        header = _read_header(data, at)
        # Id tables are relative to this part's header; data items (string data, type lists,
        # class data, code) to the start of the entry, which is the whole container in dex 041.
        stage = "string_ids"
        raw = _table(data, at, header.string_ids, 4, "string_ids")
        strings = _decode_strings(data, struct.unpack(f"<{len(raw) // 4}I", raw), 0, budget)
        stage = "type_ids"
        raw = _table(data, at, header.type_ids, 4, "type_ids")
        types = tuple(strings[i] for i in struct.unpack(f"<{len(raw) // 4}I", raw))
        stage = "proto_ids"
        protos = _read_protos(data, at, header, types, budget)
        string_lengths = [len(t) for t in strings]
        type_lengths = [len(t) for t in types]
        stage = "method_ids"
        raw = _table(data, at, header.method_ids, 8, "method_ids")
        _charge_refs(budget, raw, (type_lengths, [len(p) for p in protos], string_lengths), "<HHI", "method_ids")
        method_refs = tuple(
            f"{types[c]}->{strings[n]}{protos[p]}" for c, p, n in struct.iter_unpack("<HHI", raw)
        )
        stage = "field_ids"
        raw = _table(data, at, header.field_ids, 8, "field_ids")
        _charge_refs(budget, raw, (type_lengths, type_lengths, string_lengths), "<HHI", "field_ids")
        field_refs = tuple(
            f"{types[c]}->{strings[n]}:{types[t]}" for c, t, n in struct.iter_unpack("<HHI", raw)
        )
        stage = "class_defs"
        raw = _table(data, at, header.class_defs, 32, "class_defs")
        class_defs = list(struct.iter_unpack("<8I", raw))
        class_descriptors = tuple(types[d[0]] for d in class_defs)
        stage = "class_data"
        code_map = _read_code_map(data, class_defs, len(method_refs))
    except _OverBudget as exc:
        raise DexFormatError(name, str(exc)) from None
    except (IndexError, struct.error, ValueError, OverflowError) as exc:
        detail = str(exc) if not isinstance(exc, IndexError) else "index or offset out of range"
        raise DexFormatError(name, f"corrupt {stage}: {detail}") from None
    return DexFile(
        name=name,
        data=data,
        strings=strings,
        types=types,
        method_refs=method_refs,
        field_refs=field_refs,
        class_descriptors=class_descriptors,
        code_map=code_map,
    )


def _read_protos(data: bytes, at: int, header: _Header, types: tuple[str, ...], budget: _Budget) -> list[str]:
    """Each proto as smali text "(ArgTypes)RetType"; parameter lists are shared, so cached."""
    raw = _table(data, at, header.proto_ids, 12, "proto_ids")
    parameter_lists: dict[int, str] = {0: ""}
    protos = []
    for _shorty, return_type, parameters_off in struct.iter_unpack("<III", raw):
        params = parameter_lists.get(parameters_off)
        if params is None:
            (count,) = struct.unpack_from("<I", data, parameters_off)
            if parameters_off + 4 + 2 * count > len(data):
                raise ValueError(f"type list at {parameters_off:#x} claims {count} types past the end")
            indices = struct.unpack_from(f"<{count}H", data, parameters_off + 4)
            budget.spend(sum(len(types[i]) for i in indices), "proto_ids")
            params = "".join(types[i] for i in indices)
            parameter_lists[parameters_off] = params
        budget.spend(len(params) + len(types[return_type]) + 2, "proto_ids")
        protos.append(f"({params}){types[return_type]}")
    return protos


def _read_code_map(data: bytes, class_defs: list[tuple[int, ...]], method_count: int) -> _CodeMap:
    """Where each method's instructions lie, from one walk over every class_data_item.

    The walk only collects (code offset, method index) pairs; the code items are then read in
    offset order. On damaged input the error raised is the one a single in-order walk meets
    first: a bad code item of an earlier method before a bad ULEB128 or index of a later one.
    """
    code_offsets: list[tuple[int, int]] = []
    try:
        _walk_class_data(data, class_defs, method_count, code_offsets.append)
    except (IndexError, struct.error, ValueError, OverflowError):
        _check_code_items(data, code_offsets)
        raise
    return _spans_of(data, code_offsets)


def _walk_class_data(
    data: bytes,
    class_defs: list[tuple[int, ...]],
    method_count: int,
    found: Callable[[tuple[int, int]], None],
) -> None:
    """Report (code_off, method index) of every method with code, in file order of the classes.

    Three ULEB128 values per method (two per field) make this walk the bulk of a dex parse:
    one-byte values are decoded inline, longer ones by _read_uleb128, which also bounds them.
    """
    uleb = _read_uleb128
    walked = 0  # class data bytes read in all: each item is read once, so never more than the file
    for class_def in class_defs:
        class_data_off = class_def[6]
        if class_data_off == 0:
            continue
        if walked > len(data):
            raise ValueError(f"class data read {walked} bytes of a {len(data)}-byte file: classes share or overlap "
                             "their class data (a cycle that would repeat the walk)")
        pos = class_data_off
        static_fields, pos = uleb(data, pos)
        instance_fields, pos = uleb(data, pos)
        direct_methods, pos = uleb(data, pos)
        virtual_methods, pos = uleb(data, pos)
        for _ in range(2 * (static_fields + instance_fields)):  # field_idx_diff, access_flags
            if data[pos] < 0x80:
                pos += 1
            else:
                pos = uleb(data, pos)[1]
        for count in (direct_methods, virtual_methods):
            method_idx = 0
            for _ in range(count):
                diff = data[pos]
                if diff < 0x80:
                    pos += 1
                else:
                    diff, pos = uleb(data, pos)
                if data[pos] < 0x80:  # access_flags, not needed
                    pos += 1
                else:
                    pos = uleb(data, pos)[1]
                code_off, pos = uleb(data, pos)
                method_idx += diff
                if method_idx >= method_count:
                    raise ValueError(f"method index {method_idx} out of range")
                if code_off:
                    found((code_off, method_idx))
        walked += pos - class_data_off


def _spans_of(data: bytes, code_offsets: list[tuple[int, int]]) -> _CodeMap:
    """The code map of these (code_off, method index) pairs, read in offset order."""
    size = len(data)
    insns_size_at = _INSNS_SIZE.unpack_from
    starts: list[int] = []
    ends: list[int] = []
    owners: list[tuple[int, ...]] = []
    previous = -1
    for code_off, method_idx in sorted(code_offsets, key=itemgetter(0)):  # stable: walk order kept
        if code_off == previous:
            owners[-1] += (method_idx,)  # code items may be shared by identical methods
            continue
        previous = code_off
        start = code_off + _CODE_ITEM_HEAD.size
        end = start + 2 * insns_size_at(data, start - _INSNS_SIZE.size)[0] if start <= size else -1
        if end < 0 or end > size:
            _check_code_items(data, code_offsets)  # names the first bad item in walk order
            raise ValueError(f"code item at {code_off:#x} runs past the end")
        if ends and code_off < ends[-1]:
            # distinct code items never share bytes; overlapping ones would each be decoded in full
            raise ValueError(f"code item at {code_off:#x} overlaps the one before it")
        starts.append(start)
        ends.append(end)
        owners.append((method_idx,))
    return _CodeMap(starts=tuple(starts), ends=tuple(ends), owners=tuple(owners))


def _check_code_items(data: bytes, code_offsets: list[tuple[int, int]]) -> None:
    """Raise the error of the first code item, in walk order, that lies outside the data."""
    size = len(data)
    seen: set[int] = set()
    for code_off, _method_idx in code_offsets:
        if code_off in seen:
            continue
        seen.add(code_off)
        insns_size = _CODE_ITEM_HEAD.unpack_from(data, code_off)[5]
        if code_off + _CODE_ITEM_HEAD.size + 2 * insns_size > size:
            raise ValueError(f"code item at {code_off:#x} runs past the end")


def _index_alternatives(indices: Iterable[int], fmt: str) -> bytes:
    """A regex matching exactly the packed `indices`, shaped as a byte trie.

    A flat alternation of thousands of literals is tried branch by branch at every candidate
    position (seconds per dex); a trie keyed on the leading byte keeps each attempt short.
    """
    return _byte_trie(sorted({struct.pack(fmt, i) for i in indices}))


def _byte_trie(keys: list[bytes]) -> bytes:
    if len(keys[0]) == 1:
        return b"[" + b"".join(re.escape(k) for k in keys) + b"]"
    groups: dict[int, list[bytes]] = {}
    for key in keys:
        groups.setdefault(key[0], []).append(key[1:])
    branches = [re.escape(bytes([lead])) + _byte_trie(rest) for lead, rest in groups.items()]
    return b"(?:" + b"|".join(branches) + b")"


def _find_sites(
    dex: DexFile, pattern: re.Pattern[bytes], index_of: Callable[[re.Match[bytes]], int]
) -> dict[int, set[int]]:
    """Verified sites of `pattern`: id index → method indices whose bytecode contains it."""
    found: dict[int, set[int]] = {}
    code_map = dex.code_map
    if not code_map.starts:
        return found
    data = dex.data
    pos, stop = code_map.starts[0], code_map.ends[-1]
    while True:
        match = pattern.search(data, pos, stop)
        if match is None:
            return found
        offset = match.start()
        # Resume one byte on: a false match must not hide an overlapping true one.
        pos = offset + 1
        if offset & 1:
            continue  # code units are 2-byte aligned, so this is the middle of a unit
        span = code_map.span_of(offset)
        if span is None or offset not in dex.instruction_starts(span):
            continue
        found.setdefault(index_of(match), set()).update(code_map.owners[span])


def _method_sites(dex: DexFile, wanted: frozenset[int]) -> dict[int, set[int]]:
    body = _index_alternatives(wanted, "<H")
    pattern = re.compile(_INVOKE_OPCODES + rb"[\x00-\xff](" + body + rb")")
    return _find_sites(dex, pattern, lambda m: struct.unpack("<H", m.group(1))[0])


def _field_sites(dex: DexFile, wanted: frozenset[int]) -> dict[int, set[int]]:
    body = _index_alternatives(wanted, "<H")
    pattern = re.compile(_FIELD_OPCODES + rb"[\x00-\xff](" + body + rb")")
    return _find_sites(dex, pattern, lambda m: struct.unpack("<H", m.group(1))[0])


def _string_sites(dex: DexFile, wanted: frozenset[int]) -> dict[int, set[int]]:
    alternatives = []
    short = [i for i in wanted if i <= 0xFFFF]
    if short:
        alternatives.append(rb"\x1a[\x00-\xff](?P<short>" + _index_alternatives(short, "<H") + rb")")
    alternatives.append(rb"\x1b[\x00-\xff](?P<jumbo>" + _index_alternatives(wanted, "<I") + rb")")
    pattern = re.compile(b"|".join(alternatives))

    def index_of(match: re.Match[bytes]) -> int:
        if match.lastgroup == "short":
            return struct.unpack("<H", match.group("short"))[0]
        return struct.unpack("<I", match.group("jumbo"))[0]

    return _find_sites(dex, pattern, index_of)


class DexIndex:
    """Everything the extractors ask of the app's bytecode, over all its dex files in order."""

    def __init__(self, files: Sequence[DexFile] = ()) -> None:
        self.files: tuple[DexFile, ...] = tuple(files)

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, bytes]]) -> DexIndex:
        """Parse (entry name, bytes) pairs; the first corrupt entry raises DexFormatError."""
        return cls([part for name, data in entries for part in parse_dex(name, data)])

    @cached_property
    def class_descriptors(self) -> frozenset[str]:
        return frozenset(d for f in self.files for d in f.class_descriptors)

    @cached_property
    def strings(self) -> tuple[str, ...]:
        return tuple(s for f in self.files for s in f.strings)

    @cached_property
    def method_refs(self) -> frozenset[str]:
        return frozenset(r for f in self.files for r in f.method_refs)

    @cached_property
    def field_refs(self) -> frozenset[str]:
        return frozenset(r for f in self.files for r in f.field_refs)

    def callers_of(self, wanted: Callable[[str], bool]) -> dict[str, tuple[str, ...]]:
        """For each referenced method or field whose full ref satisfies `wanted`, the methods
        whose bytecode invokes it (invoke-*) or accesses it (iget/iput/sget/sput), as full refs
        of the caller, sorted. A referenced API with no caller maps to ()."""
        wanted_methods = {r for r in self.method_refs if wanted(r)}
        wanted_fields = {r for r in self.field_refs if wanted(r)}
        callers: dict[str, set[str]] = {r: set() for r in wanted_methods | wanted_fields}
        for dex in self.files:
            for refs, wanted_refs, find in (
                (dex.method_refs, wanted_methods, _method_sites),
                (dex.field_refs, wanted_fields, _field_sites),
            ):
                indices = frozenset(i for i, r in enumerate(refs) if r in wanted_refs)
                if indices:
                    for index, owners in find(dex, indices).items():
                        callers[refs[index]].update(dex.method_refs[m] for m in owners)
        return {ref: tuple(sorted(found)) for ref, found in sorted(callers.items())}

    def users_of_strings(self, wanted: Callable[[str], bool]) -> dict[str, tuple[str, ...]]:
        """For each string satisfying `wanted`, the methods that load it with const-string(/jumbo),
        sorted; a matching string no method loads maps to ()."""
        wanted_strings = {s for s in set(self.strings) if wanted(s)}
        users: dict[str, set[str]] = {s: set() for s in wanted_strings}
        for dex in self.files:
            indices = frozenset(i for i, s in enumerate(dex.strings) if s in wanted_strings)
            if indices:
                for index, owners in _string_sites(dex, indices).items():
                    users[dex.strings[index]].update(dex.method_refs[m] for m in owners)
        return {s: tuple(sorted(found)) for s, found in sorted(users.items())}
