"""Paragraph topics: what each paragraph of a policy is mainly about.

A practice sentence can sit anywhere (a retention clause inside the sharing section); the topic says
which part of the policy a paragraph belongs to, the way Chinese policies are laid out after GB/T
35273 Annex D ("一、如何收集和使用 … 二、如何共享、转让、公开披露 … 八、如何联系我们").

Paragraphs: a blank line, a rule line (=====, -----) or a line that ends a sentence (。；：…) ends
a paragraph, so hard-wrapped lines stay together and one-block-per-line HTML text gives one
paragraph per block; a heading line is a paragraph of its own and opens a section for the
paragraphs after it (how CA4P-483 cuts policies, too). Each paragraph is scored per topic from
three cues, with the weights in rules/lexicon/policy_topics_{zh,en}.yaml:
- its own heading (the heading line it starts with, or an inline "标题：" lead-in);
- the headings that enclose it (a stack ordered by numbering style: 一、 > （一） > 1. …),
  nearest first, weaker with every level up;
- cue phrases in its body, capped per phrase, counted double in the first sentence.
The best-scoring topic wins; ties go to the topic listed first in the lexicon; a paragraph that
scores below the lexicon's minimum is `other`. No model is trained: every decision can be traced to
a phrase and a weight.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Mapping, Sequence

import yaml

from scanner.errors import RuleLoadError
from scanner.nlp.text import toc_ranges

OTHER = "other"
RULE_LINE = re.compile(r"[ \t]*([=\-_*~])\1{2,}[ \t]*")
MARKUP = re.compile(r"[*#\\`>_|]+|^[ \t]*[-+•·][ \t]+")
NUMBERING_STYLES = (  # (style name, pattern on the line after markup is stripped)
    ("part", re.compile(r"第[一二三四五六七八九十百零〇0-9]+[章部分编]")),
    ("article", re.compile(r"第[一二三四五六七八九十百零〇0-9]+条")),
    ("cn", re.compile(r"[一二三四五六七八九十]+[、.．]")),
    ("cn_paren", re.compile(r"[（(][一二三四五六七八九十]+[)）]")),
    ("num3", re.compile(r"\d+[.．]\d+[.．]\d+")),
    ("num2", re.compile(r"\d+[.．]\d+")),
    ("num", re.compile(r"\d+[.．、](?!\d)")),
    ("num_paren", re.compile(r"[（(]\d+[)）]|\d+[)）]")),
    ("latin", re.compile(r"[A-Za-z][.．、)）](?![A-Za-z0-9])")),
)
SENTENCE_PUNCT = re.compile(r"[。；;！？!?]")
CLAUSE_PUNCT = re.compile(r"[，,、]")
TOC_MIN_TOPICS = 3
PLAIN, PLAIN_RANK = "plain", 1_000
LINE_END = re.compile(r"[。！？；;!?：:）)”」*\s]$")  # a line that ends like this ends its paragraph
FIRST_SENTENCE = re.compile(r"[^。；;！？!?\n]*[。；;！？!?\n]?")


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    heading: tuple[tuple[re.Pattern[str], float], ...]
    body: tuple[tuple[re.Pattern[str], float], ...]


@dataclass(frozen=True)
class TopicLexicon:
    language: str
    version: int
    topics: tuple[TopicSpec, ...]
    own_heading: float
    section_heading: float
    section_decay: float
    first_sentence: float
    phrase_cap: int
    min_score: float
    heading_max_chars: int
    inline_heading: tuple[re.Pattern[str], ...]  # each with a group named "heading"
    practice_topics: Mapping[str, str]  # practice of policy.discloses → its own topic


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph with its topic; offsets are characters in the text."""

    start: int
    end: int
    topic: str
    score: float
    heading: str  # its own heading line ("" when it has none)
    section: str  # the nearest enclosing heading ("" at top level)


@functools.cache
def load_topic_lexicon(language: str) -> TopicLexicon:
    if language not in ("zh", "en"):
        raise ValueError(f"no topic lexicon for language {language!r}")
    name = f"policy_topics_{language}.yaml"
    try:
        data = yaml.safe_load((resources.files("rules") / "lexicon" / name).read_text(encoding="utf-8"))
        return _compile(data)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
        raise RuleLoadError(f"rules/lexicon/{name}: {exc}") from exc


def _compile(data: Mapping[str, Any]) -> TopicLexicon:
    flags = re.IGNORECASE if data.get("ignore_case") else 0

    def weighted(cues: Mapping[str, float] | None) -> tuple[tuple[re.Pattern[str], float], ...]:
        return tuple((re.compile(pattern, flags), float(weight)) for pattern, weight in (cues or {}).items())

    topics = tuple(TopicSpec(name, weighted(spec.get("heading")), weighted(spec.get("body")))
                   for name, spec in data["topics"].items())
    weights = data["weights"]
    return TopicLexicon(
        language=data["language"],
        version=int(data["version"]),
        topics=topics,
        own_heading=float(weights["own_heading"]),
        section_heading=float(weights["section_heading"]),
        section_decay=float(weights["section_decay"]),
        first_sentence=float(weights["first_sentence"]),
        phrase_cap=int(weights["phrase_cap"]),
        min_score=float(weights["min_score"]),
        heading_max_chars=int(weights["heading_max_chars"]),
        inline_heading=tuple(re.compile(p, flags) for p in data["inline_heading"]),
        practice_topics=_practice_topics(data["practice_topics"], {t.name for t in topics} | {OTHER}),
    )


def _practice_topics(mapping: Mapping[str, str], topics: set[str]) -> dict[str, str]:
    if unknown := set(mapping.values()) - topics:
        raise ValueError(f"practice_topics names unknown topics {sorted(unknown)}")
    return dict(mapping)


def topic_names(language: str) -> tuple[str, ...]:
    return tuple(t.name for t in load_topic_lexicon(language).topics) + (OTHER,)


# --- segmentation -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    plain: str  # the line without markup, trimmed


def _lines(text: str) -> list[_Line]:
    out, position = [], 0
    for raw in text.split("\n"):
        out.append(_Line(position, position + len(raw), MARKUP.sub("", raw).strip()))
        position += len(raw) + 1
    return out


def numbering_style(line: str) -> str:
    """The numbering style a heading line starts with ("" for none)."""
    for style, pattern in NUMBERING_STYLES:
        if pattern.match(line):
            return style
    return ""


def _is_heading(line: _Line, raw: str, lexicon: TopicLexicon) -> bool:
    text = line.plain.rstrip("：:")
    if not text or len(text) > lexicon.heading_max_chars or SENTENCE_PUNCT.search(text):
        return False
    if raw.lstrip().startswith(("#", "**")) or numbering_style(text):
        return True
    # An unnumbered, unmarked line is a heading only when it is short and has no clause punctuation.
    return len(text) <= lexicon.heading_max_chars // 2 and not CLAUSE_PUNCT.search(text)


def _contents_ranges(text: str, lexicon: TopicLexicon) -> list[tuple[int, int]]:
    """Tables of contents: runs of short numbered lines that name at least TOC_MIN_TOPICS topics.

    A numbered list of phone, e-mail and address lines has the shape of a contents list too, but
    names no topics."""
    ranges = []
    for start, end in toc_ranges(text):
        named = {topic for line in text[start:end].split("\n")
                 for topic in _heading_scores(MARKUP.sub("", line), lexicon)}
        if len(named - {OTHER}) >= TOC_MIN_TOPICS:
            ranges.append((start, end))
    return ranges


def segment(text: str, lexicon: TopicLexicon) -> list[tuple[int, int, str]]:
    """(start, end, own heading) of each paragraph, in order; a table of contents is one paragraph."""
    contents = _contents_ranges(text, lexicon)
    blocks: list[tuple[int, int, str]] = []
    start = end = -1
    heading = ""

    def close() -> None:
        if start >= 0:
            blocks.append((start, end, heading))

    for line in _lines(text):
        raw = text[line.start:line.end]
        if any(c_start <= line.start < c_end for c_start, c_end in contents):
            if start < 0 or heading != "\0toc":
                close()
                start, heading = line.start, "\0toc"
            end = line.end
            continue
        if not line.plain or RULE_LINE.fullmatch(raw):
            close()
            start = -1
            continue
        if _is_heading(line, raw, lexicon):
            close()
            start, end, heading = line.start, line.end, line.plain
            continue
        if start < 0 or heading or LINE_END.search(text, end - 2 if end >= 2 else 0, end) or raw.startswith("|"):
            close()
            start, heading = line.start, ""
        end = line.end
    close()
    return blocks


# --- scoring ------------------------------------------------------------------------------------

def _heading_scores(heading: str, lexicon: TopicLexicon) -> dict[str, float]:
    scores: dict[str, float] = {}
    for topic in lexicon.topics:
        best = max((w for rx, w in topic.heading if rx.search(heading)), default=0.0)
        if best:
            scores[topic.name] = best
    return scores


def _body_scores(body: str, lexicon: TopicLexicon) -> dict[str, float]:
    first = FIRST_SENTENCE.match(body)
    first_end = first.end() if first else 0
    scores: dict[str, float] = {}
    for topic in lexicon.topics:
        total = 0.0
        for rx, weight in topic.body:
            hits = 0
            for m in rx.finditer(body):
                hits += lexicon.first_sentence if m.start() < first_end else 1
                if hits >= lexicon.phrase_cap:
                    break
            total += weight * min(hits, lexicon.phrase_cap)
        if total:
            scores[topic.name] = total
    return scores


def _best(scores: Mapping[str, float], lexicon: TopicLexicon) -> tuple[str, float]:
    topic, score = OTHER, 0.0
    for spec in lexicon.topics:  # lexicon order breaks ties
        if scores.get(spec.name, 0.0) > score:
            topic, score = spec.name, scores[spec.name]
    return (topic, score) if score >= lexicon.min_score else (OTHER, score)


@functools.lru_cache(maxsize=4096)
def _cached_heading_scores(heading: str, language: str) -> tuple[tuple[str, float], ...]:
    return tuple(_heading_scores(heading, load_topic_lexicon(language)).items())


def paragraph_topics(text: str, language: str) -> list[Paragraph]:
    """Every paragraph of `text` with its topic, in order."""
    lexicon = load_topic_lexicon(language)
    paragraphs: list[Paragraph] = []
    stack: list[tuple[str, str]] = []  # (numbering style, heading) of enclosing headings, outermost first
    style_rank: dict[str, int] = {}  # numbering styles ranked by first appearance: earlier is outer
    for start, end, heading in segment(text, lexicon):
        if heading == "\0toc":
            paragraphs.append(Paragraph(start, end, OTHER, 0.0, "", ""))
            continue
        style = _section_style(text, start, heading) if heading else ""
        if style:
            # An unnumbered, unmarked heading (a title, a label, an English heading) is always the
            # innermost level: any later heading closes it, and it closes only its own kind.
            rank = PLAIN_RANK if style == PLAIN else style_rank.setdefault(style, len(style_rank))
            while stack and style_rank.get(stack[-1][0], PLAIN_RANK) >= rank:
                stack.pop()
        scores: dict[str, float] = {}
        for level, (_, enclosing) in enumerate(reversed(stack)):
            factor = lexicon.section_heading * lexicon.section_decay ** level
            for topic, weight in _cached_heading_scores(enclosing, language):
                scores[topic] = scores.get(topic, 0.0) + factor * weight
        body_start = start
        own = heading
        if heading:
            body_start = text.find("\n", start, end) + 1 or end
        elif inline := _inline_heading(text, start, end, lexicon):
            own, body_start = MARKUP.sub("", inline.group("heading")).strip(), inline.end()
        for topic, weight in _cached_heading_scores(own, language) if own else ():
            scores[topic] = scores.get(topic, 0.0) + lexicon.own_heading * weight
        for topic, weight in _body_scores(text[body_start:end], lexicon).items():
            scores[topic] = scores.get(topic, 0.0) + weight
        topic, score = _best(scores, lexicon)
        paragraphs.append(Paragraph(start, end, topic, score, own, stack[-1][1] if stack else ""))
        if style:
            stack.append((style, heading))
    return paragraphs


def _inline_heading(text: str, start: int, end: int, lexicon: TopicLexicon) -> re.Match[str] | None:
    for pattern in lexicon.inline_heading:
        if found := pattern.match(text, start, end):
            return found
    return None


def _section_style(text: str, start: int, heading: str) -> str:
    """How a heading opens a section: its numbering style, else its markup, else PLAIN."""
    if style := numbering_style(heading):
        return style
    line_end = text.find("\n", start)
    raw = text[start:line_end if line_end >= 0 else len(text)].lstrip()
    if raw.startswith("#"):
        return "md" + str(len(raw) - len(raw.lstrip("#")))
    return "bold" if raw.startswith("**") else PLAIN


def paragraph_at(paragraphs: Sequence[Paragraph], offset: int) -> Paragraph | None:
    """The paragraph holding character `offset` (None between paragraphs)."""
    index = bisect.bisect_right(paragraphs, offset, key=lambda p: p.start) - 1
    if index >= 0 and offset < paragraphs[index].end:
        return paragraphs[index]
    return None


def practice_topic(practice: str, language: str) -> str | None:
    """The topic a practice belongs to (its own section of a policy), if it has one."""
    return load_topic_lexicon(language).practice_topics.get(practice)
