"""Targets → extractors → evidence → rules → results → scores → Report. No formatting, no printing."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.contract import evidence_words
from scanner.engine.evaluate import Waiver, apply_waivers, assess_coverage, judge_all, score
from scanner.engine.ruleset import RuleSet, load_ruleset
from scanner.errors import InputError
from scanner.extractors import extractors_for
from scanner.extractors.base import ExtractorSpec
from scanner.extractors.runner import evidence_order, run_extractors
from scanner.model import ErrorRecord, Evidence, Report, Target, TargetKind

__all__ = ["analyse_source", "build_report", "expand_inputs", "extractors_for", "load_ruleset", "scan_file", "scan_paths"]

OWN_SOURCE = "fangcun"  # the project's own signatures (scanner.signatures.OWN_SOURCE): no attribution needed
# ErrorRecord stages of an extractor that failed (extract:NAME) or could not see all it reads (incomplete:NAME)
EXTRACTOR_STAGES = ("extract:", "incomplete:")
POLICY_SUFFIXES = (".html", ".htm", ".txt", ".pdf", ".docx")
BUNDLE_SUFFIXES = (".xapk", ".apks", ".apkm")  # a zip of a base APK and its splits (scanner.sources.apk)
APP_SUFFIXES = (".apk", *BUNDLE_SUFFIXES, ".aab")
SCANNABLE_SUFFIXES = (*APP_SUFFIXES, *POLICY_SUFFIXES)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_zip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def zip_kind(path: Path) -> str:
    """What a zip holds, by its entry names: an apk, a bundle of APKs, an aab, a Word document, or
    "zip" (none of these, or no readable directory)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    if "AndroidManifest.xml" in names:
        return "apk"
    if "base/manifest/AndroidManifest.xml" in names:
        return "aab"
    if "word/document.xml" in names:
        return "docx"
    if any(n.lower().endswith(".apk") for n in names):
        return "bundle"
    return "zip"


def open_source(path: Path) -> Any:
    """Open one input file as the source its content calls for; InputError for anything else."""
    name = str(path)
    if not path.exists():
        raise InputError(name, "no such file")
    if path.is_dir():
        raise InputError(name, "is a directory (directories are expanded by scan_paths)")
    try:
        suffix = path.suffix.lower()
        kind = {".xapk": "bundle", ".apks": "bundle", ".apkm": "bundle", ".aab": "aab", ".docx": "docx"}.get(suffix)
        if kind is None and suffix not in POLICY_SUFFIXES and _is_zip(path):
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

            return open_policy(path)
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


def expand_inputs(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Files as given; directories walked (sorted) for scannable files. Missing paths become errors."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(SCANNABLE_SUFFIXES):
                        yield Path(root) / name
        elif path.exists():
            yield path
        else:
            yield InputError(str(path), "no such file or directory")


# Wall time one target may take, in process (scan_paths) and in a --db batch worker (scanner.campaign.batch).
TARGET_SECONDS = 300.0


class TimeLimitExceeded(BaseException):
    """Raised by the per-target alarm. A BaseException, so an extractor's `except Exception` (which
    turns an extractor bug into one error record) cannot swallow it and run on past the limit."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitExceeded in this thread after `seconds` of wall time.

    Uses SIGALRM, so only in the main thread of a POSIX process (elsewhere: no limit). Python code
    and regular-expression matching are interrupted; a single C call that never returns to the
    interpreter is not, which is why parsers are given size limits too."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signum: int, _frame: Any) -> None:
        raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def scan_paths(
    paths: Iterable[Path],
    ruleset: RuleSet,
    *,
    lang: str = "zh",
    waivers: Sequence[Waiver] = (),
    on_target: Callable[[Path, Target | None, ErrorRecord | None], None] | None = None,
    per_target_seconds: float | None = TARGET_SECONDS,
) -> tuple[list[Target], list[ErrorRecord]]:
    """Scan every input; bad inputs become errors and the rest is still scanned. Identical files once.
    A target that takes longer than `per_target_seconds` is stopped and becomes an error."""
    targets: dict[str, Target] = {}
    errors: list[ErrorRecord] = []
    for item in expand_inputs(paths):
        if isinstance(item, InputError):
            errors.append(ErrorRecord("open", str(item), item.input_name))
            if on_target:
                on_target(Path(item.input_name), None, errors[-1])
            continue
        try:
            with time_limit(per_target_seconds):
                target = scan_file(item, ruleset, lang=lang, waivers=waivers)
        except InputError as exc:
            errors.append(ErrorRecord("open", str(exc), str(item)))
            if on_target:
                on_target(item, None, errors[-1])
            continue
        except TimeLimitExceeded:
            errors.append(ErrorRecord("timeout", f"{item}: analysis stopped after {per_target_seconds:g} s", str(item)))
            if on_target:
                on_target(item, None, errors[-1])
            continue
        if target.sha256 in targets:  # the same bytes under another name: analysed once, both names kept
            first = targets[target.sha256]
            also = [*first.attributes.get("also_at", []), str(item)]
            targets[target.sha256] = _with_attributes(first, also_at=also)
        else:
            targets[target.sha256] = target
        if on_target:
            on_target(item, target, None)
    return sorted(targets.values(), key=lambda t: (t.kind.value, t.uri)), errors


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
    )


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
