"""Hostile inputs, one at a time and as one directory: exit code, the line said, seconds, peak RSS.

Generates the hostile set (tests/support/hostile.py: zip, DEX, binary XML, resource-table and PDF
bombs, deep HTML, odd names and file types) into a temporary folder, then scans each input alone
with the CLI in a fresh process and prints one row per input:

    input | exit | seconds | peak RSS MiB | the first error line (or the target's first problem)

Peak RSS is the largest resident set of the scan process and its workers (wait4's ru_maxrss). A row
whose process runs past --timeout is killed and shown as such. With --mixed, the whole folder plus
the fixture apps is scanned in process and with `--db --jobs 2`, and every fixture app's results and
every hostile input's error are checked.

    python bench/hostile_inputs.py [--timeout 120] [--only NAME_PART] [--mixed] [--small]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from support.hostile import FIXTURES, write_hostile  # noqa: E402

from scanner.errors import printable_name  # noqa: E402

CLI = [sys.executable, "-c", "from scanner.cli import main; main()"]


def run(args: list[str], timeout: float) -> tuple[int | str, float, float, float, str]:
    """(exit code or 'killed', wall seconds, CPU seconds, peak RSS MiB, stderr) of one CLI run in its
    own process group, its workers included. CPU seconds tell the work apart from a busy machine."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        # cwd elsewhere: `python -c` puts the working folder first on sys.path, before PYTHONPATH
        process = subprocess.Popen(CLI + args, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                                   cwd=tempfile.gettempdir())
        deadline = started + timeout
        status = rusage = None
        while time.monotonic() < deadline:
            pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.05)
        else:
            os.killpg(process.pid, signal.SIGKILL)
            _pid, status, rusage = os.wait4(process.pid, 0)
            status = None
        seconds = time.monotonic() - started
        err.seek(0)
        text = err.read().decode("utf-8", "backslashreplace")
    code: int | str = "killed" if status is None else os.waitstatus_to_exitcode(status)
    return code, seconds, rusage.ru_utime + rusage.ru_stime, rusage.ru_maxrss / 1024, text


def said(stderr: str, report: Path) -> str:
    """The line a user reads: the first error line, else the target's first recorded problem."""
    if "Traceback" in stderr:
        last = [line for line in stderr.splitlines() if line.strip()][-1]
        return f"TRACEBACK {last[:150]}"
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    if lines:
        return lines[0][:170]
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "(no report)"
    problems = [e["message"] for t in document["targets"] for e in t["errors"]]
    return ("target; " + problems[0][:160]) if problems else "target, no problem recorded"


def single_runs(folder: Path, made: list, timeout: float, only: str) -> None:
    print(f"{'input':32} {'exit':>6} {'s':>6} {'cpu s':>6} {'MiB':>6}  line")
    for hostile in made:
        if only and only not in hostile.name:
            continue
        if "/" in hostile.name:  # a link inside the tree: given alone it names the whole folder
            print(f"{hostile.name:32} {'':>6} {'':>6} {'':>6} {'':>6}  (a link inside a scanned tree: see the directory runs)")
            continue
        out = Path(tempfile.mkdtemp(prefix="fangcun-hostile-out-"))
        code, seconds, cpu, rss, stderr = run(["scan", str(folder / hostile.name), "-o", str(out), "-f", "json"], timeout)
        shown = hostile.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        shown = shown.encode("unicode_escape").decode("ascii")[:32]
        print(f"{shown:32} {code!s:>6} {seconds:6.1f} {cpu:6.1f} {rss:6.0f}  {said(stderr, out / 'report.json')}", flush=True)
        shutil.rmtree(out, ignore_errors=True)


def mixed_runs(folder: Path, made: list, timeout: float) -> None:
    for fixture in sorted(FIXTURES.glob("*.apk")):
        shutil.copy(fixture, folder / fixture.name)
    for mode, extra in (("in process", []), ("--db --jobs 2", ["--db", str(folder.parent / "camp.sqlite"), "--jobs", "2"])):
        out = folder.parent / f"out-{len(extra)}"
        code, seconds, cpu, rss, stderr = run(["scan", str(folder), "-o", str(out), "-f", "json,html,md,sarif", *extra],
                                              timeout)
        lines = [line for line in stderr.splitlines() if line.strip()]
        traceback = f"yes, ending {lines[-1][:150]}" if "Traceback" in stderr else "no"
        print(f"\n{mode}: exit {code}, {seconds:.1f} s ({cpu:.1f} s CPU), peak RSS {rss:.0f} MiB, traceback: {traceback}")
        try:
            document = json.loads((out / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"  no report: {exc}")
            continue
        by_name = {Path(t["uri"]).name: t for t in document["targets"]}
        also = {Path(a).name for t in document["targets"] for a in t["attributes"].get("also_at", ())}
        for fixture in sorted(FIXTURES.glob("*.apk")):
            target = by_name.get(fixture.name)
            results = len(target["results"]) if target else 0
            print(f"  fixture {fixture.name:18} results {results:3}  grade {target['score']['grade'] if target else '-'}")
        errored = {Path(e["input"]).name for e in document["errors"]}
        flagged = {Path(t["uri"]).name for t in document["targets"] if t["errors"]}
        missing = []
        for hostile in made:
            shown = printable_name(hostile.name)
            name = Path(shown).name
            if name not in errored and name not in flagged and name not in by_name and name not in also:
                missing.append(shown)
        print(f"  report errors {len(document['errors'])}, targets {len(document['targets'])}, "
              f"targets with a recorded problem {len(flagged)}; hostile inputs missing from the report: {missing or 'none'}")
        for error in document["errors"]:
            print(f"    error  {error['stage']:8} {error['message'][:150]}")
        for target in document["targets"]:
            for error in target["errors"]:
                print(f"    target {error['stage']:8} {error['message'][:150]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=120.0, help="kill a scan after this many seconds")
    parser.add_argument("--only", default="", help="only inputs whose name contains this")
    parser.add_argument("--mixed", action="store_true", help="also scan the whole folder with the fixtures")
    parser.add_argument("--small", action="store_true", help="the quick-to-make sizes the tests use")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="fangcun-hostile-"))
    try:
        folder = root / "in"
        started = time.monotonic()
        made = write_hostile(folder, small=args.small)
        print(f"{len(made)} hostile inputs written in {time.monotonic() - started:.1f} s "
              f"({sum(p.stat().st_size for p in folder.rglob('*') if p.is_file() and not p.is_symlink()) / 2**20:.0f} MiB)")
        single_runs(folder, made, args.timeout, args.only)
        if args.mixed:
            mixed_runs(folder, made, args.timeout * 10)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
