"""The labelled sentence corpus stays well-formed (references only, known practices) and the sentence
scores count a wrong polarity against both precision and recall."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

LABELS = Path(__file__).resolve().parents[2] / "bench" / "labels"
sys.path.insert(0, str(LABELS))
import check  # noqa: E402
from scoring import score  # noqa: E402


def test_every_label_file_names_known_units_and_practices(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.check() == 0, capsys.readouterr().out


def test_label_records_hold_offsets_never_corpus_text() -> None:
    for path in sorted(LABELS.glob("[ze][hn]/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert set(record) <= {"id", "file", "start", "end", "labels", "nonstatement", "note"}, path
            assert len(record.get("note", "")) <= 200, (path, record["id"])


def test_a_wrong_polarity_is_a_false_positive_and_a_false_negative() -> None:
    pairs = [({"face_collection": "negate"}, {"face_collection": "affirm"}),
             ({"face_collection": "affirm"}, {"face_collection": "affirm"}),
             ({}, {"contact": "affirm"})]
    scores = score(pairs, ("face_collection", "contact"))
    assert scores.presence["face_collection"].prf() == (1.0, 1.0, 1.0)
    assert (scores.polarity["face_collection"].tp, scores.polarity["face_collection"].fp,
            scores.polarity["face_collection"].fn) == (1, 1, 1)
    assert scores.presence["contact"].fp == 1 and scores.presence["contact"].support == 0
    assert scores.macro("presence") == 1.0  # practices without gold support are left out of the average
