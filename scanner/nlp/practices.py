"""Decide which practices one sentence states, and with which polarity.

Pure functions over a sentence, its clause analysis (scanner/nlp/clauses.py) and a compiled lexicon;
the spaCy component in components.py calls them per sentence. A practice fires when every cue group
of one of its `when` alternatives matches the sentence; then:
- a sentence that states no practice (definition, heading, question, example, refusal notice) yields
  only the practices whose `also_in` names that kind;
- a face sentence about the phone's own biometrics (面容ID, 系统自带的面容解锁) is the device's doing:
  face_collection is negate when the sentence denies collection or says only a result comes back,
  device-side storage stays, and the other face practices are dropped — unless the face data is given
  to the processor ("…需向我们提供您的人脸图像");
- polarity comes from the clause of each occurrence of the deciding cue: negated in that clause →
  negate; under an exception (除非 / 未经…同意 / unless / 以下情形除外) → conditional; in a later,
  hypothetical case (如需…另行征得, 如涉及合并) → conditional; after consent obtained first (征得您的同意后) →
  the practice's `consent` reading (affirm for face processing: consent is the law's condition for
  doing it, conditional for sharing and transfer abroad). Occurrences combine affirm > conditional > negate;
- a practice that is the processor's act (`agent: processor`) is not stated by a verb that only describes
  information someone else handled ("合作方依照法规共享的信息"), nor by the person's own act ("您可以选择
  公开分享您的照片");
- an item of a list of exceptions ("以下情形除外：…") makes what it affirms conditional;
- a negation that governs exclusivity ("不将人脸识别作为唯一验证方式") negates exclusivity, not the practice;
- a practice with no other polarity than affirm (`polarity: stated`: how to withdraw consent) is not
  stated by a denied cue ("您无法取消订阅交易通知") and is affirm however else its cue reads;
- for separate consent the consent is the practice itself, so consent frames do not make it conditional;
- for alternatives, an exclusivity cue without negation means there is no alternative;
- a practice with `needs_items_or` (the SDK list) needs a named item or a pointer ("详见下表"): "这些SDK" is neither;
- a deciding cue asserts no act in a case the person declines or a check fails (clause condition DECLINED), when it
  names rather than does (a toggled function, an exception's object, a noun it modifies, a time it sets), far from
  the face words (`near`), or when only the person's doing would state it (`person_verbs`: 上传 by the processor is
  upload, not collection);
- a way offered after a declined face case (`declined_way`), or right after a face sentence (`after_face`), is an
  alternative; a practice that `follows` another is stated with its polarity where the other's cue has the
  `follows_near` group beside it (face data shared with a third party is uploaded);
- `negated_when` alternatives fire only when the sentence denies the practice ("我们不会存储您的人脸信息"
  answers the retention question with no period); `affirmed_when` ones only when it does not ("不会留存
  您的人脸图像" denies retention, not collection).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.nlp.clauses import (
    CONSENT,
    DECLINED,
    DEFERRED,
    DEVICE,
    EXCEPTION,
    PERSON,
    PROCESSOR,
    STATEMENT,
    THIRD_PARTY,
    SentenceClauses,
    acted_by_person,
    analyse_sentence,
    describes_information,
    given_to_processor,
    subject_before,
)
from scanner.nlp.lexicon import PolicyLexicon, PracticeSpec

AFFIRM, NEGATE, CONDITIONAL = "affirm", "negate", "conditional"
STRENGTH = {AFFIRM: 0, CONDITIONAL: 1, NEGATE: 2}  # one sentence, several readings: the strongest wins


@dataclass(frozen=True, slots=True)
class PracticeMatch:
    practice: str
    polarity: str
    items: tuple[str, ...] = ()


class _Sentence:
    """A sentence with lazily computed group matches (each group is searched at most once).

    A group the lexicon calls anaphoric (face) also matches a sentence whose anaphor ("上述信息")
    points at a previous sentence that matches it."""

    __slots__ = ("_found", "antecedent", "clauses", "lexicon", "text")

    def __init__(self, text: str, lexicon: PolicyLexicon, clauses: SentenceClauses, antecedent: str) -> None:
        self.text = text
        self.lexicon = lexicon
        self.clauses = clauses
        self.antecedent = antecedent
        self._found: dict[str, re.Match[str] | None] = {}

    def match(self, group: str) -> re.Match[str] | None:
        if group not in self._found:
            pattern = self.lexicon.groups[group]
            found = pattern.search(self.text)
            if (found is None and group in self.lexicon.anaphoric_groups and self.clauses.anaphor
                    and self.antecedent):
                found = pattern.search(self.antecedent)
            self._found[group] = found
        return self._found[group]

    def occurrences(self, group: str) -> list[re.Match[str]]:
        return list(self.lexicon.groups[group].finditer(self.text))


def detect_practices(sentence: str, lexicon: PolicyLexicon, *, section: str = "",
                     is_heading: bool = False, clauses: SentenceClauses | None = None,
                     antecedent: str = "", excepted: bool = False) -> list[PracticeMatch]:
    """Every practice the sentence states (at most one match per practice).

    `clauses` is the sentence's clause analysis (computed here when not given); `antecedent` is the
    sentence before it, for resolving an anaphor; `excepted`: the sentence is an item of a list of
    exceptions ("以下情形除外：… 3、您预订海外酒店的"), so what it affirms happens only in that case."""
    clauses = clauses or analyse_sentence(sentence, lexicon.language)
    sentence, antecedent = lexicon.normalise(sentence), lexicon.normalise(antecedent)
    kind = "heading" if is_heading else clauses.kind
    s = _Sentence(sentence, lexicon, clauses, antecedent)
    # The phone's own biometrics: named as such, or a face sentence whose clause has the device as subject.
    device = bool(s.match("device_biometric")) or (
        any(c.subject == DEVICE for c in clauses.clauses) and s.match("face") is not None)
    if device and any(given_to_processor(clauses, cue.start(), lexicon.language) and not clauses.negated(cue.start())
                      for cue in s.occurrences("collect")):
        device = False  # "使用指纹、刷脸功能登录时，需向我们提供您的人脸图像": the processor receives the face
    found: list[PracticeMatch] = []
    for spec in lexicon.practices:
        if kind != STATEMENT and kind not in spec.also_in:
            continue
        first = next((alt for alt in spec.when if all(s.match(g) for g in alt)), None)
        if first is None and spec.after_face and antecedent and not s.match("face") and \
                lexicon.groups["face"].search(antecedent):
            first = next((alt for alt in spec.after_face if all(s.match(g) for g in alt)), None)
        candidates = [(first, "")] if first is not None else []
        if not candidates:  # alternatives that hold only with one polarity, in the lexicon's order
            candidates = [(alt, wanted) for alts, wanted in ((spec.affirmed_when, AFFIRM),
                                                              (spec.negated_when, NEGATE))
                          for alt in alts if all(s.match(g) for g in alt)]
        if not candidates:
            # the section names the topic of a sentence that states no face practice of its own: "原始照片在比对
            # 完成后即删除" under "保存与删除" is a deletion point (retention), not the person's right to delete
            by_section = not any(m.practice.startswith("face_") for m in found) and _fires_by_section(
                spec.name, sentence, section, lexicon)
            if kind == STATEMENT and (by_section or (spec.declined_way and _way_after_declined(s, spec.declined_way))):
                found.append(PracticeMatch(spec.name, AFFIRM))
            continue
        if any(s.match(g) for g in spec.unless):
            continue
        for alternative, only in candidates:
            polarity = _stated_polarity(spec, alternative, s, device, own_cue=bool(only))
            # a denial-only alternative holds when the sentence denies (an exception may condition the
            # denial: "除非征得您的同意，我们不会储存…"); an affirm-only one when it does not deny
            if polarity and (not only or (only == NEGATE) == (polarity != AFFIRM)):
                if spec.polarity == "stated":  # no other polarity: a denied cue states nothing
                    if polarity == NEGATE:
                        break
                    polarity = AFFIRM
                if excepted and polarity == AFFIRM and spec.polarity == "standard":
                    polarity = CONDITIONAL
                items = _items(spec, sentence, lexicon)
                if spec.needs_items_or and not items and not any(s.match(g) for g in spec.needs_items_or):
                    break  # "这些SDK可能会收集…": no SDK named, no list pointed at
                found.append(PracticeMatch(spec.name, polarity, items))
                break
    return _followers(found, s)


def _followers(found: list[PracticeMatch], s: _Sentence) -> list[PracticeMatch]:
    """Add each practice that `follows` a found one ("我们不会向第三方共享您的人脸信息": the face data's upload is
    denied too) where a deciding cue of the found one has the follower's `follows_near` group beside it."""
    stated = {m.practice: m for m in found}
    for spec in s.lexicon.practices:
        leader = stated.get(spec.follows) if spec.follows else None
        if leader is None or spec.name in stated:
            continue
        followed = next(p for p in s.lexicon.practices if p.name == spec.follows)
        cues = [cue for group in followed.polarity_on if s.match(group) for cue in s.occurrences(group)]
        if not spec.follows_near or any(_shares_near(s, cue, spec.follows_near) for cue in cues):
            found.append(PracticeMatch(spec.name, leader.polarity))
    return found


def _shares_near(s: _Sentence, cue: re.Match[str], group: str) -> bool:
    """`group` is in the cue's clause, or beside it while the cue's clause names no data of its own ("采集您的人脸
    照片，并与合作伙伴共享您的订单信息" shares the order data)."""
    groups = s.lexicon.groups
    clause = s.clauses.clause_at(cue.start())
    if groups[group].search(s.text, clause.start, clause.end):
        return True
    return (bool(groups[group].search(s.text)) and _near(s, cue, group)
            and not groups["data_noun"].search(s.text, clause.start, clause.end))


def _stated_polarity(spec: PracticeSpec, alternative: tuple[str, ...], s: _Sentence, device: bool,
                     own_cue: bool = False) -> str:
    """The practice's polarity, or "" when the phone's own biometrics leave nothing to state. With
    `own_cue` the alternative's last group decides (the group that makes an only-when alternative hold)."""
    polarity = _polarity(spec, alternative, s, own_cue)
    if device and spec.on_device != "keep":
        if spec.on_device == "result" and (s.clauses.result_only or _denied(spec, alternative, s)):
            return NEGATE
        if spec.on_device == "denied" and polarity == NEGATE:
            return NEGATE  # "其信息由手机终端提供商处理，我们不留存…": the processor answers for itself
        return ""
    if spec.on_device == "result" and s.clauses.result_only and polarity == AFFIRM:
        return NEGATE  # "我们只获得验证结果": the face data itself is not obtained
    return polarity


def _way_after_declined(s: _Sentence, way: str) -> bool:
    """A clause of the case the person declines names face data, and a later clause outside it opens with `way`,
    denies nothing and withdraws nothing ("可以随时撤回授权", "请不要开通" offer no other way through)."""
    clauses = s.clauses.clauses
    groups = s.lexicon.groups
    for i, clause in enumerate(clauses):
        if clause.condition == DECLINED and groups["face"].search(s.text, clause.start, clause.end):
            return any(c.condition != DECLINED and groups[way].match(s.text, c.start) and not c.negations
                       and not groups["withdraw"].search(s.text, c.start, c.end) for c in clauses[i + 1:])
    return False


def _fires_by_section(practice: str, sentence: str, section: str, lexicon: PolicyLexicon) -> bool:
    """A heading names its topic; sentences under it that repeat the topic word belong to it."""
    pattern = lexicon.section_practices.get(practice)
    if pattern is None or not section or not pattern.search(section):
        return False
    return bool(pattern.search(sentence))


def _polarity(spec: PracticeSpec, alternative: tuple[str, ...], s: _Sentence, own_cue: bool = False) -> str:
    if spec.polarity == "none":
        # no other polarity, but a cue that only names a thing ("门禁终端", "身份认证服务机构") states nothing
        if spec.modifier_after and not _deciding_cues(spec, alternative, s, asserted_only=True):
            return ""
        return AFFIRM
    lexicon = s.lexicon
    if spec.polarity == "alternative":
        exclusive = lexicon.exclusivity.search(s.text)
        if exclusive is not None and not s.match("alternative"):
            return AFFIRM if s.clauses.negated(exclusive.start()) else NEGATE
    if own_cue:
        cues = [cue for cue in s.occurrences(alternative[-1]) if not _on_foreign_object(spec, s, cue)]
        if not cues:
            return ""  # every cue is about other data named in its own clause
    else:
        cues = _deciding_cues(spec, alternative, s, asserted_only=True)
    if not cues and not own_cue and _deciding_cues(spec, alternative, s):
        return ""  # every cue dates something, modifies a noun ("核验结束后", "已录入的人脸信息") or is about other data
    if spec.agent == "processor" and cues:
        language = s.lexicon.language
        cues = [cue for cue in cues if not describes_information(s.clauses, cue.start(), cue.end(), language)
                and not acted_by_person(s.clauses, cue.start(), language)]
        if not cues:
            return ""  # every cue describes what another party handled, or the person does it: nothing is stated
    readings = [_reading(spec, s, cue) for cue in cues]
    if not readings:  # the cue came from the antecedent: the sentence's own clauses decide nothing
        return AFFIRM
    return min(readings, key=STRENGTH.__getitem__)


def _on_foreign_object(spec: PracticeSpec, s: _Sentence, cue: re.Match[str]) -> bool:
    """The practice names a foreign object and the cue is about it (see _about_other_data)."""
    return bool(spec.foreign_object) and _about_other_data(spec.foreign_object, s, cue)


def _about_other_data(group: str, s: _Sentence, cue: re.Match[str]) -> bool:
    """The cue's clause names other data (`group`) and no face data: the cue is about that data."""
    clause = s.clauses.clause_at(cue.start())
    patterns = s.lexicon.groups
    return bool(patterns[group].search(s.text, clause.start, clause.end)) and not patterns["face"].search(
        s.text, clause.start, clause.end)


def _deciding_cues(spec: PracticeSpec, alternative: tuple[str, ...], s: _Sentence,
                   asserted_only: bool = False) -> list[re.Match[str]]:
    """Every occurrence of every `polarity_on` group the sentence matches (else of the alternative's last);
    with `asserted_only`, without the occurrences that assert no act (`_asserts`) or are about other data named
    in their own clause (`foreign_object`: "拍照或录像后上传"), a group left empty skipped."""
    groups = [g for g in spec.polarity_on if s.match(g)] or [alternative[-1]]
    by_group = [[cue for cue in s.occurrences(g)
                 if not asserted_only or (_asserts(spec, s, cue) and not _on_foreign_object(spec, s, cue))]
                for g in groups]
    by_group = [cues for cues in by_group if cues]
    if spec.polarity_first and not any(c.subject == THIRD_PARTY for c in s.clauses.clauses):
        by_group = by_group[:1]  # …but what we deny obtaining, a third party inside the service may still process
    return [cue for cues in by_group for cue in cues]


def _asserts(spec: PracticeSpec, s: _Sentence, cue: re.Match[str]) -> bool:
    """The cue states an act: it is not in a case the person declines or a check fails ("如您不便进行人脸核验，
    也可以…": the scan is supposed, not done), it does not date something ("自首次抓拍之日起", "核验结束后"), and
    unless the processor is its subject it does not name a function someone switches ("关闭刷脸开门") nor modify a
    noun ("已录入的人脸信息", "认证服务商"; "我们…采集的人脸信息" does state it)."""
    if spec.unasserted_if_declined and s.clauses.condition_at(cue.start()) == DECLINED:
        return False
    if spec.near and not _near(s, cue, spec.near):
        return False
    if spec.person_verbs and s.lexicon.groups[spec.person_verbs].fullmatch(cue.group()) \
            and subject_before(s.clauses, cue.start()) != PERSON:
        return False
    groups = s.lexicon.groups
    if spec.unasserted_after and groups[spec.unasserted_after].match(s.text, cue.end()):
        return False
    if (spec.unasserted_before
            and groups[spec.unasserted_before].search(s.text, s.clauses.clause_at(cue.start()).start, cue.start())
            and subject_before(s.clauses, cue.start()) != PROCESSOR):
        return False
    return not (spec.modifier_after and groups[spec.modifier_after].match(s.text, cue.end())
                and subject_before(s.clauses, cue.start()) != PROCESSOR)


def _near(s: _Sentence, cue: re.Match[str], group: str) -> bool:
    """`group` occurs in the cue's clause or the clause before or after it, or after the cue past a list lead-in
    ("需要您提供以下信息，包括姓名、…、人脸信息"); a group the sentence only has through its antecedent ("收集上述信息")
    is near everywhere."""
    pattern = s.lexicon.groups[group]
    if not pattern.search(s.text):
        return True
    clauses = s.clauses.clauses
    index = clauses.index(s.clauses.clause_at(cue.start()))
    start, end = clauses[max(index - 1, 0)].start, clauses[min(index + 1, len(clauses) - 1)].end
    if pattern.search(s.text, start, end):
        return True
    later = pattern.search(s.text, end)
    return later is not None and bool(s.lexicon.groups["list_lead_in"].search(s.text, cue.end(), later.start()))


def _denied(spec: PracticeSpec, alternative: tuple[str, ...], s: _Sentence) -> bool:
    """Some occurrence of the deciding cue is negated ("面容ID由手机系统验证，我们不会获取您的面部信息")."""
    return any(_reading(spec, s, cue) == NEGATE for cue in _deciding_cues(spec, alternative, s))


def _reading(spec: PracticeSpec, s: _Sentence, cue: re.Match[str]) -> str:
    """The polarity one occurrence of the deciding cue has in its clause."""
    clauses, pos = s.clauses, cue.start()
    # a cue that names its actor before the verb ("该SDK不会收集") is denied where its verb is; one that opens with
    # its own negation ("never leaves your device", "不离开") states what it names
    own_negation = any(a == pos for a, _ in clauses.clause_at(pos).negations)
    denied_verb = clauses.negated(cue.end() - 1) and not own_negation
    negated = (clauses.negated(pos) or denied_verb) and not _exclusivity_or_outside(s, cue)
    condition = clauses.condition_at(pos)
    if spec.polarity == "consent":
        if negated and condition == EXCEPTION:
            return AFFIRM  # "not … without your explicit consent": consent is required
        return NEGATE if negated else AFFIRM
    if condition in (EXCEPTION, DEFERRED):
        return CONDITIONAL
    if condition == CONSENT:
        return CONDITIONAL if negated else spec.consent
    return NEGATE if negated else AFFIRM


def _exclusivity_or_outside(s: _Sentence, cue: re.Match[str]) -> bool:
    clause = s.clauses.clause_at(cue.start())
    if s.lexicon.exclusivity.search(s.text, clause.start, clause.end):
        return True  # "not the only way" negates exclusivity; the practice itself is stated
    return bool(s.lexicon.outside_scope.match(s.text, cue.end()))  # "不提供人脸识别以外的…"


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
    window = sentence[window_start:sdk_end - 3].rstrip(" *_\u3000")  # "腾讯bugly SDK", "**阿里语音合成** **SDK**"
    if window.endswith("的"):
        window = window[:-1]  # "接入腾讯的SDK": the owner is the name
    cut = 0
    for stop in lexicon.sdk_name_stop.finditer(window):
        cut = stop.end()
    name = window[cut:].strip(" *_")
    if not name or not re.search(r"[\u4e00-\u9fffA-Za-z]", name):
        return ""
    gap = " " if sentence[max(0, sdk_end - 4):sdk_end - 3] == " " else ""
    return name + gap + sentence[sdk_end - 3:sdk_end]
