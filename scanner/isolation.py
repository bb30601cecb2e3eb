"""Each target in its own worker process, with a deadline and a memory limit.

One input built to break the analyser must cost that input, never the run: a forked worker caps its
own address space (RLIMIT_AS) and is killed at its deadline, so a MemoryError, a hang inside a C
parser or a crash becomes that target's error record and every other result is kept. In-process
scans (scanner.pipeline.scan_paths) and --db batches (scanner.campaign.batch) both run targets here.

Workers are forked, so they share what the parent loaded (the rule pack, androguard, NLP pipelines)
and send back one JSON message: {"target": document} or {"error": {"stage", "message"}}.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from scanner.errors import InputError, printable_name
from scanner.inputs import APP_SUFFIXES, expand_inputs, not_a_regular_file, sha256_file

# A scan function turns one input file into its target document (Target.to_dict()) or a Target.
ScanFn = Callable[[Path], Any]
# Called in the parent as each unit ends: (unit, message, when its worker started).
OnDone = Callable[["Unit", dict[str, Any], str], None]

_PR_SET_PDEATHSIG = 1
_MEMORY_EXIT_CODE = 86  # a worker that ran out of its address space exits with this


@dataclass(frozen=True, slots=True)
class Unit:
    """One distinct input (by content): the path analysed and the other paths with the same bytes."""

    sha256: str
    path: Path
    also_at: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The path as every output can show it (see printable_name)."""
        return printable_name(str(self.path))


def plan_units(paths: Sequence[Path]) -> tuple[list[Unit], list[InputError]]:
    """Hash every input; identical bytes become one unit. Missing, unreadable or special inputs
    (a dangling link, a symlink loop, a FIFO, a device, a socket) are returned as errors, never read."""

    first_path: dict[tuple[str, str], Path] = {}
    others: dict[tuple[str, str], list[str]] = {}
    problems: list[InputError] = []
    seen: set[Path] = set()
    for item in expand_inputs(paths):
        if isinstance(item, InputError):
            problems.append(item)
            continue
        problem = not_a_regular_file(item)
        if problem:
            problems.append(InputError(str(item), problem))
            continue
        real = item.resolve()
        if real in seen:  # the same file named twice (a folder and a file in it)
            continue
        seen.add(real)
        try:
            digest = sha256_file(item)
        except OSError as exc:
            problems.append(InputError(str(item), f"cannot read: {exc.strerror or exc}"))
            continue
        key = (digest, kind_of_path(item))  # the same bytes named .apk and .txt are read two ways
        if key in first_path:
            others.setdefault(key, []).append(printable_name(str(item)))
        else:
            first_path[key] = item
    units = [Unit(key[0], path, tuple(others.get(key, ()))) for key, path in first_path.items()]
    return units, problems


def kind_of_path(path: Path) -> str:
    """How the pipeline will read the file: as an app (an APK, a store bundle, an app bundle) or as a
    document (it dispatches on the suffix)."""
    return "apk" if path.suffix.lower() in APP_SUFFIXES else "policy"


def duplicate_errors(unit: Unit, stage: str) -> list[tuple[str, str, str]]:
    """(stage, message, input) for each other name of a unit that could not be analysed, so that no
    name given is lost from the report."""
    return [(stage, f"{name}: not analysed: the same bytes as {unit.name}, which could not be", name)
            for name in unit.also_at]






@dataclass(slots=True)
class _Job:
    unit: Unit
    process: Any
    reader: Connection
    started: float
    started_at: str = field(default_factory=lambda: _now())


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def run_isolated(units: Iterable[Unit], scan_fn: ScanFn, on_done: OnDone, *, jobs: int, seconds: float,
                 memory_mb: int) -> None:
    """Scan every unit in a worker of its own, at most `jobs` at a time; `on_done` gets each message.

    Interrupted (KeyboardInterrupt, the parent killed), the running workers die with it."""
    context = multiprocessing.get_context("fork")  # workers share the loaded rule pack and modules
    queue = iter(units)
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
                on_done(job.unit, _collect(job, seconds, overdue and not finished), job.started_at)
    finally:
        for job in running.values():
            job.process.kill()
            job.process.join()


def _start(context: Any, unit: Unit, scan_fn: ScanFn, memory_mb: int) -> _Job:
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(unit.path, scan_fn, writer, memory_mb), daemon=True)
    process.start()
    writer.close()  # the parent keeps only the reading end, so a dead worker reads as EOF
    return _Job(unit, process, reader, time.monotonic())


def _collect(job: _Job, seconds: float, timed_out: bool) -> dict[str, Any]:
    """The worker's message, or an error saying why there is none."""
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
    return message


def _why_no_result(job: _Job, seconds: float, timed_out: bool) -> tuple[str, str]:
    name = job.unit.name
    if timed_out:
        return "timeout", f"{name}: analysis stopped after {seconds:g} s"
    if job.process.exitcode == _MEMORY_EXIT_CODE:
        return "memory", f"{name}: analysis exceeded its memory limit"
    code = job.process.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
    return "crash", f"{name}: worker {how} without a result"


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
        name = printable_name(str(path))
        payload = {"error": {"stage": "scan", "message": f"{name}: {type(exc).__name__}: {' '.join(str(exc).split())}"}}
    try:
        writer.send_bytes(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    except MemoryError:
        os._exit(_MEMORY_EXIT_CODE)
    writer.close()
    # Leave without running the parent's inherited cleanup (its open database, its progress bar).
    os._exit(0)


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when its parent dies, so no orphan keeps scanning."""
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
