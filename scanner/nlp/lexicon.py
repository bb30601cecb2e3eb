"""Load the policy lexicons (rules/lexicon/policy_{zh,en}.yaml) into compiled regular expressions.

The lexicon is data; this module only checks its shape and compiles it once per process. A file
that does not load raises RuleLoadError naming the file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, TypeVar

import yaml

from scanner.errors import RuleLoadError
from scanner.yamldata import load_yaml

LANGUAGES = ("zh", "en")
POLARITY_MODES = ("standard", "consent", "alternative", "none", "stated")
CONSENT_READINGS = ("affirm", "conditional")
DEVICE_MODES = ("keep", "drop", "result", "denied")
NON_STATEMENTS = ("definition", "heading", "question", "example", "refusal", "update", "feature_menu", "other_actor")
PLAIN_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
T = TypeVar("T")


@dataclass(frozen=True)
class PracticeSpec:
    """When a practice fires on a sentence and how its polarity is decided."""

    name: str
    when: tuple[tuple[str, ...], ...]  # alternatives; every group of one alternative must match
    polarity_on: tuple[str, ...]  # groups whose clauses decide polarity (every one that matched)
    polarity: str  # one of POLARITY_MODES
    unless: tuple[str, ...]
    items: str  # "", "sdk" or "data"
    negated_when: tuple[tuple[str, ...], ...] = ()  # alternatives that fire only when the sentence denies it
    affirmed_when: tuple[tuple[str, ...], ...] = ()  # alternatives that fire only when it is not denied
    consent: str = "conditional"  # the reading after consent obtained first: "affirm" or "conditional"
    # the phone's own biometrics: "keep", "drop", "result" (negate or drop) or "denied" (a denial stays, else drop)
    on_device: str = "keep"
    also_in: tuple[str, ...] = ()  # non-statement kinds (clauses.py) the practice still fires in
    agent: str = ""  # "processor": the processor's own act; a cue describing others' information is none
    # a group naming other data: a deciding cue whose clause names such data and no face data is about that
    # data ("拍照或录像后上传"), not about the practice's
    foreign_object: str = ""
    polarity_first: bool = False  # only the first group of polarity_on that matched decides (no third party acts)
    # the practice needs items (a named SDK) or one of these groups (a pointer to a list): "这些SDK" names none
    needs_items_or: tuple[str, ...] = ()
    # a group that, right after a deciding cue, makes it date something ("自首次抓拍之日起", "核验结束后"): such a
    # cue asserts nothing
    unasserted_after: str = ""
    # a group that, ending right before a deciding cue, makes it name a function rather than do it ("关闭刷脸开门")
    unasserted_before: str = ""
    # a group that, right after a deciding cue, makes it modify a noun ("已录入的人脸", "抓拍的面部图像"): such a
    # cue asserts nothing unless the processor is its subject ("我们在征得同意后采集的人脸信息")
    modifier_after: str = ""
    # a deciding cue in a case the person declines or a check fails (the clause condition DECLINED: "如您不便进行
    # 人脸核验，也可以…") asserts nothing: the act is supposed, not done
    unasserted_if_declined: bool = False
    # a group that must occur in the deciding cue's clause or beside it: a verb three clauses away from the face
    # words is about something else ("如您不希望识别您的面部，…，同样可以获得美化效果")
    near: str = ""
    # a group opening a clause after a case the person declines that names face data ("如您不愿意刷脸，可由管家
    # 核验证件"): that clause offers the way instead, the practice is affirm
    declined_way: str = ""
    # another practice whose statement also states this one, with its polarity, where its deciding cue has the
    # `follows_near` group beside it: face data passed to a third party leaves the device (GUIDE.md, Face)
    follows: str = ""
    follows_near: str = ""
    # a group of verbs that state the practice only when the person is their subject ("请您上传正脸照片" gives the face;
    # "我们不会将您的人脸照片上传至云平台" only sends what is held: upload, not collection)
    person_verbs: str = ""
    # alternatives that also hold in a sentence right after one naming face data, with no face word of its own
    # ("刷脸开门已开通。您也可以刷门卡进入。": the other way is offered for the face check; GUIDE.md, Face)
    after_face: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ChecklistItem:
    name: str
    practices: tuple[str, ...]
    pattern: re.Pattern[str] | None
    basis: str


@dataclass(frozen=True)
class PolicyLexicon:
    language: str
    version: int
    outside_scope: re.Pattern[str]
    exclusivity: re.Pattern[str]
    groups: Mapping[str, re.Pattern[str]]
    anaphoric_groups: frozenset[str]  # groups an anaphor ("上述信息") may take from the sentence before
    practices: tuple[PracticeSpec, ...]
    data_items: Mapping[str, re.Pattern[str]]
    sdk_names: re.Pattern[str]
    sdk_name_stop: re.Pattern[str]
    section_practices: Mapping[str, re.Pattern[str]]
    checklist: tuple[ChecklistItem, ...]
    policy_name: re.Pattern[str]  # a document that names itself so is a privacy policy
    policy_min_practices: int  # …as is one that states this many different practices
    words: tuple[str, ...]  # compound terms for a word segmenter
    # Characters read as another before the patterns are matched (the second person 你 as 您): the patterns
    # are written with one spelling; the table keeps offsets (one character for one).
    spellings: Mapping[int, str] = field(default_factory=dict)
    # practice → a line that is one field of a list entry ("官网链接：…", "使用目的：…"): it continues the
    # practice the line before it stated (an SDK list's entries run over several lines)
    entry_fields: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    # the field of an SDK list entry that lists what the SDK collects: the third party collects it, so it is
    # shared with it, and face data listed there is collected and leaves the device (GUIDE.md, SDK tables)
    entry_data_field: re.Pattern[str] | None = None

    def normalise(self, text: str) -> str:
        # the membership test is much cheaper than translate(), and most texts hold none of the characters
        if any(chr(code) in text for code in self.spellings):
            return text.translate(self.spellings)
        return text

    def terms(self) -> tuple[str, ...]:
        """Words for a word segmenter's user dictionary: the `words` list plus every group
        alternative that is a plain word (no regex syntax)."""
        words: set[str] = set(self.words)
        for pattern in self.groups.values():
            words.update(a for a in _top_level_alternatives(pattern.pattern) if PLAIN_WORD.fullmatch(a))
        return tuple(sorted(w for w in words if len(w) >= 2))


def _top_level_alternatives(pattern: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth, escaped = 0, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth <= 1:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    # The compiled pattern wraps each list entry as (?:…): strip that wrapper.
    return [p.removeprefix("(?:").removesuffix(")") for p in parts]


@functools.cache
def load_lexicon(language: str) -> PolicyLexicon:
    if language not in LANGUAGES:
        raise ValueError(f"no policy lexicon for language {language!r}")
    return compile_lexicon_file(f"policy_{language}.yaml", _compile)


def compile_lexicon_file(name: str, compile_data: Callable[[Mapping[str, Any]], T]) -> T:
    """rules/lexicon/NAME read, parsed and compiled; a file that does not load or compile is a
    RuleLoadError naming it (every lexicon of the text analysis loads through here)."""
    path = resources.files("rules") / "lexicon" / name
    try:
        return compile_data(load_yaml(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
        raise RuleLoadError(f"rules/lexicon/{name}: {exc}") from exc


def _compile(data: Mapping[str, Any]) -> PolicyLexicon:
    flags = re.IGNORECASE if data.get("ignore_case") else 0

    def rx(value: str | list[str]) -> re.Pattern[str]:
        alternatives = [value] if isinstance(value, str) else list(value)
        return re.compile("|".join(f"(?:{a})" for a in alternatives), flags)

    groups = {name: rx(patterns) for name, patterns in data["groups"].items()}
    # Frames with their own top-level key can also be used as groups in practice conditions.
    groups |= {"device_biometric": rx(data["device_biometric"]), "exclusivity": rx(data["exclusivity"]),
               "sdk_name": rx(data["sdk_names"])}
    practices = tuple(_practice(name, spec, groups) for name, spec in data["practices"].items())
    if unknown := {p.follows for p in practices if p.follows} - {p.name for p in practices}:
        raise ValueError(f"practices follow unknown practices {sorted(unknown)}")
    return PolicyLexicon(
        language=data["language"],
        version=int(data["version"]),
        outside_scope=re.compile(data["outside_scope"], flags),
        exclusivity=groups["exclusivity"],
        groups=groups,
        anaphoric_groups=frozenset(data.get("anaphoric_groups") or ()) & set(groups),
        practices=practices,
        data_items={k: rx(v) for k, v in data["data_items"].items()},
        sdk_names=rx(data["sdk_names"]),
        sdk_name_stop=re.compile(data["sdk_name_stop"], flags),
        section_practices={k: rx(v) for k, v in data["section_practices"].items()},
        checklist=tuple(_checklist_item(k, v, rx) for k, v in data["checklist"].items()),
        policy_name=rx(data["policy_like"]["name"]),
        policy_min_practices=int(data["policy_like"]["min_practices"]),
        words=tuple(data.get("words") or ()),
        spellings=_spellings(data.get("spellings") or {}),
        entry_fields={k: rx(v) for k, v in (data.get("entry_fields") or {}).items()},
        entry_data_field=rx(data["entry_data_field"]) if data.get("entry_data_field") else None,
    )


def _practice(name: str, spec: Mapping[str, Any], groups: Mapping[str, re.Pattern[str]]) -> PracticeSpec:
    known = set(groups)
    when = tuple(tuple(alt) for alt in spec["when"])
    negated_when = tuple(tuple(alt) for alt in spec.get("negated_when", ()))
    after_face = tuple(tuple(alt) for alt in spec.get("after_face", ()))
    affirmed_when = tuple(tuple(alt) for alt in spec.get("affirmed_when", ()))
    used = ({g for alt in when + negated_when + affirmed_when + after_face for g in alt} | set(spec.get("polarity_on", ()))
            | set(spec.get("unless", ())) | set(spec.get("needs_items_or", ()))
            | ({spec["foreign_object"], "face"} if spec.get("foreign_object") else set())
            | {spec[k] for k in ("unasserted_after", "unasserted_before", "modifier_after", "near", "declined_way",
                                   "follows_near", "person_verbs") if spec.get(k)})
    if missing := used - known:
        raise ValueError(f"practice {name} uses unknown groups {sorted(missing)}")
    polarity = spec.get("polarity", "standard")
    if polarity not in POLARITY_MODES:
        raise ValueError(f"practice {name}: polarity must be one of {POLARITY_MODES}")
    consent = spec.get("consent", "conditional")
    on_device = spec.get("on_device", "keep")
    also_in = tuple(spec.get("also_in", ()))
    agent = spec.get("agent", "")
    if agent not in ("", "processor"):
        raise ValueError(f"practice {name}: agent must be 'processor' or absent")
    if consent not in CONSENT_READINGS or on_device not in DEVICE_MODES or set(also_in) - set(NON_STATEMENTS):
        raise ValueError(f"practice {name}: consent must be one of {CONSENT_READINGS}, on_device one of "
                         f"{DEVICE_MODES}, also_in within {NON_STATEMENTS}")
    return PracticeSpec(
        name=name,
        when=when,
        polarity_on=tuple(spec.get("polarity_on", ())),
        polarity=polarity,
        unless=tuple(spec.get("unless", ())),
        items=spec.get("items", ""),
        negated_when=negated_when,
        affirmed_when=affirmed_when,
        consent=consent,
        on_device=on_device,
        also_in=also_in,
        agent=agent,
        polarity_first=bool(spec.get("polarity_first", False)),
        foreign_object=spec.get("foreign_object", ""),
        needs_items_or=tuple(spec.get("needs_items_or", ())),
        unasserted_after=spec.get("unasserted_after", ""),
        unasserted_before=spec.get("unasserted_before", ""),
        modifier_after=spec.get("modifier_after", ""),
        unasserted_if_declined=bool(spec.get("unasserted_if_declined", False)),
        near=spec.get("near", ""),
        declined_way=spec.get("declined_way", ""),
        follows=spec.get("follows", ""),
        follows_near=spec.get("follows_near", ""),
        after_face=after_face,
        person_verbs=spec.get("person_verbs", ""),
    )


def _spellings(table: Mapping[str, str]) -> dict[int, str]:
    if any(len(k) != 1 or len(v) != 1 for k, v in table.items()):
        raise ValueError("spellings: each entry maps one character to one character")
    return {ord(k): v for k, v in table.items()}


def _checklist_item(name: str, spec: Mapping[str, Any], rx: Any) -> ChecklistItem:
    pattern = spec.get("pattern")
    return ChecklistItem(
        name=name,
        practices=tuple(spec.get("practices", ())),
        pattern=rx(pattern) if pattern else None,
        basis=spec["basis"],
    )
