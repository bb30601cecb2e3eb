"""Clause analysis of policy sentences: clauses, negation scope, conditions, subjects, non-statements.

The policy reader decides a practice's polarity from the clause that holds the practice's deciding
cue; this module says what that clause is. The cues are data (rules/lexicon/clauses_{zh,en}.yaml).

Public API
- `analyse_sentence(text, language) -> SentenceClauses` — one sentence on its own.
- `analyse_sentences(doc, bounds, language) -> list[SentenceClauses]` — every sentence of a Doc in one
  PhraseMatcher pass over the document (the zh pipeline's per-character tokens, the en tokenizer's words).
- spaCy component `fangcun_clauses_v1` (config: language): sets `Doc._.fangcun_clauses`, one
  SentenceClauses per entry of `Doc._.fangcun_sentences`, in the same order.
- `subject_before(clauses, start)` — the nearest subject marked before an offset in its clause.
- `describes_information(clauses, start, end, language)` — the verb there only describes information
  another party handled (…依照法规共享的信息, 向我们分享).
- `acted_by_person(clauses, start, language)` — the verb there is the person's own act (您公开分享…);
  `given_to_processor(clauses, start, language)` — the processor receives what the verb there passes (向我们提供).
- `SentenceClauses`: `kind` (STATEMENT or a non-statement: DEFINITION, HEADING, QUESTION, EXAMPLE, REFUSAL,
  UPDATE, FEATURE_MENU, OTHER_ACTOR),
  `clauses`, `first_person` (the processor is the subject of a processing verb), `result_only`,
  `anaphor`, and per character offset `clause_at`, `negated`, `condition_at`, `subject_at`.
- `Clause`: start, end, subject (PROCESSOR, DEVICE, THIRD_PARTY, PERSON or ""), condition (EXCEPTION,
  CONSENT, DEFERRED, DECLINED or ""), negation scopes.

How a sentence is read
- Clauses end at the separators (，；：（）…); 、 and 或 do not end one, so "我们不会收集、存储或上传您的人脸信息"
  is one clause and its negation covers every verb of the group and the shared object.
- A negation reaches from its cue to the end of its clause or to a scope reset (但 / 而是 / 仅 / but / only)
  or an extent word (永久 / 长期 / 超出 / permanently): "不会永久保存" denies the "forever", not the storing.
  Look-alikes (不限于, 不同意, 未满, not limited to) negate nothing. A bare 不 negates only right before a
  processing verb or a verb-marking word (不在 / 不将 / 不向 …).
- A condition covers its own clause, the clauses after it, and the lead-in clauses before it back to one
  whose own subject is the processor; one that closes the sentence with no verb of its own ("…，除非取得
  您的同意") covers every clause. EXCEPTION is 除非 / 未经…同意 / unless / without your consent;
  CONSENT is consent obtained first (征得您的同意后); DEFERRED is a later, hypothetical case (如需…将另行
  征得您的同意; 如涉及合并、收购…), which covers the clauses its frame spans, and a case the future may bring
  (将来如发生…), which covers the rest of the sentence. DECLINED is the case in which the
  person declines, cannot, or a check fails (如您不愿意进行刷脸认证，…; 如识别失败，…): it covers its frame's own
  clauses, and what they name is only supposed, not done.
- A table field answered no ("是否向第三方共享：否") negates the clauses before the answer.
- A clause's subject is the first subject phrase in it (a device subject also as 由手机系统…), else the
  subject of the clause before it.
- A definition or category list (是指 / 包括 / 属于… with no first-person processing verb), and each of its items
  that "；" splits off on the same line (敏感个人信息包括：银行账户；人脸照片；), a heading or title
  line, a question or an overview ("向您说明我们如何收集…"), an example introduced as such, a policy-change
  notice, a refusal notice ("拒绝提供将无法使用…") and what another party does on its own terms ("相关人脸信息由该
  支付机构按照其自身规则直接处理", an employer's own gates) are not statements of practice.

Access notices (the section at the end): `notice_clauses` and the other `notice_*` functions read
the audience, withdrawal and purpose of each clause of a page notice or an app text.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
import spacy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from scanner.nlp.lexicon import compile_lexicon_file

STATEMENT, DEFINITION, HEADING, QUESTION, EXAMPLE, REFUSAL, UPDATE, FEATURE_MENU, OTHER_ACTOR = (
    "statement", "definition", "heading", "question", "example", "refusal", "update", "feature_menu", "other_actor")
PROCESSOR, DEVICE, THIRD_PARTY, PERSON = "processor", "device", "third_party", "person"
EXCEPTION, CONSENT, DEFERRED, DECLINED = "exception", "consent", "deferred", "declined"

# Phrase labels of the matcher.
_NEG, _BARE, _BARE_TIGHT, _EXEMPT, _RESET, _VERB, _HEAD, _EXTENT = (
    "NEG", "BARE", "BARE_TIGHT", "EXEMPT", "RESET", "VERB", "HEAD", "EXTENT")
# The text a Doc was made from, kept by our tokenizers or read once by the sentence splitter: spaCy's
# doc.text joins every token anew, which costs as much as the model itself on a long policy.
if not Doc.has_extension("fangcun_text"):
    Doc.set_extension("fangcun_text", default=None)

_SUBJECT_LABELS = {f"SUBJ_{s}": s for s in (PROCESSOR, DEVICE, THIRD_PARTY, PERSON)}
FIRST_PERSON_WINDOW = 21  # characters from the processor to its verb ("我们收集的敏感个人信息包括…")


@dataclass(frozen=True, slots=True)
class Clause:
    start: int  # character offsets in the sentence
    end: int
    subject: str
    condition: str
    negations: tuple[tuple[int, int], ...]  # (from, to) character scopes of the negations in the clause


@dataclass(frozen=True, slots=True)
class SentenceClauses:
    text: str
    kind: str
    clauses: tuple[Clause, ...]
    first_person: bool
    result_only: bool
    anaphor: bool
    # (start, subject kind) of every subject phrase that is not the object of a preposition (向第三方)
    subject_marks: tuple[tuple[int, str], ...] = ()

    def clause_at(self, pos: int) -> Clause:
        starts = [c.start for c in self.clauses]
        return self.clauses[max(0, bisect.bisect_right(starts, pos) - 1)]

    def negated(self, pos: int) -> bool:
        """A negation starts before `pos` and reaches it (a cue that begins with one, "never leaves your
        device", is not negated by itself)."""
        return any(a < pos < b for a, b in self.clause_at(pos).negations)

    def condition_at(self, pos: int) -> str:
        return self.clause_at(pos).condition

    def subject_at(self, pos: int) -> str:
        return self.clause_at(pos).subject


@dataclass(frozen=True)
class ClauseCues:
    language: str
    separator_pattern: re.Pattern[str]
    matcher: PhraseMatcher
    vocab: Vocab
    bare_window: int
    # a cue that opens with a subject phrase is that subject's act ("服务商将读取…"); in English a phrase at the
    # cue's start is its object ("third parties" of "to third parties")
    subject_opens_cue: bool
    frames: Mapping[str, re.Pattern[str]]
    labels: Mapping[int, str]  # matcher match id → phrase label


def describes_information(clauses: SentenceClauses, start: int, end: int, language: str) -> bool:
    """The verb at text[start:end] only describes information that someone other than the processor
    handled ("合作方依照法规共享的信息", "从公开披露的信息中获取"): it modifies an information noun
    (…的信息), and the nearest subject before it in its clause is not the processor; or the processor
    is its recipient ("向我们分享", "从第三方获取")."""
    frames = load_clause_cues(language).frames
    described = frames.get("described")
    if given_to_processor(clauses, start, language):
        return True  # "合作方会…向我们分享您的收货记录": passed to the processor, not by it
    from_other = frames.get("from_other")
    if from_other is not None and from_other.search(clauses.text[max(0, start - 20):start]):
        return True  # "我们可能从第三方获取…": received by the processor
    if described is None or not described.match(clauses.text, end):
        return False
    return subject_before(clauses, start) != PROCESSOR


def subject_before(clauses: SentenceClauses, start: int) -> str:
    """The nearest subject marked before `start` in its clause (PROCESSOR, PERSON …), "" when there is none."""
    clause = clauses.clause_at(start)
    before = [kind for pos, kind in clauses.subject_marks if clause.start <= pos < start]
    return before[-1] if before else ""


def given_to_processor(clauses: SentenceClauses, start: int, language: str) -> bool:
    """The processor is the recipient of the verb at `start` ("需向我们提供您的人脸图像")."""
    to_processor = load_clause_cues(language).frames.get("to_processor")
    return to_processor is not None and bool(to_processor.search(clauses.text[max(0, start - 8):start]))


def acted_by_person(clauses: SentenceClauses, start: int, language: str) -> bool:
    """The verb at `start` is the person's own act ("请您谨慎考虑是否公开分享您的照片", "您可以选择与第三方
    共享"): the nearest subject before it in the sentence is the person, and nothing between them hands the
    act to someone else (您授权我们…, 您同意…后)."""
    cues = load_clause_cues(language)
    hands_over = cues.frames.get("hands_over")
    before = [(pos, kind) for pos, kind in clauses.subject_marks
              if pos < start or (cues.subject_opens_cue and pos == start)]
    if not before or before[-1][1] != PERSON:
        return False
    return hands_over is None or not hands_over.search(clauses.text, before[-1][0], start)


@functools.cache
def load_clause_cues(language: str) -> ClauseCues:
    return compile_lexicon_file(f"clauses_{language}.yaml", _compile)


def _compile(data: Mapping[str, Any]) -> ClauseCues:
    language = data["language"]
    flags = re.IGNORECASE if language == "en" else 0
    nlp = _tokenizer(language)
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER" if language == "en" else "ORTH")
    phrases: dict[str, Iterable[str]] = {
        _NEG: data["negation"], _BARE: data["negation_bare"], _BARE_TIGHT: data["negation_bare_tight"],
        _EXEMPT: data["negation_exempt"], _RESET: data["scope_reset"], _VERB: data["verbs"],
        _HEAD: data["bare_heads"], _EXTENT: data["negated_extent"],
    }
    phrases |= {label: data["subjects"][subject] for label, subject in _SUBJECT_LABELS.items()}
    for label, words in phrases.items():
        docs = [nlp.make_doc(str(w)) for w in words]
        if docs:
            matcher.add(label, docs)
    frames = {name: re.compile("|".join(f"(?:{p})" for p in patterns), flags)
              for name, patterns in data["frames"].items()}
    return ClauseCues(language=language, separator_pattern=re.compile(f"[{re.escape(data['separators'])}]"),
                      matcher=matcher,
                      vocab=nlp.vocab, bare_window=int(data["bare_window"]),
                      subject_opens_cue=bool(data.get("subject_opens_cue", False)), frames=frames,
                      labels={nlp.vocab.strings[label]: label for label in phrases})


@functools.cache
def _tokenizer(language: str) -> Language:
    return spacy.blank("en") if language == "en" else spacy.blank("zh", config={
        "nlp": {"tokenizer": {"@tokenizers": "spacy.zh.ChineseTokenizer", "segmenter": "char"}}})


def _character_doc(vocab: Vocab, text: str) -> Doc:
    """One token per character, spaces included, so that token i is character i."""
    return Doc(vocab, words=list(text), spaces=[False] * len(text))


def _cue_doc(cues: ClauseCues, text: str) -> Doc:
    return _tokenizer("en").make_doc(text) if cues.language == "en" else _character_doc(cues.vocab, text)


def analyse_sentence(text: str, language: str) -> SentenceClauses:
    cues = load_clause_cues(language)
    return analyse_sentences(_cue_doc(cues, text), [(0, len(text))], language)[0]


def analyse_sentences(doc: Doc, bounds: Sequence[tuple[int, int]], language: str, *,
                      character_tokens: bool = True) -> list[SentenceClauses]:
    """One SentenceClauses per (start, end) of `bounds` (sorted), from one matcher pass over `doc`.

    Chinese phrases are matched over per-character tokens; a Doc of word tokens (the zh_jieba
    pipeline, `character_tokens=False`) is re-tokenised per character first."""
    cues = load_clause_cues(language)
    text = doc._.fangcun_text or doc.text  # Doc.text joins every token: read it once per document
    if language == "zh" and not character_tokens:
        doc = _character_doc(cues.vocab, text)
    matches = cues.matcher(doc) if len(doc) else []
    offsets = doc.to_array([IDX, LENGTH]) if matches else None
    found: list[tuple[int, int, str]] = []
    if offsets is not None:
        # Offsets of the matched tokens only: converting every token's offset costs more than matching.
        firsts = offsets[numpy.array([m[1] for m in matches])]
        lasts = offsets[numpy.array([m[2] - 1 for m in matches])]
        found = sorted(zip(firsts[:, 0].tolist(), (lasts[:, 0] + lasts[:, 1]).tolist(),
                           (cues.labels[m[0]] for m in matches), strict=True))
    positions = [f[0] for f in found]
    out: list[SentenceClauses] = []
    previous_end = -1
    for start, end in bounds:
        lo, hi = bisect.bisect_left(positions, start), bisect.bisect_left(positions, end)
        local = [(a - start, min(b, end) - start, label) for a, b, label in found[lo:hi]]
        analysed = _analyse(text[start:end], local, cues)
        if out and _continues_list(text, previous_end, start, out[-1], analysed):
            analysed = dataclasses.replace(analysed, kind=DEFINITION)
        out.append(analysed)
        previous_end = end
    return out


def _continues_list(text: str, previous_end: int, start: int, previous: SentenceClauses,
                    current: SentenceClauses) -> bool:
    """An item of a category list that a definition opened and "；" split off ("敏感个人信息包括：银行账户；
    人脸照片；"): on the same line as the definition, with no first-person verb of its own."""
    return (previous.kind == DEFINITION and current.kind == STATEMENT and not current.first_person
            and previous_end > 0 and text[previous_end - 1] in "；;" and "\n" not in text[previous_end:start])


def _analyse(text: str, matches: list[tuple[int, int, str]], cues: ClauseCues) -> SentenceClauses:
    frames = cues.frames
    compound = frames.get("compound")
    if compound is not None:
        matches = [m for m in matches if m[2] not in _SUBJECT_LABELS or not compound.match(text, m[1])]
    bounds = _clause_bounds(text, cues.separator_pattern)
    starts = [b[0] for b in bounds]
    exempt = [(a, b) for a, b, label in matches if label == _EXEMPT]
    resets = [a for a, _, label in matches if label == _RESET and not _inside(a, exempt)]
    # An extent word ends a negation's scope after itself: "不会永久保存" denies only "forever", so the
    # storing is stated; "不会收集、永久保存" still denies the collecting.
    resets += [b for _, b, label in matches if label == _EXTENT]
    resets.sort()
    by_clause: list[list[tuple[int, int, str]]] = [[] for _ in bounds]
    for match in matches:
        by_clause[bisect.bisect_right(starts, match[0]) - 1].append(match)
    own_subjects = [_own_subject(found) for found in by_clause]
    subjects = _carried(own_subjects)
    conditions = _conditions(text, bounds, frames, own_subjects,
                             [a for a, _, label in matches if label == _VERB])
    answered_no = frames["answer_no"].search(text)
    clauses = []
    for (start, end), subject, condition, negations in zip(
            bounds, subjects, conditions, _negation_starts(matches, exempt, cues.bare_window, starts), strict=True):
        scopes = [(start - 1, end)] if answered_no and end <= answered_no.start() + 1 else []
        for neg in negations:
            stop = next((r for r in resets if neg < r < end), end)
            scopes.append((neg, stop))
        clauses.append(Clause(start, end, subject, condition, tuple(scopes)))
    first_person = _first_person(matches)
    return SentenceClauses(text=text, kind=_kind(text, frames, matches, first_person), clauses=tuple(clauses),
                           first_person=first_person, result_only=bool(frames["result_only"].search(text)),
                           anaphor=bool(frames["anaphor"].search(text)),
                           subject_marks=_subject_marks(text, matches, frames.get("preposition"),
                                                        frames.get("possessive")))


def _clause_bounds(text: str, separators: re.Pattern[str]) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in separators.finditer(text):
        bounds.append((start, m.end()))
        start = m.end()
    if start < len(text) or not bounds:
        bounds.append((start, len(text)))
    return bounds


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _negation_starts(matches: list[tuple[int, int, str]], exempt: list[tuple[int, int]], window: int,
                     clause_starts: list[int]) -> list[list[int]]:
    """The start of every negation cue, per clause."""
    verbs = {a for a, _, label in matches if label in (_VERB, _HEAD)}
    tight = {a for a, _, label in matches if label == _VERB}
    found: set[int] = set()
    for a, b, label in matches:
        if _inside(a, exempt):
            continue
        if label == _NEG or (label == _BARE and any(v in verbs for v in range(b, b + window + 1))) or (
                label == _BARE_TIGHT and b in tight):
            found.add(a)
    out: list[list[int]] = [[] for _ in clause_starts]
    for a in sorted(found):
        out[bisect.bisect_right(clause_starts, a) - 1].append(a)
    return out


def _conditions(text: str, bounds: list[tuple[int, int]], frames: Mapping[str, re.Pattern[str]],
                own_subjects: list[str], verbs: list[int]) -> list[str]:
    """The condition over each clause (see the module docstring for the reach of each kind)."""
    out = [""] * len(bounds)
    starts = [b[0] for b in bounds]

    def index(pos: int) -> int:
        return max(0, bisect.bisect_right(starts, pos) - 1)

    last = len(bounds) - 1
    for kind in (CONSENT, EXCEPTION):
        for m in frames[kind].finditer(text):
            first = index(m.start())
            start, end = bounds[first]
            if first == last and not any(start <= v < end for v in verbs):
                first = 0  # a closing condition with no verb of its own ("…，除非取得您的同意。") covers all
            while first > 0 and own_subjects[first - 1] != PROCESSOR:
                first -= 1  # …and the lead-in clauses before it ("如果日后需要向境外传输的，我们会征得您的同意")
            for i in range(first, last + 1):
                out[i] = kind
    for kind in (DEFERRED, DECLINED):
        for m in frames[kind].finditer(text) if kind in frames else ():
            for i in range(index(m.start()), index(max(m.start(), m.end() - 1)) + 1):
                out[i] = kind
    future = frames.get("future_case")
    if future is not None and (case := future.search(text)):
        for i in range(index(case.start()), last + 1):
            out[i] = DEFERRED
    return out


def _subject_marks(text: str, matches: list[tuple[int, int, str]], preposition: re.Pattern[str] | None,
                   possessive: re.Pattern[str] | None) -> tuple[tuple[int, str], ...]:
    """Subject phrases in order, leaving out those that follow a preposition (the recipient in 向第三方提供)
    and possessives (您的信息将被共享, 使用我们的服务: the owner of a noun, not the actor)."""
    return tuple((a, _SUBJECT_LABELS[label]) for a, b, label in matches if label in _SUBJECT_LABELS
                 and not (preposition and preposition.search(text, max(0, a - 2), a))
                 and not (possessive and possessive.match(text, b)))


def _own_subject(matches: list[tuple[int, int, str]]) -> str:
    """The subject phrase a clause names itself: a device phrase anywhere in it ("您使用系统自带的面容解锁时"),
    else the first one; "" when it names none."""
    named = [_SUBJECT_LABELS[label] for _, _, label in matches if label in _SUBJECT_LABELS]
    return DEVICE if DEVICE in named else (named[0] if named else "")


def _carried(own: list[str]) -> list[str]:
    """A clause without a subject of its own carries the subject of the clause before it."""
    out, carried = [], ""
    for subject in own:
        carried = subject or carried
        out.append(carried)
    return out


def _first_person(matches: list[tuple[int, int, str]], before: int | None = None) -> bool:
    """The processor is the subject of a processing verb (one that starts before `before`, if given)."""
    processors = [a for a, _, label in matches if label == "SUBJ_processor"]
    return any(p < a <= p + FIRST_PERSON_WINDOW and (before is None or a < before) for p in processors
               for a, _, label in matches if label == _VERB)


def _kind(text: str, frames: Mapping[str, re.Pattern[str]], matches: list[tuple[int, int, str]],
          first_person: bool) -> str:
    stripped = text.strip(" \t*#")
    lead_in = frames.get("lead_in")
    if frames["heading"].search(stripped) or frames["title"].search(stripped) or (
            not first_person and lead_in is not None and lead_in.search(stripped)):
        return HEADING
    if frames["question"].search(stripped) or frames["overview"].search(text):
        return QUESTION
    if not first_person and frames["example"].search(stripped):
        return EXAMPLE
    if not first_person and frames["definition"].search(text):
        return DEFINITION
    if frames["update"].search(text):
        return UPDATE
    feature_menu = frames.get("feature_menu")
    if feature_menu is not None and feature_menu.search(text):
        return FEATURE_MENU
    other_actor = frames.get("other_actor")
    if not first_person and other_actor is not None and other_actor.search(text):
        return OTHER_ACTOR
    refusal = frames["refusal"].search(text)
    if refusal and not _first_person(matches, before=refusal.start()):
        # "如您拒绝，我们将无法为您提供…" is what refusing costs; a statement before it stays a statement
        return REFUSAL
    return STATEMENT


if not Doc.has_extension("fangcun_clauses"):
    Doc.set_extension("fangcun_clauses", default=None)


@Language.factory("fangcun_clauses_v1", default_config={"language": "zh", "character_tokens": True})
def make_clause_analyser(nlp: Language, name: str, language: str, character_tokens: bool) -> Callable[[Doc], Doc]:
    load_clause_cues(language)  # a broken cue file fails when the pipeline is built, not on first use

    def analyse(doc: Doc) -> Doc:
        bounds = doc._.fangcun_sentences
        if bounds is not None:
            doc._.fangcun_clauses = analyse_sentences(doc, bounds, language, character_tokens=character_tokens)
        return doc

    return analyse


# Access notices: audience, withdrawal and purpose per clause
#
# A notice sentence ("业主可刷卡，访客需扫码。") says several things, one per clause: who a way through is
# for, that a way through is withdrawn, why faces are taken. Each is read from the clause that says it,
# so that one clause's audience or purpose never spreads over the sentence. Phrases are the caller's
# (rules/lexicon/web_zh.yaml, rules/lexicon/apk_ui.yaml); these functions only place them in clauses.
# Every search is bounded to a clause or a few characters, so a page-long clause is read in linear time.

BENEFICIARY_REACH = 4  # characters before an audience word where 为 / 仅限 / 面向 mark it as the one served
WITHDRAWAL_REACH = 16  # characters around a way through where its withdrawal is said (原有刷卡、密码方式同步取消)


@dataclass(frozen=True)
class NoticeClause:
    """One clause of a notice sentence: text[start:end] of the sentence."""

    start: int
    end: int
    text: str


def notice_clauses(sentence: str, breaks: str) -> tuple[NoticeClause, ...]:
    """The clauses of a notice sentence, split at the clause-break characters. A coordination (刷脸、刷卡、
    扫码) is one clause: 、 and 或 join the ways through of one statement."""
    clauses: list[NoticeClause] = []
    start = 0
    for i, ch in enumerate(sentence):
        if ch in breaks:
            if sentence[start:i].strip():
                clauses.append(NoticeClause(start, i, sentence[start:i]))
            start = i + 1
    if sentence[start:].strip():
        clauses.append(NoticeClause(start, len(sentence), sentence[start:]))
    return tuple(clauses)


def notice_clause_index(starts: Sequence[int], position: int) -> int:
    """The clause holding sentence offset `position`, given where each clause starts (the last one
    starting at or before it)."""
    return max(0, bisect_right(starts, position) - 1)


def _clause_audience(text: str, audiences: Mapping[str, re.Pattern[str]], beneficiary: re.Pattern[str]) -> str:
    """The audience one clause names: the one marked as beneficiary (为访客生成…, 仅限访客…), else the first
    named (访客需由业主远程开门: the visitor is the one let in); "" when it names none."""
    named = sorted((m.start(), name) for name, rx in audiences.items() for m in rx.finditer(text))
    for start, name in named:
        if beneficiary.search(text, max(0, start - BENEFICIARY_REACH), start):
            return name
    return named[0][1] if named else ""


def notice_audiences(clauses: Sequence[NoticeClause], audiences: Mapping[str, re.Pattern[str]],
                     beneficiary: re.Pattern[str]) -> tuple[str, ...]:
    """Who a way through stated in each clause is for: the audience that clause names, else the one the
    nearest clause before it names (业主如不愿录入人脸，可选择刷卡: the second clause continues the first),
    else "all". Clauses after it never lend theirs: in 访客可扫码，业主请刷脸 the owners are told to use
    their faces, they are not offered the QR code."""
    found: list[str] = []
    for clause in clauses:
        found.append(_clause_audience(clause.text, audiences, beneficiary) or (found[-1] if found else "all"))
    return tuple(found)


def notice_withdrawn(sentence: str, clause: NoticeClause, start: int, end: int, before: re.Pattern[str],
                     after: re.Pattern[str]) -> bool:
    """Whether the way through at sentence offsets [start, end) is withdrawn by its own clause: a
    withdrawal word shortly before it (取消刷卡, 收回全部门禁卡) or after it (门禁卡停用, 刷卡无效, 门卡自下月起
    停止使用)."""
    head = before.search(sentence, max(clause.start, start - WITHDRAWAL_REACH), start)
    return head is not None or after.search(sentence, end, min(clause.end, end + WITHDRAWAL_REACH)) is not None


def notice_opens_with(text: str, cues: re.Pattern[str], lead: str) -> bool:
    """Whether `text` opens with one of `cues`, after any of the `lead` characters (仅, 并, 同时 …) and
    blanks: 用于识别到访客户 and 仅用于安全防范 open with a purpose frame, 这些摄像头 with a reference."""
    return cues.match(text.lstrip(" \t\u3000" + lead)) is not None


def notice_purpose_clauses(clauses: Sequence[NoticeClause], anchors: Iterable[int], frames: re.Pattern[str],
                           lead: str, ties: re.Pattern[str] | None = None) -> list[int]:
    """The clauses that state why faces are taken in the anchor clauses: the anchors, and the clauses
    joined to them by a purpose frame (为规范渠道管理，…安装人脸抓拍，用于判客): outwards from each anchor while
    the next clause opens with a frame, or with a tie back to the capture and a frame in it (识别数据用于…)."""
    def joined(text: str) -> bool:
        return notice_opens_with(text, frames, lead) or (
            ties is not None and notice_opens_with(text, ties, lead) and frames.search(text) is not None)

    chosen: set[int] = set()
    for anchor in anchors:
        chosen.add(anchor)
        for step in (-1, 1):
            j = anchor + step
            while 0 <= j < len(clauses) and joined(clauses[j].text):
                chosen.add(j)
                j += step
    return sorted(chosen)


def notice_phrases_outside(text: str, groups: Mapping[str, re.Pattern[str]], masks: Iterable[re.Pattern[str]],
                           live: Callable[[str, int], bool]) -> list[str]:
    """The groups with a live phrase in `text` that no longer mask phrase holds: 营销 inside 营销中心 (a
    place) is no purpose, while 识别到访客户 keeps its purpose around the place word 到访, and 门禁 stays a
    purpose where 门禁 is also a place word. `live(text, offset)` rejects negated phrases. In text order."""
    inside = _strictly_inside([(m.start(), m.end()) for rx in masks for m in rx.finditer(text)])
    found: list[tuple[int, str]] = []
    for name, rx in groups.items():
        for m in rx.finditer(text):
            if not inside(m.start(), m.end()) and live(text, m.start()):
                found.append((m.start(), name))
                break
    return [name for _, name in sorted(found)]


def _strictly_inside(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """A test whether [start, end) lies within one of `spans` that is longer than it, answered by bisection
    over the spans sorted by start (a clause of thousands of place words is no quadratic search)."""
    spans.sort()
    starts = [s for s, _ in spans]
    reach: list[int] = []  # reach[i]: the furthest end of spans[0..i]
    for _, e in spans:
        reach.append(max(e, reach[-1]) if reach else e)
    longest_at: dict[int, int] = {}
    for s, e in spans:
        longest_at[s] = max(e, longest_at.get(s, e))

    def inside(start: int, end: int) -> bool:
        earlier = bisect_left(starts, start)  # spans starting before `start`
        return (earlier > 0 and reach[earlier - 1] >= end) or longest_at.get(start, -1) > end

    return inside
