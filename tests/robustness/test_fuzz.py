"""A seeded mutation fuzz run over the fixture apps, policies and pages (tests/support/mutate.py).

Every mutated input, scanned as one directory the way a user scans one, ends as a target or as one
clear error line naming it; none crashes its worker, runs out of memory or time, or makes an
extractor fail. The seed and count are fixed, so a failure here names an input that can be made
again; bench/fuzz.py runs the same mutator for longer.
"""

from __future__ import annotations

import random
from pathlib import Path

from support.mutate import fuzz_inputs

from scanner.pipeline import load_ruleset, scan_paths

SEED = 14
COUNT = 90


def test_mutated_inputs_end_as_a_target_or_one_clear_error(tmp_path: Path) -> None:
    names = []
    for name, data in fuzz_inputs(random.Random(SEED), COUNT):
        (tmp_path / name).write_bytes(data)
        names.append(name)
    targets, errors = scan_paths([tmp_path], load_ruleset(), per_target_seconds=60, per_target_memory_mb=1024)

    broken = [(e.stage, e.message) for e in errors if e.stage != "open"]
    assert not broken, broken  # crash, memory, timeout or an uncaught scanner error
    for error in errors:
        assert "\n" not in error.message and error.message.startswith(str(tmp_path / Path(error.input).name)), error
    failed_extractors = [(t.uri, e.message) for t in targets for e in t.errors if e.stage.startswith("extract:")]
    assert not failed_extractors, failed_extractors
    seen = {Path(t.uri).name for t in targets} | {Path(a).name for t in targets for a in t.attributes.get("also_at", ())}
    seen |= {Path(e.input).name for e in errors}
    assert seen == set(names)  # every input accounted for, none lost
    assert targets and errors  # the mutations both keep apps readable and break them
