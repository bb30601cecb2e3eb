"""Sentence-level accuracy of the policy reader on the team's labelled sentences (bench/labels).

Each labelled unit is a sentence of a CA4P-483 (zh) or OPP-115 (en) policy named by offsets. The
whole policy goes through the real analysis (analyse_policy_text: sentences, headings, contents
lists, the reader), and the practices stated by the sentences that overlap a unit are its
prediction. Printed per practice: support, presence P/R/F1, polarity P/R/F1, macro averages.

    python bench/sentence_eval.py [--split dev|test|train] [--lang zh|en|both] [--errors PRACTICE]
                                  [--reader rules|model|combined] [--written]

`--reader` chooses the practice reader: the rules alone, the learned model alone, or the two combined
(scanner/nlp/practice_model.py; the default is the shipped one).
The test split is for the final figure only: tune on dev. `--errors` prints dev mistakes for one
practice to stderr (unit id, gold, predicted, the sentence) for reading; nothing is written.
`--written` scores the documents written for measuring the face practices (bench/labels/written.py;
odd documents dev, even ones test) instead of the corpus.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "labels"))
from dataset import FACE_PRACTICES, PRACTICES, Example, corpus_present, document, examples  # noqa: E402
from scoring import score, table  # noqa: E402
from written import documents  # noqa: E402

from scanner.extractors.policy_nlp import analyse_policy_text  # noqa: E402
from scanner.nlp.practice_model import READER, READERS  # noqa: E402

ORDER = {"affirm": 0, "conditional": 1, "negate": 2}  # one sentence, several readings: the strongest


def predictions(items: list[Example], reader: str = READER,
                text_of: Callable[[str], str] = document) -> tuple[dict[str, dict[str, str]], int, float]:
    """unit id → practice → polarity, from one analysis per policy; also chars analysed and seconds."""
    by_file: dict[str, list[Example]] = defaultdict(list)
    for ex in items:
        by_file[ex.file].append(ex)
    out: dict[str, dict[str, str]] = {ex.id: {} for ex in items}
    chars, seconds = 0, 0.0
    for rel, units in by_file.items():
        text = text_of(rel)
        started = time.perf_counter()
        evidence = analyse_policy_text(text, uri=rel, language=units[0].lang, reader=reader)
        seconds += time.perf_counter() - started
        chars += len(text)
        for ev in evidence:
            if ev.kind != "policy.discloses" or ev.key not in PRACTICES:
                continue
            start, end = ev.attrs["span"]
            for ex in units:
                if start < ex.end and ex.start < end:
                    found = out[ex.id]
                    polarity = ev.attrs["polarity"]
                    if ev.key not in found or ORDER[polarity] < ORDER[found[ev.key]]:
                        found[ev.key] = polarity
    return out, chars, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev", "test"), default="dev")
    parser.add_argument("--lang", choices=("zh", "en", "both"), default="both")
    parser.add_argument("--errors", help="print this practice's mistakes to stderr (not on test)")
    parser.add_argument("--reader", choices=READERS, default=READER)
    parser.add_argument("--written", action="store_true",
                        help="score the written documents (bench/labels/written) instead of the corpus")
    args = parser.parse_args()
    if args.written:
        written(args)
        return
    if not corpus_present():
        print("corpus not found: ../shared/corpus/policies (CA4P-483, OPP-115)")
        return
    for lang in ("zh", "en"):  # build the pipelines and load the model outside the timing
        analyse_policy_text("预热。", uri="warm-up", language=lang, reader=args.reader)
    for lang in ("zh", "en") if args.lang == "both" else (args.lang,):
        items = list(examples(lang, args.split))
        practices = PRACTICES if lang == "zh" else tuple(p for p in PRACTICES if p not in FACE_PRACTICES)
        report(items, practices, f"{lang} {args.split}", f"{len({ex.file for ex in items})} policies", args, document)


def written(args: argparse.Namespace) -> None:
    """The same scoring on the documents written for measuring (bench/labels/written.py)."""
    docs = documents(args.split)
    if not docs:
        print(f"no written documents in the {args.split} split")
        return
    texts = {doc.id: doc.text for doc in docs}
    items = [Example(s.id, "zh", s.doc, s.start, s.end, s.split, s.labels, s.nonstatement)
             for doc in docs for s in doc.sentences]
    analyse_policy_text("预热。", uri="warm-up", language="zh", reader=args.reader)
    report(items, PRACTICES, f"written zh {args.split}", f"{len(docs)} documents", args, texts.__getitem__)


def report(items: list[Example], practices: tuple[str, ...], name: str, source: str, args: argparse.Namespace,
           text_of: Callable[[str], str]) -> None:
    """Score the reader on `items` and print the table, the face practices' macro-F1, the speed and (not on
    test) one practice's mistakes."""
    predicted, chars, seconds = predictions(items, args.reader, text_of)
    scores = score(((ex.labels, predicted[ex.id]) for ex in items), practices)
    print(table(scores, practices, f"{name}, reader {args.reader}: {len(items)} sentences from {source}"))
    if set(FACE_PRACTICES) <= set(practices):
        print(f"  face practices macro-F1: presence {scores.macro('presence', FACE_PRACTICES):.3f}, "
              f"polarity {scores.macro('polarity', FACE_PRACTICES):.3f}")
    print(f"  speed: {chars:,} chars in {seconds:.2f} s = {chars / seconds:,.0f} chars/s (whole analysis)")
    if args.errors and args.split != "test":
        for ex in items:
            g, q = ex.labels.get(args.errors), predicted[ex.id].get(args.errors)
            if g != q:
                print(f"{ex.id}\tgold={g}\tpred={q}\t{text_of(ex.file)[ex.start:ex.end][:200]}", file=sys.stderr)


if __name__ == "__main__":
    main()
