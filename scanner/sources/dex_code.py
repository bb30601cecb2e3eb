"""Class definitions and method bodies of a dex, decoded one class and one method at a time.

The call sites the extractors ask for (scanner.sources.dex) need no instruction decoding beyond
instruction starts. The start-up walk needs more of the few methods it visits: which methods they
call and how, which classes they create, which strings and literals they load into which
registers, and how control flows (branches, switches, exception handlers). This module reads
exactly that, on demand: a class is looked up by descriptor, its class_data_item decoded when it is
first asked for, and a method's code item decoded when the walk first visits it.

Most visited methods need only their outline (CodeReader.outline): the calls, field accesses,
strings and classes they use, in order. It is read in one pass that keeps nothing else, with the
same checks as the full decoding, so a method that decodes in full has an outline and a method that
does not raises the same error; registers and control flow (CodeReader.body) are decoded only for
the few methods whose registers or branches the walk looks into. A reader may be given a
StepFilter: the calls and field accesses its user does nothing with (most calls into the platform)
are then left out of the outlines, each method or field id asked about once.

Everything read is bounded by the entry's bytes; a damaged class or code item raises
DexFormatError naming the entry and the method, never IndexError or struct.error.

Format reference: https://source.android.com/docs/core/runtime/dex-format (code_item, try_item,
encoded_catch_handler, instruction formats in dalvik-bytecode).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any, NamedTuple, Protocol

from scanner.sources.dex import _WIDTHS, DexFile, DexFormatError, DexIndex, _container_parts, _read_uleb128

NO_INDEX = 0xFFFFFFFF
ACC_STATIC = 0x8
ACC_NATIVE = 0x100
ACC_ABSTRACT = 0x400
_CLASS_DEFS_AT = 0x60  # class_defs_size, class_defs_off in the header
_CODE_HEAD = struct.Struct("<HHHHII")  # registers, ins, outs, tries, debug_info_off, insns_size


class Op:
    """What one decoded instruction is, as far as the walk cares (Insn.op)."""

    INVOKE = 1  # a: invoke opcode, b: method ref, c: argument registers
    NEW = 2  # a: destination register, b: class descriptor
    CLASS = 3  # a: destination register, b: class descriptor (const-class)
    STRING = 4  # a: destination register, b: the string
    LITERAL = 5  # a: destination register, b: the 32-bit value (const/4, const/16, const, const/high16)
    RESULT = 6  # a: destination register (move-result*)
    MOVE = 7  # a: destination register, b: source register (move, move-object and their wider forms)
    WRITE = 8  # a: registers written (tuple) by an instruction the walk does not look into
    FIELD = 9  # a: field opcode, b: field ref, c: registers written (empty for a store)
    IF_ZERO = 10  # a: opcode (0x38 if-eqz … 0x3d if-lez), b: tested register, c: target pc
    BRANCH = 11  # c: target pcs (if-test, goto, switch); `falls` says whether the next instruction follows
    RETURN = 12  # a: returned register, or -1 for return-void
    THROW = 13
    INVOKE_UNRESOLVED = 14  # invoke-polymorphic / invoke-custom: the target is decided at run time


class Insn(NamedTuple):
    pc: int  # in 16-bit code units from the start of the method's instructions
    op: int
    a: Any = None  # operands as Op describes them for each kind
    b: Any = None
    c: Any = None
    falls: bool = True  # control can continue with the next instruction

    @property
    def targets(self) -> tuple[int, ...]:
        """The pcs a branch may jump to (besides the next instruction, when it falls through)."""
        if self.op == Op.IF_ZERO:
            return (self.c,)
        if self.op == Op.BRANCH:
            return tuple(self.c)
        return ()


@dataclass(frozen=True)
class TryBlock:
    start: int  # first covered pc
    end: int  # first pc after the block
    handlers: tuple[int, ...]  # handler pcs (catch_all included)


@dataclass(frozen=True)
class MethodBody:
    ref: str
    registers: int
    ins: int  # registers holding the arguments (the last `ins` registers; `this` first for instance methods)
    insns: tuple[Insn, ...]
    tries: tuple[TryBlock, ...]
    size: int  # insns_size in code units

    @property
    def this_register(self) -> int:
        return self.registers - self.ins


# The instructions an outline keeps: what a method does that the walk follows, control flow aside.
OUTLINE_OPS = frozenset({Op.INVOKE, Op.FIELD, Op.STRING, Op.NEW, Op.CLASS, Op.INVOKE_UNRESOLVED})
# One kept instruction as (pc, op, a, b) of its Insn (its c, the registers, left out): plain tuples,
# as an outline is read for every method the walk visits.
OutlineStep = tuple[int, int, Any, Any]


class Outline(NamedTuple):
    """A method's instructions of the OUTLINE_OPS kinds, in order, as OutlineStep tuples, less the calls
    and field accesses the reader's StepFilter leaves out; `strings` and `boolean_calls` are of every
    instruction. (A tuple: one is kept for every method walked.)"""

    ref: str
    steps: tuple[OutlineStep, ...]
    strings: tuple[str, ...]  # the constant strings it loads, each once
    boolean_calls: tuple[str, ...]  # refs of the methods returning a boolean (…)Z it calls, each once


class MethodDef(NamedTuple):
    """A method of a class definition (a tuple: a class read keeps one for each of its methods)."""

    ref: str  # Lpkg/Cls;->name(Args)Ret
    access: int
    code_off: int  # 0 for abstract and native methods
    signature: str  # name(Args)Ret, the part of the ref that overriding keeps
    name: str


@dataclass(frozen=True, eq=False, slots=True)
class ClassDef:
    descriptor: str
    superclass: str | None
    interfaces: tuple[str, ...]
    methods: tuple[MethodDef, ...]
    dex: DexFile
    by_signature: Mapping[str, MethodDef]
    by_name: Mapping[str, tuple[MethodDef, ...]]

    def method(self, signature: str) -> MethodDef | None:
        return self.by_signature.get(signature)


class StepFilter(Protocol):
    """Which calls and field accesses outlines keep; `defines` says whether the app defines a class."""

    def keeps_call(self, ref: str, defines: Callable[[str], bool]) -> bool: ...

    def keeps_field(self, ref: str, static: bool, defines: Callable[[str], bool]) -> bool: ...


# What a dex's method and field ids are to the outline pass (bits, 0 while not yet asked).
_ASKED, _KEEP, _BOOLEAN = 1, 2, 4  # a method id: kept as a call; returns a boolean
_KEEP_INSTANCE, _KEEP_STATIC = 2, 4  # a field id: kept as an iget/iput; kept as an sget/sput


class _Kept:
    """For one dex: what the filter says of each method and field id, asked once per id."""

    def __init__(self, dex: DexFile, steps: StepFilter | None, defines: Callable[[str], bool]) -> None:
        self.calls = bytearray(len(dex.method_refs))
        self.fields = bytearray(len(dex.field_refs))
        self._dex, self.steps, self.defines = dex, steps, defines

    def call(self, index: int) -> int:
        ref = self._dex.method_refs[index]
        kept = self.steps is None or self.steps.keeps_call(ref, self.defines)
        flags = self.calls[index] = _ASKED | (_KEEP if kept else 0) | (_BOOLEAN if ref.endswith(")Z") else 0)
        return flags

    def field(self, index: int) -> int:
        ref, steps = self._dex.field_refs[index], self.steps
        flags = _ASKED
        if steps is None or steps.keeps_field(ref, False, self.defines):
            flags |= _KEEP_INSTANCE
        if steps is None or steps.keeps_field(ref, True, self.defines):
            flags |= _KEEP_STATIC
        self.fields[index] = flags
        return flags


class CodeReader:
    """Classes and method bodies of an app's dex files, looked up by descriptor and ref.

    The first definition of a class in load order wins, as at run time. Decoded classes, outlines
    and bodies are kept, so each is read once however often the walk asks for it (a damaged class
    too: its error is kept and raised again)."""

    def __init__(self, index: DexIndex, steps: StepFilter | None = None) -> None:
        self._steps = steps
        self._kept: dict[int, _Kept] = {}  # by id() of the DexFile
        self._where: dict[str, tuple[int, int]] = {}
        # built backwards, so that the first definition is the one left (an app has thousands of classes)
        for file_no in reversed(range(len(index.files))):
            descriptors = index.files[file_no].class_descriptors
            self._where.update(zip(reversed(descriptors), zip(repeat(file_no), reversed(range(len(descriptors))))))
        self._files = index.files
        self._classes: dict[str, ClassDef | None] = {}
        self._damaged: dict[str, DexFormatError] = {}
        self._bodies: dict[str, MethodBody] = {}
        self._outlines: dict[str, Outline] = {}

    def defines(self, descriptor: str) -> bool:
        return descriptor in self._where

    def class_def(self, descriptor: str) -> ClassDef | None:
        """The class as defined in the app's dex, or None for a class it does not define (the
        platform's). Raises DexFormatError for a class whose definition is damaged."""
        if descriptor in self._classes:
            return self._classes[descriptor]
        damaged = self._damaged.get(descriptor)
        if damaged is not None:
            raise DexFormatError(damaged.entry, damaged.problem)
        where = self._where.get(descriptor)
        try:
            found = None if where is None else _read_class(self._files[where[0]], where[1])
        except DexFormatError as exc:
            self._damaged[descriptor] = exc
            raise
        self._classes[descriptor] = found
        return found

    def body(self, method: MethodDef, dex: DexFile) -> MethodBody:
        """The decoded instructions of a method with code. Raises DexFormatError naming the method."""
        cached = self._bodies.get(method.ref)
        if cached is None:
            cached = decode_method(dex, method)
            self._bodies[method.ref] = cached
        return cached

    def outline(self, method: MethodDef, dex: DexFile) -> Outline:
        """The method's outline. Raises DexFormatError, as `body` would, for a method that does not decode."""
        cached = self._outlines.get(method.ref)
        if cached is None:
            kept = self._kept.get(id(dex))
            if kept is None:
                # the class index's own lookup, not self.defines: a bound method would make a cycle through self
                kept = self._kept[id(dex)] = _Kept(dex, self._steps, self._where.__contains__)
            body = self._bodies.get(method.ref)
            cached = _outline_of(body, kept) if body is not None else outline_method(dex, method, kept)
            self._outlines[method.ref] = cached
        return cached


def _header_offset(dex: DexFile) -> int:
    """Where this part's header starts in its entry: 0, or a part of a dex 041 container ("name#i")."""
    _entry, sep, part = dex.name.rpartition("#")
    if not sep or not part.isdigit():
        return 0
    return _container_parts(dex.data)[int(part)]


def _read_class(dex: DexFile, class_no: int) -> ClassDef:
    data = dex.data
    descriptor = dex.class_descriptors[class_no]
    try:
        at = _header_offset(dex)
        _size, classes_off = struct.unpack_from("<II", data, at + _CLASS_DEFS_AT)
        _cls, _access, super_idx, interfaces_off, _src, _annotations, class_data_off, _static = struct.unpack_from(
            "<8I", data, at + classes_off + 32 * class_no
        )
        superclass = None if super_idx == NO_INDEX else dex.types[super_idx]
        interfaces: tuple[str, ...] = ()
        if interfaces_off:
            (count,) = struct.unpack_from("<I", data, interfaces_off)
            interfaces = tuple(dex.types[i] for i in struct.unpack_from(f"<{count}H", data, interfaces_off + 4))
        methods = _class_methods(dex, class_data_off) if class_data_off else ()
    except (IndexError, struct.error, ValueError, OverflowError) as exc:
        detail = str(exc) if isinstance(exc, ValueError) else "index or offset out of range"
        raise DexFormatError(dex.name, f"class {descriptor}: damaged definition: {detail}") from None
    by_name: dict[str, tuple[MethodDef, ...]] = {}
    for method in methods:
        by_name[method.name] = by_name.get(method.name, ()) + (method,)
    return ClassDef(descriptor, superclass, interfaces, methods, dex, {m.signature: m for m in methods}, by_name)


def _class_methods(dex: DexFile, class_data_off: int) -> tuple[MethodDef, ...]:
    """Direct and virtual methods of one class_data_item, with their access flags and code offsets."""
    data, uleb, method_refs = dex.data, _read_uleb128, dex.method_refs
    make = tuple.__new__  # a MethodDef without NamedTuple's Python-level __new__: one is made per method
    pos = class_data_off
    static_fields, pos = uleb(data, pos)
    instance_fields, pos = uleb(data, pos)
    direct_methods, pos = uleb(data, pos)
    virtual_methods, pos = uleb(data, pos)
    for _ in range(2 * (static_fields + instance_fields)):
        pos = uleb(data, pos)[1]
    methods = []
    for count in (direct_methods, virtual_methods):
        method_idx = 0
        for _ in range(count):
            # three ULEB128s; most index differences and access flags fit in one byte
            diff = data[pos]
            if diff < 0x80:
                pos += 1
            else:
                diff, pos = uleb(data, pos)
            access = data[pos]
            if access < 0x80:
                pos += 1
            else:
                access, pos = uleb(data, pos)
            code_off = data[pos]  # 0 (no code), or an offset of two or three bytes below 2 MiB
            if code_off < 0x80:
                pos += 1
            elif data[pos + 1] < 0x80:
                code_off, pos = (code_off & 0x7F) | data[pos + 1] << 7, pos + 2
            elif data[pos + 2] < 0x80:
                code_off, pos = (code_off & 0x7F) | (data[pos + 1] & 0x7F) << 7 | data[pos + 2] << 14, pos + 3
            else:
                code_off, pos = uleb(data, pos)
            method_idx += diff
            ref = method_refs[method_idx]
            signature = ref.partition("->")[2]
            methods.append(make(MethodDef, (ref, access, code_off, signature, signature.partition("(")[0])))
    return tuple(methods)


def _read_sleb128(data: bytes, pos: int) -> tuple[int, int]:
    value, end = _read_uleb128(data, pos)
    bits = 7 * (end - pos)
    if value & (1 << (bits - 1)):
        value -= 1 << bits
    return value, end


# Opcodes whose destination is a register pair: the walk forgets what it knew of both halves.
_WIDE_RESULT = frozenset(
    {0x04, 0x05, 0x06, 0x0B, 0x16, 0x17, 0x18, 0x19, 0x45, 0x53, 0x61, 0x7D, 0x7E, 0x80, 0x81, 0x83, 0x86, 0x88,
     0x89, 0x8B, *range(0x9B, 0xA6), *range(0xAB, 0xB0), *range(0xBB, 0xC6), *range(0xCB, 0xD0)}
)
_UNUSED = frozenset({*range(0x3E, 0x44), 0x73, 0x79, 0x7A, *range(0xE3, 0xFA)})


def decode_method(dex: DexFile, method: MethodDef) -> MethodBody:
    """Decode one method's code item. Raises DexFormatError naming the entry and the method."""
    try:
        return _decode(dex, method)
    except (IndexError, struct.error, OverflowError) as exc:
        detail = "index or offset out of range" if isinstance(exc, IndexError) else str(exc)
        raise DexFormatError(dex.name, f"method {method.ref}: damaged code: {detail}") from None
    except ValueError as exc:
        raise DexFormatError(dex.name, f"method {method.ref}: damaged code: {exc}") from None


def outline_method(dex: DexFile, method: MethodDef, kept: _Kept | None = None) -> Outline:
    """The outline of one method's code item, read without the instructions it leaves out (every
    call and field access kept unless a reader's filter says otherwise). Any irregularity is left to
    the full decoding, which raises the error naming it (or, should the quick pass be stricter than
    the full decoding somewhere, outlines what that decoding reads)."""
    kept = kept if kept is not None else _Kept(dex, None, lambda _descriptor: False)
    try:
        return _outline(dex, method, kept)
    except (_Irregular, IndexError, struct.error, ValueError, OverflowError):
        return _outline_of(decode_method(dex, method), kept)


def _outline_of(body: MethodBody, kept: _Kept) -> Outline:
    insns = body.insns
    return Outline(body.ref, tuple((i.pc, i.op, i.a, i.b) for i in insns if i.op in OUTLINE_OPS and _keeps(kept, i)),
                   tuple(dict.fromkeys(i.b for i in insns if i.op == Op.STRING)),
                   tuple(dict.fromkeys(i.b for i in insns if i.op == Op.INVOKE and i.b.endswith(")Z"))))


def _keeps(kept: _Kept, insn: Insn) -> bool:
    if kept.steps is None:
        return True
    if insn.op == Op.INVOKE:
        return kept.steps.keeps_call(insn.b, kept.defines)
    if insn.op == Op.FIELD:
        return kept.steps.keeps_field(insn.b, insn.a >= 0x60, kept.defines)
    return True


class _Irregular(Exception):
    """Something the full decoding has to look at: it names the problem."""


def _decode(dex: DexFile, method: MethodDef) -> MethodBody:
    data = dex.data
    registers, ins, _outs, tries_size, _debug, size = _CODE_HEAD.unpack_from(data, method.code_off)
    start = method.code_off + _CODE_HEAD.size
    if start + 2 * size > len(data):
        raise ValueError(f"instructions run past the end of the entry ({size} code units)")
    if ins > registers:
        raise ValueError(f"{ins} argument registers but only {registers} registers")
    insns, starts = _instructions(dex, start, size)
    for insn in insns:
        for target in insn.targets if insn.op in (Op.IF_ZERO, Op.BRANCH) else ():
            if target not in starts:
                raise ValueError(f"branch at pc {insn.pc} to {target}, which starts no instruction")
    tries = _tries(data, start + 2 * size, size, tries_size) if tries_size else ()
    for block in tries:
        for handler in block.handlers:
            if handler not in starts:
                raise ValueError(f"exception handler at pc {handler} starts no instruction")
    return MethodBody(method.ref, registers, ins, tuple(insns), tries, size)


# Instruction categories by opcode, so decoding is one table lookup and a short chain of tests.
(_K_OTHER, _K_INVOKE, _K_INVOKE_RANGE, _K_FIELD, _K_RESULT, _K_LITERAL, _K_MOVE, _K_IF_ZERO, _K_IF, _K_GOTO,
 _K_SWITCH, _K_RETURN, _K_STRING, _K_NEW, _K_CLASS, _K_THROW, _K_UNRESOLVED, _K_MOVE_WIDE, _K_UNUSED) = range(19)


def _categories() -> bytes:
    table = [_K_OTHER] * 256
    spans = ((0x6E, 0x72, _K_INVOKE), (0x74, 0x78, _K_INVOKE_RANGE), (0x52, 0x6D, _K_FIELD), (0x0A, 0x0C, _K_RESULT),
             (0x12, 0x15, _K_LITERAL), (0x01, 0x03, _K_MOVE), (0x07, 0x09, _K_MOVE), (0x04, 0x06, _K_MOVE_WIDE),
             (0x38, 0x3D, _K_IF_ZERO), (0x32, 0x37, _K_IF), (0x28, 0x2A, _K_GOTO), (0x2B, 0x2C, _K_SWITCH),
             (0x0E, 0x11, _K_RETURN), (0x1A, 0x1B, _K_STRING), (0x22, 0x22, _K_NEW), (0x1C, 0x1C, _K_CLASS),
             (0x27, 0x27, _K_THROW), (0xFA, 0xFD, _K_UNRESOLVED))
    for first, last, kind in spans:
        for op in range(first, last + 1):
            table[op] = kind
    for op in _UNUSED:
        table[op] = _K_UNUSED
    return bytes(table)


_CATEGORY = _categories()


def _instructions(dex: DexFile, start: int, size: int) -> tuple[list[Insn], set[int]]:
    """The instructions the walk reads (an instruction that writes no register and transfers no
    control is left out: control just falls through it), and the pc of every instruction."""
    data, widths, category = dex.data, _WIDTHS, _CATEGORY
    method_refs, field_refs, types, strings = dex.method_refs, dex.field_refs, dex.types, dex.strings
    out: list[Insn] = []
    append = out.append
    make = tuple.__new__  # an Insn without NamedTuple's Python-level __new__: decoding makes one per instruction
    starts: set[int] = set()
    pc = 0
    while pc < size:
        at = start + 2 * pc
        op, b1 = data[at], data[at + 1]
        if op == 0 and b1 in (1, 2, 3):  # a switch or array payload: data, not an instruction
            pc += _payload_units(data, at, b1)
            continue
        width = widths[op]
        if pc + width > size:
            raise ValueError(f"instruction at pc {pc} runs past the end of the method")
        starts.add(pc)
        kind = category[op]
        if kind == _K_OTHER:
            written = _written(op, b1, b1 & 0xF)
            if written:
                append(make(Insn, (pc, Op.WRITE, written, None, None, True)))
        elif kind == _K_INVOKE:
            regs = data[at + 4] | data[at + 5] << 8
            args = (regs & 0xF, regs >> 4 & 0xF, regs >> 8 & 0xF, regs >> 12, b1 & 0xF)[:b1 >> 4]
            append(make(Insn, (pc, Op.INVOKE, op, method_refs[data[at + 2] | data[at + 3] << 8], args, True)))
        elif kind == _K_FIELD:  # iget/iput (22c: vA), sget/sput (21c: vAA)
            target = b1 & 0xF if op <= 0x5F else b1
            store = 0x59 <= op <= 0x5F or op >= 0x67
            loaded: tuple[int, ...] = () if store else (target, target + 1) if op in _WIDE_RESULT else (target,)
            append(make(Insn, (pc, Op.FIELD, op, field_refs[data[at + 2] | data[at + 3] << 8], loaded, True)))
        elif kind == _K_RESULT:
            append(make(Insn, (pc, Op.RESULT, b1, None, None, True)))
        elif kind == _K_STRING:
            index = data[at + 2] | data[at + 3] << 8
            if op == 0x1B:
                index |= (data[at + 4] | data[at + 5] << 8) << 16
            append(make(Insn, (pc, Op.STRING, b1, strings[index], None, True)))
        elif kind == _K_LITERAL:
            append(make(Insn, (pc, Op.LITERAL, *_literal(op, b1, data, at), None, True)))
        elif kind == _K_MOVE:
            if op in (0x01, 0x07):
                append(make(Insn, (pc, Op.MOVE, b1 & 0xF, b1 >> 4, None, True)))
            elif op in (0x02, 0x08):
                append(make(Insn, (pc, Op.MOVE, b1, data[at + 2] | data[at + 3] << 8, None, True)))
            else:
                append(make(Insn, (pc, Op.MOVE, data[at + 2] | data[at + 3] << 8, data[at + 4] | data[at + 5] << 8, None, True)))
        elif kind == _K_IF_ZERO:
            append(make(Insn, (pc, Op.IF_ZERO, op, b1, pc + _s16(data, at + 2), True)))
        elif kind == _K_NEW:
            append(make(Insn, (pc, Op.NEW, b1, types[data[at + 2] | data[at + 3] << 8], None, True)))
        elif kind == _K_RETURN:
            append(make(Insn, (pc, Op.RETURN, -1 if op == 0x0E else b1, None, None, False)))
        elif kind == _K_GOTO:
            offset = (b1 - 256 if b1 & 0x80 else b1) if op == 0x28 else _s16(data, at + 2) if op == 0x29 \
                else struct.unpack_from("<i", data, at + 2)[0]
            append(make(Insn, (pc, Op.BRANCH, op, None, (pc + offset,), False)))
        elif kind == _K_IF:
            append(make(Insn, (pc, Op.BRANCH, op, None, (pc + _s16(data, at + 2),), True)))
        elif kind == _K_INVOKE_RANGE:
            first = data[at + 4] | data[at + 5] << 8
            append(make(Insn, (pc, Op.INVOKE, op, method_refs[data[at + 2] | data[at + 3] << 8], tuple(range(first, first + b1)), True)))
        elif kind == _K_CLASS:
            append(make(Insn, (pc, Op.CLASS, b1, types[data[at + 2] | data[at + 3] << 8], None, True)))
        elif kind == _K_SWITCH:
            offset = struct.unpack_from("<i", data, at + 2)[0]
            append(make(Insn, (pc, Op.BRANCH, op, None, _switch_targets(data, start, size, pc, offset), True)))
        elif kind == _K_THROW:
            append(make(Insn, (pc, Op.THROW, None, None, None, False)))
        elif kind == _K_MOVE_WIDE:  # a register pair of numbers
            target = b1 & 0xF if op == 0x04 else b1 if op == 0x05 else data[at + 2] | data[at + 3] << 8
            append(make(Insn, (pc, Op.WRITE, (target, target + 1), None, None, True)))
        elif kind == _K_UNRESOLVED:
            append(make(Insn, (pc, Op.INVOKE_UNRESOLVED, op, None, None, True)))
        else:
            raise ValueError(f"unused opcode {op:#04x} at pc {pc}")
        pc += width
    if pc != size:
        raise ValueError("the last payload runs past the end of the method")
    return out, starts


# What the outline pass does with each opcode: skip it (it only writes registers or ends the method),
# keep it as a step, or note where it branches so that the targets can be checked; a nop may start a
# payload.
(_A_SKIP, _A_INVOKE, _A_FIELD, _A_STRING, _A_NEW, _A_CLASS, _A_UNRESOLVED, _A_IF, _A_GOTO, _A_SWITCH,
 _A_NOP, _A_UNUSED) = range(12)
_ACTION = bytes(
    _A_NOP if op == 0 else
    {_K_INVOKE: _A_INVOKE, _K_INVOKE_RANGE: _A_INVOKE, _K_FIELD: _A_FIELD, _K_STRING: _A_STRING,
     _K_NEW: _A_NEW, _K_CLASS: _A_CLASS, _K_UNRESOLVED: _A_UNRESOLVED, _K_IF_ZERO: _A_IF, _K_IF: _A_IF,
     _K_GOTO: _A_GOTO, _K_SWITCH: _A_SWITCH, _K_UNUSED: _A_UNUSED}.get(kind, _A_SKIP)
    for op, kind in enumerate(_CATEGORY)
)
_BYTE_WIDTHS = bytes(2 * w for w in _WIDTHS)


def _outline(dex: DexFile, method: MethodDef, kept: _Kept) -> Outline:
    """One pass over the instructions keeping the outline's steps, with every check _decode makes:
    widths within the method, no unused opcode, payloads within it, every branch target, switch
    target and exception handler at the start of an instruction. Raises _Irregular (or the error
    a bad read raises) where _decode would raise; an instruction or payload running past the end
    of the method is found when the pass does not end exactly at the end."""
    data = dex.data
    registers, ins, _outs, tries_size, _debug, size = _CODE_HEAD.unpack_from(data, method.code_off)
    start = method.code_off + _CODE_HEAD.size
    end = start + 2 * size
    if end > len(data) or ins > registers:
        raise _Irregular
    widths, action = _BYTE_WIDTHS, _ACTION
    method_refs, field_refs, types, strings = dex.method_refs, dex.field_refs, dex.types, dex.strings
    calls, fields = kept.calls, kept.fields
    invoke, field, string, new, const_class, unresolved = Op.INVOKE, Op.FIELD, Op.STRING, Op.NEW, Op.CLASS, Op.INVOKE_UNRESOLVED
    steps: list[OutlineStep] = []
    append = steps.append
    loaded: list[str] = []
    boolean: list[str] = []
    starts: list[int] = []  # byte offsets
    targets: list[int] = []  # in code units
    at = start
    while at < end:
        op = data[at]
        todo = action[op]
        if todo:
            if todo == _A_INVOKE:
                index = data[at + 2] | data[at + 3] << 8
                flags = calls[index] or kept.call(index)
                if flags & _KEEP:
                    append(((at - start) >> 1, invoke, op, method_refs[index]))
                if flags & _BOOLEAN:
                    boolean.append(method_refs[index])
            elif todo == _A_FIELD:
                index = data[at + 2] | data[at + 3] << 8
                if (fields[index] or kept.field(index)) & (_KEEP_STATIC if op >= 0x60 else _KEEP_INSTANCE):
                    append(((at - start) >> 1, field, op, field_refs[index]))
            elif todo == _A_IF:
                offset = data[at + 2] | data[at + 3] << 8
                targets.append(((at - start) >> 1) + (offset - 0x10000 if offset & 0x8000 else offset))
            elif todo == _A_NOP:
                if data[at + 1] in (1, 2, 3):  # a payload: data, not an instruction
                    at += 2 * _payload_units(data, at, data[at + 1])
                    continue
            elif todo == _A_STRING:
                index = data[at + 2] | data[at + 3] << 8
                if op == 0x1B:
                    index |= (data[at + 4] | data[at + 5] << 8) << 16
                loaded.append(strings[index])
                append(((at - start) >> 1, string, data[at + 1], loaded[-1]))
            elif todo == _A_NEW:
                append(((at - start) >> 1, new, data[at + 1], types[data[at + 2] | data[at + 3] << 8]))
            elif todo == _A_GOTO:
                b1 = data[at + 1]
                targets.append(((at - start) >> 1) + ((b1 - 256 if b1 & 0x80 else b1) if op == 0x28 else _s16(data, at + 2)
                                                      if op == 0x29 else struct.unpack_from("<i", data, at + 2)[0]))
            elif todo == _A_CLASS:
                append(((at - start) >> 1, const_class, data[at + 1], types[data[at + 2] | data[at + 3] << 8]))
            elif todo == _A_SWITCH:
                pc = (at - start) >> 1
                targets.extend(_switch_targets(data, start, size, pc, struct.unpack_from("<i", data, at + 2)[0]))
            elif todo == _A_UNRESOLVED:
                append(((at - start) >> 1, unresolved, op, None))
            else:
                raise _Irregular  # an unused opcode
        starts.append(at)
        at += widths[op]
    if at != end:
        raise _Irregular
    tries = _tries(data, end, size, tries_size) if tries_size else ()
    if targets or tries:
        valid = set(starts)
        if not all(start + 2 * t in valid for t in targets) \
                or not all(start + 2 * h in valid for block in tries for h in block.handlers):
            raise _Irregular
    return tuple.__new__(Outline, (method.ref, tuple(steps), tuple(dict.fromkeys(loaded)) if loaded else (),
                                   tuple(dict.fromkeys(boolean)) if boolean else ()))


def _s16(data: bytes, at: int) -> int:
    value = data[at] | data[at + 1] << 8
    return value - 0x10000 if value & 0x8000 else value


def _literal(op: int, b1: int, data: bytes, at: int) -> tuple[int, int]:
    """(register, value) of const/4, const/16, const and const/high16."""
    if op == 0x12:
        high = b1 >> 4
        return b1 & 0xF, high - 16 if high & 0x8 else high
    if op == 0x13:
        return b1, _s16(data, at + 2)
    if op == 0x14:
        return b1, struct.unpack_from("<i", data, at + 2)[0]
    return b1, _s16(data, at + 2) << 16


def _written(op: int, b1: int, low: int) -> tuple[int, ...]:
    """Registers an otherwise uninteresting instruction writes (so what was known of them is dropped)."""
    if op in (0x0D, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0xFE, 0xFF) or 0x16 <= op <= 0x19 or 0x44 <= op <= 0x4A \
            or 0x90 <= op <= 0xAF or 0xD8 <= op <= 0xE2:
        target = b1  # vAA
    elif op in (0x20, 0x21, 0x23) or 0x7B <= op <= 0x8F or 0xB0 <= op <= 0xD7:
        target = low  # vA
    else:
        return ()  # stores, monitors, checks, fills, nops: no register written
    return (target, target + 1) if op in _WIDE_RESULT else (target,)


def _payload_units(data: bytes, at: int, kind: int) -> int:
    if kind == 1:
        return struct.unpack_from("<H", data, at + 2)[0] * 2 + 4
    if kind == 2:
        return struct.unpack_from("<H", data, at + 2)[0] * 4 + 2
    element_width, count = struct.unpack_from("<HI", data, at + 2)
    return (count * element_width + 1) // 2 + 4


def _switch_targets(data: bytes, start: int, size: int, pc: int, offset: int) -> tuple[int, ...]:
    payload = pc + offset
    if not 0 <= payload < size:
        raise ValueError(f"switch at pc {pc} points outside the method")
    at = start + 2 * payload
    ident, count = struct.unpack_from("<HH", data, at)
    if ident == 0x0100:
        relative = struct.unpack_from(f"<{count}i", data, at + 8)
    elif ident == 0x0200:
        relative = struct.unpack_from(f"<{count}i", data, at + 4 + 4 * count)
    else:
        raise ValueError(f"switch at pc {pc} points at no switch payload")
    return tuple(pc + r for r in relative)


def _tries(data: bytes, insns_end: int, size: int, count: int) -> tuple[TryBlock, ...]:
    at = insns_end + (2 if size % 2 else 0)  # try items are 4-byte aligned
    handlers_base = at + 8 * count
    blocks = []
    for i in range(count):
        first, covered, handler_off = struct.unpack_from("<IHH", data, at + 8 * i)
        pos = handlers_base + handler_off
        pairs, pos = _read_sleb128(data, pos)
        handlers = []
        for _ in range(abs(pairs)):
            _type, pos = _read_uleb128(data, pos)
            address, pos = _read_uleb128(data, pos)
            handlers.append(address)
        if pairs <= 0:
            handlers.append(_read_uleb128(data, pos)[0])
        if first + covered > size:
            raise ValueError(f"try block {i} covers code past the end of the method")
        blocks.append(TryBlock(first, first + covered, tuple(handlers)))
    return tuple(blocks)
