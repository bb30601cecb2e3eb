"""The code map (bytecode span → owning methods) agrees with a plain in-order walk, errors included."""

from __future__ import annotations

import random
import re
import struct
import zipfile
from pathlib import Path

import pytest

from scanner.sources.dex import DexFormatError, _read_uleb128, parse_dex
from tests.sources.dexbuilder import build_dex, uleb128
from tests.sources.test_dex_reader import sample_spec


def plain_walk(data: bytes, class_defs: list[tuple[int, ...]], method_count: int) -> tuple:
    """(starts, ends, owners) by the straightforward walk: each code item read where it is met."""
    owners: dict[int, list[int]] = {}
    ends: dict[int, int] = {}

    def uleb(pos: int) -> tuple[int, int]:  # the decoder is not under test here, the walk order is
        return _read_uleb128(data, pos)

    for class_def in class_defs:
        if class_def[6] == 0:
            continue
        counts = []
        pos = class_def[6]
        for _ in range(4):
            value, pos = uleb(pos)
            counts.append(value)
        for _ in range(2 * (counts[0] + counts[1])):
            pos = uleb(pos)[1]
        for count in counts[2:]:
            method_idx = 0
            for _ in range(count):
                diff, pos = uleb(pos)
                pos = uleb(pos)[1]
                code_off, pos = uleb(pos)
                method_idx += diff
                if method_idx >= method_count:
                    raise ValueError(f"method index {method_idx} out of range")
                if code_off == 0:
                    continue
                if code_off + 16 in owners:
                    owners[code_off + 16].append(method_idx)
                    continue
                insns_size = struct.unpack_from("<HHHHII", data, code_off)[5]
                if code_off + 16 + 2 * insns_size > len(data):
                    raise ValueError(f"code item at {code_off:#x} runs past the end")
                owners[code_off + 16] = [method_idx]
                ends[code_off + 16] = code_off + 16 + 2 * insns_size
    starts = sorted(owners)
    return tuple(starts), tuple(ends[s] for s in starts), tuple(tuple(owners[s]) for s in starts)


def expected_parse(data: bytes) -> tuple | str:
    """The code map the plain walk gives for a whole dex, or its error text in the reader's words."""
    class_defs_size, class_defs_off = struct.unpack_from("<II", data, 0x60)
    method_count = struct.unpack_from("<I", data, 0x58)[0]
    class_defs = list(struct.iter_unpack("<8I", data[class_defs_off : class_defs_off + 32 * class_defs_size]))
    try:
        return plain_walk(data, class_defs, method_count)
    except (IndexError, struct.error, ValueError) as exc:
        detail = str(exc) if not isinstance(exc, IndexError) else "index or offset out of range"
        return f"classes.dex: corrupt class_data: {detail}"


def actual_parse(data: bytes) -> tuple | str:
    try:
        (dex,) = parse_dex("classes.dex", data)
    except DexFormatError as exc:
        return str(exc)
    return dex.code_map.starts, dex.code_map.ends, dex.code_map.owners


def fixture_dex(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("classes.dex")


def class_data_offset(data: bytes) -> int:
    class_defs_off = struct.unpack_from("<I", data, 0x64)[0]
    return struct.unpack_from("<I", data, class_defs_off + 24)[0]


@pytest.mark.parametrize("name", ["facedoor", "idcollect"])
def test_fixture_code_map_equals_the_plain_walk(fixture_apk, name):
    data = fixture_dex(fixture_apk(name))
    expected = expected_parse(data)
    assert isinstance(expected, tuple) and len(expected[0]) >= 3
    assert actual_parse(data) == expected


@pytest.mark.parametrize("apk", ["androguard/app-prod-debug.apk", "DroidBench/Button1.apk"])
def test_corpus_code_map_equals_the_plain_walk(corpus_apk, apk):
    data = fixture_dex(corpus_apk(apk))
    assert actual_parse(data) == expected_parse(data)


def test_damaged_class_data_gives_the_plain_walks_error(fixture_apk):
    original = fixture_dex(fixture_apk("idcollect"))
    start = class_data_offset(original)
    rng = random.Random(11)
    errors = 0
    for _ in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(start, len(data))] = rng.randrange(256)
        expected = expected_parse(bytes(data))
        actual = actual_parse(bytes(data))
        if isinstance(expected, str) and "class_data" in expected:
            errors += 1
            assert actual == expected
        elif isinstance(expected, tuple) and isinstance(actual, tuple):
            assert actual == expected
    assert errors > 10  # the damage did reach the class data


def sample_with_class_data(methods: bytes) -> bytes:
    """The sample dex with its one class's method list replaced by `methods` (two direct methods)."""
    data = bytearray(build_dex(sample_spec()))
    start = class_data_offset(data)
    data[start:] = uleb128(0) + uleb128(0) + uleb128(2) + uleb128(0) + methods
    struct.pack_into("<I", data, 0x20, len(data))  # file_size
    return bytes(data)


def test_a_bad_code_item_met_first_is_the_error_named():
    data = sample_with_class_data(
        uleb128(0) + uleb128(1) + uleb128(0x100000)  # method 0: code item past the end
        + b"\xff" * 6  # method 1: a ULEB128 longer than five bytes
    )
    assert re.fullmatch(r"classes\.dex: corrupt class_data: .*", actual_parse(data))
    assert "ULEB128" not in actual_parse(data)
    assert actual_parse(data) == expected_parse(data)


def test_a_bad_uleb_met_first_is_the_error_named():
    data = sample_with_class_data(b"\xff" * 6)
    assert actual_parse(data) == expected_parse(data)
    assert "ULEB128 longer than 5 bytes" in actual_parse(data)


def test_methods_sharing_a_code_item_are_all_its_owners():
    data = build_dex(sample_spec())
    (dex,) = parse_dex("classes.dex", data)
    run_code = dex.code_map.starts[0] - 16
    shared = sample_with_class_data(
        uleb128(2) + uleb128(1) + uleb128(run_code) + uleb128(1) + uleb128(1) + uleb128(run_code)
    )
    (dex,) = parse_dex("classes.dex", shared)
    assert dex.code_map.owners == ((2, 3),)
    assert actual_parse(shared) == expected_parse(shared)
