"""Paragraph-topic accuracy and speed of the policy analysis on CA4P-483 (483 labelled Chinese policies).

CA4P-483 gives every labelled paragraph ONE class (e_1 … e_17): the paragraph's main topic. Our
paragraph topics (scanner/nlp/topics.py) are compared with those classes through LABEL_TO_TOPIC
below, under three protocols:
1. our segmentation: each labelled paragraph takes the topic of our paragraphs that cover most of
   its characters, so segmentation errors count against us;
2. gold segments (the usual protocol for segment classification, as on OPP-115): each labelled
   paragraph is classified as one span with its CA4P bounds (classify_span), with the headings of
   the full text that enclose its start;
3. document level (what the rules consume): per policy and practice, gold = the policy has a
   labelled paragraph of the practice's class; predicted = the sentence detector states the
   practice (policy.discloses, affirm or conditional), or the topic classifier finds a paragraph
   of its topic, or both at once (a stating sentence inside a paragraph of that topic).
Policies with an even number are the development half (the topic lexicon was tuned on them only);
odd ones are held out.

Also printed:
- the sentence-mention baseline (a paragraph "is" a practice when any sentence in it states it),
  for comparison with the topic classifier;
- a label-noise ceiling: paragraphs whose normalised text is identical or near-identical across
  policies (template paragraphs) and how often CA4P gives them the same class. Positive-specific
  agreement 2a/(2a+b) per topic is the F1 one annotation scores against the other, so it bounds
  what any classifier can reach on that topic. Computed over all policies: it describes the
  labels and is not used for tuning;
- speed of the whole analysis (analyse_policy_text, which includes the topics), one core.

    python bench/policy_eval.py [--corpus DIR] [--split dev|held-out|both] [--errors TOPIC]
                                [--errors-protocol 1|2] [--limit N]

The corpus is evaluation-only third-party data: it is read from ../shared/corpus, never copied.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from scanner.extractors.policy_nlp import analyse_policy_text
from scanner.model import Evidence
from scanner.nlp.topics import (
    OTHER,
    Paragraph,
    TopicContext,
    classify_span,
    topic_context,
)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench" / "labels"))
from scoring import Counts  # noqa: E402  (one counting of true and false positives for every bench)

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "policies" / "CA4P-483"

# CA4P-483 paragraph class → our topic. Line by line, why the classes correspond:
LABEL_TO_TOPIC = {
    "e_1": "collection_use",  # App或网站收集使用处理个人信息: what the app collects and why
    "e_2": "sharing",  # 第三方收集或共享个人信息: third parties, SDKs, sharing/transfer/disclosure
    "e_3": "collection_use",  # 用户提供个人信息: collection of what the user enters; same section
    "e_4": "rights",  # 用户权利增删改查: access, correct, delete, account closure
    "e_5": "retention",  # 数据保存: storage period and storage location
    "e_6": "security",  # 数据安全: security measures and incidents
    "e_7": "policy_update",  # 隐私政策修改更新: how the policy changes
    "e_8": "definitions",  # 信息定义: definitions and glossaries
    "e_9": "consent",  # 获取撤回同意: obtaining, changing and withdrawing consent
    "e_10": "settings",  # 用户隐私设置选择: opt-outs, marketing and personalisation settings
    "e_11": "minors",  # 年龄限制条款: minors, guardians, age limits
    "e_12": "cross_border",  # 数据迁移: see E12_CROSS_BORDER (split into cross_border / portability)
    "e_13": "notification",  # 通知联系用户: how and when users are notified
    "e_14": "contact",  # 开发者公司名称联系方式: developer identity and contact details
    "e_15": "cookies",  # 网站Cookie及WebBeacon使用: cookies and similar technologies
    "e_16": OTHER,  # 其他: introductions, terms of service, anything else
    "e_17": OTHER,  # 重要未知段落: "important, unknown" (4 paragraphs in all)
}
# CA4P's 数据迁移 (e_12) holds two different things: transfers abroad (全球范围转移, 跨境) and the
# right to a copy of one's data (个人信息副本, portability, GB/T 35273 §8.6). Our scheme keeps them
# apart: e_12 paragraphs that mention another country are cross_border; the rest are portability,
# evaluated and printed separately.
E12_CROSS_BORDER = re.compile(r"境外|跨境|出境|全球|海外|国外|其他国家|所在国家|国际")
# The practices the accuracy goal is about (their topics), in print order; other topics are
# reported below them.
GOAL_TOPICS = ("sharing", "rights", "retention", "consent", "minors", "cross_border", "contact")
OTHER_TOPICS = ("collection_use", "security", "policy_update", "definitions", "cookies",
                "notification", "settings", "portability", OTHER)
# Sentence practices whose mention the baseline counts, per topic.
TOPIC_PRACTICES = {
    "sharing": ("third_party_sharing", "sdk_list"),
    "rights": ("rights_delete",),
    "retention": ("retention",),
    "consent": ("rights_withdraw",),
    "minors": ("minors_guardian",),
    "cross_border": ("cross_border",),
    "contact": ("contact",),
}
PARAGRAPH_CLASSES = set(LABEL_TO_TOPIC)
STATING = ("affirm", "conditional")  # polarities that state a practice (negate says it is not done)
DOCUMENT_VIEWS = ("sentence", "topic", "sentence in topic")
SPLITS = ("dev (even)", "held-out (odd)")


def gold_topic(label: dict) -> str:
    topic = LABEL_TO_TOPIC[label["classId"]]
    if label["classId"] == "e_12" and not E12_CROSS_BORDER.search(label["text"]):
        return "portability"
    return topic


@dataclass
class Split:
    topics: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    mentions: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    confusion: Counter = field(default_factory=Counter)  # (gold, predicted) → paragraphs
    span_topics: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))  # gold segments
    span_confusion: Counter = field(default_factory=Counter)
    documents: dict[tuple[str, str], Counts] = field(default_factory=lambda: defaultdict(Counts))  # (view, topic)
    policies: int = 0
    paragraphs: int = 0
    chars: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Policy:
    doc_id: str
    text: str
    labels: list[dict]


def load(corpus: Path, limit: int | None) -> list[Policy]:
    out = []
    for text_path in sorted((corpus / "text").glob("*.txt"))[:limit]:
        label_path = corpus / "labels" / f"{text_path.stem}.jsonl"
        if not label_path.is_file():
            continue
        records = [json.loads(line) for line in label_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        labels = [r for r in records if r["classId"] in PARAGRAPH_CLASSES and r.get("offset_ok", True)]
        out.append(Policy(text_path.stem, text_path.read_text(encoding="utf-8"), labels))
    return out


def predicted_topic(label: dict, paragraphs: Sequence[Paragraph]) -> str:
    """The topic that covers most characters of the labelled paragraph (`other` when none does)."""
    covered: Counter = Counter()
    first = bisect.bisect_right(paragraphs, label["start"], key=lambda p: p.end)
    for p in paragraphs[first:]:
        if p.start >= label["end"]:
            break
        covered[p.topic] += min(p.end, label["end"]) - max(p.start, label["start"])
    return covered.most_common(1)[0][0] if covered else OTHER


def evaluate(policy: Policy, split: Split, errors_for: str | None, errors_protocol: int) -> None:
    started = time.perf_counter()
    evidence = analyse_policy_text(policy.text, uri=policy.doc_id, language="zh")
    split.seconds += time.perf_counter() - started
    split.chars += len(policy.text)
    context = topic_context(policy.text, "zh")
    stating = [e for e in evidence if e.kind == "policy.discloses" and e.attrs["polarity"] in STATING]
    split.policies += 1
    split.paragraphs += len(policy.labels)
    evaluate_our_segmentation(policy, context.paragraphs, evidence, split,
                              errors_for if errors_protocol == 1 else None)
    evaluate_gold_segments(policy, context, split, errors_for if errors_protocol == 2 else None)
    evaluate_document(policy, context.paragraphs, stating, split)


def evaluate_our_segmentation(policy: Policy, paragraphs: Sequence[Paragraph], evidence: Sequence[Evidence],
                              split: Split, errors_for: str | None) -> None:
    mention_starts: dict[str, list[int]] = defaultdict(list)
    for e in evidence:
        if e.kind == "policy.discloses":
            mention_starts[e.key].append(e.attrs["span"][0])
    for label in policy.labels:
        gold = gold_topic(label)
        predicted = predicted_topic(label, paragraphs)
        split.confusion[gold, predicted] += 1
        for topic in GOAL_TOPICS + OTHER_TOPICS:
            split.topics[topic].add(predicted == topic, gold == topic)
        for topic, practices in TOPIC_PRACTICES.items():
            mentioned = any(label["start"] <= s < label["end"] for p in practices for s in mention_starts[p])
            split.mentions[topic].add(mentioned, gold == topic)
        if errors_for in (gold, predicted) and gold != predicted:
            head = " ".join(label["text"][:120].split())
            print(f"{policy.doc_id} gold={gold} ({label['classId']}) predicted={predicted}: {head}", file=sys.stderr)


def evaluate_gold_segments(policy: Policy, context: TopicContext, split: Split, errors_for: str | None) -> None:
    """Protocol 2: every labelled paragraph classified as one span with its CA4P bounds."""
    for label in policy.labels:
        gold = gold_topic(label)
        span = classify_span(policy.text, label["start"], label["end"], "zh", context=context)
        predicted = span.topic
        split.span_confusion[gold, predicted] += 1
        for topic in GOAL_TOPICS + OTHER_TOPICS:
            split.span_topics[topic].add(predicted == topic, gold == topic)
        if errors_for in (gold, predicted) and gold != predicted:
            # FP: predicted as the topic, labelled otherwise (precision); FN: the reverse (recall)
            error = "FP" if predicted == errors_for else "FN"
            head = " ".join(label["text"][:160].split())
            print(f"{error} {policy.doc_id} gold={gold} predicted={predicted} score={span.score:.1f} "
                  f"section={span.section[:30]!r} heading={span.heading[:30]!r}: {head}", file=sys.stderr)


def evaluate_document(policy: Policy, paragraphs: Sequence[Paragraph], stating: Sequence[Evidence],
                      split: Split) -> None:
    """Protocol 3: does the policy state the practice at all, per detector."""
    gold_topics = {gold_topic(label) for label in policy.labels}
    found_topics = {p.topic for p in paragraphs}
    for topic, practices in TOPIC_PRACTICES.items():
        stated = [e for e in stating if e.key in practices]
        predicted = {
            "sentence": bool(stated),
            "topic": topic in found_topics,
            "sentence in topic": any(e.attrs["topic"] == topic for e in stated),
        }
        for view in DOCUMENT_VIEWS:
            split.documents[view, topic].add(predicted[view], topic in gold_topics)


# --- label-noise ceiling ------------------------------------------------------------------------

NOISE = re.compile(r"[\s\W_\da-zA-Z]+|^[一二三四五六七八九十]+(?=[、.．])")
QUOTED_NAME = re.compile(r"[“\"「《][^”\"」》]{1,20}[”\"」》]")
NEAR_JACCARD = 0.85


def normalised(text: str) -> str:
    """Text without whitespace, numbering, punctuation, Latin letters and quoted names."""
    return NOISE.sub("", QUOTED_NAME.sub("", text))


def _shingles(text: str, n: int = 4) -> frozenset[str]:
    return frozenset(text[i:i + n] for i in range(max(1, len(text) - n + 1)))


def duplicate_pairs(policies: list[Policy]) -> list[tuple[str, str]]:
    """(gold topic, gold topic) of every pair of identical or near-identical paragraphs that sit in
    two different policies. Near-identical: same first 12 normalised characters, similar length,
    4-gram Jaccard ≥ NEAR_JACCARD."""
    by_prefix: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for policy in policies:
        for label in policy.labels:
            norm = normalised(label["text"])
            if len(norm) >= 20:  # short headings say too little to call them the same paragraph
                by_prefix[norm[:12]].append((policy.doc_id, norm, gold_topic(label)))
    pairs = []
    for group in by_prefix.values():
        if len(group) > 400:  # cap quadratic work on the most common template openings
            group = group[:400]
        shingles = [None] * len(group)
        for (i, a), (j, b) in combinations(enumerate(group), 2):
            if a[0] == b[0]:
                continue
            if a[1] != b[1]:
                if min(len(a[1]), len(b[1])) < 0.85 * max(len(a[1]), len(b[1])):
                    continue
                shingles[i] = shingles[i] or _shingles(a[1])
                shingles[j] = shingles[j] or _shingles(b[1])
                if len(shingles[i] & shingles[j]) < NEAR_JACCARD * len(shingles[i] | shingles[j]):
                    continue
            pairs.append((a[2], b[2]))
    return pairs


def print_ceiling(pairs: list[tuple[str, str]]) -> None:
    agree: Counter = Counter()
    disagree: Counter = Counter()
    partners: dict[str, Counter] = defaultdict(Counter)
    for a, b in pairs:
        if a == b:
            agree[a] += 1
        else:
            disagree[a] += 1
            disagree[b] += 1
            partners[a][b] += 1
            partners[b][a] += 1
    print(f"\nlabel-noise ceiling: {len(pairs):,} pairs of identical/near-identical paragraphs in different policies")
    print(f"{'topic':16} {'pairs':>7} {'agree':>7} {'ceiling':>8}  most frequent other class given to the same text")
    for topic in GOAL_TOPICS + OTHER_TOPICS:
        both, one = agree[topic], disagree[topic]
        if not both + one:
            continue
        ceiling = 2 * both / (2 * both + one)
        top = ", ".join(f"{t} {n}" for t, n in partners[topic].most_common(3))
        print(f"{topic:16} {both + one:7,} {both:7,} {ceiling:8.3f}  {top}")


# --- printing ----------------------------------------------------------------------------------

def print_table(splits: dict[str, Split], counts_of: Callable[[Split], dict[str, Counts]],
                with_baseline: bool) -> None:
    print(f"{'topic':16}" + "".join(f" | {name:>33}" for name in splits))
    base_header = "base" if with_baseline else ""
    print(f"{'':16}" + " | {:>6} {:>6} {:>6} {:>5} {:>6}".format("P", "R", "F1", "gold", base_header) * len(splits))
    for topic in GOAL_TOPICS + ("---",) + OTHER_TOPICS:
        if topic == "---":
            print("  other topics (no accuracy goal)")
            continue
        row = f"{topic:16}"
        for split in splits.values():
            counts = counts_of(split)[topic]
            p, r, f = counts.prf()
            shown = with_baseline and topic in TOPIC_PRACTICES
            base = f"{split.mentions[topic].prf()[2]:6.3f}" if shown else f"{'':6}"
            row += f" | {p:6.3f} {r:6.3f} {f:6.3f} {counts.tp + counts.fn:5} {base}"
        print(row)
    if with_baseline:
        print("  base = F1 of the sentence-mention baseline (paragraph predicted when any sentence states the practice)")


def print_confusion(splits: dict[str, Split], confusion_of: Callable[[Split], Counter]) -> None:
    for name, split in splits.items():
        if not split.paragraphs:
            continue
        confusion = confusion_of(split)
        correct = sum(n for (g, p), n in confusion.items() if g == p)
        print(f"\nconfusion, {name}: {split.paragraphs} paragraphs, accuracy {correct / split.paragraphs:.3f}; "
              "largest errors (gold → predicted):")
        errors = [(n, g, p) for (g, p), n in confusion.items() if g != p]
        for n, g, p in sorted(errors, reverse=True)[:15]:
            print(f"  {g:>15} → {p:15} {n:5}")


def print_documents(splits: dict[str, Split]) -> None:
    for name, split in splits.items():
        print(f"\n{name}: {split.policies} policies")
        print(f"{'topic':14} {'practices':32} {'gold':>4}" + "".join(f" | {view:>20}" for view in DOCUMENT_VIEWS))
        print(f"{'':52}" + " | {:>6} {:>6} {:>6}".format("P", "R", "F1") * len(DOCUMENT_VIEWS))
        for topic, practices in TOPIC_PRACTICES.items():
            gold = split.documents[DOCUMENT_VIEWS[0], topic]
            row = f"{topic:14} {', '.join(practices):32} {gold.tp + gold.fn:4}"
            for view in DOCUMENT_VIEWS:
                p, r, f = split.documents[view, topic].prf()
                row += f" | {p:6.3f} {r:6.3f} {f:6.3f}"
            print(row)
    print("  gold = policies with a labelled paragraph of the class; sentence = a policy.discloses of the practices, "
          "affirm or conditional;\n  topic = a paragraph of the topic; sentence in topic = such a sentence inside "
          "a paragraph of the topic")


def print_protocol(title: str) -> None:
    print(f"\n{'=' * 100}\n{title}\n{'=' * 100}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--split", choices=("dev", "held-out", "both"), default="both")
    parser.add_argument("--errors", help="print misclassified paragraphs of this topic to stderr (dev only)")
    parser.add_argument("--errors-protocol", type=int, choices=(1, 2), default=1,
                        help="the protocol whose errors --errors prints (1: our segmentation, 2: gold segments)")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--no-ceiling", action="store_true", help="skip the label-noise ceiling")
    args = parser.parse_args()
    if not (args.corpus / "text").is_dir():
        print(f"corpus not found: {args.corpus}")
        return
    policies = load(args.corpus, args.limit)
    analyse_policy_text("预热。", uri="warm-up", language="zh")  # build the pipeline before timing
    wanted = {"dev": SPLITS[:1], "held-out": SPLITS[1:], "both": SPLITS}[args.split]
    splits = {name: Split() for name in wanted}
    for policy in policies:
        name = SPLITS[int(policy.doc_id) % 2]
        if name in splits:
            evaluate(policy, splits[name], args.errors if name == SPLITS[0] else None, args.errors_protocol)
    print(f"CA4P-483: {sum(1 for p in policies if SPLITS[int(p.doc_id) % 2] in splits)} policies, "
          "paragraph topics vs CA4P paragraph classes")
    print_protocol("1. OUR SEGMENTATION: each labelled paragraph takes the topic covering most of its characters "
                   "under our paragraphs")
    print_table(splits, lambda split: split.topics, with_baseline=True)
    print_confusion(splits, lambda split: split.confusion)
    print_protocol("2. GOLD SEGMENTS: each labelled paragraph classified as one span with its CA4P bounds "
                   "(classify_span)")
    print_table(splits, lambda split: split.span_topics, with_baseline=False)
    print_confusion(splits, lambda split: split.span_confusion)
    print_protocol("3. DOCUMENT LEVEL: per policy and practice, is it stated at all (P/R/F1 over policies)")
    print_documents(splits)
    if not args.no_ceiling:
        print_ceiling(duplicate_pairs(policies))
    chars = sum(s.chars for s in splits.values())
    seconds = sum(s.seconds for s in splits.values())
    print(f"\nspeed: {chars:,} chars in {seconds:.2f} s = {chars / seconds:,.0f} chars/s "
          "(one core, whole analysis incl. topics)")


if __name__ == "__main__":
    main()
