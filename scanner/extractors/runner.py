"""Running extractors over one opened source: in order, each checked against the evidence contract."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scanner.contract import Vocabulary, contract_problems, load_vocabulary
from scanner.extractors.base import ExtractorSpec
from scanner.model import ErrorRecord, Evidence


def evidence_order(ev: Evidence) -> tuple[str, str, str, str, str]:
    return (ev.kind, ev.key, ev.location.uri, ev.location.logical, ev.id)


MAX_CONTRACT_PROBLEMS_SHOWN = 3
# The stage of an extractor that ran without error but could not see all it reads (a packed app's
# code): not a failure of the extractor, and not a clean run either.
INCOMPLETE_STAGE = "incomplete:"


def run_extractors(
    source: Any, extractors: Sequence[ExtractorSpec], vocabulary: Vocabulary | None = None,
    *, given: Sequence[Evidence] = (), expected: set[str] | None = None,
) -> tuple[list[Evidence], list[str], list[ErrorRecord]]:
    """Every extractor in order; a failing one is recorded and the others still run.

    Each extractor's facts are checked against the contract (rules/vocab.yaml) before the next
    extractor or any rule sees them. An extractor that states a fact the contract does not allow is
    broken: its facts are dropped and it counts as failed, so the rules that need it say UNKNOWN
    instead of judging facts whose meaning nobody agreed on. `given` facts (a rule case's) are known
    before the first extractor runs.

    A derived extractor (one that `consumes` kinds stated before it, as face.capture is derived from
    the SDK, API and camera facts) that ran while every expected emitter of a kind it consumes had
    failed ran on incomplete facts: its facts are kept, but it does not count as clean, so a rule
    that depends on what it did *not* state says UNKNOWN. `expected` names the extractors that should
    have run on this target (default: all of `extractors`).

    On a source whose code cannot be read (`unreadable_code`: packed, or declared but absent), an
    extractor that needs code keeps the facts it could state (from the manifest, native libraries,
    resources, assets) but is recorded (stage incomplete:NAME) with the reason and does not count as
    clean: what it did not find may be in the code nobody could read."""
    unreadable_code = getattr(source, "unreadable_code", "")
    vocabulary = vocabulary or load_vocabulary()
    evidence: dict[str, Evidence] = {ev.id: ev for ev in given}
    ran: list[str] = []
    clean: set[str] = set()
    errors: list[ErrorRecord] = []
    should_run = expected if expected is not None else {spec.name for spec in extractors}
    for spec in extractors:
        try:
            stated = list(spec.run(source, tuple(evidence.values())))
        except Exception as exc:  # noqa: BLE001 — an extractor bug must cost one fact family, not the scan
            errors.append(ErrorRecord(f"extract:{spec.name}", f"{type(exc).__name__}: {exc}", source.uri))
            continue
        problems = contract_problems(stated, spec.name, vocabulary)
        if problems:
            shown = "; ".join(problems[:MAX_CONTRACT_PROBLEMS_SHOWN])
            more = f" (and {len(problems) - MAX_CONTRACT_PROBLEMS_SHOWN} more)" if len(problems) > MAX_CONTRACT_PROBLEMS_SHOWN else ""
            errors.append(ErrorRecord(f"extract:{spec.name}", f"facts outside the evidence contract: {shown}{more}", source.uri))
            continue
        for ev in stated:
            evidence.setdefault(ev.id, ev)
        if spec.needs_code and unreadable_code:
            errors.append(ErrorRecord(f"{INCOMPLETE_STAGE}{spec.name}", unreadable_code, source.uri))
            continue
        unseen = _unseen_inputs(spec, vocabulary, should_run, clean)
        if unseen:
            errors.append(ErrorRecord(f"{INCOMPLETE_STAGE}{spec.name}", "ran on incomplete facts: " + "; ".join(unseen),
                                      source.uri))
            continue
        clean.add(spec.name)
        ran.append(spec.label)
    return sorted(evidence.values(), key=evidence_order), ran, errors


def _unseen_inputs(spec: ExtractorSpec, vocabulary: Vocabulary, should_run: set[str], clean: set[str]) -> list[str]:
    """The kinds `spec` consumes that no expected emitter stated cleanly, each with the emitters that failed."""
    unseen = []
    for kind in sorted(spec.consumes):
        emitters = sorted(e for e in vocabulary.emitters(kind) if e in should_run and e != spec.name)
        if emitters and not clean.intersection(emitters):
            unseen.append(f"{kind} ({', '.join(emitters)} did not run cleanly)")
    return unseen
