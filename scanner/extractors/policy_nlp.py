"""Privacy-policy text → evidence: the document, the practices it states, the notice checklist.

One `policy.discloses` per (practice, sentence), with polarity affirm/negate/conditional, the
redacted sentence, its character span and section heading, the topic of the paragraph it sits in
and whether that topic is the practice's own (`topical`: a retention clause in the retention
section, not one said in passing inside the sharing section); one `policy.checklist` per PIPL
Art. 17 / FRM Art. 5 item, present or not. The extractor states what the text says; rules judge it.

How sentence facts combine per practice (`practice_answers`): the document's answer to a practice is
the strongest polarity any of its sentences states, affirm > conditional > negate. One sentence that
collects outweighs any number that deny it elsewhere (the policy does collect); a conditional one
outweighs denials (it happens, under its condition); negate is the answer only when every sentence
denies it. A clear negative still answers the question the law asks: "我们不会留存您的人脸图像" tells
how long face data is kept (not at all), so rules that ask whether a policy addresses a topic read every
polarity (FACE-004 face_retention, FACE-007 minors_guardian, the checklist here), while rules that ask
whether something happens read affirm and conditional only (face_collection in FACE-002/003/004).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from scanner import limits
from scanner.extractors.base import ExtractorSpec
from scanner.model import Confidence, Evidence, Location
from scanner.nlp.components import SentenceHit, overlong_sentences
from scanner.nlp.lexicon import load_lexicon
from scanner.nlp.pipelines import find_practices
from scanner.nlp.practice_model import READER, model_record
from scanner.nlp.practices import STRENGTH
from scanner.nlp.text import detect_language, redact
from scanner.nlp.topics import (
    OTHER,
    Paragraph,
    paragraph_at,
    paragraph_topics,
    practice_topic,
)
from scanner.sources.policy import PolicySource

NAME, VERSION = "policy_nlp", 1
EXTRACTOR = f"{NAME}@{VERSION}"
SENTENCE_CHARS = 300
SNIPPET_CHARS = 120


def analyse_policy_text(text: str, *, uri: str, logical: str = "",
                        sections: Sequence[tuple[int, str]] = (),
                        language: str | None = None, reader: str = READER) -> list[Evidence]:
    language = language if language in ("zh", "en") else detect_language(text)
    truncated = len(text) > limits.TEXT_MAX_CHARS
    text = text[:limits.TEXT_MAX_CHARS]  # bounded work; sources cap their text the same way
    _, hits = find_practices(text, language, sections, reader=reader)
    paragraphs = paragraph_topics(text, language)
    evidence = [_document(text, uri, logical, language, truncated, _reads_as_policy(text, language, hits),
                          overlong_sentences(text, language))]
    for hit in hits:
        sentence = redact(text[hit.start:hit.end])
        topic = _topic(paragraphs, hit.start)
        for match in hit.matches:
            attrs = {"topic": topic, "topical": topic == practice_topic(match.practice, language)}
            evidence.append(_discloses(match.practice, match.polarity, match.items, sentence,
                                       (hit.start, hit.end), hit.section, attrs, uri, logical))
    found = {practice: span for practice, (_, span) in practice_answers(hits).items()}
    evidence.extend(_checklist(text, language, found, uri, logical))
    return evidence


def practice_answers(hits: Sequence[SentenceHit]) -> dict[str, tuple[str, tuple[int, int]]]:
    """practice → (the document's answer, the span of the first sentence stating it), combined as the
    module docstring says: the strongest polarity wins, affirm > conditional > negate."""
    answers: dict[str, tuple[str, tuple[int, int]]] = {}
    for hit in hits:
        for match in hit.matches:
            known = answers.get(match.practice)
            if known is None or STRENGTH[match.polarity] < STRENGTH[known[0]]:
                answers[match.practice] = (match.polarity, (hit.start, hit.end))
    return answers


def run(source: PolicySource, _evidence: Sequence[Evidence]) -> Iterable[Evidence]:
    return analyse_policy_text(source.text, uri=source.uri, sections=source.sections,
                               language=source.attributes.get("language"))


def reader_models() -> tuple[dict[str, str], ...]:
    """The learned models the shipped reader reads practices with ({name, version, sha256, reader})."""
    return () if READER == "rules" else (dict(model_record(READER)),)


EMITS = frozenset({"policy.document", "policy.discloses", "policy.checklist"})
POLICY_EXTRACTORS = (ExtractorSpec(NAME, VERSION, run, emits=EMITS, reads=PolicySource),)


def _reads_as_policy(text: str, language: str, hits: Sequence[SentenceHit]) -> bool:
    """A privacy policy names itself so, or states several different practices (see the lexicon)."""
    lexicon = load_lexicon(language)
    if lexicon.policy_name.search(text):
        return True
    stated = {m.practice for hit in hits for m in hit.matches if m.practice != "data_collected"}
    return len(stated) >= lexicon.policy_min_practices


def _document(text: str, uri: str, logical: str, language: str, truncated: bool, policy_like: bool,
              sentences_cut: int) -> Evidence:
    if uri.startswith(("http://", "https://")):
        source = "page"
    elif logical:
        source = "asset"
    else:
        source = "file"
    attrs: dict[str, Any] = {"source": source, "language": language, "chars": len(text), "analysed": True,
                             "policy_like": policy_like}
    if truncated:
        attrs["truncated"] = True
    if sentences_cut:
        attrs["sentences_cut"] = sentences_cut  # runs without a sentence end read in pieces (limits.py)
    return Evidence(
        kind="policy.document",
        key=logical or uri,
        attrs=attrs,
        location=Location(uri, logical),
        extractor=EXTRACTOR,
    )


def _topic(paragraphs: Sequence[Paragraph], offset: int) -> str:
    paragraph = paragraph_at(paragraphs, offset)
    return paragraph.topic if paragraph else OTHER


def _discloses(practice: str, polarity: str, items: tuple[str, ...], sentence: str,
               span: tuple[int, int], section: str, topic_attrs: dict[str, Any],
               uri: str, logical: str) -> Evidence:
    shown = sentence if len(sentence) <= SENTENCE_CHARS else sentence[:SENTENCE_CHARS - 1] + "…"
    attrs: dict[str, Any] = {"polarity": polarity, "sentence": shown, "span": list(span), "section": section,
                             **topic_attrs}
    if practice in ("sdk_list", "data_collected"):
        attrs["items"] = list(items)
    return Evidence(
        kind="policy.discloses",
        key=practice,
        attrs=attrs,
        location=Location(uri, _logical(logical, span), shown[:SNIPPET_CHARS]),
        extractor=EXTRACTOR,
        confidence=Confidence.MEDIUM,
    )


def _checklist(text: str, language: str, found: dict[str, tuple[int, int]],
               uri: str, logical: str) -> list[Evidence]:
    out = []
    lexicon = load_lexicon(language)
    text = lexicon.normalise(text)
    for item in lexicon.checklist:
        span = next((found[p] for p in item.practices if p in found), None)
        if span is None and item.pattern is not None and (m := item.pattern.search(text)):
            span = (m.start(), m.end())
        out.append(Evidence(
            kind="policy.checklist",
            key=item.name,
            attrs={"present": span is not None, "basis": item.basis},
            location=Location(uri, _logical(logical, span) if span else logical),
            extractor=EXTRACTOR,
            confidence=Confidence.MEDIUM,
        ))
    return out


def _logical(logical: str, span: tuple[int, int]) -> str:
    chars = f"chars {span[0]}-{span[1]}"
    return f"{logical} {chars}" if logical else chars
