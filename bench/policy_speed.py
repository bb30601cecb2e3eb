"""Throughput of the policy analysis routes on one core (chars/s), to justify the default route.

Routes: per-character zh pipeline (default), private-jieba zh pipeline, jieba.cut alone (a private
tokenizer, for reference), and the whole analysis (analyse_policy_text: pipeline + evidence).
Text: CA4P-483 policies when the shared corpus is present, otherwise generated sentences.

    python bench/policy_speed.py [--corpus DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import jieba

from scanner.extractors.policy_nlp import analyse_policy_text
from scanner.nlp.pipelines import build_pipeline, find_practices

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "policies" / "CA4P-483"
FALLBACK_SENTENCES = (
    "我们会在您开通刷脸开门功能时采集您的人脸图像，用于门禁通行。",
    "除非取得您的单独同意，我们不会向第三方提供您的个人信息。",
    "您可以通过设置页面删除您的个人信息或注销账号。",
    "如您是未满十四周岁的未成年人，请在监护人的陪同下阅读本政策。",
)


def texts(corpus: Path, limit: int) -> list[str]:
    paths = sorted((corpus / "text").glob("*.txt"))[:limit] if (corpus / "text").is_dir() else []
    if paths:
        return [p.read_text(encoding="utf-8") for p in paths]
    return ["\n".join(FALLBACK_SENTENCES * 200)] * 20


def rate(run: Callable[[str], object], documents: list[str]) -> float:
    run(documents[0][:100])  # warm up (build pipelines, load dictionaries) outside the timing
    started = time.perf_counter()
    for text in documents:
        run(text)
    return sum(map(len, documents)) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=200)
    args = parser.parse_args()
    documents = texts(args.corpus, args.limit)
    segmenter = build_pipeline("zh_jieba").tokenizer.segmenter
    routes: dict[str, Callable[[str], object]] = {
        "zh per-character pipeline (default)": lambda t: find_practices(t, "zh"),
        "zh private-jieba pipeline": lambda t: find_practices(t, "zh", pipeline="zh_jieba"),
        "jieba.cut alone (private tokenizer)": lambda t: list(segmenter.cut(t)),
        "whole analysis (analyse_policy_text)": lambda t: analyse_policy_text(t, uri="bench", language="zh"),
    }
    print(f"{len(documents)} documents, {sum(map(len, documents)):,} chars; jieba {jieba.__version__}")
    for name, run in routes.items():
        print(f"{name:40} {rate(run, documents):>12,.0f} chars/s")


if __name__ == "__main__":
    main()
