"""The command line as a new user meets it: a delivered report is never overwritten, a web address is
pointed to `crawl`, a rule prints as its file, a rule file at the top of a pack loads, `diff` takes
output folders, and a crawl where no site answered does not exit 0."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from support.sample_report import sample_report
from typer.testing import CliRunner

from reports import write_reports
from scanner.cli import app
from scanner.engine.ruleset import default_rules_dir


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_a_web_address_is_pointed_to_crawl() -> None:
    code, output = run("scan", "https://wuye.example.cn/app.apk")
    assert code == 2
    assert "https://wuye.example.cn/app.apk: scan reads files" in output and "fangcun crawl URL" in output
    assert "--policy URL" in output


def test_report_never_overwrites_the_delivered_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_reports(sample_report(), out, ["json", "html"])
    delivered = (out / "report.html").read_bytes()
    code, output = run("report", str(out), "-f", "html")
    assert code == 2 and "report.html exists" in output and "-o DIR" in output
    assert (out / "report.html").read_bytes() == delivered
    code, output = run("report", str(out), "-f", "html,md", "-o", str(tmp_path / "again"))
    assert code == 0, output
    assert (tmp_path / "again" / "report.html").read_bytes() == delivered and (tmp_path / "again" / "report.md").is_file()


def test_diff_takes_two_output_folders(tmp_path: Path) -> None:
    for name in ("visit1", "visit2"):
        write_reports(sample_report(), tmp_path / name, ["json"])
    code, output = run("diff", str(tmp_path / "visit1"), str(tmp_path / "visit2"), "-o", str(tmp_path / "followup"))
    assert code == 0, output
    assert "Is a directory" not in output and (tmp_path / "followup" / "diff.md").is_file()


def test_rules_show_prints_the_rule_file_as_written() -> None:
    rule_file = next(p for p in default_rules_dir().glob("face/FACE-001.*.yaml") if not p.name.endswith(".cases.yaml"))
    code, output = run("rules", "show", "FACE-001")
    assert code == 0 and output == rule_file.read_text(encoding="utf-8")
    assert yaml.safe_load(output)["id"] == "FACE-001"


def test_a_rule_file_at_the_top_of_a_pack_is_loaded(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(default_rules_dir(), pack, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    rule_file = next(p for p in (pack / "face").glob("FACE-001.*.yaml") if not p.name.endswith(".cases.yaml"))
    shutil.move(str(rule_file), pack / rule_file.name)
    code, output = run("rules", "list", "--rules", str(pack), "--lang", "en")
    assert code == 0, output
    assert "FACE-001" in output


def test_a_crawl_where_no_site_answered_exits_2(tmp_path: Path) -> None:
    with __import__("socket").socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", "crawl", f"http://127.0.0.1:{port}/",
         "-o", str(tmp_path / "out"), "-f", "json", "--lang", "en", "-s", "RETRY_ENABLED=false"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "no site yielded a page" in proc.stderr and "Traceback" not in proc.stderr
