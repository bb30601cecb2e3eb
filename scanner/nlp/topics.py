"""Paragraph topics: what each paragraph of a policy is mainly about.

A practice sentence can sit anywhere (a retention clause inside the sharing section); the topic says
which part of the policy a paragraph belongs to, the way Chinese policies are laid out after GB/T
35273 Annex D ("一、如何收集和使用 … 二、如何共享、转让、公开披露 … 八、如何联系我们").

Paragraphs: a blank line, a rule line (=====, -----) or a line that ends a sentence (。；：…) ends
a paragraph, so hard-wrapped lines stay together and one-block-per-line HTML text gives one
paragraph per block; a heading line is a paragraph of its own and opens a section for the
paragraphs after it (how CA4P-483 cuts policies, too). Each paragraph is scored per topic from
four cues, with the weights in rules/lexicon/policy_topics_{zh,en}.yaml:
- its own heading (the heading line it starts with, or an inline "标题：" lead-in);
- the headings that enclose it (a stack ordered by numbering style: 一、 > （一） > 1. …),
  nearest first, weaker with every level up;
- cue phrases in its body, capped per phrase, counted double in the first sentence;
- its layout: a short line that is mostly a company name, address, phone or e-mail (contact), a
  row of a Markdown table whose header names a topic (an SDK list: sharing), an item of a list
  whose lead-in ends with a colon (the lead-in's topic).
The best-scoring topic wins; ties go to the topic listed first in the lexicon; a paragraph that
scores below the lexicon's minimum is `other`, with a higher minimum in the introduction (before
the first numbered or marked heading that names a topic). No model is trained: every decision
can be traced to a phrase, a layout rule and a weight.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.nlp.lexicon import compile_lexicon_file
from scanner.nlp.text import toc_ranges

OTHER = "other"
TOC = "\0toc"  # the own heading segment() gives a table of contents
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
LEAD_IN_END = re.compile(r"[：:][\s*_]*$")  # "…以下情况除外：" introduces the list after it
FIRST_SENTENCE = re.compile(r"[^。；;！？!?\n]*[。；;！？!?\n]?")


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    heading: tuple[tuple[re.Pattern[str], float], ...]
    body: tuple[tuple[re.Pattern[str], float], ...]
    body_any: re.Pattern[str] | None = None  # matches where some body cue does: most paragraphs have none


@dataclass(frozen=True, slots=True)
class ContactLine:
    """A short paragraph made mostly of a company name, address, phone number or e-mail address.

    Such lines sit under any heading (概述, 争议解决, a footer); they name who runs the service, so
    they are `contact` wherever they are."""

    topic: str
    anchors: tuple[re.Pattern[str], ...]  # at least one must match: a name, address, phone, e-mail
    fillers: tuple[re.Pattern[str], ...]  # labels and asides that may fill the rest ("注册地址：")
    max_chars: int
    min_share: float  # of the line's letters and digits that the anchors and fillers cover
    weight: float


@dataclass(frozen=True, slots=True)
class TableTopic:
    """Rows of a Markdown table take the topic its header names: a list of SDKs with their
    providers and privacy-policy links is about sharing, though a row ("极光 | 推送 | 设备标识")
    has no cue word of its own."""

    topic: str
    header: re.Pattern[str]
    weight: float


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
    intro_min_score: float
    heading_max_chars: int
    inline_heading: tuple[re.Pattern[str], ...]  # each with a group named "heading"
    practice_topics: Mapping[str, str]  # practice of policy.discloses → its own topic
    contact_line: ContactLine | None = None
    tables: tuple[TableTopic, ...] = ()
    lead_in: float = 0.0  # share of a lead-in's score ("…除外：") its list items inherit


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
    return compile_lexicon_file(f"policy_topics_{language}.yaml", _compile)


def _compile(data: Mapping[str, Any]) -> TopicLexicon:
    flags = re.IGNORECASE if data.get("ignore_case") else 0

    def weighted(cues: Mapping[str, float] | None) -> tuple[tuple[re.Pattern[str], float], ...]:
        return tuple((re.compile(pattern, flags), float(weight)) for pattern, weight in (cues or {}).items())

    def any_of(cues: Mapping[str, float] | None) -> re.Pattern[str] | None:
        # a leading global flag becomes a scoped one, which an alternation allows
        parts = [f"(?i:{p[4:]})" if p.startswith("(?i)") else f"(?:{p})" for p in (cues or {})]
        return re.compile("|".join(parts), flags) if parts else None

    topics = tuple(TopicSpec(name, weighted(spec.get("heading")), weighted(spec.get("body")),
                             any_of(spec.get("body")))
                   for name, spec in data["topics"].items())
    weights = data["weights"]
    contact_line = _contact_line(data.get("contact_line"), flags)
    tables = tuple(TableTopic(t["topic"], re.compile(t["header"], flags), float(t["weight"]))
                   for t in data.get("tables", ()))
    structural = {t.topic for t in tables} | ({contact_line.topic} if contact_line else set())
    if unknown := structural - {t.name for t in topics}:
        raise ValueError(f"contact_line or tables name unknown topics {sorted(unknown)}")
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
        # optional: a lexicon without it scores an introduction like any other paragraph
        intro_min_score=float(weights.get("intro_min_score", weights["min_score"])),
        heading_max_chars=int(weights["heading_max_chars"]),
        inline_heading=tuple(re.compile(p, flags) for p in data["inline_heading"]),
        practice_topics=_practice_topics(data["practice_topics"], {t.name for t in topics} | {OTHER}),
        contact_line=contact_line,
        tables=tables,
        lead_in=float(weights.get("lead_in", 0.0)),
    )


def _contact_line(data: Mapping[str, Any] | None, flags: int) -> ContactLine | None:
    if not data:
        return None
    return ContactLine(
        topic=data["topic"],
        anchors=tuple(re.compile(p, flags) for p in data["anchors"]),
        fillers=tuple(re.compile(p, flags) for p in data["fillers"]),
        max_chars=int(data["max_chars"]),
        min_share=float(data["min_share"]),
        weight=float(data["weight"]),
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
            if start < 0 or heading != TOC:
                close()
                start, heading = line.start, TOC
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
        if topic.body_any is None or not topic.body_any.search(body):
            continue
        total = 0.0
        for rx, weight in topic.body:
            hits = 0.0
            for m in rx.finditer(body):
                hits += lexicon.first_sentence if m.start() < first_end else 1
                if hits >= lexicon.phrase_cap:
                    break
            total += weight * min(hits, lexicon.phrase_cap)
        if total:
            scores[topic.name] = total
    return scores


WORD_CHAR = re.compile(r"[\w]")


def is_contact_line(paragraph: str, cue: ContactLine) -> bool:
    """Whether a paragraph is mostly a company name, address, phone number or e-mail address."""
    if len(paragraph) > cue.max_chars:
        return False
    covered = bytearray(len(paragraph))
    for patterns, is_anchor in ((cue.anchors, True), (cue.fillers, False)):
        for rx in patterns:
            for m in rx.finditer(paragraph):
                if m.end() > m.start():
                    covered[m.start():m.end()] = b"\1" * (m.end() - m.start())
        if is_anchor and not any(covered):
            return False  # no anchor: the fillers cannot make it a contact line
    letters = [m.start() for m in WORD_CHAR.finditer(paragraph)]
    return bool(letters) and sum(covered[i] for i in letters) >= cue.min_share * len(letters)


TABLE_SEPARATOR = re.compile(r"^[ \t|:]{0,16}-{3,}[ \t]*(\|[ \t:]*-{3,}[ \t:]*)+\|?[ \t]*$", re.MULTILINE)
TABLE_HEADER_LINES = 16  # a header with one cell per line: "名称\n|\n提供方\n|\n…"
TABLE_CELL_CHARS = 40  # a longer line without a cell border is prose, not part of a table
OUTER_STYLES = frozenset({"part", "article", "cn", "cn_paren"})


def _is_cell_line(raw: str) -> bool:
    """A line of a table: it has a cell border, or is a short cell of its own."""
    if "|" in raw:
        return True
    plain = MARKUP.sub("", raw).strip()
    return len(plain) <= TABLE_CELL_CHARS and not SENTENCE_PUNCT.search(plain)


def _is_header_cell_line(raw: str) -> bool:
    """A line of a table's header row: a cell line that is not a heading or a lead-in above it."""
    plain = MARKUP.sub("", raw).strip()
    return _is_cell_line(raw) and not numbering_style(plain) and not LEAD_IN_END.search(plain)


def table_ranges(text: str, lexicon: TopicLexicon) -> list[tuple[int, int, TableTopic]]:
    """(start, end, table topic) of Markdown tables whose header row names a topic.

    The header is the run of cell lines just above the ---|--- line and the caption line above them
    (a heading, a lead-in or a sentence, but not across a blank line); the table runs to the first
    line of prose or the next major heading. Cells may sit one per line, so blank lines do not
    end a table."""
    ranges: list[tuple[int, int, TableTopic]] = []
    if not lexicon.tables:
        return ranges
    for separator in TABLE_SEPARATOR.finditer(text):
        if ranges and separator.start() < ranges[-1][1]:
            continue
        header_start = separator.start()
        for _ in range(TABLE_HEADER_LINES):
            line_start = text.rfind("\n", 0, max(header_start - 1, 0)) + 1
            line = text[line_start:header_start]
            if line_start >= header_start or not MARKUP.sub("", line).strip():
                break
            header_start = line_start
            if not _is_header_cell_line(line):  # the caption above the header row belongs to it
                break
        table = next((t for t in lexicon.tables if t.header.search(text, header_start, separator.start())), None)
        if table is None:
            continue
        end, position = len(text), separator.end() + 1
        while position < len(text):
            line_end = text.find("\n", position)
            line_end = len(text) if line_end < 0 else line_end
            raw = text[position:line_end]
            if not _is_cell_line(raw) or numbering_style(MARKUP.sub("", raw).strip()) in OUTER_STYLES:
                end = position
                break
            position = line_end + 1
        ranges.append((header_start, end, table))
    return ranges


def _best(scores: Mapping[str, float], min_score: float, lexicon: TopicLexicon) -> tuple[str, float]:
    topic, score = OTHER, 0.0
    for spec in lexicon.topics:  # lexicon order breaks ties
        if scores.get(spec.name, 0.0) > score:
            topic, score = spec.name, scores[spec.name]
    return (topic, score) if score >= min_score else (OTHER, score)


def _introduction_end(text: str, blocks: Sequence[tuple[int, int, str]], lexicon: TopicLexicon) -> int:
    """Where a policy's introduction ends: at its first numbered or marked heading that names a topic.

    The introduction (who we are, what the policy covers, "please read carefully") mentions every
    practice in passing and is about none of them. A text without such a heading has no introduction."""
    for start, _, heading in blocks:
        if heading and heading != TOC and _section_style(text, start, heading) != PLAIN \
                and set(dict(_cached_heading_scores(heading, lexicon.language))) - {OTHER}:
            return start
    return 0


@functools.lru_cache(maxsize=4096)
def _cached_heading_scores(heading: str, language: str) -> tuple[tuple[str, float], ...]:
    return tuple(_heading_scores(heading, load_topic_lexicon(language)).items())


Section = tuple[str, str]  # (numbering style, heading line) of an enclosing heading
Lead = tuple[str, float]  # topic and score of the lead-in ("…除外：") of the list being read


@dataclass(frozen=True, slots=True)
class _Position:
    """Where a reader stands just before a paragraph: the headings that enclose it, outermost
    first, and the lead-in whose list it may continue."""

    sections: tuple[Section, ...]
    lead: Lead | None


@dataclass(frozen=True)
class TopicContext:
    """A policy read once, paragraph by paragraph: its paragraphs with their topics, and what
    `classify_span` needs to score any other span of the same text the same way."""

    text: str
    language: str
    paragraphs: tuple[Paragraph, ...]
    positions: tuple[_Position, ...]  # before each paragraph, then after the last one
    layout: _Layout
    contents: tuple[tuple[int, int], ...]  # tables of contents
    style_rank: Mapping[str, int]  # numbering styles ranked by first appearance: earlier is outer


def topic_context(text: str, language: str) -> TopicContext:
    """Read `text` once: every paragraph's topic and the heading context at every paragraph."""
    lexicon = load_topic_lexicon(language)
    blocks = segment(text, lexicon)
    layout = _Layout(_introduction_end(text, blocks, lexicon), tuple(table_ranges(text, lexicon)))
    paragraphs: list[Paragraph] = []
    positions: list[_Position] = []
    sections: tuple[Section, ...] = ()
    style_rank: dict[str, int] = {}
    lead: Lead | None = None
    for start, end, heading in blocks:
        positions.append(_Position(sections, lead))
        if heading == TOC:
            paragraphs.append(Paragraph(start, end, OTHER, 0.0, "", ""))
            continue
        if heading and (style := _section_style(text, start, heading)) != PLAIN:
            style_rank.setdefault(style, len(style_rank))
        paragraph, sections, lead = _classify(text, start, end, heading, _Position(sections, lead),
                                              layout, style_rank, lexicon)
        paragraphs.append(paragraph)
    positions.append(_Position(sections, lead))
    contents = tuple((p.start, p.end) for p, (_, _, h) in zip(paragraphs, blocks) if h == TOC)
    return TopicContext(text, language, tuple(paragraphs), tuple(positions), layout, contents, style_rank)


def paragraph_topics(text: str, language: str) -> list[Paragraph]:
    """Every paragraph of `text` with its topic, in order."""
    return list(topic_context(text, language).paragraphs)


def classify_span(text: str, start: int, end: int, language: str, *,
                  context: TopicContext | None = None) -> Paragraph:
    """The topic of text[start:end] taken as one paragraph, wherever its bounds fall.

    The span is scored like a paragraph of `paragraph_topics`: its own heading (its first line when
    that is a heading line, else an inline lead-in), the headings that enclose its start, its body
    cues, its layout and the lead-in of a list it continues. Pass the `context` of `text` (from
    `topic_context`) to classify many spans of one text without reading it again."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}-{end} is outside a text of {len(text)} characters")
    if context is None:
        context = topic_context(text, language)
    elif context.language != language or (context.text is not text and context.text != text):
        raise ValueError("the context was read from another text or language")
    lexicon = load_topic_lexicon(language)
    first = start + len(text[start:end]) - len(text[start:end].lstrip())
    if first == end or any(c_start <= first < c_end for c_start, c_end in context.contents):
        return Paragraph(start, end, OTHER, 0.0, "", "")  # blank, or in a table of contents
    # Blank lines before the first line are not part of the paragraph; its indentation is, as in segment().
    line_start = max(start, text.rfind("\n", 0, first) + 1)
    heading = _span_heading(text, first, end, lexicon)
    paragraph, _, _ = _classify(text, line_start, end, heading, _position_at(context, start),
                                context.layout, context.style_rank, lexicon)
    return Paragraph(start, end, paragraph.topic, paragraph.score, paragraph.heading, paragraph.section)


def _span_heading(text: str, first: int, end: int, lexicon: TopicLexicon) -> str:
    """The span's first line when it is a heading line ("" otherwise); `first` is its first
    non-blank character."""
    line_end = text.find("\n", first, end)
    line_end = end if line_end < 0 else line_end
    raw = text[first:line_end]
    line = _Line(first, line_end, MARKUP.sub("", raw).strip())
    return line.plain if _is_heading(line, raw, lexicon) else ""


def _position_at(context: TopicContext, offset: int) -> _Position:
    """The reader's position at `offset`: before the paragraph that holds it, or after the
    paragraph before it when `offset` falls between paragraphs."""
    index = bisect.bisect_right(context.paragraphs, offset, key=lambda p: p.start) - 1
    if index >= 0 and offset >= context.paragraphs[index].end:
        index += 1
    return context.positions[max(index, 0)]


def _classify(text: str, start: int, end: int, heading: str, before: _Position, layout: _Layout,
              style_rank: Mapping[str, int],
              lexicon: TopicLexicon) -> tuple[Paragraph, tuple[Section, ...], Lead | None]:
    """Score one paragraph (text[start:end], whose first line is `heading` when that is not "")
    from where the reader stands before it; return it with the position after it."""
    style = _section_style(text, start, heading) if heading else ""
    sections = list(before.sections)
    if style:
        # An unnumbered, unmarked heading (a title, a label, an English heading) is always the
        # innermost level: any later heading closes it, and it closes only its own kind.
        # A style the reader has not met before nests inside all the styles it has met.
        rank = PLAIN_RANK if style == PLAIN else style_rank.get(style, len(style_rank))
        while sections and style_rank.get(sections[-1][0], PLAIN_RANK) >= rank:
            sections.pop()
    scores: dict[str, float] = {}
    for level, (_, enclosing) in enumerate(reversed(sections)):
        factor = lexicon.section_heading * lexicon.section_decay ** level
        for topic, weight in _cached_heading_scores(enclosing, lexicon.language):
            _add(scores, topic, factor * weight)
    body_start = start
    own = heading
    if heading:
        body_start = text.find("\n", start, end) + 1 or end
    elif inline := _inline_heading(text, start, end, lexicon):
        own, body_start = MARKUP.sub("", inline.group("heading")).strip(), inline.end()
    for topic, weight in _cached_heading_scores(own, lexicon.language) if own else ():
        _add(scores, topic, lexicon.own_heading * weight)
    for topic, weight in _body_scores(text[body_start:end], lexicon).items():
        _add(scores, topic, weight)
    for topic, weight in _layout_scores(text, start, end, layout, lexicon):
        _add(scores, topic, weight)
    lead = before.lead
    if heading or (lead is not None and not _is_list_item(text, start, end)):
        lead = None
    elif lead is not None:
        _add(scores, lead[0], lexicon.lead_in * lead[1])
    min_score = lexicon.intro_min_score if start < layout.introduction_end else lexicon.min_score
    topic, score = _best(scores, min_score, lexicon)
    if not heading and LEAD_IN_END.search(text, max(start, end - 8), end):
        lead = (topic, score) if topic != OTHER else None
    paragraph = Paragraph(start, end, topic, score, own, sections[-1][1] if sections else "")
    if style:
        sections.append((style, heading))
    return paragraph, tuple(sections), lead


def _add(scores: dict[str, float], topic: str, weight: float) -> None:
    scores[topic] = scores.get(topic, 0.0) + weight


@dataclass(frozen=True, slots=True)
class _Layout:
    """The parts of a policy that decide topics by their place rather than their words."""

    introduction_end: int
    tables: tuple[tuple[int, int, TableTopic], ...]


def _layout_scores(text: str, start: int, end: int, layout: _Layout,
                   lexicon: TopicLexicon) -> list[tuple[str, float]]:
    """Topic weights a paragraph gets from what it looks like and where it sits."""
    found = [(table.topic, table.weight) for t_start, t_end, table in layout.tables if t_start <= start < t_end]
    if lexicon.contact_line and is_contact_line(MARKUP.sub("", text[start:end]), lexicon.contact_line):
        found.append((lexicon.contact_line.topic, lexicon.contact_line.weight))
    return found


LIST_ITEM_CHARS = 160


def _is_list_item(text: str, start: int, end: int) -> bool:
    """A numbered or bulleted paragraph, or a short one: an item of the list a lead-in opens."""
    raw = text[start:min(end, start + 12)].lstrip()
    return end - start <= LIST_ITEM_CHARS or raw.startswith(("-", "*", "•", "·")) \
        or bool(numbering_style(MARKUP.sub("", raw).strip()))


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
