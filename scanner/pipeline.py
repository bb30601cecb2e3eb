"""Targets → extractors → evidence → rules → results → scores → Report. No formatting, no printing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from scanner import __version__, limits
from scanner.contract import evidence_words
from scanner.engine.evaluate import Waiver, apply_waivers, assess_coverage, judge_all, score
from scanner.engine.ruleset import RuleSet, load_ruleset
from scanner.errors import InputError, printable_name
from scanner.extractors import extractors_for
from scanner.extractors.base import ExtractorSpec
from scanner.extractors.runner import evidence_order, run_extractors
from scanner.inputs import POLICY_SUFFIXES, expand_inputs, is_zip, not_a_regular_file, zip_kind
from scanner.model import ErrorRecord, Evidence, Report, Target, TargetKind

__all__ = ["analyse_source", "build_report", "expand_inputs", "extractors_for", "load_ruleset", "scan_file", "scan_paths"]

OWN_SOURCE = "fangcun"  # the project's own signatures (scanner.signatures.OWN_SOURCE): no attribution needed
# ErrorRecord stages of an extractor that failed (extract:NAME) or could not see all it reads (incomplete:NAME)
EXTRACTOR_STAGES = ("extract:", "incomplete:")


def open_source(path: Path) -> Any:
    """Open one input file as the source its content calls for; InputError for anything else.
    Only regular files are read (a FIFO blocks, a device never ends), and only up to INPUT_MAX_BYTES."""
    name = printable_name(str(path))
    if not path.exists() and not path.is_symlink():
        raise InputError(name, "no such file")
    if path.is_dir():
        raise InputError(name, "is a directory (directories are expanded by scan_paths)")
    problem = not_a_regular_file(path)
    if problem:
        raise InputError(name, problem)
    size = path.stat().st_size
    if size > limits.INPUT_MAX_BYTES:
        raise InputError(name, limits.over("file of", limits.size(size), "INPUT_MAX_BYTES", limits.size(limits.INPUT_MAX_BYTES)))
    try:
        suffix = path.suffix.lower()
        kind = {".xapk": "bundle", ".apks": "bundle", ".apkm": "bundle", ".aab": "aab", ".docx": "docx"}.get(suffix)
        if kind is None and suffix not in POLICY_SUFFIXES and is_zip(path):
            kind = zip_kind(path)  # a package named .apk may be a bundle, and the other way round
        if kind is None and suffix in POLICY_SUFFIXES:
            kind = "policy"
        if kind in ("apk", "zip") or (kind is None and suffix == ".apk"):
            from scanner.sources.apk import open_apk

            return open_apk(path)
        if kind == "bundle":
            from scanner.sources.apk import open_bundle

            return open_bundle(path)
        if kind == "aab":
            from scanner.sources.apk import open_aab

            return open_aab(path)
        if kind in ("docx", "policy"):
            from scanner.sources.policy import open_policy

            return open_policy(path, uri=printable_name(name))
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except IsADirectoryError:
        raise InputError(name, "is a directory") from None
    raise InputError(name, f"unsupported input type {path.suffix or '(no extension)'}: expected "
                           ".apk, .xapk, .apks, .apkm, .aab, .html, .htm, .txt, .pdf or .docx")


def judge(
    target: Target, ruleset: RuleSet, *, lang: str = "zh", waivers: Sequence[Waiver] = (), today: dt.date | None = None
) -> Target:
    """The target with every applicable rule judged on its evidence, waivers applied and a score."""
    ran_names = {label.split("@", 1)[0] for label in target.extractors}
    expected = {spec.name for spec in extractors_for(target.kind)} | ran_names
    results = judge_all(ruleset, target.kind.value, target.evidence, ran_names, identity=target.sha256 or target.id,
                        lang=lang, expected=expected, reasons=extractor_reasons(target.errors))
    results, notes = apply_waivers(results, waivers, today or dt.date.today())
    results.sort(key=lambda r: r.rule_id)
    # dict.fromkeys: a target judged again (with more facts) keeps one copy of each note
    errors = tuple(dict.fromkeys((*target.errors, *(ErrorRecord("waivers", note, target.uri) for note in notes))))
    coverage = assess_coverage(results, target.evidence, ruleset.scoring, lang)
    return replace(target, results=tuple(results), score=score(results, ruleset.scoring, coverage), errors=errors,
                   coverage=coverage, shown={ev.id: evidence_words(ev) for ev in target.evidence})


def extractor_reasons(errors: Iterable[ErrorRecord]) -> dict[str, str]:
    """Why each extractor that did not run cleanly did not, by name (its first recorded error)."""
    reasons: dict[str, str] = {}
    for error in errors:
        prefix = next((p for p in EXTRACTOR_STAGES if error.stage.startswith(p)), None)
        if prefix is not None:
            reasons.setdefault(error.stage[len(prefix):], error.message)
    return reasons


def with_facts(target: Target, facts: Iterable[Evidence], extractor_label: str) -> Target:
    """The target with more facts from one more extractor (judge it again afterwards)."""
    evidence = {e.id: e for e in target.evidence}
    for fact in facts:
        evidence.setdefault(fact.id, fact)
    return replace(
        target,
        evidence=tuple(sorted(evidence.values(), key=evidence_order)),
        extractors=(*target.extractors, extractor_label),
    )


def with_policies(
    target: Target,
    policies: Sequence[tuple[Any, str]],
    ruleset: RuleSet,
    *,
    lang: str = "zh",
    waivers: Sequence[Waiver] = (),
    problems: Sequence[ErrorRecord] = (),
    today: dt.date | None = None,
) -> Target:
    """An app judged again with privacy policies read from elsewhere (a file the auditor gives, or the
    capture of a policy the app links): each policy's facts, then the code-versus-policy facts over
    everything, then the rules. `policies` holds (opened PolicySource, logical place: the capture's
    time and hash, or "" for a file); `problems` are policies that could not be had, kept as errors."""
    from scanner.extractors.policy_consistency import CONSISTENCY
    from scanner.extractors.policy_nlp import EXTRACTOR as POLICY_EXTRACTOR
    from scanner.extractors.policy_nlp import analyse_policy_text

    read = [*target.attributes.get("policies_read", [])]
    for policy, logical in policies:
        facts = analyse_policy_text(policy.text, uri=policy.uri, logical=logical, sections=policy.sections,
                                    language=policy.attributes.get("language"))
        target = with_facts(target, facts, POLICY_EXTRACTOR)
        read.append({"uri": policy.uri, "sha256": policy.sha256, "capture": logical})
    if policies:
        derived = list(CONSISTENCY.run(None, target.evidence))
        target = with_facts(target, derived, CONSISTENCY.label)
    target = replace(target, attributes={**target.attributes, "policies_read": read},
                     errors=(*target.errors, *problems),
                     extractors=tuple(dict.fromkeys(target.extractors)))
    return judge(target, ruleset, lang=lang, waivers=waivers, today=today)


def analyse_source(
    source: Any,
    ruleset: RuleSet,
    *,
    lang: str = "zh",
    waivers: Sequence[Waiver] = (),
    today: dt.date | None = None,
    extractors: Sequence[ExtractorSpec] | None = None,
) -> Target:
    """Extract facts from an opened source and judge them."""
    kind = TargetKind(source.kind)
    evidence, ran, errors = run_extractors(source, extractors if extractors is not None else extractors_for(kind))
    problems = [ErrorRecord("open", p, source.uri) for p in getattr(source, "problems", ())]
    facts = Target(
        id=f"{kind.value}-{source.sha256[:12]}",
        kind=kind,
        uri=source.uri,
        sha256=source.sha256,
        label=source.label,
        attributes=dict(source.attributes),
        evidence=tuple(evidence),
        errors=(*problems, *errors),
        extractors=tuple(ran),
    )
    return judge(facts, ruleset, lang=lang, waivers=waivers, today=today)


def scan_file(path: Path, ruleset: RuleSet, *, lang: str = "zh", waivers: Sequence[Waiver] = (), today: dt.date | None = None) -> Target:
    """Open and analyse one file. Raises InputError for input that cannot be analysed."""
    return analyse_source(open_source(Path(path)), ruleset, lang=lang, waivers=waivers, today=today)


def scan_paths(
    paths: Iterable[Path],
    ruleset: RuleSet,
    *,
    lang: str = "zh",
    waivers: Sequence[Waiver] = (),
    on_target: Callable[[Path, Target | None, ErrorRecord | None], None] | None = None,
    per_target_seconds: float | None = None,
    per_target_memory_mb: int | None = None,
    jobs: int = 1,
) -> tuple[list[Target], list[ErrorRecord]]:
    """Scan every input; bad inputs become errors and the rest is still scanned. Identical files once.

    Each target runs in a worker process of its own under the limits a --db batch gives it
    (scanner.isolation; default limits.TARGET_SECONDS and limits.TARGET_MEMORY_MB): a target that
    runs out of time or memory, or crashes its worker, becomes that target's error, and every other
    result is kept. `jobs` workers run at once."""
    from scanner.isolation import Unit, duplicate_errors, plan_units, run_isolated

    targets: list[Target] = []
    errors: list[ErrorRecord] = []
    units, problems = plan_units(list(paths))
    for problem in problems:
        errors.append(ErrorRecord("open", str(problem), problem.input_name))
        if on_target:
            on_target(Path(problem.input_name), None, errors[-1])

    def scan(path: Path) -> Target:
        return scan_file(path, ruleset, lang=lang, waivers=waivers)

    def done(unit: Unit, message: dict[str, Any], _started_at: str) -> None:
        if "target" in message:
            target = Target.from_dict(message["target"])
            if unit.also_at:  # the same bytes under other names: analysed once, every name kept
                target = _with_attributes(target, also_at=list(unit.also_at))
            targets.append(target)
            if on_target:
                on_target(unit.path, target, None)
            return
        error = message["error"]
        errors.append(ErrorRecord(error["stage"], error["message"], unit.name))
        errors.extend(ErrorRecord(*record) for record in duplicate_errors(unit, error["stage"]))
        if on_target:
            on_target(unit.path, None, errors[-1])

    if len(units) > 1:
        warm_up(scan)
    run_isolated(units, scan, done, jobs=jobs, seconds=per_target_seconds or limits.TARGET_SECONDS,
                 memory_mb=per_target_memory_mb or limits.TARGET_MEMORY_MB)
    return sorted(targets, key=lambda t: (t.kind.value, t.uri)), errors


def warm_up(scan: Callable[[Path], Any]) -> None:
    """Scan a tiny policy and import the APK adapter once in the parent, so every forked worker
    inherits loaded modules, dictionaries and NLP pipelines instead of loading them per target.

    Failures are ignored here: the same failure is recorded per target by the workers.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fangcun-warm-") as folder:
        sample = Path(folder) / "policy.txt"
        sample.write_text(_WARM_UP_TEXT, encoding="utf-8")
        try:
            scan(sample)
            import scanner.sources.apk  # noqa: F401  (androguard costs ~1 s to import)

            extractors_for(TargetKind.APK)
        except Exception:  # noqa: BLE001 — see docstring
            return


_WARM_UP_TEXT = "隐私政策。我们会收集您的人脸信息用于门禁开门。Privacy policy: we collect face data.\n"


def _with_attributes(target: Target, **extra: Any) -> Target:
    return replace(target, attributes={**target.attributes, **extra})


def generated_at() -> str:
    """UTC time of the run; SOURCE_DATE_EPOCH pins it for reproducible builds and golden files."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_report(targets: Sequence[Target], ruleset: RuleSet, *, lang: str = "zh", errors: Sequence[ErrorRecord] = ()) -> Report:
    return Report(
        tool_version=__version__,
        rules=tuple(r.info for r in ruleset.rules),
        ruleset_sha256=ruleset.sha256,
        targets=tuple(sorted(targets, key=lambda t: (t.kind.value, t.uri, t.id))),
        generated_at=generated_at(),
        lang=lang,
        errors=tuple(errors),
        scoring=ruleset.scoring.scale(),
        signature_sources=cited_signature_sources(targets),
        models=models_used(targets),
    )


def models_used(targets: Iterable[Target]) -> tuple[dict[str, str], ...]:
    """The learned models behind the facts: the practice reader's, when some policy text was analysed."""
    from scanner.extractors.policy_nlp import EXTRACTOR as POLICY_EXTRACTOR
    from scanner.extractors.policy_nlp import reader_models

    if not any(ev.extractor == POLICY_EXTRACTOR for t in targets for ev in t.evidence):
        return ()
    return reader_models()


def cited_signature_sources(targets: Iterable[Target]) -> tuple[dict[str, str], ...]:
    """The imported signature databases whose entries some evidence cites (attrs.source), with their
    licence and attribution: a report that states facts from εxodus data says so (ODbL §4.3)."""
    cited = {str(ev.attrs["source"]) for t in targets for ev in t.evidence if ev.kind == "sdk.present" and "source" in ev.attrs}
    cited.discard(OWN_SOURCE)
    if not cited:
        return ()
    from scanner.signatures import signature_sources

    known = signature_sources()
    return tuple(asdict(known[source_id]) for source_id in sorted(cited) if source_id in known)
