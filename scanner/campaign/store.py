"""The campaign database: one SQLite file holding every run of every campaign.

The target document (``Target.to_dict()``) is the record of truth; evidence and results are also
spread into their own tables so campaigns can be queried with plain SQL. Each target is written in
one transaction, so a process killed at any moment leaves whole targets or none.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.documents import company_of
from scanner.model import ErrorRecord, Report, RuleInfo, Target

# Forward-only migrations: step N brings a database from version N to N+1. Never edit a shipped step;
# append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE campaigns (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            tool_version TEXT NOT NULL,
            ruleset_sha256 TEXT NOT NULL,
            args TEXT NOT NULL)""",
        """CREATE TABLE targets (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            target_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            uri TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            label TEXT NOT NULL,
            company TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('done', 'error')),
            score REAL,
            grade TEXT,
            started_at TEXT,
            finished_at TEXT,
            document TEXT,
            PRIMARY KEY (run_id, target_id))""",
        """CREATE TABLE evidence (
            run_id INTEGER NOT NULL,
            target_id TEXT NOT NULL,
            evidence_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            attrs TEXT NOT NULL,
            uri TEXT NOT NULL,
            logical TEXT NOT NULL,
            snippet TEXT NOT NULL,
            PRIMARY KEY (run_id, target_id, evidence_id))""",
        """CREATE TABLE results (
            run_id INTEGER NOT NULL,
            target_id TEXT NOT NULL,
            rule_id TEXT NOT NULL,
            rule_version INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            severity TEXT NOT NULL,
            confidence TEXT NOT NULL,
            message TEXT NOT NULL,
            evidence_ids TEXT NOT NULL)""",
        """CREATE TABLE errors (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL,
            target_uri TEXT NOT NULL,
            stage TEXT NOT NULL,
            message TEXT NOT NULL)""",
    ),
    (
        # The rule descriptions travel with the run so a report renders from the store alone.
        "ALTER TABLE runs ADD COLUMN rules TEXT NOT NULL DEFAULT '[]'",
        "CREATE INDEX targets_by_sha ON targets (run_id, sha256)",
        "CREATE INDEX results_by_target ON results (run_id, target_id)",
        "CREATE INDEX results_by_outcome ON results (run_id, outcome, severity)",
        "CREATE INDEX errors_by_run ON errors (run_id)",
    ),
    (
        # What produced a run's documents (tool, rule pack, extractors, language): a later run with the
        # same analysis reuses the documents of inputs it has already analysed instead of analysing them again.
        "ALTER TABLE runs ADD COLUMN analysis TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX targets_by_content ON targets (sha256, uri)",
    ),
)
STORE_SCHEMA_VERSION = len(MIGRATIONS)
DEFAULT_DB_NAME = "fangcun.sqlite"


class StoreError(Exception):
    """A database that cannot be used; the message is one line naming the file."""


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    campaign: str
    started_at: str
    finished_at: str | None
    tool_version: str
    ruleset_sha256: str
    args: Mapping[str, Any]
    targets_done: int
    targets_failed: int


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def open_store(path: Path, *, timeout: float = 10.0, must_exist: bool = False) -> Store:
    """Open (creating or migrating) the campaign database at `path`. StoreError if unusable.

    `must_exist`: readers (leads, reports, diff) refuse a missing file instead of creating an empty one.
    """
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, expected a database file")
    if must_exist and not path.is_file():
        raise StoreError(f"{path}: no such database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot open database: {exc}") from None
    store = Store(conn, path, timeout)
    try:
        store._prepare()
    except BaseException:
        conn.close()
        raise
    return store


class Store:
    """One open campaign database. Not shared across processes: open one per process."""

    def __init__(self, conn: sqlite3.Connection, path: Path, timeout: float) -> None:
        self._conn = conn
        self.path = path
        self._timeout = timeout

    # -- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def _fail(self, exc: sqlite3.Error) -> StoreError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreError(f"{self.path}: database is locked by another process (waited {self._timeout:g} s)")
        if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
            return StoreError(f"{self.path}: not a usable Fangcun database ({text})")
        return StoreError(f"{self.path}: database error: {text}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; any SQLite failure becomes a StoreError naming the file."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._conn.execute("ROLLBACK")
            raise self._fail(exc) from None
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def _prepare(self) -> None:
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        version = self.schema_version()
        if version > STORE_SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: database schema version {version} is newer than this Fangcun supports "
                f"({STORE_SCHEMA_VERSION}); upgrade Fangcun to use it"
            )
        if version < STORE_SCHEMA_VERSION:
            self.migrate()

    def schema_version(self) -> int:
        tables = {row[0] for row in self._read("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return 0
        if "meta" not in tables:
            raise StoreError(f"{self.path}: not a Fangcun database (an SQLite file without its meta table)")
        row = self._read("SELECT value FROM meta WHERE key = 'schema_version'")
        try:
            return int(row[0][0])
        except (IndexError, ValueError):
            raise StoreError(f"{self.path}: not a Fangcun database (no schema version)") from None

    def migrate(self, upto: int = STORE_SCHEMA_VERSION) -> None:
        """Apply the missing migration steps, each in its own transaction."""
        for version in range(self.schema_version(), upto):
            with self._write() as conn:
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(version + 1),),
                )

    # -- runs ------------------------------------------------------------------------------------

    def start_run(self, campaign: str, args: Mapping[str, Any], *, tool: Mapping[str, Any], analysis: str = "") -> int:
        """A new run of `campaign`, or the unfinished run with the same args, rule pack and analysis (resume).

        `tool` is the report's ``tool`` object: version, ruleset_sha256 and rules. `analysis` fingerprints
        everything that shapes a target document (see ``reusable_document``); empty means "never reuse".
        """
        args_json = canonical_json(args)
        ruleset_sha = str(tool.get("ruleset_sha256", ""))
        with self._write() as conn:
            conn.execute(
                "INSERT INTO campaigns (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (campaign, now_utc()),
            )
            (campaign_id,) = conn.execute("SELECT id FROM campaigns WHERE name = ?", (campaign,)).fetchone()
            unfinished = conn.execute(
                "SELECT id FROM runs WHERE campaign_id = ? AND finished_at IS NULL AND args = ? "
                "AND ruleset_sha256 = ? AND analysis = ? ORDER BY id DESC LIMIT 1",
                (campaign_id, args_json, ruleset_sha, analysis),
            ).fetchone()
            if unfinished:
                return int(unfinished[0])
            cursor = conn.execute(
                "INSERT INTO runs (campaign_id, started_at, tool_version, ruleset_sha256, args, rules, analysis) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (campaign_id, now_utc(), str(tool.get("version", "")), ruleset_sha, args_json,
                 canonical_json(list(tool.get("rules", []))), analysis),
            )
            assert cursor.lastrowid is not None  # an INSERT always sets it
            return cursor.lastrowid

    def save_report(self, campaign: str, args: Mapping[str, Any], report: Mapping[str, Any]) -> int:
        """A whole report (e.g. a crawl's, judged in one process) as one finished run of `campaign`."""
        run_id = self.start_run(campaign, args, tool=report["tool"])
        for document in report["targets"]:
            self.save_target(run_id, document)
        for error in report.get("errors", []):
            uri = error.get("input") or error["message"]
            self.save_error(run_id, uri=uri, sha256="", kind="", stage=error["stage"], message=error["message"])
        self.finish_run(run_id)
        return run_id

    def finish_run(self, run_id: int) -> None:
        with self._write() as conn:
            conn.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (now_utc(), run_id))

    def runs(self, campaign: str | None = None) -> list[RunInfo]:
        sql = (
            "SELECT r.id, c.name, r.started_at, r.finished_at, r.tool_version, r.ruleset_sha256, r.args, "
            "(SELECT count(*) FROM targets t WHERE t.run_id = r.id AND t.status = 'done'), "
            "(SELECT count(*) FROM targets t WHERE t.run_id = r.id AND t.status = 'error') "
            "FROM runs r JOIN campaigns c ON c.id = r.campaign_id"
        )
        rows = self._read(sql + " WHERE c.name = ? ORDER BY r.id", (campaign,)) if campaign else self._read(sql + " ORDER BY r.id")
        return [
            RunInfo(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7], row[8])
            for row in rows
        ]

    def run(self, run_id: int) -> RunInfo:
        for info in self.runs():
            if info.id == run_id:
                return info
        raise StoreError(f"{self.path}: no run with id {run_id}")

    def latest_run(self, campaign: str) -> int | None:
        runs = self.runs(campaign)
        return runs[-1].id if runs else None

    # -- targets ---------------------------------------------------------------------------------

    def save_target(self, run_id: int, document: Mapping[str, Any] | Target, *, started_at: str = "",
                    finished_at: str = "") -> None:
        """Store one analysed target (a Target or its ``to_dict()``) with its evidence and results,
        atomically. A document is read through the model first, so what is stored is always a whole,
        current target document."""
        document = (document if isinstance(document, Target) else Target.from_dict(document)).to_dict()
        target_id = str(document["id"])
        score = document.get("score") or {}
        with self._write() as conn:
            self._delete_target(conn, run_id, target_id)
            conn.execute(
                "INSERT INTO targets (run_id, target_id, kind, uri, sha256, label, company, status, score, grade, "
                "started_at, finished_at, document) VALUES (?, ?, ?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?)",
                (run_id, target_id, document.get("kind", ""), document.get("uri", ""), document.get("sha256", ""),
                 document.get("label", ""), company_of(document), score.get("value"), score.get("grade"),
                 started_at or None, finished_at or now_utc(), canonical_json(document)),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO evidence (run_id, target_id, evidence_id, kind, key, attrs, uri, logical, snippet) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (run_id, target_id, ev["id"], ev["kind"], ev["key"], canonical_json(ev.get("attrs", {})),
                     ev["location"].get("uri", ""), ev["location"].get("logical", ""), ev["location"].get("snippet", ""))
                    for ev in document.get("evidence", [])
                ],
            )
            conn.executemany(
                "INSERT INTO results (run_id, target_id, rule_id, rule_version, outcome, severity, confidence, message, "
                "evidence_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (run_id, target_id, r["rule_id"], r["rule_version"], r["outcome"], r["severity"], r["confidence"],
                     r["message"], canonical_json(r.get("evidence_ids", [])))
                    for r in document.get("results", [])
                ],
            )

    def save_error(
        self, run_id: int, *, uri: str, sha256: str, kind: str, stage: str, message: str,
        started_at: str = "", finished_at: str = "",
    ) -> None:
        """Record an input that could not be analysed; it counts as finished so a resume skips it."""
        target_id = f"error-{sha256[:16]}" if sha256 else f"error-{uri}"
        with self._write() as conn:
            self._delete_target(conn, run_id, target_id)
            conn.execute("DELETE FROM errors WHERE run_id = ? AND target_uri = ?", (run_id, uri))
            conn.execute(
                "INSERT INTO targets (run_id, target_id, kind, uri, sha256, label, company, status, started_at, "
                "finished_at) VALUES (?, ?, ?, ?, ?, '', '', 'error', ?, ?)",
                (run_id, target_id, kind, uri, sha256, started_at or None, finished_at or now_utc()),
            )
            conn.execute(
                "INSERT INTO errors (run_id, target_uri, stage, message) VALUES (?, ?, ?, ?)",
                (run_id, uri, stage, message),
            )

    @staticmethod
    def _delete_target(conn: sqlite3.Connection, run_id: int, target_id: str) -> None:
        for table in ("targets", "evidence", "results"):
            conn.execute(f"DELETE FROM {table} WHERE run_id = ? AND target_id = ?", (run_id, target_id))

    def done_shas(self, run_id: int) -> set[str]:
        """sha256 of every input this run has finished, analysed or failed."""
        return {row[0] for row in self._read("SELECT sha256 FROM targets WHERE run_id = ?", (run_id,))}

    def reusable_document(self, sha256: str, uri: str, analysis: str) -> dict[str, Any] | None:
        """The document an earlier finished run made of these bytes at this uri with the same analysis.

        Same bytes, same name and same analysis give the same document, so a follow-up run over a
        mostly unchanged folder analyses only what changed. Documents that recorded an error are not
        reused: the error may have been passing.
        """
        if not analysis:
            return None
        rows = self._read(
            "SELECT t.document FROM targets t JOIN runs r ON r.id = t.run_id "
            "WHERE t.sha256 = ? AND t.uri = ? AND t.status = 'done' AND r.finished_at IS NOT NULL AND r.analysis = ? "
            "ORDER BY r.id DESC LIMIT 1",
            (sha256, uri, analysis),
        )
        document = json.loads(rows[0][0]) if rows else None
        return document if document and not document.get("errors") else None

    def iter_documents(self, run_id: int) -> Iterator[dict[str, Any]]:
        """Each analysed target's document, in report order, one at a time."""
        try:
            cursor = self._conn.execute(
                "SELECT document FROM targets WHERE run_id = ? AND status = 'done' ORDER BY kind, uri, target_id",
                (run_id,),
            )
            for (document,) in cursor:
                yield Target.from_dict(json.loads(document)).to_dict()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None

    def report_header(self, run_id: int) -> dict[str, Any]:
        """The run's report.json document without its targets (stream those with iter_documents)."""
        rows = self._read(
            "SELECT started_at, finished_at, tool_version, ruleset_sha256, args, rules FROM runs WHERE id = ?", (run_id,)
        )
        if not rows:
            raise StoreError(f"{self.path}: no run with id {run_id}")
        started_at, finished_at, tool_version, ruleset_sha, args, rules = rows[0]
        errors = tuple(
            ErrorRecord(stage, message, uri)
            for uri, stage, message in self._read(
                "SELECT target_uri, stage, message FROM errors WHERE run_id = ? ORDER BY target_uri, id", (run_id,)
            )
        )
        header = Report(
            tool_version=tool_version,
            rules=tuple(RuleInfo.from_dict(rule) for rule in json.loads(rules)),
            ruleset_sha256=ruleset_sha,
            targets=(),
            generated_at=finished_at or started_at,
            lang=json.loads(args).get("lang", "zh"),
            errors=errors,
        )
        return header.to_dict()

    def report_dict(self, run_id: int) -> dict[str, Any]:
        """The run as a report.json document, rebuilt from the store."""
        return {**self.report_header(run_id), "targets": list(self.iter_documents(run_id))}
