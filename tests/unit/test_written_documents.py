"""The written measurement documents (bench/labels/written.py): every file validates, each sentence's offsets
give back its text, the split is by document number, and a second reading is scored against the labels."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "labels"))
import written  # noqa: E402


def test_every_written_file_validates_and_offsets_give_back_the_text() -> None:
    files = sorted(written.FOLDER.glob("*.yaml"))
    assert files
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for doc, data in zip(written.load(path), raw, strict=True):
            texts = [item["text"] for paragraph in data["paragraphs"] for item in paragraph]
            assert [doc.text[s.start:s.end] for s in doc.sentences] == texts
            assert doc.split == ("dev" if int(doc.id[1:]) % 2 else "test")


@pytest.mark.parametrize("sentences, text", [
    # a heading stands on its own line, as in any document; sentences that close run on in their paragraph
    (["{text: 一、刷脸门禁, labels: {}, nonstatement: heading}", "{text: 我们会采集您的人脸。, labels: {}}",
      "{text: 人脸信息仅用于开门。, labels: {}}"], "一、刷脸门禁\n我们会采集您的人脸。人脸信息仅用于开门。"),
    # the items of a list start their line after a lead-in that ends with a colon
    (["{text: 门锁支持以下开锁方式：, labels: {}}", "{text: · 刷脸开锁。, labels: {}}", "{text: · 密码开锁。, labels: {}}"],
     "门锁支持以下开锁方式：\n· 刷脸开锁。· 密码开锁。"),
])
def test_lines_break_where_a_document_s_would(tmp_path: Path, sentences: list[str], text: str) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text("- doc: Z1\n  paragraphs:\n    - - " + "\n      - ".join(sentences) + "\n", encoding="utf-8")
    (doc,) = written.load(path)
    assert doc.text == text
    assert [doc.text[x.start:x.end] for x in doc.sentences] == [s.split(",")[0].removeprefix("{text: ") for s in sentences]


def test_a_bad_file_names_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- doc: a1\n  paragraphs: []\n- doc: B1\n  paragraphs:\n    - - {text: 我们收集人脸。, labels: "
                   "{face_collection: maybe, face_purpose: negate}}\n", encoding="utf-8")
    with pytest.raises(written.WrittenError) as caught:
        written.load(bad)
    message = str(caught.value)
    assert "doc id 'a1'" in message and "polarity 'maybe'" in message and "face_purpose is always affirm" in message


def test_a_second_reading_is_scored_against_the_labels(tmp_path: Path) -> None:
    doc = written.documents("dev")[0]
    first = doc.sentences[0]
    reading = tmp_path / "second.txt"
    labels = " ".join(f"{p}={v[0]}" for p, v in first.labels.items()) or "-"
    reading.write_text(f"{first.id} {labels}  # agrees\n", encoding="utf-8")
    assert "1 sentences" in written.agreement(reading)
    reading.write_text(f"{first.id} face_collection=x\n", encoding="utf-8")
    with pytest.raises(written.WrittenError, match="expected practice=a"):
        written.agreement(reading)
