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

import ctypes
import hashlib
import json
import multiprocessing
import os
import resource
import signal
import stat
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.campaign.store import Store, now_utc, open_store
from scanner.errors import InputError
from scanner.pipeline import TARGET_SECONDS, sha256_file

# A scan function turns one input file into its target document (Target.to_dict()) or a Target.
ScanFn = Callable[[Path], Any]

_PR_SET_PDEATHSIG = 1
_MEMORY_EXIT_CODE = 86  # a worker that ran out of its address space exits with this


@dataclass(frozen=True, slots=True)
class Unit:
    """One distinct input (by content): the path analysed and the other paths with the same bytes."""

    sha256: str
    path: Path
    also_at: tuple[str, ...] = ()


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


@dataclass(slots=True)
class _Job:
    unit: Unit
    process: Any
    reader: Connection
    started: float
    started_at: str = field(default_factory=now_utc)


def kind_of_path(path: Path) -> str:
    from scanner.pipeline import APP_SUFFIXES

    return "apk" if path.suffix.lower() in APP_SUFFIXES else "policy"


def plan_units(paths: Sequence[Path]) -> tuple[list[Unit], list[InputError]]:
    """Hash every input; identical bytes become one unit. Missing, unreadable or special inputs
    (a dangling link, a FIFO, a device) are returned as errors."""
    from scanner.pipeline import expand_inputs

    first_path: dict[str, Path] = {}
    others: dict[str, list[str]] = {}
    problems: list[InputError] = []
    seen: set[Path] = set()
    for item in expand_inputs(paths):
        if isinstance(item, InputError):
            problems.append(item)
            continue
        if item.resolve() in seen:  # the same file named twice (a folder and a file in it)
            continue
        seen.add(item.resolve())
        problem = _not_a_regular_file(item)
        if problem:
            problems.append(InputError(str(item), problem))
            continue
        try:
            digest = sha256_file(item)
        except OSError as exc:
            problems.append(InputError(str(item), f"cannot read: {exc.strerror or exc}"))
            continue
        if digest in first_path:
            others.setdefault(digest, []).append(str(item))
        else:
            first_path[digest] = item
    units = [Unit(sha, path, tuple(others.get(sha, ()))) for sha, path in first_path.items()]
    return units, problems


def _not_a_regular_file(path: Path) -> str:
    """Why `path` cannot be hashed safely, or "" (reading a FIFO would block the batch forever)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "cannot read: a dangling link or a file that vanished"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    return "" if stat.S_ISREG(mode) else "not a regular file"


def default_scanner(lang: str, rules_dir: Path | None, waivers_file: Path | None = None) -> tuple[ScanFn, dict[str, Any], str]:
    """The real scan function, the report's tool object for the rule pack in use, and the analysis
    fingerprint (tool version, rule pack, extractor versions, language, waivers) that decides reuse.

    The rule pack and the waivers are loaded here, in the parent, so every forked worker shares them.
    """
    import datetime as dt

    from scanner.engine.evaluate import load_waivers
    from scanner.pipeline import build_report, load_ruleset, scan_file

    ruleset = load_ruleset(rules_dir)
    waivers = load_waivers(waivers_file) if waivers_file else ()
    today = dt.date.today()
    tool = build_report((), ruleset, lang=lang).to_dict()["tool"]

    def scan(path: Path) -> Any:
        return scan_file(path, ruleset, lang=lang, waivers=waivers, today=today)

    _warm_up(scan)
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


def _warm_up(scan: ScanFn) -> None:
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
            from scanner.extractors import extractors_for
            from scanner.model import TargetKind

            extractors_for(TargetKind.APK)
        except Exception:  # noqa: BLE001 — see docstring
            return


_WARM_UP_TEXT = "隐私政策。我们会收集您的人脸信息用于门禁开门。Privacy policy: we collect face data.\n"


def bare_tool() -> dict[str, Any]:
    return {"name": "fangcun", "version": __version__, "rules": [], "ruleset_sha256": ""}


def run_batch(
    paths: Sequence[Path],
    db: Path,
    *,
    campaign: str,
    jobs: int | None = None,
    per_target_seconds: float = TARGET_SECONDS,
    per_target_memory_mb: int = 2048,
    lang: str = "zh",
    rules_dir: Path | None = None,
    progress: bool = True,
    scan_fn: ScanFn | None = None,
    tool: Mapping[str, Any] | None = None,
    waivers_file: Path | None = None,
) -> BatchSummary:
    """Scan `paths` (files or directories) into the store at `db` and finish the run.

    `scan_fn` replaces the real scanner (tests); `tool` is then the report's tool object to record,
    and nothing is reused from earlier runs (the stand-in's output has no analysis fingerprint).
    Resumes the unfinished run of the same campaign and arguments if there is one.
    """
    began = time.monotonic()
    args = {"paths": sorted(str(Path(p).resolve()) for p in paths), "lang": lang,
            "waivers": str(Path(waivers_file).resolve()) if waivers_file else ""}
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
                seconds=per_target_seconds,
                memory_mb=per_target_memory_mb,
                advance=advance,
            )
        store.finish_run(run_id)
    summary.seconds = time.monotonic() - began
    return summary


def _reuse(store: Store, run_id: int, unit: Unit, analysis: str, summary: BatchSummary) -> bool:
    """Store an earlier run's document for `unit` in this run, if there is one. True if reused."""
    document = store.reusable_document(unit.sha256, str(unit.path), analysis)
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
    context = multiprocessing.get_context("fork")  # workers share the loaded rule pack and modules
    queue = iter(pending)
    running: dict[int, _Job] = {}
    try:
        while True:
            while len(running) < jobs:
                unit = next(queue, None)
                if unit is None:
                    break
                job = _start(context, unit, scan_fn, memory_mb)
                running[id(job)] = job
            if not running:
                return
            deadline = min(j.started for j in running.values()) + seconds
            ready = set(wait([j.reader for j in running.values()] + [j.process.sentinel for j in running.values()],
                             timeout=max(0.0, deadline - time.monotonic())))
            for key, job in list(running.items()):
                finished = job.reader in ready or job.process.sentinel in ready
                overdue = time.monotonic() - job.started >= seconds
                if not (finished or overdue):
                    continue
                del running[key]
                ok = _collect(job, store, run_id, seconds, overdue and not finished)
                summary.scanned += ok
                summary.errors += not ok
                advance(ok)
    finally:
        for job in running.values():  # interrupted: stop the workers; the run stays resumable
            job.process.kill()
            job.process.join()


def _start(context: Any, unit: Unit, scan_fn: ScanFn, memory_mb: int) -> _Job:
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(unit.path, scan_fn, writer, memory_mb), daemon=True)
    process.start()
    writer.close()  # the parent keeps only the reading end, so a dead worker reads as EOF
    return _Job(unit, process, reader, time.monotonic())


def _collect(job: _Job, store: Store, run_id: int, seconds: float, timed_out: bool) -> bool:
    """Store what one worker produced (or why it produced nothing). True if a target was stored."""
    unit = job.unit
    message: dict[str, Any] | None = None
    if not timed_out:
        try:
            message = json.loads(job.reader.recv_bytes())
        except (EOFError, OSError):
            message = None
    job.reader.close()
    if job.process.is_alive():
        job.process.kill()
    job.process.join()
    if message is None:
        stage, text = _why_no_result(job, seconds, timed_out)
        message = {"error": {"stage": stage, "message": text}}
    if "target" in message:
        store.save_target(run_id, _with_duplicates(message["target"], unit), started_at=job.started_at)
        return True
    error = message["error"]
    store.save_error(run_id, uri=str(unit.path), sha256=unit.sha256, kind=kind_of_path(unit.path),
                     stage=error["stage"], message=error["message"], started_at=job.started_at)
    return False


def _why_no_result(job: _Job, seconds: float, timed_out: bool) -> tuple[str, str]:
    path = job.unit.path
    if timed_out:
        return "timeout", f"{path}: analysis stopped after {seconds:g} s"
    if job.process.exitcode == _MEMORY_EXIT_CODE:
        return "memory", f"{path}: analysis exceeded its memory limit"
    code = job.process.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
    return "crash", f"{path}: worker {how} without a result"


def _worker(path: Path, scan_fn: ScanFn, writer: Connection, memory_mb: int) -> None:
    """Runs in the forked child: limit itself, scan, send one JSON message, exit."""
    _die_with_parent()
    _limit_memory(memory_mb)
    try:
        result = scan_fn(path)
        document = result.to_dict() if hasattr(result, "to_dict") else result
        payload = {"target": document}
    except InputError as exc:
        payload = {"error": {"stage": "open", "message": str(exc)}}
    except MemoryError:
        os._exit(_MEMORY_EXIT_CODE)
    except Exception as exc:  # noqa: BLE001 — a scanner bug costs this target, not the batch
        payload = {"error": {"stage": "scan", "message": f"{path}: {type(exc).__name__}: {' '.join(str(exc).split())}"}}
    try:
        writer.send_bytes(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    except MemoryError:
        os._exit(_MEMORY_EXIT_CODE)
    writer.close()
    # Leave without running the parent's inherited cleanup (its open database, its progress bar).
    os._exit(0)


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the batch process dies, so no orphan keeps scanning."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _limit_memory(memory_mb: int) -> None:
    """Cap the address space at what the forked worker already maps plus `memory_mb`.

    Counting from the current size keeps the limit meaningful when the parent has large
    libraries mapped (their pages are shared, not new memory).
    """
    try:
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        mapped = 0
    limit = mapped + memory_mb * 2**20
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        return


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
