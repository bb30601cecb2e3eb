"""What an app runs at start-up before the person agrees: a walk over its call graph from the entry
points the system starts, that stops at the consent gate.

Entry points (from the manifest, looked up in the dex): the Application class (static initialiser,
constructor, attachBaseContext, onCreate), every ContentProvider (constructor, attachInfo, onCreate;
providers start before Application.onCreate), the launcher activities (constructor, onCreate,
onStart, onResume), receivers of BOOT_COMPLETED (onReceive) and androidx.startup initializers (create).

From a visited method the walk follows:
- calls: static, direct and super calls to their one target; virtual and interface calls to the
  declared class's implementation and to the overrides in every class the walk has seen created
  (rapid type analysis: a class nobody creates cannot receive a call);
- hand-offs: a class created in a visited method has its run(), call(), handleMessage(),
  doInBackground() … followed, whether the object then goes to a Thread, a Handler, an Executor or
  an AsyncTask (an over-approximation: creating a Runnable is taken as running it);
- lifecycle callbacks of created classes (fragments, dialogs, lifecycle observers, activity
  lifecycle callbacks: onCreate, onStart, onResume, onCreateView …), static initialisers of classes
  first used, and components started by name (an activity or service of the manifest loaded with
  const-class, as `new Intent(this, Main.class)` does).
It does not follow UI callbacks (onClick and the like): a click is the person acting, not start-up.
Calls into the platform and into general libraries (OPAQUE_PACKAGES) are leaves.

The consent gate, recognised four ways (each named in the gate it yields):
- positive_button: the listener given to an AlertDialog builder's setPositiveButton in a method whose
  path shows policy text (the method or one of the two before it loads a policy mention);
- stores_consent_flag: a click callback (or one named like onAgree) of a class created on the path
  that, within three calls, stores a boolean with a literal value under a key that reads like consent
  (rules/lexicon/apk_ui.yaml flag_keys), or under any key when the path shows policy text; the key
  and value stored become a consent flag;
- callback_name: a callback named like onAgree / onPrivacyAgreed that stores nothing the walk sees;
- consent_flag: a branch on a stored consent flag: the result of a call that reads a key that reads
  like consent or that an accept callback stores (SharedPreferences.getBoolean, MMKV.decodeBool, the
  app's own wrappers, or a method that returns such a read) tested by if-eqz / if-nez; the
  instructions reachable only through the consented side of the branch are behind the gate. A
  first-launch key (first_launch_keys: true until the person agrees) guards a tutorial as often as a
  consent dialog, so it only counts where policy text is shown beside the test.
Code reached from an accept callback or a consented branch is walked second, as gated.

What the walk cannot see is stated, not guessed: reflection (Method.invoke, Constructor.newInstance,
Proxy), native code (native methods, System.loadLibrary), dynamically loaded dex (DexClassLoader …),
invoke-custom/polymorphic call sites, entry classes missing from the dex (a packed or split app),
damaged methods, and the walk's method budget. Flags kept in fields or under encrypted keys are not
recognised as gates, so what they guard counts as ungated.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from scanner.signatures import ApiSignature, SdkIndex, SdkSignature, class_descriptor, descriptor_prefix, ref_class, ref_head
from scanner.sources.dex import DexFile, DexFormatError, DexIndex
from scanner.sources.dex_code import ACC_NATIVE, ACC_STATIC, ClassDef, CodeReader, Insn, MethodBody, MethodDef, Op, Outline

MAX_METHODS = 12_000  # visited methods per app (about 5 s); the walk stops there and says so
PROBE_DEPTH = 3  # calls an accept callback may take before it stores the consent flag
PROBE_METHODS = 40  # method bodies one probe may decode
POLICY_LOOKBACK = 2  # methods before the current one whose strings count as the text it shows
FLAG_TEST_WINDOW = 8  # instructions between a flag read's result and the branch that tests it

# General libraries treated as the platform: their code reads no personal data on its own behalf,
# and walking it costs time and finds framework internals (AppCompat's TwilightManager reads the
# last known location for night mode) that are not the app's start-up.
OPAQUE_PACKAGES = ("android", "androidx", "kotlin", "kotlinx", "java", "javax", "dalvik",
                   "com.google.android.material", "io.reactivex")
_OPAQUE = tuple(descriptor_prefix(p) for p in OPAQUE_PACKAGES)

ENTRY_METHODS: Mapping[str, tuple[str, ...]] = {
    "application": ("<clinit>", "<init>", "attachBaseContext", "onCreate"),
    "provider": ("<clinit>", "<init>", "attachInfo", "onCreate"),
    "launcher_activity": ("<clinit>", "<init>", "onCreate", "onStart", "onResume"),
    "boot_receiver": ("<clinit>", "<init>", "onReceive"),
    "startup_initializer": ("<clinit>", "<init>", "create"),
}
HANDOFF_METHODS = frozenset({"run", "call", "handleMessage", "doInBackground", "onPreExecute", "onPostExecute",
                             "queueIdle", "onServiceConnected", "onReceive", "invokeSuspend"})
LIFECYCLE_METHODS = frozenset({"onCreate", "onStart", "onResume", "onAttach", "onCreateView", "onViewCreated",
                               "onActivityCreated", "onActivityStarted", "onActivityResumed"})
COMPONENT_METHODS: Mapping[str, tuple[str, ...]] = {
    "activity": ("<clinit>", "<init>", "onCreate", "onStart", "onResume"),
    "service": ("<clinit>", "<init>", "onCreate", "onStartCommand", "onStart", "onHandleIntent", "onBind"),
}
UI_CALLBACKS = frozenset({"onClick"})
_ACCEPT_NAME = re.compile(r"^on\w*(agree|consent)|^on\w*同意", re.IGNORECASE)  # onAgree, onPrivacyAgreed …
_FLAG_READ_NAME = re.compile(r"^(get|is|has|decode|read|load|contains|check)")
_FLAG_WRITE_NAME = re.compile(r"^(put|set|save|encode|write|store)")
_PREFERENCES = "Landroid/content/SharedPreferences;"
_PREFERENCES_EDITOR = "Landroid/content/SharedPreferences$Editor;"
_POSITIVE_BUTTON = "setPositiveButton"
_DIALOG_BUILDER_SUFFIX = "AlertDialog$Builder;"
_STATIC_INVOKES = frozenset({0x71, 0x77})
_VIRTUAL_INVOKES = frozenset({0x6E, 0x72, 0x74, 0x78})
_INTERFACE_INVOKES = frozenset({0x72, 0x78})

BLIND_CALLS: Mapping[str, str] = {
    "Ljava/lang/reflect/Method;->invoke": "reflection",
    "Ljava/lang/reflect/Constructor;->newInstance": "reflection",
    "Ljava/lang/Class;->newInstance": "reflection",
    "Ljava/lang/reflect/Proxy;->newProxyInstance": "reflection",
    "Ljava/lang/System;->loadLibrary": "native_code",
    "Ljava/lang/System;->load": "native_code",
    "Ljava/lang/Runtime;->loadLibrary": "native_code",
    "Ljava/lang/Runtime;->load": "native_code",
    "Ldalvik/system/DexClassLoader;-><init>": "dynamic_code",
    "Ldalvik/system/PathClassLoader;-><init>": "dynamic_code",
    "Ldalvik/system/InMemoryDexClassLoader;-><init>": "dynamic_code",
    "Ldalvik/system/BaseDexClassLoader;-><init>": "dynamic_code",
    "Ldalvik/system/DexFile;->loadDex": "dynamic_code",
    "Ldalvik/system/DexFile;-><init>": "dynamic_code",
}

# How a step was reached, as the path shows it.
HOW_CALL, HOW_HANDOFF, HOW_LIFECYCLE, HOW_COMPONENT, HOW_STATIC_INIT = "", "hand-off", "lifecycle callback", "started component", "static initialiser"
HOW_ACCEPT, HOW_CONSENTED = "accept callback", "after consent check"
# What a created class runs, in the order the walk queues it.
_CREATED_CALLBACKS = tuple((name, HOW_HANDOFF if name in HANDOFF_METHODS else HOW_LIFECYCLE)
                           for name in sorted(HANDOFF_METHODS | LIFECYCLE_METHODS))
_CREATED_NAMES = HANDOFF_METHODS | LIFECYCLE_METHODS


class Entry(NamedTuple):
    """An entry point (a tuple of strings: every node of the walk names its entry)."""

    kind: str  # a key of ENTRY_METHODS
    component: str  # the manifest class name


@dataclass(frozen=True)
class Step:
    method: str  # full smali ref
    how: str  # "" for the entry method, else one of the HOW_* words


@dataclass(frozen=True)
class Gate:
    """A consent gate the walk met: code behind it runs only after the person agreed."""

    cue: str  # positive_button, stores_consent_flag, callback_name or consent_flag
    method: str  # the accept callback, or the method that tests the flag
    flag: str  # the stored key, "" when the cue is the button alone
    detail: str  # one line an auditor can check in a decompiler
    path: tuple[Step, ...]  # entry → … → the accept callback, or → the method that tests the flag


@dataclass(frozen=True)
class Reached:
    """A sensitive read, an SDK start call or a blind spot met by the walk, with the shortest path."""

    label: str  # the API or start call in dotted form, or the blind spot's call
    caller: str  # full ref of the method that makes the call
    path: tuple[Step, ...]  # entry → … → caller
    entry: Entry
    gate: Gate | None  # None: reached without passing the consent gate
    signature: ApiSignature | None = None  # for a read
    sdk: SdkSignature | None = None  # for a start call
    blind: str = ""  # for a blind spot: reflection, native_code, dynamic_code, method_handle, damaged_code …
    via_provider: bool = False  # an SDK started by its own ContentProvider, before any app code


@dataclass(frozen=True)
class StartupWalk:
    entries: tuple[Entry, ...]
    reads: tuple[Reached, ...]
    starts: tuple[Reached, ...]
    blind_spots: tuple[Reached, ...]
    gates: tuple[Gate, ...]
    methods: int  # methods visited (decoded) by the walk
    stopped: bool  # the budget ended the walk


@dataclass(frozen=True)
class WalkTables:
    """What the walk looks for: sensitive APIs, SDK start calls, and the consent-flag lexicon."""

    apis_by_ref: Mapping[str, Sequence[ApiSignature]]  # ref head → signatures (methods and fields)
    apis_by_string: Mapping[str, Sequence[ApiSignature]]
    starts_by_ref: Mapping[str, SdkSignature]
    provider_sdks: SdkIndex  # the SDK signatures, to tell whose ContentProvider auto-starts
    flag_key: re.Pattern[str]
    first_launch_key: re.Pattern[str]
    policy_text: Callable[[str], bool]

    def key_polarity(self, key: str, learned: Mapping[str, bool]) -> bool | None:
        """The value a stored flag under `key` has once the person agreed, or None if it is no consent flag."""
        if key in learned:
            return learned[key]
        if self.flag_key.search(key):
            return True
        if self.first_launch_key.search(key):
            return False
        return None

    def first_launch_only(self, key: str, learned: Mapping[str, bool]) -> bool:
        """A first-launch key guards a tutorial as often as a consent dialog: it only counts as a consent
        flag where policy text is shown beside the test."""
        return key not in learned and not self.flag_key.search(key) and bool(self.first_launch_key.search(key))


class _Node(NamedTuple):
    """How the walk reached a method (a tuple: one is kept per method queued)."""

    parent: str | None
    how: str
    entry: Entry
    gate: Gate | None


class _Method(NamedTuple):
    """One visited method: its outline, and where to decode its body should the walk need registers or branches."""

    ref: str
    outline: Outline
    is_static: bool
    method: MethodDef
    dex: DexFile


class _Call(NamedTuple):
    """What a call site's target alone says, the same wherever it is called from (computed once per walk)."""

    head: str  # ref_head of the target
    start: SdkSignature | None  # an SDK start call
    reads: Sequence[ApiSignature]  # the sensitive APIs it is (when it is no start call)
    blind: str  # a BLIND_CALLS kind, or ""
    dialog_button: bool  # AlertDialog.Builder.setPositiveButton
    declared: str  # the class the call names
    signature: str
    opaque: bool  # declared in OPAQUE_PACKAGES
    defined: bool  # declared in the app's dex
    inert: bool  # a call into the platform that is no fact: nothing to do where it is made
    may_read_flag: bool  # of SharedPreferences, or of a class of the app (a boolean it returns may be a stored flag)


def code_reader(index: DexIndex, tables: WalkTables) -> CodeReader:
    """A reader for the walk: its outlines leave out what the walk would do nothing with."""
    return CodeReader(index, _WalkSteps(tables))


class _WalkSteps:
    """The calls and field accesses a walk does nothing with where it meets them: calls into
    OPAQUE_PACKAGES (not defined by the app) that are no sensitive read, SDK start call, blind spot or
    dialog button; field accesses that are no sensitive read and, for a static one, run no static
    initialiser of the app. Leaving them out of outlines changes no fact (the walk skips them itself)."""

    def __init__(self, tables: WalkTables) -> None:
        self.tables = tables

    def keeps_call(self, ref: str, defines: Callable[[str], bool]) -> bool:
        declared = ref_class(ref)
        if not is_opaque(declared) or defines(declared):
            return True
        head = ref_head(ref)
        return (head in self.tables.starts_by_ref or head in self.tables.apis_by_ref or head in BLIND_CALLS
                or (head.endswith("->" + _POSITIVE_BUTTON) and declared.endswith(_DIALOG_BUILDER_SUFFIX)))

    def keeps_field(self, ref: str, static: bool, defines: Callable[[str], bool]) -> bool:
        if ref_head(ref) in self.tables.apis_by_ref:
            return True
        owner = ref_class(ref)
        return static and defines(owner) and not is_opaque(owner)


def walk_startup(reader: CodeReader, manifest: Any, tables: WalkTables, *, max_methods: int = MAX_METHODS) -> StartupWalk:
    """Walk from the manifest's entry points. Keys that accept callbacks turn out to store are consent
    flags too; a flag learned during a walk can gate a branch met before it, so the walk runs again
    with what it learned until nothing new is learned (at most three times)."""
    # The walk keeps tens of thousands of small objects (classes, outlines, queue nodes) and makes no
    # garbage cycles; left on, the cycle collector would go over the whole heap again and again while
    # it runs (a fifth of its time on a 4,000-method walk). What it keeps is bounded by max_methods.
    collecting = gc.isenabled()
    gc.disable()
    try:
        learned: dict[str, bool] = {}
        for _ in range(3):
            walker = _Walker(reader, manifest, tables, learned, max_methods)
            result = walker.run()
            if all(learned.get(k) == v for k, v in walker.learned.items()):
                return result
            learned = {**learned, **walker.learned}
        return result
    finally:
        if collecting:
            gc.enable()


def entries_of(manifest: Any) -> tuple[Entry, ...]:
    found = [Entry("application", manifest.application_class)] if manifest.application_class else []
    found += [Entry("provider", name) for name in manifest.providers]
    aliases = dict(manifest.alias_targets)  # a launcher activity-alias starts the activity it names
    found += [Entry("launcher_activity", aliases.get(name, name)) for name in manifest.launcher_activities]
    found += [Entry("boot_receiver", name) for name in manifest.boot_receivers]
    found += [Entry("startup_initializer", name) for name in manifest.startup_initializers]
    return tuple(dict.fromkeys(found))


def params_of(ref: str) -> list[str]:
    """Parameter type descriptors of a method ref: (ILjava/lang/String;[J)V → [I, Ljava/lang/String;, [J]."""
    text = ref[ref.index("(") + 1: ref.index(")")]
    found, i = [], 0
    while i < len(text):
        start = i
        while text[i] == "[":
            i += 1
        i = text.index(";", i) + 1 if text[i] == "L" else i + 1
        found.append(text[start:i])
    return found


def argument_registers(insn: Insn) -> list[tuple[str, int]]:
    """(parameter type, register) of each declared parameter of a call (the receiver left out)."""
    regs = list(insn.c)
    if insn.a not in _STATIC_INVOKES:
        regs = regs[1:]
    out, i = [], 0
    for param in params_of(insn.b):
        if i < len(regs):
            out.append((param, regs[i]))
        i += 2 if param in ("J", "D") else 1
    return out


def is_opaque(descriptor: str) -> bool:
    return descriptor.startswith(_OPAQUE)


class _Walker:
    def __init__(self, reader: CodeReader, manifest: Any, tables: WalkTables, learned: Mapping[str, bool],
                 max_methods: int) -> None:
        self.reader, self.manifest, self.tables = reader, manifest, tables
        self.known_keys = dict(learned)  # consent flags known before this walk
        self.learned: dict[str, bool] = {}  # consent flags accept callbacks were seen to store
        self.max_methods = max_methods
        self.nodes: dict[str, _Node] = {}
        self.queue: deque[str] = deque()
        self.deferred: list[Callable[[], None]] = []  # actions behind a consented branch, done in phase 1
        self.phase = 0
        self.visited = 0
        self.stopped = False
        self.outlines: dict[str, Outline] = {}  # of the methods visited
        self.instantiated: set[str] = set()
        self.instantiated_under: dict[str, list[str]] = {}  # ancestor → created classes below it
        self.pending: dict[str, dict[str, str]] = {}  # declared class → {signature: first caller}
        self.gates: dict[tuple[bool, str], Gate] = {}
        self.reads: dict[tuple[str, str], Reached] = {}
        self.starts: dict[tuple[str, str], Reached] = {}
        self.blind: dict[tuple[str, str], Reached] = {}
        self.probed: dict[str, list[tuple[str, bool]]] = {}
        self.predicates: dict[str, tuple[str, bool, str] | None] = {}
        self.named: dict[tuple[str, str], tuple[str, ...]] = {}
        # What depends only on the dex, worked out once per walk when first needed (so that a damaged
        # class is met, and reported, where the walk first needs it).
        self.calls: dict[str, _Call] = {}
        self.fields: dict[str, tuple[Sequence[ApiSignature], str]] = {}
        self.resolved: dict[tuple[str, str], str | None] = {}
        self.chains: dict[str, tuple[ClassDef, ...]] = {}
        self.static_inits: dict[str, tuple[str, ...]] = {}
        self.key_like: dict[str, bool] = {}
        self.accept_names: dict[str, bool] = {}
        self.activities = frozenset(class_descriptor(a) for a in manifest.activities)
        self.services = frozenset(class_descriptor(s) for s in manifest.services)

    # --- driving -------------------------------------------------------------------------------

    def run(self) -> StartupWalk:
        entries = entries_of(self.manifest)
        for entry in entries:
            self._start_entry(entry)
        self._drain()
        self.phase = 1
        deferred, self.deferred = self.deferred, []
        for action in deferred:
            action()
        self._drain()
        self.deferred.clear()  # what phase 1 deferred is not walked; the callbacks would keep the walker in a cycle
        if self.stopped:
            self._blind_spot("walk_limit", f"stopped after {self.max_methods} methods", "", None, None)
        return StartupWalk(
            entries=entries,
            reads=tuple(self.reads.values()),
            starts=tuple(self.starts.values()),
            blind_spots=tuple(self.blind.values()),
            gates=tuple(self.gates.values()),
            methods=self.visited,
            stopped=self.stopped,
        )

    def _drain(self) -> None:
        while self.queue:
            ref = self.queue.popleft()
            if self.visited >= self.max_methods:
                self.stopped = True
                self.queue.clear()
                return
            self._visit(ref)

    def _start_entry(self, entry: Entry) -> None:
        descriptor = class_descriptor(entry.component)
        if is_opaque(descriptor):
            return  # a library's own component (FileProvider, InitializationProvider): the platform's side
        cls = self._class(descriptor, None, entry)
        if cls is None:
            self._blind_spot("missing_entry", f"{entry.component} ({entry.kind})", "", None, entry)
            return
        if entry.kind == "provider":
            sdk = self.tables.provider_sdks.component_owner(entry.component)
            if sdk is not None:
                call = f"{entry.component}.onCreate"
                ref = f"{descriptor}->onCreate()Z"
                self.starts.setdefault((sdk.id + ":" + call, ref), Reached(call, ref, (Step(ref, ""),), entry, None,
                                                                           sdk=sdk, via_provider=True))
        self._instantiate(descriptor, None, entry, None)
        for name in ENTRY_METHODS[entry.kind]:
            for method in self._methods_named(descriptor, name):
                self._enqueue(method, None, "", entry, None)

    # --- lookups -------------------------------------------------------------------------------

    def _class(self, descriptor: str, at: str | None, entry: Entry | None) -> ClassDef | None:
        """The class as the dex defines it; a damaged definition is a blind spot, met as the platform's class."""
        try:
            return self.reader.class_def(descriptor)
        except DexFormatError as exc:
            self._blind_spot("damaged_code", exc.problem, at or "", None, entry)
            return None

    def _resolve(self, descriptor: str, signature: str, entry: Entry | None = None) -> str | None:
        """The ref of the implementation a call to descriptor->signature runs, if the dex has it."""
        key = (descriptor, signature)
        if key in self.resolved:
            return self.resolved[key]
        found = None
        seen = 0
        current: str | None = descriptor
        while current is not None and seen < 64:
            cls = self._class(current, None, entry)
            if cls is None:
                break
            method = cls.method(signature)
            if method is not None:
                found = method.ref
                break
            current, seen = cls.superclass, seen + 1
        self.resolved[key] = found
        return found

    def _methods_named(self, descriptor: str, name: str) -> tuple[str, ...]:
        """Refs of the methods called `name` that class `descriptor` has (its own or inherited from a
        superclass in the dex); a constructor or static initialiser only its own."""
        key = (descriptor, name)
        cached = self.named.get(key)
        if cached is not None:
            return cached
        found: dict[str, str] = {}
        if name.startswith("<"):
            own = self._class(descriptor, None, None) if self.reader.defines(descriptor) else None
            chain: tuple[ClassDef, ...] = (own,) if own is not None else ()
        else:
            chain = self._chain(descriptor)
        for cls in chain:
            for method in cls.by_name.get(name, ()):
                found.setdefault(method.signature, method.ref)
        self.named[key] = tuple(found.values())
        return self.named[key]

    def _chain(self, descriptor: str) -> tuple[ClassDef, ...]:
        """The class and its superclasses, as far as the dex defines them (and reads them undamaged)."""
        cached = self.chains.get(descriptor)
        if cached is not None:
            return cached
        chain: list[ClassDef] = []
        current: str | None = descriptor
        while current is not None and len(chain) < 64:
            cls = self._class(current, None, None) if self.reader.defines(current) else None
            if cls is None:
                break
            chain.append(cls)
            current = cls.superclass
        self.chains[descriptor] = tuple(chain)
        return self.chains[descriptor]

    def _ancestors(self, descriptor: str) -> list[str]:
        """The class, its superclasses and every interface they implement, as far as the dex defines them
        (and the first class or interface outside it)."""
        out: list[str] = []
        todo = [descriptor]
        while todo and len(out) < 256:
            current = todo.pop()
            if current in out:
                continue
            out.append(current)
            cls = self._class(current, None, None) if self.reader.defines(current) else None
            if cls is not None:
                todo.extend(cls.interfaces)
                if cls.superclass:
                    todo.append(cls.superclass)
        return out

    # --- queueing --------------------------------------------------------------------------------

    def _enqueue(self, ref: str, parent: str | None, how: str, entry: Entry, gate: Gate | None) -> None:
        if self.phase == 0 and gate is not None:
            self.deferred.append(lambda: self._enqueue(ref, parent, how, entry, gate))
            return
        if ref in self.nodes or is_opaque(ref_class(ref)):
            return
        self.nodes[ref] = tuple.__new__(_Node, (parent, how, entry, gate))  # NamedTuple's __new__ is Python code
        self.queue.append(ref)

    def path(self, ref: str) -> tuple[Step, ...]:
        steps: list[Step] = []
        current: str | None = ref
        while current is not None and len(steps) < 500:
            node = self.nodes[current]
            steps.append(Step(current, node.how))
            current = node.parent
        return tuple(reversed(steps))

    # --- visiting --------------------------------------------------------------------------------

    def _visit(self, ref: str) -> None:
        node = self.nodes[ref]
        descriptor, _, signature = ref.partition("->")
        cls = self._class(descriptor, ref, node.entry)
        method = cls.by_signature.get(signature) if cls else None
        if cls is None or method is None:
            return
        if method.access & ACC_NATIVE:
            self._blind_spot("native_code", f"native method {_dotted(ref)}", ref, node.gate, node.entry)
            return
        if not method.code_off:
            return  # abstract: the implementations are reached through the classes created
        try:
            outline = self.reader.outline(method, cls.dex)
        except DexFormatError as exc:
            self._blind_spot("damaged_code", exc.problem, ref, node.gate, node.entry)
            return
        self.visited += 1
        info = tuple.__new__(_Method, (ref, outline, bool(method.access & ACC_STATIC), method, cls.dex))
        self.outlines[ref] = outline
        self._walk_body(info, node)

    def _walk_body(self, info: _Method, node: _Node) -> None:
        """The method's calls, field accesses, strings and classes in instruction order; registers and
        branches are looked into only where a consent gate may be (flag tests, a dialog's button)."""
        gates = self._flag_gates(info, node) if node.gate is None and info.outline.boolean_calls else None
        gate = node.gate
        calls, fields = self.calls, self.fields
        invoke, field, string, new, const_class = Op.INVOKE, Op.FIELD, Op.STRING, Op.NEW, Op.CLASS
        for pc, op, a, b in info.outline.steps:
            if gates:
                gate = gates.get(pc, node.gate)
            if op == invoke:
                call = calls.get(b) or self._call(b)
                if not call.inert:
                    self._on_call(info, node, pc, a, call, gate)
            elif op == field:
                reads, owner = fields.get(b) or self._field(b)
                for sig in reads:
                    self._read(sig, info.ref, node, gate)
                if a >= 0x60 and owner:  # sget/sput: the class is initialised on first static access
                    self._static_init(owner, info.ref, node.entry, gate)
            elif op == string:
                for sig in self.tables.apis_by_string.get(b, ()):
                    self._read(sig, info.ref, node, gate)
            elif op == new:
                self._instantiate(b, info.ref, node.entry, gate)
            elif op == const_class:
                self._component_start(b, info.ref, node.entry, gate)
            else:  # Op.INVOKE_UNRESOLVED
                self._blind_spot("method_handle", f"invoke-custom/polymorphic in {_dotted(info.ref)}", info.ref,
                                 gate, node.entry)

    def _call(self, target: str) -> _Call:
        head = ref_head(target)
        declared, _, signature = target.partition("->")
        start = self.tables.starts_by_ref.get(head)
        reads = self.tables.apis_by_ref.get(head, ()) if start is None else ()
        blind = BLIND_CALLS.get(head, "")
        dialog_button = head.endswith("->" + _POSITIVE_BUTTON) and declared.endswith(_DIALOG_BUILDER_SUFFIX)
        defined = self.reader.defines(declared)
        inert = start is None and not reads and not blind and not dialog_button and not defined
        opaque = is_opaque(declared)
        call = self.calls[target] = tuple.__new__(_Call, (head, start, reads, blind, dialog_button, declared, signature,
                                                          opaque, defined, inert, self._may_read_flag(target)))
        return call

    def _field(self, ref: str) -> tuple[Sequence[ApiSignature], str]:
        """(sensitive reads, the class a static access initialises or "" when it has no code of the app)."""
        owner = ref_class(ref)
        known = self.fields[ref] = (self.tables.apis_by_ref.get(ref_head(ref), ()),
                                    owner if self.reader.defines(owner) and not is_opaque(owner) else "")
        return known

    def _on_call(self, info: _Method, node: _Node, pc: int, opcode: int, call: _Call, gate: Gate | None) -> None:
        if call.start is not None:
            self._start(call.start, call.head, info.ref, node, gate)
        else:
            for sig in call.reads:
                if not sig.caller_loads_string or sig.caller_loads_string in info.outline.strings:
                    self._read(sig, info.ref, node, gate)
        if call.blind:
            self._blind_spot(call.blind, _dotted(call.head), info.ref, gate, node.entry)
        if call.dialog_button:
            self._positive_button(info, node, *self._call_in_full(info, pc), gate)
        if opcode in _STATIC_INVOKES:
            self._static_init(call.declared, info.ref, node.entry, gate)
        if call.opaque and opcode not in _VIRTUAL_INVOKES:
            return
        how = HOW_CONSENTED if gate is not None and node.gate is None else HOW_CALL
        caller, entry = info.ref, node.entry
        resolved = None if call.opaque else self._resolve(call.declared, call.signature, entry)
        if resolved is not None and (gate is not None or resolved not in self.nodes):  # else queued already
            self._enqueue(resolved, caller, how, entry, gate)
        if opcode in _VIRTUAL_INVOKES and call.defined:
            # rapid type analysis: the overrides in every class created so far, and in those created later
            self.pending.setdefault(call.declared, {}).setdefault(call.signature, caller)
            created = self.instantiated_under.get(call.declared)
            if created:
                found = [resolved]
                for descriptor in created:
                    override = self._resolve(descriptor, call.signature, entry)
                    if override is not None and override not in found:
                        found.append(override)
                        self._enqueue(override, caller, how, entry, gate)

    def _call_in_full(self, info: _Method, pc: int) -> tuple[Insn, dict[int, tuple[str, Any]]]:
        """The call at `pc` as the full decoding has it, and what is known of the registers before it
        (in instruction order, branches ignored, `this` known in an instance method)."""
        body = self.reader.body(info.method, info.dex)
        regs: dict[int, tuple[str, Any]] = {}
        if not info.is_static:
            regs[body.this_register] = ("new", ref_class(info.ref))
        for insn in body.insns:
            if insn.pc == pc:
                return insn, regs
            _track(insn, regs)
        raise AssertionError(f"no instruction at pc {pc} of {info.ref}")  # the outline keeps the body's pcs

    def _static_init(self, descriptor: str, caller: str, entry: Entry, gate: Gate | None) -> None:
        refs = self.static_inits.get(descriptor)
        if refs is None:
            defined = self.reader.defines(descriptor) and not is_opaque(descriptor)
            refs = self.static_inits[descriptor] = self._methods_named(descriptor, "<clinit>") if defined else ()
        for ref in refs:
            if gate is not None or ref not in self.nodes:  # else queued already
                self._enqueue(ref, caller, HOW_STATIC_INIT, entry, gate)

    def _instantiate(self, descriptor: str, caller: str | None, entry: Entry, gate: Gate | None) -> None:
        """A class created in visited code: its hand-offs, lifecycle callbacks and pending virtual calls
        become reachable, and its click callbacks are probed for the consent gate."""
        if self.phase == 0 and gate is not None:
            self.deferred.append(lambda: self._instantiate(descriptor, caller, entry, gate))
            return
        if descriptor in self.instantiated or not self.reader.defines(descriptor) or is_opaque(descriptor):
            return
        self.instantiated.add(descriptor)
        for ancestor in self._ancestors(descriptor):
            self.instantiated_under.setdefault(ancestor, []).append(descriptor)
            for signature, site in list(self.pending.get(ancestor, {}).items()):
                override = self._resolve(descriptor, signature, entry)
                if override is not None:
                    self._enqueue(override, site, HOW_CALL, entry, gate)
        if caller is not None:  # an entry class: its own entry methods say what the system runs
            self._static_init(descriptor, caller, entry, gate)
            for ref, how in self._created_callbacks(descriptor):
                self._enqueue(ref, caller, how, entry, gate)
        self._probe_callbacks(descriptor, caller, entry, gate)

    def _created_callbacks(self, descriptor: str) -> list[tuple[str, str]]:
        """(ref, how) of the hand-off and lifecycle methods a created class has, its own or inherited,
        by name in _CREATED_CALLBACKS order and each name's as _methods_named finds them."""
        by_name: dict[str, dict[str, str]] = {}
        for cls in self._chain(descriptor):
            for name in _CREATED_NAMES.intersection(cls.by_name):
                found = by_name.setdefault(name, {})
                for method in cls.by_name[name]:
                    found.setdefault(method.signature, method.ref)
        return [(ref, how) for name, how in _CREATED_CALLBACKS if name in by_name for ref in by_name[name].values()]

    def _component_start(self, descriptor: str, caller: str, entry: Entry, gate: Gate | None) -> None:
        kind = "activity" if descriptor in self.activities else "service" if descriptor in self.services else None
        if kind is None:
            return
        for name in COMPONENT_METHODS[kind]:
            for ref in self._methods_named(descriptor, name):
                self._enqueue(ref, caller, HOW_COMPONENT, entry, gate)
        self._instantiate(descriptor, caller, entry, gate)

    # --- facts -------------------------------------------------------------------------------------

    def _read(self, sig: ApiSignature, caller: str, node: _Node, gate: Gate | None) -> None:
        key = (sig.kind + ":" + sig.label, caller)
        known = self.reads.get(key)
        if known is None or (known.gate is not None and gate is None):
            self.reads[key] = Reached(sig.label, caller, self.path(caller), node.entry, gate, signature=sig)

    def _start(self, sdk: SdkSignature, head: str, caller: str, node: _Node, gate: Gate | None) -> None:
        label = _dotted(head)
        key = (sdk.id + ":" + label, caller)
        known = self.starts.get(key)
        if known is None or (known.gate is not None and gate is None):
            self.starts[key] = Reached(label, caller, self.path(caller), node.entry, gate, sdk=sdk)

    def _blind_spot(self, what: str, label: str, caller: str, gate: Gate | None, entry: Entry | None) -> None:
        """Only what the walk cannot see before the gate matters: behind it, the person has agreed."""
        if gate is not None:
            return
        key = (what + ":" + label, caller)
        if key not in self.blind:
            path = self.path(caller) if caller in self.nodes else ()
            self.blind[key] = Reached(label, caller, path, entry or Entry("", ""), None, blind=what)

    # --- the consent gate ------------------------------------------------------------------------

    def _shows_policy(self, ref: str | None) -> bool:
        """Whether this method or one of the POLICY_LOOKBACK methods before it loads policy text."""
        current = ref
        for _ in range(POLICY_LOOKBACK + 1):
            if current is None:
                return False
            outline = self.outlines.get(current)
            if outline is not None and any(self.tables.policy_text(s) for s in outline.strings):
                return True
            node = self.nodes.get(current)
            current = node.parent if node else None
        return False

    def _add_gate(self, gate: Gate) -> Gate:
        """One gate per accept callback (the first cue that recognised it) and per flag-testing method."""
        return self.gates.setdefault((gate.cue == "consent_flag", gate.method), gate)

    def _positive_button(self, info: _Method, node: _Node, insn: Insn, regs: Mapping[int, tuple[str, Any]],
                         gate: Gate | None) -> None:
        if gate is not None or not insn.c:
            return
        held = regs.get(insn.c[-1])
        if not held or held[0] != "new" or not self._shows_policy(info.ref):
            return
        for ref in self._methods_named(held[1], "onClick"):
            found = self._add_gate(Gate("positive_button", ref, "", f"{_dotted(ref)}: positive button of the policy dialog "
                                        f"built in {_dotted(info.ref)}", (*self.path(info.ref), Step(ref, HOW_ACCEPT))))
            self._accept(ref, info.ref, node.entry, found)

    def _accept(self, callback: str, registered_in: str | None, entry: Entry, gate: Gate) -> None:
        """Walk an accept callback behind its gate (in phase 1, after everything ungated)."""
        self.deferred.append(lambda: self._enqueue(callback, registered_in, HOW_ACCEPT, entry, gate))

    def _probe_callbacks(self, descriptor: str, caller: str | None, entry: Entry, gate: Gate | None) -> None:
        """Click (and agree-named) callbacks of a class created before the gate: is one of them the accept?"""
        if gate is not None:
            return
        cls = self._class(descriptor, None, entry)
        if cls is None:
            return
        for method in cls.methods:
            by_name = self._named_for_agreeing(method.name) and method.signature.endswith(")V")
            if method.name not in UI_CALLBACKS and not by_name:
                continue
            path = self.path(caller) if caller in self.nodes else ()
            where = f" (created in {_dotted(caller)})" if caller else ""
            writes = [(k, v) for k, v in self._probe(method.ref)
                      if self.tables.key_polarity(k, {}) is not None or self._shows_policy(caller)]
            if writes:
                self.learned.update((k, v) for k, v in writes if k not in self.learned)
                key, value = writes[0]
                found = self._add_gate(Gate("stores_consent_flag", method.ref, key,
                                            f"{_dotted(method.ref)} stores {key!r} = {str(value).lower()}{where}",
                                            (*path, Step(method.ref, HOW_ACCEPT))))
            elif by_name and method.code_off:
                found = self._add_gate(Gate("callback_name", method.ref, "",
                                            f"{_dotted(method.ref)}: a callback named for agreeing{where}",
                                            (*path, Step(method.ref, HOW_ACCEPT))))
            else:
                continue
            self._accept(method.ref, caller, entry, found)

    def _named_for_agreeing(self, name: str) -> bool:
        known = self.accept_names.get(name)
        if known is None:
            known = self.accept_names[name] = bool(_ACCEPT_NAME.search(name))
        return known

    def _probe(self, ref: str) -> list[tuple[str, bool]]:
        """(key, value) of the boolean flags a callback stores within PROBE_DEPTH calls."""
        if ref in self.probed:
            return self.probed[ref]
        self.probed[ref] = []
        writes: list[tuple[str, bool]] = []
        frontier, seen, decoded = [ref], {ref}, 0
        for _ in range(PROBE_DEPTH + 1):
            following: list[str] = []
            for current in frontier:
                code = self._code_of(current)
                if code is None or decoded >= PROBE_METHODS:
                    continue
                decoded += 1
                outline = self.reader.outline(*code)
                if outline.strings:
                    for _index, insn, regs in _calls_with_registers(self.reader.body(*code)):
                        written = _flag_write(insn, regs, self.reader)
                        if written:
                            writes.append(written)
                        self._probe_callees(insn.b, seen, following)
                else:  # a flag is stored under a constant key: a method that loads no string stores none
                    for _pc, op, _a, target in outline.steps:
                        if op == Op.INVOKE:
                            self._probe_callees(target, seen, following)
            frontier = following
        self.probed[ref] = writes
        return writes

    def _probe_callees(self, target: str, seen: set[str], following: list[str]) -> None:
        declared, _, signature = target.partition("->")
        if is_opaque(declared):
            return
        resolved = [self._resolve(declared, signature)]
        resolved += [self._resolve(c, signature) for c in self.instantiated_under.get(declared, ())]
        for callee in resolved:
            if callee and callee not in seen:
                seen.add(callee)
                following.append(callee)

    def _body_of(self, ref: str) -> MethodBody | None:
        found = self._code_of(ref)
        return self.reader.body(*found) if found is not None else None

    def _outline_of(self, ref: str) -> Outline | None:
        found = self._code_of(ref)
        return self.reader.outline(*found) if found is not None else None

    def _code_of(self, ref: str) -> tuple[MethodDef, DexFile] | None:
        """The method with code a ref names in the app's own code; None for a damaged one (reported where
        the walk itself meets it). Its body and outline then decode, as the outline has been read."""
        descriptor = ref_class(ref)
        if is_opaque(descriptor) or not self.reader.defines(descriptor):
            return None
        try:
            cls = self.reader.class_def(descriptor)
            method = cls.method(ref.partition("->")[2]) if cls else None
            if cls is None or method is None or not method.code_off:
                return None
            self.reader.outline(method, cls.dex)
        except DexFormatError:
            return None
        return method, cls.dex

    def _flag_read(self, insn: Insn, regs: Mapping[int, tuple[str, Any]], depth: int = 2) -> tuple[str, bool, str] | None:
        """(key, consented value, how it is read) when this call returns a stored consent flag."""
        target: str = insn.b
        if not target.endswith(")Z"):
            return None
        declared, _, signature = target.partition("->")
        name = signature.partition("(")[0]
        direct_store = declared == _PREFERENCES or self.reader.defines(declared)
        if direct_store and _FLAG_READ_NAME.match(name):
            for param, reg in argument_registers(insn):
                held = regs.get(reg)
                if param == "Ljava/lang/String;" and held and held[0] == "str":
                    value = self.tables.key_polarity(held[1], self.known_keys)
                    if value is not None:
                        return held[1], value, _dotted(ref_head(target))
        return self._wrapped_flag_read(target, depth)

    def _wrapped_flag_read(self, target: str, depth: int) -> tuple[str, bool, str] | None:
        """The flag read a call returns when it goes to a method of the app that returns one (a wrapper
        around getBoolean, within `depth` calls); the registers at the call play no part in it."""
        declared, _, signature = target.partition("->")
        if depth and not is_opaque(declared) and self.reader.defines(declared):
            resolved = self._resolve(declared, signature)
            found = self._predicate(resolved, depth - 1) if resolved else None
            if found is not None:
                return found[0], found[1], f"{_dotted(resolved or target)} → {found[2]}"
        return None

    def _reads_no_flag(self, outline: Outline, depth: int) -> bool:
        """True when no call of the method can return a stored consent flag, decided without its
        registers: it loads no string that reads like a consent key (so no call is given one) and none
        of its boolean calls goes to a wrapper that returns a flag. The calls are asked in instruction
        order up to the first that may, as reading the method in full asks them, so that what is
        learned and kept on the way is the same."""
        if any(self._key_like(text) for text in outline.strings):
            return False
        return all(self._wrapped_flag_read(target, depth) is None for target in outline.boolean_calls)

    def _key_like(self, text: str) -> bool:
        known = self.key_like.get(text)
        if known is None:
            known = self.key_like[text] = self.tables.key_polarity(text, self.known_keys) is not None
        return known

    def _may_read_flag(self, target: str) -> bool:
        """Whether a call returning a boolean could read a stored flag: a SharedPreferences read or a
        method of the app or of an SDK (MMKV, the app's own wrappers)."""
        declared = ref_class(target)
        return declared == _PREFERENCES or (self.reader.defines(declared) and not is_opaque(declared))

    def _predicate(self, ref: str, depth: int) -> tuple[str, bool, str] | None:
        """(key, value, how) when the method returns a stored consent flag it reads."""
        if ref in self.predicates:
            return self.predicates[ref]
        self.predicates[ref] = None  # a recursive wrapper is no predicate
        outline = self._outline_of(ref)
        body = self._body_of(ref) if outline is not None and not self._reads_no_flag(outline, depth) else None
        found = None
        if body is not None:
            for index, insn, regs in _calls_with_registers(body):
                read = self._flag_read(insn, regs, depth)
                result = _result_register(body.insns, index) if read else None
                if read is not None and result is not None and _returned(body.insns, index + 2, result):
                    found = read
                    break
        self.predicates[ref] = found
        return found

    def _flag_gates(self, info: _Method, node: _Node) -> dict[int, Gate]:
        """For a method with consent-flag tests: the gate of every instruction (by pc) only the consented
        side reaches."""
        calls = self.calls
        if not any((calls.get(target) or self._call(target)).may_read_flag for target in info.outline.boolean_calls):
            return {}
        if self._reads_no_flag(info.outline, 2):
            return {}
        body = self.reader.body(info.method, info.dex)
        insns = body.insns
        tests: list[tuple[int, int, Gate]] = []  # (test index, index of the consented successor, gate)
        regs: dict[int, tuple[str, Any]] = {}
        for index, insn in enumerate(insns):
            if insn.op == Op.INVOKE and insn.b.endswith(")Z"):
                read = self._flag_read(insn, regs)
                result = _result_register(insns, index) if read else None
                test = _test_of(insns, index + 2, result) if result is not None else None
                if read and test is not None and (not self.tables.first_launch_only(read[0], self.known_keys)
                                                  or self._shows_policy(info.ref)):
                    key, value, how = read
                    consented = _consented_successor(insns, test, value)
                    gate = self._add_gate(Gate("consent_flag", info.ref, key,
                                               f"{_dotted(info.ref)} tests {key!r} ({how}); consented when "
                                               f"{str(value).lower()}", self.path(info.ref)))
                    tests.append((test, consented, gate))
            _track(insn, regs)
        if not tests:
            return {}
        successors = _successors(body)
        everywhere = _reachable(successors, set())
        gated: dict[int, Gate] = {}
        cut_all = {(t, s) for t, s, _ in tests}
        behind = everywhere - _reachable(successors, cut_all)
        for test, consented, gate in tests:
            alone = everywhere - _reachable(successors, {(test, consented)})
            for index in sorted(alone & behind):
                gated.setdefault(index, gate)
        for index in sorted(behind):
            gated.setdefault(index, tests[0][2])
        return {insns[index].pc: gate for index, gate in gated.items()}


# --- instruction helpers --------------------------------------------------------------------------

def _dotted(ref: str) -> str:
    from scanner.signatures import readable_ref

    return readable_ref(ref)


def _track(insn: Insn, regs: dict[int, tuple[str, Any]]) -> None:
    """What is known of each register after `insn`, in instruction order (branches ignored)."""
    op = insn.op
    if op == Op.STRING:
        regs[insn.a] = ("str", insn.b)
    elif op == Op.LITERAL:
        regs[insn.a] = ("lit", insn.b)
    elif op == Op.NEW:
        regs[insn.a] = ("new", insn.b)
    elif op in (Op.CLASS, Op.RESULT):
        regs.pop(insn.a, None)
    elif op == Op.MOVE:
        if insn.b in regs:
            regs[insn.a] = regs[insn.b]
        else:
            regs.pop(insn.a, None)
    elif op == Op.FIELD:
        for reg in insn.c:
            regs.pop(reg, None)
    elif op == Op.WRITE:
        for reg in insn.a:
            regs.pop(reg, None)


def _calls_with_registers(body: MethodBody) -> Iterator[tuple[int, Insn, dict[int, tuple[str, Any]]]]:
    """(index in body.insns, instruction, what is known of the registers before it) of every call."""
    regs: dict[int, tuple[str, Any]] = {}
    for index, insn in enumerate(body.insns):
        if insn.op == Op.INVOKE:
            yield index, insn, dict(regs)
        _track(insn, regs)


def _flag_write(insn: Insn, regs: Mapping[int, tuple[str, Any]], reader: CodeReader) -> tuple[str, bool] | None:
    """(key, value) when the call stores a boolean literal under a constant key (SharedPreferences.Editor,
    MMKV or the app's own wrapper)."""
    declared, _, signature = insn.b.partition("->")
    if not _FLAG_WRITE_NAME.match(signature):
        return None
    if declared != _PREFERENCES_EDITOR and not reader.defines(declared):
        return None
    key = value = None
    for param, reg in argument_registers(insn):
        held = regs.get(reg)
        if held is None:
            continue
        if param == "Ljava/lang/String;" and held[0] == "str" and key is None:
            key = held[1]
        elif param == "Z" and held[0] == "lit":
            value = bool(held[1])
    return (key, value) if key is not None and value is not None else None


def _result_register(insns: Sequence[Insn], index: int) -> int | None:
    following = insns[index + 1] if index + 1 < len(insns) else None
    if following is not None and following.op == Op.RESULT and following.pc <= insns[index].pc + 3:
        return int(following.a)
    return None


def _writes(insn: Insn) -> tuple[int, ...]:
    if insn.op in (Op.STRING, Op.LITERAL, Op.NEW, Op.CLASS, Op.RESULT, Op.MOVE):
        return (insn.a,)
    if insn.op == Op.FIELD:
        return tuple(insn.c)
    if insn.op == Op.WRITE:
        return tuple(insn.a)
    return ()


def _test_of(insns: Sequence[Insn], start: int, register: int) -> int | None:
    """The index of the if-eqz/if-nez that tests `register` before it changes or control moves on."""
    for index in range(start, min(len(insns), start + FLAG_TEST_WINDOW)):
        insn = insns[index]
        if insn.op == Op.IF_ZERO:
            return index if insn.b == register and insn.a in (0x38, 0x39) else None
        if insn.op in (Op.INVOKE, Op.BRANCH, Op.RETURN, Op.THROW, Op.INVOKE_UNRESOLVED) or register in _writes(insn):
            return None
    return None


def _returned(insns: Sequence[Insn], start: int, register: int) -> bool:
    """Whether the method returns `register` unchanged after `start` (straight-line, the usual shape of
    `return prefs.getBoolean(KEY, false)`)."""
    for insn in insns[start:]:
        if insn.op == Op.RETURN:
            return bool(insn.a == register)
        if register in _writes(insn) or insn.op in (Op.BRANCH, Op.IF_ZERO, Op.THROW):
            return False
    return False


def _index_of(pcs: Sequence[int], pc: int) -> int:
    """The first decoded instruction at or after `pc` (instructions left out of the decoding only fall through)."""
    return bisect_left(pcs, pc)


def _consented_successor(insns: Sequence[Insn], test: int, consented_value: bool) -> int:
    """if-eqz jumps when the flag is false, if-nez when it is true; the other side falls through."""
    insn = insns[test]
    jumps_when_true = insn.a == 0x39
    pcs = [i.pc for i in insns]
    if jumps_when_true == consented_value:
        return _index_of(pcs, insn.c)
    return test + 1


def _successors(body: MethodBody) -> list[tuple[int, ...]]:
    insns = body.insns
    pcs = [i.pc for i in insns]
    handlers_of: list[tuple[int, ...]] = [()] * len(insns)
    for block in body.tries:
        handlers = tuple(_index_of(pcs, h) for h in block.handlers)
        for index in range(bisect_left(pcs, block.start), bisect_left(pcs, block.end)):
            handlers_of[index] = handlers_of[index] + handlers
    out = []
    for index, insn in enumerate(insns):
        nexts = [index + 1] if insn.falls and index + 1 < len(insns) else []
        nexts += [_index_of(pcs, t) for t in insn.targets]
        nexts += handlers_of[index]
        out.append(tuple(n for n in nexts if n < len(insns)))
    return out


def _reachable(successors: Sequence[tuple[int, ...]], cut: set[tuple[int, int]]) -> set[int]:
    if not successors:
        return set()
    seen = {0}
    todo = [0]
    while todo:
        index = todo.pop()
        for nxt in successors[index]:
            if nxt not in seen and (index, nxt) not in cut:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def walk_tables(apis: Iterable[ApiSignature], sdks: Iterable[SdkSignature], lexicon: Mapping[str, Any],
                policy_text: Callable[[str], bool]) -> WalkTables:
    sdks = tuple(sdks)
    starts = {ref: sdk for sdk in sdks for ref in sdk.start_call_refs()}
    by_ref: dict[str, list[ApiSignature]] = {}
    by_string: dict[str, list[ApiSignature]] = {}
    for sig in apis:
        if sig.kind == "biometric.system_prompt" or sig.ref in starts:
            continue  # the system prompt hands the app no data; a start call is stated as a start
        (by_ref.setdefault(sig.ref, []) if sig.ref else by_string.setdefault(sig.string, [])).append(sig)
    consent = lexicon["consent_dialog"]
    return WalkTables(
        apis_by_ref=by_ref,
        apis_by_string=by_string,
        starts_by_ref=starts,
        provider_sdks=SdkIndex(sdks),
        flag_key=re.compile("|".join(consent["flag_keys"]), re.IGNORECASE),
        first_launch_key=re.compile("|".join(consent["first_launch_keys"]), re.IGNORECASE),
        policy_text=policy_text,
    )

