"""The contract between extractors and rules: rules/vocab.yaml read into types and checked by machine.

Three users:
- the rule loader checks every condition (kind, key, `where` attributes and their values) and derives
  each rule's `requires` from `emitted_by`;
- the pipeline checks every fact an extractor states before anything else sees it;
- the tests run every extractor on every fixture and every rule case through the same checks.
A problem is a plain sentence naming what is wrong and what is allowed.

The contract's words live beside it: rules/vocab_labels.yaml names every value, kind and attribute in
each report language, and `fact_words` turns one fact into what a report shows (its sentence, why it
matters, its attributes in words). The pipeline stores those words in report.json, so reporters
render them and decide none.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import RuleLoadError
from scanner.model import Evidence
from scanner.schemas import validate_text
from scanner.yamldata import load_yaml

SCALAR_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
}
LIST_TYPES: Mapping[str, tuple[type, ...]] = {"string_list": (str,), "integer_list": (int,)}
MAX_SHOWN_VALUES = 20


def _is(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int in Python; a boolean is never an integer or a number here
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


@dataclass(frozen=True)
class AttrSpec:
    """The type of one attribute (or of a kind's key)."""

    type: str  # a SCALAR_TYPES or LIST_TYPES name, "enum" or "enum_list"
    values: frozenset[str] = frozenset()  # the closed set, for enum and enum_list
    value_set: str = ""  # its name in vocab.yaml `values`, when it has one
    nullable: bool = False

    @property
    def closed(self) -> bool:
        return self.type in ("enum", "enum_list")

    def describe(self) -> str:
        if self.closed:
            shown = sorted(self.values)
            listed = ", ".join(shown[:MAX_SHOWN_VALUES]) + (" …" if len(shown) > MAX_SHOWN_VALUES else "")
            return f"one of {listed}" if self.type == "enum" else f"a list of {listed}"
        return self.type.replace("_", " ")

    def problem(self, value: Any) -> str | None:
        """Why `value` does not fit, or None."""
        if value is None:
            return None if self.nullable else "is null"
        if self.type == "enum":
            return None if isinstance(value, str) and value in self.values else f"{value!r} is not {self.describe()}"
        if self.type == "enum_list":
            if not isinstance(value, (list, tuple)):
                return f"{value!r} is not a list"
            wrong = [v for v in value if not isinstance(v, str) or v not in self.values]
            return None if not wrong else f"{', '.join(map(repr, wrong))} not in the allowed values ({self.describe()})"
        if self.type in LIST_TYPES:
            if not isinstance(value, (list, tuple)) or not all(_is(v, LIST_TYPES[self.type]) for v in value):
                return f"{_shown(value)} is not a {self.describe()}"
            return None
        return None if _is(value, SCALAR_TYPES[self.type]) else f"{_shown(value)} is not a {self.describe()}"

    def condition_problem(self, wanted: Any) -> str | None:
        """Why a condition's wanted value (or list of alternatives) can never match this attribute."""
        options = wanted if isinstance(wanted, list) else [wanted]
        for option in options:
            if self.closed:
                if option not in self.values:
                    return f"{option!r} is not an allowed value; allowed: {', '.join(sorted(self.values))}"
            elif self.type in LIST_TYPES:
                if not _is(option, LIST_TYPES[self.type]):
                    return f"{option!r} can never match a {self.describe()}"
            elif option is None:
                if not self.nullable:
                    return "null can never match"
            elif not _is(option, SCALAR_TYPES[self.type]):
                return f"{option!r} can never match a {self.describe()}"
        return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


@dataclass(frozen=True)
class KindSpec:
    name: str
    meaning: str
    emitted_by: tuple[str, ...]
    key: AttrSpec
    attrs: Mapping[str, AttrSpec]
    required: frozenset[str]


@dataclass(frozen=True)
class Vocabulary:
    kinds: Mapping[str, KindSpec]
    path: Path

    def __contains__(self, kind: str) -> bool:
        return kind in self.kinds

    def emitters(self, kind: str) -> tuple[str, ...]:
        return self.kinds[kind].emitted_by

    def extractors(self) -> frozenset[str]:
        return frozenset(e for spec in self.kinds.values() for e in spec.emitted_by)

    def kinds_emitted_by(self, extractor: str) -> frozenset[str]:
        return frozenset(k for k, spec in self.kinds.items() if extractor in spec.emitted_by)

    def evidence_problems(self, ev: Evidence, extractor: str | None = None, *, check_emitter: bool = True,
                          required: frozenset[str] | None = None) -> list[str]:
        """Everything about one fact that breaks the contract (empty when it holds). The emitter is
        `extractor`, else the one the fact names; a hand-written fact (a rule case) skips that check,
        and is held only to the `required` attributes given (those its rule reads)."""
        spec = self.kinds.get(ev.kind)
        if spec is None:
            return [f"unknown evidence kind {ev.kind!r}"]
        problems = []
        name = extractor or ev.extractor.split("@", 1)[0]
        if check_emitter and name not in spec.emitted_by:
            problems.append(f"{ev.kind}: {name} is not one of its emitters ({', '.join(spec.emitted_by)})")
        if (why := spec.key.problem(ev.key)) is not None:
            problems.append(f"{ev.kind} key {why}")
        for attr, value in ev.attrs.items():
            attr_spec = spec.attrs.get(attr)
            if attr_spec is None:
                problems.append(f"{ev.kind}: unknown attribute {attr!r} (known: {', '.join(sorted(spec.attrs))})")
            elif (why := attr_spec.problem(value)) is not None:
                problems.append(f"{ev.kind}.{attr}: {why}")
        missing = sorted((spec.required if required is None else spec.required & required) - set(ev.attrs))
        if missing:
            problems.append(f"{ev.kind}: missing required attribute(s) {', '.join(missing)}")
        return problems

    def condition_problems(self, condition: Mapping[str, Any]) -> list[str]:
        """Every leaf of a rule condition that reads something the contract does not have."""
        for op in ("all", "any", "none"):
            if op in condition:
                return [p for part in condition[op] for p in self.condition_problems(part)]
        kind = condition["evidence"]
        spec = self.kinds.get(kind)
        if spec is None:
            return [f"unknown evidence kind {kind!r} (see rules/vocab.yaml)"]
        problems = []
        if "key" in condition and (why := spec.key.condition_problem(condition["key"])) is not None:
            problems.append(f"{kind} key: {why}")
        for attr, wanted in condition.get("where", {}).items():
            attr_spec = spec.attrs.get(attr)
            if attr_spec is None:
                problems.append(f"{kind}: unknown attribute {attr!r} in where; known: {', '.join(sorted(spec.attrs))}")
            elif (why := attr_spec.condition_problem(wanted)) is not None:
                problems.append(f"{kind}.{attr}: {why}")
        return problems


def attributes_read(condition: Mapping[str, Any], kind: str) -> frozenset[str]:
    """The attributes of `kind` a condition reads in its `where` clauses."""
    for op in ("all", "any", "none"):
        if op in condition:
            return frozenset().union(*(attributes_read(c, kind) for c in condition[op]))
    return frozenset(condition.get("where", {})) if condition["evidence"] == kind else frozenset()


def _attr_spec(raw: Mapping[str, Any], value_sets: Mapping[str, list[str]], where: str) -> AttrSpec:
    nullable = bool(raw.get("nullable", False))
    for closed in ("enum", "enum_list"):
        if closed in raw:
            values = raw[closed]
            name = values if isinstance(values, str) else ""
            if name:
                if name not in value_sets:
                    raise RuleLoadError(f"{where}: names unknown value set {name!r}")
                values = value_sets[name]
            return AttrSpec(closed, frozenset(values), name, nullable)
    return AttrSpec(str(raw["type"]), nullable=nullable)


def parse_vocabulary(path: Path) -> Vocabulary:
    """Read and check a vocabulary file; RuleLoadError names the file and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
        data = load_yaml(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleLoadError(f"{path}: cannot read: {exc}") from exc
    validate_text(Path(str(resources.files("rules"))) / "schema" / "vocab.schema.json", text, data, path)
    value_sets = data["values"]
    kinds = {}
    for name, raw in data["kinds"].items():
        where = f"{path}: kind {name}"
        attrs = {attr: _attr_spec(spec, value_sets, f"{where}.{attr}") for attr, spec in raw["attrs"].items()}
        required = frozenset(raw.get("required", ()))
        if unknown := sorted(required - set(attrs)):
            raise RuleLoadError(f"{where}: required attribute(s) {', '.join(unknown)} are not among its attrs")
        kinds[name] = KindSpec(name, raw["meaning"], tuple(raw["emitted_by"]), _attr_spec(raw["key"], value_sets, where),
                               attrs, required)
    return Vocabulary(kinds, path)


@cache  # asked for every attribute value put in words (a start-up path's every step): where rules/ is does not change
def default_vocabulary_path() -> Path:
    return Path(str(resources.files("rules"))) / "vocab.yaml"


@cache
def _cached(path: Path, mtime_ns: int) -> Vocabulary:
    return parse_vocabulary(path)


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The vocabulary at `path` (the shipped one by default), parsed once per version of the file."""
    path = Path(path) if path else default_vocabulary_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise RuleLoadError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return _cached(path, mtime)


def contract_problems(evidence: Iterable[Evidence], extractor: str, vocabulary: Vocabulary | None = None) -> list[str]:
    """Every contract problem of the facts one extractor stated, at most one line per distinct problem."""
    vocabulary = vocabulary or load_vocabulary()
    return list(dict.fromkeys(p for ev in evidence for p in vocabulary.evidence_problems(ev, extractor)))


# ———————————————————————————— the contract's words ————————————————————————————

WORD_LANGS = ("zh", "en")
_BOOLEANS = {"zh": ("是", "否"), "en": ("yes", "no")}
_JOINERS = {"zh": "、", "en": ", "}
# A list under "path" is a call path (entry point → … → the read), shown as numbered steps; a plain
# string there (a URL's path, as face.upload states) is an ordinary attribute.
PATH_ATTR = "path"


@cache
def vocab_labels() -> Mapping[str, Any]:
    path = Path(str(resources.files("rules"))) / "vocab_labels.yaml"
    return load_yaml(path.read_text(encoding="utf-8"))


def _lang(lang: str) -> str:
    return lang if lang in _BOOLEANS else "zh"


def _spec(kind: str, attr: str) -> AttrSpec | None:
    spec = load_vocabulary().kinds.get(kind)
    if spec is None:
        return None
    return spec.key if attr == "key" else spec.attrs.get(attr)


def closed_value(value_set: str, value: str, lang: str) -> str:
    """The word for one value of a named value set; the value itself when the set does not name it."""
    entry = (vocab_labels()["values"].get(value_set) or {}).get(value)
    return str(entry[_lang(lang)]) if entry else value


def value_text(kind: str, attr: str, value: Any, lang: str) -> str:
    """One attribute (or the key, attr "key") of a fact of `kind`, as a reader sees it: closed values
    in words (sales_office → 售楼处), booleans in words, lists joined; an API, a host or a quoted
    phrase as found."""
    lang = _lang(lang)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _BOOLEANS[lang][0 if value else 1]
    spec = _spec(kind, attr)
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return f"{value[0]}–{value[1]}"
        return _JOINERS[lang].join(value_text(kind, attr, v, lang) for v in value)
    if isinstance(value, Mapping):
        return _JOINERS[lang].join(f"{attr_name(k, lang)}：{value_text(kind, k, v, lang)}" for k, v in value.items())
    if spec is not None and spec.closed and spec.value_set and isinstance(value, str):
        return closed_value(spec.value_set, value, lang)
    return str(value)


def kind_name(kind: str, lang: str) -> str:
    entry = vocab_labels()["kinds"].get(kind)
    return str(entry[_lang(lang)]) if entry else kind


def attr_name(attr: str, lang: str) -> str:
    entry = vocab_labels()["attrs"].get(attr)
    return str(entry[_lang(lang)]) if entry else attr


def why_it_matters(kind: str, lang: str) -> str:
    entry = (vocab_labels()["kinds"].get(kind) or {}).get("why")
    return str(entry[_lang(lang)]) if entry else ""


def is_internal(attr: str) -> bool:
    """Ties between facts and bookkeeping (evidence ids, spans, counts): kept in report.json, not shown."""
    return attr in vocab_labels()["internal"]


class _Shown(dict):
    """Fills a sentence; a placeholder the fact has no value for reads as a dash."""

    def __missing__(self, key: str) -> str:
        return "—"


def fact_sentence(kind: str, key: str, attrs: Mapping[str, Any], lang: str) -> str:
    """The sentence one fact reads as, e.g. 代码调用人脸接口 detectFaces，调用方 …"""
    entry = (vocab_labels()["kinds"].get(kind) or {}).get("fact")
    if not entry:
        shown = "；".join(f"{attr_name(k, lang)}：{value_text(kind, k, v, lang)}" for k, v in attrs.items()
                         if not is_internal(k) and not _is_steps(k, v))
        return f"{kind_name(kind, lang)} {key}" + (f"（{shown}）" if shown else "")
    template = entry[_lang(lang)]
    values = _Shown({name: value_text(kind, name, attrs.get(name), lang) or "—"
                     for _, name, _, _ in string.Formatter().parse(template) if name})
    values["key"] = value_text(kind, "key", key, lang)
    return template.format_map(values)


def fact_words(kind: str, key: str, attrs: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """What a report in `lang` shows of one fact: the kind and key in words, the sentence, why it
    matters, every shown attribute by name with its value in words (internal ones left out), and a
    call path's steps when the fact has one."""
    words: dict[str, Any] = {
        "kind": kind_name(kind, lang),
        "key": value_text(kind, "key", key, lang),
        "sentence": fact_sentence(kind, key, attrs, lang),
        "why": why_it_matters(kind, lang),
        "attrs": {attr: {"name": attr_name(attr, lang), "value": value_text(kind, attr, value, lang)}
                  for attr, value in attrs.items() if not is_internal(attr) and not _is_steps(attr, value)},
    }
    steps = attrs.get(PATH_ATTR)
    if _is_steps(PATH_ATTR, steps) and steps:
        words["path"] = [value_text(kind, PATH_ATTR, step, lang) for step in steps]
    return words


def _is_steps(attr: str, value: Any) -> bool:
    return attr == PATH_ATTR and isinstance(value, (list, tuple))


def evidence_words(ev: Evidence) -> dict[str, dict[str, Any]]:
    """`fact_words` for one fact in every report language."""
    return {lang: fact_words(ev.kind, ev.key, ev.attrs, lang) for lang in WORD_LANGS}
