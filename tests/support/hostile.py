"""Hostile inputs, generated: zip, DEX, binary XML, resource-table and PDF bombs, deep HTML, odd names and
file types. Every file is made here from the project's own fixture APK and code, so nothing binary is
committed and the set is the same on every machine.

    write_hostile(folder)             the full set, at the sizes an attacker would use (GiB bombs)
    write_hostile(folder, small=True)  the same kinds at sizes that still trip the default limits but
                                       are quick to make (tests)

Each `Hostile` names the file (relative to the folder) and what it attacks. The bench
(bench/hostile_inputs.py) and the tests (tests/robustness/test_hostile_inputs.py) read this list.
"""

from __future__ import annotations

import io
import os
import socket
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
BASE_APK = FIXTURES / "facedoor.apk"
MiB = 2**20


@dataclass(frozen=True)
class Hostile:
    name: str  # path relative to the folder (may hold bytes that are not UTF-8, as surrogate escapes)
    attack: str
    kind: str  # zip, axml, arsc, dex, pdf, html, text, file


# ———————————————————————————— zip writing ————————————————————————————


@dataclass
class RawEntry:
    """One zip entry as stored: its name, method, flags and the bytes after its local header."""

    name: bytes
    payload: bytes
    crc: int
    size: int  # uncompressed, as declared
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def deflated(data: bytes, name: str) -> RawEntry:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return RawEntry(name.encode(), c.compress(data) + c.flush(), zlib.crc32(data), len(data))


def stored(data: bytes, name: str) -> RawEntry:
    """An entry kept uncompressed: what a DEX attack looks like when the zip is not the attack."""
    return RawEntry(name.encode(), data, zlib.crc32(data), len(data), method=zipfile.ZIP_STORED)


def zero_bomb(name: str, size: int) -> RawEntry:
    """An entry that inflates to `size` zero bytes from about size/1000 compressed bytes, made without
    compressing `size` bytes: a fully flushed deflate block of 16 MiB of zeros repeated."""
    unit = 16 * MiB
    assert size % unit == 0
    block = bytes(unit)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)  # ends byte-aligned, history reset
    crc = 0
    for _ in range(size // unit):
        crc = zlib.crc32(block, crc)
    return RawEntry(name.encode(), repeated * (size // unit) + b"\x03\x00", crc, size)


def local_header(entry: RawEntry) -> bytes:
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, entry.flags, entry.method, 0, 0x21, entry.crc,
                       len(entry.payload), entry.size, len(entry.name), 0) + entry.name


def central_header(entry: RawEntry, offset: int, compressed: int | None = None) -> bytes:
    size = len(entry.payload) if compressed is None else compressed
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, entry.flags, entry.method, 0, 0x21, entry.crc,
                       size, entry.size, len(entry.name), 0, 0, 0, 0, 0, offset) + entry.name


def end_record(count: int, cd_size: int, cd_offset: int) -> bytes:
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_offset, 0)


def raw_zip(entries: Iterable[RawEntry]) -> bytes:
    """A plain zip of these entries, in order, each with its own local header."""
    body = bytearray()
    central = bytearray()
    count = 0
    for entry in entries:
        central += central_header(entry, len(body))
        body += local_header(entry) + entry.payload
        count += 1
    return bytes(body + central + end_record(count, len(central), len(body)))


def base_entries(drop: Iterable[str] = ()) -> list[RawEntry]:
    """The fixture app's entries, recompressed (its signature no longer matters)."""
    dropped = set(drop)
    with zipfile.ZipFile(BASE_APK) as z:
        return [deflated(z.read(i), i.filename) for i in z.infolist() if i.filename not in dropped]


def apk_with(replace: dict[str, RawEntry | bytes]) -> bytes:
    entries = base_entries(drop=replace)
    for name, value in replace.items():
        entries.append(value if isinstance(value, RawEntry) else deflated(value, name))
    return raw_zip(entries)


def overlapping_zip(names: list[str], kernel: bytes) -> bytes:
    """Fifield's non-recursive zip bomb: entry i's deflate stream quotes, as stored blocks, the local
    headers of entries i+1… and ends in one shared compressed kernel; every entry inflates to all
    the headers after it plus the kernel, from bytes the others reuse."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel_z = c.compress(kernel) + c.flush()
    kernel_crc = zlib.crc32(kernel)
    headers: list[bytes] = [b""] * len(names)
    compressed = [0] * len(names)
    crcs = [0] * len(names)
    sizes = [0] * len(names)
    tail_plain: list[bytes] = []  # local headers after entry i, in file order
    tail_z = len(kernel_z)
    for i in range(len(names) - 1, -1, -1):
        following = b"".join(tail_plain)
        crcs[i] = zlib.crc32(kernel, zlib.crc32(following)) if following else kernel_crc
        sizes[i] = len(following) + len(kernel)
        compressed[i] = tail_z
        entry = RawEntry(names[i].encode(), b"", crcs[i], sizes[i])
        head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crcs[i], compressed[i], sizes[i],
                           len(entry.name), 0) + entry.name
        headers[i] = head
        if i:  # the previous entry quotes this header in a stored block of its own
            quote = b"\x00" + struct.pack("<HH", len(head), len(head) ^ 0xFFFF)
            tail_z += len(quote) + len(head)
            tail_plain.insert(0, head)
            headers[i] = quote + head
    body = bytearray()
    offsets = []
    for head in headers:
        offsets.append(len(body) + (5 if body else 0))  # past the quote's block header
        body += head
    body += kernel_z
    central = b"".join(
        central_header(RawEntry(n.encode(), b"", crcs[i], sizes[i]), offsets[i], compressed[i])
        for i, n in enumerate(names))
    return bytes(body) + central + end_record(len(names), len(central), len(body))


def duplicate_names_zip(name: str, data: bytes, copies: int) -> bytes:
    """One local entry and `copies` central-directory entries naming it: the same bytes read many times."""
    base = base_entries()
    entry = deflated(data, name)
    body = bytearray()
    central = bytearray()
    for e in base:
        central += central_header(e, len(body))
        body += local_header(e) + e.payload
    offset = len(body)
    body += local_header(entry) + entry.payload
    for _ in range(copies):
        central += central_header(entry, offset)
    count = len(base) + copies
    return bytes(body + central + end_record(count & 0xFFFF, len(central), len(body)))


def many_entries_zip(count: int) -> bytes:
    entries = base_entries()
    empty = RawEntry(b"", b"", 0, 0, method=zipfile.ZIP_STORED)
    entries += [RawEntry(f"assets/e{i}".encode(), b"", 0, 0, method=empty.method) for i in range(count)]
    body = bytearray()
    central = bytearray()
    for e in entries:
        central += central_header(e, len(body))
        body += local_header(e) + e.payload
    # zip64 would be needed past 65535; the end record's count is only a hint that zipfile ignores
    return bytes(body + central + end_record(min(len(entries), 0xFFFF), len(central), len(body)))


def flagged_encrypted(data: bytes) -> bytes:
    """Every entry flagged as encrypted (bit 0) but stored in the clear: Android ignores the flag."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        cd_start = z.start_dir
    for info in infos:
        out[info.header_offset + 6] |= 1
    pos = cd_start
    for _ in infos:
        out[pos + 8] |= 1
        pos += 46 + struct.unpack_from("<HHH", out, pos + 28)[0] + sum(struct.unpack_from("<HH", out, pos + 30))
    return bytes(out)


def understated(name: str, declared: int, real_size: int) -> RawEntry:
    """An entry whose headers declare `declared` bytes (with their CRC) while its deflate stream goes on
    to `real_size` bytes: a reader that inflates the whole stream gets the bomb."""
    bomb = zero_bomb(name, real_size)
    return RawEntry(bomb.name, bomb.payload, zlib.crc32(bytes(declared)), declared)


# ———————————————————————————— binary XML and resource tables ————————————————————————————


def string_pool(strings: list[str], *, count: int | None = None) -> bytes:
    data = bytearray()
    offsets = []
    for text in strings:
        offsets.append(len(data))
        data += struct.pack("<H", len(text)) + text.encode("utf-16-le") + b"\x00\x00"
    while len(data) % 4:
        data.append(0)
    start = 0x1C + 4 * len(strings)
    head = struct.pack("<HHIIIIII", 0x0001, 0x1C, start + len(data), len(strings) if count is None else count, 0, 0,
                       start, 0)
    return head + struct.pack(f"<{len(strings)}I", *offsets) + bytes(data)


def deep_manifest(depth: int, *, package: str = "com.fangcun.hostile") -> bytes:
    """A binary manifest whose <manifest> holds `depth` nested <x> elements."""
    strings = ["package", "manifest", "x", package]
    pool = string_pool(strings)
    none = 0xFFFFFFFF
    attr = struct.pack("<III", none, 0, 3) + struct.pack("<HBBI", 8, 0, 0x03, 3)
    chunks = bytearray(pool)
    chunks += struct.pack("<HHIIIIIHHHHHH", 0x0102, 0x10, 0x24 + 20, 1, none, none, 1, 0x14, 0x14, 1, 0, 0, 0) + attr
    start = struct.pack("<HHIIIIIHHHHHH", 0x0102, 0x10, 0x24, 1, none, none, 2, 0x14, 0x14, 0, 0, 0, 0)
    end = struct.pack("<HHIIIII", 0x0103, 0x10, 0x18, 1, none, none, 2)
    chunks += start * depth + end * depth
    chunks += struct.pack("<HHIIIII", 0x0103, 0x10, 0x18, 1, none, none, 1)
    return struct.pack("<HHI", 0x0003, 8, 8 + len(chunks)) + bytes(chunks)


def inflated_pool_xml() -> bytes:
    """A binary XML whose string pool claims 2^30 strings and a chunk far larger than the file."""
    pool = bytearray(string_pool(["manifest", "package"]))
    struct.pack_into("<I", pool, 4, 0x7FFFFFF0)  # chunk size
    struct.pack_into("<I", pool, 8, 1 << 30)  # string count
    struct.pack_into("<I", pool, 20, 0x1C + 4 * (1 << 28))  # strings start: 2^28 offsets in
    return struct.pack("<HHI", 0x0003, 8, 8 + len(pool)) + bytes(pool)


def resource_table(entries: int, value_string: str, *, package_id: int = 0x7F) -> bytes:
    """resources.arsc with one string type of `entries` entries, every one naming the same value string:
    a few bytes per entry, and a reader that renders each entry repeats the whole string."""
    values = string_pool([value_string])
    type_strings = string_pool(["string"])
    key_strings = string_pool(["k"])
    spec = struct.pack("<HHIBBHI", 0x0202, 0x10, 0x10 + 4 * entries, 1, 0, 0, entries) + bytes(4 * entries)
    config = struct.pack("<I", 64) + bytes(60)
    entries_start = 0x14 + len(config) + 4 * entries
    entry = struct.pack("<HHI", 8, 0, 0) + struct.pack("<HBBI", 8, 0, 0x03, 0)
    type_chunk = (struct.pack("<HHIBBHII", 0x0201, 0x14 + len(config), entries_start + 16 * entries, 1, 0, 0, entries,
                              entries_start) + config
                  + b"".join(struct.pack("<I", 16 * i) for i in range(entries)) + entry * entries)
    name = "com.fangcun.hostile".encode("utf-16-le").ljust(256, b"\x00")
    header_size = 0x120
    body = type_strings + key_strings + spec + type_chunk
    package = struct.pack("<HHII", 0x0200, header_size, header_size + len(body), package_id) + name + struct.pack(
        "<IIIII", header_size, 1, header_size + len(type_strings), 1, 0) + body
    table = values + package
    return struct.pack("<HHII", 0x0002, 0x0C, 0x0C + len(table), 1) + table


def inflated_arsc() -> bytes:
    """A resource table whose package chunk claims 2 GiB and whose pool claims 2^30 strings."""
    table = bytearray(resource_table(4, "x"))
    struct.pack_into("<I", table, 4, 0x7FFFFFF0)
    struct.pack_into("<I", table, 0x0C + 8, 1 << 30)
    return bytes(table)


# ———————————————————————————— DEX ————————————————————————————


def uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def dex_file(*, strings: list[bytes], string_offsets: list[int] | None = None, types: list[int] = (),
             protos: list[tuple[int, int, int]] = (), methods: list[tuple[int, int, int]] = (),
             class_defs: list[int] = (), data: bytes = b"", data_items: Callable[[int], bytes] | None = None) -> bytes:
    """A dex laid out header, id tables, data. `strings` are placed as string_data items (ULEB length
    then MUTF-8 and NUL) unless `string_offsets` (relative to the data start) are given; class_defs are
    class_data offsets relative to the data start; `data` is appended to the data section first."""
    counts = [len(string_offsets if string_offsets is not None else strings), len(types), len(protos), 0,
              len(methods), len(class_defs)]
    sizes = [4, 4, 12, 8, 8, 32]
    offset = 0x70
    offs = []
    for count, size in zip(counts, sizes):
        offs.append(offset if count else 0)
        offset += count * size
    data_start = offset
    blob = bytearray(data)
    own = []
    for s in strings:
        own.append(len(blob))
        blob += uleb(len(s)) + s + b"\x00"
    rel = string_offsets if string_offsets is not None else own
    tables = b"".join(struct.pack("<I", data_start + r) for r in rel)
    tables += b"".join(struct.pack("<I", t) for t in types)
    tables += b"".join(struct.pack("<III", *p) for p in protos)
    tables += b"".join(struct.pack("<HHI", *m) for m in methods)
    tables += b"".join(struct.pack("<8I", 0, 1, 0xFFFFFFFF, 0, 0xFFFFFFFF, 0, data_start + c, 0) for c in class_defs)
    assert len(tables) == data_start - 0x70
    file_size = data_start + len(blob)
    header = struct.pack("<8sI20sIIIIII", b"dex\n035\x00", 0, bytes(20), file_size, 0x70, 0x12345678, 0, 0, 0)
    for count, off in zip(counts, offs):
        header += struct.pack("<II", count, off)
    header += struct.pack("<II", len(blob), data_start)
    return header + tables + bytes(blob)


def dex_method_amplifier(methods: int, type_length: int) -> bytes:
    """One class type of `type_length` characters named by `methods` method ids: a reader that spells
    every method reference in full writes methods × type_length characters."""
    long_type = b"L" + b"a" * (type_length - 2) + b";"
    return dex_file(strings=[long_type, b"m", b"V"], types=[0, 2], protos=[(2, 1, 0)],
                    methods=[(0, 0, 1)] * methods)


def dex_string_suffixes(ids: int, length: int) -> bytes:
    """`ids` string ids pointing at successive bytes of one long string: each id is another long suffix."""
    long = b"a" * length
    return dex_file(strings=[], string_offsets=[1 + i for i in range(ids)], data=uleb(length) + long + b"\x00")


def dex_class_data_cycle(classes: int, methods: int) -> bytes:
    """`classes` class definitions sharing one class_data item of `methods` methods: the walk multiplies."""
    class_data = uleb(0) + uleb(0) + uleb(methods) + uleb(0) + (uleb(0) + uleb(1) + uleb(0)) * methods
    return dex_file(strings=[b"LA;", b"m", b"V"], types=[0, 2], protos=[(2, 1, 0)], methods=[(0, 0, 1)],
                    class_defs=[0] * classes, data=class_data)


def dex_huge_counts() -> bytes:
    dex = bytearray(dex_file(strings=[b"LA;"]))
    struct.pack_into("<II", dex, 0x38, 0xFFFFFFFF, 0x70)
    return bytes(dex)


def dex_long_uleb() -> bytes:
    class_data = b"\xff" * 64
    return dex_file(strings=[b"LA;"], types=[0], class_defs=[0], data=class_data)


# ———————————————————————————— PDF ————————————————————————————


def pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_flate_bomb(size: int) -> bytes:
    """One page whose content stream (zlib, as /FlateDecode reads it) inflates to `size` zero bytes."""
    bomb = zero_bomb("content", size)
    adler = 1
    block = bytes(16 * MiB)
    for _ in range(size // len(block)):
        adler = zlib.adler32(block, adler)
    stream = b"\x78\xda" + bomb.payload + struct.pack(">I", adler)
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        FONT,
    ])


def pdf_many_pages(pages: int) -> bytes:
    content = b"BT /F1 12 Tf 50 750 Td (We collect face data.) Tj ET"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        FONT,
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"
    return pdf(objects + [page] * pages)


def pdf_page_tree_cycle() -> bytes:
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
    ])


def pdf_deep_arrays(depth: int) -> bytes:
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R /X " + b"[" * depth + b"]" * depth + b" >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ])


# ———————————————————————————— the set ————————————————————————————

POLICY_TEXT = "隐私政策\n我们会收集您的人脸信息，用于门禁开门。Privacy policy: we collect face data.\n"


def _write(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_hostile(folder: Path, *, small: bool = False) -> list[Hostile]:
    """Write the hostile set into `folder` (created); the list of what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    bomb = 256 * MiB if small else 2048 * MiB
    made: list[Hostile] = []

    def add(name: str, kind: str, attack: str, data: bytes | None = None) -> None:
        if data is not None:
            _write(folder, name, data)
        made.append(Hostile(name, attack, kind))

    add("zip-bomb-dex.apk", "zip", f"classes.dex inflates to {bomb // MiB} MiB", apk_with({"classes.dex": zero_bomb("classes.dex", bomb)}))
    add("zip-bomb-arsc.apk", "zip", f"resources.arsc inflates to {bomb // MiB} MiB",
        apk_with({"resources.arsc": zero_bomb("resources.arsc", bomb)}))
    add("zip-bomb-layout.apk", "zip", f"a layout inflates to {bomb // MiB} MiB",
        apk_with({"res/layout/bomb.xml": zero_bomb("res/layout/bomb.xml", bomb)}))
    add("zip-bomb-manifest.apk", "zip", f"AndroidManifest.xml inflates to {bomb // MiB} MiB",
        apk_with({"AndroidManifest.xml": zero_bomb("AndroidManifest.xml", bomb)}))
    add("zip-bomb-policy-asset.apk", "zip", f"assets/privacy_policy.html inflates to {bomb // MiB} MiB",
        apk_with({"assets/privacy_policy.html": zero_bomb("assets/privacy_policy.html", bomb)}))
    add("zip-understated-arsc.apk", "zip", "resources.arsc declares 64 KiB, its stream inflates to "
        f"{bomb // MiB} MiB", apk_with({"resources.arsc": understated("resources.arsc", 65536, bomb)}))
    kernel = bytes(MiB) if small else bytes(4 * MiB)
    add("zip-overlap.apk", "zip", "2,000 layout entries overlapping one kernel (Fifield)", overlapping_zip(
        ["AndroidManifest.xml"] + [f"res/layout/l{i:04d}.xml" for i in range(2000)], kernel))
    with zipfile.ZipFile(BASE_APK) as z:
        layout = next(z.read(n) for n in z.namelist() if n.startswith("res/layout/"))
    add("zip-duplicate-names.apk", "zip", "one layout named by 2,000 central-directory entries",
        duplicate_names_zip("res/layout/dup.xml", layout * 64, 2000))
    add("zip-many-entries.apk", "zip", "300,000 entries", many_entries_zip(60_000 if small else 300_000))
    add("zip-encrypted-flag.apk", "zip", "every entry flagged as encrypted (stored in the clear)",
        flagged_encrypted(BASE_APK.read_bytes()))
    add("zip-truncated.apk", "zip", "cut in the middle", BASE_APK.read_bytes()[: BASE_APK.stat().st_size // 2])

    add("axml-deep-manifest.apk", "axml", "a manifest nesting 100,000 elements",
        apk_with({"AndroidManifest.xml": stored(deep_manifest(100_000), "AndroidManifest.xml")}))
    add("axml-inflated-pool.apk", "axml", "a manifest whose string pool claims 2^30 strings",
        apk_with({"AndroidManifest.xml": inflated_pool_xml()}))
    add("axml-inflated-layout.apk", "axml", "a layout whose string pool claims 2^30 strings",
        apk_with({"res/layout/inflated.xml": inflated_pool_xml()}))
    add("arsc-amplified.apk", "arsc", "200,000 string entries all naming one 64 KiB string",
        apk_with({"resources.arsc": resource_table(20_000 if small else 200_000, "人" * 32768)}))
    add("arsc-inflated.apk", "arsc", "a resource table whose chunks and pool claim 2 GiB / 2^30 strings",
        apk_with({"resources.arsc": inflated_arsc()}))

    add("dex-method-amplified.apk", "dex", "1,000,000 method ids naming one 1 MiB type",
        apk_with({"classes.dex": stored(dex_method_amplifier(200_000 if small else 1_000_000, MiB), "classes.dex")}))
    add("dex-string-suffixes.apk", "dex", "1,000,000 string ids at successive bytes of a 4 MiB string",
        apk_with({"classes.dex": stored(dex_string_suffixes(200_000 if small else 1_000_000, 4 * MiB), "classes.dex")}))
    add("dex-class-data-cycle.apk", "dex", "100,000 classes sharing one class_data of 100,000 methods",
        apk_with({"classes.dex": stored(dex_class_data_cycle(100_000, 100_000), "classes.dex")}))
    add("dex-huge-counts.apk", "dex", "a header claiming 2^32 method ids", apk_with({"classes.dex": dex_huge_counts()}))
    add("dex-long-uleb.apk", "dex", "class data of an endless ULEB128", apk_with({"classes.dex": dex_long_uleb()}))

    pdf_bomb = 128 * MiB if small else bomb // 8
    add("pdf-flate-bomb.pdf", "pdf", f"a content stream inflating to {pdf_bomb // MiB} MiB", pdf_flate_bomb(pdf_bomb))
    add("pdf-many-pages.pdf", "pdf", "100,000 pages", pdf_many_pages(2_500 if small else 100_000))
    add("pdf-page-tree-cycle.pdf", "pdf", "a page tree that contains itself", pdf_page_tree_cycle())
    add("pdf-deep-arrays.pdf", "pdf", "arrays nested 100,000 deep", pdf_deep_arrays(100_000))

    policy = POLICY_TEXT.encode()
    page_bytes, text_bytes, tags = (6 * MiB, 6 * MiB, 20_000) if small else (50 * MiB, 100 * MiB, 100_000)
    add("html-50mb.html", "html", f"a {page_bytes // MiB} MiB policy page",
        b"<html><body>" + (b"<p>" + policy + b"</p>") * (page_bytes // (len(policy) + 7)) + b"</body></html>")
    for tag in ("font", "td", "b", "a", "table", "li"):
        add(f"html-nested-{tag}.html", "html", f"{tags:,} nested <{tag}>",
            b"<html><body>" + f"<{tag}>".encode() * tags + policy + b"</body></html>")
    add("html-self-closing-div.html", "html", f"{tags:,} <div/> (which HTML opens, never closes)",
        b"<html><body>" + b"<div/>" * tags + policy + b"</body></html>")
    add("html-nested-mixed.html", "html", f"{tags:,} nested <div><span><font><td>",
        b"<html><body>" + b"<div><span><font><td>" * (tags // 4) + policy + b"</body></html>")
    add("text-100mb.txt", "text", f"a {text_bytes // MiB} MiB text policy", policy * (text_bytes // len(policy)))
    add("text-one-line.txt", "text", "a 20 MB line without a space or stop", b"a" * (20 * MiB))

    add("file-empty.apk", "file", "an empty file", b"")
    add("file-not-a-zip.apk", "file", "text named .apk", policy)
    made += _special_files(folder)
    return made


def _special_files(folder: Path) -> list[Hostile]:
    """FIFOs, a device, a socket, symlink loops, a dangling link and names that are not UTF-8."""
    made = []
    for name in ("fifo.apk", "fifo.html"):
        os.mkfifo(folder / name)
        made.append(Hostile(name, "a FIFO (reading it blocks forever)", "file"))
    os.symlink("/dev/zero", folder / "dev-zero.apk")
    made.append(Hostile("dev-zero.apk", "a link to /dev/zero (endless bytes)", "file"))
    os.symlink("/dev/null", folder / "dev-null.txt")
    made.append(Hostile("dev-null.txt", "a link to /dev/null (a device)", "file"))
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "socket.txt"))
        made.append(Hostile("socket.txt", "a unix socket", "file"))
    except OSError:  # a path too long for a socket address: leave the kind out
        pass
    finally:
        sock.close()
    os.symlink("loop-b.apk", folder / "loop-a.apk")
    os.symlink("loop-a.apk", folder / "loop-b.apk")
    made += [Hostile("loop-a.apk", "a symlink loop", "file"), Hostile("loop-b.apk", "a symlink loop", "file")]
    (folder / "loopdir").mkdir()
    os.symlink("..", folder / "loopdir" / "up")
    made.append(Hostile("loopdir/up", "a directory link back up the tree (not followed)", "file"))
    os.symlink("missing.apk", folder / "dangling.apk")
    made.append(Hostile("dangling.apk", "a dangling link", "file"))
    bad_policy = os.fsdecode(b"policy-\xff\xfe.txt")
    (folder / bad_policy).write_bytes(POLICY_TEXT.encode())
    made.append(Hostile(bad_policy, "a policy whose name is not UTF-8", "file"))
    bad_apk = os.fsdecode(b"app-\xe9\xe9.apk")
    (folder / bad_apk).write_bytes(apk_with({"assets/odd-name.txt": b"other bytes than the fixture"}))
    made.append(Hostile(bad_apk, "an app whose name is not UTF-8", "file"))
    odd = 'x"><img src=x onerror=alert(1)>\n\x1b[31mred.txt'
    (folder / odd).write_bytes(POLICY_TEXT.encode() + b"odd")
    made.append(Hostile(odd, "a name holding markup, a newline and a terminal escape", "file"))
    return made
