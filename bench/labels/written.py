"""Policy documents written for measuring, by writers who did not see the reader's code or lexicons.

CA4P-483 holds too few sentences on some face practices (retention, separate consent, on-device
processing, alternatives) to measure them: its test split has one to five each. The files in
`bench/labels/written/` are whole policy-style documents (face-information rules of property,
smart-community, sales-office, finance, government and consumer apps), written in the way real
policies are written and labelled sentence by sentence following GUIDE.md. Being our own text, they
may be stored in the project.

A file is a YAML list of documents; a document is a list of paragraphs; a paragraph is a list of
sentences, each `{text, labels, nonstatement?, note?}`. A document's text is its paragraphs joined
by newlines, each paragraph its sentences joined as written, except that a sentence with no closing
punctuation (a title, a heading, a table row) ends its line, and the items of a list start theirs after a
lead-in that ends with a colon, as they would in any document. Odd-numbered documents of each writer
are dev, even-numbered ones test (`A1` dev, `A2` test …).

    python bench/labels/written.py            # validate every file and print counts
    python bench/labels/written.py FILE …     # validate these files
    python bench/labels/written.py --agree READING   # a second, blind reading against the labels

A second reading is a decisions file as `units.py write` reads them (`ID practice=a|n|c …`, `ID -`,
`ID - REASON`, `# note`), with the sentence ids of written.py (A2-004); `--agree` prints presence and
polarity F1 per practice of the second reading scored against the labels, over the sentences it covers.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from check import NONSTATEMENTS, POLARITIES, PRACTICES, label_problems  # the corpus labels' vocabulary, beside this file
from scoring import score, table
from units import read_decisions as read_decision_lines

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "written"
DOC_ID = re.compile(r"^[A-Z]([1-9][0-9]?)$")
_LEAD_IN = re.compile(r"[：:]\s*$")
_LIST_ITEM = re.compile(r"^\s*([•●·▪\-]|[（(]?([0-9]{1,2}|[一二三四五六七八九十]{1,3})[)）、.．])")
_ENDS_SENTENCE = re.compile(r"[。！？；：.!?;:…）)」”\"]\s*$")


@dataclass(frozen=True)
class WrittenSentence:
    id: str  # document id and sentence number, e.g. A3-017
    doc: str
    start: int  # character offsets in the document's text
    end: int
    split: str
    labels: dict[str, str] = field(default_factory=dict)
    nonstatement: str = ""


@dataclass(frozen=True)
class WrittenDocument:
    id: str
    title: str
    text: str
    split: str
    sentences: tuple[WrittenSentence, ...]


class WrittenError(ValueError):
    pass


def _sentence_problems(where: str, item: object) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: a sentence must be a mapping with text and labels"]
    problems = []
    unknown = set(item) - {"text", "labels", "nonstatement", "note"}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: text missing or empty")
    elif "\n" in text:
        problems.append(f"{where}: text holds a newline (make it two sentences or two paragraphs)")
    labels = item.get("labels")
    if labels is None:
        labels = {}
    if not isinstance(labels, dict):
        problems.append(f"{where}: labels must be a mapping practice → polarity ({{}} for none)")
        labels = {}
    problems += label_problems(where, labels)
    nonstatement = item.get("nonstatement")
    if nonstatement not in (None, *NONSTATEMENTS):
        problems.append(f"{where}: nonstatement {nonstatement!r} is not one of {NONSTATEMENTS}")
    if nonstatement and labels:
        problems.append(f"{where}: a nonstatement has no labels")
    return problems


def load(path: Path) -> list[WrittenDocument]:
    """The documents of one file; raises WrittenError listing every problem found."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise WrittenError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, list):
        raise WrittenError(f"{path.name}: the file must be a list of documents")
    problems: list[str] = []
    documents = []
    seen: set[str] = set()
    for d, doc in enumerate(data):
        if not isinstance(doc, dict) or not isinstance(doc.get("paragraphs"), list):
            problems.append(f"{path.name}: document {d + 1}: needs doc, title and a list of paragraphs")
            continue
        doc_id = str(doc.get("doc", ""))
        match = DOC_ID.match(doc_id)
        if not match or doc_id in seen:
            problems.append(f"{path.name}: document {d + 1}: doc id {doc_id!r} must be a capital letter and a "
                            "number (A1, A2 …), unique")
            continue
        seen.add(doc_id)
        split = "dev" if int(match.group(1)) % 2 else "test"
        parts: list[str] = []
        sentences = []
        offset = 0
        number = 0
        for p, paragraph in enumerate(doc["paragraphs"]):
            if not isinstance(paragraph, list) or not paragraph:
                problems.append(f"{path.name}: {doc_id} paragraph {p + 1}: must be a non-empty list of sentences")
                continue
            if parts:
                parts.append("\n")
                offset += 1
            for item in paragraph:
                number += 1
                where = f"{path.name}: {doc_id} sentence {number}"
                found = _sentence_problems(where, item)
                problems += found
                if found:
                    continue
                text = item["text"]
                if parts and parts[-1] != "\n" and (not _ENDS_SENTENCE.search(parts[-1]) or (
                        _LEAD_IN.search(parts[-1]) and _LIST_ITEM.match(text))):
                    parts.append("\n")  # a title, a heading or a table row stands on its own line, as do list items
                    offset += 1
                parts.append(text)
                sentences.append(WrittenSentence(f"{doc_id}-{number:03d}", doc_id, offset, offset + len(text), split,
                                                 dict(item.get("labels") or {}), item.get("nonstatement") or ""))
                offset += len(text)
        documents.append(WrittenDocument(doc_id, str(doc.get("title", "")), "".join(parts), split, tuple(sentences)))
    if problems:
        raise WrittenError("\n".join(problems))
    return documents


def documents(split: str | None = None) -> list[WrittenDocument]:
    out = []
    for path in sorted(FOLDER.glob("*.yaml")):
        out += [doc for doc in load(path) if split in (None, doc.split)]
    return out


def read_decisions(path: Path) -> dict[str, dict[str, str]]:
    """Sentence id → practice → polarity, from a decisions file (see the module's docstring)."""
    try:
        lines = read_decision_lines(path)
    except ValueError as exc:
        raise WrittenError(str(exc)) from None
    for n, _, labels, _, _ in lines:
        for practice, polarity in labels.items():
            if practice not in PRACTICES or polarity not in POLARITIES:
                raise WrittenError(f"{path.name}:{n}: expected practice=a|n|c, got {practice}={polarity}")
    return {sentence: labels for _, sentence, labels, _, _ in lines}


def agreement(path: Path) -> str:
    second = read_decisions(path)
    sentences = [s for doc in documents() for s in doc.sentences if s.id in second]
    scores = score(((s.labels, second[s.id]) for s in sentences), PRACTICES)
    return table(scores, PRACTICES, f"second reading {path.name} against the labels: {len(sentences)} sentences")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--agree"] and len(argv) == 2:
        try:
            print(agreement(Path(argv[1])))
        except (OSError, WrittenError) as exc:
            print(exc if isinstance(exc, WrittenError) else f"{argv[1]}: {exc.strerror}")
            return 1
        return 0
    paths = [Path(a) for a in argv] or sorted(FOLDER.glob("*.yaml"))
    failed = False
    for path in paths:
        try:
            docs = load(path)
        except (OSError, WrittenError) as exc:
            print(exc if isinstance(exc, WrittenError) else f"{path}: {exc.strerror}")
            failed = True
            continue
        counts: Counter[str] = Counter()
        sentences = [s for doc in docs for s in doc.sentences]
        for s in sentences:
            counts.update(f"{k}:{v}" for k, v in s.labels.items())
        print(f"{path.name}: {len(docs)} documents, {len(sentences)} sentences, "
              f"{sum(1 for s in sentences if not s.labels)} without a practice")
        for practice in PRACTICES:
            row = {pol: counts[f"{practice}:{pol}"] for pol in POLARITIES if counts[f"{practice}:{pol}"]}
            if row:
                print(f"  {practice:22s} {row}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
