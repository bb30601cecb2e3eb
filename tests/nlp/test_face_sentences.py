"""The hand-written face-sentence set: every sentence must yield exactly its expected face practices."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scanner.nlp.pipelines import find_practices
from scanner.nlp.text import detect_language

CASES = yaml.safe_load((Path(__file__).parent / "face_sentences.yaml").read_text(encoding="utf-8"))["cases"]


def found_practices(text: str) -> dict[str, str]:
    _, hits = find_practices(text, detect_language(text))
    return {m.practice: m.polarity for hit in hits for m in hit.matches}


def test_the_set_is_large_and_bilingual() -> None:
    languages = [detect_language(c["text"]) for c in CASES]
    assert len(CASES) >= 100
    assert languages.count("zh") >= 40 and languages.count("en") >= 30


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_face_sentence(case: dict) -> None:
    found = found_practices(case["text"])
    face = {p: polarity for p, polarity in found.items() if p.startswith("face_")}
    assert face == case["expect"]
    for practice in case.get("also", ()):
        assert practice in found
