"""Speed and memory of a full APK scan against androguard's AnalyzeAPK and dexdump.

For every APK in the corpus inventory, and for a large synthetic APK (the corpus's biggest dex
copied as classes.dex, classes2.dex, … up to about --big-mb of bytecode, with the original
manifest and resources, written to a temporary folder), this prints:

  ours      the full scan: open_apk(), every extractor (call sites and the start-up walk included)
            and the rule pack, seconds (wall and CPU) and peak RSS
  no walk   the same scan without the start-up walk (apk_startup), seconds
  walk      the start-up walk alone on the opened APK, seconds and methods walked
  androguard AnalyzeAPK() alone (logging disabled), seconds and peak RSS
  dexdump   listing the classes of every dex entry, seconds

Each measurement runs in a fresh Python process, so peak RSS (ru_maxrss) and import costs are
those of that step alone.

    python bench/apk_speed.py [--corpus DIR] [--big-mb 40] [--repeat 5] [--skip-analyze-big] [--no-analyze]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("FANGCUN_CORPUS", REPO_ROOT.parent / "shared" / "corpus"))
DEX_ENTRY = re.compile(r"classes\d*\.dex")

@dataclass
class Row:
    name: str
    dex_mb: float
    ours: dict | None = None
    no_walk: dict | None = None
    walk: dict | None = None
    androguard: dict | None = None
    dexdump_s: float | None = None


def child_ours(path: str) -> dict:
    started, cpu_started = time.perf_counter(), time.process_time()
    from scanner.pipeline import load_ruleset, scan_file

    target = scan_file(Path(path), load_ruleset())
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,  # steadier than wall time on a busy machine
        "facts": len(target.evidence),
        "call_sites": sum(1 for e in target.evidence if "caller" in e.attrs),
        "errors": len(target.errors),
    }


def child_no_walk(path: str) -> dict:
    started = time.perf_counter()
    from scanner.extractors import extractors_for
    from scanner.model import TargetKind
    from scanner.pipeline import analyse_source, load_ruleset, open_source

    extractors = [spec for spec in extractors_for(TargetKind.APK) if spec.name != "apk_startup"]
    target = analyse_source(open_source(Path(path)), load_ruleset(), extractors=extractors)
    return {"seconds": time.perf_counter() - started, "facts": len(target.evidence)}


def child_walk(path: str) -> dict:
    from scanner.extractors import apk_startup
    from scanner.sources.apk import open_apk

    source = open_apk(Path(path))
    apk_startup.startup_tables()  # loading the signature files is part of the scan's start, not the walk
    started = time.perf_counter()
    facts = list(apk_startup.run(source, ()))
    seconds = time.perf_counter() - started
    summary = next(f for f in facts if f.kind == "startup.walk")
    return {"seconds": seconds, "methods": summary.attrs["methods"], "facts": len(facts)}


def child_androguard(path: str) -> dict:
    started = time.perf_counter()
    from loguru import logger

    logger.disable("androguard")
    from androguard.misc import AnalyzeAPK

    _apk, dexes, _analysis = AnalyzeAPK(path)
    return {"seconds": time.perf_counter() - started, "dex_count": len(dexes)}


def run_child(mode: str, path: Path, timeout: float) -> dict | None:
    """Run one measurement in a fresh interpreter; None if it failed or timed out."""
    command = [sys.executable, __file__, "--child", mode, str(path)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": last[:80]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_of(modes: list[str], path: Path, timeout: float, runs: int) -> list[dict | None]:
    """Each mode's fastest of `runs` fresh-process measurements, the modes taken in turn so that a
    busy moment of the machine slows them alike (the first error of a mode, if any)."""
    results: dict[str, list[dict | None]] = {mode: [] for mode in modes}
    for _ in range(runs):
        for mode in modes:
            results[mode].append(run_child(mode, path, timeout))
    best: list[dict | None] = []
    for mode in modes:
        timed = [r for r in results[mode] if r is not None and "seconds" in r]
        failed = [r for r in results[mode] if r is None or "seconds" not in r]
        best.append(failed[0] if failed else min(timed, key=lambda r: r["seconds"]))
    return best


def dexdump_seconds(path: Path, scratch: Path) -> float | None:
    """Time `dexdump` listing classes of each dex (extraction to disk not counted)."""
    if shutil.which("dexdump") is None:
        return None
    files = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if DEX_ENTRY.fullmatch(name):
                target = scratch / name
                target.write_bytes(archive.read(name))
                files.append(target)
    if not files:
        return 0.0
    started = time.perf_counter()
    for dex in files:
        subprocess.run(["dexdump", str(dex)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    for dex in files:
        dex.unlink()
    return elapsed


def dex_megabytes(path: Path) -> float:
    with zipfile.ZipFile(path) as archive:
        return sum(i.file_size for i in archive.infolist() if DEX_ENTRY.fullmatch(i.filename)) / 2**20


def corpus_apks(corpus: Path) -> list[Path]:
    inventory = corpus / "apks" / "inventory.tsv"
    with inventory.open(encoding="utf-8") as handle:
        return [corpus / "apks" / row["local_file"] for row in csv.DictReader(handle, delimiter="\t")]


def build_big_apk(apks: list[Path], target_mb: float, folder: Path) -> Path:
    """Replicate the largest dex of the corpus into one APK of about `target_mb` MB of dex."""
    best_size, best_apk, best_entry = 0, None, None
    for apk in apks:
        with zipfile.ZipFile(apk) as archive:
            for info in archive.infolist():
                if DEX_ENTRY.fullmatch(info.filename) and info.file_size > best_size:
                    best_size, best_apk, best_entry = info.file_size, apk, info.filename
    if best_apk is None:
        raise SystemExit("no dex in the corpus")
    copies = max(1, math.ceil(target_mb * 2**20 / best_size))
    target = folder / f"synthetic-{copies}x-{best_apk.stem}.apk"
    with zipfile.ZipFile(best_apk) as source, zipfile.ZipFile(target, "w") as out:
        dex = source.read(best_entry)
        for info in source.infolist():
            if not DEX_ENTRY.fullmatch(info.filename):
                out.writestr(info, source.read(info.filename))
        for i in range(copies):
            name = "classes.dex" if i == 0 else f"classes{i + 1}.dex"
            out.writestr(name, dex, compress_type=zipfile.ZIP_DEFLATED)
    return target


def fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "-" if value is None else pattern.format(value)


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'file':44} {'dex MB':>7} {'ours s':>7} {'cpu s':>6} {'ours MB':>8} {'no walk s':>9} {'walk s':>7} {'methods':>7} "
        f"{'AnalyzeAPK s':>12} {'AA MB':>7} {'dexdump s':>9} {'speed-up':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ours = row.ours or {}
        no_walk = row.no_walk or {}
        walk = row.walk or {}
        andro = row.androguard or {}
        ratio = None
        if "seconds" in ours and "seconds" in andro:
            ratio = andro["seconds"] / ours["seconds"]
        note = ours.get("error") or no_walk.get("error") or walk.get("error") or andro.get("error") or ""
        print(
            f"{row.name[:44]:44} {row.dex_mb:7.2f} {fmt(ours.get('seconds')):>7} {fmt(ours.get('cpu_seconds')):>6} "
            f"{fmt(ours.get('rss_mb'), '{:.0f}'):>8} {fmt(no_walk.get('seconds')):>9} {fmt(walk.get('seconds')):>7} "
            f"{fmt(walk.get('methods'), '{:.0f}'):>7} {fmt(andro.get('seconds')):>12} "
            f"{fmt(andro.get('rss_mb'), '{:.0f}'):>7} {fmt(row.dexdump_s):>9} "
            f"{fmt(ratio, '{:.1f}x'):>8} {note}"
        )


def print_summary(rows: list[Row]) -> None:
    paired = [r for r in rows if r.ours and r.androguard and "seconds" in r.ours
              and "seconds" in r.androguard]
    if paired:
        ours = sum(r.ours["seconds"] for r in paired)
        andro = sum(r.androguard["seconds"] for r in paired)
        print(f"\ntotal over {len(paired)} APKs measured both ways: ours {ours:.1f} s, "
              f"AnalyzeAPK {andro:.1f} s, speed-up {andro / ours:.1f}x")
    big = rows[-1]
    if big.ours and "seconds" in big.ours:
        verdict = "meets" if big.ours["seconds"] <= 5 and big.ours["rss_mb"] <= 1024 else "MISSES"
        print(f"large APK ({big.dex_mb:.1f} MB dex): ours {big.ours['seconds']:.2f} s ({big.ours['cpu_seconds']:.2f} s CPU), "
              f"{big.ours['rss_mb']:.0f} MB peak RSS — {verdict} the goal of ≤ 5 s and ≤ 1 GB; "
              f"{big.ours['facts']} facts, {big.ours['call_sites']} with a named caller")
    if big.ours and big.no_walk and big.walk and "seconds" in big.ours and "seconds" in big.no_walk and "seconds" in big.walk:
        with_walk, without = big.ours["seconds"], big.no_walk["seconds"]
        verdict = "within" if with_walk <= 1.3 * without else "OVER"
        print(f"start-up walk on the large APK: {with_walk:.2f} s with it, {without:.2f} s without "
              f"({100 * (with_walk / without - 1):+.0f} %, {verdict} the +30 % budget); the walk alone "
              f"{big.walk['seconds']:.2f} s over {big.walk['methods']} methods, "
              f"{100 * big.walk['seconds'] / with_walk:.0f} % of the full scan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--big-mb", type=float, default=40.0, help="dex MB of the synthetic APK")
    parser.add_argument("--skip-analyze-big", action="store_true",
                        help="skip AnalyzeAPK on the synthetic APK (~100 s, ~3 GB)")
    parser.add_argument("--no-analyze", action="store_true", help="skip AnalyzeAPK everywhere")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each scan of the synthetic APK (fastest kept)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "APK"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        mode, path = args.child
        children = {"ours": child_ours, "no-walk": child_no_walk, "walk": child_walk, "androguard": child_androguard}
        result = children[mode](path)
        result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    if not (args.corpus / "apks" / "inventory.tsv").is_file():
        raise SystemExit(f"corpus not found at {args.corpus}")
    apks = corpus_apks(args.corpus)
    rows = []
    with tempfile.TemporaryDirectory(prefix="fangcun-bench-") as scratch_name:
        scratch = Path(scratch_name)
        big = build_big_apk(apks, args.big_mb, scratch)
        for apk in [*apks, big]:
            is_big = apk == big
            row = Row(name=apk.name if is_big else str(apk.relative_to(args.corpus / "apks")),
                      dex_mb=dex_megabytes(apk))
            runs = args.repeat if is_big else 1  # the large APK's figures are the ones compared
            row.ours, row.no_walk, row.walk = best_of(["ours", "no-walk", "walk"], apk, args.timeout, runs)
            if not args.no_analyze and not (is_big and args.skip_analyze_big):
                row.androguard = run_child("androguard", apk, args.timeout)
            row.dexdump_s = dexdump_seconds(apk, scratch)
            rows.append(row)
            print(f"measured {row.name}", file=sys.stderr)
    print_table(rows)
    print_summary(rows)


if __name__ == "__main__":
    main()
