"""A seeded, structure-aware mutation fuzzer over the project's own fixtures.

`fuzz_inputs(rng, count)` yields (file name, bytes) pairs made from the fixture APKs, policies and
pages by one or more of: byte flips, truncation, inflating a chunk's size or a table's count (binary
XML and resource-table chunk headers, string-pool counts, DEX header counts), zip-structure edits
(central-directory sizes, offsets, flags, methods and name lengths; end-record counts) and, inside
an app, the same edits applied to one entry (manifest, resources.arsc, a dex, a layout) before it is
zipped again. Everything depends on `rng` alone, so a seed names a set of inputs.

The fast test (tests/robustness/test_fuzz.py) runs a few dozen; bench/fuzz.py runs thousands.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from support.pdf import one_page_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
APKS = sorted(FIXTURES.glob("*.apk"))
INNER = ("AndroidManifest.xml", "resources.arsc", "classes.dex", "classes2.dex")
BIG = (0x7FFFFFFF, 0xFFFFFFFF, 0x10000000, 0x00FFFFFF, 0xFFFF, 0x8000)

POLICY_ZH = ("一、我们如何收集和使用您的个人信息\n为实现刷脸开门功能，我们会收集您的人脸信息，并仅存储于设备本地。\n"
             "二、我们如何共享您的个人信息\n我们不会向第三方提供您的人脸信息。\n三、联系我们\n邮箱：privacy@example.com\n")
PAGE = ("<!doctype html><html><head><meta charset='utf-8'><title>隐私政策</title></head><body>"
        "<h2>一、我们如何收集信息</h2><p>售楼处设有人脸识别摄像头，用于客户识别。</p>"
        "<table><tr><td>SDK</td><td>人脸识别</td></tr></table><form action='/s'><input name='phone'></form>"
        "<div style='display:none'>隐藏</div><script>var x='人脸';</script></body></html>")


def documents() -> list[tuple[str, bytes]]:
    return [("policy.txt", POLICY_ZH.encode()), ("policy-gbk.txt", POLICY_ZH.encode("gb18030")),
            ("page.html", PAGE.encode()), ("policy.pdf", one_page_pdf("我们会收集您的人脸信息，用于门禁开门。"))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(rng.choice((1, 2, 4, 16, 64))):
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    return bytes(buf)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)] if data else data


def inflate_field(data: bytes, rng: random.Random) -> bytes:
    """Overwrite a size or count field with a large value: a chunk header's size, a string pool's
    counts, a DEX header's table size, or any aligned word."""
    if len(data) < 16:
        return data
    buf = bytearray(data)
    choices: list[int] = []
    if data[:4] == b"dex\n" and len(data) >= 0x70:
        choices = list(range(0x20, 0x70, 4))  # file size … every (size, offset) of the id tables
    elif data[:2] in (b"\x03\x00", b"\x02\x00"):  # binary XML / resource table: chunk headers
        pos, limit = 8 if data[:2] == b"\x03\x00" else 12, min(len(data), 1 << 16)
        while pos + 8 <= limit and len(choices) < 64:
            size = struct.unpack_from("<I", data, pos + 4)[0]
            choices += [pos + 4, pos + 8, pos + 12]  # size, then (for pools) string and style counts
            if size < 8:
                break
            pos += size if data[pos:pos + 2] != b"\x00\x02" else struct.unpack_from("<H", data, pos + 2)[0]
    if not choices:
        choices = list(range(0, len(data) - 4, 4))
    at = rng.choice(choices)
    if at + 4 <= len(buf):
        struct.pack_into("<I", buf, at, rng.choice(BIG))
    return bytes(buf)


def edit_zip_structure(data: bytes, rng: random.Random) -> bytes:
    """Change one field of one central-directory entry, or of the end record."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0:
        return flip_bytes(data, rng)
    buf = bytearray(data)
    if rng.random() < 0.2:
        struct.pack_into("<H", buf, end + rng.choice((8, 10)), rng.choice((0, 1, 0xFFFF)))
        return bytes(buf)
    entries = []
    pos = data.find(b"PK\x01\x02")
    while 0 <= pos < end and len(entries) < 4096:
        entries.append(pos)
        pos = data.find(b"PK\x01\x02", pos + 46)
    if not entries:
        return flip_bytes(data, rng)
    at = rng.choice(entries)
    field, width = rng.choice(((8, 2), (10, 2), (20, 4), (24, 4), (28, 2), (30, 2), (42, 4)))
    # flags, method, compressed size, uncompressed size, name length, extra length, local header offset
    value = rng.choice({2: (0, 1, 0x41, 99, 0xFFFF), 4: (0, 1, 0xFFFFFFFF, 0x7FFFFFFF, len(data))}[width])
    struct.pack_into("<H" if width == 2 else "<I", buf, at + field, value)
    return bytes(buf)


def edit_entry(data: bytes, rng: random.Random) -> bytes:
    """One inner entry (manifest, resources, a dex, a layout) mutated, the app zipped again."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            entries = [(i, z.read(i)) for i in z.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error):
        return flip_bytes(data, rng)  # an earlier edit already broke the zip
    names = [i.filename for i, _ in entries if i.filename in INNER or i.filename.startswith("res/layout")]
    victim = rng.choice(names)
    edit = rng.choice((flip_bytes, truncate, inflate_field, inflate_field))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, body in entries:
            zout.writestr(info.filename, edit(body, rng) if info.filename == victim else body)
    return out.getvalue()


def nest_markup(data: bytes, rng: random.Random) -> bytes:
    """A run of one tag, opened and never closed, put somewhere in the document."""
    tag = rng.choice((b"<div>", b"<td>", b"<font>", b"<b>", b"<li>", b"<div/>", b"<a", b"<!--", b"<table>"))
    at = rng.randrange(len(data) + 1)
    return data[:at] + tag * rng.choice((100, 1000, 20_000)) + data[at:]


APP_EDITS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    flip_bytes, truncate, edit_zip_structure, edit_zip_structure, edit_entry, edit_entry, edit_entry)
DOCUMENT_EDITS: tuple[Callable[[bytes, random.Random], bytes], ...] = (flip_bytes, truncate, nest_markup, inflate_field)


def fuzz_inputs(rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    """`count` mutated inputs, about two apps for each document."""
    docs = documents()
    for i in range(count):
        if i % 3 < 2:
            source = rng.choice(APKS)
            data, name, edits = source.read_bytes(), f"{i:05d}-{source.stem}.apk", APP_EDITS
        else:
            doc_name, data = rng.choice(docs)
            name, edits = f"{i:05d}-{doc_name}", DOCUMENT_EDITS
        for _ in range(rng.choice((1, 1, 2, 3))):
            data = rng.choice(edits)(data, rng)
        yield name, data
