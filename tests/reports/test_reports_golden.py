"""Golden files for every text format. Regenerate with FANGCUN_UPDATE_GOLDEN=1 pytest tests/reports."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.sample_report import batch_report, sample_report

from reports import render

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("FANGCUN_UPDATE_GOLDEN") == "1"

CASES: dict[str, tuple[str, str, Callable[[], dict[str, Any]]]] = {
    "sample.zh.md": ("md", "zh", sample_report),
    "sample.en.md": ("md", "en", sample_report),
    "sample.zh.html": ("html", "zh", sample_report),
    "sample.en.html": ("html", "en", sample_report),
    "sample.zh.sarif": ("sarif", "zh", sample_report),
    "sample.json": ("json", "zh", sample_report),
    "batch.zh.md": ("md", "zh", batch_report),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_golden_file(name: str) -> None:
    fmt, lang, build = CASES[name]
    text = render(fmt, build(), lang=lang)
    golden = GOLDEN / name
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run with FANGCUN_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")
