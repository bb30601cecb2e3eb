"""No text of the third-party policy corpus is committed: labels are offsets, tests use our own sentences.

Every run of Chinese text of 31 characters or more in a project file is looked up in CA4P-483. The lookup
keeps only the corpus windows of WINDOW characters that start at a multiple of STRIDE (a fraction of the
memory of every window): any shared run of WINDOW + STRIDE - 1 characters contains one of them. Law texts
are the exception: policies quote the law, and `rules/articles.yaml` holds the law verbatim on purpose.
Skips when the corpus is absent."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("FANGCUN_CORPUS", REPO.parent / "shared" / "corpus")) / "policies" / "CA4P-483" / "text"
WINDOW, STRIDE = 24, 8
SUFFIXES = {".py", ".yaml", ".yml", ".md", ".txt", ".json", ".jsonl", ".html", ".toml", ".cfg"}
SKIPPED_DIRS = {".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build", "dist"}
LAW_TEXTS = {"rules/articles.yaml"}  # the law, verbatim on purpose
CHINESE_RUN = re.compile(rf"[\u4e00-\u9fff，、；：（）“”《》0-9A-Za-z]{{{WINDOW + STRIDE - 1},}}")


def project_files() -> list[Path]:
    out = []
    for path in REPO.rglob("*"):
        relative = path.relative_to(REPO)
        if path.is_file() and path.suffix in SUFFIXES and not SKIPPED_DIRS & set(relative.parts) \
                and relative.as_posix() not in LAW_TEXTS and not relative.parts[0].endswith(".egg-info"):
            out.append(path)
    return out


def corpus_windows() -> set[str]:
    windows: set[str] = set()
    for path in CORPUS.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        windows.update(text[i:i + WINDOW] for i in range(0, len(text) - WINDOW + 1, STRIDE))
    return windows


def corpus_runs(paths: list[Path], windows: set[str]) -> list[str]:
    """The runs of Chinese text in `paths` that share WINDOW + STRIDE - 1 characters with the corpus."""
    found = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for run in CHINESE_RUN.finditer(text):
            piece = run.group()
            if any(piece[i:i + WINDOW] in windows for i in range(len(piece) - WINDOW + 1)):
                found.append(f"{path}: {piece[:40]}…")
    return found


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not found: ../shared/corpus/policies/CA4P-483")


@needs_corpus
def test_no_project_file_holds_a_run_of_corpus_text() -> None:
    found = corpus_runs(project_files(), corpus_windows())
    assert not found, "corpus text in the project:\n" + "\n".join(found)


@needs_corpus
def test_a_copied_corpus_sentence_is_found_and_our_own_wording_is_not(tmp_path: Path) -> None:
    # a line of some policy, read at run time (never stored), inside a file of ours
    text = sorted(CORPUS.glob("*.txt"))[0].read_text(encoding="utf-8")
    line = max((m.group() for m in CHINESE_RUN.finditer(text)), key=len)
    copied = tmp_path / "copied.py"
    copied.write_text(f'SENTENCE = "前言{line}"\n', encoding="utf-8")
    own = tmp_path / "own.py"
    own.write_text('SENTENCE = "开通刷脸开门后，我们会采集您的人脸图像用于门禁通行，您也可以随时改用门禁卡或手机二维码开门。"\n',
                   encoding="utf-8")
    windows = corpus_windows()
    assert len(corpus_runs([copied], windows)) == 1
    assert corpus_runs([own], windows) == []
