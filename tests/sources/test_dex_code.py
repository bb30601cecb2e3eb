"""Method bodies decoded on demand (scanner.sources.dex_code): exact layouts, fixtures, damage."""

from __future__ import annotations

import random
import struct
import zipfile
from pathlib import Path

import pytest

from scanner.sources.dex import _WIDTHS, DexFile, DexFormatError, DexIndex, parse_dex
from scanner.sources.dex_code import OUTLINE_OPS, CodeReader, MethodDef, Op, decode_method, outline_method
from tests.sources.dexbuilder import DexSpec, build_dex

STRINGS = ["LCaller;", "LApi;", "V", "Z", "run", "flag", "agreed", "Ljava/lang/String;", "ZL"]
# types: 0 LCaller; 1 LApi; 2 V 3 Z 4 Ljava/lang/String;
TYPES = [0, 1, 2, 3, 7]
PROTOS = [(2, 2, ()), (8, 3, (4,))]  # ()V, (Ljava/lang/String;)Z
METHODS = [(0, 0, 4), (1, 1, 5)]  # LCaller;->run()V, LApi;->flag(Ljava/lang/String;)Z


def units(hex_text: str) -> bytes:
    return bytes.fromhex(hex_text.replace(" ", ""))


# run():
#  u0  const-string v0, "agreed"              1a00 0600
#  u2  invoke-static {v0}, LApi;->flag        7110 0100 0000
#  u5  move-result v1                         0a01
#  u6  if-eqz v1, +5 (→ u11)                  3801 0500
#  u8  const/4 v2, #1                         1212
#  u9  goto +2 (→ u11)                        2802
#  u10 nop                                    0000
#  u11 packed-switch v2, +5 (→ payload u16)   2b02 0500 0000
#  u14 return-void                            0e00
#  u15 nop (payload alignment)                0000
#  u16 packed-switch payload: 1 target +3 (→ u14)
RUN = units("1a00 0600" "7110 0100 0000" "0a01" "3801 0500" "1212" "2802" "0000" "2b02 0500 0000" "0e00" "0000"
            "0001 0100 0000 0000 0300 0000")


def index_of(*insns: bytes) -> DexIndex:
    spec = DexSpec(strings=STRINGS, types=TYPES, protos=PROTOS, fields=[], methods=METHODS,
                   classes=[(0, [(0, insns[0])])])
    return DexIndex.from_entries([("classes.dex", build_dex(spec))])


def body_of(index: DexIndex):
    reader = CodeReader(index)
    cls = reader.class_def("LCaller;")
    assert cls is not None
    return reader.body(cls.method("run()V"), cls.dex)


def test_a_method_decodes_into_the_instructions_the_walk_reads() -> None:
    body = body_of(index_of(RUN))
    decoded = [(i.pc, i.op, i.a, i.b, i.c, i.falls) for i in body.insns]
    assert decoded == [
        (0, Op.STRING, 0, "agreed", None, True),
        (2, Op.INVOKE, 0x71, "LApi;->flag(Ljava/lang/String;)Z", (0,), True),
        (5, Op.RESULT, 1, None, None, True),
        (6, Op.IF_ZERO, 0x38, 1, 11, True),
        (8, Op.LITERAL, 2, 1, None, True),
        (9, Op.BRANCH, 0x28, None, (11,), False),
        (11, Op.BRANCH, 0x2B, None, (14,), True),
        (14, Op.RETURN, -1, None, None, False),
    ]
    assert body.size == len(RUN) // 2 and body.registers == 4 and body.tries == ()


def test_an_outline_keeps_the_calls_strings_and_classes_in_order_without_registers() -> None:
    index = index_of(RUN)
    reader = CodeReader(index)
    cls = reader.class_def("LCaller;")
    assert cls is not None
    outline = reader.outline(cls.method("run()V"), cls.dex)
    assert outline.steps == ((0, Op.STRING, 0, "agreed"), (2, Op.INVOKE, 0x71, "LApi;->flag(Ljava/lang/String;)Z"))
    assert outline.strings == ("agreed",) and outline.boolean_calls == ("LApi;->flag(Ljava/lang/String;)Z",)
    empty = outline_method(*_method_of(index_of(units("1200" "0e00"))))  # const/4 v0, #0 ; return-void
    assert empty.steps == () and empty.strings == () and empty.boolean_calls == ()


def _method_of(index: DexIndex) -> tuple[DexFile, MethodDef]:
    cls = CodeReader(index).class_def("LCaller;")
    assert cls is not None
    return cls.dex, cls.method("run()V")


def outline_of_body(dex: DexFile, method: MethodDef) -> tuple:
    body = decode_method(dex, method)
    return tuple((i.pc, i.op, i.a, i.b) for i in body.insns if i.op in OUTLINE_OPS)


def test_classes_are_looked_up_by_descriptor_first_definition_winning() -> None:
    first = build_dex(DexSpec(strings=STRINGS, types=TYPES, protos=PROTOS, fields=[], methods=METHODS,
                              classes=[(0, [(0, RUN)])]))
    second = build_dex(DexSpec(strings=STRINGS, types=TYPES, protos=PROTOS, fields=[], methods=METHODS,
                               classes=[(0, [(0, units("0e00"))])]))
    reader = CodeReader(DexIndex([*parse_dex("classes.dex", first), *parse_dex("classes2.dex", second)]))
    cls = reader.class_def("LCaller;")
    assert cls is not None and cls.dex.name == "classes.dex"
    assert [m.ref for m in cls.methods] == ["LCaller;->run()V"] and cls.by_name["run"][0].signature == "run()V"
    assert reader.class_def("Landroid/app/Activity;") is None  # the platform's class: not in the app
    assert reader.defines("LCaller;") and not reader.defines("LApi;")


def _with_tries(insns: bytes, tries: bytes, handlers: bytes, count: int) -> tuple[DexFile, MethodDef]:
    """A dex whose one method has `count` try items (the builder writes none): the code item is
    rebuilt in place at the end of the file."""
    data = bytearray(build_dex(DexSpec(strings=STRINGS, types=TYPES, protos=PROTOS, fields=[], methods=METHODS,
                                       classes=[(0, [(0, insns)])])))
    code_off = len(data) + (-len(data) % 4)
    data += b"\0" * (code_off - len(data))
    padding = b"\0\0" if (len(insns) // 2) % 2 else b""
    data += struct.pack("<HHHHII", 4, 0, 1, count, 0, len(insns) // 2) + insns + padding + tries + handlers
    dex = parse_dex("classes.dex", bytes(data))[0]
    return dex, MethodDef("LCaller;->run()V", 1, code_off, "run()V", "run")


def test_try_blocks_and_their_handlers_are_decoded() -> None:
    # u0 invoke-static flag ; u3 return-void ; u4 move-exception v0 ; u5 return-void
    insns = units("7110 0100 0000" "0e00" "0d00" "0e00")
    tries = struct.pack("<IHH", 0, 3, 1)  # covers u0-u2; its handler sits at offset 1 of the handler list
    handlers = bytes([1, 0, 4])  # list of 1 handler: sleb128 size 0 (no typed catch), catch-all at u4
    dex, method = _with_tries(insns, tries, handlers, 1)
    body = decode_method(dex, method)
    assert [(t.start, t.end, t.handlers) for t in body.tries] == [(0, 3, (4,))]


def test_typed_handlers_and_catch_all_are_all_handlers() -> None:
    insns = units("7110 0100 0000" "0e00" "0d00" "0e00" "0d00" "0e00")
    tries = struct.pack("<IHH", 0, 3, 1)
    # list size 1; handler: sleb -1 (one typed pair, then catch-all): type 0 at u4, catch-all at u6
    handlers = bytes([1, 0x7F, 0, 4, 6])
    dex, method = _with_tries(insns, tries, handlers, 1)
    assert decode_method(dex, method).tries[0].handlers == (4, 6)


@pytest.mark.parametrize(
    ("insns", "problem"),
    [
        (units("3801 0100" "0e00"), "starts no instruction"),  # if-eqz into the middle of itself
        (units("2b00 0700 0000" "0e00"), "points outside the method"),  # switch payload past the end
        (units("2b00 0300 0000" "0e00" "0e00"), "no switch payload"),  # switch pointing at a return
        (units("3e00"), "unused opcode"),
        (units("7110 0100"), "runs past the end of the method"),  # invoke cut in half
    ],
)
def test_a_damaged_method_is_an_error_naming_the_entry_and_the_method(insns: bytes, problem: str) -> None:
    with pytest.raises(DexFormatError) as raised:
        body_of(index_of(insns))
    message = str(raised.value)
    assert message.startswith("classes.dex: method LCaller;->run()V: damaged code:") and problem in message
    with pytest.raises(DexFormatError) as outlined:  # the outline is refused with the same words
        outline_method(*_method_of(index_of(insns)))
    assert str(outlined.value) == message


def test_a_handler_that_starts_no_instruction_is_an_error() -> None:
    insns = units("7110 0100 0000" "0e00")
    dex, method = _with_tries(insns, struct.pack("<IHH", 0, 3, 1), bytes([1, 0, 2]), 1)
    with pytest.raises(DexFormatError, match="exception handler at pc 2 starts no instruction"):
        decode_method(dex, method)
    with pytest.raises(DexFormatError, match="exception handler at pc 2 starts no instruction"):
        outline_method(dex, method)
    good, method = _with_tries(insns, struct.pack("<IHH", 0, 3, 1), bytes([1, 0, 3]), 1)
    assert outline_method(good, method).steps == outline_of_body(good, method)


def test_a_code_item_past_the_end_of_the_entry_is_an_error() -> None:
    dex, method = _with_tries(units("0e00"), b"", b"", 0)
    beyond = MethodDef(method.ref, 1, len(dex.data) - 8, "run()V", "run")
    with pytest.raises(DexFormatError, match="damaged code"):
        decode_method(dex, beyond)


def test_a_damaged_class_definition_is_an_error_naming_the_class() -> None:
    data = bytearray(build_dex(DexSpec(strings=STRINGS, types=TYPES, protos=PROTOS, fields=[], methods=METHODS,
                                       classes=[(0, [(0, RUN)])])))
    index = DexIndex(parse_dex("classes.dex", bytes(data)))
    class_defs_off = struct.unpack_from("<I", data, 0x64)[0]
    struct.pack_into("<I", data, class_defs_off + 12, len(data) + 100)  # interfaces_off past the end
    damaged = DexIndex([DexFile(**{**index.files[0].__dict__, "data": bytes(data)})])
    reader = CodeReader(damaged)
    for _ in range(2):  # asked again, the same error (kept, not read again)
        with pytest.raises(DexFormatError, match="class LCaller;: damaged definition"):
            reader.class_def("LCaller;")


# --- the committed fixtures: the decoder agrees with the reader's call sites ----------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def _entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(n, archive.read(n)) for n in sorted(archive.namelist()) if n.startswith("classes") and n.endswith(".dex")]


def decoded_calls(index: DexIndex) -> dict[str, set[str]]:
    """Every method of every class → the methods it invokes and the fields it reads or writes."""
    reader = CodeReader(index)
    found: dict[str, set[str]] = {}
    for dex in index.files:
        for descriptor in dex.class_descriptors:
            cls = reader.class_def(descriptor)
            assert cls is not None
            for method in cls.methods:
                if method.code_off:
                    refs = {i.b for i in reader.body(method, cls.dex).insns if i.op in (Op.INVOKE, Op.FIELD)}
                    if refs:
                        found[method.ref] = refs
    return found


def reader_calls(index: DexIndex) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for callee, callers in index.callers_of(lambda ref: True).items():
        for caller in callers:
            found.setdefault(caller, set()).add(callee)
    return found


@pytest.mark.parametrize("name", ["walkshapes", "sdkafter", "idcollect", "facedoor", "flaglocation", "acceptimei"])
def test_every_outline_is_the_full_decoding_without_registers_and_branches(name: str) -> None:
    index = DexIndex.from_entries(_entries(FIXTURES / f"{name}.apk"))
    reader = CodeReader(index)
    compared = 0
    for dex in index.files:
        for descriptor in dex.class_descriptors:
            cls = reader.class_def(descriptor)
            assert cls is not None
            for method in cls.methods:
                if method.code_off:
                    outline = outline_method(dex, method)
                    assert outline.steps == outline_of_body(dex, method), method.ref
                    assert set(outline.strings) == {s[3] for s in outline.steps if s[1] == Op.STRING}
                    compared += 1
    assert compared > 5


@pytest.mark.parametrize("name", ["walkshapes", "sdkafter", "idcollect", "facedoor"])
def test_decoded_calls_match_the_call_sites_the_reader_verifies(name: str) -> None:
    index = DexIndex.from_entries(_entries(FIXTURES / f"{name}.apk"))
    assert decoded_calls(index) == reader_calls(index)


def test_random_damage_to_code_is_an_error_or_a_decoding_never_a_crash() -> None:
    data = bytearray(_entries(FIXTURES / "walkshapes.apk")[0][1])
    index = DexIndex(parse_dex("classes.dex", bytes(data)))
    spans = index.files[0].code_map
    rng = random.Random(12)
    for _ in range(300):
        damaged = bytearray(data)
        span = rng.randrange(len(spans.starts))
        at = rng.randrange(spans.starts[span], spans.ends[span])
        damaged[at] = rng.randrange(256)
        files = [DexFile(**{**index.files[0].__dict__, "data": bytes(damaged)})]
        reader = CodeReader(DexIndex(files))
        for descriptor in files[0].class_descriptors:
            cls = reader.class_def(descriptor)
            for method in cls.methods if cls else ():
                if method.code_off:
                    try:
                        expected: object = outline_of_body(cls.dex, method)
                    except DexFormatError as exc:
                        assert "damaged code" in str(exc)
                        expected = str(exc)
                    try:  # the outline: the same instructions, or refused with the same words
                        outlined: object = outline_method(cls.dex, method).steps
                    except DexFormatError as exc:
                        outlined = str(exc)
                    assert outlined == expected, method.ref


def test_random_code_outlines_exactly_as_it_decodes_or_is_refused_the_same_way() -> None:
    """Instruction streams made of real opcodes with small operands (indices in range, branches
    near): the quick outline pass must keep what the full decoding keeps, and refuse what it refuses
    with the same words (a branch into an instruction, a payload past the end, an unused opcode …)."""
    rng = random.Random(7)
    widths = _WIDTHS
    opcodes = [0x00, 0x01, 0x0A, 0x0E, 0x12, 0x13, 0x14, 0x1A, 0x1C, 0x22, 0x27, 0x28, 0x29, 0x2B, 0x32, 0x38, 0x39,
               0x3E, 0x6E, 0x71, 0x74, 0x77, 0x90, 0xD8, 0xFA, 0xFC]  # the dex has no fields: no field access
    outcomes = set()
    for _ in range(400):
        code = bytearray()
        for _ in range(rng.randrange(1, 12)):
            op = rng.choice(opcodes)
            unit = bytearray([op, rng.randrange(256)] + [rng.randrange(2), 0] * (widths[op] - 1))  # indices 0 or 1
            if op in (0x28,):
                unit[1] = rng.randrange(-3, 6) & 0xFF
            elif op in (0x29, 0x2B, 0x32, 0x38, 0x39):
                struct.pack_into("<h", unit, 2, rng.randrange(-3, 8))
            if op == 0x00 and rng.random() < 0.2:  # now and then a packed-switch payload
                unit = bytearray(units("0001 0100 0000 0000") + struct.pack("<i", rng.randrange(-6, 6)))
            code += unit
        if rng.random() < 0.3:
            code = code[: rng.randrange(1, len(code) + 1) & ~1 or 2]
        dex, method = _method_of(index_of(bytes(code)))
        try:
            expected: object = outline_of_body(dex, method)
        except DexFormatError as exc:
            expected = str(exc)
        try:
            outlined: object = outline_method(dex, method).steps
        except DexFormatError as exc:
            outlined = str(exc)
        assert outlined == expected, code.hex()
        outcomes.add(isinstance(expected, str))
    assert outcomes == {True, False}  # both decodable and damaged streams were met
