"""Scan many inputs into the campaign store, in parallel, resumably.

Each target is analysed in its own forked worker process with an address-space limit and a
deadline; a runaway target is killed and recorded as an error, never the batch. The parent only
hashes inputs, starts workers and writes each finished target to the store at once, so its memory
does not grow with the number of targets. Killed at any moment and started again with the same
arguments, a batch resumes: inputs already in the store (by sha256) are not analysed again. A new run
over inputs an earlier finished run analysed (same bytes, same path, same tool, rules, analysing code,
data, libraries and language) reuses their stored documents, so a follow-up visit only analyses what
changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner import __version__, limits
from scanner.campaign.store import Store, open_store
from scanner.errors import printable_name
from scanner.isolation import ScanFn, Unit, duplicate_errors, kind_of_path, plan_units, run_isolated


@dataclass(slots=True)
class BatchSummary:
    run_id: int
    total: int = 0  # distinct inputs
    resumed: int = 0  # already in the store when this call started
    reused: int = 0  # taken from an earlier finished run with the same analysis
    scanned: int = 0
    errors: int = 0
    duplicates: int = 0  # extra paths whose bytes equal another input's
    seconds: float = 0.0


def default_scanner(lang: str, rules_dir: Path | None, waivers_file: Path | None = None) -> tuple[ScanFn, dict[str, Any], str]:
    """The real scan function, the report's tool object for the rule pack in use, and the analysis
    fingerprint (tool version, rule pack, extractor versions, language, waivers) that decides reuse.

    The rule pack and the waivers are loaded here, in the parent, so every forked worker shares them.
    """
    import datetime as dt

    from scanner.engine.evaluate import load_waivers
    from scanner.pipeline import build_report, load_ruleset, scan_file, warm_up

    ruleset = load_ruleset(rules_dir)
    waivers = load_waivers(waivers_file) if waivers_file else ()
    today = dt.date.today()
    tool = build_report((), ruleset, lang=lang).to_dict()["tool"]

    def scan(path: Path) -> Any:
        return scan_file(path, ruleset, lang=lang, waivers=waivers, today=today)

    warm_up(scan)
    # waivers expire: a result judged with them is reused only on the same day with the same file
    waived = f"{hashlib.sha256(waivers_file.read_bytes()).hexdigest()}@{today.isoformat()}" if waivers_file else ""
    return scan, tool, analysis_fingerprint(tool, lang, waived)


# Libraries whose upgrade can change the facts extracted from the same bytes.
_ANALYSIS_LIBRARIES = ("androguard", "spacy", "jieba", "beautifulsoup4", "lxml", "pypdf")


# The package whose code turns bytes into facts and results.
SCANNER_ROOT = Path(__file__).resolve().parent


def source_digest(root: Path) -> str:
    """sha256 over the relative path and bytes of every .py file under root.

    Part of the reuse fingerprint, so a stored result is never reused after the code that made it
    changed, even when nobody bumped an extractor's version (a fix in a shared helper, in the DEX
    reader or in the rule engine changes facts without touching any extractor's own file)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def analysis_fingerprint(tool: Mapping[str, Any], lang: str, waivers: str = "",
                         code_root: Path = SCANNER_ROOT) -> str:
    """A digest of everything besides the input that shapes a target document: tool version, rule
    pack, extractor versions, the analysing code, the shipped extractor data (signatures,
    lexicons), library versions and the report language."""
    from importlib import metadata

    from scanner.engine.ruleset import default_rules_dir
    from scanner.extractors import extractors_for
    from scanner.model import TargetKind

    extractors = {}
    for kind in (TargetKind.APK, TargetKind.POLICY):
        try:
            extractors[kind.value] = [spec.label for spec in extractors_for(kind)]
        except Exception:  # noqa: BLE001 — an extractor family that cannot load: no reuse for it
            extractors[kind.value] = ["unavailable"]
    libraries = {}
    for name in _ANALYSIS_LIBRARIES:
        try:
            libraries[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            libraries[name] = ""
    data = hashlib.sha256()
    shipped = default_rules_dir()
    for path in sorted(shipped.rglob("*.yaml")):
        data.update(str(path.relative_to(shipped)).encode() + b"\0" + path.read_bytes() + b"\0")
    facts = {"tool": tool.get("version"), "rules": tool.get("ruleset_sha256"), "extractors": extractors,
             "code": source_digest(code_root), "data": data.hexdigest(), "libraries": libraries,
             "lang": lang, "waivers": waivers}
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode("utf-8")).hexdigest()


def bare_tool() -> dict[str, Any]:
    return {"name": "fangcun", "version": __version__, "rules": [], "ruleset_sha256": ""}


def run_batch(
    paths: Sequence[Path],
    db: Path,
    *,
    campaign: str,
    jobs: int | None = None,
    per_target_seconds: float | None = None,
    per_target_memory_mb: int | None = None,
    lang: str = "zh",
    rules_dir: Path | None = None,
    progress: bool = True,
    scan_fn: ScanFn | None = None,
    tool: Mapping[str, Any] | None = None,
    waivers_file: Path | None = None,
) -> BatchSummary:
    """Scan `paths` (files or directories) into the store at `db` and finish the run.

    Each target gets `per_target_seconds` and `per_target_memory_mb` (default: limits.TARGET_SECONDS
    and limits.TARGET_MEMORY_MB). `scan_fn` replaces the real scanner (tests); `tool` is then the report's tool object to record,
    and nothing is reused from earlier runs (the stand-in's output has no analysis fingerprint).
    Resumes the unfinished run of the same campaign and arguments if there is one.
    """
    began = time.monotonic()
    args = {"paths": sorted(_shown_resolved(Path(p)) for p in paths), "lang": lang,
            "waivers": _shown_resolved(Path(waivers_file)) if waivers_file else ""}
    analysis = ""
    with open_store(db) as store:  # first, so an unusable database fails before any work
        if scan_fn is None:
            scan_fn, tool, analysis = default_scanner(lang, rules_dir, waivers_file)
        tool = dict(tool or bare_tool())
        units, problems = plan_units(paths)
        run_id = store.start_run(campaign, args, tool=tool, analysis=analysis)
        summary = BatchSummary(run_id, total=len(units), duplicates=sum(len(u.also_at) for u in units))
        done = store.done_shas(run_id)
        pending = [u for u in units if u.sha256 not in done]
        summary.resumed = len(units) - len(pending)
        del units, done
        pending = [u for u in pending if not _reuse(store, run_id, u, analysis, summary)]
        for problem in problems:
            store.save_error(run_id, uri=problem.input_name, sha256="", kind="", stage="open", message=str(problem))
        with _progress_bar(progress, total=summary.total, completed=summary.resumed + summary.reused, lang=lang) as advance:
            _run_pool(
                pending, store, run_id, summary, scan_fn,
                jobs=max(1, jobs or os.cpu_count() or 1),
                seconds=per_target_seconds or limits.TARGET_SECONDS,
                memory_mb=per_target_memory_mb or limits.TARGET_MEMORY_MB,
                advance=advance,
            )
        store.finish_run(run_id)
    summary.seconds = time.monotonic() - began
    return summary


def _shown_resolved(path: Path) -> str:
    """The absolute path with links resolved, as outputs show names; a symlink loop stays unresolved."""
    try:
        path = path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11 reports a symlink loop so
        path = path.absolute()
    return printable_name(str(path))


def _reuse(store: Store, run_id: int, unit: Unit, analysis: str, summary: BatchSummary) -> bool:
    """Store an earlier run's document for `unit` in this run, if there is one. True if reused."""
    document = store.reusable_document(unit.sha256, unit.name, analysis)
    if document is None:
        return False
    store.save_target(run_id, _with_duplicates(document, unit))
    summary.reused += 1
    return True


def _with_duplicates(document: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """The document naming this run's other paths with the same bytes (and no stale ones)."""
    attributes = {k: v for k, v in document.get("attributes", {}).items() if k != "also_at"}
    if unit.also_at:
        attributes["also_at"] = sorted(unit.also_at)
    return {**document, "attributes": attributes}


def _run_pool(
    pending: list[Unit], store: Store, run_id: int, summary: BatchSummary, scan_fn: ScanFn, *,
    jobs: int, seconds: float, memory_mb: int, advance: Callable[[bool], None],
) -> None:
    def store_one(unit: Unit, message: dict[str, Any], started_at: str) -> None:
        ok = _store_message(store, run_id, unit, message, started_at)
        summary.scanned += ok
        summary.errors += not ok
        advance(ok)

    run_isolated(pending, scan_fn, store_one, jobs=jobs, seconds=seconds, memory_mb=memory_mb)


def _store_message(store: Store, run_id: int, unit: Unit, message: dict[str, Any], started_at: str) -> bool:
    """Store what one worker produced (or why it produced nothing). True if a target was stored."""
    if "target" in message:
        store.save_target(run_id, _with_duplicates(message["target"], unit), started_at=started_at)
        return True
    error = message["error"]
    store.save_error(run_id, uri=unit.name, sha256=unit.sha256, kind=kind_of_path(unit.path),
                     stage=error["stage"], message=error["message"], started_at=started_at)
    for stage, text, name in duplicate_errors(unit, error["stage"]):
        # no sha256: stored under its own name, not as a second row of the same bytes
        store.save_error(run_id, uri=name, sha256="", kind=kind_of_path(unit.path), stage=stage, message=text,
                         started_at=started_at)
    return False


def _progress_bar(enabled: bool, *, total: int, completed: int, lang: str = "zh") -> AbstractContextManager[Callable[[bool], None]]:
    if not (enabled and sys.stderr.isatty()):
        return nullcontext(lambda ok: None)
    return _rich_progress(total, completed, lang)


class _rich_progress:
    """A rich progress bar with counts, errors and ETA, refreshed by hand (no background thread
    that a fork could copy mid-write)."""

    def __init__(self, total: int, completed: int, lang: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("[bold]扫描中" if lang == "zh" else "[bold]scanning"), BarColumn(), MofNCompleteColumn(),
            TextColumn("错误 {task.fields[errors]}" if lang == "zh" else "{task.fields[errors]} errors"), TimeElapsedColumn(), TextColumn("剩余" if lang == "zh" else "ETA"), TimeRemainingColumn(),
            console=Console(stderr=True), auto_refresh=False, transient=False,
        )
        self._task = self._progress.add_task("scan", total=total, completed=completed, errors=0)
        self._errors = 0

    def __enter__(self) -> Callable[[bool], None]:
        self._progress.start()
        self._progress.refresh()
        return self._advance

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def _advance(self, ok: bool) -> None:
        self._errors += not ok
        self._progress.update(self._task, advance=1, errors=self._errors)
        self._progress.refresh()
