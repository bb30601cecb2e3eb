"""Small text helpers shared by extractors: redaction, snippets, phrase matching with negation, URLs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scanner.nlp.text import redact

SNIPPET_LIMIT = 120
# Characters read past an excerpt's end, so that a phone or ID number it shows a part of is redacted
# as a whole (the longest, "+86 138-1234-5678" or an 18-digit ID, is under 20 characters).
REDACTION_MARGIN = 32
# How far back a negation cue reaches inside its clause. A cue further back than this in one
# clause negates nothing: it bounds the work per match, so a page-long clause of repeated terms
# (no comma, no full stop) is read in linear time instead of re-reading the clause for each term.
NEGATION_REACH = 120
_WORD = re.compile(r"\S+")


def snippet(text: str, limit: int = SNIPPET_LIMIT) -> str:
    """A redacted, single-line excerpt of at most `limit` characters."""
    head = _leading_text(text, limit + REDACTION_MARGIN)
    flat = " ".join(redact(head).split())
    if len(flat) <= limit and len(head) < len(text):  # redaction shortened the head: read it all
        flat = " ".join(redact(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _leading_text(text: str, chars: int) -> str:
    """The start of `text` holding at least `chars` characters once whitespace is folded (or all of
    it): an excerpt of a megabyte-long string reads only the part it shows."""
    if len(text) <= chars:
        return text
    folded = 0
    for word in _WORD.finditer(text):
        folded += len(word.group()) + 1
        if folded >= chars:
            return text[: word.end() - (folded - chars) + 1]
    return text


def snippet_around(text: str, start: int, end: int, limit: int = SNIPPET_LIMIT) -> str:
    """A redacted excerpt centred on text[start:end]."""
    if len(text) <= limit:
        return snippet(text, limit)
    pad = max(0, (limit - (end - start)) // 2)
    lo = max(0, start - pad)
    return snippet(text[lo : lo + limit], limit)


def _is_latin(phrase: str) -> bool:
    return bool(re.search(r"[A-Za-z]", phrase))


def phrase_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive alternation, longest phrase first; Latin phrases only match whole words."""
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        body = re.escape(phrase)
        if _is_latin(phrase):
            body = rf"(?<![A-Za-z]){body}(?![A-Za-z])"
        parts.append(body)
    return re.compile("|".join(parts) if parts else r"(?!x)x", re.IGNORECASE)


def clause_start(text: str, position: int, clause_breaks: str) -> int:
    """Where the clause holding `position` starts, looking back at most NEGATION_REACH characters."""
    reach = max(0, position - NEGATION_REACH)
    last_break = max((text.rfind(ch, reach, position) for ch in clause_breaks), default=-1)
    return last_break + 1 if last_break >= 0 else reach


@dataclass(frozen=True)
class Negation:
    """A negation cue earlier in the same clause cancels a phrase ("本应用不使用人脸识别")."""

    cues: re.Pattern[str]
    clause_breaks: str

    @classmethod
    def from_lexicon(cls, section: dict) -> Negation:
        return cls(phrase_regex(section["cues"]), section["clause_breaks"])

    def is_negated(self, text: str, position: int) -> bool:
        return self.cues.search(text, clause_start(text, position, self.clause_breaks), position) is not None


def affirmed_matches(pattern: re.Pattern[str], text: str, negation: Negation) -> Iterator[re.Match[str]]:
    """Matches of `pattern` in `text` that no negation cue precedes within their clause."""
    for match in pattern.finditer(text):
        if not negation.is_negated(text, match.start()):
            yield match


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, else UTF-8 with replacement characters."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")
