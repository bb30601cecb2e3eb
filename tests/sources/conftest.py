"""Where the APK fixtures and the shared corpus live, for the source tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_APKS = REPO_ROOT / "tests" / "fixtures" / "apks"


def corpus_root() -> Path:
    return Path(os.environ.get("FANGCUN_CORPUS", REPO_ROOT.parent / "shared" / "corpus"))


@pytest.fixture
def fixture_apk():
    """Path of a committed fixture APK; skips while the fixture has not been built."""

    def locate(name: str) -> Path:
        path = FIXTURE_APKS / f"{name}.apk"
        if not path.is_file():
            pytest.skip(f"fixture {path.name} not built")
        return path

    return locate


@pytest.fixture
def corpus_apk():
    """Path of an APK in the shared corpus; skips when the corpus is absent."""

    def locate(relative: str) -> Path:
        path = corpus_root() / "apks" / relative
        if not path.is_file():
            pytest.skip(f"corpus APK {relative} not available")
        return path

    return locate
