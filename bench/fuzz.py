"""A long mutation fuzz run: the fast test's mutator (tests/support/mutate.py) for thousands of inputs.

Inputs are made in batches from one seed and scanned as a directory through scan_paths, each in its
worker with the usual limits (here --seconds and --memory-mb). Prints, per batch and in total:
inputs tried, targets, clear input errors, crashes (a scanner exception or a dead worker), memory
kills, hangs (time-outs), failed extractors, and the peak RSS of any worker. Inputs that crashed,
hung, ran out of memory or failed an extractor are copied to --keep for replay.

    python bench/fuzz.py [--seed 1] [--count 2000] [--batch 200] [--seconds 60] [--memory-mb 1024] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from support.mutate import fuzz_inputs  # noqa: E402

from scanner.pipeline import load_ruleset, scan_paths  # noqa: E402

OUTCOMES = ("targets", "input errors", "crashes", "memory", "hangs", "extractor failures")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0, help="per-input time limit (a hang past it)")
    parser.add_argument("--memory-mb", type=int, default=1024, help="per-input memory limit")
    parser.add_argument("--keep", type=Path, help="copy the inputs that went wrong here")
    args = parser.parse_args()

    ruleset = load_ruleset()
    inputs = fuzz_inputs(random.Random(args.seed), args.count)
    totals: Counter[str] = Counter()
    started = time.monotonic()
    print(f"seed {args.seed}, {args.count} inputs, limits {args.seconds:g} s / {args.memory_mb} MiB per input")
    print(f"{'inputs':>7} " + " ".join(f"{o:>9}" for o in OUTCOMES) + f" {'peak MiB':>9} {'s':>7}")
    done = 0
    while done < args.count:
        with tempfile.TemporaryDirectory(prefix="fangcun-fuzz-") as folder:
            batch = Path(folder)
            for _ in range(min(args.batch, args.count - done)):
                name, data = next(inputs)
                (batch / name).write_bytes(data)
                done += 1
            targets, errors = scan_paths([batch], ruleset, per_target_seconds=args.seconds,
                                         per_target_memory_mb=args.memory_mb)
            counts = Counter({"targets": len(targets)})
            bad: set[str] = set()
            for error in errors:
                outcome = {"open": "input errors", "timeout": "hangs", "memory": "memory"}.get(error.stage, "crashes")
                counts[outcome] += 1
                if outcome != "input errors":
                    bad.add(Path(error.input).name)
                    print(f"  {outcome}: {error.message}")
            for target in targets:
                failures = [e for e in target.errors if e.stage.startswith("extract:")]
                if failures:
                    counts["extractor failures"] += 1
                    bad.add(Path(target.uri).name)
                    print(f"  extractor failure: {target.uri}: {failures[0].message}")
            if args.keep and bad:
                args.keep.mkdir(parents=True, exist_ok=True)
                for name in bad:
                    shutil.copy(batch / name, args.keep / name)
        totals.update(counts)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{done:>7} " + " ".join(f"{counts[o]:>9}" for o in OUTCOMES) + f" {peak:>9.0f} {time.monotonic() - started:>7.0f}",
              flush=True)
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\ntotal: {done} inputs tried in {elapsed:.0f} s ({done / elapsed:.1f}/s); "
          + ", ".join(f"{o} {totals[o]}" for o in OUTCOMES) + f"; peak worker RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
