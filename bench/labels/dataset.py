"""The labelled sentences as data for scoring and training: units joined with their labels.

Each example is a unit of units.jsonl (a corpus sentence by file and character offsets) with the
labels a team member gave it. The text is read from ../shared/corpus at run time and never stored.

    from dataset import examples
    for ex in examples("zh", "dev"): ex.text, ex.labels
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
# FANGCUN_CORPUS as for the tests: a worktree sits one folder deeper than the main checkout
CORPUS = Path(os.environ.get("FANGCUN_CORPUS", HERE.parents[1].parent / "shared" / "corpus")) / "policies"
PRACTICES = ("face_collection", "face_purpose", "face_retention", "face_separate_consent", "face_local_storage",
             "face_cloud_upload", "face_alternative", "minors_guardian", "third_party_sharing", "sdk_list",
             "rights_delete", "rights_withdraw", "contact", "cross_border")
FACE_PRACTICES = PRACTICES[:7]
SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Example:
    id: str
    lang: str
    file: str  # relative to the corpus folder, e.g. CA4P-483/text/0600.txt
    start: int
    end: int
    split: str
    labels: dict[str, str] = field(default_factory=dict)  # practice → affirm / negate / conditional
    nonstatement: str = ""

    @property
    def text(self) -> str:
        return document(self.file)[self.start:self.end]


_documents: dict[str, str] = {}


def document(rel: str) -> str:
    if rel not in _documents:
        _documents[rel] = (CORPUS / rel).read_text(encoding="utf-8")
    return _documents[rel]


def corpus_present() -> bool:
    return (CORPUS / "CA4P-483" / "text").is_dir() and (CORPUS / "OPP-115" / "text").is_dir()


def _labels() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for lang in ("zh", "en"):
        for path in sorted((HERE / lang).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                out[record["id"]] = record
    return out


def examples(lang: str, split: str | None = None) -> Iterator[Example]:
    """Labelled units of one language (and split), in units.jsonl order."""
    labels = _labels()
    for line in (HERE / "units.jsonl").read_text(encoding="utf-8").splitlines():
        unit = json.loads(line)
        if unit["lang"] != lang or (split is not None and unit["split"] != split):
            continue
        record = labels.get(unit["id"])
        if record is None:
            continue
        yield Example(unit["id"], lang, unit["file"], unit["start"], unit["end"], unit["split"],
                      dict(record["labels"]), record.get("nonstatement", ""))
