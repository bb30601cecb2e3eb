"""Pipeline builders: built once per process, no model downloads.

Two Chinese tokenisations exist. `zh` (per-character) is the analysis default: the practice finder
matches lexicon regexes on sentence text, so it needs no word boundaries, the clause analyser's
PhraseMatcher runs over its character tokens directly, and per-character tokenisation runs about three
times faster than jieba (see bench/policy_speed.py). `zh_jieba` (a private jieba tokenizer holding the
lexicon's terms) is for word-level work; its clause analysis re-tokenises per character.

Components, in order: fangcun_sentences_v1, fangcun_clauses_v1, fangcun_practices_v2.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from scanner import limits
from scanner.nlp import clauses, components  # noqa: F401  (registers the factories and the tokenizer)
from scanner.nlp.components import SentenceHit
from scanner.nlp.practice_model import READER, READERS

PIPELINES = ("zh", "zh_jieba", "en")


@functools.cache
def build_pipeline(name: str, reader: str = READER) -> Language:
    """`reader`: the rule reader alone, the learned model alone, or both combined (practice_model.py)."""
    if name not in PIPELINES:
        raise ValueError(f"unknown pipeline {name!r}; expected one of {PIPELINES}")
    if reader not in READERS:
        raise ValueError(f"unknown reader {reader!r}; expected one of {READERS}")
    if name == "zh_jieba":
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "fangcun.private_jieba.v1"}}})
    elif name == "zh":
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "fangcun.characters.v1"}}})
    else:
        nlp = spacy.blank(name)
    language = "en" if name == "en" else "zh"
    nlp.max_length = limits.TEXT_MAX_CHARS + 1  # sources cap their text at this; spaCy's guard sits above it
    nlp.add_pipe("fangcun_sentences_v1", config={"language": language})
    nlp.add_pipe("fangcun_clauses_v1", config={"language": language, "character_tokens": name != "zh_jieba"})
    nlp.add_pipe("fangcun_practices_v2", config={"language": language})
    if reader != "rules":
        nlp.add_pipe("fangcun_practice_model_v1", config={"language": language, "reader": reader})
    return nlp


def find_practices(text: str, language: str, sections: Sequence[tuple[int, str]] = (),
                   pipeline: str | None = None, reader: str = READER) -> tuple[Doc, list[SentenceHit]]:
    """Run the pipeline on `text`; sections (start offset, heading) default to heading-like lines."""
    nlp = build_pipeline(pipeline or language, reader)
    doc = nlp.make_doc(text)
    doc._.fangcun_sections = tuple(sorted(sections)) or None
    doc._.fangcun_text = text
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc, list(doc._.fangcun_hits or ())
