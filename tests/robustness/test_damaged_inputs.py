"""No input crashes a scan: damaged apps and documents end as a target or one clear InputError.

Deterministic damage (seeded) of the project's own fixtures: flipped bytes across the file, cut
files, entries replaced by garbage inside an otherwise valid zip. An extractor raising on any of them
would be recorded as an `extract:` error; that is a bug here, so it is asserted away too.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.pipeline import load_ruleset, scan_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
RULESET = load_ruleset()


def outcome_of(path: Path) -> str:
    try:
        target = scan_file(path, RULESET)
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(str(path)), message
        return "input-error"
    crashed = [e for e in target.errors if e.stage.startswith("extract:")]
    assert not crashed, crashed
    return "target"


def flipped(data: bytes, rng: random.Random, flips: int) -> bytes:
    buf = bytearray(data)
    for _ in range(flips):
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    return bytes(buf)


@pytest.mark.parametrize("fixture", ["facedoor", "idcollect", "facepolicy"])
def test_flipped_bytes_never_crash(tmp_path, fixture):
    data = (FIXTURES / f"{fixture}.apk").read_bytes()
    rng = random.Random(fixture)
    seen = set()
    for i in range(25):
        path = tmp_path / f"{fixture}-{i}.apk"
        path.write_bytes(flipped(data, rng, flips=1 + i % 8))
        seen.add(outcome_of(path))
    assert seen  # every one ended as a target or an InputError (asserted inside)


@pytest.mark.parametrize("cut", [0, 1, 4, 30, 200, 1000, 5000, -22, -1])
def test_cut_files_never_crash(tmp_path, cut):
    data = (FIXTURES / "facedoor.apk").read_bytes()
    path = tmp_path / "cut.apk"
    path.write_bytes(data[:cut])
    assert outcome_of(path) in ("target", "input-error")


def rewritten(source: Path, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
    return out.getvalue()


@pytest.mark.parametrize(
    "entry", ["classes.dex", "classes2.dex", "AndroidManifest.xml", "resources.arsc", "assets/rates.txt"]
)
def test_garbage_entries_never_crash(tmp_path, entry):
    rng = random.Random(entry)
    for i, garbage in enumerate([b"", b"\0" * 64, bytes(rng.randrange(256) for _ in range(4096)), b"dex\n035\0" + b"\xff" * 200]):
        path = tmp_path / f"g{i}.apk"
        path.write_bytes(rewritten(FIXTURES / "idcollect.apk", {entry: garbage}))
        assert outcome_of(path) in ("target", "input-error")


@pytest.mark.parametrize(
    "name, data",
    [
        ("empty.html", b""),
        ("nul.txt", b"\0\1\2\3" * 100),
        ("random.htm", bytes(random.Random(7).randrange(256) for _ in range(20000))),
        ("nested.html", b"<div>" * 50000 + "人脸".encode() + b"</div>" * 50000),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nendobj\ntrailer\n%%EOF"),
        ("unclosed.html", "<html><p>我们收集您的人脸信息<script>var x = '".encode()),
        ("utf16.txt", "我们收集您的人脸信息。".encode("utf-16")),
    ],
)
def test_damaged_documents_never_crash(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    assert outcome_of(path) in ("target", "input-error")
