"""Build the learned practice reader (scanner/nlp/models/practice_model_v1.*) from the labelled sentences.

Training data: the train split of bench/labels (corpus sentences, text read from the corpus at run time),
the team's own sentences (bench/labels/own/policy_zh.yaml) and the dev half of the written documents
(bench/labels/written.py; their test half is never read). The dev split tunes the combination
thresholds with the rule reader, on the real analysis of each dev policy. The test split is never read.
Training is deterministic: zero-initialised weights, full-batch Adam, a fixed number of steps, no
sampling — the same labels and corpus give the same bytes.

    python bench/build_practice_model.py [--out DIR] [--data FILE.jsonl]

`--data` builds from a file of own sentences instead of the corpus (one JSON object a line: lang,
split train|dev, text, labels), as the tests do.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "labels"))
from dataset import FACE_PRACTICES, PRACTICES, corpus_present, document, examples  # noqa: E402
from scoring import score, table  # noqa: E402
from written import FOLDER as WRITTEN  # noqa: E402
from written import documents as written_documents  # noqa: E402

from scanner.nlp.components import reading_order, sentence_clauses  # noqa: E402
from scanner.nlp.pipelines import find_practices  # noqa: E402
from scanner.nlp.practice_model import (  # noqa: E402
    ANY_SENTENCE,
    MODELS,
    READERS,
    STRUCTURE,
    Combination,
    PracticeModel,
    combine,
    featurise,
    may_add,
    model_polarity,
    sentence_context,
    write_artefact,
)
from scanner.nlp.practices import AFFIRM  # noqa: E402

VERSION = "practice_model_v1"
BUCKETS = 1 << 20
ORDERS = {"zh": (1, 2, 3), "en": (3, 4, 5)}
# GUIDE.md names no other polarity for these: the model never reads them as negated or conditional
AFFIRM_ONLY = ("face_purpose", "face_separate_consent", "face_local_storage", "minors_guardian", "sdk_list",
               "rights_delete", "rights_withdraw", "contact")
MIN_TRAIN = 5  # a practice with fewer training sentences gets no output: its weights would be noise
STEPS, RATE, L2 = 300, 0.05, 1e-4
POSITIVE_WEIGHT_MAX = 10.0
STRUCTURE_THRESHOLD = 0.5
ADD_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 2.0)  # 2.0: never
MIN_DEV = 5
RARE_ADD = 0.5
OWN = HERE / "labels" / "own" / "policy_zh.yaml"


@dataclass(frozen=True)
class Sentence:
    text: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class DevDocument:
    """A text analysed whole, and its labelled units (start, end, labels)."""

    text: str
    units: tuple[tuple[int, int, Mapping[str, str]], ...]


def targets(sentences: Sequence[Sentence], outputs: Sequence[str]) -> numpy.ndarray:
    y = numpy.zeros((len(sentences), len(outputs)), dtype=numpy.float32)
    for i, s in enumerate(sentences):
        for j, name in enumerate(outputs):
            y[i, j] = name in s.labels if name not in STRUCTURE else name in s.labels.values()
    return y


def joined(sentences: Sequence[Sentence]) -> tuple[str, list[tuple[int, int]]]:
    """The sentences as one text, a line each, with their bounds: features of all in one pass."""
    bounds, position = [], 0
    for s in sentences:
        bounds.append((position, position + len(s.text)))
        position += len(s.text) + 1
    return "\n".join(s.text for s in sentences), bounds


def train(sentences: Sequence[Sentence], outputs: Sequence[str], orders: Sequence[int]) -> dict[str, numpy.ndarray]:
    """Weighted logistic regression per output (positives weighted up to the negatives, at most ×10)."""
    text, bounds = joined(sentences)
    f = featurise(text, bounds, orders, BUCKETS)
    rows, column = numpy.unique(f.bucket, return_inverse=True)
    by_column = numpy.argsort(column, kind="stable")
    column_starts = numpy.flatnonzero(numpy.r_[True, column[by_column][1:] != column[by_column][:-1]])
    sentence_starts = numpy.flatnonzero(numpy.r_[True, f.sentence[1:] != f.sentence[:-1]])
    y = targets(sentences, outputs)
    positives = y.sum(axis=0)
    weight_positive = numpy.minimum(numpy.sqrt((len(y) - positives) / numpy.maximum(positives, 1)), POSITIVE_WEIGHT_MAX)
    sample_weight = numpy.where(y > 0, weight_positive, 1.0).astype(numpy.float32) / len(y)
    weights = numpy.zeros((len(rows), len(outputs)), dtype=numpy.float64)
    bias = numpy.zeros(len(outputs), dtype=numpy.float64)
    moments = [numpy.zeros_like(weights), numpy.zeros_like(weights), numpy.zeros_like(bias), numpy.zeros_like(bias)]
    value = f.value.astype(numpy.float64)[:, None]
    for step in range(1, STEPS + 1):
        z = numpy.tile(bias, (f.sentences, 1))
        z[f.sentence[sentence_starts]] += numpy.add.reduceat(weights[column] * value, sentence_starts, axis=0)
        error = (1.0 / (1.0 + numpy.exp(-z)) - y) * sample_weight
        contributions = (error[f.sentence] * value)[by_column]
        grad_w = numpy.add.reduceat(contributions, column_starts, axis=0) + L2 * weights
        grad_b = error.sum(axis=0)
        for param, grad, m, v in ((weights, grad_w, moments[0], moments[1]), (bias, grad_b, moments[2], moments[3])):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= RATE * (m / (1 - 0.9 ** step)) / (numpy.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return {"rows": rows.astype(numpy.int32), "weights": weights.astype(numpy.float32),
            "bias": bias.astype(numpy.float32)}


def outputs_for(sentences: Sequence[Sentence], lang: str) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    for s in sentences:
        for practice in s.labels:
            counts[practice] += 1
    known = PRACTICES if lang == "zh" else tuple(p for p in PRACTICES if p not in FACE_PRACTICES)
    return [p for p in known if counts[p] >= MIN_TRAIN] + list(STRUCTURE)


def manifest(languages: Mapping[str, dict]) -> dict:
    return {"version": VERSION, "kind": "hashed character n-grams, logistic per output", "buckets": BUCKETS,
            "affirm_only": list(AFFIRM_ONLY), "languages": dict(languages),
            "training": {"steps": STEPS, "rate": RATE, "l2": L2, "positive_weight_max": POSITIVE_WEIGHT_MAX,
                         "min_train_sentences": MIN_TRAIN}}


def readings(model: PracticeModel, docs: Sequence[DevDocument], lang: str) -> list[tuple[Mapping[str, str], list]]:
    """Per dev unit: gold labels, and the (rule matches, probabilities) of each analysed sentence it overlaps."""
    out = []
    for d in docs:
        doc, hits = find_practices(d.text, lang, reader="rules")
        by_start = {hit.start: hit.matches for hit in hits}
        sentences = reading_order(doc, d.text, lang)
        bounds = [(s, e) for s, e, _ in sentences]
        probabilities = model.probabilities(d.text, bounds)
        contexts = sentence_context(d.text, bounds, lang, sentence_clauses(doc))
        for start, end, labels in d.units:
            parts = [(by_start.get(s, ()), probabilities[i], contexts[i]) for i, (s, e) in enumerate(bounds)
                     if s < end and start < e]
            parts += [(hit.matches, None, ANY_SENTENCE) for hit in hits if hit.start < end and start < hit.end
                      and all(hit.start != s for s, _ in bounds)]
            out.append((labels, parts))
    return out


ORDER = {"affirm": 0, "conditional": 1, "negate": 2}  # as sentence_eval: a unit's strongest reading
NEVER = 2.0  # a probability threshold nothing reaches


def predicted(parts: list, model: PracticeModel, reader: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for matches, row, context in parts:
        for m in (combine(matches, row, model, reader, context) if row is not None else matches):
            if m.practice not in found or ORDER[m.polarity] < ORDER[found[m.practice]]:
                found[m.practice] = m.polarity
    return found


def tune(model: PracticeModel, units: list, entry: dict) -> None:
    """Per practice with at least MIN_DEV dev sentences: the `add` threshold of the grid with the best dev
    polarity F1, then presence F1, ties going to the highest (the reading nearest the rule reader alone);
    and the model-alone threshold likewise. A rarer practice adds the model's at RARE_ADD: a handful of
    sentences cannot choose thresholds."""
    chosen: dict[str, dict[str, float]] = {}
    for index, practice in enumerate(model.outputs):
        if practice not in model.combination:
            continue
        gold = [labels.get(practice) for labels, _ in units]
        if sum(map(bool, gold)) < MIN_DEV:
            chosen[practice] = {"add": RARE_ADD, "alone": RARE_ADD}
            continue
        readings_of = {alone: [_practice_parts(parts, practice, index, model, alone) for _, parts in units]
                       for alone in (False, True)}


        def key(add: float, alone: bool, practice: str = practice,
                gold: list = gold, readings_of: dict = readings_of) -> tuple[float, float]:
            counts = score((({practice: g} if g else {}, _choose(r, practice, add, alone))
                            for g, r in zip(gold, readings_of[alone])), (practice,))
            return round(counts.polarity[practice].prf()[2], 6), round(counts.presence[practice].prf()[2], 6)

        add = max((key(t, False), t) for t in ADD_GRID)[1]  # ties: the highest, nearest the rules alone
        alone = max((key(t, True), t) for t in ADD_GRID[:-1])[1]
        chosen[practice] = {"add": add, "alone": alone}
    model.combination = {p: Combination(**c) for p, c in chosen.items()}
    entry["combination"] = chosen


def _practice_parts(parts: list, practice: str, index: int, model: PracticeModel, alone: bool) -> list[tuple]:
    """(rule polarity or None, probability, the polarity of an addition) of each sentence of a unit, with
    the probability 0 where combine() would not add the practice."""
    out = []
    reader = "model" if alone else "combined"
    for matches, row, context in parts:
        rule = next((m.polarity for m in matches if m.practice == practice), None)
        face = context.face and not (not alone and any(m.practice.startswith("face_") for m in matches))
        if row is None:  # a rule hit outside the model's sentences: always kept
            out.append((rule, 1.0, None))
        elif rule is None and not may_add(practice, model, reader, context, face):
            out.append((None, 0.0, None))
        else:
            out.append((rule, float(row[index]), model_polarity(practice, row, model) if alone else AFFIRM))
    return out


def _choose(readings_of: list[tuple], practice: str, add: float, alone: bool) -> dict[str, str]:
    """The unit's reading of `practice` under threshold `add` (alone: the model decides presence); a rule
    match stays, with the rules' polarity."""
    polarity = None
    for rule, p, learned in readings_of:
        if alone:
            chosen = (rule or learned) if p >= add else None
        else:
            chosen = rule if rule is not None else learned if p >= add else None
        if chosen is not None and (polarity is None or ORDER[chosen] < ORDER[polarity]):
            polarity = chosen
    return {practice: polarity} if polarity else {}


def report(model: PracticeModel, units: list, lang: str) -> None:
    practices = model.practices
    for reader in READERS:
        s = score(((gold, predicted(parts, model, reader)) for gold, parts in units), practices)
        print(table(s, practices, f"{lang} dev, reader {reader} (practices the model knows)"))


def label_hash(paths: Iterable[Path]) -> dict[str, str]:
    return {str(p.relative_to(HERE.parent)) if p.is_relative_to(HERE.parent) else p.name:
            hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths)}


def corpus_data() -> tuple[dict[str, list[Sentence]], dict[str, list[DevDocument]], dict[str, str]]:
    train_sets: dict[str, list[Sentence]] = {}
    dev_sets: dict[str, list[DevDocument]] = {}
    for lang in ("zh", "en"):
        train_sets[lang] = [Sentence(ex.text, ex.labels) for ex in examples(lang, "train")]
        by_file: dict[str, list] = defaultdict(list)
        for ex in examples(lang, "dev"):
            by_file[ex.file].append((ex.start, ex.end, ex.labels))
        dev_sets[lang] = [DevDocument(document(rel), tuple(units)) for rel, units in by_file.items()]
    own = yaml.safe_load(OWN.read_text(encoding="utf-8"))
    train_sets["zh"] += [Sentence(item["text"], dict(item.get("labels") or {})) for item in own]
    # the dev half of the written documents trains too; their test half is never read here
    train_sets["zh"] += [Sentence(doc.text[s.start:s.end], s.labels) for doc in written_documents("dev")
                         for s in doc.sentences]
    files = [HERE / "labels" / "units.jsonl", OWN, *sorted((HERE / "labels").glob("[ze][hn]/*.jsonl")),
             *sorted(WRITTEN.glob("*.yaml"))]
    return train_sets, dev_sets, label_hash(files)


def file_data(path: Path) -> tuple[dict[str, list[Sentence]], dict[str, list[DevDocument]], dict[str, str]]:
    train_sets: dict[str, list[Sentence]] = defaultdict(list)
    dev_sets: dict[str, list[DevDocument]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["split"] == "train":
            train_sets[item["lang"]].append(Sentence(item["text"], item["labels"]))
        elif item["split"] == "dev":
            dev_sets[item["lang"]].append(DevDocument(item["text"], ((0, len(item["text"]), item["labels"]),)))
    return dict(train_sets), dict(dev_sets), label_hash([path])


def build(train_sets: Mapping[str, list[Sentence]], dev_sets: Mapping[str, list[DevDocument]],
          label_files: Mapping[str, str], out: Path, verbose: bool = False) -> dict:
    languages: dict[str, dict] = {}
    arrays: dict[str, dict[str, numpy.ndarray]] = {}
    for lang in sorted(train_sets):
        sentences = train_sets[lang]
        outputs = outputs_for(sentences, lang)
        arrays[lang] = train(sentences, outputs, ORDERS[lang])
        counts = {o: int(c) for o, c in zip(outputs, targets(sentences, outputs).sum(axis=0))}
        entry = {"orders": list(ORDERS[lang]), "outputs": outputs, "structure_threshold": STRUCTURE_THRESHOLD,
                 "training_sentences": len(sentences), "training_counts": counts,
                 "combination": {p: {"add": 0.5, "alone": 0.5} for p in outputs if p not in STRUCTURE}}
        languages[lang] = entry
        model = PracticeModel(lang, manifest({lang: entry}), **arrays[lang])
        if dev_sets.get(lang):
            units = readings(model, dev_sets[lang], lang)
            tune(model, units, entry)
            if verbose:
                report(model, units, lang)
            entry["combination_tuned_on"] = f"dev: {sum(len(d.units) for d in dev_sets[lang])} sentences"
    result = {**manifest(languages), "label_files_sha256": dict(label_files)}
    return write_artefact(out, result, arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODELS)
    parser.add_argument("--data", type=Path, help="own sentences (JSON lines) instead of the corpus")
    args = parser.parse_args()
    if args.data is None and not corpus_present():
        print("corpus not found: ../shared/corpus/policies (CA4P-483, OPP-115); use --data")
        return
    started = time.perf_counter()
    train_sets, dev_sets, label_files = file_data(args.data) if args.data else corpus_data()
    result = build(train_sets, dev_sets, label_files, args.out, verbose=True)
    print(f"built {args.out}: {result['artefact_bytes']:,} bytes in {time.perf_counter() - started:.1f} s")
    for lang, entry in result["languages"].items():
        print(f"  {lang}: {entry['training_sentences']} sentences; combination {entry['combination']}")


if __name__ == "__main__":
    main()
