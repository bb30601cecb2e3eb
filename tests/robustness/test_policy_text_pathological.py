"""Text shaped to make pattern matching backtrack: long runs of digits, spaces, dashes, e-mail-like
and heading-like fragments without any sentence end. Each must be read in bounded time (a few
hundred milliseconds here; the bound below only catches the minutes-to-hours blow-ups that a
pattern like `\\d+\\s*天` or a line-unanchored table rule gave on such input) and give a document."""

from __future__ import annotations

import time

import pytest

from scanner.extractors.policy_nlp import analyse_policy_text

SIZE = 100_000
# generous: linear reading takes well under a second; a quadratic pattern takes minutes here
BOUND_SECONDS = 20.0
UNITS = {
    "digits": "1",
    "spaces and tabs": " \t",
    "dashes": "-",
    "dashes and pipes": "-" * 50 + "|",
    "e-mail-like": "a.b@c",
    "local parts before Chinese": "abc邮箱def@",
    "terms without punctuation": "敏感个人信息人脸信息我们收集您的第三方共享",
    "clauses without a full stop": "我们不会，除非取得您的单独同意，收集、使用、共享您的人脸信息、",
    "heading-like lines": "一、我们如何收集\n",
    "lead-in lines": "以下情况除外：\n",
    "numbering": "1.1.",
    "table cells": "| \t:",
    "agreement brackets": "《同意",
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(UNITS))
def test_backtracking_shaped_text_is_read_in_bounded_time(name: str, language: str) -> None:
    unit = UNITS[name]
    text = unit * (SIZE // len(unit))
    started = time.perf_counter()
    evidence = analyse_policy_text(text, uri=f"{name}.txt", language=language)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND_SECONDS, f"{name} ({language}): {elapsed:.1f} s for {len(text):,} chars"
    assert [e.kind for e in evidence if e.kind == "policy.document"] == ["policy.document"]
