"""What the start-up walk costs per app, and whether a change to it keeps its facts.

For every corpus APK (apks/inventory.tsv), this prints the CPU time (user + sys of the measuring
process) of a full scan with the start-up walk and without it, the fastest of --runs fresh-process
runs of each (the machine may be shared: CPU time and the minimum are the steadiest figures), the
ratio of the two, and the methods the walk visited. A scan is `scan_file` with the rule pack loaded,
as `fangcun scan` runs it in process.

    python bench/walk_cost.py [--corpus DIR] [--runs 3] [--only SUBSTRING]

The start-up facts themselves (every startup.* evidence, attributes and paths included) of every
fixture APK and every corpus APK can be written to a JSON file and later compared with it, so that
a change meant only to make the walk faster is checked to change nothing it states:

    python bench/walk_cost.py --dump /tmp/startup-before.json
    python bench/walk_cost.py --compare /tmp/startup-before.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("FANGCUN_CORPUS", REPO_ROOT.parent / "shared" / "corpus"))
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "apks"
BUDGET = 1.30  # the walk may add at most 30 % to a scan


def corpus_apks(corpus: Path) -> list[Path]:
    inventory = corpus / "apks" / "inventory.tsv"
    if not inventory.is_file():
        return []
    with inventory.open(encoding="utf-8") as handle:
        return [corpus / "apks" / row["local_file"] for row in csv.DictReader(handle, delimiter="\t")]


def child(mode: str, path: str) -> dict[str, Any]:
    """One scan in this fresh process: CPU seconds of open + extract + judge, and the walk's size."""
    from scanner.extractors import extractors_for
    from scanner.model import TargetKind
    from scanner.pipeline import analyse_source, load_ruleset, open_source

    started = time.process_time()
    extractors = [s for s in extractors_for(TargetKind.APK) if mode == "walk" or s.name != "apk_startup"]
    target = analyse_source(open_source(Path(path)), load_ruleset(), extractors=extractors)
    cpu = time.process_time() - started
    walked = [e.attrs["methods"] for e in target.evidence if e.kind == "startup.walk"]
    return {"cpu": cpu, "methods": walked[0] if walked else None, "errors": len(target.errors)}


def run_child(mode: str, path: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True,
                          cwd=REPO_ROOT, check=False, timeout=900)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:100]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(apks: list[Path], corpus: Path, runs: int) -> None:
    print(f"{'app':58} {'no walk s':>9} {'walk s':>7} {'ratio':>6} {'methods':>7}")
    worst = 0.0
    for apk in apks:
        best: dict[str, dict[str, Any]] = {}
        for _ in range(runs):  # the modes alternate, so a busy moment of the machine slows both alike
            for mode in ("nowalk", "walk"):
                result = run_child(mode, apk)
                known = best.get(mode)
                if known is None or ("error" not in known and ("error" in result or result["cpu"] < known["cpu"])):
                    best[mode] = result  # the fastest run, or the first failure
        name = str(apk.relative_to(corpus / "apks"))
        failed = best["nowalk"].get("error") or best["walk"].get("error")
        if failed:
            print(f"{name[:58]:58} {failed}")
            continue
        ratio = best["walk"]["cpu"] / best["nowalk"]["cpu"]
        worst = max(worst, ratio)
        flag = "" if ratio <= BUDGET else "  OVER"
        print(f"{name[:58]:58} {best['nowalk']['cpu']:9.3f} {best['walk']['cpu']:7.3f} {ratio:6.2f} "
              f"{best['walk']['methods'] or 0:7d}{flag}", flush=True)
    print(f"\nworst ratio {worst:.2f} (budget {BUDGET:.2f}); CPU seconds, fastest of {runs} runs each")


def startup_facts(apks: list[Path]) -> dict[str, Any]:
    """Every startup.* evidence of each app, in the order the extractor yields it."""
    from scanner.errors import InputError
    from scanner.extractors import apk_startup
    from scanner.sources.apk import open_apk

    out: dict[str, Any] = {}
    for apk in apks:
        try:
            source = open_apk(apk)
            out[str(apk)] = [{"kind": e.kind, "key": e.key, "attrs": e.attrs, "logical": e.location.logical,
                              "snippet": e.location.snippet, "confidence": str(e.confidence)}
                             for e in apk_startup.run(source, ())]
        except InputError as exc:
            out[str(apk)] = {"input_error": str(exc)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3, help="fresh-process runs of each scan (fastest kept)")
    parser.add_argument("--only", default="", help="measure only the apps whose path contains this")
    parser.add_argument("--dump", type=Path, help="write the start-up facts of every fixture and corpus APK here")
    parser.add_argument("--compare", type=Path, help="compare the start-up facts with a file --dump wrote")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "APK"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    apks = corpus_apks(args.corpus)
    if args.dump or args.compare:
        facts = startup_facts(sorted(FIXTURES.glob("*.apk")) + apks)
        if args.dump:
            args.dump.write_text(json.dumps(facts, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
            print(f"start-up facts of {len(facts)} apps written to {args.dump}")
            return 0
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        now = json.loads(json.dumps(facts, ensure_ascii=False, sort_keys=True))  # the same JSON round trip
        differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
        for name in differ:
            print(f"DIFFERENT: {name}")
        print(f"{len(now)} apps compared, {len(differ)} with different start-up facts")
        return 1 if differ else 0
    if not apks:
        print(f"no corpus at {args.corpus}")
        return 2
    measure([a for a in apks if args.only in str(a)], args.corpus, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
