"""Decide which practices one sentence states, and with which polarity.

Pure functions over a sentence and a compiled lexicon; the spaCy component in components.py calls
them per sentence. Polarity rules (see the lexicon for the cue lists):
- negation is looked for in the clause of the practice's deciding cue, before the cue;
- a negation that governs exclusivity ("不将人脸识别作为唯一验证方式") negates exclusivity, not the practice;
- a practice conditioned on the individual's consent ("除非取得您的单独同意，我们不会…") is conditional:
  it happens, with consent;
- for separate consent the consent is the practice itself, so consent frames do not make it conditional;
- for alternatives, an exclusivity cue without negation means there is no alternative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.nlp.lexicon import PolicyLexicon, PracticeSpec

AFFIRM, NEGATE, CONDITIONAL = "affirm", "negate", "conditional"


@dataclass(frozen=True, slots=True)
class PracticeMatch:
    practice: str
    polarity: str
    items: tuple[str, ...] = ()


class _Sentence:
    """A sentence with lazily computed group matches (each group is searched at most once)."""

    __slots__ = ("_found", "lexicon", "text")

    def __init__(self, text: str, lexicon: PolicyLexicon) -> None:
        self.text = text
        self.lexicon = lexicon
        self._found: dict[str, re.Match[str] | None] = {}

    def match(self, group: str) -> re.Match[str] | None:
        if group not in self._found:
            self._found[group] = self.lexicon.groups[group].search(self.text)
        return self._found[group]


def detect_practices(sentence: str, lexicon: PolicyLexicon, *, section: str = "",
                     is_heading: bool = False) -> list[PracticeMatch]:
    """Every practice the sentence states (at most one match per practice)."""
    s = _Sentence(sentence, lexicon)
    definitional: bool | None = None
    found: list[PracticeMatch] = []
    for spec in lexicon.practices:
        alternative = next((alt for alt in spec.when if all(s.match(g) for g in alt)), None)
        if alternative is None:
            if _fires_by_section(spec.name, sentence, section, is_heading, lexicon):
                found.append(PracticeMatch(spec.name, AFFIRM))
            continue
        if any(s.match(g) for g in spec.unless):
            continue
        if spec.unless_definition:
            if definitional is None:
                definitional = _is_definition(sentence, lexicon)
            if definitional:
                continue
        found.append(PracticeMatch(spec.name, _polarity(spec, alternative, s), _items(spec, sentence, lexicon)))
    return found


def _fires_by_section(practice: str, sentence: str, section: str, is_heading: bool,
                      lexicon: PolicyLexicon) -> bool:
    """A heading names its topic; sentences under it that repeat the topic word belong to it."""
    pattern = lexicon.section_practices.get(practice)
    if pattern is None or not section or not pattern.search(section):
        return False
    return is_heading or bool(pattern.search(sentence))


def _is_definition(sentence: str, lexicon: PolicyLexicon) -> bool:
    return bool(lexicon.definition.search(sentence)) and not lexicon.practice_actor.search(sentence)


def _polarity(spec: PracticeSpec, alternative: tuple[str, ...], s: _Sentence) -> str:
    if spec.polarity == "none":
        return AFFIRM
    lexicon = s.lexicon
    if spec.polarity == "alternative":
        exclusive = lexicon.exclusivity.search(s.text)
        if exclusive is not None and not s.match("alternative"):
            return AFFIRM if _negation_before(s.text, exclusive.start(), lexicon) else NEGATE
    if spec.polarity == "consent" and lexicon.consent_condition.search(s.text):
        return AFFIRM  # "not … without your explicit consent": consent is required
    deciding = [g for g in spec.polarity_on if s.match(g)] or [alternative[-1]]
    negated = all(_is_negated(s.text, m, lexicon)
                  for g in deciding for m in lexicon.groups[g].finditer(s.text))
    if spec.polarity == "standard" and lexicon.consent_condition.search(s.text):
        return CONDITIONAL
    return NEGATE if negated else AFFIRM


def _clause_bounds(text: str, pos: int, lexicon: PolicyLexicon) -> tuple[int, int]:
    start, end = 0, len(text)
    for sep in lexicon.clause_split.finditer(text):
        if sep.end() <= pos:
            start = sep.end()
        elif sep.start() > pos:
            end = sep.start()
            break
    return start, end


def _masked(text: str, lexicon: PolicyLexicon) -> str:
    """The text with non-negating look-alikes (不限于, 未满, not limited to …) blanked out."""
    return lexicon.negation_exempt.sub(lambda m: "_" * len(m.group()), text)


def _negation_before(text: str, pos: int, lexicon: PolicyLexicon) -> bool:
    start, end = _clause_bounds(text, pos, lexicon)
    return _cue_before(text[start:end], pos - start, lexicon)


def _is_negated(text: str, cue: re.Match[str], lexicon: PolicyLexicon) -> bool:
    start, end = _clause_bounds(text, cue.start(), lexicon)
    clause = text[start:end]
    if lexicon.exclusivity.search(clause):
        return False  # "not the only way" negates exclusivity; the practice itself is stated
    if lexicon.outside_scope.match(text, cue.end()):
        return False  # "不提供人脸识别以外的…": the negation is about something else
    return _cue_before(clause, cue.start() - start, lexicon)


def _cue_before(clause: str, pos: int, lexicon: PolicyLexicon) -> bool:
    """A negation cue starts before `pos` (cues may look ahead past it: 不(?=采集))."""
    masked = _masked(clause, lexicon)
    return any(m.start() < pos for m in lexicon.negation.finditer(masked))


def _items(spec: PracticeSpec, sentence: str, lexicon: PolicyLexicon) -> tuple[str, ...]:
    if spec.items == "sdk":
        return sdk_names(sentence, lexicon)
    if spec.items == "data":
        return tuple(name for name, rx in lexicon.data_items.items() if rx.search(sentence))
    return ()


def sdk_names(sentence: str, lexicon: PolicyLexicon) -> tuple[str, ...]:
    """SDK names a sentence lists: known product names, and the name run written before "SDK"."""
    found = [(m.start(), m.group().strip()) for m in lexicon.sdk_names.finditer(sentence)]
    for m in re.finditer(r"SDK", sentence, re.IGNORECASE):
        name = _name_before(sentence, m.end(), lexicon)
        if name:
            found.append((m.end() - len(name), name))
    names = [name for _, name in sorted(found)]
    unique = list(dict.fromkeys(n for n in names if n))
    # "腾讯云慧眼" inside "腾讯云慧眼人脸核身SDK" is the same item: keep the longest spelling.
    return tuple(n for n in unique if not any(n != other and n in other for other in unique))


def _name_before(sentence: str, sdk_end: int, lexicon: PolicyLexicon) -> str:
    window_start = max(0, sdk_end - 3 - 24)
    window = sentence[window_start:sdk_end - 3]
    cut = 0
    for stop in lexicon.sdk_name_stop.finditer(window):
        cut = stop.end()
    name = window[cut:].strip()
    if not name or not re.search(r"[\u4e00-\u9fffA-Za-z]", name):
        return ""
    return name + sentence[sdk_end - 3:sdk_end]
