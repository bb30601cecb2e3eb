"""File names that are not UTF-8, or that hold markup, a newline or a terminal escape, are carried
through a scan and shown escaped in every output: the terminal, report.json/.html/.md/.sarif, the
campaign store and its CSV and XLSX exports. Nothing fails to encode; nothing is interpreted."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import openpyxl

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "apks" / "facedoor.apk"
POLICY = "隐私政策\n我们会收集您的人脸信息和手机号，用于门禁开门。\n".encode()
NOT_UTF8 = os.fsdecode(b"policy-\xff\xfe.txt")
MARKUP = 'x"><img src=x onerror=alert(1)>\n\x1b[31mred.txt'
SHOWN = ("policy-\\xff\\xfe.txt", "app-\\xe9.apk", 'x"><img src=x onerror=alert(1)>\\n\\x1b[31mred.txt')


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", "from scanner.cli import main; main()", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=300)


def inputs(folder: Path) -> Path:
    folder.mkdir()
    (folder / NOT_UTF8).write_bytes(POLICY)
    (folder / MARKUP).write_bytes(POLICY + b"other bytes")
    shutil.copy(FIXTURE, folder / os.fsdecode(b"app-\xe9.apk"))
    return folder


def strings(value: object) -> list[str]:
    """Every string in a JSON document, as written before JSON escaped it."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_inert(text: str, where: str) -> None:
    assert "\x1b" not in text and "\udcff" not in text, where


def assert_escaped(text: str, where: str) -> None:
    assert_inert(text, where)
    assert "policy-\\xff\\xfe.txt" in text and "app-\\xe9.apk" in text, where


def test_odd_names_in_every_output_of_a_scan(tmp_path: Path) -> None:
    folder = inputs(tmp_path / "in")
    out = tmp_path / "out"
    proc = cli("scan", str(folder), "-o", str(out), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    terminal = (proc.stdout + proc.stderr).decode("utf-8")  # strict: raises on anything not UTF-8
    assert "Traceback" not in terminal
    assert_inert(terminal, "terminal")  # the summary table shows labels, wrapped to the width
    for name in ("report.json", "report.md", "report.sarif", "report.html"):
        text = (out / name).read_bytes().decode("utf-8")
        if name.endswith(("json", "sarif")):
            text = " ".join(strings(json.loads(text)))
            if name.endswith("sarif"):
                text = unquote(text)  # SARIF locations are URIs, percent-encoded
        elif name.endswith(".md"):
            text = text.replace("\\\\", "\\")  # Markdown writes a backslash as \\ to keep it literal
        assert_escaped(text, name)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(Path(t["uri"]).name for t in report["targets"]) == sorted(SHOWN)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_odd_names_in_a_campaign_store_and_its_exports(tmp_path: Path) -> None:
    folder = inputs(tmp_path / "in")
    db = tmp_path / "camp.sqlite"
    proc = cli("scan", str(folder), "--db", str(db), "--jobs", "2", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert_inert((proc.stdout + proc.stderr).decode("utf-8"), "batch terminal")
    assert_escaped(" ".join(strings(json.loads((tmp_path / "out" / "report.json").read_text("utf-8")))), "batch report")
    proc = cli("campaign", "--db", str(db), "-o", str(tmp_path / "camp"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    rows = (tmp_path / "camp" / "findings.csv").read_bytes().decode("utf-8-sig")
    uris = {row[key] for row in csv.DictReader(rows.splitlines()) for key in row if row[key] and ".txt" in row[key]}
    assert any("policy-\\xff\\xfe.txt" in value for value in uris), uris
    sheet = openpyxl.load_workbook(tmp_path / "camp" / "findings.xlsx").active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "policy-\\xff\\xfe.txt" in cells and "\x1b" not in cells
    for page in (tmp_path / "camp").rglob("*.html"):
        page.read_bytes().decode("utf-8")
