"""Registered spaCy pieces: the per-character and private-jieba tokenizers, the sentence splitter, the
practice finder. The clause analyser between the splitter and the finder (`fangcun_clauses_v1`) is in
scanner/nlp/clauses.py; the finder hands each sentence its clause analysis and the sentence before it.

Names carry a version (`fangcun_practices_v2`); a change in behaviour gets a new name, so a saved
pipeline config never silently means something else. This module is the one jieba adapter:
jieba's module-level tokenizer (`jieba.dt`) is never touched; each pipeline owns a private
`jieba.Tokenizer` with the lexicon's terms added.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import jieba
import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from scanner import limits
from scanner.nlp.clauses import SentenceClauses, load_clause_cues
from scanner.nlp.lexicon import PolicyLexicon, load_lexicon
from scanner.nlp.practices import AFFIRM, PracticeMatch, detect_practices
from scanner.nlp.text import heading_sections, toc_ranges

# Sentence ends. Chinese full-width ； ends a clause-sentence as in the notes on policy structure;
# ASCII "." is deliberately absent for Chinese (it is in "1." numbering, decimals, URLs, e-mails).
ZH_SENTENCE_END = re.compile(r"[。！？；;!?]+[”’」』)）]*|\n+")
EN_SENTENCE_END = re.compile(r"[。！？；;!?]+[\"')\]]*|(?<![A-Z][a-z])(?<!\b[A-Za-z])\.(?=\s)[\"')\]]*|\n+")
PIECE_MARKS = "，,、：: \t"  # where an overlong run is cut
JIEBA_FREQ = 2_000_000  # high enough that jieba keeps every lexicon term whole


@dataclass(frozen=True, slots=True)
class SentenceHit:
    """Practices found in one sentence; offsets are characters in the document text."""

    start: int
    end: int
    section: str  # heading of the section the sentence is in ("" before the first heading)
    matches: tuple[PracticeMatch, ...]


if not Doc.has_extension("fangcun_hits"):
    Doc.set_extension("fangcun_hits", default=None)
if not Doc.has_extension("fangcun_sentences"):
    Doc.set_extension("fangcun_sentences", default=None)
if not Doc.has_extension("fangcun_sections"):
    Doc.set_extension("fangcun_sections", default=None)
if not Doc.has_extension("fangcun_reading_order"):
    Doc.set_extension("fangcun_reading_order", default=None)


def words_and_spaces(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """spaCy's get_words_and_spaces (the same tokens and spaces), in linear time: spaCy's copies the
    rest of the text for every word it aligns, which takes minutes on a policy of a million characters."""
    if "".join("".join(words).split()) != "".join(text.split()):
        raise ValueError("tokens do not spell the text")
    text_words: list[str] = []
    text_spaces: list[bool] = []
    position = 0
    for word in words:
        if word.isspace():
            continue
        start = text.index(word, position)
        if start > position:
            text_words.append(text[position:start])
            text_spaces.append(False)
        text_words.append(word)
        text_spaces.append(False)
        position = start + len(word)
        if position < len(text) and text[position] == " ":
            text_spaces[-1] = True
            position += 1
    if position < len(text):
        text_words.append(text[position:])
        text_spaces.append(False)
    return text_words, text_spaces


class CharacterTokenizer:
    """One token per character, whitespace included, so that token i is character i (spaCy's "char"
    segmenter makes the same tokens but folds a single space into the token before it; aligning them
    again cost a fifth of the whole policy analysis)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        doc = Doc(self.vocab, words=list(text), spaces=[False] * len(text))
        doc._.fangcun_text = text  # the tokens spell it exactly; Doc.text would join them again
        return doc


@registry.tokenizers("fangcun.characters.v1")
def create_character_tokenizer() -> Callable[[Language], CharacterTokenizer]:
    def make(nlp: Language) -> CharacterTokenizer:
        return CharacterTokenizer(nlp.vocab)

    return make


class PrivateJiebaTokenizer:
    """Word tokens from a jieba.Tokenizer owned by this pipeline, with the lexicon's terms added."""

    def __init__(self, vocab: Vocab, words: tuple[str, ...]) -> None:
        self.vocab = vocab
        self.segmenter = jieba.Tokenizer()
        for word in words:
            self.segmenter.add_word(word, freq=JIEBA_FREQ)

    def __call__(self, text: str) -> Doc:
        words = [w for w in self.segmenter.cut(text, HMM=True) if w]
        words, spaces = words_and_spaces(words, text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc._.fangcun_text = text
        return doc


@registry.tokenizers("fangcun.private_jieba.v1")
def create_private_jieba(lexicon_language: str = "zh") -> Callable[[Language], PrivateJiebaTokenizer]:
    def make(nlp: Language) -> PrivateJiebaTokenizer:
        return PrivateJiebaTokenizer(nlp.vocab, load_lexicon(lexicon_language).terms())

    return make


def sentence_bounds(text: str, language: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence, whitespace trimmed. A run longer than
    limits.SENTENCE_MAX_CHARS is read in pieces (`_append_pieces`): reading a sentence weighs each cue against its
    clause, so one sentence of n characters costs n², and text without sentence ends would take minutes."""
    bounds: list[tuple[int, int]] = []
    for start, end in _sentence_runs(text, language):
        _append_pieces(text, start, end, bounds)
    return bounds


def overlong_sentences(text: str, language: str) -> int:
    """How many runs without a sentence end sentence_bounds read in pieces."""
    return sum(end - start > limits.SENTENCE_MAX_CHARS for start, end in _sentence_runs(text, language))


def _sentence_runs(text: str, language: str) -> list[tuple[int, int]]:
    pattern = ZH_SENTENCE_END if language == "zh" else EN_SENTENCE_END
    bounds: list[tuple[int, int]] = []
    start = 0
    for end_mark in pattern.finditer(text):
        _append_trimmed(text, start, end_mark.end(), bounds)
        start = end_mark.end()
    _append_trimmed(text, start, len(text), bounds)
    return bounds


def _append_pieces(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """[start, end) in pieces of at most limits.SENTENCE_MAX_CHARS, each ending after the last clause mark or
    space of its second half when it has one."""
    most = limits.SENTENCE_MAX_CHARS
    while end - start > most:
        mark = max(text.rfind(c, start + most // 2, start + most) for c in PIECE_MARKS)
        cut = mark + 1 if mark >= 0 else start + most
        _append_trimmed(text, start, cut, out)
        start = cut
    _append_trimmed(text, start, end, out)


def _append_trimmed(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))


def reading_order(doc: Doc, text: str, language: str) -> list[tuple[int, int, str]]:
    """(start, end, section heading) of the sentences the readers read, in order: a table of contents names
    topics and states no practice, so its lines are left out. Worked out once per Doc, for every reader."""
    if doc._.fangcun_reading_order is None:
        sections = doc._.fangcun_sections or heading_sections(text)
        contents = toc_ranges(text)
        order: list[tuple[int, int, str]] = []
        section_index, section = 0, ""
        for start, end in doc._.fangcun_sentences or sentence_bounds(text, language):
            if any(c_start <= start < c_end for c_start, c_end in contents):
                continue
            while section_index < len(sections) and sections[section_index][0] <= start:
                section = sections[section_index][1]
                section_index += 1
            order.append((start, end, section))
        doc._.fangcun_reading_order = order
    return doc._.fangcun_reading_order


def sentence_clauses(doc: Doc) -> dict[int, SentenceClauses]:
    """The clause analysis (fangcun_clauses_v1) of each sentence by its start; empty without the analyser."""
    return dict(zip((start for start, _ in doc._.fangcun_sentences or ()), doc._.fangcun_clauses or ()))


@Language.factory("fangcun_sentences_v1", default_config={"language": "zh"})
def make_sentence_splitter(nlp: Language, name: str, language: str) -> Callable[[Doc], Doc]:
    def split(doc: Doc) -> Doc:
        # Sentence starts are written as one array: spaCy's per-token setter and `doc.sents`
        # re-scan the document on every call, which is quadratic on long policies.
        text = doc._.fangcun_text = doc._.fangcun_text or doc.text
        bounds = sentence_bounds(text, language)
        doc._.fangcun_sentences = bounds
        if len(doc):
            token_starts = doc.to_array(IDX)
            is_start = numpy.isin(token_starts, numpy.array([b[0] for b in bounds], dtype=token_starts.dtype))
            is_start[0] = True
            starts = numpy.where(is_start, 1, -1).astype("int64").view("uint64").reshape(-1, 1)
            doc.from_array([SENT_START], starts)  # type: ignore[arg-type]  # spaCy's Ints2d is this array
        return doc

    return split


def entry_continued(sentence: str, lexicon: PolicyLexicon, stated: set[str],
                    matches: list[PracticeMatch]) -> list[PracticeMatch]:
    """The practices a field line of a list entry continues from the line before ("腾讯云人脸核身SDK" then
    "官网链接：https://…"): affirm, for each practice the line before stated and this line does not; and
    what the data field of an SDK entry states ("收集的个人信息：人脸照片")."""
    sentence = lexicon.normalise(sentence)
    found = {m.practice for m in matches}
    added = [practice for practice, pattern in lexicon.entry_fields.items()
             if practice in stated and practice not in found and pattern.search(sentence)]
    if "sdk_list" in stated and lexicon.entry_data_field is not None and lexicon.entry_data_field.search(sentence):
        # what an SDK entry lists as collected: the SDK's provider collects it (GUIDE.md, SDK tables) — unless
        # the field says it stays on the device ("面部图像（仅在设备本地处理）"): the SDK then runs there
        on_device = "local" in lexicon.groups and lexicon.groups["local"].search(sentence) is not None
        if not on_device:
            added.append("third_party_sharing")
        if lexicon.groups["face"].search(sentence):
            added += ["face_collection"] if on_device else ["face_collection", "face_cloud_upload"]
    return [PracticeMatch(practice, AFFIRM) for practice in dict.fromkeys(added) if practice not in found]


def _list_of_ways(sentence: str, item: bool, ways: bool, face_way: bool, lead_in: re.Pattern[str] | None,
                  lexicon: PolicyLexicon) -> tuple[bool, bool, bool]:
    """(inside a list of ways through, one of its ways is the face, this sentence is another way) after `sentence`:
    a lead-in ("支持以下开锁方式：") opens the list, a sentence that is no item closes it; an item naming an access
    method or a counter, after an item (or a lead-in) naming the face, is that face way's alternative."""
    if lead_in is not None and lead_in.search(sentence):
        return True, bool(lexicon.groups["face"].search(sentence)), False
    if not (ways and item):
        return False, False, False
    if lexicon.groups["face"].search(sentence):
        return True, True, False
    other = face_way and any(lexicon.groups[g].search(sentence) for g in ("access_method", "manual_way"))
    return True, face_way, other


_FIELD_LINE = re.compile(r"^\W{0,4}[^，。；：:]{1,12}[：:]")  # "使用目的：…", "收集个人信息类型：…"
_MARKER = re.compile(r"^\W{0,3}?([（(]?)([0-9]+|[a-zA-Z]|[一二三四五六七八九十]+)")


def _marker_style(sentence: str) -> tuple[str, str] | None:
    """How a list item is numbered ("（1）" → ("（", "digit"), "二、" → ("", "numeral")), None when it is not."""
    match = _MARKER.match(sentence)
    if match is None:
        return None
    number = match.group(2)
    kind = "digit" if number.isdigit() else "latin" if number.isascii() else "numeral"
    return (match.group(1), kind)


@Language.factory("fangcun_practices_v2", default_config={"language": "zh"})
def make_practice_finder(nlp: Language, name: str, language: str) -> Callable[[Doc], Doc]:
    lexicon = load_lexicon(language)
    frames = load_clause_cues(language).frames

    def find(doc: Doc) -> Doc:
        text = doc._.fangcun_text or doc.text  # a property that joins all tokens: read it once
        heading_starts = {start for start, _ in doc._.fangcun_sections or heading_sections(text)}
        hits: list[SentenceHit] = []
        analysed = sentence_clauses(doc)
        previous = ""
        excepted = False  # inside the items of a list of exceptions ("以下情形除外：1、…")
        face_purposes = False  # inside the items of a list of face purposes ("人脸信息将用于以下目的：（1）…")
        purposes_style: tuple[str, str] | None = None
        purpose_lead_in = lexicon.groups.get("purpose_lead_in")
        stated: set[str] = set()  # what the sentence before stated, for the fields of a list entry
        ways_lead_in = lexicon.groups.get("ways_lead_in")
        ways = face_way = False  # inside the items of a list of ways through, and one of them is the face
        for start, end, section in reading_order(doc, text, language):
            sentence = text[start:end]
            item = bool(frames["list_item"].match(sentence))
            if not item:  # a sentence that is no item ends a list; a lead-in of exceptions (…：) opens one
                excepted = ("：" in sentence or ":" in sentence) and bool(frames["exception_list"].search(sentence))
            # a lead-in of face purposes opens a list (it may be a numbered item itself: "二、…将用于以下目的：")
            lead_in = purpose_lead_in is not None and bool(purpose_lead_in.search(sentence)) and bool(
                lexicon.groups["face"].search(sentence))
            if lead_in or not item or (face_purposes and _marker_style(sentence) == purposes_style):
                face_purposes = lead_in  # …closed by a sentence that is no item, or one numbered like the lead-in
                purposes_style = _marker_style(sentence) if lead_in else None
            matches = detect_practices(sentence, lexicon, section=section,
                                       is_heading=start in heading_starts,
                                       clauses=analysed.get(start), antecedent=previous,
                                       excepted=item and excepted)
            previous = sentence
            matches += entry_continued(sentence, lexicon, stated, matches)
            if item and face_purposes and not lead_in and not any(m.practice == "face_purpose" for m in matches):
                matches.append(PracticeMatch("face_purpose", AFFIRM))  # an item of the list is one of the purposes
            ways, face_way, other_way = _list_of_ways(sentence, item, ways, face_way, ways_lead_in, lexicon)
            if other_way and not any(m.practice == "face_alternative" for m in matches):
                matches.append(PracticeMatch("face_alternative", AFFIRM))  # another way beside the face one
            # an entry's other fields (purpose, data, permissions) state no SDK themselves but stay in its entry
            carried = stated & {"sdk_list"} if _FIELD_LINE.match(sentence) else set()
            stated = {m.practice for m in matches} | carried
            if matches:
                hits.append(SentenceHit(start, end, section, tuple(matches)))
        doc._.fangcun_hits = hits
        return doc

    return find
